//go:build cgo

package cvcap

import (
	"bytes"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/capturetest"
)

// video makes a 2 s, 10 fps, 320×240 H.264 file with ffmpeg (Debian's), the kind of file
// a technician pushes.
func video(t *testing.T) string {
	t.Helper()
	return capturetest.FFmpegFile(t, "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p")
}

func TestFileFramesAtTheFilesRate(t *testing.T) {
	c, err := Open("file:"+video(t), Options{FPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t0 := time.Now()
	var frames [][]byte
	var last time.Time
	for {
		b, at, err := c.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !at.After(last) {
			t.Fatalf("frame %d taken at %v, not after %v", len(frames), at, last)
		}
		last = at
		frames = append(frames, b)
	}
	took := time.Since(t0)
	if len(frames) != 20 {
		t.Fatalf("%d frames from a 2 s 10 fps file, want 20", len(frames))
	}
	if took < 350*time.Millisecond {
		t.Errorf("20 frames at 50 fps took %v: not paced", took)
	}
	img, err := jpeg.Decode(bytes.NewReader(frames[0]))
	if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
		t.Fatalf("first frame: %v %v", img.Bounds(), err)
	}
	if bytes.Equal(frames[0], frames[10]) {
		t.Error("frames 0 and 10 of a moving test picture are the same")
	}
}

func TestFileScaledLoopedQuality(t *testing.T) {
	path := video(t)
	c, err := Open("file:"+path, Options{FPS: 100, Width: 160, Loop: true, Quality: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var small []byte
	for i := range 45 { // more than the file holds
		b, _, err := c.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		small = b
	}
	img, err := jpeg.Decode(bytes.NewReader(small))
	if err != nil || img.Bounds().Dx() != 160 || img.Bounds().Dy() != 120 {
		t.Fatalf("scaled frame: %v %v", img.Bounds(), err)
	}
	hq, err := Open("file:"+path, Options{FPS: 100, Width: 160, Quality: 95})
	if err != nil {
		t.Fatal(err)
	}
	defer hq.Close()
	b, _, err := hq.Next()
	if err != nil || len(b) <= len(small) {
		t.Errorf("quality 95 gives %d bytes, quality 30 %d (%v)", len(b), len(small), err)
	}
}

func TestOpenErrorsSayWhatToDo(t *testing.T) {
	notVideo := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notVideo, []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]string{
		"camera:0":                "want webcam:N or file:PATH",
		"webcam:x":                "device number",
		"file:":                   "want webcam:N or file:PATH",
		"file:/nonexistent/a.mp4": "no such file",
		"file:" + notVideo:        "could not open",
		"webcam:63":               "ls /dev/video",
	} {
		c, err := Open(spec, Options{})
		if err == nil {
			c.Close()
			t.Errorf("%s opened", spec)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q in it", spec, err, want)
		}
	}
	if _, err := Open("file:"+notVideo, Options{Quality: 101}); err == nil || !strings.Contains(err.Error(), "quality") {
		t.Errorf("quality 101: %v", err)
	}
}
