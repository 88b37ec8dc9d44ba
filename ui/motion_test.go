package ui

import (
	"image/color"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/vigil-cctv/vigil/capture"
)

// motionFeed is a Motion whose events the test sends, from another goroutine as the
// analytics do.
type motionFeed struct {
	mu sync.Mutex
	f  func(camera string, on bool, label string)
}

func (m *motionFeed) OnMotion(f func(string, bool, string)) { m.mu.Lock(); m.f = f; m.mu.Unlock() }

func (m *motionFeed) send(camera string, on bool, label string) {
	m.mu.Lock()
	f := m.f
	m.mu.Unlock()
	go f(camera, on, label)
}

// TestMotionLightsTheTileBorder: motion on a camera lights its tile's border in amber,
// with a detection's label in the corner, and clears when it ends; the other tile stays
// dark.
func TestMotionLightsTheTileBorder(t *testing.T) {
	feed := &motionFeed{}
	r := newWallTRig(t, []capture.Source{liveSource(t, 10*time.Millisecond), liveSource(t, 10*time.Millisecond)},
		capture.StreamOptions{}, "2x2", func(o *WallOptions) { o.Motion = feed })
	r.wall.Start()
	one, two := r.wall.Tile("Cam 1"), r.wall.Tile("Cam 2")
	pumpUntil(t, r.q, "pictures", func() bool { return one.Drawn() > 0 && two.Drawn() > 0 })
	// The border's colour where a person sees it: the middle of the tile's top edge, in
	// a capture of the window.
	amberAt := func(tile *Tile) bool {
		shot := r.win.Canvas().Capture()
		scale := float32(shot.Bounds().Dx()) / r.win.Canvas().Size().Width
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
		x, y := int((p.X+tile.Size().Width/2)*scale), int((p.Y+1)*scale)
		for dy := range 8 { // the top edge, whatever the padding around the tile
			c := color.NRGBAModel.Convert(shot.At(x, y+dy)).(color.NRGBA)
			if c.R > 0xe0 && c.G > 0x90 && c.G < 0xd0 && c.B < 0x40 {
				return true
			}
		}
		return false
	}
	if amberAt(one) {
		t.Fatal("a tile without motion has an amber border")
	}
	feed.send("Cam 1", true, "person")
	pumpUntil(t, r.q, "the motion border", func() bool { on, l := one.Motion(); return on && l == "person" })
	if !amberAt(one) || amberAt(two) {
		t.Errorf("amber border: Cam 1 %v (want true), Cam 2 %v (want false)", amberAt(one), amberAt(two))
	}
	if rr := renderer(one); !rr.motText.Visible() || rr.motText.Text != "person" {
		t.Errorf("the detection's label shows %q (visible %v)", rr.motText.Text, rr.motText.Visible())
	}
	feed.send("Cam 1", false, "")
	pumpUntil(t, r.q, "the border to clear", func() bool { on, _ := one.Motion(); return !on })
	if amberAt(one) {
		t.Error("the border stays amber after the motion ended")
	}
}
