package ui

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The "Search motion…" window (issue 15): a box dragged out on the camera's live
// picture (the zone editor's surface, zones.go), a time range, and the moments something
// moved there, each playable from a little before it (the events pane's Play from
// here). The search runs off the UI goroutine through the wall's MotionSearcher.

// searchPeriods are the search window's time ranges; the last is typed in.
var searchPeriods = []struct {
	name string
	d    time.Duration
}{{"Last hour", time.Hour}, {"Last 24 hours", 24 * time.Hour}, {"From – to", 0}}

// motionSearch is the search window of one camera.
type motionSearch struct {
	*surfaceWindow
	w      *Wall
	camera string
	now    func() time.Time

	period   *widget.Select
	from, to *widget.Entry
	searchB  *widget.Button
	playB    *widget.Button
	list     *widget.List
	hits     []MotionHit
	sel      int
	status   *widget.Label
	cancel   context.CancelFunc // the search under way
	gen      int                // counts searches: a stale answer is dropped
	// jump plays a hit as the events pane plays an event (events.go).
	jump *eventsView
}

// SearchMotion opens the motion search of a camera in a window of its own (the tile
// menu's "Search motion…") and returns it; nil without a MotionSearcher or for a camera
// not in the list.
func (w *Wall) SearchMotion(camera string) fyne.Window {
	if m := w.searchMotion(camera); m != nil {
		return m.win
	}
	return nil
}

func (w *Wall) searchMotion(camera string) *motionSearch {
	if w.opts.Search == nil || w.liveStream(camera) == nil {
		return nil
	}
	m := &motionSearch{w: w, camera: camera, now: time.Now, sel: -1,
		surfaceWindow: w.newSurfaceWindow("Vigil — Search motion: "+camera, camera, modeBox)}
	m.surf.onChange = m.boxChanged
	m.build()
	m.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			m.win.Close()
		}
	})
	m.show(func() {
		if m.cancel != nil {
			m.cancel()
		}
		w.searchOpen = slices.DeleteFunc(w.searchOpen, func(o *motionSearch) bool { return o == m })
	})
	w.searchOpen = append(w.searchOpen, m)
	return m
}

func (m *motionSearch) build() {
	names := make([]string, len(searchPeriods))
	for i, p := range searchPeriods {
		names[i] = p.name
	}
	m.from, m.to = widget.NewEntry(), widget.NewEntry()
	m.from.SetPlaceHolder(playbackLayout)
	m.to.SetPlaceHolder(playbackLayout)
	m.period = widget.NewSelect(names, func(string) { m.periodChanged() })
	m.status = wrapLabel("Drag a box over the picture where to look for motion.")
	m.searchB = widget.NewButtonWithIcon("Search", theme.SearchIcon(), m.search)
	m.searchB.Importance = widget.HighImportance
	m.searchB.Disable()
	m.playB = playFromHere(m.play)
	m.list = lineList(func() int { return len(m.hits) }, "2026-12-02 22:00:00.0 – 22:00:10.0  10.0 s  peak 10.0%",
		func(i int) string { return hitLine(m.hits[i]) })
	m.list.OnSelected = func(i widget.ListItemID) {
		m.sel = i
		m.playB.Enable()
	}
	m.jump = &eventsView{do: m.w.batch.Do, now: m.now, status: m.status}
	m.jump.jump = eventJump{review: m.w.opts.Review, playOnTile: m.w.playOnTile}
	if m.w.opts.Playback != nil {
		m.jump.jump.canPlay = m.w.opts.Playback.CanPlay
	}
	form := widget.NewForm(widget.NewFormItem("When", m.period), widget.NewFormItem("From", m.from), widget.NewFormItem("To", m.to))
	top := container.NewVBox(form, container.NewHBox(m.searchB, m.playB), m.status)
	sideW := canvas.NewRectangle(color.Transparent)
	sideW.SetMinSize(fyne.NewSize(360, 0))
	side := container.NewStack(sideW, container.NewPadded(container.NewBorder(top, nil, nil, nil, m.list)))
	m.win.SetContent(container.NewBorder(nil, nil, nil, side, m.picture()))
	m.period.SetSelectedIndex(0)
}

