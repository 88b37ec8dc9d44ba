package demo

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func decode(t *testing.T, b []byte) *image.YCbCr {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("frame does not decode: %v", err)
	}
	return img.(*image.YCbCr)
}

// meanDiff is the mean absolute luma difference of two same-size pictures in r.
func meanDiff(a, b *image.YCbCr, r image.Rectangle) float64 {
	var sum, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			d := int(a.Y[a.YOffset(x, y)]) - int(b.Y[b.YOffset(x, y)])
			sum += float64(max(d, -d))
			n++
		}
	}
	return sum / n
}

func TestLoopFramesDecodeToSize(t *testing.T) {
	for _, sz := range []image.Point{{320, 180}, {641, 361}} {
		frames, err := Loop(LoopOptions{Name: "Gate", Width: sz.X, Height: sz.Y, FPS: 10, Seconds: 0.4, NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) != 4 {
			t.Fatalf("%v: %d frames, want 4", sz, len(frames))
		}
		for i, f := range frames {
			if got := decode(t, f).Bounds().Size(); got != sz {
				t.Errorf("frame %d is %v, want %v", i, got, sz)
			}
		}
	}
}

func TestFrames(t *testing.T) {
	for _, c := range []struct {
		fps, sec float64
		want     int
	}{{0, 0, 20}, {5, 1, 5}, {12.5, 2, 25}, {25, 0.01, 1}, {30, 2, 60}, {7, 1.5, 11}} {
		if got := (LoopOptions{FPS: c.fps, Seconds: c.sec}).Frames(); got != c.want {
			t.Errorf("fps %v × %v s: %d frames, want %d", c.fps, c.sec, got, c.want)
		}
	}
	frames, err := Loop(LoopOptions{Width: 64, Height: 36, FPS: 12.5, Seconds: 2, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 25 {
		t.Errorf("loop has %d frames, want 25", len(frames))
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []LoopOptions{
		{Width: 8, Height: 8}, {Width: 10000, Height: 100}, {FPS: -1}, {Seconds: -2},
		{Quality: 101}, {FPS: 200, Seconds: 60}, {Width: 100},
	} {
		o.NoCache = true
		if _, err := Loop(o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: err %v, want ErrOptions", o, err)
		}
	}
}

func TestNameIsDrawnTopLeft(t *testing.T) {
	const w, h = 640, 360
	sc := newScene(1, w, h, 2, false)
	render := func(name string) *image.RGBA {
		od, err := newOSD(name, w, h)
		if err != nil {
			t.Fatal(err)
		}
		defer od.close()
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		sc.renderFrame(img, 0.5, 7)
		od.draw(img, "2025-01-01 00:00:00.00", "#00001")
		return img
	}
	a, b := render("Front Gate"), render("Loading Bay 3")
	topLeft := image.Rect(0, 0, w/2, h/6)
	var inside, outside int
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := a.PixOffset(x, y)
			if !bytes.Equal(a.Pix[i:i+3], b.Pix[i:i+3]) {
				if image.Pt(x, y).In(topLeft) {
					inside++
				} else {
					outside++
				}
			}
		}
	}
	if inside < 500 || outside != 0 {
		t.Errorf("changing the name changed %d pixels in the top left and %d elsewhere; want many and none", inside, outside)
	}
}

func TestNameIsReadableInFrame(t *testing.T) {
	frames, err := Loop(LoopOptions{Name: "WWWW", Width: 640, Height: 360, FPS: 1, Seconds: 1, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, frames[0])
	// White text with a dark outline: both extremes in the name's box.
	var white, dark int
	for y := 6; y < 6+360/17+4; y++ {
		for x := 6; x < 160; x++ {
			switch v := img.Y[img.YOffset(x, y)]; {
			case v > 235:
				white++
			case v < 40:
				dark++
			}
		}
	}
	if white < 100 || dark < 100 {
		t.Errorf("top left has %d white and %d dark pixels; the name is not drawn crisply", white, dark)
	}
}

func TestFramesDifferAndScenesDiffer(t *testing.T) {
	o := LoopOptions{Name: "Cam 1", Width: 320, Height: 180, FPS: 10, Seconds: 0.2, NoCache: true}
	a, err := Loop(o)
	if err != nil {
		t.Fatal(err)
	}
	f0, f1 := decode(t, a[0]), decode(t, a[1])
	below := image.Rect(0, 40, 320, 180) // below the OSD
	if d := meanDiff(f0, f1, below); d < 0.5 {
		t.Errorf("consecutive frames differ by %.2f per pixel; want sensor noise and motion", d)
	}
	again, err := Loop(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a[1], again[1]) {
		t.Error("the same options gave different bytes; loops must be deterministic")
	}
	for _, other := range []LoopOptions{{Name: "Cam 2"}, {Name: "Cam 1", Seed: 9}} {
		other.Width, other.Height, other.FPS, other.Seconds, other.NoCache = 320, 180, 10, 0.2, true
		b, err := Loop(other)
		if err != nil {
			t.Fatal(err)
		}
		if d := meanDiff(f0, decode(t, b[0]), below); d < 10 {
			t.Errorf("%q seed %d differs from %q seed 0 by only %.1f per pixel", other.Name, other.Seed, o.Name, d)
		}
	}
}

// A 1080p camera JPEG at quality 85 is typically 150–400 KB; the demo must be as costly
// to decode as that, so its frames must land in the same band.
func TestFrameSize1080p(t *testing.T) {
	frames, err := Loop(LoopOptions{Name: "Car Park North", Width: 1920, Height: 1080, FPS: 1, Seconds: 2, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		t.Logf("1080p q85 frame %d: %d KB", i, len(f)>>10)
		if len(f) < 150<<10 || len(f) > 350<<10 {
			t.Errorf("1080p frame %d is %d KB, want 250±100 KB", i, len(f)>>10)
		}
	}
}

func countingEncoder(n *atomic.Int32) func(image.Image, int) ([]byte, error) {
	return func(img image.Image, q int) ([]byte, error) {
		n.Add(1)
		return encodeStd(img, q)
	}
}

func TestCacheHitSkipsGeneration(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int32
	o := LoopOptions{Name: "Lobby", Width: 160, Height: 90, FPS: 5, Seconds: 1, CacheDir: dir, Encode: countingEncoder(&calls), EncoderID: "counting"}
	first, err := Loop(o)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 5 {
		t.Fatalf("first run encoded %d frames, want 5", calls.Load())
	}
	second, err := Loop(o)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 5 {
		t.Errorf("second run encoded %d more frames, want none (cache hit)", calls.Load()-5)
	}
	if len(second) != len(first) {
		t.Fatalf("cache returned %d frames, want %d", len(second), len(first))
	}
	for i := range first {
		if !bytes.Equal(first[i], second[i]) {
			t.Errorf("cached frame %d differs", i)
		}
	}
	// Any option in the key is a different entry.
	o.Quality = 70
	if _, err := Loop(o); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 10 {
		t.Errorf("a different quality was served from the cache")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".loop" {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestCorruptCacheRegenerates(t *testing.T) {
	corruptions := map[string]func([]byte) []byte{
		"truncated":  func(b []byte) []byte { return b[:len(b)/2] },
		"bit flip":   func(b []byte) []byte { b[len(b)/3] ^= 0x10; return b },
		"empty":      func([]byte) []byte { return nil },
		"wrong size": func(b []byte) []byte { return encodeCache([][]byte{{0xFF, 0xD8, 0xFF, 0xD9}}) },
	}
	for name, corrupt := range corruptions {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var calls atomic.Int32
			o := LoopOptions{Name: "Dock", Width: 96, Height: 54, FPS: 4, Seconds: 1, CacheDir: dir, Encode: countingEncoder(&calls)}
			want, err := Loop(o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, cacheKey(o.withDefaults())+".loop")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, corrupt(b), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Loop(o)
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 8 {
				t.Errorf("encoded %d frames in all, want 8 (the corrupt entry regenerated)", calls.Load())
			}
			for i := range want {
				if !bytes.Equal(want[i], got[i]) {
					t.Errorf("regenerated frame %d differs", i)
				}
			}
			if _, err := readCache(path, 4); err != nil {
				t.Errorf("cache entry not repaired: %v", err)
			}
		})
	}
}

func TestCacheUnwritableStillReturnsFrames(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	frames, err := Loop(LoopOptions{Width: 64, Height: 36, FPS: 2, Seconds: 1, CacheDir: filepath.Join(file, "sub")})
	if err != nil || len(frames) != 2 {
		t.Fatalf("got %d frames, err %v; want the frames despite the cache", len(frames), err)
	}
}

func TestEncodeErrorIsReported(t *testing.T) {
	boom := errors.New("boom")
	_, err := Loop(LoopOptions{Name: "X", Width: 64, Height: 36, FPS: 3, Seconds: 1, NoCache: true,
		Encode: func(image.Image, int) ([]byte, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Errorf("err %v, want it to wrap the encoder's error", err)
	}
}

func TestLoops(t *testing.T) {
	names := []string{"North", "South", "East", "West", "Roof"}
	dir := t.TempDir()
	loops, err := Loops(names, LoopOptions{Width: 160, Height: 90, FPS: 3, Seconds: 1, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(loops) != len(names) {
		t.Fatalf("%d loops for %d names", len(loops), len(names))
	}
	for i, l := range loops {
		single, err := Loop(LoopOptions{Name: names[i], Width: 160, Height: 90, FPS: 3, Seconds: 1, NoCache: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(l) != 3 || !bytes.Equal(l[2], single[2]) {
			t.Errorf("loop %d (%s) is not that camera's loop", i, names[i])
		}
	}
	if _, err := Loops([]string{"ok", "bad"}, LoopOptions{Width: 1, NoCache: true}); !errors.Is(err, ErrOptions) {
		t.Errorf("err %v, want ErrOptions", err)
	}
}

func TestCacheKey(t *testing.T) {
	base := LoopOptions{Name: "A"}.withDefaults()
	seen := map[string]string{cacheKey(base): "base"}
	for name, o := range map[string]LoopOptions{
		"name": {Name: "B"}, "size": {Name: "A", Width: 640, Height: 360}, "fps": {Name: "A", FPS: 11},
		"seconds": {Name: "A", Seconds: 3}, "quality": {Name: "A", Quality: 80}, "seed": {Name: "A", Seed: 1},
		"encoder": {Name: "A", EncoderID: "turbojpeg"}, "quiet": {Name: "A", Quiet: true},
	} {
		k := cacheKey(o.withDefaults())
		if prev, dup := seen[k]; dup {
			t.Errorf("changing %s gives the same key as %s", name, prev)
		}
		seen[k] = name
	}
	if cacheKey(LoopOptions{Name: "A", CacheDir: "/x"}.withDefaults()) != cacheKey(base) {
		t.Error("the cache folder must not be part of the key")
	}
}

func cacheSeeds() [][]byte {
	good := encodeCache([][]byte{{0xFF, 0xD8, 1, 2, 0xFF, 0xD9}, {0xFF, 0xD8, 0xFF, 0xD9}})
	return [][]byte{good, good[:len(good)-1], nil, []byte("VGFRAME1"), append([]byte("VGFRAME1"), make([]byte, 40)...)}
}

func TestParseCacheSeeds(t *testing.T) {
	s := cacheSeeds()
	if fr, err := parseCache(s[0], 2); err != nil || len(fr) != 2 || len(fr[0]) != 6 {
		t.Errorf("good entry: %d frames, err %v", len(fr), err)
	}
	if _, err := parseCache(s[0], 3); !errors.Is(err, errCorrupt) {
		t.Errorf("wrong frame count accepted: %v", err)
	}
	for i, b := range s[1:] {
		if _, err := parseCache(b, 2); !errors.Is(err, errCorrupt) {
			t.Errorf("bad seed %d: err %v, want errCorrupt", i+1, err)
		}
	}
}

func FuzzParseCache(f *testing.F) {
	for _, s := range cacheSeeds() {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, b []byte, want int) {
		frames, err := parseCache(b, want)
		if err != nil {
			return
		}
		if len(frames) != want {
			t.Fatalf("%d frames, want %d", len(frames), want)
		}
		for _, fr := range frames {
			if len(fr) < 4 || fr[0] != 0xFF || fr[1] != 0xD8 {
				t.Fatalf("returned a frame that is not a JPEG")
			}
		}
	})
}

func BenchmarkFrame1080p(b *testing.B) {
	sc := newScene(1, 1920, 1080, 2, false)
	od, err := newOSD("Car Park North", 1920, 1080)
	if err != nil {
		b.Fatal(err)
	}
	defer od.close()
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	var size int
	for i := 0; b.Loop(); i++ {
		sc.renderFrame(img, float64(i%20)/10, uint64(i))
		od.draw(img, "2025-01-01 00:00:00.00", "1920x1080 10fps  #00001")
		buf, err := encodeStd(img, 85)
		if err != nil {
			b.Fatal(err)
		}
		size = len(buf)
	}
	b.ReportMetric(float64(size)/1024, "KB/frame")
}

func BenchmarkRenderOnly1080p(b *testing.B) {
	sc := newScene(1, 1920, 1080, 2, false)
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for i := 0; b.Loop(); i++ {
		sc.renderFrame(img, float64(i%20)/10, uint64(i))
	}
}

func BenchmarkScene1080p(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		newScene(uint64(i), 1920, 1080, 2, false)
	}
}

// TestQuietScene: the quiet loop is still (sensor noise only) but for its walker, who is
// in the picture from QuietWalkFrom to QuietWalkTo only.
func TestQuietScene(t *testing.T) {
	const fps = 5
	frames, err := Loop(LoopOptions{Name: "Quiet 1", Width: 320, Height: 180, FPS: fps, Seconds: QuietSeconds, Quiet: true, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	luma := func(b []byte) *image.Gray {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
		return g
	}
	first := luma(frames[0])
	for i, b := range frames {
		g := luma(b)
		changed := 0
		for j := range g.Pix {
			if d := int(g.Pix[j]) - int(first.Pix[j]); d > 40 || d < -40 {
				changed++
			}
		}
		at := float64(i) / fps
		walking := at > QuietWalkFrom+0.2 && at < QuietWalkTo-0.2
		still := at < QuietWalkFrom || at >= QuietWalkTo
		switch {
		case still && changed > 5:
			t.Errorf("%.1f s: %d pixels changed in the still scene", at, changed)
		case walking && changed < 20:
			t.Errorf("%.1f s: the walker changes only %d pixels", at, changed)
		}
	}
}
