package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/vector"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// The motion zone editor (issue 15), as Milestone's motion-detection setup and Blue
// Iris's zone editor have it: the camera's live picture with its zones (coloured
// outlines, named) and masks (hatched), drawn and changed with the mouse on a surface
// over a Tile of its own. Points are fractions of the camera's whole picture, mapped
// through the tile's letterboxing (Tile.picturePoint, Tile.pictureRect), so they fit
// every stream of the camera, as config.Motion keeps them. Save goes through the
// CameraEditor, which validates and saves the camera's settings atomically and restarts
// its analyzer. The same surface draws the box of a motion search (search.go).

// zoneShape is a zone or a mask being edited.
type zoneShape struct {
	mask      bool
	name      string // zones only
	points    [][2]float64
	threshold int     // zones only; 0: the camera's
	minArea   float64 // zones only; fraction of the zone, 0: the default
}

// Hit radii on the surface, in logical pixels.
const (
	cornerHit   = 8 // a corner is grabbed or the polygon closed within this
	cornerSide  = 7 // a corner handle's side
	zoneOutline = 2 // a zone's outline; the selected one's is twice that
)

// zoneColors are the zones' outlines, one per zone in turn: told apart on any picture.
var zoneColors = []color.NRGBA{
	{R: 0x4f, G: 0xa3, B: 0xff, A: 0xff}, // blue
	{R: 0x3d, G: 0xdc, B: 0x84, A: 0xff}, // green
	{R: 0xff, G: 0xb3, B: 0x00, A: 0xff}, // amber
	{R: 0xff, G: 0x5c, B: 0xa8, A: 0xff}, // pink
	{R: 0x9b, G: 0x7b, B: 0xff, A: 0xff}, // violet
	{R: 0x00, G: 0xd0, B: 0xd0, A: 0xff}, // cyan
}

var (
	colorMaskLine  = color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}
	colorMaskDark  = color.NRGBA{A: 0xa0}
	colorMaskHatch = color.NRGBA{R: 0xb0, G: 0xb0, B: 0xb0, A: 0xa0}
	colorDrawing   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

// surfaceMode is what a drag or a click on the surface does.
type surfaceMode int

const (
	modeZones surfaceMode = iota // polygons: click corners, drag corners
	modeBox                      // one rectangle: drag it out (motion search)
)

// zoneSurface lies over a Tile (same position and size) and takes its clicks, drags and
// hovers. Everything runs on the UI goroutine.
type zoneSurface struct {
	widget.BaseWidget
	tile *Tile
	mode surfaceMode

	shapes []zoneShape
	sel    int // the selected shape, -1 for none
	// open is the polygon being drawn (nil when none), openMask whether it becomes a
	// mask; armed is set by "Draw zone"/"Draw mask": the next click starts a polygon
	// even inside another shape.
	open     [][2]float64
	openMask bool
	armed    bool
	hover    fyne.Position
	hovering bool

	// A drag under way: the corner it moves (shape, corner) or, in modeBox, where it
	// started (picture fractions).
	dragShape, dragCorner int
	dragging              bool
	dragFrom              [2]float64

	box    Box
	hasBox bool

	// onChange is told after every change of the shapes, the selection or the box.
	onChange func()
}

func newZoneSurface(t *Tile, mode surfaceMode) *zoneSurface {
	s := &zoneSurface{tile: t, mode: mode, sel: -1, dragShape: -1}
	s.ExtendBaseWidget(s)
	return s
}

var (
	_ fyne.Tappable       = (*zoneSurface)(nil)
	_ fyne.DoubleTappable = (*zoneSurface)(nil)
	_ fyne.Draggable      = (*zoneSurface)(nil)
	_ desktop.Hoverable   = (*zoneSurface)(nil)
)

// toScreen is a picture point on the surface (the editor's tile is never zoomed).
func (s *zoneSurface) toScreen(p [2]float64) fyne.Position {
	pos, size := s.tile.pictureRect()
	return fyne.NewPos(pos.X+float32(p[0])*size.Width, pos.Y+float32(p[1])*size.Height)
}