// hitLayout is a hit's start: to the tenth, the search's own precision.
const hitLayout = "2006-01-02 15:04:05.0"

// hitLine is a hit as the list shows it.
func hitLine(h MotionHit) string {
	if h.Coarse {
		return h.Start.Local().Format(playbackLayout) + "  the minute (no recording of it)"
	}
	return fmt.Sprintf("%s – %s  %s  peak %.1f%%", h.Start.Local().Format(hitLayout), h.End.Local().Format("15:04:05.0"),
		h.End.Sub(h.Start).Round(100*time.Millisecond), 100*h.Peak)
}

// periodChanged fills From and To for a preset range (editable only for "From – to").
func (m *motionSearch) periodChanged() {
	i := m.period.SelectedIndex()
	if i < 0 {
		return
	}
	if d := searchPeriods[i].d; d > 0 {
		now := m.now()
		m.from.SetText(now.Add(-d).Local().Format(playbackLayout))
		m.to.SetText(now.Local().Format(playbackLayout))
		m.from.Disable()
		m.to.Disable()
		return
	}
	m.from.Enable()
	m.to.Enable()
}

// boxChanged follows the box dragged out.
func (m *motionSearch) boxChanged() {
	if !m.surf.hasBox {
		m.searchB.Disable()
		return
	}
	b := m.surf.box
	m.searchB.Enable()
	m.status.SetText(fmt.Sprintf("Look in %.0f–%.0f %% across, %.0f–%.0f %% down; then Search.", 100*b.X0, 100*b.X1, 100*b.Y0, 100*b.Y1))
}

// span is the time range to search: a preset up to now, or From – to as typed.
func (m *motionSearch) span() (since, until time.Time, err error) {
	if i := m.period.SelectedIndex(); i >= 0 && searchPeriods[i].d > 0 {
		now := m.now()
		return now.Add(-searchPeriods[i].d), now, nil
	}
	since, err = time.ParseInLocation(playbackLayout, strings.TrimSpace(m.from.Text), time.Local)
	if err == nil {
		until, err = time.ParseInLocation(playbackLayout, strings.TrimSpace(m.to.Text), time.Local)
	}
	if err != nil {
		return since, until, fmt.Errorf("write the times as %s", playbackLayout)
	}
	if !until.After(since) {
		return since, until, fmt.Errorf("the end %s is not after the start", until.Format(playbackLayout))
	}
	return since, until, nil
}

// search runs the search off the UI goroutine; a new search cancels the one under way.
func (m *motionSearch) search() {
	if !m.surf.hasBox {
		return
	}
	since, until, err := m.span()
	if err != nil {
		m.status.SetText("Not searched: " + err.Error())
		return
	}
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.gen++
	gen, box, camera, searcher := m.gen, m.surf.box, m.camera, m.w.opts.Search
	m.status.SetText("Searching " + camera + "'s motion…")
	m.hits, m.sel = nil, -1
	m.list.UnselectAll()
	m.list.Refresh()
	m.playB.Disable()
	go func() {
		hits, err := searcher.MotionSearch(ctx, camera, box, since, until)
		m.w.batch.Do(func() {
			if m.closed || gen != m.gen {
				return
			}
			cancel()
			m.cancel = nil
			if err != nil {
				m.status.SetText("The search failed: " + err.Error())
				return
			}
			m.hits = hits
			m.list.Refresh()
			switch len(hits) {
			case 0:
				m.status.SetText("Nothing moved there between " + since.Local().Format(playbackLayout) + " and " + until.Local().Format(playbackLayout) + ".")
			case 1:
				m.status.SetText("Something moved there once. Select it, then Play from here.")
			default:
				m.status.SetText(fmt.Sprintf("Something moved there %d times. Select one, then Play from here.", len(hits)))
			}
		})
	}()
}

// play plays the selected hit from a little before it, as the events pane plays an
// event.
func (m *motionSearch) play() {
	if m.sel < 0 || m.sel >= len(m.hits) {
		return
	}
	h := m.hits[m.sel]
	m.jump.selected = &EventRow{Camera: m.camera, Kind: "motion", Start: h.Start, End: h.End, Peak: h.Peak}
	m.jump.playSelected()
}
