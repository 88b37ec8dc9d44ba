package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// eventPeriods are the events pane's time ranges, shortest first.
var eventPeriods = []struct {
	name string
	d    time.Duration
}{{"Last hour", time.Hour}, {"Last 24 hours", 24 * time.Hour}, {"Last 7 days", 7 * 24 * time.Hour}}

// eventKinds are what the pane filters on ("" for all).
var eventKinds = []string{"All kinds", "motion", "face", "person", "plate"}

// eventsView is the events pane: filters, the list, the selected event's snapshot, and
// the dashboard of events per hour with its PNG export. Store reads run off the UI
// goroutine and come back through do.
type eventsView struct {
	ev      Events
	do      func(func())
	saveDir string

	camera, kind, period *widget.Select
	list                 *widget.List
	rows                 []EventRow
	status               *widget.Label
	snap                 *canvas.Image
	detail               *widget.Label
	tabs                 *container.AppTabs
	obj                  fyne.CanvasObject
	now                  func() time.Time

	// Paging: page is how many events a read lists (EventPage), total how many match
	// the filters, older lists the next page; gen counts the filters' changes, so a
	// page read for older filters is dropped.
	page  int
	total int
	older *widget.Button
	gen   int

	dash dashboard

	// Play from here: the selected event, where its moment is played (jump), and the
	// player last opened (tests).
	selected *EventRow
	playB    *widget.Button
	jump     eventJump
	player   *player
}

// eventLead is how far before an event's start "Play from here" starts: enough to see
// what came into the picture.
const eventLead = 5 * time.Second

// eventJump is where the events pane plays an event's moment: the camera's own
// recordings in the player (review), else the tile's Milestone playback (canPlay and
// playOnTile, UI goroutine). Any may be nil.
type eventJump struct {
	review     Review
	canPlay    func(camera string) bool
	playOnTile func(camera string, from time.Time) error
}

func newEventsView(ev Events, cameras []string, saveDir string, do func(func())) *eventsView {
	v := &eventsView{ev: ev, do: do, saveDir: saveDir, now: time.Now, page: EventPage}
	v.camera = widget.NewSelect(append([]string{"All cameras"}, cameras...), func(string) { v.refresh() })
	v.kind = widget.NewSelect(eventKinds, func(string) { v.refresh() })
	names := make([]string, len(eventPeriods))
	for i, p := range eventPeriods {
		names[i] = p.name
	}
	v.period = widget.NewSelect(names, func(string) { v.refresh() })
	v.status = widget.NewLabel("")
	v.snap = &canvas.Image{FillMode: canvas.ImageFillContain}
	v.snap.SetMinSize(fyne.NewSize(320, 180))
	v.detail = wrapLabel("Select an event to see its picture.")
	v.playB = playFromHere(v.playSelected)
	v.list = lineList(func() int { return len(v.rows) }, "2026-12-01 22:00:00  Camera name  motion  zone  10.0 s",
		func(i int) string { return eventLine(v.rows[i]) })
	v.list.OnSelected = func(i widget.ListItemID) { v.show(v.rows[i]) }
	v.older = widget.NewButtonWithIcon("Older…", theme.MoveDownIcon(), v.loadOlder)
	v.older.Disable()
	filters := container.NewHBox(v.camera, v.kind, v.period, widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), v.refresh))
	events := container.NewHSplit(container.NewBorder(nil, container.NewHBox(v.older), nil, nil, v.list),
		container.NewBorder(nil, container.NewVBox(v.detail, container.NewHBox(v.playB)), nil, nil, v.snap))
	v.tabs = container.NewAppTabs(container.NewTabItem("Events", events), container.NewTabItem("Dashboard", v.newDashboard()))
	v.tabs.OnSelected = func(*container.TabItem) { v.refresh() }
	v.obj = container.NewBorder(filters, v.status, nil, nil, v.tabs)
	v.camera.SetSelectedIndex(0)
	v.kind.SetSelectedIndex(0)
	v.period.SetSelectedIndex(1) // also refreshes
	return v
}

func eventLine(r EventRow) string {
	zone := r.Zone
	if zone == "" {
		zone = "-"
	}
	long := "ongoing"
	if !r.End.IsZero() {
		long = r.End.Sub(r.Start).Round(100 * time.Millisecond).String()
	}
	// A motion score is the moving share of the picture: a person far away is 0.4 %.
	return fmt.Sprintf("%s  %s  %s  %s  %s  %.1f%%", r.Start.Local().Format("2006-01-02 15:04:05"), r.Camera, r.Kind, zone, long, 100*r.Peak)
}

func (v *eventsView) filter() EventFilter {
	f := EventFilter{}
	if i := v.camera.SelectedIndex(); i > 0 {
		f.Camera = v.camera.Selected
	}
	if i := v.kind.SelectedIndex(); i > 0 {
		f.Kind = v.kind.Selected
	}
	d := eventPeriods[1].d
	if i := v.period.SelectedIndex(); i >= 0 {
		d = eventPeriods[i].d
	}
	f.Since = v.now().Add(-d)
	return f
}

// refresh reads the first page of events and their count (and, on the dashboard, the
// chart) for the filters.
func (v *eventsView) refresh() {
	if v.tabs == nil || v.period.SelectedIndex() < 0 {
		return // still being built
	}
	if v.tabs.SelectedIndex() == 1 {
		v.refreshChart()
	}
	v.gen++
	v.read(v.filter(), false)
}

