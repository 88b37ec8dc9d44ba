// Package demo makes the pictures of Vigil's built-in demo cameras: for each camera a
// short loop of JPEG frames of a procedural car park seen from a pole-mounted camera, with
// the detail, sensor noise and on-screen display of a real camera picture, so that decode
// benchmarks and the demo wall see what a real camera sends rather than a flat test pattern
// that flatters the decoder. Loops are deterministic per seed and name, and cached on disk
// so that only the first start pays for rendering and encoding.
package demo

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/jpeg"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// GeneratorVersion is part of every cache key: bump it whenever a change to the scene,
// the OSD or the file format changes the bytes a given LoopOptions produces.
const GeneratorVersion = 1

// Defaults and limits of LoopOptions.
const (
	DefaultWidth   = 1280
	DefaultHeight  = 720
	DefaultFPS     = 10
	DefaultSeconds = 2
	DefaultQuality = 85
	// MaxWidth and MaxHeight bound the picture (8K UHD).
	MaxWidth, MaxHeight = 7680, 4320
	// MaxFrames bounds one loop, which is held in memory whole.
	MaxFrames = 1800
)

// ErrOptions is wrapped by errors about LoopOptions that cannot be met.
var ErrOptions = errors.New("invalid demo loop options")

// LoopOptions describes one camera's loop. The zero value of every field but Name means
// its default.
type LoopOptions struct {
	// Name is drawn large at the top left of every frame and, with Seed, picks the scene.
	// An empty name draws no name.
	Name string
	// Width and Height are the picture size. They default to 1280×720.
	Width, Height int
	// FPS is the frame rate the loop is made for: it sets the time step between frames.
	// It defaults to 10.
	FPS float64
	// Seconds is the loop's length. It defaults to 2. The loop has round(FPS×Seconds)
	// frames, at least one.
	Seconds float64
	// Quality is the JPEG quality, 1–100. It defaults to 85.
	Quality int
	// Seed picks the scene together with Name.
	Seed int64
	// Encode encodes one frame at a quality. It defaults to image/jpeg's encoder; the
	// desktop app passes TurboJPEG's, several times faster. It is called from several
	// goroutines at once.
	Encode func(image.Image, int) ([]byte, error)
	// EncoderID names Encode in the cache key, since two encoders give different bytes.
	// It defaults to "image/jpeg" when Encode is nil and "custom" otherwise.
	EncoderID string
	// CacheDir is where finished loops are kept between runs. It defaults to
	// os.UserCacheDir()/vigil/demo; NoCache turns the cache off.
	CacheDir string
	// NoCache makes every call render and encode, and write nothing to disk.
	NoCache bool
	// Quiet makes a still scene (the street and its parked cars, nothing moving) but
	// for one person who walks across the picture from QuietWalkFrom to QuietWalkTo
	// seconds into the loop: the demo camera whose motion events come at known times.
	// A loop shorter than QuietWalkFrom is still throughout.
	Quiet bool
}

// The quiet scene's script: its person is in the picture from QuietWalkFrom to
// QuietWalkTo seconds into a loop of QuietSeconds.
const (
	QuietWalkFrom = 8.0
	QuietWalkTo   = 14.0
	QuietSeconds  = 30.0
)

// Frames returns how many frames the loop has.
func (o LoopOptions) Frames() int {
	o = o.withDefaults()
	return max(1, int(math.Round(o.FPS*o.Seconds)))
}

func (o LoopOptions) withDefaults() LoopOptions {
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = DefaultWidth, DefaultHeight
	}
	if o.FPS == 0 {
		o.FPS = DefaultFPS
	}
	if o.Seconds == 0 {
		o.Seconds = DefaultSeconds
	}
	if o.Quality == 0 {
		o.Quality = DefaultQuality
	}
	if o.EncoderID == "" {
		o.EncoderID = "image/jpeg"
		if o.Encode != nil {
			o.EncoderID = "custom"
		}
	}
	return o
}

func (o LoopOptions) validate() error {
	switch {
	case o.Width < 16 || o.Height < 16 || o.Width > MaxWidth || o.Height > MaxHeight:
		return fmt.Errorf("%w: size %d×%d outside 16×16 to %d×%d", ErrOptions, o.Width, o.Height, MaxWidth, MaxHeight)
	case !(o.FPS > 0 && o.FPS <= 240):
		return fmt.Errorf("%w: fps %v outside (0, 240]", ErrOptions, o.FPS)
	case !(o.Seconds > 0) || math.IsInf(o.Seconds, 0):
		return fmt.Errorf("%w: loop length %v s is not positive", ErrOptions, o.Seconds)
	case o.Quality < 1 || o.Quality > 100:
		return fmt.Errorf("%w: JPEG quality %d outside 1–100", ErrOptions, o.Quality)
	case len(o.Name) > 256:
		return fmt.Errorf("%w: camera name longer than 256 bytes", ErrOptions)
	}
	if n := o.FPS * o.Seconds; n > MaxFrames {
		return fmt.Errorf("%w: %v fps × %v s is over %d frames; shorten the loop", ErrOptions, o.FPS, o.Seconds, MaxFrames)
	}
	return nil
}

