package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// camNames names simulated cameras; the demo wall and camsim agree so a camera looks
// the same wherever it is served.
func camNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Demo %d", i+1)
	}
	return names
}

// parseSize reads "WxH".
func parseSize(s string) (int, int, error) {
	var w, h int
	if _, err := fmt.Sscanf(s, "%dx%d", &w, &h); err != nil || w <= 0 || h <= 0 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("size %q: want WIDTHxHEIGHT, e.g. 1920x1080", s)
	}
	return w, h, nil
}

// startCamsim serves n demo cameras over MJPEG on 127.0.0.1.
func startCamsim(n, w, h int, fps float64, snapshot bool) (*mjpegtest.Server, error) {
	loops, err := demoLoops(camNames(n), w, h, fps)
	if err != nil {
		return nil, err
	}
	mode := mjpegtest.Stream
	if snapshot {
		mode = mjpegtest.Snapshot
	}
	return mjpegtest.NewServer(mjpegtest.Options{
		Cameras: n, FPS: fps, Mode: mode,
		CameraFrames: func(i int) [][]byte { return loops[i-1] },
	}), nil
}

func runCamsim(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil camsim", "usage: vigil camsim --mjpeg N [--size WxH] [--fps F]\n\nServes N simulated cameras over MJPEG/HTTP on 127.0.0.1 until interrupted.\nEach part carries X-Timestamp with its send time.", stderr)
	n := fs.Int("mjpeg", 4, "number of MJPEG cameras to serve")
	size := fs.String("size", "1280x720", "picture size WIDTHxHEIGHT")
	fps := fs.Float64("fps", 15, "frames per second")
	snapshot := fs.Bool("snapshot", false, "serve single-JPEG snapshot endpoints instead of streams")
	asJSON := fs.Bool("json", false, `print {"urls":[…]} on one line once serving (for scripts and vigil bench)`)
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return exitUsage
	}
	w, h, err := parseSize(*size)
	if err != nil || *n < 1 || *n > 256 || *fps <= 0 || *fps > 120 {
		if err == nil {
			err = fmt.Errorf("want 1–256 cameras at 0–120 fps")
		}
		fmt.Fprintln(stderr, "vigil camsim:", err)
		return exitUsage
	}
	start := time.Now()
	srv, err := startCamsim(*n, w, h, *fps, *snapshot)
	if err != nil {
		fmt.Fprintln(stderr, "vigil camsim:", err)
		return exitFailed
	}
	defer srv.Close()
	urls := make([]string, *n)
	for i := range urls {
		urls[i] = srv.CameraURL(i + 1)
	}
	if *asJSON {
		_ = json.NewEncoder(stdout).Encode(map[string]any{"urls": urls})
	} else {
		for _, u := range urls {
			fmt.Fprintln(stdout, u)
		}
		fmt.Fprintf(stderr, "serving %d cameras of %dx%d at %g fps (ready in %s); Ctrl-C to stop\n", *n, w, h, *fps, time.Since(start).Round(time.Millisecond))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	<-ctx.Done()
	return exitOK
}
