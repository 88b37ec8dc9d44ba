package panel_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestAnalyticsFollowTheSettings: a camera with `analyzers: [motion]` reports the
// scripted passer-by of its loop as motion starting and ending; a camera without
// analyzers reports nothing; removing the camera stops its analyzer.
func TestAnalyticsFollowTheSettings(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Cameras: 2, FPS: 10,
		Frames: analyticstest.Walk(40, 20, 35, 320, 180)})
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "events.db")
	cfg := useSettings(t, fmt.Sprintf("analytics: {database: %q}\ncameras:\n", db)+fmt.Sprintf(""+
		"  - {name: Yard, analyzers: [motion], streams: [{url: %q}]}\n"+
		"  - {name: Dock, streams: [{url: %q}]}\n", srv.CameraURL(1), srv.CameraURL(2)))
	pn := openPanel(t, cfg)
	var mu sync.Mutex
	var seen []string
	pn.OnMotion(func(camera string, on bool, label string) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s %v %q", camera, on, label))
		mu.Unlock()
	})
	pn.StartAnalytics()
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	got := append([]string(nil), seen...)
	mu.Unlock()
	if len(got) < 2 || got[0] != `Yard true ""` || got[1] != `Yard false ""` {
		t.Fatalf("motion reported: %q", got)
	}
	// The event is kept, with its snapshot, in the settings' event store.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var kept []store.Event
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if kept, err = st.Query(context.Background(), store.Filter{Camera: "Yard"}); err == nil && len(kept) > 0 && !kept[len(kept)-1].Open() {
			break
		}
	}
	if len(kept) == 0 || kept[len(kept)-1].Open() || kept[len(kept)-1].Kind != "motion" || kept[len(kept)-1].SnapshotBytes == 0 {
		t.Fatalf("the event store holds %+v (%v)", kept, err)
	}
	if err := pn.RemoveCamera("Yard"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := len(seen)
	mu.Unlock()
	time.Sleep(5 * time.Second) // more than a loop: a running analyzer would report again
	mu.Lock()
	defer mu.Unlock()
	if len(seen) > n+1 { // an event open at the removal may end once
		t.Errorf("motion reported after the camera was removed: %q", seen[n:])
	}
}
