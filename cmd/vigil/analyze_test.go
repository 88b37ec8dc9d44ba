//go:build cgo

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/analytics/detect"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
)

// TestAnalyzeFileJSON: `vigil analyze FILE --json` of a clip made by ffmpeg in which a
// white block crosses a noisy scene from 2 s to 4 s prints that one event, with its
// offsets from the first frame, as one JSON object.
func TestAnalyzeFileJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dock.mp4")
	graph := "color=c=0x505a60:size=480x270:rate=10:duration=6,noise=alls=10:allf=t[bg];" +
		"color=c=white:size=40x110:rate=10[box];" +
		"[bg][box]overlay=x='30+150*(t-2)':y=90:enable='between(t,2,4)':shortest=1"
	if _, err := ffmpeg.Run("-f", "lavfi", "-i", graph, "-c:v", "libx264", "-pix_fmt", "yuv420p", path); errors.Is(err, ffmpeg.ErrNotInstalled) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	evs, out := analyzeJSON(t, path)
	if len(evs) != 1 {
		t.Fatalf("%d events: %s", len(evs), out)
	}
	e := evs[0]
	if e.Camera != "dock" || e.Kind != "motion" || e.Zone != "" || e.Score <= 0 || e.StartOffset == nil || e.EndOffset == nil {
		t.Fatalf("event %s", out)
	}
	if math.Abs(*e.StartOffset-2) > 0.5 || math.Abs(*e.EndOffset-4) > 0.5 {
		t.Errorf("offsets %.2f–%.2f s, the block crossed from 2 s to 4 s", *e.StartOffset, *e.EndOffset)
	}
	start, err1 := time.Parse(time.RFC3339Nano, e.Start)
	if e.End == nil {
		t.Fatalf("an ended event without end: %s", out)
	}
	end, err2 := time.Parse(time.RFC3339Nano, *e.End)
	if err1 != nil || err2 != nil || math.Abs(end.Sub(start).Seconds()-(*e.EndOffset-*e.StartOffset)) > 0.01 {
		t.Errorf("start %q end %q (%v %v)", e.Start, *e.End, err1, err2)
	}
}

