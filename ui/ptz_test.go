package ui

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/rcp"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// ptzOf gives "Cam 1" the simulated Bosch camera's PTZ.
type ptzOf struct{ cam *rcptest.Camera }

func (p ptzOf) PTZ(name string) (capture.PTZ, bool, error) {
	if name != "Cam 1" {
		return nil, false, nil
	}
	c, err := rcp.New(p.cam.URL(), capture.Settings{User: p.cam.User(), Password: p.cam.Password()})
	return c, err == nil, err
}

const (
	padRight = "800006011085880000" // speed 0.5
	padLeft  = "800006011085080000"
	padStop  = "800006011085000000"
)

// lastSent is the last payload the camera received, "" for none.
func lastSent(cam *rcptest.Camera) string {
	cmds := cam.Commands()
	for i := len(cmds) - 1; i >= 0; i-- {
		if cmds[i].Command == 0x09a5 && len(cmds[i].Payload) == 9 {
			return fmt.Sprintf("%x", cmds[i].Payload)
		}
	}
	return ""
}

// padButton finds the pad's hold button with label.
func padButton(t *testing.T, w *Wall, label string) *holdButton {
	t.Helper()
	var found *holdButton
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if b, ok := o.(*holdButton); ok && b.label == label {
			found = b
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, o := range c.Objects {
				walk(o)
			}
		}
	}
	if w.ptz.pad == nil {
		t.Fatal("no PTZ pad shown")
	}
	walk(w.ptz.pad.obj)
	if found == nil {
		t.Fatalf("no %q on the pad", label)
	}
	return found
}

// ptzWall is a wall of n live cameras whose "Cam 1" is driven by a simulated Bosch
// camera (closed after the wall, so the wall's last stop reaches it); until pumps the UI
// queue until the camera's last move payload is want.
func ptzWall(t *testing.T, n int, layout string) (*rcptest.Camera, *wallTRig, func(what, want string)) {
	t.Helper()
	cam := rcptest.StartFor(t, rcptest.Options{})
	r := newWallTRig(t, wallTLive(t, n), capture.StreamOptions{}, layout, func(o *WallOptions) { o.PTZ = ptzOf{cam} })
	until := func(what, want string) {
		t.Helper()
		pumpUntil(t, r.q, what, func() bool { return lastSent(cam) == want })
	}
	return cam, r, until
}

// TestPTZPad: selecting the PTZ camera shows the pad; holding an arrow moves, releasing
// stops; a held control renewed by the UI keeps moving; a stalled UI (renewals not run),
// focus loss, another selection and the window closing each stop the camera.
func TestPTZPad(t *testing.T) {
	cam, r, until := ptzWall(t, 2, "2x2")
	w := r.wall
	w.Select(1)
	if w.ptz.pad != nil {
		t.Fatal("a pad for a camera without PTZ")
	}
	w.Select(0)
	right := padButton(t, w, "▶")

	right.MouseDown(&desktop.MouseEvent{})
	until("the move", padRight)
	end := time.Now().Add(2 * time.Second) // past the 1.5 s dead-man: the renewals hold it
	for time.Now().Before(end) {
		r.q.Run()
		time.Sleep(10 * time.Millisecond)
	}
	if got := lastSent(cam); got != padRight || !cam.Moving() {
		t.Fatalf("a renewed hold stopped: %s", got)
	}
	t0 := time.Now()
	right.MouseUp(&desktop.MouseEvent{})
	until("the stop on release", padStop)
	cmds := cam.Commands()
	t.Logf("pad release → stop at the camera: %v", cmds[len(cmds)-1].At.Sub(t0))

	// A stalled UI: the renewals queue up unrun, and the dead-man stops the camera.
	right.MouseDown(&desktop.MouseEvent{})
	deadline := time.Now().Add(5 * time.Second)
	for lastSent(cam) != padStop || time.Now().Before(deadline.Add(-3*time.Second)) {
		if time.Now().After(deadline) {
			t.Fatalf("no dead-man stop with a stalled UI: %s", lastSent(cam))
		}
		time.Sleep(10 * time.Millisecond)
	}
	right.MouseUp(&desktop.MouseEvent{})
	r.q.Run()

	// Focus lost while held.
	right.MouseDown(&desktop.MouseEvent{})
	until("the move", padRight)
	w.ptzFocusLost()
	until("the stop on focus loss", padStop)
	right.MouseUp(&desktop.MouseEvent{})

	// Keys: + zooms while held; arrows drive the camera only maximised.
	w.ptzKeyEvent(&fyne.KeyEvent{Name: fyne.KeyPlus}, true)
	until("the zoom", "800006011085000084")
	w.ptzKeyEvent(&fyne.KeyEvent{Name: fyne.KeyPlus}, false)
	until("the stop on key up", padStop)
	w.Maximise(0)
	w.ptzKeyEvent(&fyne.KeyEvent{Name: fyne.KeyLeft}, true)
	until("the left", padLeft)
	w.ptzKeyEvent(&fyne.KeyEvent{Name: fyne.KeyLeft}, false)
	until("the stop on key up", padStop)
	w.Restore()

	// Another selection while held: stop.
	padButton(t, w, "▶").MouseDown(&desktop.MouseEvent{})
	until("the move", padRight)
	w.Select(1)
	until("the stop on leaving the tile", padStop)
	if w.ptz.pad != nil {
		t.Fatal("the pad stayed for a camera without PTZ")
	}

	// The window closing while held: stop.
	w.Select(0)
	padButton(t, w, "▶").MouseDown(&desktop.MouseEvent{})
	until("the move", padRight)
	w.Stop()
	if got := lastSent(cam); got != padStop || cam.Moving() {
		t.Fatalf("after the wall stopped: %s", got)
	}
}