// sceneSeed mixes the seed and the name, so different cameras of one wall differ.
func (o LoopOptions) sceneSeed() uint64 {
	h := fnv.New64a()
	h.Write([]byte(o.Name))
	return uint64(o.Seed)*0x9e3779b97f4a7c15 ^ h.Sum64()
}

// Loop returns the encoded JPEG frames of one camera's loop, from the disk cache when it
// has them, else rendered, encoded in parallel on every CPU, and cached.
func Loop(opts LoopOptions) ([][]byte, error) {
	return newGenerator().loop(opts)
}

// Loops makes the loops of several cameras at once, sharing the CPUs between them; each
// camera gets opts with its own Name. The result is in the order of names.
func Loops(names []string, opts LoopOptions) ([][][]byte, error) {
	g := newGenerator()
	out := make([][][]byte, len(names))
	errs := make([]error, len(names))
	// A bounded number of cameras in flight caps the memory held by their base pictures;
	// the frame work itself is bounded by the generator's tokens.
	inflight := make(chan struct{}, runtime.GOMAXPROCS(0)+1)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		inflight <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-inflight }()
			o := opts
			o.Name = name
			out[i], errs[i] = g.loop(o)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// generator shares CPU tokens and frame buffers between the cameras of one call.
type generator struct {
	tokens chan struct{}
	bufs   sync.Map // image.Point -> *sync.Pool of *image.RGBA
}

func newGenerator() *generator {
	return &generator{tokens: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

func (g *generator) buffer(w, h int) (*image.RGBA, func()) {
	k := image.Pt(w, h)
	p, _ := g.bufs.LoadOrStore(k, &sync.Pool{New: func() any { return image.NewRGBA(image.Rect(0, 0, w, h)) }})
	pool := p.(*sync.Pool)
	img := pool.Get().(*image.RGBA)
	return img, func() { pool.Put(img) }
}

func logger() *slog.Logger { return slog.Default().With("component", "assets/demo") }

func (g *generator) loop(opts LoopOptions) ([][]byte, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("demo camera %q: %w", o.Name, err)
	}
	path := ""
	if !o.NoCache {
		dir := o.CacheDir
		if dir == "" {
			if d, err := os.UserCacheDir(); err == nil {
				dir = filepath.Join(d, "vigil", "demo")
			}
		}
		if dir != "" {
			path = filepath.Join(dir, cacheKey(o)+".loop")
			frames, err := readCache(path, o.Frames())
			if err == nil {
				return frames, nil
			}
			switch {
			case oldCacheFormat(path):
				// Written by an earlier Vigil (before internal/framefile): not damage.
				logger().Info("demo loop cache entry in the old format; regenerating", "camera", o.Name, "path", path)
			case !errors.Is(err, os.ErrNotExist):
				logger().Warn("ignoring unreadable demo loop cache entry; regenerating", "camera", o.Name, "path", path, "err", err)
			}
		}
	}
	frames, err := g.render(o)
	if err != nil {
		return nil, fmt.Errorf("demo camera %q: %w", o.Name, err)
	}
	if path != "" {
		if err := writeCache(path, frames); err != nil {
			logger().Warn("could not cache demo loop; the next start will render it again", "camera", o.Name, "err", err)
		}
	}
	return frames, nil
}

// render draws and encodes every frame of a loop.
func (g *generator) render(o LoopOptions) ([][]byte, error) {
	n := o.Frames()
	g.tokens <- struct{}{}
	sc := newScene(o.sceneSeed(), o.Width, o.Height, float64(n)/o.FPS, o.Quiet)
	<-g.tokens
	enc := o.Encode
	if enc == nil {
		enc = encodeStd
	}
	// A fixed wall-clock start per scene, so the OSD clock looks like a real one.
	start := time.Date(2025, time.Month(1+sc.seed%12), int(1+sc.seed/12%28), int(7+sc.seed/7%11), int(sc.seed/3%60), int(sc.seed%60), 0, time.UTC)

	frames := make([][]byte, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	workers := min(runtime.GOMAXPROCS(0), n)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			od, err := newOSD(o.Name, o.Width, o.Height)
			if err != nil {
				mu.Lock()
				firstErr = cmp(firstErr, err)
				mu.Unlock()
				for range jobs {
				}
				return
			}
			defer od.close()
			for i := range jobs {
				g.tokens <- struct{}{}
				img, done := g.buffer(o.Width, o.Height)
				t := float64(i) / o.FPS
				sc.renderFrame(img, t, uint64(sc.seed)<<20^uint64(i))
				ts := start.Add(time.Duration(t * float64(time.Second)))
				stamp, counter := ts.Format("2006-01-02 15:04:05.00"), fmt.Sprintf("%dx%d %gfps  #%05d", o.Width, o.Height, o.FPS, i)
				if o.Quiet { // no ticking clock: only the walker moves in the quiet scene
					stamp, counter = ts.Format("2006-01-02"), fmt.Sprintf("%dx%d %gfps", o.Width, o.Height, o.FPS)
				}
				od.draw(img, stamp, counter)
				b, err := enc(img, o.Quality)
				done()
				<-g.tokens
				if err != nil {
					mu.Lock()
					firstErr = cmp(firstErr, fmt.Errorf("encode frame %d: %w", i, err))
					mu.Unlock()
					continue
				}
				frames[i] = b
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return frames, nil
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func encodeStd(img image.Image, q int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(256 << 10)
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
