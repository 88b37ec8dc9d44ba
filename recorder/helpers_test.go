package recorder

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// childEnv makes the test binary a recording child process (TestKill9).
const childEnv = "VIGIL_RECORDER_CHILD_ROOT"

func TestMain(m *testing.M) {
	if root := os.Getenv(childEnv); root != "" {
		os.Exit(childMain(root))
	}
	goleak.VerifyTestMain(m)
}

// needFFmpeg skips when Debian's ffmpeg/ffprobe are missing.
func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, b := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed (apt-get install ffmpeg)", b)
		}
	}
}

// ffprobe checks a file with ffprobe, counting decoded frames; anything ffprobe prints on
// stderr at -v error fails the test.
func ffprobe(t *testing.T, path string) ffmpeg.Video {
	t.Helper()
	v, complaints, err := ffmpeg.ProbeVideo(path)
	if err != nil {
		t.Fatal(err)
	}
	if complaints != "" {
		t.Errorf("ffprobe %s complained:\n%s", path, complaints)
	}
	return v
}

// decodeClean decodes the whole file with ffmpeg; any error output fails the test.
func decodeClean(t *testing.T, path string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Errorf("ffmpeg decoding %s: %v\n%s", path, err, errb.String())
		keepFile(path)
	}
}

// mjpegCamera starts a fake MJPEG camera of w×h at fps and a Stream reading it.
func mjpegCamera(t *testing.T, name string, w, h int, fps float64) (*mjpegtest.Server, *capture.Stream) {
	t.Helper()
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: mjpegtest.MakeFrames(15, w, h), FPS: fps})
	st := capture.NewStream(name, &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{})
	t.Cleanup(func() {
		st.Close()
		srv.Close()
	})
	return srv, st
}

var (
	h264Once sync.Once
	h264AUs  [][]byte
	h264Err  error
)

// h264Units makes 5 s of 640×360 15 fps H.264 with ffmpeg (key frame every second, AUD
// in front of every access unit, no B-frames) and splits it into Annex-B access units.
func h264Units(t testing.TB) [][]byte {
	t.Helper()
	needFFmpeg(t)
	h264Once.Do(func() { h264AUs, h264Err = makeH264() })
	if h264Err != nil {
		t.Fatal(h264Err)
	}
	return h264AUs
}

func makeH264() ([][]byte, error) {
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=15",
		"-t", "5", "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-bf", "0",
		"-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffmpeg making H.264: %v: %s", err, errb.String())
	}
	aud := []byte{0, 0, 0, 1, 9}
	data := out.Bytes()
	var aus [][]byte
	for len(data) > 0 {
		next := bytes.Index(data[len(aud):], aud)
		if next < 0 {
			aus = append(aus, data)
			break
		}
		aus = append(aus, data[:next+len(aud)])
		data = data[next+len(aud):]
	}
	if len(aus) < 70 {
		return nil, fmt.Errorf("ffmpeg made %d access units, want 75", len(aus))
	}
	return aus, nil
}

// isIDR reports whether an Annex-B access unit holds an IDR slice.
func isIDR(au []byte) bool {
	for i := 0; i+4 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 && au[i+3]&0x1f == 5 {
			return true
		}
	}
	return false
}

// annexBSource is a capture.Source emitting H.264 access units in a loop at FPS, as a
// camera over RTSP would reach the Hub.
type annexBSource struct {
	AUs [][]byte
	FPS float64
	// FailAfter, when > 0, ends the connection after that many units.
	FailAfter int
}

func (s *annexBSource) Run(ctx context.Context, sink capture.Sink) error {
	sink.Connected(capture.StreamInfo{Protocol: "test", Transport: "none", Codec: capture.CodecH264})
	t := time.NewTicker(time.Duration(float64(time.Second) / s.FPS))
	defer t.Stop()
	for i := 0; ; i++ {
		if s.FailAfter > 0 && i >= s.FailAfter {
			return fmt.Errorf("test camera hung up: %w", capture.ErrStalled)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		au := s.AUs[i%len(s.AUs)]
		sink.Packet(capture.Packet{Codec: capture.CodecH264, Data: au, Key: isIDR(au), Width: 640, Height: 360,
			ReceiveTime: time.Now()})
	}
}

// openRoot opens a root in a temp folder with fast housekeeping.
func openRoot(t *testing.T, opts Options) *Root {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	if opts.MinFree == 0 {
		opts.MinFree = -1
	}
	if opts.hooks.tick == 0 {
		opts.hooks.tick = 50 * time.Millisecond
	}
	r, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recordFor starts a recording, waits for its first file, lets it run d and stops it.
func recordFor(t *testing.T, r *Root, camera string, src PacketSource, d time.Duration) Status {
	t.Helper()
	rec := startRecording(t, r, camera, src)
	waitFor(t, 15*time.Second, "the first segment", func() bool { return rec.Status().File != "" || rec.Status().Err != nil })
	time.Sleep(d)
	st := rec.Status()
	if err := rec.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	return st
}

// startRecording starts recording camera from src into r, without a pre-roll; an
// error ends the test.
func startRecording(t *testing.T, r *Root, camera string, src PacketSource) *Recording {
	t.Helper()
	rec, err := r.Start(camera, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// oneClip is the one clip under dir; none, or more than one, ends the test.
func oneClip(t *testing.T, dir string) Clip {
	t.Helper()
	c := clips(t, dir)
	if len(c) != 1 {
		t.Fatalf("clips %+v", c)
	}
	return c[0]
}

// clips lists the root and fails on error.
func clips(t *testing.T, dir string) []Clip {
	t.Helper()
	c, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
