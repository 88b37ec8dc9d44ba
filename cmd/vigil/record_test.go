package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	s := ffprobeVideo(t, clips[0].Path)
	d := s.Duration
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

// The same for an RTSP H.264 camera given by URL: ffprobe reads H.264 of its size, about
// as long as the recording, and decodes every frame without error.
func TestRecordRTSPCamera(t *testing.T) {
	srv := rtspServer(t)
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	u := strings.Replace(srv.URL("cam"), "rtsp://", "rtsp://viewer:pw-42@", 1)
	if code, err := record(ctx, cfg, []string{u}, out, quiet, &stdout); code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	if strings.Contains(stdout.String(), "pw-42") {
		t.Fatal("the password was printed")
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 1 || clips[0].Camera != "127.0.0.1_cam" {
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

// probedVideo is what ffprobe (Debian's, the judge) reads of a file's one video stream.
type probedVideo struct {
	Codec         string
	Width, Height int
	Duration      float64 // seconds, of the container
	Frames        int     // frames decoded (-count_frames)
}

func (p probedVideo) String() string {
	return fmt.Sprintf("%s %dx%d, %d frames", p.Codec, p.Width, p.Height, p.Frames)
}

func ffprobeVideo(t *testing.T, path string) probedVideo {
	t.Helper()
	raw, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var probe struct {
		Streams []struct {
			Codec  string `json:"codec_name"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
			Frames string `json:"nb_read_frames"`
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
	n, _ := strconv.Atoi(s.Frames)
	return probedVideo{Codec: s.Codec, Width: s.Width, Height: s.Height, Duration: d, Frames: n}
}