// pictureAt is the picture point under a surface point; clamp moves a point beside the
// picture onto its edge (a drag), else ok is false there.
func (s *zoneSurface) pictureAt(p fyne.Position, clamp bool) (pt [2]float64, ok bool) {
	if s.tile.buf == nil {
		return pt, false
	}
	if clamp {
		pos, size := s.tile.pictureRect()
		p.X = min(max(p.X, pos.X), pos.X+size.Width)
		p.Y = min(max(p.Y, pos.Y), pos.Y+size.Height)
	}
	x, y, ok := s.tile.picturePoint(p)
	return [2]float64{x, y}, ok
}

func (s *zoneSurface) changed() {
	s.Refresh()
	if s.onChange != nil {
		s.onChange()
	}
}

// Tapped is part of fyne.Tappable: a corner of the polygon being drawn, the first corner
// again to close it, or (not drawing) the shape under the pointer selected, or a new
// polygon started on the picture outside every shape.
func (s *zoneSurface) Tapped(ev *fyne.PointEvent) {
	if s.mode != modeZones {
		return
	}
	p, ok := s.pictureAt(ev.Position, false)
	if !ok {
		return
	}
	if s.open != nil {
		if len(s.open) >= 3 && s.near(ev.Position, s.open[0]) {
			s.closePolygon()
			return
		}
		s.addCorner(p, ev.Position)
		return
	}
	if !s.armed {
		if i := s.shapeAt(p); i >= 0 {
			s.sel = i
			s.changed()
			return
		}
		s.openMask = false // a click on the picture starts a zone; "Draw mask" a mask
	}
	s.open = [][2]float64{p}
	s.armed = false
	s.sel = -1 // the form is for the new shape once it is closed
	s.changed()
}

// DoubleTapped is part of fyne.DoubleTappable: the corner clicked, then the polygon is
// closed (a desktop double-click reports no single taps).
func (s *zoneSurface) DoubleTapped(ev *fyne.PointEvent) {
	if s.mode != modeZones {
		return
	}
	if p, ok := s.pictureAt(ev.Position, false); ok {
		if s.open == nil {
			s.open, s.openMask = [][2]float64{p}, s.armed && s.openMask
			s.armed = false
		} else {
			s.addCorner(p, ev.Position)
		}
	}
	s.closePolygon()
}

// addCorner adds a corner to the open polygon unless it repeats the last one.
func (s *zoneSurface) addCorner(p [2]float64, at fyne.Position) {
	if n := len(s.open); n > 0 && s.near(at, s.open[n-1]) {
		return
	}
	if len(s.open) >= 64 { // config's limit of a polygon
		return
	}
	s.open = append(s.open, p)
	s.changed()
}

// closePolygon makes the open polygon a zone or a mask, selected; one of fewer than
// three corners is dropped.
func (s *zoneSurface) closePolygon() {
	if s.open == nil {
		return
	}
	pts := s.open
	s.open = nil
	if len(pts) < 3 {
		s.changed()
		return
	}
	sh := zoneShape{mask: s.openMask, points: pts}
	if !sh.mask {
		sh.name = s.newName()
	}
	s.shapes = append(s.shapes, sh)
	s.sel = len(s.shapes) - 1
	s.changed()
}

// newName is "Zone N" for the first N not taken.
func (s *zoneSurface) newName() string {
	for n := 1; ; n++ {
		name := "Zone " + strconv.Itoa(n)
		if !slices.ContainsFunc(s.shapes, func(z zoneShape) bool { return !z.mask && strings.EqualFold(z.name, name) }) {
			return name
		}
	}
}

// drop abandons the polygon being drawn; false when none was.
func (s *zoneSurface) drop() bool {
	if s.open == nil && !s.armed {
		return false
	}
	s.open, s.armed = nil, false
	s.changed()
	return true
}

// deleteSelected removes the selected shape.
func (s *zoneSurface) deleteSelected() {
	if s.sel < 0 || s.sel >= len(s.shapes) {
		return
	}
	s.shapes = slices.Delete(s.shapes, s.sel, s.sel+1)
	s.sel = -1
	s.changed()
}

// near reports whether a surface point is within cornerHit of a picture point.
func (s *zoneSurface) near(at fyne.Position, p [2]float64) bool {
	q := s.toScreen(p)
	return math.Hypot(float64(at.X-q.X), float64(at.Y-q.Y)) <= cornerHit
}

