package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The wall's keyboard, as in a control room's viewer: arrows move the selection,
// Ctrl+arrows swap the selected camera with its neighbour (the selection follows),
// Space plays or stops the selected tile, Enter maximises it (again: restores), Esc
// restores (or leaves full screen), F11 toggles full screen. Keys reach the wall when no
// widget has the keyboard focus and no dialog is open (popkeys.go); the layout picker
// gives the keyboard back after a choice.

// arrows maps arrow keys to a step in the grid.
var arrows = map[fyne.KeyName][2]int{
	fyne.KeyLeft: {-1, 0}, fyne.KeyRight: {1, 0}, fyne.KeyUp: {0, -1}, fyne.KeyDown: {0, 1},
}

// attachKeys takes win's keyboard.
func (w *Wall) attachKeys(win fyne.Window) {
	c := win.Canvas()
	c.SetOnTypedKey(w.TypedKey)
	if dc, ok := c.(desktop.Canvas); ok { // the PTZ pad holds while a key is down
		dc.SetOnKeyDown(func(ev *fyne.KeyEvent) { w.ptzKeyEvent(ev, true) })
		dc.SetOnKeyUp(func(ev *fyne.KeyEvent) { w.ptzKeyEvent(ev, false) })
	}
	if a := fyne.CurrentApp(); a != nil { // focus lost: a held PTZ control lets go
		a.Lifecycle().SetOnExitedForeground(func() { w.batch.do(w.ptzFocusLost) })
	}
	for key := range arrows {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierControl}, w.TypedShortcut)
	}
	for _, sc := range viewShortcuts() {
		c.AddShortcut(sc, w.TypedShortcut)
	}
}

// TypedShortcut handles the wall's shortcuts, Ctrl+arrows and the views' Ctrl+1…9 and
// Ctrl+PageUp/PageDown (UI goroutine).
func (w *Wall) TypedShortcut(sc fyne.Shortcut) {
	if w.win != nil && overlayOpen(w.win.Canvas()) {
		return // a dialog is open: its keys are not the wall's
	}
	cs, ok := sc.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierControl {
		return
	}
	if step, ok := arrows[cs.KeyName]; ok {
		w.swapToward(step[0], step[1])
		return
	}
	w.viewShortcut(cs.KeyName)
}

// TypedKey handles a key typed on the wall's window (UI goroutine).
func (w *Wall) TypedKey(ev *fyne.KeyEvent) {
	if w.win != nil && overlayKey(w.win.Canvas(), ev) {
		return // a dialog is open: Esc and Enter are its own, the rest nobody's (popkeys.go)
	}
	if _, ok := ptzKeys[ev.Name]; ok && w.ptzOwnsKey(ev.Name) {
		return // the PTZ pad's (KeyDown/KeyUp)
	}
	if step, ok := arrows[ev.Name]; ok {
		w.moveSelection(step[0], step[1])
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if w.m.Maximised() >= 0 {
			w.Restore()
		} else {
			w.Maximise(w.m.Selected())
		}
	case fyne.KeyEscape:
		if w.m.Maximised() >= 0 {
			w.Restore()
		} else if w.inFullScreen() {
			w.setFullScreen(false)
		}
	case fyne.KeySpace:
		w.TogglePlay()
	case fyne.KeyF11:
		w.ToggleFullScreen()
	}
}

// moveSelection moves the selection one step; with nothing selected it selects the
// first tile.
func (w *Wall) moveSelection(dx, dy int) {
	if w.m.Maximised() >= 0 {
		return
	}
	if w.m.Selected() < 0 {
		w.Select(0)
		return
	}
	if n := w.m.Neighbour(dx, dy); n >= 0 {
		w.Select(n)
	}
}

// swapToward swaps the selected camera with its neighbour; the selection follows the
// camera.
func (w *Wall) swapToward(dx, dy int) {
	if !w.m.SwapToward(dx, dy) {
		return
	}
	w.apply()
	w.changed()
}
