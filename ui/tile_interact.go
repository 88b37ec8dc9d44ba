package ui

import "fyne.io/fyne/v2"

// Interaction: the Wall sets the hooks and drives selection and maximising; the Tile only
// reports taps and shows its state. Everything here runs on the UI goroutine.

// tileHooks are set by whoever lays the tile out (the Wall).
type tileHooks struct {
	// OnTapped is called when the tile is clicked (select it).
	OnTapped func(*Tile)
	// OnDoubleTapped is called on a double-click (maximise or restore it).
	OnDoubleTapped func(*Tile)
}

// Tapped is part of fyne.Tappable.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped(t)
	}
}

// DoubleTapped is part of fyne.DoubleTappable.
func (t *Tile) DoubleTapped(*fyne.PointEvent) {
	if t.OnDoubleTapped != nil {
		t.OnDoubleTapped(t)
	}
}

// SetSelected marks the tile as the wall's selection (a highlighted border).
func (t *Tile) SetSelected(on bool) {
	if t.selected == on {
		return
	}
	t.selected = on
	t.Refresh()
}

// Selected reports whether the tile is the wall's selection.
func (t *Tile) Selected() bool { return t.selected }

// SetMaximised tells the tile it fills the wall; a maximised tile offers digital zoom and
// pan.
func (t *Tile) SetMaximised(on bool) {
	if t.maximised == on {
		return
	}
	t.maximised = on
	t.Refresh()
}

// Maximised reports whether the tile fills the wall.
func (t *Tile) Maximised() bool { return t.maximised }
