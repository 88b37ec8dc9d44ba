package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestProbeBadFlagsAreUsage: numbers the settings would refuse, and times that are not
// positive, are bad usage (exit 2) before anything is dialled.
func TestProbeBadFlagsAreUsage(t *testing.T) {
	for _, bad := range [][]string{
		{"--fps", "NaN"}, {"--fps", "Inf"}, {"--fps", "-Inf"}, {"--fps", "0"}, {"--fps", "-2"}, {"--fps", "1e9"},
		{"--duration", "0s"}, {"--duration", "-1s"}, {"--timeout", "0s"}, {"--fps", "x"},
	} {
		code, out, errOut := vigil(t, append([]string{"probe", "http://127.0.0.1:1/snap.jpg"}, bad...)...)
		if code != exitUsage || out != "" {
			t.Errorf("probe %v: exit %d, stdout %q, stderr %q", bad, code, out, errOut)
		}
	}
}

// TestProbeStallingCameraFails: frames that stop within the measurement fail the probe
// (exit 1) with the cause and how many frames came first.
func TestProbeStallingCameraFails(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{StallAfter: 4, FPS: 20})
	defer srv.Close()
	code, out, errOut := vigil(t, "probe", srv.URL(), "--json", "--duration", "30s")
	p := decodeProbe(t, out)
	if code != exitFailed || p.Frames != 4 || p.ErrorKind != "stalled" || !strings.Contains(p.Error, "after 4 frames") {
		t.Fatalf("exit %d: %+v (stderr %q)", code, p, errOut)
	}
	t.Log(p.Error)
}

// TestProbeResettingCameraFails: a camera that resets the connection after a few frames.
func TestProbeResettingCameraFails(t *testing.T) {
	ln := capturetest.Listen(t)
	frames := mjpegtest.MakeFrames(3, 64, 48)
	capturetest.Serve(t, ln, func(c net.Conn) {
		fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=b\r\n\r\n")
		for _, f := range frames {
			fmt.Fprintf(c, "--b\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(f))
			c.Write(f)
			c.Write([]byte("\r\n"))
		}
		time.Sleep(100 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0) // RST
	})
	code, out, _ := vigil(t, "probe", "http://"+ln.Addr().String()+"/video", "--json", "--duration", "30s")
	p := decodeProbe(t, out)
	if code != exitFailed || p.Frames != 3 || !strings.Contains(p.Error, "broke after 3 frames") {
		t.Fatalf("exit %d: %+v", code, p)
	}
	t.Log(p.Error)
}

// TestProbeFailureSaysWhatTheCameraAnswered: content_type and auth_offered are reported
// on failures too (a 401, a 404).
func TestProbeFailureSaysWhatTheCameraAnswered(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Auth: mjpegtest.AuthBasic, User: "u", Password: "p"})
	defer srv.Close()
	code, out, _ := vigil(t, "probe", srv.URL(), "--json")
	if p := decodeProbe(t, out); code != exitFailed || p.ErrorKind != "unauthorized" || p.ContentType != "text/plain" ||
		!slices.Equal(p.AuthOffered, []string{"basic"}) {
		t.Fatalf("401: exit %d: %+v", code, p)
	}
	code, out, _ = vigil(t, "probe", srv.CameraURL(7), "--json", "--user", "u", "--password", "p")
	if p := decodeProbe(t, out); code != exitFailed || p.ErrorKind != "not_found" || p.ContentType != "text/plain" {
		t.Fatalf("404: exit %d: %+v", code, p)
	}
	code, out, _ = vigil(t, "probe", srv.URL())
	if code != exitFailed || !strings.Contains(out, "Content-Type text/plain") || !strings.Contains(out, "offered: basic") {
		t.Fatalf("401 as text: exit %d:\n%s", code, out)
	}
}

// TestProbeSilentCamera: a port that accepts and never answers is named by what it did
// not do, not "context deadline exceeded".
func TestProbeSilentCamera(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Silent: true})
	defer srv.Close()
	code, out, _ := vigil(t, "probe", srv.URL(), "--json", "--timeout", "500ms")
	p := decodeProbe(t, out)
	if code != exitFailed || p.ErrorKind != "timeout" || !strings.Contains(p.Error, "sent no HTTP answer within 500ms") ||
		strings.Contains(p.Error, "deadline") {
		t.Fatalf("exit %d: %+v", code, p)
	}
}

