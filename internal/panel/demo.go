package panel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

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

// demoH264 encodes a demo camera's JPEG loop as H.264 access units (one key frame a
// second, no B-frames, as cameras send) with Debian's ffmpeg, once: the result is kept in
// the user's cache folder.
func demoH264(name string, loop [][]byte, w, h int, fps float64) ([][]byte, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "vigil", "demo", fmt.Sprintf("%s-%dx%d-%g.h264", strings.ReplaceAll(name, " ", "_"), w, h, fps))
	stream, err := os.ReadFile(path)
	if err != nil {
		ff, lerr := exec.LookPath("ffmpeg")
		if lerr != nil {
			return nil, fmt.Errorf("the demo RTSP cameras need ffmpeg to encode their video once (make run installs it): %w", lerr)
		}
		var in bytes.Buffer
		for _, f := range loop {
			in.Write(f)
		}
		gop := strconv.Itoa(max(int(fps+0.5), 1))
		cmd := exec.Command(ff, "-v", "error", "-f", "mjpeg", "-framerate", strconv.FormatFloat(fps, 'g', -1, 64), "-i", "-",
			"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
			"-g", gop, "-keyint_min", gop, "-bf", "0", "-b:v", "2M", "-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-")
		cmd.Stdin = &in
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if stream, err = cmd.Output(); err != nil {
			return nil, fmt.Errorf("encoding the demo video of %s with ffmpeg: %w: %s", name, err, strings.TrimSpace(errOut.String()))
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			tmp := path + ".tmp"
			if os.WriteFile(tmp, stream, 0o644) == nil {
				os.Rename(tmp, path)
			}
		}
	}
	return rtsptest.SplitAccessUnits(stream)
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
		aus, err := demoH264(name, loops[i], w, h, fps)
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