// shapeAt is the topmost shape containing a picture point, -1 for none.
func (s *zoneSurface) shapeAt(p [2]float64) int {
	for i := len(s.shapes) - 1; i >= 0; i-- {
		if insidePolygon(s.shapes[i].points, p) {
			return i
		}
	}
	return -1
}

// cornerAt is the corner near a surface point, the selected shape's first.
func (s *zoneSurface) cornerAt(at fyne.Position) (shape, corner int) {
	order := make([]int, 0, len(s.shapes))
	if s.sel >= 0 {
		order = append(order, s.sel)
	}
	for i := len(s.shapes) - 1; i >= 0; i-- {
		if i != s.sel {
			order = append(order, i)
		}
	}
	for _, i := range order {
		for k, p := range s.shapes[i].points {
			if s.near(at, p) {
				return i, k
			}
		}
	}
	return -1, -1
}

// insidePolygon is the even-odd rule.
func insidePolygon(poly [][2]float64, p [2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// Dragged is part of fyne.Draggable: it moves the corner grabbed at the drag's start
// (kept on the picture), or in modeBox drags out the box.
func (s *zoneSurface) Dragged(ev *fyne.DragEvent) {
	if !s.dragging {
		s.dragging = true
		start := ev.Position.SubtractXY(ev.Dragged.DX, ev.Dragged.DY)
		switch s.mode {
		case modeZones:
			s.dragShape, s.dragCorner = s.cornerAt(start)
			if s.dragShape >= 0 {
				s.sel = s.dragShape
			}
		case modeBox:
			p, ok := s.pictureAt(start, true)
			if !ok {
				s.dragging = false
				return
			}
			s.dragFrom = p
		}
	}
	p, ok := s.pictureAt(ev.Position, true)
	if !ok {
		return
	}
	switch {
	case s.mode == modeBox:
		a := s.dragFrom
		s.box = Box{X0: min(a[0], p[0]), Y0: min(a[1], p[1]), X1: max(a[0], p[0]), Y1: max(a[1], p[1])}
		s.hasBox = s.box.X1 > s.box.X0 && s.box.Y1 > s.box.Y0
		s.changed()
	case s.dragShape >= 0:
		s.shapes[s.dragShape].points[s.dragCorner] = p
		s.changed()
	}
}

// DragEnd is part of fyne.Draggable.
func (s *zoneSurface) DragEnd() {
	s.dragging = false
	s.dragShape = -1
}

// MouseIn, MouseMoved and MouseOut are part of desktop.Hoverable: the polygon being
// drawn follows the pointer with its next side (and the tile below shows no toolbar).
func (s *zoneSurface) MouseIn(ev *desktop.MouseEvent) { s.MouseMoved(ev) }

func (s *zoneSurface) MouseMoved(ev *desktop.MouseEvent) {
	s.hover, s.hovering = ev.Position, true
	if s.open != nil {
		s.Refresh()
	}
}

func (s *zoneSurface) MouseOut() {
	s.hovering = false
	if s.open != nil {
		s.Refresh()
	}
}

// CreateRenderer is part of fyne.Widget.
func (s *zoneSurface) CreateRenderer() fyne.WidgetRenderer {
	r := &surfaceRenderer{s: s}
	r.raster = canvas.NewRaster(r.draw)
	return r
}

// surfaceRenderer draws the shapes into one raster at the screen's pixels, and each
// zone's name on a dark plate at its top corner.
type surfaceRenderer struct {
	s      *zoneSurface
	raster *canvas.Raster
	labels []*zoneLabel
}

type zoneLabel struct {
	back *canvas.Rectangle
	text *canvas.Text
}

func (r *surfaceRenderer) Layout(size fyne.Size) {
	r.raster.Resize(size)
	r.placeLabels()
}

func (r *surfaceRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *surfaceRenderer) Refresh() {
	r.placeLabels()
	r.raster.Refresh()
}

// placeLabels names each zone above its topmost corner.
func (r *surfaceRenderer) placeLabels() {
	s := r.s
	n := 0
	for i, sh := range s.shapes {
		if sh.mask || sh.name == "" || s.tile.buf == nil {
			continue
		}
		if n == len(r.labels) {
			l := &zoneLabel{back: canvas.NewRectangle(color.NRGBA{A: 0xb0}), text: canvas.NewText("", colorName)}
			l.text.TextStyle.Bold = true
			l.text.TextSize = detailTextSize
			l.back.CornerRadius = 3
			r.labels = append(r.labels, l)
		}
		l := r.labels[n]
		n++
		l.text.Text, l.text.Color = sh.name, zoneColor(s.shapes, i)
		top := sh.points[0]
		for _, p := range sh.points {
			if p[1] < top[1] {
				top = p
			}
		}
		at := s.toScreen(top)
		ts := fyne.MeasureText(sh.name, l.text.TextSize, l.text.TextStyle)
		x := min(max(at.X-ts.Width/2, 0), max(s.Size().Width-ts.Width-6, 0))
		y := max(at.Y-ts.Height-6, 0)
		l.back.Move(fyne.NewPos(x, y))
		l.back.Resize(fyne.NewSize(ts.Width+6, ts.Height+2))
		l.text.Move(fyne.NewPos(x+3, y+1))
		l.text.Resize(ts)
		l.back.Show()
		l.text.Show()
		l.back.Refresh()
		l.text.Refresh()
	}
	for _, l := range r.labels[n:] {
		l.back.Hide()
		l.text.Hide()
	}
}

func (r *surfaceRenderer) Objects() []fyne.CanvasObject {
	out := []fyne.CanvasObject{r.raster}
	for _, l := range r.labels {
		out = append(out, l.back, l.text)
	}
	return out
}

func (r *surfaceRenderer) Destroy() {}

// zoneColor is the outline of shapes[i], a zone: the zones' colours in turn.
func zoneColor(shapes []zoneShape, i int) color.NRGBA {
	k := 0
	for _, sh := range shapes[:i] {
		if !sh.mask {
			k++
		}
	}
	return zoneColors[k%len(zoneColors)]
}

// draw is the raster: masks darkened and hatched, zones tinted and outlined, the
// selected shape's corners as handles, the polygon being drawn, the search box.
func (r *surfaceRenderer) draw(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	s := r.s
	if s.tile.buf == nil || s.Size().Width <= 0 {
		return img
	}
	scale := float32(w) / s.Size().Width
	px := func(p [2]float64) (float32, float32) {
		q := s.toScreen(p)
		return q.X * scale, q.Y * scale
	}
	pen := &drawing{img: img, ras: vector.NewRasterizer(w, h)}
	for i, sh := range s.shapes {
		pts := make([][2]float32, len(sh.points))
		for k, p := range sh.points {
			pts[k][0], pts[k][1] = px(p)
		}
		line := zoneOutline * scale
		if i == s.sel {
			line *= 2
		}
		if sh.mask {
			pen.fill(pts, image.NewUniform(colorMaskDark))
			pen.fill(pts, hatch{on: colorMaskHatch, period: max(int(10*scale), 4)})
			pen.outline(pts, line, colorMaskLine, true)
		} else {
			c := zoneColor(s.shapes, i)
			tint := c
			tint.A = 0x30
			pen.fill(pts, image.NewUniform(tint))
			pen.outline(pts, line, c, true)
		}
		if i == s.sel {
			for _, p := range pts {
				pen.handle(p, cornerSide*scale, colorDrawing)
			}
		}
	}
	if s.open != nil {
		pts := make([][2]float32, 0, len(s.open)+1)
		for _, p := range s.open {
			x, y := px(p)
			pts = append(pts, [2]float32{x, y})
		}
		for _, p := range pts {
			pen.handle(p, cornerSide*scale, colorDrawing)
		}
		if s.hovering {
			pts = append(pts, [2]float32{s.hover.X * scale, s.hover.Y * scale})
		}
		pen.outline(pts, zoneOutline*scale, colorDrawing, false)
	}
	if s.mode == modeBox && s.hasBox {
		x0, y0 := px([2]float64{s.box.X0, s.box.Y0})
		x1, y1 := px([2]float64{s.box.X1, s.box.Y1})
		pts := [][2]float32{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
		tint := colorSelected
		tint.A = 0x40
		pen.fill(pts, image.NewUniform(tint))
		pen.outline(pts, 2*scale, colorSelected, true)
	}
	return img
}

// drawing fills polygons into an image with golang.org/x/image/vector (antialiased).
type drawing struct {
	img *image.RGBA
	ras *vector.Rasterizer
}

func (d *drawing) fill(pts [][2]float32, src image.Image) {
	if len(pts) < 3 {
		return
	}
	// Rasterize only the polygon's bounding box: a full-picture pass per side would
	// cost the whole picture many times over on every pointer move.
	x0, y0, x1, y1 := pts[0][0], pts[0][1], pts[0][0], pts[0][1]
	for _, p := range pts[1:] {
		x0, y0, x1, y1 = min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
	}
	box := image.Rect(int(math.Floor(float64(x0))), int(math.Floor(float64(y0))),
		int(math.Ceil(float64(x1)))+1, int(math.Ceil(float64(y1)))+1).Intersect(d.img.Rect)
	if box.Empty() {
		return
	}
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	d.ras.Reset(box.Dx(), box.Dy())
	d.ras.MoveTo(pts[0][0]-ox, pts[0][1]-oy)
	for _, p := range pts[1:] {
		d.ras.LineTo(p[0]-ox, p[1]-oy)
	}
	d.ras.ClosePath()
	d.ras.Draw(d.img, box, src, box.Min)
}

// outline strokes the sides of a polyline (closed: back to its start), each a quad of
// the line's width.
func (d *drawing) outline(pts [][2]float32, width float32, c color.NRGBA, closed bool) {
	src := image.NewUniform(c)
	n := len(pts) - 1
	if closed {
		n = len(pts)
	}
	for i := 0; i < n; i++ {
		a, b := pts[i], pts[(i+1)%len(pts)]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*width/2, dx/l*width/2
		ex, ey := dx/l*width/2, dy/l*width/2 // past the corners, so sides meet
		d.fill([][2]float32{{a[0] - ex + nx, a[1] - ey + ny}, {b[0] + ex + nx, b[1] + ey + ny},
			{b[0] + ex - nx, b[1] + ey - ny}, {a[0] - ex - nx, a[1] - ey - ny}}, src)
	}
}

// handle is a corner's square, outlined dark so it shows on a light picture.
func (d *drawing) handle(p [2]float32, side float32, c color.NRGBA) {
	sq := func(h float32) [][2]float32 {
		return [][2]float32{{p[0] - h, p[1] - h}, {p[0] + h, p[1] - h}, {p[0] + h, p[1] + h}, {p[0] - h, p[1] + h}}
	}
	d.fill(sq(side/2+1), image.NewUniform(color.NRGBA{A: 0xff}))
	d.fill(sq(side/2), image.NewUniform(c))
}

// hatch is diagonal stripes, the painters' sign for "not here".
type hatch struct {
	on     color.NRGBA
	period int
}

func (h hatch) ColorModel() color.Model { return color.NRGBAModel }
func (h hatch) Bounds() image.Rectangle { return image.Rect(-1<<20, -1<<20, 1<<20, 1<<20) }
func (h hatch) At(x, y int) color.Color {
	if ((x+y)%h.period+h.period)%h.period < h.period/3 {
		return h.on
	}
	return color.NRGBA{}
}

// shapesOf are a camera's zones and masks as the editor holds them.
func shapesOf(m *config.Motion) []zoneShape {
	if m == nil {
		return nil
	}
	var out []zoneShape
	for _, z := range m.Zones {
		out = append(out, zoneShape{name: z.Name, points: slices.Clone(z.Points), threshold: z.Threshold, minArea: z.MinArea})
	}
	for _, p := range m.Masks {
		out = append(out, zoneShape{mask: true, points: slices.Clone(p)})
	}
	return out
}

// motionOf is the camera's motion settings with the editor's zones and masks (its
// camera-wide threshold and minimum area kept); nil when nothing is left to set.
func motionOf(old *config.Motion, shapes []zoneShape) *config.Motion {
	var m config.Motion
	if old != nil {
		m.Threshold, m.MinArea = old.Threshold, old.MinArea
	}
	for _, sh := range shapes {
		if sh.mask {
			m.Masks = append(m.Masks, slices.Clone(sh.points))
			continue
		}
		m.Zones = append(m.Zones, config.MotionZone{Name: sh.name, Points: slices.Clone(sh.points), Threshold: sh.threshold, MinArea: sh.minArea})
	}
	if m.Threshold == 0 && m.MinArea == 0 && len(m.Zones) == 0 && len(m.Masks) == 0 {
		return nil
	}
	return &m
}

// surfaceWindow is a window of a camera's live picture under a surface: the zone
// editor's, the motion search's.
type surfaceWindow struct {
	win    fyne.Window
	tile   *Tile
	surf   *zoneSurface
	closed bool
}

// newSurfaceWindow makes the window with a Tile of its own on a camera's live stream
// (one more viewer of it, so the wall's tile is untouched) under a surface.
func (w *Wall) newSurfaceWindow(title, camera string, mode surfaceMode) *surfaceWindow {
	t := NewTile(w.liveStream(camera))
	t.do = w.batch.Do
	sw := &surfaceWindow{win: fyne.CurrentApp().NewWindow(title), tile: t, surf: newZoneSurface(t, mode)}
	t.OnPictureSize = func(*Tile) { sw.surf.Refresh() }
	return sw
}

// show shows the window and starts its picture; closing it stops the picture, then
// calls onClosed.
func (sw *surfaceWindow) show(onClosed func()) {
	sw.win.SetOnClosed(func() {
		sw.closed = true
		sw.tile.Stop()
		onClosed()
	})
	sw.win.Resize(fyne.NewSize(1100, 640))
	sw.win.Show()
	sw.tile.Start()
}

// picture is the window's picture with the surface over it.
func (sw *surfaceWindow) picture() fyne.CanvasObject {
	return container.NewStack(canvas.NewRectangle(colorWallBack), sw.tile, sw.surf)
}

// zoneEditor is the "Motion zones…" window of one camera.
type zoneEditor struct {
	*surfaceWindow
	w      *Wall
	camera string
	cam    config.Camera
	saved  bool // the camera has settings the editor can save

	name         *widget.Entry
	kind         *widget.RadioGroup
	threshold    *widget.Slider
	thresholdL   *widget.Label
	minArea      *widget.Entry
	analyse      *widget.Check
	status       *widget.Label
	save, del    *widget.Button
	drawZ, drawM *widget.Button
	syncing      bool // the form is being filled from the selection
}

// EditZones opens the motion zone editor of a camera in a window of its own (the tile
// menu's "Motion zones…") and returns it, nil for a camera not in the list. Without a
// CameraEditor, or for a camera without settings (a demo camera), it only shows.
func (w *Wall) EditZones(camera string) fyne.Window {
	if e := w.editZones(camera); e != nil {
		return e.win
	}
	return nil
}

func (w *Wall) editZones(camera string) *zoneEditor {
	if w.liveStream(camera) == nil {
		return nil
	}
	e := &zoneEditor{w: w, camera: camera, surfaceWindow: w.newSurfaceWindow("Vigil — Motion zones: "+camera, camera, modeZones)}
	if ed := w.editor(); ed != nil {
		e.cam, e.saved = ed.Camera(camera)
	}
	e.surf.shapes = shapesOf(e.cam.Motion)
	e.surf.onChange = e.syncForm
	e.build()
	e.win.Canvas().SetOnTypedKey(e.typedKey)
	e.show(func() { w.zonesOpen = slices.DeleteFunc(w.zonesOpen, func(o *zoneEditor) bool { return o == e }) })
	w.zonesOpen = append(w.zonesOpen, e)
	return e
}

// liveStream is a camera's live stream (its tile may be playing back).
func (w *Wall) liveStream(camera string) *capture.Stream {
	for _, s := range w.cameras {
		if s.Name() == camera {
			return s
		}
	}
	return nil
}

func (e *zoneEditor) build() {
	e.name = widget.NewEntry()
	e.name.OnChanged = func(s string) { e.edit(func(z *zoneShape) { z.name = strings.TrimSpace(s) }) }
	e.kind = widget.NewRadioGroup([]string{"Zone", "Mask"}, func(s string) {
		if s == "" {
			return // the group was tapped off: a shape stays what it was
		}
		e.edit(func(z *zoneShape) {
			z.mask = s == "Mask"
			if !z.mask && z.name == "" {
				z.name = e.surf.newName()
			}
		})
		if z, ok := e.selected(); ok && !e.syncing {
			e.syncing = true
			e.name.SetText(z.name)
			e.syncing = false
		}
	})
	e.kind.Horizontal = true
	e.threshold = widget.NewSlider(0, 255)
	e.threshold.Step = 1
	e.thresholdL = widget.NewLabel("")
	e.threshold.OnChanged = func(v float64) {
		e.thresholdL.SetText(thresholdText(int(v)))
		e.edit(func(z *zoneShape) { z.threshold = int(v) })
	}
	e.minArea = widget.NewEntry()
	e.minArea.SetPlaceHolder("0.2 (the default)")
	e.minArea.OnChanged = func(s string) {
		e.edit(func(z *zoneShape) {
			if v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64); err == nil {
				z.minArea = v / 100
			} else if strings.TrimSpace(s) == "" {
				z.minArea = 0
			}
		})
	}
	e.analyse = widget.NewCheck("Analyse motion on this camera", nil)
	e.analyse.SetChecked(slices.Contains(e.cam.Analyzers, "motion"))
	e.status = wrapLabel("")
	e.drawZ = widget.NewButtonWithIcon("Draw zone", theme.ContentAddIcon(), func() { e.arm(false) })
	e.drawM = widget.NewButtonWithIcon("Draw mask", theme.ContentAddIcon(), func() { e.arm(true) })
	e.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), e.surf.deleteSelected)
	e.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), e.saveZones)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", e.win.Close)
	help := widget.NewLabel("Click the picture to place corners; double-click, Enter or a click on the first corner " +
		"closes the shape. Drag a corner to move it; Delete removes the selected shape; Esc cancels.")
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Name", e.name),
		widget.NewFormItem("Kind", e.kind),
		widget.NewFormItem("Threshold", container.NewBorder(nil, e.thresholdL, nil, nil, e.threshold)),
		widget.NewFormItem("Minimum area %", e.minArea),
	)
	side := container.NewVBox(container.NewGridWithColumns(2, e.drawZ, e.drawM), widget.NewSeparator(),
		widget.NewLabelWithStyle("Selected", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), form, e.del,
		widget.NewSeparator(), e.analyse, help)
	if !e.saved {
		e.status.SetText(e.camera + " has no settings of its own (a built-in demo camera): its zones cannot be saved.")
	}
	sideW := canvas.NewRectangle(color.Transparent)
	sideW.SetMinSize(fyne.NewSize(320, 0))
	buttons := container.NewHBox(layout.NewSpacer(), cancel, e.save)
	e.win.SetContent(container.NewBorder(nil, container.NewBorder(nil, nil, nil, buttons, e.status), nil,
		container.NewStack(sideW, container.NewPadded(side)),
		e.picture()))
	e.syncForm()
}

