package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/recorder"
)

// `vigil record --camera <demo camera> --duration 3s --out DIR` writes one MP4 that
// ffprobe reads as M-JPEG of the camera's size lasting about 3 s.
func TestRecordCommandWritesAPlayableFile(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not installed (make test-deps installs ffmpeg)")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{MJPEG: 2, Size: "320x180", FPS: 10}}
	name := cfg.Demo.MJPEGNames()[1]
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	code, err := record(ctx, cfg, recordRequest{Cameras: []string{name}, Out: out}, quiet, &stdout)
	if code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	if !strings.Contains(stdout.String(), name+": 1 file(s)") || !strings.Contains(stdout.String(), ".mp4 (") {
		t.Fatalf("summary:\n%s", stdout.String())
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 1 {
		t.Fatalf("clips %+v, %v", clips, err)
	}
	s := ffprobeVideo(t, clips[0].Path)
	d := s.Duration
	if s.Codec != "mjpeg" || s.Width != 320 || s.Height != 180 || d < 1.5 || d > 3.5 {
		t.Fatalf("ffprobe: %+v, duration %.2f s; want mjpeg 320x180, about 3 s (less the connection time)", s, d)
	}

	// An unknown name is refused.
	if code, err := record(context.Background(), cfg, recordRequest{Cameras: []string{"Nowhere"}, Out: out}, quiet, &stdout); code != exitUsage || err == nil {
		t.Fatalf("unknown camera: %d %v", code, err)
	}
}

// The same for an RTSP H.264 camera given by URL: ffprobe reads H.264 of its size, about
// as long as the recording, and decodes every frame without error.
func TestRecordRTSPCamera(t *testing.T) {
	srv := rtsptest.StartCamera(t)
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	u := strings.Replace(srv.URL("cam"), "rtsp://", "rtsp://viewer:pw-42@", 1)
	if code, err := record(ctx, cfg, recordRequest{Cameras: []string{u}, Out: out}, quiet, &stdout); code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	if strings.Contains(stdout.String(), "pw-42") {
		t.Fatal("the password was printed")
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 1 || clips[0].Camera != panel.URLCameraName(srv.URL("cam")) || !strings.HasPrefix(clips[0].Camera, "127.0.0.1-") {
		t.Fatalf("clips %+v, %v", clips, err)
	}
	s := ffprobeVideo(t, clips[0].Path)
	d, n := s.Duration, s.Frames
	if s.Codec != "h264" || s.Width != 320 || s.Height != 240 || d < 2 || d > 4.5 || n < 25 {
		t.Fatalf("ffprobe: %+v, duration %.2f s; want h264 320x240, 2–4.5 s, ≥ 25 frames", s, d)
	}
	if msg, err := exec.Command("ffmpeg", "-v", "error", "-i", clips[0].Path, "-f", "null", "-").CombinedOutput(); err != nil || len(msg) > 0 {
		t.Fatalf("ffmpeg decoding the recording: %v %s", err, msg)
	}
}

func ffprobeVideo(t *testing.T, path string) ffmpeg.Video {
	t.Helper()
	v, _, err := ffmpeg.ProbeVideo(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// freePort returns a loopback port with nothing listening on it.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRecordUnreachableCamera: `vigil record` of a camera nobody answers for ends (every
// recording has stopped) with exit 1 and the reason, and what to try, whether it gives
// up on the camera or the duration ends first.
func TestRecordUnreachableCamera(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	u := "rtsp://" + freePort(t) + "/cam"
	start := time.Now()
	code, out, errOut := vigil(t, "record", "--camera", u, "--out", t.TempDir(), "--give-up", "2s")
	if code != exitFailed || !strings.Contains(errOut, "recorded nothing") || !strings.Contains(errOut, "refused") ||
		!strings.Contains(out, "recorded nothing") || !strings.Contains(out, "  try: ") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %v to give up", d)
	}
	code, _, errOut = vigil(t, "record", "--camera", u, "--out", t.TempDir(), "--duration", "1500ms")
	if code != exitFailed || !strings.Contains(errOut, "recorded nothing") || !strings.Contains(errOut, "refused") {
		t.Fatalf("with --duration: exit %d\n%s", code, errOut)
	}
	t.Log(errOut)
}

// TestRecordQueryDistinctURLs: two URLs that differ only in the query are two cameras,
// each in its own folder; every file written is printed; --user and VIGIL_PASSWORD reach
// URL cameras, and the password is printed nowhere.
func TestRecordQueryDistinctURLs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("VIGIL_PASSWORD", secret)
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 10, Auth: mjpegtest.AuthDigest, User: "viewer", Password: secret})
	defer srv.Close()
	dir := t.TempDir()
	u1, u2 := srv.URL()+"?channel=1", srv.URL()+"?channel=2"
	code, out, errOut := vigil(t, "record", "--camera", u1, "--camera", u2, "--out", dir, "--duration", "2500ms", "--user", "viewer")
	noSecret(t, out, errOut)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	clips, err := recorder.List(dir)
	if err != nil || len(clips) != 2 || clips[0].Camera == clips[1].Camera {
		t.Fatalf("clips %+v, %v", clips, err)
	}
	for _, c := range clips {
		if c.Camera != panel.URLCameraName(u1) && c.Camera != panel.URLCameraName(u2) {
			t.Errorf("folder %q is neither camera's", c.Camera)
		}
		if !strings.Contains(out, c.Path) {
			t.Errorf("file %s not printed:\n%s", c.Path, out)
		}
	}
	t.Log(out)
}

// TestRecordEndsWhenEveryRecordingStopped: below the free-space floor every recording stops
// with its clear error, and `vigil record` ends then instead of running on.
func TestRecordEndsWhenEveryRecordingStopped(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{MJPEG: 1, Size: "320x180", FPS: 10},
		Recording: config.Recording{MinFreeMB: 1 << 40}} // a floor no disk reaches
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout bytes.Buffer
	start := time.Now()
	code, err := record(ctx, cfg, recordRequest{Cameras: cfg.Demo.MJPEGNames()[:1], Out: t.TempDir(), GiveUp: time.Minute}, quiet, &stdout)
	if code != exitFailed || !errors.Is(err, recorder.ErrDiskFull) {
		t.Fatalf("exit %d, err %v\n%s", code, err, stdout.String())
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("ran on for %v after the recording stopped", d)
	}
	t.Log(err)
}
