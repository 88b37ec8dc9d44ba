package panel_test

import (
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/fmp4file/fmp4filetest"
)

// A camera's own recording is listed for its day and reviewed from a time through the
// file protocol and the real decoders: the first picture shown is the one recorded then.
func TestReviewACameraRecording(t *testing.T) {
	if _, err := ffmpeg.Version(); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	root := t.TempDir()
	pkts, err := fmp4filetest.Units("jpeg", 320, 240, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Truncate(time.Second)
	if err := fmp4filetest.Record(root, "Gate", pkts, t0); err != nil {
		t.Fatal(err)
	}
	pn := openPanelWith(t, &config.Config{Wall: config.Wall{Layout: "auto"}, Recording: config.Recording{Root: root}}, panel.Options{Record: true})
	clips, err := pn.Recorded("Gate", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || len(clips) != 1 || !clips[0].Start.Equal(t0) || clips[0].Duration < 2*time.Second {
		t.Fatalf("recorded: %+v, %v", clips, err)
	}
	if other, _ := pn.Recorded("Dock", t0.Add(-time.Hour), t0.Add(time.Hour)); len(other) != 0 {
		t.Fatalf("another camera's list: %+v", other)
	}
	goal := t0.Add(1250 * time.Millisecond)
	st, ctl, err := pn.Review("Gate", goal)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctl.Pause()
	sub := st.Watch(0, 0)
	defer sub.Close()
	want := t0.Add(1200 * time.Millisecond) // 0.2 s lead, then a picture every 100 ms
	deadline := time.Now().Add(10 * time.Second)
	for {
		if f := sub.Take(); f != nil {
			at := f.SourceTime
			f.Release()
			if !at.IsZero() {
				if !at.Equal(want) {
					t.Fatalf("reviewing from %v shows %v, want %v", goal.Sub(t0), at.Sub(t0), want.Sub(t0))
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no picture")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !ctl.Paused() {
		t.Error("the review is not paused")
	}
}
