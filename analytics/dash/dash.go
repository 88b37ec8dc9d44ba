// Package dash draws the analytics dashboards as pictures (gonum/plot), apart from any
// widget: the events pane shows them and exports them as PNG. Every chart goes through
// one style (newPlot, render): the wall's dark colours, time along the bottom in UTC, the
// legend in a column right of the plot so it never covers a bar or a line.
package dash

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/vigil-cctv/vigil/analytics/store"
)

// palette tells series apart (cameras, kinds), in a stacked bar's order: 16, a demo
// wall's cameras; beyond them a line is dashed (lineStyle).
var palette = []color.Color{
	color.RGBA{0x4f, 0xa3, 0xff, 0xff}, color.RGBA{0xff, 0xb3, 0x00, 0xff}, color.RGBA{0x4c, 0xc9, 0x7a, 0xff},
	color.RGBA{0xe5, 0x48, 0x4d, 0xff}, color.RGBA{0xb0, 0x7c, 0xff, 0xff}, color.RGBA{0x2e, 0xc4, 0xc4, 0xff},
	color.RGBA{0xf0, 0x80, 0xc0, 0xff}, color.RGBA{0xa0, 0xa0, 0xa0, 0xff}, color.RGBA{0xff, 0xee, 0x58, 0xff},
	color.RGBA{0xa1, 0x88, 0x7f, 0xff}, color.RGBA{0x9c, 0xcc, 0x65, 0xff}, color.RGBA{0xff, 0x70, 0x43, 0xff},
	color.RGBA{0x5c, 0x6b, 0xc0, 0xff}, color.RGBA{0x80, 0xde, 0xea, 0xff}, color.RGBA{0xce, 0x93, 0xd8, 0xff},
	color.RGBA{0xf5, 0xf5, 0xf5, 0xff},
}

// The style's colours.
var (
	foreground = color.RGBA{0xd0, 0xd4, 0xda, 0xff}
	background = color.RGBA{0x10, 0x12, 0x16, 0xff}
)

// MaxHours bounds a chart's span (a month of hours).
const MaxHours = 31 * 24

// pt is one pixel in points at the canvas's 96 dpi.
const pt = 0.75

// chart is a plot being built in the shared style, with its legend kept apart to be
// drawn in its own column.
type chart struct {
	p      *plot.Plot
	legend plot.Legend
	// since is time 0 of the x axis, counted in unit.
	since time.Time
	unit  time.Duration
	slots int
}

// newChart checks a chart's span and size and starts it: x counts units (hours or days)
// from since, truncated to the unit, up to until.
func newChart(title, yLabel string, since, until time.Time, unit time.Duration, w, h int) (*chart, error) {
	since, until = since.UTC().Truncate(unit), until.UTC()
	slots := int(until.Sub(since)/unit) + 1
	hours := until.Sub(since).Hours()
	if slots <= 0 || hours > MaxHours || w < 100 || h < 80 || w > 4000 || h > 4000 {
		return nil, fmt.Errorf("dashboard: %.0f hours at %d×%d: want up to %d hours forwards, 100×80 to 4000×4000 pixels", hours, w, h, MaxHours)
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.BackgroundColor = background
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color, a.Label.TextStyle.Color, a.Tick.Color, a.Tick.Label.Color = foreground, foreground, foreground, foreground
	}
	p.Title.TextStyle.Color = foreground
	p.Y.Tick.Marker = plainTicks{}
	p.X.Min, p.X.Max = -0.5, float64(slots)-0.5
	l := plot.NewLegend()
	l.TextStyle.Color = foreground
	l.Top, l.Left = true, true
	c := &chart{p: p, legend: l, unit: unit, slots: slots}
	c.origin(since, until)
	return c, nil
}

// origin makes since x's 0, labelling the axis with the times of [since, until).
func (c *chart) origin(since, until time.Time) {
	c.since = since.UTC()
	c.p.X.Label.Text = "UTC, from " + c.since.Format("2006-01-02 15:04")
	c.p.X.Tick.Marker = timeTicks{since: c.since, unit: c.unit, step: tickStep(until.Sub(since))}
}

// at is a moment on the x axis.
func (c *chart) at(t time.Time) float64 { return float64(t.UTC().Sub(c.since)) / float64(c.unit) }

// slot is the bar a moment falls in, or -1 outside the chart.
func (c *chart) slot(t time.Time) int {
	k := int(t.UTC().Sub(c.since) / c.unit)
	if k < 0 || k >= c.slots {
		return -1
	}
	return k
}

