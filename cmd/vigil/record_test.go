package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/config"
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
	code, err := record(ctx, cfg, []string{name}, out, quiet, &stdout)
	if code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	if !strings.Contains(stdout.String(), name+": 1 file(s)") {
		t.Fatalf("summary:\n%s", stdout.String())
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 1 {
		t.Fatalf("clips %+v, %v", clips, err)
	}
	raw, err := exec.Command("ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", clips[0].Path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var probe struct {
		Streams []struct {
			Codec  string `json:"codec_name"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil || len(probe.Streams) != 1 {
		t.Fatalf("ffprobe output %s: %v", raw, err)
	}
	s := probe.Streams[0]
	d, _ := strconv.ParseFloat(probe.Format.Duration, 64)
	if s.Codec != "mjpeg" || s.Width != 320 || s.Height != 180 || d < 1.5 || d > 3.5 {
		t.Fatalf("ffprobe: %+v, duration %.2f s; want mjpeg 320x180, about 3 s (less the connection time)", s, d)
	}

	// A URL camera is named after its host and path; an unknown name is refused.
	if got := urlCameraName("rtsp://user:pw@10.0.0.5:554/Streaming/Channels/101"); got != "10.0.0.5_Streaming_Channels_101" {
		t.Fatalf("URL camera name %q", got)
	}
	if code, err := record(context.Background(), cfg, []string{"Nowhere"}, out, quiet, &stdout); code != exitUsage || err == nil {
		t.Fatalf("unknown camera: %d %v", code, err)
	}
}
