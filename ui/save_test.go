package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// viewsErr is a Views whose save fails while err is set.
type viewsErr struct {
	err   error
	saves int
}

func (v *viewsErr) SaveWall(string, []string) error { v.saves++; return v.err }

// A save that fails is shown on the status bar, not only logged (issue 12: a 3×3 wall
// with 19 cameras logged "saving the settings failed" at every change and showed
// nothing); the line goes once a save succeeds.
func TestWallShowsSaveFailure(t *testing.T) {
	views := &viewsErr{err: errors.New("the change is shown but could not be saved: disk full")}
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", func(o *WallOptions) { o.Views = views })
	shown := func() string {
		for _, s := range uitest.Texts(r.win.Content()) {
			if strings.Contains(s, "not saved") {
				return s
			}
		}
		return ""
	}
	if s := shown(); s != "" {
		t.Fatalf("before any change: %q", s)
	}
	r.wall.Swap(0, 1)
	if views.saves == 0 {
		t.Fatal("SaveWall not called")
	}
	if s := shown(); !strings.Contains(s, "disk full") {
		t.Fatalf("after a failed save the window shows %q", uitest.Texts(r.win.Content()))
	}
	if !slices.Contains(uitest.Texts(r.win.Content()), saveErrorText(views.err)) || r.wall.SaveError() == nil {
		t.Errorf("SaveError = %v", r.wall.SaveError())
	}

	views.err = nil
	if err := r.wall.SetLayout("3x3"); err != nil {
		t.Fatal(err)
	}
	if s := shown(); s != "" || r.wall.SaveError() != nil {
		t.Errorf("after a good save still shown: %q", s)
	}
}