// thresholdText says what a threshold means.
func thresholdText(v int) string {
	if v == 0 {
		return "the camera's (lower is more sensitive)"
	}
	return fmt.Sprintf("%d of 255 (lower is more sensitive)", v)
}

// arm makes the next click start a zone or a mask, wherever it is.
func (e *zoneEditor) arm(mask bool) {
	e.surf.open, e.surf.armed, e.surf.openMask = nil, true, mask
	e.surf.sel = -1
	e.surf.changed()
	if mask {
		e.status.SetText("Click the corners of the mask: motion there is ignored.")
	} else {
		e.status.SetText("Click the corners of the zone.")
	}
}

// edit changes the selected shape from the form (not while the form follows the
// selection).
func (e *zoneEditor) edit(f func(*zoneShape)) {
	s := e.surf
	if e.syncing || s.sel < 0 || s.sel >= len(s.shapes) {
		return
	}
	f(&s.shapes[s.sel])
	s.Refresh()
	e.enableForm()
}

// syncForm fills the form from the selected shape (after a change on the surface).
func (e *zoneEditor) syncForm() {
	e.syncing = true
	defer func() { e.syncing = false }()
	z, on := e.selected()
	e.name.SetText(z.name)
	switch {
	case on && z.mask:
		e.kind.SetSelected("Mask")
	case on:
		e.kind.SetSelected("Zone")
	default:
		e.kind.SetSelected("")
	}
	e.threshold.SetValue(float64(z.threshold))
	e.thresholdL.SetText(thresholdText(z.threshold))
	area := ""
	if z.minArea > 0 {
		area = strconv.FormatFloat(100*z.minArea, 'f', -1, 64)
	}
	e.minArea.SetText(area)
	e.enableForm()
}

