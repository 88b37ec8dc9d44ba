package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/config"
)

// personKey types a key as the window does for a person: to the focused widget, if
// any, else to the canvas's handler (the wall's).
func (r *wallTRig) personKey(name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := r.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	r.key(name)
}

// After a dialog closed — by Esc typed in one of its fields, by Cancel, or Connect to
// Milestone by Esc in the field it focuses — the wall's keys work again: no field of
// the closed dialog keeps the keyboard.
func TestKeysWorkAfterDialogCloses(t *testing.T) {
	var adds []string
	r := newAddRig(t, &adds)
	r.wall.Select(0)
	tile := r.wall.Tiles()[0]
	space := func(what string, running bool) {
		t.Helper()
		r.personKey(fyne.KeySpace)
		if tile.Running() != running {
			t.Errorf("after %s, Space did not reach the wall (focused %T)", what, r.win.Canvas().Focused())
			r.wall.TogglePlay()
		}
	}
	// Add camera closed by Esc in its name field.
	test.Tap(r.wall.chrome.side.add)
	name := firstDialogEntry(r)
	r.win.Canvas().Focus(name)
	test.Type(name, "Ga")
	r.personKey(fyne.KeyEscape)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc did not close Add camera")
	}
	space("Esc in Add camera's field", false)
	space("Esc in Add camera's field (again)", true)

	// Add camera closed by Cancel with a field focused.
	test.Tap(r.wall.chrome.side.add)
	r.win.Canvas().Focus(firstDialogEntry(r))
	var cancel *widget.Button
	walkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Cancel" {
			cancel = b
		}
	})
	test.Tap(cancel)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Cancel did not close Add camera")
	}
	space("Cancel", false)
	space("Cancel (again)", true)

	// Connect to Milestone, which focuses its server field, closed by Esc.
	sd := newSiteDialog(r.win, func(context.Context, config.Site, string) (*SiteView, error) {
		return nil, errors.New("unused")
	}, func(*SiteView, []config.Trusted) error { return nil }, r.q.Do)
	sd.show()
	r.personKey(fyne.KeyEscape)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc did not close Connect to Milestone")
	}
	space("Esc in Connect to Milestone", false)
}

// firstDialogEntry is the first entry of the dialog on top of r's window.
func firstDialogEntry(r *wallTRig) *dialogEntry {
	var first *dialogEntry
	walkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*dialogEntry); ok && first == nil {
			first = e
		}
	})
	return first
}
