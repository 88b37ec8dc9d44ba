package panel_test

import (
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// TestRecordOnMotion: a camera set to `record: motion` records while its analyzer sees
// the scripted passer-by, from before the motion (the pre-roll) to after it (the
// post-roll), into a file ffprobe reads; nothing is recorded while nothing moves.
func TestRecordOnMotion(t *testing.T) {
	needTool(t, "ffprobe")
	old := panel.PostRoll
	panel.PostRoll = 500 * time.Millisecond
	defer func() { panel.PostRoll = old }()
	// A 6 s loop at 10 fps: still for 3 s, then a 1.5 s walk.
	_, pn := yardPanel(t, analyticstest.Walk(60, 30, 45, 320, 180), "motion", "pre_roll_seconds: 1")
	defer pn.Close()
	var mu sync.Mutex
	var started, ended time.Time
	pn.OnMotion(func(camera string, on bool, _ string) {
		mu.Lock()
		defer mu.Unlock()
		if on && started.IsZero() {
			started = time.Now()
		} else if !on && ended.IsZero() {
			ended = time.Now()
		}
	})
	pn.StartAnalytics()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		done := !ended.IsZero() && time.Since(ended) > 2*time.Second
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if pn.RecordingStatus("Yard").Since.IsZero() == false {
		t.Error("still recording 2 s after the motion ended (post-roll 0.5 s)")
	}
	clips, err := pn.Recordings()
	if err != nil || len(clips) == 0 {
		t.Fatalf("no recording of the motion: %v", err)
	}
	c := clips[0]
	mu.Lock()
	s, e := started, ended
	mu.Unlock()
	t.Logf("motion %s–%s; clip from %s, %v long", s.Format("15:04:05.0"), e.Format("15:04:05.0"), c.Start.Format("15:04:05.0"), c.Duration)
	if c.Start.After(s) {
		t.Errorf("the clip starts at %v, after the motion was seen at %v: no pre-roll", c.Start, s)
	}
	if c.Duration < e.Sub(s) {
		t.Errorf("the clip is %v long, the motion lasted %v", c.Duration, e.Sub(s))
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", c.Path).Output()
	if err != nil || len(out) == 0 {
		t.Errorf("ffprobe: %v %s", err, out)
	}
}
