package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// newAddRig is a wall of two live cameras whose list can add cameras (adds are recorded).
func newAddRig(t *testing.T, adds *[]string) *wallTRig {
	t.Helper()
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		cams := o.Cameras.(*testCameras)
		o.Cameras = &testEditor{testCameras: cams,
			camera: func(string) (config.Camera, bool) { return config.Camera{}, false },
			add: func(c config.Camera) error {
				*adds = append(*adds, c.Name)
				return errors.New("not in this test")
			},
			edit: func(string, config.Camera) error { return nil }}
	})
	r.wall.Start()
	return r
}

// While Add camera is open, the wall's keys do nothing (Space stopped a tile behind it,
// arrows moved the selection, Ctrl+arrows swapped cameras); Esc closes the dialog, and
// then the keys are the wall's again.
func TestPopKeysDialogTakesTheKeyboard(t *testing.T) {
	var adds []string
	r := newAddRig(t, &adds)
	r.wall.Select(0)
	tiles := r.wall.Tiles()
	test.Tap(r.wall.chrome.side.add)
	if r.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Add did not open the dialog")
	}
	before := slices.Clone(r.wall.Assignments())
	r.key(fyne.KeySpace)
	r.key(fyne.KeyRight)
	r.ctrl(fyne.KeyRight)
	r.key(fyne.KeyF11)
	if !tiles[0].Running() {
		t.Error("Space behind the Add dialog stopped the selected tile")
	}
	if r.wall.Selected() != 0 {
		t.Errorf("an arrow behind the dialog moved the selection to %d", r.wall.Selected())
	}
	if got := r.wall.Assignments(); !slices.Equal(got, before) {
		t.Errorf("Ctrl+Right behind the dialog swapped cameras: %q, was %q", got, before)
	}
	if r.win.FullScreen() {
		t.Error("F11 behind the dialog went full screen")
	}
	r.key(fyne.KeyEscape)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc did not close the Add dialog")
	}
	r.key(fyne.KeySpace)
	if tiles[0].Running() {
		t.Error("with the dialog closed, Space no longer reaches the wall")
	}
}

// Enter in the Add dialog saves only a valid camera: on a half-filled form it shows what
// is missing and keeps the dialog and what was typed; once valid, Enter saves.
func TestPopKeysEnterSavesOnlyValidCamera(t *testing.T) {
	var adds []string
	r := newAddRig(t, &adds)
	test.Tap(r.wall.chrome.side.add)
	pop := r.win.Canvas().Overlays().Top()
	var entries []*widget.Entry
	walkAll(pop, func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok {
			entries = append(entries, &e.Entry)
		}
	})
	if len(entries) < 2 {
		t.Fatalf("%d entries in the dialog", len(entries))
	}
	name, url := entries[0], entries[1]
	test.Type(name, "Gate")
	url.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter in the empty URL field
	if len(adds) != 0 || r.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("Enter saved a half-filled camera: adds %q", adds)
	}
	if name.Text != "Gate" {
		t.Errorf("the name typed was lost: %q", name.Text)
	}
	if !strings.Contains(strings.Join(uitest.Texts(pop), "\n"), "Fix the fields marked in red") {
		t.Errorf("Enter on a half-filled form did not say what is missing: %q", uitest.Texts(pop))
	}
	test.Type(url, "http://127.0.0.1:1/video.mjpg")
	url.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !slices.Equal(adds, []string{"Gate"}) {
		t.Fatalf("Enter on a valid form: adds %q", adds)
	}
}

// Enter submits Connect, in a field or with none focused; Esc cancels.
func TestPopKeysEnterConnectsEscCancels(t *testing.T) {
	q := &uiQueue{}
	win := dialogWindow(t)
	var calls []string
	w := NewWall(WallOptions{})
	w.win = win
	win.Canvas().SetOnTypedKey(w.TypedKey)
	d := newSiteDialog(win, func(ctx context.Context, s config.Site, pin string) (*SiteView, error) {
		calls = append(calls, s.URL)
		return nil, errors.New("refused")
	}, func(*SiteView, []config.Trusted) error { return nil }, q.Do)
	d.show()
	test.Type(d.server, "127.0.0.1:8081")
	test.Type(d.user, "op")
	d.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	d.wait()
	q.Run()
	if !slices.Equal(calls, []string{"milestones://127.0.0.1:8081"}) {
		t.Fatalf("Enter in the password field: connect calls %q", calls)
	}
	win.Canvas().Unfocus()
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEnter})
	d.wait()
	q.Run()
	if len(calls) != 2 {
		t.Fatalf("Enter with no field focused: connect calls %q", calls)
	}
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !d.closed || win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc did not close Connect to Milestone")
	}
}

// Esc closes the Recordings window.
func TestPopKeysEscClosesRecordings(t *testing.T) {
	test.NewTempApp(t)
	w := NewWall(WallOptions{Recordings: &recTFake{}})
	w.showRecordings()
	wins := fyne.CurrentApp().Driver().AllWindows()
	var rec fyne.Window
	for _, x := range wins {
		if strings.Contains(x.Title(), "Recordings") {
			rec = x
		}
	}
	if rec == nil {
		t.Fatal("no Recordings window")
	}
	closed := false
	rec.SetOnClosed(func() { closed = true })
	rec.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !closed {
		t.Error("Esc did not close the Recordings window")
	}
}

// recTFake is a Recordings with nothing recorded.
type recTFake struct{}

func (recTFake) Toggle(string) error         { return nil }
func (recTFake) State(string) RecordingState { return RecordingState{} }
func (recTFake) List() ([]Clip, error)       { return nil, nil }
func (recTFake) Open(string) error           { return nil }

// Esc typed in a field (the field has the keyboard, not the canvas) closes Add camera
// and Connect to Milestone, which focuses its server field when it opens.
func TestPopKeysEscInAFieldCloses(t *testing.T) {
	var adds []string
	r := newAddRig(t, &adds)
	test.Tap(r.wall.chrome.side.add)
	var name *dialogEntry
	walkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok && name == nil {
			name = e
		}
	})
	if name == nil {
		t.Fatal("no entry in the dialog")
	}
	r.win.Canvas().Focus(name)
	test.Type(name, "Ga")
	r.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if r.win.Canvas().Overlays().Top() != nil {
		t.Error("Esc in the name field did not close Add camera")
	}
	if len(adds) != 0 {
		t.Errorf("Esc saved: %q", adds)
	}

	d := newSiteDialog(r.win, func(context.Context, config.Site, string) (*SiteView, error) {
		return nil, errors.New("unused")
	}, func(*SiteView, []config.Trusted) error { return nil }, r.q.Do)
	d.show()
	f := r.win.Canvas().Focused()
	if f == nil {
		t.Fatal("Connect to Milestone focuses no field")
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !d.closed || r.win.Canvas().Overlays().Top() != nil {
		t.Error("Esc in the server field did not close Connect to Milestone")
	}
}

// The password fields stay masked and can be revealed.
func TestPopKeysPasswordEntryMaskedAndRevealable(t *testing.T) {
	test.NewTempApp(t)
	e := newDialogPasswordEntry(nil)
	if !e.Password {
		t.Fatal("not masked")
	}
	test.Tap(e.ActionItem.(*widget.Button))
	if e.Password {
		t.Error("the reveal button did not show the password")
	}
	test.Tap(e.ActionItem.(*widget.Button))
	if !e.Password {
		t.Error("the reveal button did not hide it again")
	}
}
