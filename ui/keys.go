package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The wall's keyboard, as in a control room's viewer: arrows move the selection,
// Ctrl+arrows swap the selected camera with its neighbour (the selection follows),
// Space plays or stops the selected tile, Enter maximises it (again: restores), Esc
// restores (or leaves full screen), F11 toggles full screen. Keys reach the wall when no
// widget has the keyboard focus; the layout picker gives it back after a choice.

// arrows maps arrow keys to a step in the grid.
var arrows = map[fyne.KeyName][2]int{
	fyne.KeyLeft: {-1, 0}, fyne.KeyRight: {1, 0}, fyne.KeyUp: {0, -1}, fyne.KeyDown: {0, 1},
}

// attachKeys takes win's keyboard.
func (w *Wall) attachKeys(win fyne.Window) {
	c := win.Canvas()
	c.SetOnTypedKey(w.TypedKey)
	for key := range arrows {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierControl}, w.TypedShortcut)
	}
}

// TypedShortcut handles the wall's shortcuts, Ctrl+arrows (UI goroutine).
func (w *Wall) TypedShortcut(sc fyne.Shortcut) {
	cs, ok := sc.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierControl {
		return
	}
	if step, ok := arrows[cs.KeyName]; ok {
		w.swapToward(step[0], step[1])
	}
}

// TypedKey handles a key typed on the wall's window (UI goroutine).
func (w *Wall) TypedKey(ev *fyne.KeyEvent) {
	if step, ok := arrows[ev.Name]; ok {
		w.moveSelection(step[0], step[1])
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if w.maxPos >= 0 {
			w.Restore()
		} else {
			w.Maximise(w.selected)
		}
	case fyne.KeyEscape:
		if w.maxPos >= 0 {
			w.Restore()
		} else if w.win != nil && w.win.FullScreen() {
			w.win.SetFullScreen(false)
		}
	case fyne.KeySpace:
		w.TogglePlay()
	case fyne.KeyF11:
		w.ToggleFullScreen()
	}
}

// neighbour is the position one step from the selection in the grid on screen, or -1
// at the edge (or with nothing selected, or a tile maximised).
func (w *Wall) neighbour(dx, dy int) int {
	if w.selected < 0 || w.maxPos >= 0 {
		return -1
	}
	c, r := w.selected%w.cols+dx, w.selected/w.cols+dy
	if c < 0 || r < 0 || c >= w.cols || r >= w.rows {
		return -1
	}
	return r*w.cols + c
}

// moveSelection moves the selection one step; with nothing selected it selects the
// first tile.
func (w *Wall) moveSelection(dx, dy int) {
	if w.maxPos >= 0 {
		return
	}
	if w.selected < 0 {
		w.Select(0)
		return
	}
	if n := w.neighbour(dx, dy); n >= 0 {
		w.Select(n)
	}
}

// swapToward swaps the selected camera with its neighbour; the selection follows the
// camera.
func (w *Wall) swapToward(dx, dy int) {
	n := w.neighbour(dx, dy)
	if n < 0 {
		return
	}
	from := w.selected
	w.selected = n // before Swap, so a grid that changes size keeps it
	w.Swap(from, n)
	w.Select(n)
}
