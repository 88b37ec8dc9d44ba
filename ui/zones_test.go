package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// surfaceAt is the window point showing the fraction (fx, fy) of a camera's picture of
// srcW×srcH on a surface: the letterbox worked out here from the picture's shape, not
// with the tile's own mapping.
func surfaceAt(surf *zoneSurface, fx, fy float64) fyne.Position {
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(surf)
	s := surf.Size()
	k := min(float64(s.Width)/srcW, float64(s.Height)/srcH)
	ox, oy := (float64(s.Width)-srcW*k)/2, (float64(s.Height)-srcH*k)/2
	return fyne.NewPos(abs.X+float32(ox+fx*srcW*k), abs.Y+float32(oy+fy*srcH*k))
}

// tapMenuItem opens a tile's menu from its toolbar and taps the item labelled label.
func tapMenuItem(t *testing.T, win fyne.Window, tile *Tile, label string) {
	t.Helper()
	c := win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	test.MoveMouse(c, pos.Add(fyne.NewPos(tile.Size().Width/2, tile.Size().Height/2)))
	if tile.tb == nil || !tile.tb.Visible() || !tile.tb.menu.Visible() {
		t.Fatal("no menu button on the hovered tile")
	}
	test.Tap(tile.tb.menu)
	var item fyne.CanvasObject
	uitest.Walk(c.Overlays().Top(), func(o fyne.CanvasObject) bool {
		if tx, ok := o.(*canvas.Text); ok && tx.Text == label {
			item = tx
		}
		return item == nil
	})
	if item == nil {
		t.Fatalf("no %q in the tile's menu: %q", label, uitest.Texts(c.Overlays().Top()))
	}
	test.TapCanvas(c, fyne.CurrentApp().Driver().AbsolutePositionForObject(item).AddXY(2, 2))
}

// zonesRig is a wall of one camera with settings, edited through a CameraEditor that
// validates the settings as the core does and keeps the last saved camera.
type zonesRig struct {
	*wallTRig
	cam   config.Camera
	saves int
}

func newZonesRig(t *testing.T) *zonesRig {
	z := &zonesRig{cam: config.Camera{Name: "Cam 1", Streams: []config.Stream{{URL: "http://127.0.0.1:9/cam"}},
		Motion: &config.Motion{Threshold: 25}}}
	z.wallTRig = newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", func(o *WallOptions) {
		cams := o.Cameras.(*testCameras)
		o.Cameras = &testEditor{testCameras: cams,
			camera: func(name string) (config.Camera, bool) { return z.cam, name == z.cam.Name },
			edit: func(old string, cam config.Camera) error {
				cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Cameras: []config.Camera{cam}}
				if err := cfg.Validate(); err != nil {
					return err
				}
				z.cam = cam
				z.saves++
				return nil
			}}
	})
	z.wall.Start()
	return z
}

// open opens the zone editor from the tile's menu and waits for its picture.
func (z *zonesRig) open(t *testing.T) *zoneEditor {
	t.Helper()
	n := len(fyne.CurrentApp().Driver().AllWindows())
	tapMenuItem(t, z.win, z.wall.Tiles()[0], "Motion zones…")
	wins := fyne.CurrentApp().Driver().AllWindows()
	if len(wins) != n+1 {
		t.Fatalf("%d windows after Motion zones…, want %d", len(wins), n+1)
	}
	var e *zoneEditor
	if k := len(z.wall.zonesOpen); k > 0 {
		e = z.wall.zonesOpen[k-1]
	}
	if e == nil || e.win != wins[n] {
		t.Fatal("no zone editor in the new window")
	}
	pumpUntil(t, z.q, "the editor's picture", func() bool { return e.tile.hasPicture && e.tile.buf != nil })
	return e
}

func nearPoint(t *testing.T, what string, got, want [2]float64) {
	t.Helper()
	if math.Abs(got[0]-want[0]) > 0.01 || math.Abs(got[1]-want[1]) > 0.01 {
		t.Errorf("%s at %.3f, want %.3f", what, got, want)
	}
}