// selected is the selected shape, ok false for none.
func (e *zoneEditor) selected() (zoneShape, bool) {
	s := e.surf
	if s.sel < 0 || s.sel >= len(s.shapes) {
		return zoneShape{}, false
	}
	return s.shapes[s.sel], true
}

// enableForm enables what applies to the selection: a mask has no name, threshold or
// area of its own.
func (e *zoneEditor) enableForm() {
	z, on := e.selected()
	for _, wd := range []fyne.Disableable{e.name, e.threshold, e.minArea} {
		setEnabled(wd, on && !z.mask)
	}
	for _, wd := range []fyne.Disableable{e.kind, e.del} {
		setEnabled(wd, on)
	}
	setEnabled(e.save, e.saved)
}

// typedKey: Enter closes the polygon being drawn, Delete removes the selected shape,
// Esc drops the polygon being drawn, or else closes the editor without saving.
func (e *zoneEditor) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		e.surf.closePolygon()
	case fyne.KeyDelete:
		e.surf.deleteSelected()
	case fyne.KeyBackspace:
		if n := len(e.surf.open); n > 0 {
			e.surf.open = e.surf.open[:n-1]
			e.surf.changed()
		}
	case fyne.KeyEscape:
		if !e.surf.drop() {
			e.win.Close()
		}
	}
}

