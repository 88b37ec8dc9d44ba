package ui

import (
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/ui/uitest"
)

// TestEventsPanePagesOlder: of 2,500 events the pane lists the newest page with the
// total, "Older…" appends the next pages in order (ties of start broken by id, none
// listed twice) until every event is listed and it greys out; changing a filter starts
// again from the newest.
func TestEventsPanePagesOlder(t *testing.T) {
	test.NewTempApp(t)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.Local)
	var rows []EventRow
	for i := 2500; i >= 1; i-- { // newest first; every 4 share a start second
		rows = append(rows, EventRow{ID: int64(i), Camera: []string{"Gate", "Yard"}[i%2], Kind: "motion", Start: t0.Add(time.Duration(i/4) * time.Second)})
	}
	ev := &fakeEvents{rows: rows}
	q := &uiQueue{}
	v := newEventsView(ev, []string{"Gate", "Yard"}, t.TempDir(), q.Do)
	win := test.NewWindow(v.obj)
	win.Resize(fyne.NewSize(1000, 600))
	defer win.Close()
	q.PumpUntil(t, "the first page", func() bool { return len(v.rows) == EventPage })
	if want := "1000 of 2500 events listed (Older… lists the next 1000)"; !slices.Contains(uitest.Texts(win.Content()), want) || v.older.Disabled() {
		t.Fatalf("the pane says %q, Older… disabled %v", uitest.Texts(win.Content()), v.older.Disabled())
	}
	for page := 2; page <= 3; page++ {
		test.Tap(v.older)
		want := min(page*EventPage, 2500)
		q.PumpUntil(t, fmt.Sprintf("page %d", page), func() bool { return len(v.rows) == want })
	}
	for i, r := range v.rows {
		if r.ID != int64(2500-i) {
			t.Fatalf("row %d is event %d, want %d", i, r.ID, 2500-i)
		}
	}
	if !v.older.Disabled() || v.status.Text != "2500 events" {
		t.Errorf("all listed: Older… disabled %v, status %q", v.older.Disabled(), v.status.Text)
	}
	ev.mu.Lock()
	last := ev.filters[len(ev.filters)-1]
	ev.mu.Unlock()
	if last.Before == nil || last.Before.ID != 501 || last.Limit != EventPage {
		t.Errorf("the third page was asked before %+v, limit %d", last.Before, last.Limit)
	}
	v.camera.SetSelected("Yard")
	q.PumpUntil(t, "the Yard's first page", func() bool { return len(v.rows) == EventPage && v.rows[0].Camera == "Yard" })
	if v.rows[0].ID != 2499 || v.total != 1250 || v.older.Disabled() {
		t.Errorf("Yard: first %d, total %d, Older… disabled %v", v.rows[0].ID, v.total, v.older.Disabled())
	}
}

// TestDashboardChooser: the dashboard draws the chart and range chosen (of the pane's
// camera filter), shows it, and exports it as a PNG named after the chart.
func TestDashboardChooser(t *testing.T) {
	test.NewTempApp(t)
	ev := &fakeEvents{}
	q := &uiQueue{}
	dir := t.TempDir()
	v := newEventsView(ev, []string{"Gate", "Yard"}, dir, q.Do)
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return now }
	win := test.NewWindow(v.obj)
	win.Resize(fyne.NewSize(1000, 600))
	defer win.Close()
	v.camera.SetSelected("Gate")
	v.tabs.SelectIndex(1)
	shown := func(c Chart) func() bool {
		return func() bool {
			img := v.dash.chart.Image
			return img != nil && color.RGBAModel.Convert(img.At(5, 5)).(color.RGBA).R == 0x80+0x10*byte(c)
		}
	}
	q.PumpUntil(t, "events per hour", shown(ChartEventsPerHour))
	for _, tc := range []struct {
		chart, span string
		want        Chart
		d           time.Duration
		file        string
	}{
		{"Uptime per hour", "Last 7 days", ChartUptime, 7 * 24 * time.Hour, "uptime-"},
		{"Frames per second", "Last 30 days", ChartFPS, 30 * 24 * time.Hour, "fps-"},
		{"Bitrate", "Last hour", ChartBitrate, time.Hour, "bitrate-"},
		{"Events per hour", "Last 24 hours", ChartEventsPerHour, 24 * time.Hour, "events-per-hour-"},
		{"Detections by kind per day", "Last 30 days", ChartKindsPerDay, 30 * 24 * time.Hour, "detections-by-kind-"},
	} {
		v.dash.kind.SetSelected(tc.chart)
		v.dash.span.SetSelected(tc.span)
		// The chart of both choices is asked for and shown (the one of the chart
		// alone, asked first, may come back before it or after it, and is dropped).
		match := func(f EventFilter) bool {
			return f.Chart == tc.want && f.Since.Equal(now.Add(-tc.d)) && f.Camera == "Gate"
		}
		q.PumpUntil(t, tc.chart+" over "+tc.span, func() bool {
			ev.mu.Lock()
			defer ev.mu.Unlock()
			n := len(ev.charts)
			return shown(tc.want)() && v.dash.gen == n && slices.ContainsFunc(ev.charts[max(0, n-2):], match)
		})
		test.Tap(v.dash.export)
		files, _ := filepath.Glob(filepath.Join(dir, tc.file+"*.png"))
		if len(files) != 1 || !strings.Contains(v.status.Text, "Saved") {
			t.Errorf("%s exported %q, status %q", tc.chart, files, v.status.Text)
		}
		now = now.Add(time.Second) // a new file name
	}
}
