package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Interaction: the Wall sets the hooks and drives selection and maximising; the Tile
// reports taps, offers its hover toolbar (play/stop, snapshot, health), and zooms and
// pans itself while maximised. Everything here runs on the UI goroutine.

// tileHooks are set by whoever lays the tile out (the Wall).
type tileHooks struct {
	// OnTapped is called when the tile is clicked (select it).
	OnTapped func(*Tile)
	// OnDoubleTapped is called on a double-click (maximise or restore it).
	OnDoubleTapped func(*Tile)
	// OnPlayToggled is called after TogglePlay (toolbar or keyboard) started or stopped
	// the tile; Running tells which.
	OnPlayToggled func(*Tile)
	// OnSnapshot is called after the toolbar's snapshot button saved a picture (path)
	// or failed (err), so the wall can show a toast. Without it a failure is only
	// logged by nobody: set it.
	OnSnapshot func(t *Tile, path string, err error)
	// SnapshotDir is where the toolbar's snapshot button saves (see Snapshot; a path
	// ending in .jpg saves JPEGs). It defaults to the current directory.
	SnapshotDir string
	// OnDragged and OnDragEnd report drags on a tile that is not zoomed (the wall may
	// use them to move a camera to another tile); a zoomed maximised tile pans instead.
	OnDragged func(*Tile, *fyne.DragEvent)
	OnDragEnd func(*Tile)
	// OnRecord, when set, shows a record button that calls it (start or stop recording
	// this camera); the owner reports back with SetRecording.
	OnRecord func(*Tile)
	// OnPlayback, when set, shows a playback button: it calls OnPlayback to pick a time
	// while live, and OnLive to go back to live while playing back.
	OnPlayback func(*Tile)
	OnLive     func(*Tile)
}

var (
	_ fyne.Tappable       = (*Tile)(nil)
	_ fyne.DoubleTappable = (*Tile)(nil)
	_ desktop.Hoverable   = (*Tile)(nil)
	_ fyne.Scrollable     = (*Tile)(nil)
	_ fyne.Draggable      = (*Tile)(nil)
)

// Tapped is part of fyne.Tappable.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped(t)
	}
}

// DoubleTapped is part of fyne.DoubleTappable.
func (t *Tile) DoubleTapped(*fyne.PointEvent) {
	if t.OnDoubleTapped != nil {
		t.OnDoubleTapped(t)
	}
}

// MouseIn is part of desktop.Hoverable: the toolbar shows while the pointer is over the
// tile. The toolbar's buttons are deliberately not Hoverable themselves, so moving onto
// them does not count as leaving the tile (Fyne hovers one object at a time).
func (t *Tile) MouseIn(*desktop.MouseEvent) { t.setHovered(true) }

// MouseMoved is part of desktop.Hoverable.
func (t *Tile) MouseMoved(*desktop.MouseEvent) {}

// MouseOut is part of desktop.Hoverable.
func (t *Tile) MouseOut() { t.setHovered(false) }

func (t *Tile) setHovered(on bool) {
	if t.hovered == on {
		return
	}
	t.hovered = on
	t.Refresh()
}

// SetSelected marks the tile as the wall's selection (a highlighted border).
func (t *Tile) SetSelected(on bool) {
	if t.selected == on {
		return
	}
	t.selected = on
	t.Refresh()
}

// Selected reports whether the tile is the wall's selection.
func (t *Tile) Selected() bool { return t.selected }

// SetMaximised tells the tile it fills the wall; a maximised tile offers digital zoom
// (mouse wheel) and pan (drag). Restoring resets the zoom.
func (t *Tile) SetMaximised(on bool) {
	if t.maximised == on {
		return
	}
	t.maximised = on
	if !on {
		t.setZoom(unzoomed())
		t.dragging = false
	}
	// A camera with several streams shows its largest when maximised, and the smallest
	// sufficient one on the wall; the last picture stays until the new stream's first.
	t.mu.Lock()
	s := t.run
	t.mu.Unlock()
	if s != nil {
		s.sub.SetLargest(on)
	}
	t.Refresh()
}

// Maximised reports whether the tile fills the wall.
func (t *Tile) Maximised() bool { return t.maximised }

// Zoom is the digital zoom factor (1 when not zoomed).
func (t *Tile) Zoom() float64 { return t.zoom.factor }

// SetHealthVisible shows or hides the health overlay.
func (t *Tile) SetHealthVisible(on bool) {
	if t.healthVisible == on {
		return
	}
	t.healthVisible = on
	t.updateHealth()
	t.Refresh()
}

// HealthVisible reports whether the health overlay shows.
func (t *Tile) HealthVisible() bool { return t.healthVisible }

// DrawnFPS is how many pictures a second the tile drew, measured over the last status
// tick (UI goroutine).
func (t *Tile) DrawnFPS() float64 { return t.rate.fps }

// updateHealth samples the drawn rate and, while the overlay shows, the stream's stats
// (UI goroutine, once a second from the status tick).
func (t *Tile) updateHealth() {
	fps := t.rate.sample(t.now(), t.Drawn())
	if !t.Running() {
		fps = 0
	}
	if !t.healthVisible || t.stream == nil {
		return
	}
	t.health = healthLines(t.stream.Stats(), fps)
	t.refreshParts(partHealth)
}

