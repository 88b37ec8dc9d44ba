package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// fakeEvents is an event store of three events; it records the filters asked.
type fakeEvents struct {
	mu      sync.Mutex
	filters []EventFilter
	charts  []EventFilter
	snap    []byte
	rows    []EventRow // when set, the events listed instead of the three (newest first)
}

// matching is the events of the filter, newest first, its Limit and Before aside.
func (f *fakeEvents) matching(flt EventFilter) []EventRow {
	t0 := time.Date(2026, 12, 1, 22, 0, 0, 0, time.Local)
	rows := []EventRow{
		{ID: 3, Camera: "Gate", Kind: "person", Start: t0.Add(2 * time.Minute), End: t0.Add(2*time.Minute + 4*time.Second), Peak: 1, HasSnapshot: true},
		{ID: 2, Camera: "Yard", Kind: "motion", Zone: "door", Start: t0.Add(time.Minute), Peak: 0.12},
		{ID: 1, Camera: "Gate", Kind: "motion", Start: t0, End: t0.Add(3 * time.Second), Peak: 0.3},
	}
	if f.rows != nil {
		rows = f.rows
	}
	var out []EventRow
	for _, r := range rows {
		if (flt.Camera == "" || r.Camera == flt.Camera) && (flt.Kind == "" || r.Kind == flt.Kind) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeEvents) List(flt EventFilter) ([]EventRow, error) {
	f.mu.Lock()
	f.filters = append(f.filters, flt)
	f.mu.Unlock()
	var out []EventRow
	for _, r := range f.matching(flt) {
		if b := flt.Before; b != nil && !(r.Start.Before(b.Start) || r.Start.Equal(b.Start) && r.ID < b.ID) {
			continue
		}
		if len(out) == flt.Limit {
			break
		}
		out = append(out, r)
	}
	return out, nil
}

func (f *fakeEvents) Count(flt EventFilter) (int, error) { return len(f.matching(flt)), nil }

func (f *fakeEvents) Snapshot(id int64) ([]byte, error) { return f.snap, nil }

// Chart is a grey picture, brighter for each later chart kind.
func (f *fakeEvents) Chart(flt EventFilter, w, h int) (image.Image, error) {
	f.mu.Lock()
	f.charts = append(f.charts, flt)
	f.mu.Unlock()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0x80 + 0x10*byte(flt.Chart)
	}
	return img, nil
}

// TestEventsPane: the pane lists the events newest first with camera, kind, zone and
// length; filtering by camera narrows the list; selecting an event shows its picture;
// the dashboard shows the chart and exports it as a PNG.
func TestEventsPane(t *testing.T) {
	test.NewTempApp(t)
	pic := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for i := range pic.Pix {
		pic.Pix[i] = 200
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, pic, nil)
	ev := &fakeEvents{snap: jb.Bytes()}
	q := &uiQueue{}
	dir := t.TempDir()
	v := newEventsView(ev, []string{"Gate", "Yard"}, dir, q.Do)
	win := test.NewWindow(v.obj)
	win.Resize(fyne.NewSize(1000, 600))
	defer win.Close()
	q.PumpUntil(t, "the events", func() bool { return len(v.rows) == 3 })
	if got := eventLine(v.rows[0]); !strings.Contains(got, "Gate  person  -  4s  100.0%") {
		t.Errorf("first row %q", got)
	}
	if got := eventLine(v.rows[1]); !strings.Contains(got, "Yard  motion  door  ongoing") {
		t.Errorf("an open event reads %q", got)
	}
	if !slices.Contains(uitest.Texts(win.Content()), "3 events") {
		t.Errorf("the pane says %q", uitest.Texts(win.Content()))
	}
	v.camera.SetSelected("Yard")
	q.PumpUntil(t, "the Yard's events", func() bool { return len(v.rows) == 1 && v.rows[0].Camera == "Yard" })
	v.camera.SetSelected("All cameras")
	q.PumpUntil(t, "every event", func() bool { return len(v.rows) == 3 })
	v.list.Select(0)
	q.PumpUntil(t, "the event's picture", func() bool { return v.snap.Image != nil })
	if c := color.RGBAModel.Convert(v.snap.Image.At(10, 10)).(color.RGBA); c.R < 180 {
		t.Errorf("the picture shown is not the snapshot: %v", c)
	}
	ev.mu.Lock()
	since := ev.filters[len(ev.filters)-1].Since
	ev.mu.Unlock()
	if d := time.Since(since); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("the default period starts %v ago, want 24 h", d)
	}
	v.tabs.SelectIndex(1)
	q.PumpUntil(t, "the dashboard", func() bool { return v.dash.chart.Image != nil })
	v.exportChart()
	files, _ := filepath.Glob(filepath.Join(dir, "events-per-hour-*.png"))
	if len(files) != 1 {
		t.Fatalf("exported %q", files)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Size() < 100 {
		t.Errorf("the PNG: %v %v", st, err)
	}
}

