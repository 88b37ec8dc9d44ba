package main

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/recorder"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// TestPushHelperProcess is `vigil push` in a child process, for TestPushDemoOntoAPanel.
func TestPushHelperProcess(t *testing.T) {
	args := os.Getenv("VIGIL_TEST_PUSH_ARGS")
	if args == "" {
		t.Skip("runs only as TestPushDemoOntoAPanel's child")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// TestPushDemoOntoAPanel: `vigil push --source demo`, started before the panel listens,
// says on stderr that it retries, then connects when the panel opens its push: listener;
// the pusher appears on the wall as a live camera, and goes offline at once when the
// process is killed.
func TestPushDemoOntoAPanel(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	addr := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestPushHelperProcess$")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "VIGIL_TEST_PUSH_ARGS="+strings.Join([]string{"push", "--to", addr, "--name", "yard",
		"--source", "demo", "--fps", "15", "--token", "t0k3n", "--duration", "60s"}, "\x1f"))
	var stderr capturetest.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	deadline := time.Now().Add(60 * time.Second) // the first run encodes the demo pictures
	for !strings.Contains(stderr.String(), "reconnecting in") {
		if time.Now().After(deadline) {
			t.Fatalf("vigil push did not say it retries:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	q := &uitest.Queue{}
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Push: []config.Push{{Listen: addr, Token: "t0k3n"}}}
	pn, err := panel.Open(cfg, panel.Options{Logger: quiet, Post: q.Do})
	if err != nil {
		t.Fatal(err)
	}
	defer pn.Close()
	var s *capture.Stream
	q.PumpUntil(t, "the pusher on the wall", func() bool {
		i := slices.IndexFunc(pn.Streams(), func(s *capture.Stream) bool { return s.Name() == "yard" })
		if i >= 0 {
			s = pn.Streams()[i]
		}
		return s != nil
	})
	sub, release := s.Subscribe("test", 64)
	defer release()
	q.PumpUntil(t, "live", func() bool { return s.Status().State == capture.StateLive })
	for range 30 {
		select {
		case p := <-sub.C():
			if w, h := p.Width, p.Height; w != 1280 || h != 720 {
				t.Fatalf("a frame of %d×%d", w, h)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no frames")
		}
	}
	frames := s.Stats().Packets
	cmd.Process.Signal(syscall.SIGTERM)
	killed := time.Now()
	err = cmd.Wait()
	waited = true
	exited := time.Since(killed)
	q.PumpUntil(t, "offline", func() bool { return s.Status().State == capture.StateOffline })
	t.Logf("offline %s after SIGTERM to vigil push (which took %s to exit)", time.Since(killed).Round(time.Millisecond), exited.Round(time.Millisecond))
	if err != nil {
		t.Fatalf("vigil push: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), `pushing "yard" to `+addr) || strings.Contains(stderr.String(), "t0k3n") {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && frames > 0 {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("vigil push --source demo: %s CPU for %d frames sent (%.2f ms a frame, the demo pictures' first encoding included)",
			cpu.Round(time.Millisecond), frames, cpu.Seconds()*1000/float64(frames))
	}
}

func TestPushBadSourcesSayWhat(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--source", "webcam:63"}, exitFailed, "/dev/video63"},
		{[]string{"--source", "file:/nonexistent.mp4"}, exitFailed, "nonexistent.mp4"},
		{[]string{"--source", "camera"}, exitFailed, "want demo, webcam:N or file:PATH"},
		{[]string{"--source", "demo", "--fps", "-1"}, exitUsage, "--fps"},
	} {
		var stderr bytes.Buffer
		code := run(append([]string{"push", "--to", "127.0.0.1:1", "--name", "w"}, c.args...), &bytes.Buffer{}, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: %d %s", c.args, code, stderr.String())
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"push", "--to", "127.0.0.1:1"}, &bytes.Buffer{}, &stderr); code != exitUsage {
		t.Fatalf("no name: %d %s", code, stderr.String())
	}
}

// TestPushFileThroughOpenCVIntoARecording: `vigil push --source file:` (a file made by
// ffmpeg) through gocv, onto `vigil record --camera push://…`, gives a recording ffprobe
// reads as M-JPEG of the file's size with its frames; the push ends at the file's end.
func TestPushFileThroughOpenCVIntoARecording(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffmpeg not installed (make test-deps installs it)")
	}
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if _, err := ffmpeg.Run("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10", "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	var stdout bytes.Buffer
	go func() {
		code, err := record(ctx, &config.Config{}, recordRequest{Cameras: []string{"push://" + addr + "/clip"}, Out: out}, quiet, &stdout)
		done <- result{code, err}
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPushHelperProcess$")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "VIGIL_TEST_PUSH_ARGS="+strings.Join([]string{"push", "--to", addr, "--name", "clip",
		"--source", "file:" + clip, "--duration", "60s"}, "\x1f"))
	var stderr capturetest.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vigil push: %v\n%s", err, stderr.String())
	}
	time.Sleep(300 * time.Millisecond) // the last frames on their way to the file
	cancel()
	r := <-done
	if r.code != exitOK || r.err != nil {
		t.Fatalf("record: %d %v\n%s", r.code, r.err, stdout.String())
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 1 {
		t.Fatalf("clips %+v, %v", clips, err)
	}
	v := ffprobeVideo(t, clips[0].Path)
	if v.Codec != "mjpeg" || v.Width != 320 || v.Height != 240 || v.Frames < 25 || v.Frames > 30 {
		t.Fatalf("ffprobe: %+v; want mjpeg 320x240 of about the file's 30 frames", v)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("vigil push --source file: (320×240 H.264, decoded and JPEG-encoded by OpenCV): %s CPU for 30 frames = %.1f ms a frame, process start included; %d frames recorded (race detector: %v)",
			cpu.Round(time.Millisecond), cpu.Seconds()*1000/30, v.Frames, raceEnabled)
	}
}

