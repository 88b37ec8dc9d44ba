package demo

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor polls cond (capturetest.WaitFor).
func waitFor(t *testing.T, what string, cond func() bool) { capturetest.WaitFor(t, what, cond) }

func testFrames(t *testing.T, n, w, h int) [][]byte {
	t.Helper()
	var out [][]byte
	for i := 0; i < n; i++ {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for p := range img.Pix {
			img.Pix[p] = uint8(i * 60)
		}
		img.Set(0, 0, color.Gray{Y: 255})
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return out
}

// start runs s in a goroutine and returns a cancel func that waits for Run's result.
func start(s *Source, sink capture.Sink) (stop func() error, done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- s.Run(ctx, sink) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			cancel()
			err = <-ch
		})
		return err
	}, ch
}

func TestRunEmitsTheLoop(t *testing.T) {
	frames := testFrames(t, 3, 32, 16)
	s := &Source{Frames: frames, FPS: 500, Name: "Gate"}
	rec := &capturetest.Sink{}
	stop, _ := start(s, rec)
	waitFor(t, "7 packets", func() bool { return rec.Len() >= 7 })
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v on cancel, want nil", err)
	}
	want := capture.StreamInfo{Protocol: "demo", Transport: "none", Auth: "none", Codec: capture.CodecJPEG}
	// A packet before Connected panics in capturetest.Sink: Connected came first.
	if len(rec.Infos()) != 1 {
		t.Fatalf("Connected called %d times; want once, first", len(rec.Infos()))
	}
	if got := rec.Infos()[0]; got.Protocol != want.Protocol || got.Transport != want.Transport || got.Auth != want.Auth || got.Codec != want.Codec {
		t.Errorf("stream info %+v, want %+v", got, want)
	}
	pkts := rec.Packets()
	for i, p := range pkts {
		if !bytes.Equal(p.Data, frames[i%3]) {
			t.Errorf("packet %d is not frame %d of the loop", i, i%3)
		}
		if p.Codec != capture.CodecJPEG || !p.Key || p.Width != 32 || p.Height != 16 {
			t.Errorf("packet %d: codec %s key %v size %dx%d", i, p.Codec, p.Key, p.Width, p.Height)
		}
		if p.SourceTime.IsZero() || !p.SourceTime.Equal(p.ReceiveTime) {
			t.Errorf("packet %d: source time %v, receive time %v", i, p.SourceTime, p.ReceiveTime)
		}
		if i > 0 && p.ReceiveTime.Before(pkts[i-1].ReceiveTime) {
			t.Errorf("packet %d went back in time", i)
		}
	}
}

func TestRunExplicitSize(t *testing.T) {
	s := &Source{Frames: testFrames(t, 1, 8, 8), FPS: 1000, Width: 1920, Height: 1080}
	rec := &capturetest.Sink{}
	stop, _ := start(s, rec)
	waitFor(t, "a packet", func() bool { return rec.Len() >= 1 })
	stop()
	if p := rec.Packets()[0]; p.Width != 1920 || p.Height != 1080 {
		t.Errorf("size %dx%d, want the configured 1920x1080", p.Width, p.Height)
	}
}

func TestStallAfter(t *testing.T) {
	s := &Source{Frames: testFrames(t, 2, 16, 16), FPS: 1000, StallAfter: 3}
	rec := &capturetest.Sink{}
	stop, done := start(s, rec)
	waitFor(t, "3 packets", func() bool { return rec.Len() >= 3 })
	time.Sleep(30 * time.Millisecond) // 30 more ticks' worth
	select {
	case err := <-done:
		t.Fatalf("a stalled source returned %v; it must keep running until cancelled", err)
	default:
	}
	if n := rec.Len(); n != 3 {
		t.Errorf("stalled source sent %d packets, want 3", n)
	}
	if err := stop(); err != nil {
		t.Errorf("Run returned %v on cancel, want nil", err)
	}
}

func TestFailAfter(t *testing.T) {
	s := &Source{Frames: testFrames(t, 2, 16, 16), FPS: 1000, FailAfter: 4, Name: "Dock"}
	rec := &capturetest.Sink{}
	err := s.Run(context.Background(), rec)
	if !errors.Is(err, ErrSimulatedFailure) || !strings.Contains(err.Error(), `"Dock"`) {
		t.Errorf("err %v, want a simulated failure naming the camera", err)
	}
	if n := rec.Len(); n != 4 {
		t.Errorf("sent %d packets before failing, want 4", n)
	}
	// The Supervisor calls Run again to reconnect: it starts afresh.
	rec2 := &capturetest.Sink{}
	if err := s.Run(context.Background(), rec2); !errors.Is(err, ErrSimulatedFailure) || rec2.Len() != 4 {
		t.Errorf("second run: err %v after %d packets", err, rec2.Len())
	}
}

func TestCancelBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := &capturetest.Sink{}
	if err := (&Source{Frames: testFrames(t, 1, 16, 16)}).Run(ctx, rec); err != nil {
		t.Errorf("err %v, want nil", err)
	}
	if len(rec.Infos()) != 0 || rec.Len() != 0 {
		t.Errorf("a cancelled run reported %d connects and %d packets", len(rec.Infos()), rec.Len())
	}
}

func TestCancelWhileStreaming(t *testing.T) {
	// One frame every 100 s: cancel must not wait for the next tick.
	s := &Source{Frames: testFrames(t, 1, 16, 16), FPS: 0.01}
	rec := &capturetest.Sink{}
	stop, _ := start(s, rec)
	waitFor(t, "the first packet", func() bool { return rec.Len() >= 1 })
	t0 := time.Now()
	if err := stop(); err != nil {
		t.Errorf("err %v, want nil", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

func TestRunBadFrames(t *testing.T) {
	for _, c := range []struct {
		frames [][]byte
		want   error
	}{{nil, capture.ErrNotVideo}, {[][]byte{[]byte("not a jpeg")}, capture.ErrMalformed}} {
		rec := &capturetest.Sink{}
		err := (&Source{Frames: c.frames, Name: "X"}).Run(context.Background(), rec)
		if !errors.Is(err, c.want) {
			t.Errorf("err %v, want %v", err, c.want)
		}
		if len(rec.Infos()) != 0 {
			t.Error("reported connected with unusable frames")
		}
	}
}

var parseCases = []struct {
	url  string
	name string
	w, h int
	fps  float64
	bad  string // substring of the error; empty for success
}{
	{url: "demo://Gate", name: "Gate", w: DefaultWidth, h: DefaultHeight, fps: DefaultFPS},
	{url: "demo://Gate/", name: "Gate", w: DefaultWidth, h: DefaultHeight, fps: DefaultFPS},
	{url: "DEMO://Front%20Gate?size=1920x1080&fps=25", name: "Front Gate", w: 1920, h: 1080, fps: 25},
	{url: "demo://lobby/2?fps=7.5", name: "lobby/2", w: DefaultWidth, h: DefaultHeight, fps: 7.5},
	{url: "demo://cam?size=640X360", name: "cam", w: 640, h: 360, fps: DefaultFPS},
	{url: "demo://cam?size=320x180#frag", name: "cam", w: 320, h: 180, fps: DefaultFPS},
	{url: "demo://caf%C3%A9", name: "café", w: DefaultWidth, h: DefaultHeight, fps: DefaultFPS},
	{url: "http://cam", bad: "does not start with demo://"},
	{url: "demo://", bad: "no camera name"},
	{url: "demo://?size=1x1", bad: "no camera name"},
	{url: "demo://a%ZZ", bad: "bad escape"},
	{url: "demo://a%0Ab", bad: "control character"},
	{url: "demo://a?size=100", bad: "size"},
	{url: "demo://a?size=8x8", bad: "size"},
	{url: "demo://a?size=99999x100", bad: "size"},
	{url: "demo://a?size=axb", bad: "size"},
	{url: "demo://a?fps=0", bad: "fps"},
	{url: "demo://a?fps=NaN", bad: "fps"},
	{url: "demo://a?fps=1000", bad: "fps"},
	{url: "demo://a?fsp=10", bad: "unknown parameter"},
	{url: "demo://a?size=%zz", bad: "bad query"},
	{url: "demo://" + strings.Repeat("n", 300), bad: "longer than"},
	{url: "demo://" + strings.Repeat("n", 3000), bad: "longer than"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		name, w, h, fps, err := Parse(c.url)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("Parse(%.40q): err %v, want one mentioning %q", c.url, err, c.bad)
			}
			continue
		}
		if err != nil || name != c.name || w != c.w || h != c.h || fps != c.fps {
			t.Errorf("Parse(%q) = %q %dx%d %v fps, %v; want %q %dx%d %v", c.url, name, w, h, fps, err, c.name, c.w, c.h, c.fps)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.url)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, w, h, fps, err := Parse(raw)
		if err != nil {
			return
		}
		if name == "" || len(name) > maxName || w < 16 || h < 16 || w > MaxWidth || h > MaxHeight || !(fps > 0 && fps <= MaxFPS) {
			t.Fatalf("Parse(%q) accepted %q %dx%d %v", raw, name, w, h, fps)
		}
	})
}
