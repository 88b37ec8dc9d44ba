package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ptzhold"
)

// PTZs gives the PTZ controller of a camera on the wall (its ptz settings, or a
// protocol's own). ok is false for a camera without PTZ. The wall closes what it gets. It
// is called on the UI goroutine when a camera is selected, so it must not wait on the
// network: controllers connect on their first command.
type PTZs interface {
	PTZ(camera string) (p capture.PTZ, ok bool, err error)
}

// The PTZ pad appears over the wall when the selected tile's camera has PTZ: press and
// hold an arrow (or, with the tile maximised, the keyboard's arrows), or drag the
// joystick (ptz_stick.go), to pan and tilt, + and − (or the wheel over the joystick) to
// zoom, a speed slider (the top speed of the buttons, keys and joystick), the presets with recall and store. Releasing stops.
// While the pad shows, a click on its tile's picture centres the camera on that point
// when the protocol can (ptzCenter); a double-click still maximises or restores. The
// pad drives the camera through a ptzhold.Controller and renews a held move every
// ptzRenew from the UI goroutine, so a stalled UI stops renewing and the controller's
// dead-man timer stops the camera. Leaving the tile (another selection, the window
// closing, the app losing focus) releases.

// ptzRenew is how often a held control renews its move (the dead-man is 1.5 s).
const ptzRenew = 500 * time.Millisecond

// ptzKeys maps keys to a pad direction (unit velocities, scaled by the speed).
var ptzKeys = map[fyne.KeyName]capture.Velocity{
	fyne.KeyLeft: {Pan: -1}, fyne.KeyRight: {Pan: 1}, fyne.KeyUp: {Tilt: 1}, fyne.KeyDown: {Tilt: -1},
	fyne.KeyPlus: {Zoom: 1}, fyne.KeyEqual: {Zoom: 1}, fyne.KeyMinus: {Zoom: -1},
}

// ptzPad is the pad of one camera.
type ptzPad struct {
	w      *Wall
	camera string
	p      capture.PTZ
	hold   *ptzhold.Controller

	obj     *fyne.Container
	speed   *widget.Slider
	status  *widget.Label
	presets *fyne.Container
	number  *widget.Entry
	stick   *ptzStick
	card    *fyne.Container // the pad's controls
	wrap    *fyne.Container // card at the pad's width and the card's height

	pressed bool
	dir     capture.Velocity
	gen     int // counts presses, so an old renewal loop ends
	stopRen chan struct{}

	centring bool // a Center is in flight: further clicks are dropped until it answers
}

// ptzState is the wall's PTZ part: the pad shown, and the pads being closed.
type ptzState struct {
	pad     *ptzPad
	slot    *fyne.Container // where the pad sits over the wall
	overlay *fyne.Container // slot's frame: laid out again when the pad changes
	closing sync.WaitGroup
}

// ptzOverlay is the object the wall stacks over its grid for the pad.
func (w *Wall) ptzOverlay() fyne.CanvasObject {
	w.ptz.slot = container.NewStack()
	w.ptz.overlay = container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), w.ptz.slot), nil, nil)
	return w.ptz.overlay
}

// relayoutPTZ lays the overlay out again after the pad shown changed: a container's
// Refresh lays out only itself, and not every driver runs a min-size pass each frame
// (Fyne's test driver does not; the pad stayed 0×0 there).
func (w *Wall) relayoutPTZ() {
	w.ptz.slot.Refresh()
	if w.ptz.overlay != nil {
		w.ptz.overlay.Refresh()
	}
}

// followPTZ shows the pad of the selected camera, if it has PTZ, and closes the last one.
func (w *Wall) followPTZ() {
	if w.opts.PTZ == nil || w.ptz.slot == nil {
		return
	}
	name := ""
	if sel := w.m.Selected(); sel >= 0 {
		name = w.m.At(sel)
	}
	if pad := w.ptz.pad; pad != nil && pad.camera == name {
		return
	}
	w.closePTZ()
	if name == "" {
		return
	}
	p, ok, err := w.opts.PTZ.PTZ(name)
	if err != nil || !ok {
		return
	}
	w.ptz.pad = newPTZPad(w, name, p)
	w.ptz.slot.Objects = []fyne.CanvasObject{w.ptz.pad.obj}
	w.relayoutPTZ()
}

