package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture/avdec"
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
	if os.Getenv("BENCH_TEST_RTSP") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := ServeRTSP(ctx, ServeOptions{Streams: 1, Width: 320, Height: 180, FPS: 15, BitrateKbps: 500, Seconds: 2}, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
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

// TestRunRTSP runs the RTSP mode on one small H.264 camera served by a re-executed test
// binary. It waits for gortsplib's first RTCP sender report (10 s) so latency is measured.
func TestRunRTSP(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed: it encodes the camera loop (apt-get install ffmpeg)")
	}
	if testing.Short() {
		t.Skip("waits about 12 s for the first RTCP sender report")
	}
	t.Setenv("BENCH_TEST_RTSP", "1")
	o := Options{
		Streams: 1, Width: 320, Height: 180, FPS: 15, TileW: 160, TileH: 90,
		Duration: 2 * time.Second, Warmup: time.Second, VsFFmpeg: true, FFmpegParallel: 1,
		Camsim: []string{os.Args[0], "-test.run=^$"},
		RTSP:   true, Decoders: avdec.NewFrameDecoder,
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.Codec != "h264" || r.Transport != "tcp" {
		t.Errorf("codec %q transport %q, want h264 over tcp", r.Codec, r.Transport)
	}
	if r.Frames <= 0 || r.FPSPerStream <= 0 || r.CPUMsPerFrame <= 0 || r.RSSMB <= 0 || r.FrameKB <= 0 || r.BitrateMbps <= 0 {
		t.Errorf("pipeline phase: %+v", r)
	}
	if r.LatencyP50Ms <= 0 || r.LatencyP99Ms < r.LatencyP50Ms {
		t.Errorf("latency p50 %v p99 %v", r.LatencyP50Ms, r.LatencyP99Ms)
	}
	if r.FFmpegFrames <= 0 || r.FFmpegCPUMsPerFrame <= 0 || r.CPURatio <= 0 {
		t.Errorf("ffmpeg phase: %+v", r)
	}
	if r.FloorMsPerFrame != 0 {
		t.Errorf("floor phase ran in RTSP mode: %+v", r)
	}
}

func TestRunRTSPNeedsDecoders(t *testing.T) {
	_, err := Run(context.Background(), Options{Streams: 1, RTSP: true, Camsim: []string{"/bin/false"}})
	if err == nil || !strings.Contains(err.Error(), "Decoders") {
		t.Fatalf("error %v, want one asking for Decoders", err)
	}
}

func TestProcCPU(t *testing.T) {
	if _, ok := procCPU(os.Getpid()); !ok {
		t.Skip("no /proc")
	}
	if _, ok := procCPU(-1); ok {
		t.Error("procCPU(-1) succeeded")
	}
}
