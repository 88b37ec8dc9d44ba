// Package dash draws the analytics dashboards as pictures (gonum/plot), apart from any
// widget: the wall shows them and exports them as PNG.
package dash

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/vigil-cctv/vigil/analytics/store"
)

// palette tells cameras apart, in a stacked bar's order.
var palette = []color.Color{
	color.RGBA{0x4f, 0xa3, 0xff, 0xff}, color.RGBA{0xff, 0xb3, 0x00, 0xff}, color.RGBA{0x4c, 0xc9, 0x7a, 0xff},
	color.RGBA{0xe5, 0x48, 0x4d, 0xff}, color.RGBA{0xb0, 0x7c, 0xff, 0xff}, color.RGBA{0x2e, 0xc4, 0xc4, 0xff},
	color.RGBA{0xf0, 0x80, 0xc0, 0xff}, color.RGBA{0xa0, 0xa0, 0xa0, 0xff},
}

// MaxHours bounds a chart's span (a month of hours).
const MaxHours = 31 * 24

// EventsPerHour is a stacked bar chart of events per hour per camera over [since,
// until), w×h pixels, in the wall's dark colours; title names what is counted.
func EventsPerHour(counts []store.HourCount, since, until time.Time, title string, w, h int) (image.Image, error) {
	since, until = since.UTC().Truncate(time.Hour), until.UTC()
	hours := int(until.Sub(since)/time.Hour) + 1
	if hours <= 0 || hours > MaxHours || w < 100 || h < 80 || w > 4000 || h > 4000 {
		return nil, fmt.Errorf("dashboard: %d hours at %d×%d: want 1 to %d hours, 100×80 to 4000×4000 pixels", hours, w, h, MaxHours)
	}
	var cams []string
	for _, c := range counts {
		if !slices.Contains(cams, c.Camera) {
			cams = append(cams, c.Camera)
		}
	}
	slices.Sort(cams)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "hour (UTC), from " + since.Format("2006-01-02 15:04")
	p.Y.Label.Text = "events"
	fg := color.RGBA{0xd0, 0xd4, 0xda, 0xff}
	p.BackgroundColor = color.RGBA{0x10, 0x12, 0x16, 0xff}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color, a.Label.TextStyle.Color, a.Tick.Color, a.Tick.Label.Color = fg, fg, fg, fg
	}
	p.Title.TextStyle.Color = fg
	p.Legend.TextStyle.Color = fg
	p.Legend.Top, p.Legend.Left = true, true
	// One pixel is 0.75 pt at the canvas's 96 dpi; bars fill 60 % of their hour.
	barW := vg.Points(max(0.75, float64(w-120)*0.75/float64(hours)*0.6))
	var below *plotter.BarChart
	for i, cam := range cams {
		vals := make(plotter.Values, hours)
		for _, c := range counts {
			if c.Camera == cam {
				if k := int(c.Hour.UTC().Sub(since) / time.Hour); k >= 0 && k < hours {
					vals[k] += float64(c.Count)
				}
			}
		}
		bars, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return nil, err
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(cam, bars)
	}
	if len(cams) == 0 {
		p.Title.Text = title + " — no events"
		p.Y.Max = 1
	}
	p.X.Min, p.X.Max = -0.5, float64(hours)-0.5
	c := vgimg.New(vg.Length(w)*vg.Inch/96, vg.Length(h)*vg.Inch/96)
	p.Draw(draw.New(c))
	return c.Image(), nil
}
