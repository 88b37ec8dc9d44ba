package panelui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/ui"
)

// TestEventsPagesCountsAndCharts: the pane's reads through the Panel's SQLite store:
// pages by (start, id) visit 2,100 events once in order, the count is the filter's
// whole, and every dashboard of the chooser draws.
func TestEventsPagesCountsAndCharts(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "events.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 2100 { // two at each second: ties on start
		if _, err := st.Insert(context.Background(), store.Event{Camera: "Gate", Kind: "motion", Start: now.Add(-time.Duration(i/2) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutHealth(context.Background(), []store.CameraStat{{Camera: "Gate", At: now.Add(-time.Hour), Up: 1, FPS: 10, Kbps: 800}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg, err := config.Parse([]byte(fmt.Sprintf("analytics: {database: %q}\n", db)))
	if err != nil {
		t.Fatal(err)
	}
	pn, err := panel.Open(cfg, panel.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer pn.Close()
	ev := Events{P: pn}
	f := ui.EventFilter{Since: now.Add(-time.Hour)}
	seen := map[int64]bool{}
	var prev *ui.EventRow
	for page := 0; page < 5; page++ {
		rows, err := ev.List(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if seen[r.ID] || prev != nil && (r.Start.After(prev.Start) || r.Start.Equal(prev.Start) && r.ID > prev.ID) {
				t.Fatalf("page %d row %d: event %d at %v after %+v (seen %v)", page, i, r.ID, r.Start, prev, seen[r.ID])
			}
			seen[r.ID] = true
			prev = &rows[i]
		}
		if len(rows) < ui.EventPage {
			break
		}
		f.Before = prev
	}
	if len(seen) != 2100 {
		t.Fatalf("%d events listed over the pages, want 2100", len(seen))
	}
	if n, err := ev.Count(f); err != nil || n != 2100 {
		t.Fatalf("count %d (%v), want 2100 with the cursor set", n, err)
	}
	for c := ui.ChartEventsPerHour; c <= ui.ChartBitrate; c++ {
		img, err := ev.Chart(ui.EventFilter{Since: now.Add(-24 * time.Hour), Chart: c}, 640, 320)
		if err != nil || img.Bounds() != image.Rect(0, 0, 640, 320) {
			t.Errorf("chart %d: %v", c, err)
		}
	}
	if _, err := ev.Chart(ui.EventFilter{Chart: ui.Chart(42)}, 640, 320); err == nil {
		t.Error("an unknown chart was drawn")
	}
}
