package panel_test

import (
	"context"
	"fmt"
	"image"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestHealthSamplerRecordsUpAndDown: a camera watched as a tile watches it is recorded up
// with its fps and bitrate; once its server goes down it is recorded down, and up again
// when it returns; the uptime and fps dashboards draw from those rows.
func TestHealthSamplerRecordsUpAndDown(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Cameras: 1, FPS: 10})
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "events.db")
	cfg := useSettings(t, fmt.Sprintf("analytics: {database: %q}\ncameras:\n  - {name: Yard, streams: [{url: %q}]}\n", db, srv.CameraURL(1)))
	pn := openPanel(t, cfg)
	pn.SetHealthPeriods(100*time.Millisecond, 500*time.Millisecond)
	pn.StartAnalytics()
	sub := pn.Streams()[0].Watch(0, 0) // as the camera's tile does
	defer sub.Close()

	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now().Add(-time.Minute)
	// waitFor polls the camera's rows until one written after from passes ok.
	waitFor := func(what string, from time.Time, ok func(store.CameraStat) bool) store.CameraStat {
		t.Helper()
		var rows []store.CameraStat
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			rows, err = st.Health(context.Background(), "Yard", start, time.Now().Add(time.Minute), store.MaxHealthPoints)
			for _, r := range rows {
				if !r.At.Before(from) && ok(r) {
					return r
				}
			}
		}
		t.Fatalf("no row of %s: %+v (%v)", what, rows, err)
		return store.CameraStat{}
	}
	up := waitFor("the camera up", start, func(r store.CameraStat) bool { return r.Up == 1 && r.FPS > 5 && r.Kbps > 0 })
	t.Logf("up: %+v", up)

	srv.Down()
	// Down at once; its received fps falls to 0 once the rate's window of a few
	// seconds has passed.
	down := waitFor("the camera down", time.Now(), func(r store.CameraStat) bool { return r.Up == 0 && r.FPS < 0.5 && r.Kbps < 1 })
	t.Logf("down: %+v", down)
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	back := waitFor("the camera back", time.Now(), func(r store.CameraStat) bool { return r.Up == 1 && r.FPS > 5 })
	t.Logf("back: %+v", back)

	for _, c := range []panel.Chart{panel.ChartUptime, panel.ChartFPS, panel.ChartBitrate, panel.ChartKindsPerDay, panel.ChartEventsPerHour} {
		img, err := pn.Chart(context.Background(), c, "", "", time.Now().Add(-time.Hour), time.Now(), 640, 320)
		if err != nil || img.Bounds() != image.Rect(0, 0, 640, 320) {
			t.Errorf("chart %d: %v %v", c, img, err)
		}
	}
	if _, err := pn.Chart(context.Background(), panel.Chart(99), "", "", time.Now().Add(-time.Hour), time.Now(), 640, 320); err == nil {
		t.Error("an unknown chart was drawn")
	}
}