// closePTZ releases and closes the pad shown (the stop is sent off the UI goroutine).
func (w *Wall) closePTZ() {
	pad := w.ptz.pad
	if pad == nil {
		return
	}
	w.ptz.pad = nil
	pad.release()
	if w.ptz.slot != nil {
		w.ptz.slot.Objects = nil
		w.relayoutPTZ()
	}
	w.ptz.closing.Add(1)
	go func() {
		defer w.ptz.closing.Done()
		pad.hold.Close() // sends the stop
		pad.p.Close()
	}()
}

// ptzCenter is a click on a tile's picture at (x, y), fractions of the camera's whole
// picture: while the pad shows for that tile's camera and its controller can centre
// (capture.PTZCenterer), it releases any held move and centres the camera on the point,
// off the UI goroutine, and takes the click. Otherwise the click is the tile's usual one
// (select). A click while the last centring is still in flight is taken and dropped,
// so a burst of clicks sends one command at a time.
func (w *Wall) ptzCenter(t *Tile, x, y float64) bool {
	pad := w.ptz.pad
	if pad == nil || t.Stream() == nil || pad.camera != t.Stream().Name() {
		return false
	}
	c, ok := pad.p.(capture.PTZCenterer)
	if !ok {
		return false
	}
	if pad.centring {
		return true
	}
	pad.release()
	pad.centring = true
	pad.status.SetText("")
	w.ptz.closing.Add(1)
	go func() {
		defer w.ptz.closing.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := c.Center(ctx, x, y)
		w.batch.do(func() {
			pad.centring = false
			if err != nil {
				pad.status.SetText(ptzMessage(err))
			}
		})
	}()
	return true
}

// ptzFocusLost releases a held control when the app loses the input focus (its key-up
// or mouse-up would go elsewhere).
func (w *Wall) ptzFocusLost() {
	if w.ptz.pad != nil {
		w.ptz.pad.release()
	}
}

// ptzOwnsKey reports whether a key is the pad's: arrows while the PTZ tile is
// maximised (on the grid they move the selection), + and − while the pad is shown.
func (w *Wall) ptzOwnsKey(name fyne.KeyName) bool {
	if w.ptz.pad == nil {
		return false
	}
	if _, ok := ptzKeys[name]; !ok {
		return false
	}
	_, arrow := arrows[name]
	return !arrow || w.m.Maximised() >= 0
}

// ptzKeyEvent presses on a key's down and releases on its up (UI goroutine).
func (w *Wall) ptzKeyEvent(ev *fyne.KeyEvent, down bool) {
	if !w.ptzOwnsKey(ev.Name) || (w.win != nil && overlayOpen(w.win.Canvas())) {
		return
	}
	if down {
		w.ptz.pad.press(ptzKeys[ev.Name])
	} else {
		w.ptz.pad.release()
	}
}

