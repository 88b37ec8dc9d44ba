package ui

import (
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/onvif/onviftest"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// ptzFunc gives "Cam 1" the PTZ controller that open makes.
type ptzFunc func() (capture.PTZ, error)

func (f ptzFunc) PTZ(name string) (capture.PTZ, bool, error) {
	if name != "Cam 1" {
		return nil, false, nil
	}
	p, err := f()
	return p, err == nil, err
}

var centreXY = regexp.MustCompile(`[ <]x="([-0-9.e]+)"[^>]*?[ ]y="([-0-9.e]+)"|[ <]y="([-0-9.e]+)"[^>]*?[ ]x="([-0-9.e]+)"`)

// relativeMoves are the field-of-view translations the camera received, as (x, y).
func relativeMoves(t *testing.T, srv *onviftest.Server) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, c := range srv.Commands() {
		if c.Op != "RelativeMove" {
			continue
		}
		m := centreXY.FindStringSubmatch(c.Body)
		if m == nil {
			t.Fatalf("RelativeMove without a translation: %s", c.Body)
		}
		xs, ys := m[1], m[2]
		if xs == "" {
			xs, ys = m[4], m[3]
		}
		x, _ := strconv.ParseFloat(xs, 64)
		y, _ := strconv.ParseFloat(ys, 64)
		out = append(out, [2]float64{x, y})
	}
	return out
}

// centreWall is a started wall whose "Cam 1" is PTZ through open, selected, with a picture.
func centreWall(t *testing.T, open ptzFunc) (*wallTRig, *Tile) {
	t.Helper()
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", func(o *WallOptions) { o.PTZ = open })
	r.wall.Start()
	r.wall.Select(0)
	if r.wall.ptz.pad == nil {
		t.Fatal("no PTZ pad")
	}
	tile := r.wall.Tiles()[0]
	pumpUntil(t, r.q, "a picture on the PTZ tile", func() bool { return tile.hasPicture && tile.buf != nil })
	// The pad is laid out where it shows, and grows to the presets it lists.
	pad := r.wall.ptz.pad
	pumpUntil(t, r.q, "the pad sized to its presets", func() bool {
		return len(pad.presets.Objects) > 0 && pad.obj.Size().Height >= pad.card.MinSize().Height
	})
	return r, tile
}

// at is the point of the tile showing the fraction (fx, fy) of the shown picture.
func at(tile *Tile, fx, fy float32) fyne.Position {
	pos, size := containRect(tile.Size(), tile.buf.Rect.Dx(), tile.buf.Rect.Dy())
	return fyne.NewPos(pos.X+fx*size.Width, pos.Y+fy*size.Height)
}