// Scrolled is part of fyne.Scrollable: the wheel zooms a maximised tile about the
// pointer, 1×…8×. On a tile that is not maximised it does nothing.
func (t *Tile) Scrolled(ev *fyne.ScrollEvent) {
	if !t.maximised || t.buf == nil || ev.Scrolled.DY == 0 {
		return
	}
	px, py := t.pictureFraction(ev.Position)
	z := t.zoom
	z.zoomAbout(z.factor*math.Pow(wheelFactor, float64(ev.Scrolled.DY)/wheelNotch), px, py)
	t.setZoom(z)
}

// Dragged is part of fyne.Draggable: it pans a zoomed maximised tile, otherwise it
// reports the drag to OnDragged.
func (t *Tile) Dragged(ev *fyne.DragEvent) {
	if t.maximised && t.zoom.zoomed() && t.buf != nil {
		t.dragging = true
		_, size := containRect(t.Size(), t.buf.Rect.Dx(), t.buf.Rect.Dy())
		z := t.zoom
		z.pan(float64(ev.Dragged.DX/size.Width), float64(ev.Dragged.DY/size.Height))
		t.setZoom(z)
		return
	}
	if t.OnDragged != nil {
		t.OnDragged(t, ev)
	}
}

// DragEnd is part of fyne.Draggable.
func (t *Tile) DragEnd() {
	if t.dragging {
		t.dragging = false
		return
	}
	if t.OnDragEnd != nil {
		t.OnDragEnd(t)
	}
}

// pictureFraction turns a point on the tile into fractions of the shown picture.
func (t *Tile) pictureFraction(p fyne.Position) (float64, float64) {
	pos, size := containRect(t.Size(), t.buf.Rect.Dx(), t.buf.Rect.Dy())
	fx := float64((p.X - pos.X) / size.Width)
	fy := float64((p.Y - pos.Y) / size.Height)
	return min(max(fx, 0), 1), min(max(fy, 0), 1)
}

// setZoom applies a new view: the picture is re-cut at once (a stopped tile zooms its
// frozen picture too), and the decoder is asked for the matching size.
func (t *Tile) setZoom(z zoomView) {
	z.clamp()
	if z == t.zoom {
		return
	}
	wasZoomed := t.zoom.zoomed()
	t.zoom = z
	t.mu.Lock()
	oldF := t.zoomFactor
	t.zoomFactor = z.factor
	if !z.zoomed() {
		t.zoomFactor = 1
	}
	// Ask for a new decode size only when it changes by a whole step, not on every
	// wheel event of a trackpad.
	resize := math.Abs(math.Log2(max(t.zoomFactor, 1))-math.Log2(max(oldF, 1))) >= 0.5 || (t.zoomFactor == 1) != (oldF <= 1)
	t.mu.Unlock()
	if resize {
		t.resizeDecode()
	}
	if !z.zoomed() {
		t.view = nil
	}
	t.present()
	if wasZoomed != z.zoomed() {
		t.Refresh()
		return
	}
	t.refreshParts(partPicture | partZoom)
}

// snapshotTapped is the toolbar's snapshot button.
func (t *Tile) snapshotTapped() {
	path, err := t.Snapshot(t.SnapshotDir)
	if t.OnSnapshot != nil {
		t.OnSnapshot(t, path, err)
	}
}

// tileToolbar is the row of small buttons at a hovered tile's top-right.
type tileToolbar struct {
	widget.BaseWidget
	t                  *Tile
	play, snap, info   *tileButton
	rec, pb            *tileButton
	playIcon, stopIcon fyne.Resource
	recIcon, recOnIcon fyne.Resource
	pbIcon, liveIcon   fyne.Resource
	infoOn, infoOff    fyne.Resource
	back               *canvas.Rectangle
}

const toolButton = 24 // logical pixels, icon plus padding

func newTileToolbar(t *Tile) *tileToolbar {
	tb := &tileToolbar{
		t:         t,
		playIcon:  theme.NewThemedResource(theme.MediaPlayIcon()),
		stopIcon:  theme.NewThemedResource(theme.MediaStopIcon()),
		infoOff:   theme.NewThemedResource(theme.InfoIcon()),
		infoOn:    theme.NewPrimaryThemedResource(theme.InfoIcon()),
		back:      canvas.NewRectangle(color.Transparent),
		recIcon:   theme.NewThemedResource(theme.MediaRecordIcon()),
		recOnIcon: theme.NewColoredResource(theme.MediaRecordIcon(), theme.ColorNameError),
		pbIcon:    theme.NewThemedResource(theme.HistoryIcon()),
		liveIcon:  theme.NewPrimaryThemedResource(theme.MediaFastForwardIcon()),
	}
	tb.back.CornerRadius = 4
	tb.rec = newTileButton(tb.recIcon, "Record", func() {
		if t.OnRecord != nil {
			t.OnRecord(t)
		}
	})
	tb.pb = newTileButton(tb.pbIcon, "Playback", func() {
		switch {
		case t.playbackSpeed > 0 && t.OnLive != nil:
			t.OnLive(t)
		case t.playbackSpeed == 0 && t.OnPlayback != nil:
			t.OnPlayback(t)
		}
	})
	tb.play = newTileButton(tb.playIcon, "Play", t.TogglePlay)
	tb.snap = newTileButton(theme.NewThemedResource(theme.MediaPhotoIcon()), "Snapshot", t.snapshotTapped)
	tb.info = newTileButton(tb.infoOff, "Health overlay", func() { t.SetHealthVisible(!t.healthVisible) })
	tb.ExtendBaseWidget(tb)
	tb.update()
	return tb
}

