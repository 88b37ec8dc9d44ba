package recorder

import (
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// packetDTS lists a file's packet decode times (seconds) in file order.
func packetDTS(t *testing.T, path string) []float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=dts_time", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe packets of %s: %v", path, err)
	}
	var d []float64
	for _, l := range strings.Fields(string(out)) {
		f, err := strconv.ParseFloat(strings.TrimSuffix(l, ","), 64)
		if err != nil {
			t.Fatalf("ffprobe dts %q", l)
		}
		d = append(d, f)
	}
	return d
}

// TestJitteredDurations records 20 cameras whose frames reach us with up to 100 ms of
// jitter at 15 fps — half stamping their capture instants in X-Timestamp, half with no
// timestamp at all (receive times only) — and checks that every file lasts what it
// recorded within 1 %: the frames it holds times the camera's frame period (the camera
// captures at exactly 15 fps; only delivery jitters). Decode times must be strictly
// increasing and the file must decode cleanly (ffmpeg rejects two frames crowded onto one
// point of the grid of its guessed rate).
func TestJitteredDurations(t *testing.T) {
	needFFmpeg(t)
	const (
		perServer = 10
		fps       = 15
		recordFor = 15 * time.Second
	)
	frames := mjpegtest.MakeFrames(15, 160, 120)
	withTS := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: fps, Cameras: perServer, Jitter: 100 * time.Millisecond})
	defer withTS.Close()
	noTS := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: fps, Cameras: perServer, Jitter: 100 * time.Millisecond,
		Quirks: mjpegtest.Quirks{NoTimestamp: true}})
	defer noTS.Close()
	r := openRoot(t, Options{})
	type cam struct {
		name string
		st   *capture.Stream
		rec  *Recording
	}
	var cams []*cam
	for i := 1; i <= perServer; i++ {
		for _, s := range []struct {
			srv  *mjpegtest.Server
			kind string
		}{{withTS, "x-timestamp"}, {noTS, "receive-time"}} {
			c := &cam{name: fmt.Sprintf("%s-%d", s.kind, i)}
			c.st = capture.NewStream(c.name, &mjpeg.Source{URL: s.srv.CameraURL(i)}, capture.StreamOptions{})
			defer c.st.Close()
			cams = append(cams, c)
		}
	}
	for _, c := range cams {
		rec, err := r.Start(c.name, c.st, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.rec = rec
	}
	time.Sleep(recordFor)
	var wg sync.WaitGroup
	for _, c := range cams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.rec.Stop(); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}()
	}
	wg.Wait()
	var sum, worst float64
	n := 0
	for _, cl := range clips(t, r.Dir()) {
		p := ffprobe(t, cl.Path)
		decodeClean(t, cl.Path)
		dts := packetDTS(t, cl.Path)
		for i := 1; i < len(dts); i++ {
			if dts[i] <= dts[i-1] {
				t.Errorf("%s: packet %d: dts %.6f after %.6f", cl.Camera, i, dts[i], dts[i-1])
				break
			}
		}
		recorded := float64(p.Frames) / fps
		errPct := 100 * math.Abs(p.Duration-recorded) / recorded
		sum += errPct
		worst = max(worst, errPct)
		n++
		t.Logf("%-16s %3d frames = %.3f s recorded, file %.3f s: %.2f %%", cl.Camera, p.Frames, recorded, p.Duration, errPct)
		if p.Frames < int(recordFor.Seconds()*fps)*8/10 {
			t.Errorf("%s: only %d frames", cl.Camera, p.Frames)
		}
		if errPct > 1 {
			keepFile(cl.Path)
			t.Errorf("%s: file lasts %.3f s for %.3f s recorded: %.2f %% off", cl.Camera, p.Duration, recorded, errPct)
		}
	}
	if n != len(cams) {
		t.Errorf("%d files for %d recordings", n, len(cams))
	}
	if n > 0 {
		t.Logf("duration error over %d recordings with 0–100 ms jitter at 15 fps: max %.2f %%, mean %.2f %%", n, worst, sum/float64(n))
	}
}