// analyzeJSON runs `vigil analyze ARGS… --json` and reads its events.
func analyzeJSON(t *testing.T, args ...string) ([]analytics.EventJSON, string) {
	t.Helper()
	code, out, errOut := vigil(t, append(append([]string{"analyze"}, args...), "--json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var evs []analytics.EventJSON
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e analytics.EventJSON
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	return evs, out
}

// TestAnalyzeFileFace: `vigil analyze FILE --analyzers face --json` runs the wall's face
// detector (Debian's frontal-face cascade) on a clip in which gocv's sample portrait
// shows from 1 s to 3 s over a grey scene, and prints one face event there with its
// offsets; the same scene without the portrait gives none.
func TestAnalyzeFileFace(t *testing.T) {
	if _, err := detect.BuiltinPath("face"); err != nil {
		t.Skip(err) // opencv-data not installed
	}
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "gocv.io/x/gocv").Output()
	if err != nil {
		t.Skipf("gocv's module folder: %v", err)
	}
	portrait := filepath.Join(strings.TrimSpace(string(dir)), "images", "face.jpg")
	if _, err := os.Stat(portrait); err != nil {
		t.Skip(err)
	}
	scene := "color=c=0x505a60:size=480x270:rate=10:duration=4"
	face, empty := filepath.Join(t.TempDir(), "face.mp4"), filepath.Join(t.TempDir(), "empty.mp4")
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", scene, "-loop", "1", "-i", portrait, "-filter_complex",
			"[1]scale=360:270[p];[0][p]overlay=x=60:y=0:enable='between(t,1,3)':shortest=1", face},
		{"-f", "lavfi", "-i", scene, empty},
	} {
		args = append(args[:len(args)-1:len(args)-1], "-c:v", "libx264", "-pix_fmt", "yuv420p", args[len(args)-1])
		if _, err := ffmpeg.Run(args...); errors.Is(err, ffmpeg.ErrNotInstalled) {
			t.Skip(err)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	evs, out := analyzeJSON(t, face, "--analyzers", "face")
	if len(evs) != 1 {
		t.Fatalf("%d events: %s", len(evs), out)
	}
	e := evs[0]
	if e.Camera != "face" || e.Kind != "face" || e.Score <= 0 || e.StartOffset == nil || e.EndOffset == nil || e.End == nil {
		t.Fatalf("event %s", out)
	}
	t.Logf("face event %.2f–%.2f s into the clip, score %.2f", *e.StartOffset, *e.EndOffset, e.Score)
	if *e.StartOffset < 0.5 || *e.StartOffset > 2 || *e.EndOffset < 2 || *e.EndOffset > 3.5 {
		t.Errorf("offsets %.2f–%.2f s, the portrait showed from 1 s to 3 s", *e.StartOffset, *e.EndOffset)
	}
	if evs, out := analyzeJSON(t, empty, "--analyzers", "face"); len(evs) != 0 {
		t.Errorf("faces in the empty scene: %s", out)
	}
}

// TestAnalyzeFileModel: `vigil analyze FILE --analyzers NAME --config F` runs the model
// the settings name NAME (an in-test ONNX identity model that finds nothing) on a clip
// and exits 0 with no event (and at another size, whose output is not detections, fails
// saying so: the frames reached the model); an unknown name is refused with the names known, the
// settings' model among them; a model whose file is gone fails naming it and its path.
func TestAnalyzeFileModel(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "gate.mp4")
	if _, err := ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=320x180:rate=10:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip); errors.Is(err, ffmpeg.ErrNotInstalled) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.txt")
	os.WriteFile(labels, []byte("background\nperson\n"), 0o644)
	settings := func(model string, size int) string {
		p := filepath.Join(t.TempDir(), "settings.yaml")
		y := "analytics:\n  models:\n    - {name: ident, model: " + model + ", labels: " + labels + ", size: " + strconv.Itoa(size) + ", scale: 0.00392156862745098, mean: 255}\n"
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := settings(analyticstest.ONNXIdentity(t, 14), 14)
	if evs, out := analyzeJSON(t, clip, "--config", good, "--analyzers", "ident"); len(evs) != 0 {
		t.Errorf("a detection from a model that finds nothing: %s", out)
	}
	// The same model at a size whose output is not rows of 7: the frames reach it.
	odd := settings(analyticstest.ONNXIdentity(t, 16), 16)
	if code, _, errOut := vigil(t, "analyze", clip, "--config", odd, "--analyzers", "ident"); code != exitFailed || !strings.Contains(errOut, "SSD-style") {
		t.Errorf("a model whose output is not detections: exit %d: %s", code, errOut)
	}
	if code, _, errOut := vigil(t, "analyze", clip, "--config", good, "--analyzers", "identity"); code != exitUsage ||
		!strings.Contains(errOut, `unknown analyzer "identity"`) || !strings.Contains(errOut, "plate, ident") {
		t.Errorf("unknown model: exit %d: %s", code, errOut)
	}
	gone := filepath.Join(dir, "gone.onnx")
	if code, _, errOut := vigil(t, "analyze", clip, "--config", settings(gone, 14), "--analyzers", "ident"); code != exitFailed ||
		!strings.Contains(errOut, `model "ident"`) || !strings.Contains(errOut, gone) {
		t.Errorf("missing model: exit %d: %s", code, errOut)
	}
}

func TestAnalyzeUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the demo wall's settings, not the user's
	if code, _, errOut := vigil(t, "analyze", "x.mp4", "--analyzers", "teleport"); code != exitUsage || !strings.Contains(errOut, "unknown analyzer") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, _ := vigil(t, "analyze"); code != exitUsage {
		t.Errorf("no input: exit %d", code)
	}
}
