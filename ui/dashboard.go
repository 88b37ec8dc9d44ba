package ui

import (
	"image"
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

// dashCharts are the dashboard chooser's charts, in Chart's order, and the start of their
// PNG files' names.
var dashCharts = []struct{ name, file string }{
	{"Events per hour", "events-per-hour"},
	{"Detections by kind per day", "detections-by-kind"},
	{"Uptime per hour", "uptime"},
	{"Frames per second", "fps"},
	{"Bitrate", "bitrate"},
}

// dashRanges are the dashboard's spans, shortest first; the last hour shows the health
// of the cameras minute by minute (the sampler's rows) soon after a start.
var dashRanges = []struct {
	name string
	d    time.Duration
}{{"Last hour", time.Hour}, {"Last 24 hours", 24 * time.Hour}, {"Last 7 days", 7 * 24 * time.Hour}, {"Last 30 days", 30 * 24 * time.Hour}}

// dashSize is the size the charts are drawn at, in pixels.
var dashSize = struct{ w, h int }{960, 420}

// dashboard is the events pane's Dashboard tab: a chooser of chart and of range, the
// chart (of the pane's camera and kind filters) and its PNG export.
type dashboard struct {
	kind, span *widget.Select
	chart      *canvas.Image
	img        image.Image
	imgChart   Chart // what img shows, for the export's file name
	export     *widget.Button
	gen        int
}

func (v *eventsView) newDashboard() fyne.CanvasObject {
	d := &v.dash
	names := make([]string, len(dashCharts))
	for i, c := range dashCharts {
		names[i] = c.name
	}
	d.kind = widget.NewSelect(names, func(string) { v.refreshChart() })
	spans := make([]string, len(dashRanges))
	for i, r := range dashRanges {
		spans[i] = r.name
	}
	d.span = widget.NewSelect(spans, func(string) { v.refreshChart() })
	d.chart = &canvas.Image{FillMode: canvas.ImageFillContain}
	d.chart.SetMinSize(fyne.NewSize(640, 320))
	d.export = widget.NewButtonWithIcon("Export PNG", theme.DocumentSaveIcon(), v.exportChart)
	d.kind.SetSelectedIndex(0)
	d.span.SetSelectedIndex(1) // the last 24 hours
	// Wide enough for the longest choice: a Select is as narrow as its arrow otherwise.
	choosers := container.NewHBox(container.NewGridWrap(fyne.NewSize(260, d.kind.MinSize().Height), d.kind),
		container.NewGridWrap(fyne.NewSize(170, d.span.MinSize().Height), d.span))
	return container.NewBorder(choosers, container.NewHBox(d.export), nil, nil, d.chart)
}

// chartFilter is the pane's camera and kind with the dashboard's chart and range.
func (v *eventsView) chartFilter() EventFilter {
	f := v.filter()
	f.Chart = Chart(max(v.dash.kind.SelectedIndex(), 0))
	span := v.dash.span.SelectedIndex()
	if span < 0 {
		span = 1
	}
	f.Since = v.now().Add(-dashRanges[span].d)
	return f
}

// refreshChart draws the chosen chart off the UI goroutine and shows it; a chart asked
// for before it came back replaces it.
func (v *eventsView) refreshChart() {
	d := &v.dash
	if v.tabs == nil || v.tabs.SelectedIndex() != 1 || d.kind == nil || d.span == nil {
		return
	}
	f := v.chartFilter()
	d.gen++
	gen := d.gen
	v.status.SetText("Drawing the dashboard…")
	go func() {
		img, err := v.ev.Chart(f, dashSize.w, dashSize.h)
		v.do(func() {
			if gen != d.gen {
				return
			}
			if err != nil {
				v.status.SetText("The dashboard could not be drawn: " + err.Error())
				return
			}
			d.img, d.imgChart = img, f.Chart
			d.chart.Image = img
			d.chart.Refresh()
			v.status.SetText(v.counted())
		})
	}()
}

// exportChart writes the chart shown as a PNG next to the snapshots.
func (v *eventsView) exportChart() {
	d := &v.dash
	if d.img == nil || v.saveDir == "" {
		v.status.SetText("Nothing to export yet: open the dashboard first.")
		return
	}
	path := filepath.Join(v.saveDir, dashCharts[d.imgChart].file+"-"+v.now().Format("2006-01-02_15-04-05")+".png")
	err := os.MkdirAll(v.saveDir, 0o755)
	var f *os.File
	if err == nil {
		f, err = os.Create(path)
	}
	if err == nil {
		err = png.Encode(f, d.img)
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
