//go:build cgo

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
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
	code, out, errOut := vigil(t, "analyze", path, "--json")
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

func TestAnalyzeUsage(t *testing.T) {
	if code, _, errOut := vigil(t, "analyze", "x.mp4", "--analyzers", "teleport"); code != exitUsage || !strings.Contains(errOut, "unknown analyzer") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, _ := vigil(t, "analyze"); code != exitUsage {
		t.Errorf("no input: exit %d", code)
	}
}