// TestEventPlayFromHere: "Play from here" on an event of a camera with recordings (real
// fMP4 files the recorder wrote) opens the player at the event's start minus the lead;
// on a camera without recordings that has Milestone playback it plays on the tile from
// that time; on one with neither it says there is no recording of that moment.
func TestEventPlayFromHere(t *testing.T) {
	root, starts, _ := recordedCam(t, 12, 0)
	t0 := starts[0]
	start := t0.Add(8 * time.Second)
	ev := &fakeEvents{rows: []EventRow{
		{ID: 3, Camera: "cam", Kind: "motion", Start: start, End: start.Add(2 * time.Second)},
		{ID: 2, Camera: "Milestone 1", Kind: "motion", Start: start},
		{ID: 1, Camera: "Elsewhere", Kind: "motion", Start: start, End: start.Add(time.Second)},
	}}
	q := &uiQueue{}
	v := newEventsView(ev, []string{"cam", "Milestone 1", "Elsewhere"}, t.TempDir(), q.Do)
	v.now = func() time.Time { return t0.Add(time.Minute) }
	var tile []string
	v.jump = eventJump{review: &fileReview{root: root, dec: &testDecoders{}},
		canPlay: func(c string) bool { return c == "Milestone 1" },
		playOnTile: func(c string, from time.Time) error {
			tile = append(tile, fmt.Sprintf("%s@%v", c, from.Sub(start)))
			return nil
		}}
	win := test.NewWindow(v.obj)
	win.Resize(fyne.NewSize(1000, 600))
	defer win.Close()
	q.PumpUntil(t, "the events", func() bool { return len(v.rows) == 3 })
	if !v.playB.Disabled() {
		t.Error("Play from here is enabled with no event selected")
	}

	// A camera with recordings: the player opens at the event's start minus the lead.
	v.list.Select(0)
	test.Tap(v.playB)
	q.PumpUntil(t, "the player", func() bool { return v.player != nil && !v.player.shown.IsZero() })
	p := v.player
	defer p.close(false)
	from := start.Add(-eventLead)
	if d := p.shown.Sub(from); d < -time.Second/playerFPS || d > 300*time.Millisecond {
		t.Errorf("the player shows %v, want %v (off by %v)", p.shown, from, d)
	}
	t.Logf("event at %v: the player's first picture is %v from its start minus %v", start.Format(time.TimeOnly), p.shown.Sub(from), eventLead)
	if !strings.Contains(v.status.Text, "Playing cam's recording from") {
		t.Errorf("status %q", v.status.Text)
	}
	var titled bool
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		titled = titled || w.Title() == "Vigil — cam — recordings"
	}
	if !titled {
		t.Error("no player window")
	}

	// A Milestone camera without local recordings: playback on its tile from that time.
	v.list.Select(1)
	test.Tap(v.playB)
	q.PumpUntil(t, "the tile's playback", func() bool { return len(tile) == 1 })
	if tile[0] != "Milestone 1@-5s" {
		t.Errorf("played on the tile %q", tile)
	}

	// Neither: it says so, and what to do.
	v.list.Select(2)
	test.Tap(v.playB)
	q.PumpUntil(t, "the answer", func() bool { return strings.HasPrefix(v.status.Text, "There is no recording of Elsewhere") })
	if !strings.Contains(v.status.Text, "Record") || len(tile) != 1 {
		t.Errorf("status %q, tile %q", v.status.Text, tile)
	}
}

// TestEventJumpPlaysOnTheTile: the wall's half of Play from here for a Milestone camera:
// the camera's tile plays back from the event's time at 1× and is selected; a camera not
// on the wall is an error that says so.
func TestEventJumpPlaysOnTheTile(t *testing.T) {
	at := time.Date(2026, 11, 21, 14, 3, 0, 0, time.Local)
	var asked []string
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		o.Playback = testPlayback{can: func(name string) bool { return name == "Cam 2" },
			play: func(name string, from time.Time, speed float64) (*capture.Stream, error) {
				asked = append(asked, fmt.Sprintf("%s %s ×%g", name, from.Format(playbackLayout), speed))
				d := &testDecoders{}
				return capture.NewStream(name, &jpegSource{Frames: jpegFrames(t), Count: -1, Every: 20 * time.Millisecond, Hold: true, Recorded: from},
					capture.StreamOptions{Decoders: d.New, Logger: slog.New(slog.DiscardHandler)}), nil
			}}
	})
	r.wall.Start()
	if err := r.wall.playOnTile("Cam 2", at); err != nil {
		t.Fatal(err)
	}
	tile := r.wall.Tile("Cam 2")
	if tile.Playback() != 1 || r.wall.Selected() != r.wall.positionOf("Cam 2") || len(asked) != 1 || asked[0] != "Cam 2 2026-11-21 14:03:00 ×1" {
		t.Fatalf("playback %v, selected %d, asked %q", tile.Playback(), r.wall.Selected(), asked)
	}
	if err := r.wall.playOnTile("Gone", at); err == nil || !strings.Contains(err.Error(), "not on the wall") {
		t.Errorf("a camera not on the wall: %v", err)
	}
	r.wall.backToLive(tile)
	r.wall.closing.Wait()
}