// `vigil record --camera push://HOST:PORT --duration 3s` records every pusher that
// connects, each to its own file, which ffprobe reads as M-JPEG of the pushed size.
func TestPushRecordCommand(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not installed (make test-deps installs ffmpeg)")
	}
	addr := freePort(t)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 320, 240)), nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, name := range []string{"left", "right"} {
		wg.Add(1)
		go func() { // pushers that retry until the recorder listens
			defer wg.Done()
			config.Protocols().Push(ctx, "push://"+addr, capture.PushOptions{Name: name, Next: capture.LoopPictures([][]byte{b.Bytes()}, 10)})
		}()
	}
	out := t.TempDir()
	var stdout bytes.Buffer
	code, err := record(ctx, &config.Config{}, recordRequest{Cameras: []string{"push://" + addr}, Out: out}, quiet, &stdout)
	wg.Wait()
	if code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 2 {
		t.Fatalf("clips %+v, %v\n%s", clips, err, stdout.String())
	}
	for _, c := range clips {
		if s := ffprobeVideo(t, c.Path); s.Codec != "mjpeg" || s.Width != 320 || s.Height != 240 {
			t.Fatalf("%s: %+v", c.Path, s)
		}
	}
	if !strings.Contains(stdout.String(), "left: 1 file(s)") || !strings.Contains(stdout.String(), "right: 1 file(s)") {
		t.Fatalf("summary:\n%s", stdout.String())
	}

	// Nobody pushing: it says so.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if code, err := record(ctx2, &config.Config{}, recordRequest{Cameras: []string{"push://" + addr + "/nobody"}, Out: out}, quiet, &stdout); code != exitFailed || err == nil || !strings.Contains(err.Error(), "no pusher") {
		t.Fatalf("nobody: %d %v", code, err)
	}
	if code, err := record(ctx2, &config.Config{}, recordRequest{Cameras: []string{"push://" + addr, "rtsp://x/"}, Out: out}, quiet, &stdout); code != exitUsage || err == nil {
		t.Fatalf("mixed: %d %v", code, err)
	}
}