// legendWidth is the column the legend takes, in points: its longest name and a swatch.
func (c *chart) legendWidth(names []string) vg.Length {
	var widest vg.Length
	for _, n := range names {
		widest = max(widest, c.legend.TextStyle.Width(n))
	}
	if widest == 0 {
		return 0
	}
	return widest + c.legend.ThumbnailWidth + 16
}

// render draws the chart at w×h pixels, the legend in a column on the right.
func (c *chart) render(names []string, w, h int) image.Image {
	cv := vgimg.New(vg.Length(w)*pt, vg.Length(h)*pt)
	dc := draw.New(cv)
	lw := c.legendWidth(names)
	dc.SetColor(background)
	dc.Fill(dc.Rectangle.Path())
	c.p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	if lw > 0 {
		c.legend.YOffs = -c.p.Title.TextStyle.Height(c.p.Title.Text) - 8
		c.legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw, 0, 0, 0))
	}
	return cv.Image()
}

// stack adds one bar series per name, stacked in palette order, each value a slot.
func (c *chart) stack(names []string, vals []plotter.Values, w int) error {
	lw := float64(c.legendWidth(names)) / pt
	// Bars fill 60 % of their slot.
	barW := vg.Points(max(pt, (float64(w)-120-lw)*pt/float64(c.slots)*0.6))
	var below *plotter.BarChart
	for i, name := range names {
		bars, err := plotter.NewBarChart(vals[i], barW)
		if err != nil {
			return err
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		c.p.Add(bars)
		c.legend.Add(name, bars)
	}
	return nil
}

// names are the distinct names of n items, sorted.
func names(n int, name func(i int) string) []string {
	var out []string
	for i := range n {
		if s := name(i); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// EventsPerHour is a stacked bar chart of events per hour per camera over [since,
// until), w×h pixels, in the wall's dark colours; title names what is counted.
func EventsPerHour(counts []store.HourCount, since, until time.Time, title string, w, h int) (image.Image, error) {
	return countBars(title, since, until, time.Hour, len(counts), func(i int) (string, time.Time, int) {
		return counts[i].Camera, counts[i].Hour, counts[i].Count
	}, w, h)
}

// KindsPerDay is a stacked bar chart of detections per kind per UTC day over [since,
// until), w×h pixels; title names what is counted.
func KindsPerDay(counts []store.DayCount, since, until time.Time, title string, w, h int) (image.Image, error) {
	return countBars(title, since, until, 24*time.Hour, len(counts), func(i int) (string, time.Time, int) {
		return counts[i].Kind, counts[i].Day, counts[i].Count
	}, w, h)
}

// countBars is a stacked bar chart of n counts, a bar per unit of time and a series per
// name (camera or kind).
func countBars(title string, since, until time.Time, unit time.Duration, n int, count func(i int) (name string, at time.Time, count int), w, h int) (image.Image, error) {
	c, err := newChart(title, "events", since, until, unit, w, h)
	if err != nil {
		return nil, err
	}
	series := names(n, func(i int) string { name, _, _ := count(i); return name })
	vals := make([]plotter.Values, len(series))
	for i := range series {
		vals[i] = make(plotter.Values, c.slots)
	}
	for i := range n {
		name, at, k := count(i)
		if slot := c.slot(at); slot >= 0 {
			vals[slices.Index(series, name)][slot] += float64(k)
		}
	}
	return c.bars(series, vals, title+" — no events", w, h)
}

// bars finishes a stacked bar chart; empty says so in the title when nothing was counted.
func (c *chart) bars(names []string, vals []plotter.Values, empty string, w, h int) (image.Image, error) {
	if err := c.stack(names, vals, w); err != nil {
		return nil, err
	}
	top := 1.0
	for k := range c.slots {
		var sum float64
		for _, v := range vals {
			sum += v[k]
		}
		top = max(top, sum)
	}
	c.p.Y.Min, c.p.Y.Max = 0, top*1.08 // headroom: the tallest bar is not cut by the frame
	if len(names) == 0 {
		c.p.Title.Text = empty
	}
	return c.render(names, w, h), nil
}

// Metric is what a health chart shows.
type Metric int

// The health charts.
const (
	// Uptime is the share of the time frames were arriving, in percent.
	Uptime Metric = iota
	// FPS is the frames received per second.
	FPS
	// Bitrate is the received bitrate in kbit/s.
	Bitrate
)

func (m Metric) String() string { return [...]string{"uptime", "fps", "bitrate"}[m] }

// unit is the y axis' label.
func (m Metric) unit() string { return [...]string{"uptime (%)", "frames per second", "kbit/s"}[m] }

func (m Metric) of(s store.CameraStat) float64 {
	switch m {
	case Uptime:
		return 100 * s.Up
	case FPS:
		return s.FPS
	}
	return s.Kbps
}

// Health is a line per camera of one metric over [since, until), from store.Health's
// buckets of step (the line breaks where a bucket has no rows: the camera was not
// watched or Vigil not running), w×h pixels; title names what is shown.
func Health(points []store.CameraStat, m Metric, since, until time.Time, step time.Duration, title string, w, h int) (image.Image, error) {
	if m < Uptime || m > Bitrate || step <= 0 {
		return nil, fmt.Errorf("dashboard: metric %d every %v", m, step)
	}
	c, err := newChart(title, m.unit(), since, until, time.Hour, w, h)
	if err != nil {
		return nil, err
	}
	// Lines are placed by the minute from since, not on an hour's bar.
	c.origin(since, until)
	c.p.X.Min, c.p.X.Max = 0, c.at(until)
	cams := names(len(points), func(i int) string { return points[i].Camera })
	for i, cam := range cams {
		var segs []plotter.XYs
		var last time.Time
		for _, s := range points {
			if s.Camera != cam {
				continue
			}
			if len(segs) == 0 || s.At.Sub(last) > step*3/2 {
				segs = append(segs, nil)
			}
			last = s.At
			segs[len(segs)-1] = append(segs[len(segs)-1], plotter.XY{X: c.at(s.At.Add(step / 2)), Y: m.of(s)})
		}
		col := palette[i%len(palette)]
		for j, seg := range segs {
			// Stroked in pieces of strokePoints: freetype's rasterizer slows down with
			// the square of one path's cells (16 cameras' month of hours took 1.5 s as
			// one path each, 0.1 s in pieces of 8).
			var line *plotter.Line
			for k := 0; k < len(seg)-1 || k == 0; k += strokePoints {
				l, err := plotter.NewLine(seg[k:min(k+strokePoints+1, len(seg))])
				if err != nil {
					return nil, err
				}
				l.Color, l.Width = col, vg.Points(1.5)
				if i >= len(palette) {
					l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				}
				c.p.Add(l)
				line = l
			}
			// A dot per bucket only where they are few: a lone bucket between gaps would
			// draw nothing, and 700 dots a camera cost more than the lines.
			if len(seg) == 1 || c.slots <= 48 {
				dots, err := plotter.NewScatter(seg)
				if err != nil {
					return nil, err
				}
				dots.Color, dots.Radius, dots.Shape = col, vg.Points(2.5), draw.CircleGlyph{}
				c.p.Add(dots)
			}
			if j == 0 {
				c.legend.Add(cam, line)
			}
		}
	}
	// Headroom above the highest value, so a line at the top is not drawn on the frame.
	top := 1.0
	if m == Uptime {
		top = 100
	}
	for _, s := range points {
		top = max(top, m.of(s))
	}
	c.p.Y.Min, c.p.Y.Max = 0, top*1.08
	if len(cams) == 0 {
		c.p.Title.Text = title + " — no samples yet"
	}
	return c.render(cams, w, h), nil
}

// strokePoints is the most points one stroked path of a line joins.
const strokePoints = 8

// tickStep is the spacing of labelled ticks for a span: 6 to 12 labels.
func tickStep(span time.Duration) time.Duration {
	for _, step := range []time.Duration{10 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if span <= 12*step {
			return step
		}
	}
	return 3 * 24 * time.Hour
}

// timeTicks labels an x axis that counts units from since with UTC times every step
// (whole multiples of it since 1970, so hours and days land on the clock's).
type timeTicks struct {
	since      time.Time
	unit, step time.Duration
}

func (t timeTicks) Ticks(lo, hi float64) []plot.Tick {
	from := t.since.Add(time.Duration(lo * float64(t.unit)))
	to := t.since.Add(time.Duration(hi * float64(t.unit)))
	var ticks []plot.Tick
	for at := from.Truncate(t.step); !at.After(to); at = at.Add(t.step) {
		if at.Before(from) {
			continue
		}
		// Days by their date; hours by the clock, midnight by its date when ticks are
		// hours apart.
		label := at.UTC().Format("15:04")
		if t.step >= 24*time.Hour || t.step >= 3*time.Hour && at.UTC().Hour() == 0 {
			label = at.UTC().Format("Jan 2")
		}
		ticks = append(ticks, plot.Tick{Value: float64(at.Sub(t.since)) / float64(t.unit), Label: label})
	}
	return ticks
}

// plainTicks are gonum's default ticks labelled in the shortest form ("50", not "50.00").
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}
