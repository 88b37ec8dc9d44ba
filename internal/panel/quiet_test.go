package panel_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/store"
	assetsdemo "github.com/vigil-cctv/vigil/assets/demo"
)

// quietSecond is a script time as a duration.
func quietSecond(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// TestQuietDemoCameraScript: the panel serves "Quiet 1" among the demo cameras with
// motion analysis on though no camera lists it, and the person who walks through its
// loop is one motion event in the event store, starting and ending within 0.5 s of the
// script (from the loop's first frame, as the camera sent it).
func TestQuietDemoCameraScript(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "events.db")
	cfg := useSettings(t, fmt.Sprintf("analytics: {database: %q}\ndemo: {quiet: 1, size: 320x180, fps: 10}\n", db))
	if got := cfg.Demo.CameraNames(); len(got) != 1 || got[0] != "Quiet 1" {
		t.Fatalf("demo cameras %q", got)
	}
	pn := openPanel(t, cfg)
	st := streamNamed(pn, "Quiet 1")
	if st == nil {
		t.Fatal("no Quiet 1 on the demo wall")
	}
	// The loop starts with the connection: its first frame is the script's 0 s.
	sub, release := st.Subscribe("test", 4)
	defer release()
	var t0 time.Time
	select {
	case p := <-sub.C():
		t0 = p.SourceTime
		if t0.IsZero() {
			t0 = p.ReceiveTime
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no frame from Quiet 1")
	}
	stop := make(chan struct{})
	drained := make(chan struct{})
	go func() { // keep the connection (and so the loop's start) while the test runs
		defer close(drained)
		for {
			select {
			case <-sub.C():
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-drained }()
	pn.StartAnalytics()

	var evs []store.Event
	var err error
	deadline := time.Now().Add(40 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		evs, err = pn.Events(context.Background(), store.Filter{Camera: "Quiet 1"})
		if err == nil && len(evs) > 0 && !evs[len(evs)-1].Open() {
			break
		}
	}
	if len(evs) != 1 || evs[0].Open() || evs[0].Kind != store.KindMotion {
		t.Fatalf("events of Quiet 1: %+v (%v)", evs, err)
	}
	startErr := evs[0].Start.Sub(t0) - quietSecond(assetsdemo.QuietWalkFrom)
	endErr := evs[0].End.Sub(t0) - quietSecond(assetsdemo.QuietWalkTo)
	t.Logf("Quiet 1 over MJPEG: motion from %.2f s to %.2f s of the loop; script %v–%v s; error start %+.2f s, end %+.2f s",
		evs[0].Start.Sub(t0).Seconds(), evs[0].End.Sub(t0).Seconds(), assetsdemo.QuietWalkFrom, assetsdemo.QuietWalkTo, startErr.Seconds(), endErr.Seconds())
	if startErr.Abs() > 500*time.Millisecond || endErr.Abs() > 500*time.Millisecond {
		t.Errorf("the event is off the script by %v at its start and %v at its end", startErr, endErr)
	}
}

// quietEvents runs the motion analyzer over a quiet loop's frames, played loops times
// at its frame rate on a simulated clock, and returns the events that ended.
func quietEvents(t *testing.T, frames [][]byte, fps float64, loops int, t0 time.Time) []analytics.Event {
	t.Helper()
	var ended []analytics.Event
	m, err := analytics.NewMotion("Quiet", analytics.MotionOptions{}, analytics.SinkFunc(func(e analytics.Event) {
		if e.Ended() {
			ended = append(ended, e)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	var l analytics.Luma
	var rgba *image.RGBA
	n := 0
	for range loops {
		for _, b := range frames {
			img, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if rgba == nil {
				rgba = image.NewRGBA(img.Bounds())
			}
			draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
			analytics.LumaOf(&l, rgba, t0.Add(time.Duration(float64(n)*float64(time.Second)/fps)))
			if err := m.Frame(l); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	m.Flush()
	return ended
}

// TestQuietSceneScriptAndStill: played on a simulated clock, the quiet loop gives one
// motion event a loop, within 0.5 s of the script; the same still scene without its
// walker, sensor noise and all, gives none over two 30 s loops.
func TestQuietSceneScriptAndStill(t *testing.T) {
	const fps = 10
	o := assetsdemo.LoopOptions{Name: "Quiet 1", Width: 320, Height: 180, FPS: fps, Seconds: assetsdemo.QuietSeconds, Quiet: true, NoCache: true}
	frames, err := assetsdemo.Loop(o)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	loop := quietSecond(assetsdemo.QuietSeconds)
	evs := quietEvents(t, frames, fps, 1, t0)
	if len(evs) != 1 {
		t.Fatalf("the loop gave %d events: %+v", len(evs), evs)
	}
	var worst time.Duration
	for i, e := range evs {
		base := t0.Add(time.Duration(i) * loop)
		se := e.Start.Sub(base) - quietSecond(assetsdemo.QuietWalkFrom)
		ee := e.End.Sub(base) - quietSecond(assetsdemo.QuietWalkTo)
		worst = max(worst, se.Abs(), ee.Abs())
		t.Logf("loop %d: motion %.2f–%.2f s, error start %+.2f s, end %+.2f s", i+1, e.Start.Sub(base).Seconds(), e.End.Sub(base).Seconds(), se.Seconds(), ee.Seconds())
	}
	if worst > 500*time.Millisecond {
		t.Errorf("the events are up to %v off the script", worst)
	}

	// The still scene: the quiet loop's first seconds, before the walker, played on.
	still := frames[:int(math.Floor(assetsdemo.QuietWalkFrom*fps))-1]
	reps := int(math.Ceil(2 * assetsdemo.QuietSeconds * fps / float64(len(still))))
	if evs := quietEvents(t, still, fps, reps, t0); len(evs) != 0 {
		t.Errorf("the still scene gave %d events: %+v", len(evs), evs)
	}
	watched := time.Duration(reps*len(still)) * time.Second / fps
	t.Logf("still scene with sensor noise: 0 events in %v (false events per hour: 0, i.e. < %.0f at one event)", watched, time.Hour.Seconds()/watched.Seconds())
}
