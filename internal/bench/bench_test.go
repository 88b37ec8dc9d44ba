package bench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// When re-executed with BENCH_TEST_CAMSIM=1 the test binary is the simulator process,
// standing in for `vigil camsim --json` (same output, same protocol).
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_TEST_CAMSIM") == "1" {
		srv := mjpegtest.NewServer(mjpegtest.Options{Cameras: 2, FPS: 10, Frames: mjpegtest.MakeFrames(10, 640, 360)})
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"urls": []string{srv.CameraURL(1), srv.CameraURL(2)}})
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		<-ctx.Done()
		stop()
		srv.Close()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestRunMeasuresEveryPhase(t *testing.T) {
	t.Setenv("BENCH_TEST_CAMSIM", "1")
	_, ffErr := exec.LookPath("ffmpeg")
	o := Options{
		Streams: 2, Width: 640, Height: 360, FPS: 10, TileW: 160, TileH: 90,
		Duration: 2 * time.Second, Warmup: 2 * time.Second, VsFFmpeg: ffErr == nil,
		Camsim: []string{os.Args[0], "-test.run=^$"},
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	// Only that each phase measured something: how fast is the benchmark's business.
	if r.Frames <= 0 || r.FPSPerStream <= 0 || r.CPUMsPerFrame <= 0 || r.RSSMB <= 0 || r.FrameKB <= 0 {
		t.Errorf("pipeline phase: %+v", r)
	}
	if r.LatencyP50Ms <= 0 || r.LatencyP99Ms < r.LatencyP50Ms {
		t.Errorf("latency p50 %v p99 %v", r.LatencyP50Ms, r.LatencyP99Ms)
	}
	if r.FloorMsPerFrame <= 0 || r.FloorFrames <= 0 || r.FloorRatio <= 0 {
		t.Errorf("floor phase: %+v", r)
	}
	if o.VsFFmpeg && (r.FFmpegFrames <= 0 || r.FFmpegCPUMsPerFrame <= 0 || r.CPURatio <= 0) {
		t.Errorf("ffmpeg phase: %+v", r)
	}
}

func TestRunReportsDeadCamsim(t *testing.T) {
	_, err := Run(context.Background(), Options{Streams: 1, Camsim: []string{"/bin/false"}, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "exited before printing") {
		t.Fatalf("error %v, want one saying the simulator exited", err)
	}
}
