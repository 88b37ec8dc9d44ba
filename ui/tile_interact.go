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
	// OnPictureTapped, when set, is offered a click on the picture first, with the point
	// clicked in fractions of the camera's whole picture (0…1 from the top-left corner,
	// letterbox bars and digital zoom allowed for); returning true takes the click, so
	// OnTapped is not called (the wall's click-to-centre of a PTZ camera).
	OnPictureTapped func(t *Tile, x, y float64) bool
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
	// PlaybackTip is the playback button's tooltip ("" means "Playback").
	PlaybackTip string
	// Menu, when set, shows a menu button whose menu it makes when tapped (nil: no
	// menu then): "Motion zones…", "Search motion…".
	Menu func(*Tile) *fyne.Menu
	// OnPictureSize, when set, is called after the picture's size changed (the first
	// picture, a new stream size): whatever is drawn over the picture moves with it.
	OnPictureSize func(*Tile)
}

var (
	_ fyne.Tappable       = (*Tile)(nil)
	_ fyne.DoubleTappable = (*Tile)(nil)
	_ desktop.Hoverable   = (*Tile)(nil)
	_ fyne.Scrollable     = (*Tile)(nil)
	_ fyne.Draggable      = (*Tile)(nil)
)

// Tapped is part of fyne.Tappable.
func (t *Tile) Tapped(ev *fyne.PointEvent) {
	if t.OnPictureTapped != nil && ev != nil {
		if x, y, ok := t.picturePoint(ev.Position); ok && t.OnPictureTapped(t, x, y) {
			return
		}
	}
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

// TappedSecondary is part of fyne.SecondaryTappable: a right-click opens the camera's
// playback (the picker, or the player of its own recordings), also while it plays back,
// to move from the position shown.
func (t *Tile) TappedSecondary(*fyne.PointEvent) {
	if t.OnPlayback != nil {
		t.OnPlayback(t)
	}
}

// MouseIn is part of desktop.Hoverable: the toolbar shows while the pointer is over the
// tile. The toolbar's buttons are deliberately not Hoverable themselves, so moving onto
// them does not count as leaving the tile (Fyne hovers one object at a time).
func (t *Tile) MouseIn(*desktop.MouseEvent) { t.setHovered(true) }

// MouseMoved is part of desktop.Hoverable: over a toolbar button, its tooltip shows
// (Fyne 2.8 has no tooltips of its own, and the buttons cannot hover themselves).
func (t *Tile) MouseMoved(ev *desktop.MouseEvent) {
	if ev == nil {
		return
	}
	if !t.hovered { // a move without MouseIn (a test, a window regaining focus)
		t.hovered = true
		t.Refresh()
	}
	var over *tileButton
	if tb := t.tb; tb != nil && tb.Visible() {
		for _, b := range tb.buttons() {
			p := tb.Position().Add(b.Position())
			if ev.Position.X >= p.X && ev.Position.X < p.X+b.Size().Width &&
				ev.Position.Y >= p.Y && ev.Position.Y < p.Y+b.Size().Height {
				over = b
				break
			}
		}
	}
	if over != t.tipOn {
		t.tipOn = over
		t.Refresh()
	}
}

// MouseOut is part of desktop.Hoverable.
func (t *Tile) MouseOut() { t.setHovered(false) }

func (t *Tile) setHovered(on bool) {
	if t.hovered == on {
		return
	}
	t.hovered = on
	if !on {
		t.tipOn = nil
	}
	t.Refresh()
}

// Tooltip is the tooltip shown over the hovered toolbar button, "" for none.
func (t *Tile) Tooltip() string {
	if t.tipOn == nil || !t.hovered {
		return ""
	}
	return t.tipOn.label
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
	pos, size := t.pictureRect()
	fx := float64((p.X - pos.X) / size.Width)
	fy := float64((p.Y - pos.Y) / size.Height)
	return min(max(fx, 0), 1), min(max(fy, 0), 1)
}

// picturePoint turns a point on the tile into a point of the camera's whole picture
// (fractions, 0…1 from the top-left), through the letterboxing and the digital zoom of
// the tile; ok is false with no picture shown or for a point on the bars beside it.
func (t *Tile) picturePoint(p fyne.Position) (x, y float64, ok bool) {
	if t.buf == nil || !t.hasPicture {
		return 0, 0, false
	}
	w, h := t.buf.Rect.Dx(), t.buf.Rect.Dy()
	pos, size := t.pictureRect()
	if size.Width <= 0 || size.Height <= 0 {
		return 0, 0, false
	}
	fx := float64((p.X - pos.X) / size.Width)
	fy := float64((p.Y - pos.Y) / size.Height)
	if fx < 0 || fx > 1 || fy < 0 || fy > 1 {
		return 0, 0, false
	}
	if t.zoom.zoomed() {
		r := t.zoom.crop(w, h)
		fx = (float64(r.Min.X) + fx*float64(r.Dx())) / float64(w)
		fy = (float64(r.Min.Y) + fy*float64(r.Dy())) / float64(h)
	}
	return fx, fy, true
}

// pictureRect is where the shown picture lies on the tile: inside the letterbox bars
// (call it with t.buf set). Unzoomed, the point at fractions (fx, fy) of the camera's
// picture is pos + (fx·size.Width, fy·size.Height), the inverse of picturePoint.
func (t *Tile) pictureRect() (pos fyne.Position, size fyne.Size) {
	return containRect(t.Size(), t.buf.Rect.Dx(), t.buf.Rect.Dy())
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
// The file is written off the UI goroutine; OnSnapshot runs on it when done.
func (t *Tile) snapshotTapped() {
	t.saveSnapshot(t.SnapshotDir, func(path string, err error) {
		if t.OnSnapshot != nil {
			t.OnSnapshot(t, path, err)
		}
	})
}

// saveSnapshot saves a snapshot into dir (see Snapshot) off the UI goroutine and calls
// done on it with the result.
func (t *Tile) saveSnapshot(dir string, done func(path string, err error)) {
	save, err := t.prepareSnapshot(dir)
	if err != nil {
		done("", err)
		return
	}
	go func() {
		path, err := save()
		t.do(func() { done(path, err) })
	}()
}

// tileToolbar is the row of small buttons at a hovered tile's top-right.
type tileToolbar struct {
	widget.BaseWidget
	t                  *Tile
	play, snap, info   *tileButton
	rec, pb, menu      *tileButton
	playIcon, stopIcon fyne.Resource
	recIcon, recOnIcon fyne.Resource
	pbIcon             fyne.Resource
	infoOn, infoOff    fyne.Resource
	back               *canvas.Rectangle
	side               float32 // a button's side, set by the tile's size (toolSize)
}

// Toolbar button sides, in logical pixels: they grow with the tile so a big tile has
// targets a mouse finds at a glance, and stay usable on the small tiles of an 8×8 wall.
const (
	toolButton    = 24 // before the tile is laid out
	toolButtonMin = 20
	toolButtonMax = 32
)

// toolSize is the side of a toolbar button on a tile of size with n buttons: a seventh
// of the tile's height within [toolButtonMin, toolButtonMax], smaller when the buttons
// would not fit the width, never under toolButtonMin.
func toolSize(size fyne.Size, n int) float32 {
	side := min(max(size.Height/7, toolButtonMin), toolButtonMax)
	if n > 0 {
		if fit := (size.Width - 4*namePad) / float32(n+1); fit < side { // +1: room for LIVE
			side = max(fit, toolButtonMin)
		}
	}
	return side
}

func newTileToolbar(t *Tile) *tileToolbar {
	tb := &tileToolbar{
		t:         t,
		side:      toolButton,
		playIcon:  theme.NewThemedResource(theme.MediaPlayIcon()),
		stopIcon:  theme.NewThemedResource(theme.MediaStopIcon()),
		infoOff:   theme.NewThemedResource(theme.InfoIcon()),
		infoOn:    theme.NewPrimaryThemedResource(theme.InfoIcon()),
		back:      canvas.NewRectangle(color.Transparent),
		recIcon:   theme.NewColoredResource(theme.MediaRecordIcon(), theme.ColorNameError), // a red dot, as on every recorder
		recOnIcon: theme.NewColoredResource(theme.MediaStopIcon(), theme.ColorNameError),
		pbIcon:    theme.NewThemedResource(theme.HistoryIcon()),
	}
	t.tb = tb
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
	tb.menu = newTileButton(theme.NewThemedResource(theme.MoreVerticalIcon()), "More", tb.showMenu)
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
		tb.pb.setText("LIVE", "Back to live")
	} else {
		tip := "Playback"
		if tb.t.PlaybackTip != "" {
			tip = tb.t.PlaybackTip
		}
		tb.pb.setIcon(tb.pbIcon, tip)
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
	out = append(out, tb.info)
	if tb.t.Menu != nil {
		out = append(out, tb.menu)
	}
	return out
}

// showMenu is the menu button: the tile's menu, under the button.
func (tb *tileToolbar) showMenu() {
	if tb.t.Menu == nil {
		return
	}
	m := tb.t.Menu(tb.t)
	c := fyne.CurrentApp().Driver().CanvasForObject(tb.menu)
	if m == nil || c == nil {
		return
	}
	widget.ShowPopUpMenuAtRelativePosition(m, c, fyne.NewPos(0, tb.menu.Size().Height), tb.menu)
}

func (tb *tileToolbar) MinSize() fyne.Size {
	var w float32
	for _, b := range tb.buttons() {
		w += b.width(tb.side)
	}
	return fyne.NewSize(w+4, tb.side+4)
}

// setSide sets the buttons' side for the tile's size.
func (tb *tileToolbar) setSide(size fyne.Size) {
	tb.side = toolSize(size, len(tb.buttons()))
}

func (tb *tileToolbar) CreateRenderer() fyne.WidgetRenderer {
	return &toolbarRenderer{tb: tb, objects: []fyne.CanvasObject{tb.back, tb.play, tb.snap, tb.rec, tb.pb, tb.info, tb.menu}}
}

type toolbarRenderer struct {
	tb      *tileToolbar
	objects []fyne.CanvasObject
}

func (r *toolbarRenderer) Layout(size fyne.Size) {
	r.tb.back.Resize(size)
	r.tb.rec.Hide()
	r.tb.pb.Hide()
	r.tb.menu.Hide()
	x := float32(2)
	for _, b := range r.tb.buttons() {
		b.Show()
		b.side = r.tb.side
		w := b.width(r.tb.side)
		b.Move(fyne.NewPos(x, 2))
		b.Resize(fyne.NewSize(w, r.tb.side))
		x += w
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
	text  *canvas.Text      // instead of the icon when set ("LIVE")
	pill  *canvas.Rectangle // the text's background
	label string            // what it does: the tooltip, for tests and accessibility
	onTap func()
	side  float32
}

func newTileButton(res fyne.Resource, label string, onTap func()) *tileButton {
	b := &tileButton{icon: canvas.NewImageFromResource(res), label: label, onTap: onTap, side: toolButton,
		text: canvas.NewText("", colorName), pill: canvas.NewRectangle(colorOffline)}
	b.icon.FillMode = canvas.ImageFillContain
	b.text.TextStyle = fyne.TextStyle{Bold: true}
	b.text.Hide()
	b.pill.Hide()
	b.pill.CornerRadius = 3
	b.ExtendBaseWidget(b)
	return b
}

func (b *tileButton) setIcon(res fyne.Resource, label string) {
	b.label = label
	if b.text.Visible() {
		b.text.Hide()
		b.pill.Hide()
		b.icon.Show()
	}
	if b.icon.Resource != res {
		b.icon.Resource = res
		b.icon.Refresh()
	}
}

// setText shows a word instead of the icon, white on a red pill (the "LIVE" control).
func (b *tileButton) setText(word, label string) {
	b.label = label
	b.text.Text = word
	if !b.text.Visible() {
		b.icon.Hide()
		b.text.Show()
		b.pill.Show()
	}
}

// Text is the word the button shows instead of an icon, "" for an icon.
func (b *tileButton) Text() string {
	if !b.text.Visible() {
		return ""
	}
	return b.text.Text
}

// width is the button's width for a side: square for an icon, the word's width for text.
func (b *tileButton) width(side float32) float32 {
	if !b.text.Visible() {
		return side
	}
	ts := fyne.MeasureText(b.text.Text, textSizeFor(side), b.text.TextStyle)
	return max(side, ts.Width+side/2)
}

// textSizeFor is the text size of a text button of a side.
func textSizeFor(side float32) float32 { return max(side*0.45, 10) }

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
	pad := max(size.Height/6, 3)
	r.b.icon.Move(fyne.NewPos(pad, pad))
	r.b.icon.Resize(fyne.NewSize(size.Width-2*pad, size.Height-2*pad))
	r.b.text.TextSize = textSizeFor(size.Height)
	ts := fyne.MeasureText(r.b.text.Text, r.b.text.TextSize, r.b.text.TextStyle)
	r.b.pill.Move(fyne.NewPos(2, 3))
	r.b.pill.Resize(fyne.NewSize(size.Width-4, size.Height-6))
	r.b.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.b.text.Resize(ts)
}
func (r *buttonRenderer) MinSize() fyne.Size { return fyne.NewSize(r.b.width(r.b.side), r.b.side) }
func (r *buttonRenderer) Refresh() {
	r.Layout(r.b.Size())
	r.b.icon.Refresh()
	r.b.pill.Refresh()
	r.b.text.Refresh()
}
func (r *buttonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.b.icon, r.b.pill, r.b.text}
}
func (r *buttonRenderer) Destroy() {}