func newPTZPad(w *Wall, camera string, p capture.PTZ) *ptzPad {
	pad := &ptzPad{w: w, camera: camera, p: p}
	pad.hold = ptzhold.New(p, ptzhold.Options{OnError: func(err error) {
		msg := ptzMessage(err)
		w.batch.do(func() { pad.status.SetText(msg) })
	}})
	pad.speed = widget.NewSlider(0.1, 1)
	pad.speed.Step = 0.1
	pad.speed.SetValue(ptzhold.DefaultSpeed)
	pad.status = wrapLabel("")
	btn := func(label string, v capture.Velocity) fyne.CanvasObject {
		return newHoldButton(label, func() { pad.press(v) }, pad.release)
	}
	arrowsBox := container.NewGridWithColumns(3,
		layout.NewSpacer(), btn("▲", capture.Velocity{Tilt: 1}), layout.NewSpacer(),
		btn("◀", capture.Velocity{Pan: -1}), widget.NewButton("■", pad.release), btn("▶", capture.Velocity{Pan: 1}),
		btn("−", capture.Velocity{Zoom: -1}), btn("▼", capture.Velocity{Tilt: -1}), btn("+", capture.Velocity{Zoom: 1}),
	)
	pad.number = widget.NewEntry()
	pad.number.SetPlaceHolder("N")
	pad.presets = container.NewGridWithColumns(4)
	store := container.NewBorder(nil, nil, nil, container.NewHBox(
		widget.NewButton("Go", func() { pad.preset(pad.number.Text, false) }),
		widget.NewButton("Store", func() { pad.preset(pad.number.Text, true) })), pad.number)
	title := widget.NewLabel("PTZ · " + camera)
	title.TextStyle.Bold = true
	pad.stick = newPTZStick(pad)
	card := container.NewVBox(title, arrowsBox, container.NewCenter(pad.stick), container.NewBorder(nil, nil, widget.NewLabel("Speed"), nil, pad.speed),
		pad.presets, store, pad.status)
	if _, ok := p.(capture.PTZCenterer); ok {
		hint := widget.NewLabelWithStyle("Click the picture to centre", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		card.Objects = append(card.Objects[:1], append([]fyne.CanvasObject{hint}, card.Objects[1:]...)...)
	}
	bg := canvas.NewRectangle(color.NRGBA{0x20, 0x20, 0x24, 0xe0})
	pad.card = card
	pad.wrap = container.NewGridWrap(fyne.NewSize(230, card.MinSize().Height), card)
	pad.obj = container.NewStack(bg, container.NewPadded(pad.wrap))
	pad.loadPresets()
	return pad
}

// fit resizes the pad to its controls (after the presets arrived) and lays the wall's
// overlay out again, if the pad is still the one shown.
func (pad *ptzPad) fit() {
	pad.wrap.Layout = layout.NewGridWrapLayout(fyne.NewSize(230, pad.card.MinSize().Height))
	pad.wrap.Refresh()
	if pad.w.ptz.pad == pad {
		pad.w.relayoutPTZ()
	}
}

// press starts (or changes) the held move and its renewals.
func (pad *ptzPad) press(dir capture.Velocity) {
	s := pad.speed.Value
	pad.dir = capture.Velocity{Pan: dir.Pan * s, Tilt: dir.Tilt * s, Zoom: dir.Zoom * s}
	pad.hold.Hold(pad.dir)
	if pad.pressed {
		return
	}
	pad.pressed = true
	pad.gen++
	gen, stop := pad.gen, make(chan struct{})
	pad.stopRen = stop
	go func() {
		t := time.NewTicker(ptzRenew)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// Renewed from the UI goroutine: when it stalls, the hold lapses.
				pad.w.batch.do(func() {
					if pad.pressed && pad.gen == gen {
						pad.hold.Hold(pad.dir)
					}
				})
			}
		}
	}()
}

// release stops at once.
func (pad *ptzPad) release() {
	if pad.pressed {
		pad.pressed = false
		close(pad.stopRen)
	}
	pad.hold.Release()
}

// preset recalls or stores preset id off the UI goroutine.
func (pad *ptzPad) preset(id string, store bool) {
	if id == "" {
		pad.status.SetText("Type a preset number first.")
		return
	}
	pad.status.SetText("")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if store {
			err = pad.p.StorePreset(ctx, id, "")
		} else {
			err = pad.p.GotoPreset(ctx, id)
		}
		msg := ""
		if err != nil {
			msg = ptzMessage(err)
		} else if store {
			msg = fmt.Sprintf("Stored preset %s.", id)
		}
		pad.w.batch.do(func() {
			pad.status.SetText(msg)
			if store && err == nil {
				pad.loadPresets()
			}
		})
	}()
}

