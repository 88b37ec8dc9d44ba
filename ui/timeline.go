package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// timeSpan is one stretch of recorded video.
type timeSpan struct{ from, to time.Time }

// Timeline is a span of time (a day) of one camera, as a VMS client's timeline: the
// recorded stretches filled, the gaps between them empty, hour marks, and the position
// as a red line. A click jumps to the time under it; a drag moves the line and jumps
// where it is let go.
type Timeline struct {
	widget.BaseWidget
	// OnSeek is called with the time clicked or dragged to.
	OnSeek func(time.Time)

	from, to time.Time
	spans    []timeSpan
	pos      time.Time
	dragging bool
}

var (
	_ fyne.Tappable  = (*Timeline)(nil)
	_ fyne.Draggable = (*Timeline)(nil)
)

// NewTimeline makes an empty timeline.
func NewTimeline(onSeek func(time.Time)) *Timeline {
	tl := &Timeline{OnSeek: onSeek}
	tl.ExtendBaseWidget(tl)
	return tl
}

// SetRange shows [from, to) with the recorded spans in it.
func (tl *Timeline) SetRange(from, to time.Time, spans []timeSpan) {
	tl.from, tl.to, tl.spans = from, to, spans
	tl.Refresh()
}

// SetPosition moves the position line (not while the user drags it).
func (tl *Timeline) SetPosition(t time.Time) {
	if tl.dragging {
		return
	}
	tl.pos = t
	tl.Refresh()
}

// At is the time the line shows.
func (tl *Timeline) At() time.Time { return tl.pos }

// TimeAt is the time under x (clamped to the range).
func (tl *Timeline) TimeAt(x float32) time.Time {
	w := tl.Size().Width
	if w <= 0 || !tl.to.After(tl.from) {
		return tl.from
	}
	f := float64(min(max(x/w, 0), 1))
	return tl.from.Add(time.Duration(f * float64(tl.to.Sub(tl.from))))
}

// XOf is where t falls across the timeline's width.
func (tl *Timeline) XOf(t time.Time) float32 {
	span := tl.to.Sub(tl.from)
	if span <= 0 {
		return 0
	}
	return float32(float64(t.Sub(tl.from)) / float64(span) * float64(tl.Size().Width))
}

// Tapped jumps to the time clicked.
func (tl *Timeline) Tapped(ev *fyne.PointEvent) {
	t := tl.TimeAt(ev.Position.X)
	tl.pos = t
	tl.Refresh()
	if tl.OnSeek != nil {
		tl.OnSeek(t)
	}
}

// Dragged moves the line.
func (tl *Timeline) Dragged(ev *fyne.DragEvent) {
	tl.dragging = true
	tl.pos = tl.TimeAt(ev.Position.X)
	tl.Refresh()
}

// DragEnd jumps where the line was let go.
func (tl *Timeline) DragEnd() {
	if !tl.dragging {
		return
	}
	tl.dragging = false
	if tl.OnSeek != nil {
		tl.OnSeek(tl.pos)
	}
}

// MinSize is wide enough to aim at a minute in an hour's stretch of a small window.
func (tl *Timeline) MinSize() fyne.Size { return fyne.NewSize(320, 44) }

func (tl *Timeline) CreateRenderer() fyne.WidgetRenderer {
	r := &timelineRenderer{tl: tl,
		back: canvas.NewRectangle(color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff}),
		line: canvas.NewRectangle(color.NRGBA{R: 0xe0, G: 0x20, B: 0x20, A: 0xff}),
	}
	return r
}

// timelineRenderer draws the spans as rectangles over the gap colour, marks every three
// hours (every hour when the range is short), and the position line on top.
type timelineRenderer struct {
	tl    *Timeline
	back  *canvas.Rectangle
	spans []*canvas.Rectangle
	ticks []*canvas.Rectangle
	marks []*canvas.Text
	line  *canvas.Rectangle
}

// barTop and barHeight place the bar of spans under the hour labels.
const barTop, barHeight = 16, 24

var spanColour = color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}

func (r *timelineRenderer) Layout(size fyne.Size) {
	tl := r.tl
	r.back.Move(fyne.NewPos(0, barTop))
	r.back.Resize(fyne.NewSize(size.Width, barHeight))
	for len(r.spans) < len(tl.spans) {
		r.spans = append(r.spans, canvas.NewRectangle(spanColour))
	}
	for i, s := range r.spans {
		if i >= len(tl.spans) {
			s.Hide()
			continue
		}
		x0 := max(tl.XOf(tl.spans[i].from), 0)
		x1 := min(tl.XOf(tl.spans[i].to), size.Width)
		s.Move(fyne.NewPos(x0, barTop))
		s.Resize(fyne.NewSize(max(x1-x0, 1), barHeight)) // a short clip stays visible
		s.Show()
	}
	step := markStep(tl.to.Sub(tl.from))
	n := 0
	if tl.to.After(tl.from) {
		for t := tl.from.Truncate(step); t.Before(tl.to); t = t.Add(step) {
			if t.Before(tl.from) {
				continue
			}
			if n == len(r.ticks) {
				r.ticks = append(r.ticks, canvas.NewRectangle(theme.Color(theme.ColorNameForeground)))
				txt := canvas.NewText("", theme.Color(theme.ColorNameForeground))
				txt.TextSize = 10
				r.marks = append(r.marks, txt)
			}
			x := tl.XOf(t)
			r.ticks[n].Move(fyne.NewPos(x, barTop-3))
			r.ticks[n].Resize(fyne.NewSize(1, barHeight+3))
			r.ticks[n].Show()
			r.marks[n].Text = t.Local().Format("15:04")
			if step < time.Minute {
				r.marks[n].Text = t.Local().Format("15:04:05")
			}
			r.marks[n].Move(fyne.NewPos(x+2, 0))
			r.marks[n].Show()
			r.marks[n].Refresh()
			n++
		}
	}
	for i := n; i < len(r.ticks); i++ {
		r.ticks[i].Hide()
		r.marks[i].Hide()
	}
	if tl.pos.IsZero() || tl.pos.Before(tl.from) || !tl.pos.Before(tl.to) {
		r.line.Hide()
	} else {
		r.line.Move(fyne.NewPos(tl.XOf(tl.pos)-1, barTop-4))
		r.line.Resize(fyne.NewSize(3, barHeight+8))
		r.line.Show()
	}
}

// markStep is the spacing of the marks for a range: about 8 of them.
func markStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute, time.Hour, 3 * time.Hour} {
		if span <= 10*s {
			return s
		}
	}
	return 6 * time.Hour
}

func (r *timelineRenderer) MinSize() fyne.Size { return r.tl.MinSize() }

func (r *timelineRenderer) Refresh() {
	r.Layout(r.tl.Size())
	canvas.Refresh(r.tl)
}

func (r *timelineRenderer) Objects() []fyne.CanvasObject {
	out := []fyne.CanvasObject{r.back}
	for _, s := range r.spans {
		out = append(out, s)
	}
	for i := range r.ticks {
		out = append(out, r.ticks[i], r.marks[i])
	}
	return append(out, r.line)
}

func (r *timelineRenderer) Destroy() {}
