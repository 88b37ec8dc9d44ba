package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// palette is the colours the test source cycles through, one per frame.
var palette = []color.RGBA{
	{R: 220, G: 30, B: 30, A: 255},
	{R: 30, G: 200, B: 40, A: 255},
	{R: 40, G: 60, B: 230, A: 255},
	{R: 230, G: 210, B: 30, A: 255},
}

const srcW, srcH = 160, 120

// jpegFrames encodes one solid-colour JPEG per palette colour.
func jpegFrames(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, c := range palette {
		img := image.NewRGBA(image.Rect(0, 0, srcW, srcH))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return out
}

// jpegSource is an in-memory capture.Source: it sends Frames JPEG packets (forever when
// negative) Every apart, colours cycling, then holds the connection silently (Hold, a
// stall) or returns Err. With Frames 0 and no Hold it fails at once with Err, like a
// camera that refuses the connection.
type jpegSource struct {
	Frames [][]byte
	Count  int
	Every  time.Duration
	Hold   bool
	Err    error
	// Recorded, when set, makes it a playback source: packet n carries the source time
	// Recorded + n×Every.
	Recorded time.Time

	sent atomic.Int64
}

func (s *jpegSource) Run(ctx context.Context, sink capture.Sink) error {
	if s.Count == 0 && !s.Hold {
		return s.Err
	}
	sink.Connected(capture.StreamInfo{Protocol: "test", Transport: "memory", Codec: capture.CodecJPEG})
	tick := time.NewTicker(s.Every)
	defer tick.Stop()
	for i := 0; s.Count < 0 || i < s.Count; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		n := s.sent.Add(1)
		var at time.Time
		if !s.Recorded.IsZero() {
			at = s.Recorded.Add(time.Duration(n) * s.Every)
		}
		sink.Packet(capture.Packet{Codec: capture.CodecJPEG, Data: s.Frames[int(n)%len(s.Frames)],
			Key: true, Width: srcW, Height: srcH, SourceTime: at, ReceiveTime: time.Now()})
	}
	if s.Hold {
		<-ctx.Done()
		return nil
	}
	return s.Err
}

// testDecoders makes image/jpeg decoders that count their Decode calls. Each distinct
// packet is decoded by image/jpeg once and remembered (the test sources repeat a few
// frames), so a test under -race spends its time on the pipeline, not in the decoder.
type testDecoders struct {
	calls atomic.Int64

	mu    sync.Mutex
	cache map[*byte]*image.RGBA
}

func (d *testDecoders) New(c capture.Codec) (capture.FrameDecoder, error) {
	if c != capture.CodecJPEG {
		return nil, fmt.Errorf("test decoder: no %s decoder", c)
	}
	return &jpegDecoder{d: d}, nil
}

// full returns the packet decoded at full size.
func (d *testDecoders) full(data []byte) (*image.RGBA, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if img, ok := d.cache[&data[0]]; ok {
		return img, nil
	}
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("test decoder: %w: %v", capture.ErrMalformed, err)
	}
	b := src.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			img.SetRGBA(x, y, color.RGBAModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA))
		}
	}
	if d.cache == nil {
		d.cache = map[*byte]*image.RGBA{}
	}
	d.cache[&data[0]] = img
	return img, nil
}

type jpegDecoder struct{ d *testDecoders }

// Decode decodes with image/jpeg and scales to the box by nearest neighbour.
func (j *jpegDecoder) Decode(p capture.Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	j.d.calls.Add(1)
	if len(p.Data) == 0 {
		return nil, fmt.Errorf("test decoder: %w: empty packet", capture.ErrMalformed)
	}
	src, err := j.d.full(p.Data)
	if err != nil {
		return nil, err
	}
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	fw, fh := capture.FitSize(sw, sh, w, h)
	if dst == nil || dst.Rect.Dx() != fw || dst.Rect.Dy() != fh {
		dst = image.NewRGBA(image.Rect(0, 0, fw, fh))
	}
	for y := 0; y < fh; y++ {
		srow := src.Pix[(y*sh/fh)*src.Stride:]
		drow := dst.Pix[y*dst.Stride : y*dst.Stride+4*fw]
		for x := 0; x < fw; x++ {
			copy(drow[4*x:4*x+4], srow[4*(x*sw/fw):])
		}
	}
	return dst, nil
}

func (d *jpegDecoder) Close() error { return nil }

// uiQueue stands in for Fyne's main-thread queue (uitest.Queue).
type uiQueue = uitest.Queue

// pumpUntil runs the UI queue until cond holds (uitest.Queue.PumpUntil).
func pumpUntil(t *testing.T, q *uiQueue, what string, cond func() bool) {
	t.Helper()
	q.PumpUntil(t, what, cond)
}

// rig is a wall under test: streams of the given sources in a test window.
type rig struct {
	wall    *Wall
	win     fyne.Window
	q       *uiQueue
	dec     *testDecoders
	streams []*capture.Stream
}

func newRig(t *testing.T, sources []capture.Source, opts capture.StreamOptions, layout string, size fyne.Size) *rig {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{q: &uiQueue{}, dec: &testDecoders{}}
	opts.Decoders = r.dec.New
	opts.Logger = slog.New(slog.DiscardHandler)
	for i, src := range sources {
		r.streams = append(r.streams, capture.NewStream(fmt.Sprintf("Cam %d", i+1), src, opts))
	}
	r.wall = NewWall(WallOptions{Cameras: StaticCameras(r.streams), Layout: layout})
	r.wall.setDo(r.q.Do)
	r.win = test.NewWindow(r.wall.Content())
	r.win.SetPadded(false)
	r.win.Resize(size)
	stopAtEnd(t, r.wall, &r.streams, r.win)
	return r
}

// stopAtEnd stops wall, then closes the streams (those in *streams when the test ends)
// and win, when the test ends.
func stopAtEnd(t *testing.T, wall *Wall, streams *[]*capture.Stream, win fyne.Window) {
	t.Cleanup(func() {
		wall.Stop()
		for _, s := range *streams {
			s.Close()
		}
		win.Close()
	})
}

// capture renders the window.
func (r *rig) capture() image.Image { return r.win.Canvas().Capture() }

// at returns the colour at a point of a tile, given as fractions of its size.
func (r *rig) at(img image.Image, tile *Tile, fx, fy float32) color.RGBA {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	size := tile.Size()
	scale := r.win.Canvas().Scale()
	x := int((pos.X + size.Width*fx) * scale)
	y := int((pos.Y + size.Height*fy) * scale)
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// near reports whether two colours are within tol per channel (JPEG is lossy).
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return abs(int(x)-int(y)) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// paletteIndex returns which test colour c is, or -1.
func paletteIndex(c color.RGBA) int {
	for i, p := range palette {
		if near(c, p, 24) {
			return i
		}
	}
	return -1
}

// renderer returns a tile's renderer.
func renderer(t *Tile) *tileRenderer { return test.WidgetRenderer(t).(*tileRenderer) }