// loadPresets lists the camera's presets as buttons (off the UI goroutine).
func (pad *ptzPad) loadPresets() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		list, err := pad.p.Presets(ctx)
		pad.w.batch.do(func() {
			if err != nil {
				return // the number field still recalls and stores
			}
			var objs []fyne.CanvasObject
			for _, pr := range list {
				if len(objs) >= 16 {
					break
				}
				id := pr.ID
				label := capture.CleanText(pr.Name, 12)
				if label == "" || label == "Preset "+id {
					label = id
				}
				objs = append(objs, widget.NewButton(label, func() { pad.preset(id, false) }))
			}
			pad.presets.Objects = objs
			pad.presets.Refresh()
			pad.fit()
		})
	}()
}

// ptzMessage is what the pad says of a failed command: first whether someone else holds
// the camera (a busy camera, Milestone's PTZ priority) or the login failed, then the cause.
func ptzMessage(err error) string {
	msg := capture.CleanError(err).Error()
	switch {
	case errors.Is(err, capture.ErrBusy):
		return "BUSY: another user holds this camera, or it is busy; try again later. " + msg
	case errors.Is(err, capture.ErrUnauthorized), errors.Is(err, capture.ErrForbidden):
		return "Not allowed: check the PTZ user and password in the camera's settings. " + msg
	}
	return msg
}

// holdButton is a button that acts while the mouse is held down on it: press on
// mouse-down, release on mouse-up or when the pointer leaves it.
type holdButton struct {
	widget.BaseWidget
	label            string
	onPress, onLeave func()
	down             bool
	bg               *canvas.Rectangle
}

func newHoldButton(label string, onPress, onRelease func()) *holdButton {
	b := &holdButton{label: label, onPress: onPress, onLeave: onRelease}
	b.ExtendBaseWidget(b)
	return b
}

// MouseDown is part of desktop.Mouseable.
func (b *holdButton) MouseDown(*desktop.MouseEvent) {
	b.down = true
	b.onPress()
	b.Refresh()
}

// MouseUp is part of desktop.Mouseable.
func (b *holdButton) MouseUp(*desktop.MouseEvent) { b.up() }

// MouseIn and MouseMoved are part of desktop.Hoverable.
func (b *holdButton) MouseIn(*desktop.MouseEvent)    {}
func (b *holdButton) MouseMoved(*desktop.MouseEvent) {}

// MouseOut is part of desktop.Hoverable: leaving the button releases it.
func (b *holdButton) MouseOut() { b.up() }

func (b *holdButton) up() {
	if !b.down {
		return
	}
	b.down = false
	b.onLeave()
	b.Refresh()
}

func (b *holdButton) CreateRenderer() fyne.WidgetRenderer {
	b.bg = canvas.NewRectangle(color.NRGBA{0x44, 0x44, 0x4c, 0xff})
	b.bg.CornerRadius = 4
	t := canvas.NewText(b.label, color.White)
	t.Alignment = fyne.TextAlignCenter
	t.TextSize = 18
	return &holdRenderer{b: b, t: t, objs: []fyne.CanvasObject{b.bg, t}}
}

type holdRenderer struct {
	b    *holdButton
	t    *canvas.Text
	objs []fyne.CanvasObject
}

func (r *holdRenderer) Layout(s fyne.Size) {
	r.b.bg.Resize(s)
	ts := r.t.MinSize()
	r.t.Move(fyne.NewPos(0, (s.Height-ts.Height)/2))
	r.t.Resize(fyne.NewSize(s.Width, ts.Height))
}
func (r *holdRenderer) MinSize() fyne.Size { return fyne.NewSize(44, 36) }
func (r *holdRenderer) Refresh() {
	r.b.bg.FillColor = color.NRGBA{0x44, 0x44, 0x4c, 0xff}
	if r.b.down {
		r.b.bg.FillColor = color.NRGBA{0x2a, 0x6f, 0xd6, 0xff}
	}
	r.b.bg.Refresh()
}
func (r *holdRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *holdRenderer) Destroy()                     {}
