package panel_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/ui"
)

// texts is every visible label and canvas text in o, as a person reads the window, and
// what each picker shows as "[choice]".
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case *widget.Label:
			out = append(out, w.Text)
		case *canvas.Text:
			out = append(out, w.Text)
		case *widget.Select:
			out = append(out, "["+w.Selected+"]")
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// Maximising a tile keeps the other cameras connected without decoding (issue 12: the
// status bar said "0 offline" while a camera was down): cameras whose MJPEG server goes
// down while hidden are counted offline, and said to be not shown.
func TestMaximisedWallCountsHiddenCamerasOffline(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	shown := mjpegtest.NewServer(mjpegtest.Options{FPS: 10})
	defer shown.Close()
	hidden := mjpegtest.NewServer(mjpegtest.Options{Cameras: 2, FPS: 10})
	defer hidden.Close()
	yaml := fmt.Sprintf("wall: {layout: 2x2}\ncameras:\n"+
		"  - {name: Front, streams: [{url: %q}]}\n  - {name: Yard, streams: [{url: %q}]}\n  - {name: Dock, streams: [{url: %q}]}\n",
		shown.URL(), hidden.CameraURL(1), hidden.CameraURL(2))
	cfg, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	pn, err := panel.Open(cfg, panel.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer pn.Close()

	test.NewTempApp(t)
	q := &uiQueue{}
	wall := ui.NewWall(ui.WallOptions{Cameras: panelui.Cameras{P: pn}, Layout: cfg.Wall.Layout, Views: panelui.Views{P: pn}, Do: q.Do})
	pn.OnCameras(wall.SetCameras)
	win := test.NewWindow(nil)
	win.SetContent(wall.Panel(win))
	win.Resize(fyne.NewSize(1000, 700))
	wall.Start()
	defer func() { wall.Stop(); q.pumpUntil(t, "nothing", func() bool { return true }) }()

	showing := func(s string) func() bool {
		return func() bool { return slices.Contains(texts(win.Content()), s) }
	}
	q.pumpUntil(t, "3 live", showing("3 live"))
	wall.Maximise(0)
	if len(wall.Tiles()) != 1 || wall.Tile("Yard").Running() || wall.Tile("Dock").Running() {
		t.Fatalf("maximised: %d tiles on screen, Yard decodes %v", len(wall.Tiles()), wall.Tile("Yard").Running())
	}
	q.pumpUntil(t, "still 3 live while maximised", showing("3 live"))
	if !wall.Held("Yard") || !wall.Held("Dock") {
		t.Fatal("hidden cameras not kept connected")
	}
	hidden.Down()
	q.pumpUntil(t, "2 offline (2 not shown)", func() bool {
		return showing("1 live")() && showing("2 offline (2 not shown)")()
	})
	if wall.Tile("Yard").Running() {
		t.Error("a hidden camera decodes")
	}
	if st := slices.IndexFunc(texts(win.Content()), func(s string) bool { return strings.HasPrefix(s, "0 offline") }); st >= 0 {
		t.Error("still 0 offline")
	}
}