// saveZones saves the zones and masks through the CameraEditor (validated, saved
// atomically; the analyzer restarts with them) and closes the editor; a refusal keeps
// it open with the reason.
func (e *zoneEditor) saveZones() {
	ed := e.w.editor()
	if ed == nil || !e.saved {
		return
	}
	e.surf.closePolygon()
	// The camera as saved now (the camera dialog may have changed it meanwhile), with
	// only its zones, masks and motion analysis replaced.
	cam, ok := ed.Camera(e.camera)
	if !ok {
		e.status.SetText("Not saved: " + e.camera + " is no longer in the camera list.")
		return
	}
	cam.Motion = motionOf(cam.Motion, e.surf.shapes)
	cam.Analyzers = slices.DeleteFunc(slices.Clone(cam.Analyzers), func(a string) bool { return a == "motion" })
	if e.analyse.Checked {
		cam.Analyzers = append([]string{"motion"}, cam.Analyzers...)
	}
	if len(cam.Analyzers) == 0 {
		cam.Analyzers = nil
	}
	err := ed.Edit(e.camera, cam)
	e.w.refreshCameras(e.camera, cam.Name)
	if err != nil {
		e.status.SetText("Not saved: " + err.Error())
		return
	}
	e.win.Close()
}

// closeTools closes the zone editors and motion searches still open (the wall stops).
func (w *Wall) closeTools() {
	for _, e := range slices.Clone(w.zonesOpen) {
		e.win.Close()
	}
	for _, m := range slices.Clone(w.searchOpen) {
		m.win.Close()
	}
}

// tileMenu is a tile's menu: the camera's motion zones and motion search.
func (w *Wall) tileMenu(t *Tile) *fyne.Menu {
	camera := t.Stream().Name()
	var items []*fyne.MenuItem
	if w.editor() != nil {
		items = append(items, fyne.NewMenuItem("Motion zones…", func() { w.editZones(camera) }))
	}
	if w.opts.Search != nil {
		items = append(items, fyne.NewMenuItem("Search motion…", func() { w.searchMotion(camera) }))
	}
	if len(items) == 0 {
		return nil
	}
	return fyne.NewMenu("", items...)
}
