package ui

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"fyne.io/fyne/v2/widget"
	"github.com/vigil-cctv/vigil/capture"
)

// ptzStick is the pad's joystick: drag from its centre to pan and tilt, faster the
// farther the pointer is (full speed at the rim); releasing the drag stops. The mouse
// wheel over it zooms in short steps.
type ptzStick struct {
	widget.BaseWidget
	pad      *ptzPad
	dragging bool
	knob     fyne.Position // offset of the knob from the centre
	// wheelGen counts wheel steps, so only the last one's timer releases.
	wheelGen int
}

// ptzStickSize is the joystick's side; ptzWheelStep how long one wheel step zooms.
const (
	ptzStickSize = 96
	ptzWheelStep = 300 * time.Millisecond
)

func newPTZStick(pad *ptzPad) *ptzStick {
	s := &ptzStick{pad: pad}
	s.ExtendBaseWidget(s)
	return s
}

// stickVelocity maps an offset from the centre (radius r) to pan/tilt: the direction of
// the offset, its length relative to r as the speed (at most 1); screen y grows down.
func stickVelocity(dx, dy, r float32) capture.Velocity {
	if r <= 0 {
		return capture.Velocity{}
	}
	x, y := float64(dx/r), float64(-dy/r)
	if l := math.Hypot(x, y); l > 1 {
		x, y = x/l, y/l
	}
	return capture.Velocity{Pan: x, Tilt: y}
}

// Dragged is part of fyne.Draggable.
func (s *ptzStick) Dragged(ev *fyne.DragEvent) {
	c := s.Size().Width / 2
	s.dragging = true
	s.knob = fyne.NewPos(ev.Position.X-c, ev.Position.Y-s.Size().Height/2)
	v := stickVelocity(s.knob.X, s.knob.Y, c)
	if v.IsZero() {
		s.pad.release()
	} else {
		s.pad.press(v)
	}
	s.Refresh()
}

// DragEnd is part of fyne.Draggable: the stick springs back and the camera stops.
func (s *ptzStick) DragEnd() {
	s.dragging = false
	s.knob = fyne.Position{}
	s.pad.release()
	s.Refresh()
}

// Scrolled is part of fyne.Scrollable: each wheel step zooms for ptzWheelStep.
func (s *ptzStick) Scrolled(ev *fyne.ScrollEvent) {
	if ev.Scrolled.DY == 0 || s.dragging {
		return
	}
	dir := 1.0
	if ev.Scrolled.DY < 0 {
		dir = -1
	}
	s.pad.press(capture.Velocity{Zoom: dir})
	s.wheelGen++
	gen := s.wheelGen
	time.AfterFunc(ptzWheelStep, func() {
		s.pad.w.batch.do(func() {
			if s.wheelGen == gen && !s.dragging {
				s.pad.release()
			}
		})
	})
}

func (s *ptzStick) MinSize() fyne.Size { return fyne.NewSize(ptzStickSize, ptzStickSize) }

func (s *ptzStick) CreateRenderer() fyne.WidgetRenderer {
	ring := canvas.NewCircle(color.NRGBA{0x30, 0x30, 0x38, 0xff})
	ring.StrokeColor = color.NRGBA{0x70, 0x70, 0x7c, 0xff}
	ring.StrokeWidth = 1
	knob := canvas.NewCircle(color.NRGBA{0x2a, 0x6f, 0xd6, 0xff})
	return &stickRenderer{s: s, ring: ring, knob: knob}
}

type stickRenderer struct {
	s          *ptzStick
	ring, knob *canvas.Circle
}

func (r *stickRenderer) Layout(size fyne.Size) {
	side := min(size.Width, size.Height)
	r.ring.Resize(fyne.NewSize(side, side))
	r.ring.Move(fyne.NewPos((size.Width-side)/2, (size.Height-side)/2))
	k := side / 4
	c := fyne.NewPos(size.Width/2, size.Height/2)
	off := r.s.knob
	if l := float32(math.Hypot(float64(off.X), float64(off.Y))); l > side/2 {
		off = fyne.NewPos(off.X*side/2/l, off.Y*side/2/l)
	}
	r.knob.Resize(fyne.NewSize(k, k))
	r.knob.Move(fyne.NewPos(c.X+off.X-k/2, c.Y+off.Y-k/2))
}
func (r *stickRenderer) MinSize() fyne.Size { return r.s.MinSize() }
func (r *stickRenderer) Refresh() {
	r.Layout(r.s.Size())
	r.ring.Refresh()
	r.knob.Refresh()
}
func (r *stickRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.ring, r.knob} }
func (r *stickRenderer) Destroy()                     {}