// TestProbeHelperProcess is `vigil probe` in a process of its own, for the peak-RSS test.
func TestProbeHelperProcess(t *testing.T) {
	args := os.Getenv("VIGIL_TEST_PROBE_ARGS")
	if args == "" {
		t.Skip("runs only as TestProbeHugeClaimedJPEGPeakRSS's child")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// probeInProcess runs `vigil probe args…` in a child process and returns its exit code,
// stdout and peak RSS in MB.
func probeInProcess(t *testing.T, args ...string) (int, string, float64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProbeHelperProcess$")
	cmd.Env = append(os.Environ(), "VIGIL_TEST_PROBE_ARGS="+strings.Join(append([]string{"probe"}, args...), "\x1f"))
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this system")
	}
	return cmd.ProcessState.ExitCode(), string(out), float64(ru.Maxrss) / 1024 // Linux: KB
}

// TestProbeHugeClaimedJPEGPeakRSS: a camera whose few-hundred-byte JPEGs claim 8192×8192 is
// probed with a peak RSS under 100 MB (not the 256 MB a full-size decode takes), and the
// claimed size is still reported. Its progressive twin is refused as too large.
func TestProbeHugeClaimedJPEGPeakRSS(t *testing.T) {
	// For scale: the same process probing an ordinary 640×360 camera.
	plain := mjpegtest.NewServer(mjpegtest.Options{Frames: mjpegtest.MakeFrames(5, 640, 360), FPS: 10})
	defer plain.Close()
	_, _, base := probeInProcess(t, plain.URL(), "--json", "--duration", "1s")
	t.Logf("an ordinary 640×360 camera: peak RSS %.1f MB", base)
	// Under 100 MB (when the race detector does not multiply memory), and within 50 MB of
	// the ordinary probe: a full-size decode alone would add 256 MB.
	check := func(what string, rss float64) {
		t.Helper()
		if rss-base >= 50 || (!raceEnabled && rss >= 100) {
			t.Fatalf("%s: peak RSS %.1f MB (an ordinary probe: %.1f MB), want under 100 MB", what, rss, base)
		}
	}

	bomb := mjpegtest.ClaimingJPEG(8192, 8192, false)
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: [][]byte{bomb}, FPS: 10})
	defer srv.Close()
	code, out, rss := probeInProcess(t, srv.URL(), "--json", "--duration", "1s")
	p := decodeProbe(t, out)
	t.Logf("%d-byte JPEG claiming 8192×8192: exit %d, %d×%d, peak RSS %.1f MB", len(bomb), code, p.Width, p.Height, rss)
	if code != exitOK || p.Width != 8192 || p.Height != 8192 {
		t.Fatalf("exit %d: %+v", code, p)
	}
	check("baseline JPEG", rss)

	prog := mjpegtest.NewServer(mjpegtest.Options{Frames: [][]byte{mjpegtest.ClaimingJPEG(8192, 8192, true)}, FPS: 10})
	defer prog.Close()
	code, out, rss = probeInProcess(t, prog.URL(), "--json", "--duration", "1s")
	p = decodeProbe(t, out)
	t.Logf("progressive twin: exit %d, %s, peak RSS %.1f MB", code, p.ErrorKind, rss)
	if code != exitFailed || p.ErrorKind != "too_large" {
		t.Fatalf("exit %d: %+v", code, p)
	}
	check("progressive JPEG", rss)
}

// loopSource plays encoded packets in a loop at fps, as a camera would send them.
type loopSource struct {
	pkts []capture.Packet
	fps  float64
}

func (s loopSource) Run(ctx context.Context, sink capture.Sink) error {
	sink.Connected(capture.StreamInfo{Protocol: "test", Transport: "memory", Auth: "none", Codec: s.pkts[0].Codec})
	t := time.NewTicker(time.Duration(float64(time.Second) / s.fps))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			p := s.pkts[i%len(s.pkts)]
			p.ReceiveTime = now
			sink.Packet(p)
		}
	}
}

// TestProbeBFrameH264: a High-profile stream with B-frames, whose first decode gives no
// picture, probes without a panic, with its size, and --snapshot saves a JPEG of it.
func TestProbeBFrameH264(t *testing.T) {
	if !avdectest.HasEncoder("libx264") {
		t.Skip("ffmpeg without libx264")
	}
	pkts := avdectest.Encode(t, avdectest.Stream{Codec: capture.CodecH264, Width: 320, Height: 240, FPS: 25, Frames: 50,
		BFrames: 2, Extra: []string{"-profile:v", "high"}})
	for i := range pkts {
		pkts[i].Width, pkts[i].Height = 0, 0 // the size must come from the decoder
	}
	var empty int // decodes that gave no picture: the case that made probe panic
	decoders := func(c capture.Codec) (capture.FrameDecoder, error) {
		d, err := panel.NewDecoder(c)
		return countingDecoder{d, &empty}, err
	}
	r := capture.Probe(context.Background(), loopSource{pkts: pkts, fps: 50}, capture.ProbeOptions{Duration: time.Second, Decoders: decoders})
	if !r.OK() || r.Width != 320 || r.Height != 240 || r.Picture == nil || empty == 0 {
		t.Fatalf("report: ok %v, %d×%d, picture %v, %d empty decodes, error %q", r.OK(), r.Width, r.Height, r.Picture != nil, empty, r.Error)
	}
	t.Logf("%d decodes gave no picture before the first", empty)
	snap := filepath.Join(t.TempDir(), "snap.jpg")
	if err := panel.WriteSnapshot(snap, r); err != nil {
		t.Fatal(err)
	}
	if w, h := jpegFileSize(t, snap); w != 320 || h != 240 {
		t.Fatalf("snapshot %d×%d", w, h)
	}
}

// countingDecoder counts the decodes that gave no picture. It keeps avdec's SourceSize.
type countingDecoder struct {
	capture.FrameDecoder
	empty *int
}

func (d countingDecoder) Decode(p capture.Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	img, err := d.FrameDecoder.Decode(p, w, h, dst)
	if img == nil && err == nil {
		*d.empty++
	}
	return img, err
}

func (d countingDecoder) SourceSize() (int, int) {
	if s, ok := d.FrameDecoder.(interface{ SourceSize() (int, int) }); ok {
		return s.SourceSize()
	}
	return 0, 0
}

// jpegFileSize reads the picture size of a JPEG file, failing t when it is not one.
func jpegFileSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}