// TestZoneEditorDrawSave: a person draws a zone by clicks on the picture (closing it
// with a double-click), names it, sets its threshold and area, draws a mask with "Draw
// mask" and Enter, turns a second zone into a mask, drags a corner, deletes a third
// zone with Delete, and saves: the camera's settings hold the polygons in picture
// coordinates (the letterbox bars do not count), the mask as a mask, motion analysis
// on. Reopened, the editor shows them; Esc drops a polygon being drawn, then closes
// without saving.
func TestZoneEditorDrawSave(t *testing.T) {
	z := newZonesRig(t)
	e := z.open(t)
	c := e.win.Canvas()
	s := e.surf
	if len(s.shapes) != 0 || e.save.Disabled() {
		t.Fatalf("a camera without zones opens with %d shapes (save disabled %v)", len(s.shapes), e.save.Disabled())
	}
	if sz := s.Size(); sz.Width/sz.Height > srcW/srcH+0.01 || sz.Width/sz.Height < srcW/srcH-0.01 {
		t.Logf("surface %v: picture letterboxed", sz)
	} else {
		t.Fatalf("surface %v has the picture's shape: the letterbox is not tested", sz)
	}
	tap := func(fx, fy float64) { test.TapCanvas(c, surfaceAt(s, fx, fy)) }
	local := func(fx, fy float64) fyne.Position {
		return surfaceAt(s, fx, fy).Subtract(fyne.CurrentApp().Driver().AbsolutePositionForObject(s))
	}

	// Zone 1: three clicks and a double-click.
	tap(0.2, 0.2)
	tap(0.6, 0.2)
	tap(0.6, 0.7)
	s.DoubleTapped(&fyne.PointEvent{Position: local(0.2, 0.7)})
	if len(s.shapes) != 1 || s.shapes[0].mask || s.sel != 0 || s.open != nil {
		t.Fatalf("after four corners: %+v (selected %d, drawing %v)", s.shapes, s.sel, s.open)
	}
	for i, want := range [][2]float64{{0.2, 0.2}, {0.6, 0.2}, {0.6, 0.7}, {0.2, 0.7}} {
		nearPoint(t, "corner", s.shapes[0].points[i], want)
	}
	if e.name.Text != "Zone 1" || e.kind.Selected != "Zone" {
		t.Errorf("the form shows %q %q for the new zone", e.name.Text, e.kind.Selected)
	}
	e.name.SetText("")
	test.Type(e.name, "Door")
	e.threshold.SetValue(40)
	test.Type(e.minArea, "1.5")
	if z0 := s.shapes[0]; z0.name != "Door" || z0.threshold != 40 || math.Abs(z0.minArea-0.015) > 1e-9 {
		t.Errorf("the form changed the zone to %+v", z0)
	}

	// A mask: "Draw mask", three corners (the first inside the zone), Enter.
	test.Tap(uitest.Button(e.win.Content(), "Draw mask"))
	tap(0.3, 0.3)
	tap(0.5, 0.3)
	tap(0.4, 0.5)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(s.shapes) != 2 || !s.shapes[1].mask {
		t.Fatalf("after Draw mask: %+v", s.shapes)
	}

	// Another zone, closed on its first corner, becomes a mask; a click in it selects it.
	tap(0.7, 0.1)
	tap(0.9, 0.1)
	tap(0.9, 0.3)
	tap(0.7, 0.1)
	if len(s.shapes) != 3 || s.shapes[2].name != "Zone 1" { // Door freed the name
		t.Fatalf("after closing on the first corner: %+v", s.shapes)
	}
	tap(0.5, 0.5) // inside Door (and not in the mask)
	if s.sel != 0 || e.name.Text != "Door" {
		t.Fatalf("a click in Door selected %d (%q)", s.sel, e.name.Text)
	}
	tap(0.85, 0.15)
	if s.sel != 2 {
		t.Fatalf("a click in the new zone selected %d", s.sel)
	}
	e.kind.SetSelected("Mask")
	if !s.shapes[2].mask || !e.name.Disabled() {
		t.Errorf("the new zone as a mask: %+v (name enabled %v)", s.shapes[2], !e.name.Disabled())
	}

	// Drag Door's top-right corner to (0.8, 0.1): the drag ends there, having moved
	// from the corner.
	to, from := surfaceAt(s, 0.8, 0.1), surfaceAt(s, 0.6, 0.2)
	test.Drag(c, to, to.X-from.X, to.Y-from.Y)
	nearPoint(t, "dragged corner", s.shapes[0].points[1], [2]float64{0.8, 0.1})
	if s.sel != 0 {
		t.Errorf("the dragged zone is not selected (%d)", s.sel)
	}

	// A third zone, deleted with Delete.
	tap(0.1, 0.8)
	tap(0.3, 0.8)
	tap(0.3, 0.95)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if len(s.shapes) != 4 || s.sel != 3 {
		t.Fatalf("a third zone: %+v", s.shapes)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if len(s.shapes) != 3 {
		t.Fatalf("Delete left %+v", s.shapes)
	}

	// What is drawn over the picture (the surface's raster at its size): the zone's
	// outline in its colour, the mask darkened, nothing on the picture elsewhere.
	img := test.WidgetRenderer(s).(*surfaceRenderer).draw(int(s.Size().Width), int(s.Size().Height))
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(s)
	pix := func(fx, fy float64) color.NRGBA {
		p := surfaceAt(s, fx, fy).Subtract(abs)
		return color.NRGBAModel.Convert(img.At(int(p.X), int(p.Y))).(color.NRGBA)
	}
	if got := pix(0.2, 0.45); got.A < 0xc0 || got.R != zoneColors[0].R || got.B != zoneColors[0].B {
		t.Errorf("Door's left side is drawn %v, want %v", got, zoneColors[0])
	}
	if got := pix(0.4, 0.4); got.A < 0x80 || got.R > 0xc0 {
		t.Errorf("inside the mask %v, want dark or hatched", got)
	}
	if got := pix(0.45, 0.85); got.A != 0 {
		t.Errorf("outside every shape %v, want nothing drawn", got)
	}

	e.analyse.SetChecked(true)
	test.Tap(e.save)
	if z.saves != 1 || !e.closed {
		t.Fatalf("Save: %d saves, editor closed %v, status %q", z.saves, e.closed, e.status.Text)
	}
	m := z.cam.Motion
	if m == nil || m.Threshold != 25 || len(m.Zones) != 1 || len(m.Masks) != 2 || len(z.cam.Analyzers) != 1 || z.cam.Analyzers[0] != "motion" {
		t.Fatalf("saved %+v analyzers %q", m, z.cam.Analyzers)
	}
	door := m.Zones[0]
	if door.Name != "Door" || door.Threshold != 40 || math.Abs(door.MinArea-0.015) > 1e-9 || len(door.Points) != 4 {
		t.Errorf("saved zone %+v", door)
	}
	for i, want := range [][2]float64{{0.2, 0.2}, {0.8, 0.1}, {0.6, 0.7}, {0.2, 0.7}} {
		nearPoint(t, "saved corner", door.Points[i], want)
	}
	nearPoint(t, "saved mask corner", m.Masks[0][2], [2]float64{0.4, 0.5})
	nearPoint(t, "the zone made a mask", m.Masks[1][1], [2]float64{0.9, 0.1})

	// Reopened: what was saved. Esc while drawing drops the polygon; Esc again closes
	// without saving, and a deletion made meanwhile is not kept.
	e = z.open(t)
	s, c = e.surf, e.win.Canvas()
	if len(s.shapes) != 3 || s.shapes[0].name != "Door" || !s.shapes[1].mask || !s.shapes[2].mask {
		t.Fatalf("reopened with %+v", s.shapes)
	}
	// The shapes given before the first picture are drawn once it comes (the surface
	// follows the picture's size): Door's name is on it.
	if rd := test.WidgetRenderer(s).(*surfaceRenderer); len(rd.labels) == 0 || rd.labels[0].text.Text != "Door" || !rd.labels[0].text.Visible() {
		t.Errorf("no name drawn on the reopened editor's picture")
	}
	tap(0.5, 0.5)
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	tap(0.05, 0.9)
	tap(0.15, 0.9)
	if s.open == nil || len(s.shapes) != 2 {
		t.Fatalf("drawing after a delete: open %v shapes %d", s.open, len(s.shapes))
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.open != nil || e.closed {
		t.Fatalf("Esc while drawing: open %v, closed %v", s.open, e.closed)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !e.closed || z.saves != 1 || len(z.cam.Motion.Zones) != 1 {
		t.Fatalf("Esc: closed %v, %d saves, zones %+v", e.closed, z.saves, z.cam.Motion.Zones)
	}
}

// TestZoneEditorRefusedAndHover: a zone the settings refuse (its name emptied) keeps the
// editor open with the reason; the surface keeps the tile's toolbar hidden, the
// polygon being drawn follows the pointer, and a click on the letterbox bar adds no
// corner.
func TestZoneEditorRefusedAndHover(t *testing.T) {
	z := newZonesRig(t)
	e := z.open(t)
	s, c := e.surf, e.win.Canvas()
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(s)
	test.TapCanvas(c, abs.AddXY(s.Size().Width/2, 2)) // the bar above the picture
	if s.open != nil {
		t.Fatalf("a click on the letterbox bar started a polygon at %v", s.open)
	}
	for _, p := range [][2]float64{{0.1, 0.1}, {0.4, 0.1}, {0.4, 0.4}} {
		test.TapCanvas(c, surfaceAt(s, p[0], p[1]))
	}
	test.MoveMouse(c, surfaceAt(s, 0.2, 0.5))
	if !s.hovering || e.tile.hovered {
		t.Errorf("hovering the surface: surface %v, tile toolbar %v", s.hovering, e.tile.hovered)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.name.SetText(" ")
	test.Tap(e.save)
	if e.closed || z.saves != 0 || e.status.Text == "" {
		t.Fatalf("a nameless zone: closed %v, %d saves, status %q", e.closed, z.saves, e.status.Text)
	}
	t.Logf("refused: %s", e.status.Text)
}
