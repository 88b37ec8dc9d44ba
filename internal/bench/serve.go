package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"

	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// ServeOptions describe the RTSP cameras ServeRTSP simulates.
type ServeOptions struct {
	// Streams is the number of cameras (paths cam1…camN, all the same loop).
	Streams       int
	Width, Height int
	FPS           int
	// BitrateKbps is the H.264 bit rate. It defaults to 4000, a typical 1080p camera.
	BitrateKbps int
	// Seconds is the loop's length. It defaults to 4.
	Seconds int
	// UDP also offers RTP over UDP.
	UDP bool
}

// Limits on what ServeRTSP encodes: a loop, not a film.
const (
	maxServeStreams = 256
	maxServeSeconds = 30
)

// ServeRTSP serves o.Streams H.264 cameras from protocols/rtsp/rtsptest on 127.0.0.1,
// prints {"urls":[…]} as one line on out once they are up (what Options.Camsim's
// process must print), and serves until ctx is done. It is meant to run in its own
// process so its CPU is not counted as the pipeline's.
func ServeRTSP(ctx context.Context, o ServeOptions, out io.Writer) error {
	if o.Streams < 1 || o.Streams > maxServeStreams {
		return fmt.Errorf("bench: %d RTSP cameras; want 1 to %d", o.Streams, maxServeStreams)
	}
	aus, err := EncodeH264(o)
	if err != nil {
		return err
	}
	paths := map[string]rtsptest.Stream{}
	for i := 1; i <= o.Streams; i++ {
		paths["cam"+strconv.Itoa(i)] = rtsptest.Stream{H264: aus, FPS: float64(o.FPS)}
	}
	srv, err := rtsptest.New(rtsptest.Options{Streams: paths, UDP: o.UDP})
	if err != nil {
		return fmt.Errorf("bench: starting the RTSP cameras: %w", err)
	}
	defer srv.Close()
	urls := make([]string, o.Streams)
	for i := range urls {
		urls[i] = srv.URL("cam" + strconv.Itoa(i+1))
	}
	if err := json.NewEncoder(out).Encode(map[string]any{"urls": urls}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// EncodeH264 encodes o.Seconds of ffmpeg's moving testsrc2 pattern the way a camera
// sends it: libx264 high profile (CABAC), o.BitrateKbps constant-ish bit rate, an IDR
// every second (GOP = FPS), no B-frames, access unit delimiters. The result is cached
// by internal/ffmpeg (in memory and on disk, keyed by the arguments and ffmpeg's
// version), so ffmpeg runs once per setting.
func EncodeH264(o ServeOptions) ([][]byte, error) {
	if o.BitrateKbps <= 0 {
		o.BitrateKbps = 4000
	}
	if o.Seconds <= 0 {
		o.Seconds = 4
	}
	if o.Seconds > maxServeSeconds || o.FPS <= 0 || o.FPS > 60 || o.Width <= 0 || o.Height <= 0 ||
		o.Width%2 != 0 || o.Height%2 != 0 || o.Width*o.Height > 3840*2160 {
		return nil, fmt.Errorf("bench: cannot encode %dx%d at %d fps for %d s (even sizes up to 3840x2160, 1–60 fps, up to %d s)",
			o.Width, o.Height, o.FPS, o.Seconds, maxServeSeconds)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, errors.New("bench: ffmpeg is not installed; it encodes the RTSP cameras' loop (apt-get install ffmpeg)")
	}
	kb := strconv.Itoa(o.BitrateKbps) + "k"
	args := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", o.Width, o.Height, o.FPS),
		"-t", strconv.Itoa(o.Seconds), "-pix_fmt", "yuv420p",
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "high",
		"-b:v", kb, "-maxrate", kb, "-bufsize", kb,
		"-g", strconv.Itoa(o.FPS), "-keyint_min", strconv.Itoa(o.FPS), "-sc_threshold", "0", "-bf", "0",
		"-bsf:v", "h264_metadata=aud=insert", "-f", "h264", "-"}
	return ffmpeg.Cached("bench-h264", [][]string{args, {"rtsptest.SplitAccessUnits v2"}}, func() ([][]byte, error) {
		b, err := ffmpeg.Run(args...)
		if err != nil {
			return nil, fmt.Errorf("bench: encoding the H.264 loop: %w", err)
		}
		aus, err := rtsptest.SplitAccessUnits(b)
		if err != nil {
			return nil, fmt.Errorf("bench: splitting ffmpeg's H.264: %w", err)
		}
		if len(aus) == 0 {
			return nil, errors.New("bench: ffmpeg produced no H.264 access units")
		}
		return aus, nil
	})
}
