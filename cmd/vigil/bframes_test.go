package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/recorder"
)

// End to end, as a technician would: an RTSP camera sending B-frames (x264's and x265's
// defaults, as NVRs and MediaMTX relays do) probes with its size, and `vigil record` writes
// a file whose frames ffprobe lists in display order with B pictures among them, and that
// `ffmpeg -v error` decodes without a word.
func TestProbeAndRecordBFrameRTSP(t *testing.T) {
	for _, lp := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(lp); err != nil {
			t.Skipf("%s not installed (make test-deps installs it)", lp)
		}
	}
	h264, err := rtsptest.EncodeH264BFrames(320, 240, 15, 2)
	if err != nil {
		t.Fatal(err)
	}
	h265, err := rtsptest.EncodeH265BFrames(320, 240, 15, 2)
	if err != nil {
		t.Fatal(err)
	}
	srv := rtsptest.Start(t, rtsptest.Options{Streams: map[string]rtsptest.Stream{
		"h264b": {H264: h264.AUs, PTS: h264.PTS, FPS: 15},
		"h265b": {H265: h265.AUs, PTS: h265.PTS, FPS: 15},
	}})
	gst := rtsptest.StartGStreamer(t, "", "")
	for _, c := range []struct{ name, url, codec string }{
		{"rtsptest-h264", srv.URL("h264b"), "h264"},
		{"rtsptest-h265", srv.URL("h265b"), "hevc"},
		{"gstreamer-x264enc-bframes2", gst.URL("h264b"), "h264"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"probe", "--json", "--duration", "1s", c.url}, &stdout, &stderr); code != exitOK {
				t.Fatalf("probe: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
			}
			var r capture.ProbeReport
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || r.Width != 320 || r.Height != 240 {
				t.Fatalf("probe report %+v (%v)", r, err)
			}

			out := t.TempDir()
			stdout.Reset()
			stderr.Reset()
			if code := run([]string{"record", "--camera", c.url, "--duration", "6s", "--out", out}, &stdout, &stderr); code != exitOK {
				t.Fatalf("record: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
			}
			clips, err := recorder.List(out)
			if err != nil || len(clips) != 1 {
				t.Fatalf("clips %+v, %v\n%s", clips, err, stdout.String())
			}
			path := clips[0].Path
			if !strings.Contains(stdout.String(), path) {
				t.Errorf("record did not print the file it wrote: %s", stdout.String())
			}
			var probe struct {
				Streams []struct {
					Codec string `json:"codec_name"`
				} `json:"streams"`
				Frames []struct {
					PTS  *int64 `json:"pts"`
					Type string `json:"pict_type"`
				} `json:"frames"`
			}
			_, err = ffmpeg.ProbeJSON(path, &probe, "-select_streams", "v:0", "-show_entries", "stream=codec_name:frame=pts,pict_type")
			if err != nil || len(probe.Streams) != 1 || probe.Streams[0].Codec != c.codec {
				t.Fatalf("ffprobe %+v: %v", probe.Streams, err)
			}
			if len(probe.Frames) < 20 { // x264enc as it comes buffers ~40 frames of lookahead before its first
				t.Fatalf("%d frames in a 6 s recording at 15 fps", len(probe.Frames))
			}
			var types strings.Builder
			last := int64(-1 << 62)
			for i, f := range probe.Frames {
				if f.PTS == nil {
					t.Fatalf("frame %d has no pts", i)
				}
				if *f.PTS <= last {
					t.Fatalf("frame %d: pts %d after %d: display order runs backwards (%s…)", i, *f.PTS, last, types.String())
				}
				last = *f.PTS
				types.WriteString(f.Type)
			}
			if !strings.Contains(types.String(), "B") {
				t.Fatalf("no B pictures in the recording: %s", types.String())
			}
			msg, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
			if err != nil || len(bytes.TrimSpace(msg)) > 0 {
				t.Fatalf("ffmpeg -v error: %v\n%s", err, msg)
			}
			t.Logf("%s: %d frames %s, file %s", c.name, len(probe.Frames), strconv.Quote(types.String()[:min(40, types.Len())]), path)
		})
	}
}
