package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
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
	chart                *canvas.Image
	chartImg             image.Image
	export               *widget.Button
	tabs                 *container.AppTabs
	obj                  fyne.CanvasObject
	now                  func() time.Time

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
	v := &eventsView{ev: ev, do: do, saveDir: saveDir, now: time.Now}
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
	v.detail = widget.NewLabel("Select an event to see its picture.")
	v.detail.Wrapping = fyne.TextWrapWord
	v.playB = widget.NewButtonWithIcon("Play from here", theme.MediaPlayIcon(), v.playSelected)
	v.playB.Disable()
	v.list = widget.NewList(func() int { return len(v.rows) },
		func() fyne.CanvasObject {
			return widget.NewLabel("2026-12-01 22:00:00  Camera name  motion  zone  10.0 s")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(eventLine(v.rows[i])) })
	v.list.OnSelected = func(i widget.ListItemID) { v.show(v.rows[i]) }
	v.chart = &canvas.Image{FillMode: canvas.ImageFillContain}
	v.chart.SetMinSize(fyne.NewSize(640, 320))
	v.export = widget.NewButtonWithIcon("Export PNG", theme.DocumentSaveIcon(), v.exportChart)
	filters := container.NewHBox(v.camera, v.kind, v.period, widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), v.refresh))
	events := container.NewHSplit(v.list, container.NewBorder(nil, container.NewVBox(v.detail, container.NewHBox(v.playB)), nil, nil, v.snap))
	v.tabs = container.NewAppTabs(container.NewTabItem("Events", events),
		container.NewTabItem("Dashboard", container.NewBorder(nil, container.NewHBox(v.export), nil, nil, v.chart)))
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

// refresh reads the events (and, on the dashboard, the chart) for the filters.
func (v *eventsView) refresh() {
	if v.tabs == nil || v.period.SelectedIndex() < 0 {
		return // still being built
	}
	f := v.filter()
	dashboard := v.tabs.SelectedIndex() == 1
	v.status.SetText("Reading the events…")
	go func() {
		rows, err := v.ev.List(f)
		var chart image.Image
		var cerr error
		if dashboard {
			chart, cerr = v.ev.Chart(f, 960, 420)
		}
		v.do(func() {
			switch {
			case err != nil:
				v.status.SetText("The events could not be read: " + err.Error())
				return
			case cerr != nil:
				v.status.SetText("The dashboard could not be drawn: " + cerr.Error())
			default:
				v.status.SetText(fmt.Sprintf("%d events", len(rows)))
			}
			v.rows = rows
			v.selected = nil
			v.playB.Disable()
			v.list.UnselectAll()
			v.list.Refresh()
			if dashboard && chart != nil {
				v.chartImg = chart
				v.chart.Image = chart
				v.chart.Refresh()
			}
		})
	}()
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

// exportChart writes the dashboard as a PNG next to the snapshots.
func (v *eventsView) exportChart() {
	if v.chartImg == nil || v.saveDir == "" {
		v.status.SetText("Nothing to export yet: open the dashboard first.")
		return
	}
	path := filepath.Join(v.saveDir, "events-per-hour-"+v.now().Format("2006-01-02_15-04-05")+".png")
	err := os.MkdirAll(v.saveDir, 0o755)
	var f *os.File
	if err == nil {
		f, err = os.Create(path)
	}
	if err == nil {
		err = png.Encode(f, v.chartImg)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		v.status.SetText("The dashboard was not saved: " + err.Error())
		return
	}
	v.status.SetText("Saved " + path)
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
