package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/vigil-cctv/vigil/capture"
)

// F11 shows the wall alone: no toolbar, camera list or status bar, the wall filling the
// window; F11 or Esc brings them back and leaves full screen. A camera list hidden
// before stays hidden.
func TestFullScreenShowsTheWallAlone(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", nil)
	c := r.wall.chrome
	chromeShown := func() (bool, bool, bool) {
		return c.toolbar.Visible(), c.sideBox.Visible(), c.status.obj.Visible()
	}
	for _, leave := range []fyne.KeyName{fyne.KeyF11, fyne.KeyEscape} {
		r.key(fyne.KeyF11)
		if !r.win.FullScreen() {
			t.Fatal("F11 did not enter full screen")
		}
		if tb, sb, st := chromeShown(); tb || sb || st {
			t.Errorf("full screen still shows toolbar %v, camera list %v, status bar %v", tb, sb, st)
		}
		if got, want := r.wall.content.Size(), r.win.Canvas().Size(); got != want {
			t.Errorf("full screen: the wall is %v in a %v window", got, want)
		}
		r.key(leave)
		if r.win.FullScreen() {
			t.Fatalf("%s did not leave full screen", leave)
		}
		if tb, sb, st := chromeShown(); !tb || !sb || !st {
			t.Errorf("after %s: toolbar %v, camera list %v, status bar %v (want all shown)", leave, tb, sb, st)
		}
	}
	c.toggleSidebar()
	r.key(fyne.KeyF11)
	r.key(fyne.KeyF11)
	if c.sideBox.Visible() || !c.toolbar.Visible() {
		t.Errorf("a camera list hidden before full screen: shown %v after; toolbar %v", c.sideBox.Visible(), c.toolbar.Visible())
	}

	// The window manager takes the window out of full screen: the next F11 or Esc brings
	// the chrome back rather than hiding it in a window.
	for _, back := range []fyne.KeyName{fyne.KeyF11, fyne.KeyEscape} {
		r.key(fyne.KeyF11)
		r.win.SetFullScreen(false)
		r.key(back)
		if r.win.FullScreen() || !c.toolbar.Visible() || !c.status.obj.Visible() {
			t.Errorf("%s after leaving full screen otherwise: full screen %v, toolbar %v", back, r.win.FullScreen(), c.toolbar.Visible())
		}
	}
}
