package ui

import (
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keyboard of our pop-ups. Fyne hands a key to the focused widget, else to the
// canvas's handler, which is the wall's (keys.go): a modal pop-up does not stop it. So
// the wall's handler first asks whether a pop-up is open over the canvas; if one is, the
// key is the pop-up's: Esc closes it (Cancel), Enter takes its default action, and
// nothing reaches the wall. A focused entry gets every key itself: there Enter is its
// OnSubmitted, which our dialogs set to the same default action.

// popKeys are a pop-up's actions for Esc and Enter; either may be nil.
type popKeys struct {
	pop        *widget.PopUp
	esc, enter func()
}

// popRegs are the pop-ups with keys, in the order they were registered: the last
// visible one is on top (a notice over a dialog). A canvas's overlay is a container
// around the pop-up, so the pop-up itself is not what Overlays().Top() returns.
var (
	popMu   sync.Mutex
	popRegs []popKeys
)

// registerPopKeys gives pop its Esc and Enter actions until unregisterPopKeys.
func registerPopKeys(pop *widget.PopUp, esc, enter func()) {
	popMu.Lock()
	defer popMu.Unlock()
	popRegs = append(popRegs, popKeys{pop: pop, esc: esc, enter: enter})
}

func unregisterPopKeys(pop *widget.PopUp) {
	popMu.Lock()
	defer popMu.Unlock()
	popRegs = slices.DeleteFunc(popRegs, func(k popKeys) bool { return k.pop == pop })
}

// topPopKeys is the keys of the top visible pop-up of ours over c, if any.
func topPopKeys(c fyne.Canvas) (popKeys, bool) {
	popMu.Lock()
	defer popMu.Unlock()
	for i := len(popRegs) - 1; i >= 0; i-- {
		if k := popRegs[i]; k.pop.Canvas == c && k.pop.Visible() {
			return k, true
		}
	}
	return popKeys{}, false
}

// overlayOpen reports whether a pop-up (ours, or a Select's menu) is open over c.
func overlayOpen(c fyne.Canvas) bool {
	return c != nil && c.Overlays().Top() != nil
}

// overlayKey gives ev to the pop-up on top of c, if any, and reports whether there was
// one (the key is then never the wall's).
func overlayKey(c fyne.Canvas, ev *fyne.KeyEvent) bool {
	if !overlayOpen(c) {
		return false
	}
	k, ok := topPopKeys(c)
	if !ok {
		return true
	}
	switch ev.Name {
	case fyne.KeyEscape:
		if k.esc != nil {
			k.esc()
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.enter != nil {
			k.enter()
		}
	}
	return true
}

// dialogEntry is an entry of one of our dialogs. A focused entry gets every key, so Esc
// typed in it would never reach the dialog: this one hands Esc to esc (the dialog's
// Cancel). Enter is its OnSubmitted, as in any entry.
type dialogEntry struct {
	widget.Entry
	esc func()
}

// newDialogEntry makes a dialog entry whose Esc calls esc.
func newDialogEntry(esc func()) *dialogEntry {
	e := &dialogEntry{esc: esc}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newDialogPasswordEntry is a masked dialog entry with a button that shows or hides
// what was typed (as widget.NewPasswordEntry's, whose revealer is not exported).
func newDialogPasswordEntry(esc func()) *dialogEntry {
	e := newDialogEntry(esc)
	e.Password = true
	var reveal *widget.Button
	reveal = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
		e.Password = !e.Password
		if e.Password {
			reveal.SetIcon(theme.VisibilityOffIcon())
		} else {
			reveal.SetIcon(theme.VisibilityIcon())
		}
		e.Refresh()
	})
	reveal.Importance = widget.LowImportance
	e.ActionItem = reveal
	return e
}

// TypedKey closes the dialog on Esc, else behaves as an Entry.
func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.esc != nil {
		e.esc()
		return
	}
	e.Entry.TypedKey(ev)
}
