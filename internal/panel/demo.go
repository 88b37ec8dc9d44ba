package panel

import (
	"fmt"
	"os/exec"
	"strconv"

	assetsdemo "github.com/vigil-cctv/vigil/assets/demo"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// demoLoopSeconds is long enough that the moving cars and walkers do not visibly jump
// back every two seconds, short enough that 16 1080p cameras fit in memory.
const demoLoopSeconds = 3

// demoLoopOptions are the loop settings shared by the demo wall, camsim and demo:// URLs:
// TurboJPEG encodes (several times faster than image/jpeg), results cached on disk.
func demoLoopOptions(w, h int, fps float64) assetsdemo.LoopOptions {
	return assetsdemo.LoopOptions{Width: w, Height: h, FPS: fps, Seconds: demoLoopSeconds,
		Encode: jpegdec.Encode, EncoderID: "turbojpeg"}
}

// DemoLoop makes (or loads from the cache) one demo camera's loop.
func DemoLoop(name string, w, h int, fps float64) ([][]byte, error) {
	o := demoLoopOptions(w, h, fps)
	o.Name = name
	frames, err := assetsdemo.Loop(o)
	if err != nil {
		return nil, fmt.Errorf("making the demo pictures for %q: %w", name, err)
	}
	return frames, nil
}

// DemoLoops makes many cameras' loops in parallel.
func DemoLoops(names []string, w, h int, fps float64) ([][][]byte, error) {
	loops, err := assetsdemo.Loops(names, demoLoopOptions(w, h, fps))
	if err != nil {
		return nil, fmt.Errorf("making the demo pictures: %w", err)
	}
	return loops, nil
}

// QuietLoops makes the quiet demo cameras' loops: a still street and one person who
// walks through from assets/demo's QuietWalkFrom to QuietWalkTo of every
// QuietSeconds.
func QuietLoops(names []string, w, h int, fps float64) ([][][]byte, error) {
	if len(names) == 0 {
		return nil, nil
	}
	o := demoLoopOptions(w, h, fps)
	o.Seconds, o.Quiet = assetsdemo.QuietSeconds, true
	loops, err := assetsdemo.Loops(names, o)
	if err != nil {
		return nil, fmt.Errorf("making the quiet demo pictures: %w", err)
	}
	return loops, nil
}

// demoH264 encodes a demo camera's JPEG loop as H.264 access units (one key frame a
// second, no B-frames, as cameras send) with Debian's ffmpeg, once: rtsptest keeps the
// result in the one ffmpeg cache (internal/ffmpeg).
func demoH264(name string, loop [][]byte, fps float64) ([][]byte, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, fmt.Errorf("the demo RTSP cameras need ffmpeg to encode their video once (make run installs it): %w", err)
	}
	aus, err := rtsptest.EncodeLoopH264(loop, fps)
	if err != nil {
		return nil, fmt.Errorf("encoding the demo video of %s with ffmpeg: %w", name, err)
	}
	return aus, nil
}

// StartRTSPSim serves the named demo cameras as H.264 over RTSP on 127.0.0.1 (UDP and
// TCP), each at rtsp://…/<n>.
func StartRTSPSim(names []string, w, h int, fps float64) (*rtsptest.Server, error) {
	loops, err := DemoLoops(names, w, h, fps)
	if err != nil {
		return nil, err
	}
	streams := map[string]rtsptest.Stream{}
	for i, name := range names {
		aus, err := demoH264(name, loops[i], fps)
		if err != nil {
			return nil, err
		}
		streams[strconv.Itoa(i+1)] = rtsptest.Stream{H264: aus, FPS: fps}
	}
	return rtsptest.New(rtsptest.Options{Streams: streams, UDP: true})
}

// DemoNames names simulated MJPEG cameras "Demo 1", "Demo 2", …; the demo wall and
// camsim agree so a camera looks the same wherever it is served.
func DemoNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("Demo %d", i+1)
	}
	return names
}

// StartMJPEGSim serves n demo cameras over MJPEG on 127.0.0.1 (`vigil camsim`): streams,
// or single-JPEG snapshot endpoints.
func StartMJPEGSim(n, w, h int, fps float64, snapshot bool) (*mjpegtest.Server, error) {
	loops, err := DemoLoops(DemoNames(n), w, h, fps)
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