// TestDialogKeepsPTZ: editing a camera in the dialog keeps its ptz block, which the
// dialog does not show.
func TestDialogKeepsPTZ(t *testing.T) {
	cam := config.Camera{Name: "Dome", Streams: []config.Stream{{URL: "http://127.0.0.1:1/"}},
		PTZ: config.PTZ{Kind: "rcp", URL: "rcp://127.0.0.1:1/", User: "service", Password: "x"}}
	r := dlgTNew(t, &cam, nil, nil)
	dlgTType(r.d.name, "Dome 2")
	got, _ := r.d.camera()
	if got.Name != "Dome 2" || got.PTZ != cam.PTZ {
		t.Fatalf("edited camera %+v", got)
	}
}

// TestPTZStick: dragging the joystick right and up moves that way, faster farther out;
// the drag's end stops; a wheel step zooms briefly, then stops.
func TestPTZStick(t *testing.T) {
	if v := stickVelocity(48, 0, 48); v.Pan != 1 || v.Tilt != 0 {
		t.Errorf("rim right: %v", v)
	}
	if v := stickVelocity(0, 24, 48); v.Tilt != -0.5 {
		t.Errorf("half down: %v", v)
	}
	if v := stickVelocity(300, -400, 48); math.Abs(v.Pan-0.6) > 1e-6 || math.Abs(v.Tilt-0.8) > 1e-6 {
		t.Errorf("beyond the rim: %v", v)
	}
	_, r, until := ptzWall(t, 1, "1")
	r.wall.Select(0)
	pad := r.wall.ptz.pad
	if pad == nil {
		t.Fatal("no pad")
	}
	pad.stick.Resize(fyne.NewSize(96, 96))
	pad.stick.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(96, 0)}})
	until("the diagonal", "800006011085858500") // (0.71, 0.71) × speed 0.5 × 15 → 5
	pad.stick.DragEnd()
	until("the stop", padStop)
	pad.stick.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 1}})
	until("the wheel's zoom", "800006011085000084")
	until("the wheel's stop", padStop)
}

// TestPTZPadBusy: a camera that answers "try later" shows the BUSY message on the pad.
func TestPTZPadBusy(t *testing.T) {
	cam, r, _ := ptzWall(t, 1, "1")
	r.wall.Select(0)
	cam.SetError(0xc0)
	b := padButton(t, r.wall, "▲")
	b.MouseDown(&desktop.MouseEvent{})
	pumpUntil(t, r.q, "the busy message", func() bool { return strings.HasPrefix(r.wall.ptz.pad.status.Text, "BUSY") })
	b.MouseUp(&desktop.MouseEvent{})
	cam.SetError(0)
}
