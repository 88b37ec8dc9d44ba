package recorder

import (
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestJPEGSizeChurn: a camera whose JPEGs alternate between two sizes for 5 s, then keep
// to the second size for 5 s, makes two files — not one per frame — and the frames of
// the other size are dropped and counted in the status.
func TestJPEGSizeChurn(t *testing.T) {
	needFFmpeg(t)
	a, b := mjpegtest.MakeFrames(3, 320, 240), mjpegtest.MakeFrames(3, 160, 120)
	var frames [][]byte
	for i := 0; i < 75; i++ { // 5 s alternating at 15 fps
		if i%2 == 0 {
			frames = append(frames, a[i%3])
		} else {
			frames = append(frames, b[i%3])
		}
	}
	for i := 0; i < 75; i++ { // then 5 s of the small size only
		frames = append(frames, b[i%3])
	}
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: 15})
	defer srv.Close()
	cam := capture.NewStream("churn", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{})
	defer cam.Close()
	r := openRoot(t, Options{})
	rec := startRecording(t, r, "churn", cam)
	waitFor(t, 15*time.Second, "the first file", func() bool { return rec.Status().File != "" })
	time.Sleep(9500 * time.Millisecond) // the server loops after 10 s
	st := rec.Status()
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	c := clips(t, r.Dir())
	t.Logf("%d files, %d segments, %d frames dropped for their size (%d drops in all)", len(c), st.Segments, st.SizeDrops, st.Drops)
	if len(c) != 2 || st.Segments != 2 {
		t.Fatalf("%d files (%d segments), want 2: one while the sizes alternate, one once the small size lasts", len(c), st.Segments)
	}
	// While alternating, every other frame (about 37) was of the other size; after the
	// change, up to a second of the new size waited to prove it lasts.
	if st.SizeDrops < 30 || st.SizeDrops > 37+20 || st.Drops < st.SizeDrops {
		t.Errorf("SizeDrops %d, Drops %d: want about 37 + 15", st.SizeDrops, st.Drops)
	}
	sizes := [][2]int{{320, 240}, {160, 120}}
	for i, cl := range c {
		p := ffprobe(t, cl.Path)
		decodeClean(t, cl.Path)
		if p.Width != sizes[i][0] || p.Height != sizes[i][1] || p.Frames < 25 {
			t.Errorf("file %d: %+v, want %dx%d", i, p, sizes[i][0], sizes[i][1])
		}
	}
}

// TestSizeGuardBacksOff: each accepted size change doubles the time the next must last.
func TestSizeGuardBacksOff(t *testing.T) {
	var g sizeGuard
	small, big := trackParams{codec: capture.CodecJPEG, width: 160, height: 120}, trackParams{codec: capture.CodecJPEG, width: 320, height: 240}
	t0 := time.Now()
	at := t0
	changes := 0
	// A camera switching size every 1.5 s for 10 minutes, 15 fps.
	cur := big
	for i := 0; i < 15*600; i++ {
		at = t0.Add(time.Duration(i) * time.Second / 15)
		p := small
		if (i/22)%2 == 0 {
			p = big
		}
		if p.equal(cur) {
			g.same()
			continue
		}
		if g.allow(p, at) {
			cur = p
			changes++
		}
	}
	if changes < 1 || changes > 2 {
		t.Errorf("%d files in 10 min from a camera changing size every 1.5 s, want 1 or 2", changes)
	}
}