// TestPTZClickToCentre: with the pad shown, a click on the PTZ tile's picture sends an
// ONVIF RelativeMove in the field-of-view space to the clicked point (through the
// letterboxing, and through the digital zoom of a maximised tile), and the simulated
// head turns that way; a click on the bars beside the picture, and on another tile,
// centres nothing.
func TestPTZClickToCentre(t *testing.T) {
	srv := onviftest.Start(t, onviftest.Options{User: "op", Password: "pw-7", ClockOffset: 7 * time.Minute})
	r, tile := centreWall(t, func() (capture.PTZ, error) {
		return config.Protocols().NewPTZ(srv.URL(), capture.Settings{User: "op", Password: "pw-7"})
	})
	wantMoves := func(n int) [][2]float64 {
		t.Helper()
		var got [][2]float64
		pumpUntil(t, r.q, "the RelativeMove", func() bool {
			got = relativeMoves(t, srv)
			return len(got) >= n && !r.wall.ptz.pad.centring
		})
		if len(got) != n {
			t.Fatalf("%d RelativeMoves, want %d: %v", len(got), n, got)
		}
		return got
	}
	near := func(what string, got, want [2]float64) {
		t.Helper()
		if d := max(math.Abs(got[0]-want[0]), math.Abs(got[1]-want[1])); d > 0.02 {
			t.Errorf("%s: translation %v, want %v", what, got, want)
		}
	}

	pan0, tilt0, _ := srv.Position()
	t0 := time.Now()
	test.TapAt(tile, at(tile, 0.75, 0.25)) // right of and above the centre
	got := wantMoves(1)
	var sent time.Time
	for _, c := range srv.Commands() {
		if c.Op == "RelativeMove" {
			sent = c.Time
		}
	}
	t.Logf("click → RelativeMove at the camera: %v (first click: includes reading the PTZ options)", sent.Sub(t0))
	near("click at (0.75, 0.25)", got[0], [2]float64{0.5, 0.5})
	if r.wall.Selected() != 0 || r.wall.ptz.pad.status.Text != "" {
		t.Errorf("after the click: selected %d, pad says %q", r.wall.Selected(), r.wall.ptz.pad.status.Text)
	}
	pumpUntil(t, r.q, "the head turning right and up", func() bool {
		p, tl, _ := srv.Position()
		return p > pan0 && tl > tilt0
	})

	// A second click: only the move itself is sent now.
	t1 := time.Now()
	test.TapAt(tile, at(tile, 0.25, 0.5))
	got = wantMoves(2)
	cmds := srv.Commands()
	t.Logf("click → RelativeMove at the camera, later clicks: %v", cmds[len(cmds)-1].Time.Sub(t1))
	near("click at (0.25, 0.5)", got[1], [2]float64{-0.5, 0})

	// The letterbox: the picture's aspect differs from the tile's, so bars frame it.
	pos, _ := containRect(tile.Size(), tile.buf.Rect.Dx(), tile.buf.Rect.Dy())
	switch {
	case pos.X >= 2:
		test.TapAt(tile, fyne.NewPos(1, tile.Size().Height/2))
	case pos.Y >= 2:
		test.TapAt(tile, fyne.NewPos(tile.Size().Width/2, 1))
	default:
		t.Fatalf("no bar beside the picture: %v", pos)
	}
	// Another tile's click selects it (and its camera has no PTZ: the pad goes).
	test.TapAt(r.wall.Tiles()[1], fyne.NewPos(tile.Size().Width/2, tile.Size().Height/2))
	if r.wall.Selected() != 1 || r.wall.ptz.pad != nil {
		t.Fatalf("the other tile's click: selected %d", r.wall.Selected())
	}
	time.Sleep(100 * time.Millisecond)
	r.q.Run()
	if n := len(relativeMoves(t, srv)); n != 2 {
		t.Fatalf("the bar's or another tile's click centred: %d RelativeMoves", n)
	}

	// Maximised and zoomed 2× on the picture's top-left quarter: the tile's centre is the
	// picture's (0.25, 0.25).
	r.wall.Maximise(0)
	tile = r.wall.Tiles()[0]
	if r.wall.ptz.pad == nil {
		t.Fatal("no pad on the maximised PTZ tile")
	}
	pumpUntil(t, r.q, "the maximised picture", func() bool { return tile.hasPicture && tile.buf != nil })
	tile.setZoom(zoomView{factor: 2, cx: 0.25, cy: 0.25})
	test.TapAt(tile, at(tile, 0.5, 0.5))
	got = wantMoves(3)
	near("zoomed click", got[2], [2]float64{-0.5, 0.5})
}

// TestPTZClickWithoutCentre: a controller that cannot centre (RCP+) leaves a click the
// tile's usual one: nothing is sent, the pad stays.
func TestPTZClickWithoutCentre(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{})
	p := ptzOf{cam}
	r, tile := centreWall(t, func() (capture.PTZ, error) { c, _, err := p.PTZ("Cam 1"); return c, err })
	if _, ok := r.wall.ptz.pad.p.(capture.PTZCenterer); ok {
		t.Fatal("RCP+ became a PTZCenterer: pick another controller for this test")
	}
	before := len(cam.Commands())
	test.TapAt(tile, at(tile, 0.75, 0.25))
	time.Sleep(100 * time.Millisecond)
	r.q.Run()
	if got := lastSent(cam); len(cam.Commands()) > before && got != "" && got != padStop {
		t.Fatalf("a click moved a camera that cannot centre: %s", got)
	}
	if r.wall.Selected() != 0 || r.wall.ptz.pad == nil {
		t.Fatalf("selected %d, pad %v", r.wall.Selected(), r.wall.ptz.pad != nil)
	}
}
