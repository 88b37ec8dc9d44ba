package panel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestMotionSearch: a camera analysed and recorded while a scripted passer-by crosses
// the lower middle of its picture: searching that region finds the walks, each inside
// the recording; searching the sky finds nothing.
func TestMotionSearch(t *testing.T) {
	cfg, t0 := recordWalks(t)

	pn := openPanelWith(t, cfg, panel.Options{Record: true})
	ctx := context.Background()
	hits, err := pn.MotionSearch(ctx, "Yard", store.Region{X0: 0.2, Y0: 0.4, X1: 0.6, Y1: 0.8}, t0.Add(-time.Minute), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) < 2 {
		t.Fatalf("%d moments found for at least two walks: %+v", len(hits), hits)
	}
	for _, h := range hits {
		t.Logf("moved %s–%s (%.1f s into %s)", h.Start.Format("15:04:05.0"), h.End.Format("15:04:05.0"), h.Offset.Seconds(), h.Path)
		if h.Path == "" || h.End.Sub(h.Start) > 3*time.Second {
			t.Errorf("a coarse or overlong hit %+v: the recording covers the walks", h)
		}
	}
	if hits, err := pn.MotionSearch(ctx, "Yard", store.Region{X0: 0, Y0: 0, X1: 1, Y1: 0.15}, t0.Add(-time.Minute), time.Now()); err != nil || len(hits) != 0 {
		t.Errorf("motion in the sky: %+v %v", hits, err)
	}
	if _, err := pn.MotionSearch(ctx, "Yard", store.Region{X0: 0.5, Y0: 0, X1: 0.2, Y1: 1}, t0, time.Now()); err == nil {
		t.Error("a region with its right before its left was searched")
	}
}

// yardPanel opens a recording Panel whose one camera, Yard, is an MJPEG camera playing
// frames at 10 fps (served until the test ends), analysed for motion into an event store
// and recorded as record says ("motion", "continuous"), with recording settings more
// ("pre_roll_seconds: 1"), all in a temporary folder. The caller closes the Panel.
func yardPanel(t *testing.T, frames [][]byte, record, more string) (*config.Config, *panel.Panel) {
	t.Helper()
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 10, Frames: frames})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if more != "" {
		more = ", " + more
	}
	cfg := useSettings(t, fmt.Sprintf("analytics: {database: %q}\nrecording: {root: %q%s}\ncameras:\n"+
		"  - {name: Yard, record: %s, analyzers: [motion], streams: [{url: %q}]}\n", dir+"/events.db", dir, more, record, srv.URL()))
	pn, err := panel.Open(cfg, panel.Options{Logger: quiet, Record: true})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, pn
}

// recordWalks records and analyses a camera, Yard, for 10 s while a scripted passer-by
// crosses the lower middle of its 320×180 picture: a 4 s loop at 10 fps, still for 2 s,
// then a 1.5 s walk across x 0.1–0.75, y 0.33–0.83. It returns the settings (their
// recording root and event store now hold the walks; the camera's server keeps serving
// until the test ends) and when the loop started (its first frame, as received).
func recordWalks(t *testing.T) (*config.Config, time.Time) {
	t.Helper()
	needTool(t, "ffmpeg")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg, pn := yardPanel(t, analyticstest.Walk(40, 20, 35, 320, 180), "continuous", "")
	defer pn.Close() // the minute's motion map and the recording are kept
	// The loop starts with the connection: its first frame is the script's 0 s.
	sub, release := streamNamed(pn, "Yard").Subscribe("test", 4)
	defer release()
	var t0 time.Time
	select {
	case p := <-sub.C():
		t0 = p.ReceiveTime
	case <-time.After(30 * time.Second):
		t.Fatal("no frame from Yard")
	}
	pn.StartContinuous()
	pn.StartAnalytics()
	for end := time.After(10 * time.Second); ; { // two walks or more
		select {
		case <-sub.C():
			continue
		case <-end:
		}
		return cfg, t0
	}
}