// update shows the play or the stop icon and whether the overlay is on.
func (tb *tileToolbar) update() {
	running := tb.t.Running()
	if running {
		tb.play.setIcon(tb.stopIcon, "Stop")
	} else {
		tb.play.setIcon(tb.playIcon, "Play")
	}
	if tb.t.healthVisible {
		tb.info.setIcon(tb.infoOn, "Hide health overlay")
	} else {
		tb.info.setIcon(tb.infoOff, "Show health overlay")
	}
	if !tb.t.recSince.IsZero() {
		tb.rec.setIcon(tb.recOnIcon, "Stop recording")
	} else {
		tb.rec.setIcon(tb.recIcon, "Record")
	}
	if tb.t.playbackSpeed > 0 {
		tb.pb.setIcon(tb.liveIcon, "Back to live")
	} else {
		tb.pb.setIcon(tb.pbIcon, "Playback")
	}
}

// buttons are the toolbar's buttons shown, left to right.
func (tb *tileToolbar) buttons() []*tileButton {
	out := []*tileButton{tb.play, tb.snap}
	if tb.t.OnRecord != nil {
		out = append(out, tb.rec)
	}
	if tb.t.OnPlayback != nil {
		out = append(out, tb.pb)
	}
	return append(out, tb.info)
}

func (tb *tileToolbar) MinSize() fyne.Size {
	return fyne.NewSize(float32(len(tb.buttons()))*toolButton+4, toolButton+4)
}

func (tb *tileToolbar) CreateRenderer() fyne.WidgetRenderer {
	return &toolbarRenderer{tb: tb, objects: []fyne.CanvasObject{tb.back, tb.play, tb.snap, tb.rec, tb.pb, tb.info}}
}

type toolbarRenderer struct {
	tb      *tileToolbar
	objects []fyne.CanvasObject
}

func (r *toolbarRenderer) Layout(size fyne.Size) {
	r.tb.back.Resize(size)
	r.tb.rec.Hide()
	r.tb.pb.Hide()
	for i, b := range r.tb.buttons() {
		b.Show()
		b.Move(fyne.NewPos(2+float32(i)*toolButton, 2))
		b.Resize(fyne.NewSize(toolButton, toolButton))
	}
}
func (r *toolbarRenderer) MinSize() fyne.Size { return r.tb.MinSize() }
func (r *toolbarRenderer) Refresh() {
	bg := theme.Color(theme.ColorNameBackground)
	rr, g, b, _ := bg.RGBA()
	r.tb.back.FillColor = color.NRGBA{R: uint8(rr >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0xd0}
	r.tb.update()
	r.Layout(r.tb.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}
func (r *toolbarRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *toolbarRenderer) Destroy()                     {}

// tileButton is an icon that acts on a tap. It is not Hoverable (see Tile.MouseIn) and
// not DoubleTappable, so a quick double-click on it is two presses, not a maximise.
type tileButton struct {
	widget.BaseWidget
	icon  *canvas.Image
	label string // what it does, for tests and accessibility
	onTap func()
}

func newTileButton(res fyne.Resource, label string, onTap func()) *tileButton {
	b := &tileButton{icon: canvas.NewImageFromResource(res), label: label, onTap: onTap}
	b.icon.FillMode = canvas.ImageFillContain
	b.ExtendBaseWidget(b)
	return b
}

func (b *tileButton) setIcon(res fyne.Resource, label string) {
	b.label = label
	if b.icon.Resource != res {
		b.icon.Resource = res
		b.icon.Refresh()
	}
}

// Tapped is part of fyne.Tappable.
func (b *tileButton) Tapped(*fyne.PointEvent) {
	if b.onTap != nil {
		b.onTap()
	}
}

func (b *tileButton) CreateRenderer() fyne.WidgetRenderer {
	return &buttonRenderer{b: b}
}

type buttonRenderer struct{ b *tileButton }

func (r *buttonRenderer) Layout(size fyne.Size) {
	const pad = 4
	r.b.icon.Move(fyne.NewPos(pad, pad))
	r.b.icon.Resize(fyne.NewSize(size.Width-2*pad, size.Height-2*pad))
}
func (r *buttonRenderer) MinSize() fyne.Size           { return fyne.NewSize(toolButton, toolButton) }
func (r *buttonRenderer) Refresh()                     { r.Layout(r.b.Size()); r.b.icon.Refresh() }
func (r *buttonRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.icon} }
func (r *buttonRenderer) Destroy()                     {}