// loadOlder lists the page of events after the last one listed.
func (v *eventsView) loadOlder() {
	if len(v.rows) == 0 {
		return
	}
	f := v.filter()
	last := v.rows[len(v.rows)-1]
	f.Before = &last
	v.older.Disable()
	v.read(f, true)
}

// read lists a page of f off the UI goroutine, with the count of the whole filter for a
// first page, and shows it: in place of the list, or after it (more).
func (v *eventsView) read(f EventFilter, more bool) {
	f.Limit = v.page
	gen := v.gen
	v.status.SetText("Reading the events…")
	go func() {
		rows, err := v.ev.List(f)
		total := -1
		if err == nil && !more {
			total, err = v.ev.Count(f)
		}
		v.do(func() {
			if gen != v.gen {
				return // the filters changed meanwhile
			}
			if err != nil {
				v.status.SetText("The events could not be read: " + err.Error())
				return
			}
			if more {
				v.rows = append(v.rows, rows...)
			} else {
				v.rows, v.total = rows, total
				v.selected = nil
				v.playB.Disable()
				v.list.UnselectAll()
				v.list.ScrollToTop()
			}
			v.total = max(v.total, len(v.rows))
			v.list.Refresh()
			setEnabled(v.older, len(rows) == v.page && len(v.rows) < v.total)
			v.status.SetText(v.counted())
		})
	}()
}

// counted says how many events are listed of how many match.
func (v *eventsView) counted() string {
	if len(v.rows) >= v.total {
		return fmt.Sprintf("%d events", v.total)
	}
	return fmt.Sprintf("%d of %d events listed (Older… lists the next %d)", len(v.rows), v.total, v.page)
}

// show shows an event's details and its snapshot.
func (v *eventsView) show(r EventRow) {
	v.selected = &r
	v.playB.Enable()
	v.detail.SetText(eventLine(r))
	v.snap.Image = nil
	v.snap.Refresh()
	if !r.HasSnapshot {
		v.detail.SetText(eventLine(r) + "\nNo picture was kept of this event.")
		return
	}
	go func() {
		b, err := v.ev.Snapshot(r.ID)
		var img image.Image
		if err == nil {
			img, err = jpeg.Decode(bytes.NewReader(b))
		}
		v.do(func() {
			if err != nil {
				v.detail.SetText(eventLine(r) + "\nIts picture could not be read: " + err.Error())
				return
			}
			v.snap.Image = img
			v.snap.Refresh()
		})
	}()
}

// playSelected plays the selected event's camera from a little before the event: its
// own recordings in the player when it has some of that moment, else Milestone playback
// on its tile, else it says there is no recording. The recordings are listed off the UI
// goroutine.
func (v *eventsView) playSelected() {
	if v.selected == nil {
		return
	}
	r := *v.selected
	from := r.Start.Add(-eventLead)
	to := r.End
	if to.IsZero() {
		to = v.now()
	}
	to = to.Add(time.Second)
	v.status.SetText("Looking for the recording of " + r.Camera + "…")
	go func() {
		var clips []Clip
		var err error
		if v.jump.review != nil {
			clips, err = v.jump.review.Recorded(r.Camera, from, to)
		}
		v.do(func() { v.status.SetText(v.playAt(r.Camera, from, len(clips) > 0, err)) })
	}()
}

// playAt opens the player or the tile's playback at from and returns what to say.
func (v *eventsView) playAt(camera string, from time.Time, recorded bool, listErr error) string {
	at := from.Local().Format(playbackLayout)
	if recorded {
		p, err := openPlayer(v.jump.review, camera, from, v.do)
		if err != nil {
			return "The recording of " + camera + " could not be opened: " + err.Error()
		}
		v.player = p
		return "Playing " + camera + "'s recording from " + at + "."
	}
	if v.jump.canPlay != nil && v.jump.canPlay(camera) && v.jump.playOnTile != nil {
		if err := v.jump.playOnTile(camera, from); err != nil {
			return "Playback of " + camera + " did not start: " + err.Error()
		}
		return "Playing " + camera + " from " + at + " on its tile."
	}
	if listErr != nil {
		return "The recordings of " + camera + " could not be listed: " + listErr.Error()
	}
	return "There is no recording of " + camera + " at " + at + ": set its Record to continuous or motion in the camera dialog to keep the next ones."
}

// showEvents opens the events pane in a window of its own.
func (w *Wall) showEvents() {
	if w.opts.Events == nil {
		return
	}
	win := fyne.CurrentApp().NewWindow("Vigil — Events")
	v := newEventsView(w.opts.Events, w.cameraNames(), w.opts.SnapshotDir, w.batch.Do)
	v.jump = eventJump{review: w.opts.Review, playOnTile: w.playOnTile}
	if w.opts.Playback != nil {
		v.jump.canPlay = w.opts.Playback.CanPlay
	}
	win.SetContent(v.obj)
	win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			win.Close()
		}
	})
	win.Resize(fyne.NewSize(1000, 620))
	win.Show()
}

// playOnTile plays a camera's recorded video from a time on its tile, selected (the
// events pane's Milestone playback).
func (w *Wall) playOnTile(camera string, from time.Time) error {
	t := w.tiles[camera]
	if t == nil {
		return fmt.Errorf("%s is not on the wall: add it to the view, then try again", camera)
	}
	if err := w.startPlayback(t, from, 1); err != nil {
		return err
	}
	if pos := w.positionOf(camera); pos >= 0 {
		w.Select(pos)
	}
	if w.win != nil {
		w.win.RequestFocus()
	}
	return nil
}
