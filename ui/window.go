package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DefaultWindowSize is the wall window's size when it opens.
var DefaultWindowSize = fyne.NewSize(1600, 1000)

// layoutNames are the layout picker's labels, by layout.
var layoutNames = map[string]string{
	"auto": "Automatic", "1": "1 camera", "2x2": "2 × 2", "3x3": "3 × 3", "4x4": "4 × 4",
	"5x5": "5 × 5", "6x6": "6 × 6", "8x8": "8 × 8",
}

var (
	colorDropTarget color.Color = color.NRGBA{R: 0x4f, G: 0xa3, B: 0xff, A: 0x50}
	colorHintBack   color.Color = color.NRGBA{R: 0x17, G: 0x19, B: 0x1f, A: 0xe8}
	colorHintText   color.Color = color.NRGBA{R: 0xf2, G: 0xf2, B: 0xf2, A: 0xff}
)

// chrome is everything in the window around the wall: the toolbar, the camera list, the
// status bar and the layer that shows a camera being dragged.
type chrome struct {
	w       *Wall
	obj     fyne.CanvasObject
	layout  *widget.Select
	views   *viewBar
	side    *sidebar
	sideBox fyne.CanvasObject
	status  *statusBar
	toolbar fyne.CanvasObject

	// bare is set in full screen, which shows the wall alone; sideWas is whether the
	// camera list was shown before, to show it again after.
	bare, sideWas bool

	// The drag layer: a hint following the pointer and the drop target's highlight.
	layer    *fyne.Container
	hint     *fyne.Container
	hintText *canvas.Text
	drop     *canvas.Rectangle
	dragName string
	dragAt   fyne.Position
	syncing  bool

	notice *snapshotNotice // the non-modal "Snapshot saved" over the wall
}

// Panel is the whole window's content for win: a toolbar (layout picker, camera list
// toggle, snapshot, health, full screen), the camera list on the left, the wall, and the
// status bar. It also takes win's keyboard (see keys.go) and is where the camera dialog
// opens. Call it once.
func (w *Wall) Panel(win fyne.Window) fyne.CanvasObject {
	if w.chrome != nil {
		return w.chrome.obj
	}
	w.win = win
	c := &chrome{w: w}
	w.chrome = c
	c.side = newSidebar(w)
	c.status = newStatusBar()
	c.status.showSaveError(w.saveErr)

	opts := make([]string, len(Layouts))
	for i, l := range Layouts {
		opts[i] = layoutNames[l]
	}
	c.layout = widget.NewSelect(opts, func(label string) {
		if c.syncing {
			return
		}
		for l, n := range layoutNames {
			if n == label {
				_ = w.SetLayout(l)
			}
		}
		// Give the keyboard back to the wall: a focused Select takes the arrow keys.
		win.Canvas().Unfocus()
	})
	c.sideBox = c.side.obj
	c.views = c.newViewBar()
	toolbar := container.NewHBox(
		widget.NewButtonWithIcon("", theme.ListIcon(), c.toggleSidebar),
		c.views.obj,
		widget.NewLabel("Layout"), c.layout,
		widget.NewSeparator(),
		widget.NewButtonWithIcon("Play / stop", theme.MediaPlayIcon(), w.TogglePlay),
		widget.NewButtonWithIcon("Snapshot", theme.MediaPhotoIcon(), c.snapshot),
		widget.NewButtonWithIcon("Health", theme.InfoIcon(), c.toggleHealth),
		widget.NewButtonWithIcon("Full screen", theme.ViewFullScreenIcon(), w.ToggleFullScreen),
	)
	c.toolbar = toolbar
	c.notice = newSnapshotNotice(w.openFolder, w.batch.Do, func(err error) { showNotice(win, "Show in folder", err.Error()) })
	body := container.NewBorder(toolbar, c.status.obj, c.sideBox, nil, container.NewStack(w.content, c.notice.obj))

	c.hintText = canvas.NewText("", colorHintText)
	c.hintText.TextSize = 12
	c.hint = container.NewStack(canvas.NewRectangle(colorHintBack), container.NewPadded(c.hintText))
	c.hint.Hide()
	c.drop = canvas.NewRectangle(colorDropTarget)
	c.drop.StrokeColor = colorSelected
	c.drop.StrokeWidth = 3
	c.drop.Hide()
	c.layer = container.NewWithoutLayout(c.drop, c.hint)
	c.obj = container.NewStack(body, c.layer)

	w.attachKeys(win)
	c.sync()
	w.startStatus()
	return c.obj
}

// sync makes the chrome follow the wall (UI goroutine).
func (c *chrome) sync() {
	c.syncing = true
	c.layout.SetSelected(layoutNames[c.w.m.Layout()])
	c.syncing = false
	c.syncViews()
	c.side.sync()
}

func (c *chrome) toggleSidebar() {
	if c.sideBox.Visible() {
		c.sideBox.Hide()
	} else {
		c.sideBox.Show()
	}
	c.obj.Refresh()
}

// selectedTile is the tile at the selected position, or nil.
func (w *Wall) selectedTile() *Tile {
	return w.tiles[w.m.At(w.m.Selected())]
}

// snapshot saves the selected tile's picture to SnapshotDir.
func (c *chrome) snapshot() {
	w := c.w
	t := w.selectedTile()
	if t == nil || w.win == nil {
		return
	}
	if w.opts.SnapshotDir == "" {
		showNotice(w.win, "Snapshot", "No snapshot folder is configured.")
		return
	}
	t.saveSnapshot(w.opts.SnapshotDir, func(path string, err error) { w.snapshotDone(t, path, err) })
}

// toggleHealth shows or hides the selected tile's health overlay.
func (c *chrome) toggleHealth() {
	t := c.w.selectedTile()
	if t == nil {
		return
	}
	if h, ok := any(t).(interface {
		SetHealthVisible(bool)
		HealthVisible() bool
	}); ok {
		h.SetHealthVisible(!h.HealthVisible())
	}
}

// dragStart shows the drag hint for a camera.
func (c *chrome) dragStart(name string) {
	c.dragName = name
	c.hintText.Text = "Drop on a tile to show " + name
	c.hintText.Refresh()
	c.hint.Resize(c.hint.MinSize())
	c.hint.Show()
}

// dragMove follows the pointer (abs in canvas coordinates) and highlights the cell under
// it.
func (c *chrome) dragMove(abs fyne.Position) {
	c.dragAt = abs
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.obj)
	c.hint.Move(abs.Subtract(origin).Add(fyne.NewPos(14, 14)))
	c.hint.Refresh()
	if i := c.w.cellAt(abs); i >= 0 {
		o := c.w.grid.Objects[i]
		c.drop.Move(fyne.CurrentApp().Driver().AbsolutePositionForObject(o).Subtract(origin))
		c.drop.Resize(o.Size())
		c.drop.Show()
	} else {
		c.drop.Hide()
	}
	c.layer.Refresh()
}

// dragEnd assigns the dragged camera to the cell under the pointer, if any.
func (c *chrome) dragEnd() {
	c.hint.Hide()
	c.drop.Hide()
	c.layer.Refresh()
	name := c.dragName
	c.dragName = ""
	if i := c.w.cellAt(c.dragAt); i >= 0 && name != "" {
		p := c.w.visible[i]
		c.w.Assign(p, name)
		c.w.Select(p)
		c.side.current = name
		c.side.sync()
	}
}

// cellAt is the index in the grid of the cell under abs (canvas coordinates), or -1.
func (w *Wall) cellAt(abs fyne.Position) int {
	d := fyne.CurrentApp().Driver()
	for i, o := range w.grid.Objects {
		p := d.AbsolutePositionForObject(o)
		s := o.Size()
		if abs.X >= p.X && abs.Y >= p.Y && abs.X < p.X+s.Width && abs.Y < p.Y+s.Height {
			return i
		}
	}
	return -1
}

// ToggleFullScreen switches the window in and out of full screen (F11). Full screen
// shows the wall alone, as a control room's monitor: the toolbar, the camera list and
// the status bar are hidden until the window leaves it (F11 or Esc), when the camera
// list comes back only if it was shown before.
func (w *Wall) ToggleFullScreen() {
	if w.win == nil {
		return
	}
	if w.inFullScreen() && !w.win.FullScreen() {
		// The window manager took the window out of full screen: F11 brings the chrome back.
		w.setFullScreen(false)
		return
	}
	w.setFullScreen(!w.win.FullScreen())
}

// inFullScreen reports whether the wall shows alone (full screen, or the chrome still
// hidden after the window manager took the window out of it).
func (w *Wall) inFullScreen() bool {
	return w.win != nil && (w.win.FullScreen() || (w.chrome != nil && w.chrome.bare))
}

// setFullScreen puts the window in or out of full screen, with the chrome to match.
func (w *Wall) setFullScreen(on bool) {
	if w.win == nil {
		return
	}
	w.win.SetFullScreen(on)
	if w.chrome != nil {
		w.chrome.setBare(on)
	}
}

// setBare hides (on) or shows again everything around the wall (UI goroutine).
func (c *chrome) setBare(on bool) {
	if on == c.bare {
		return
	}
	c.bare = on
	if on {
		c.sideWas = c.sideBox.Visible()
		c.toolbar.Hide()
		c.sideBox.Hide()
		c.status.obj.Hide()
	} else {
		c.toolbar.Show()
		c.status.obj.Show()
		if c.sideWas {
			c.sideBox.Show()
		}
	}
	c.obj.Refresh()
}

// NewWallWindow makes the wall's window (see Panel), starts the wall, and stops it when
// the window closes. Call it on the UI goroutine or before the app runs; fyne.Do calls
// made before the app runs wait in Fyne's queue. The streams stay open: their owner
// closes them after the app has stopped.
func NewWallWindow(app fyne.App, opts WallOptions) (fyne.Window, *Wall) {
	title := opts.Title
	if title == "" {
		title = "Vigil"
	}
	win := app.NewWindow(title)
	wall := NewWall(opts)
	win.SetContent(wall.Panel(win))
	win.Resize(DefaultWindowSize)
	// Stop while the event loop still runs: once Fyne has drained its queue at shutdown,
	// fyne.Do runs callbacks on the caller's goroutine instead of the UI goroutine.
	win.SetOnClosed(wall.Stop)
	// Quit without the window's close (Fyne's own SIGTERM handler, the OS): the walls
	// must stop handing Fyne work, which would then run off its thread.
	app.Lifecycle().SetOnStopped(wall.Shutdown)
	wall.Start()
	wall.openWindows(opts.Windows)
	return win, wall
}

// The fyne dialog package cannot be used: it needs a module (github.com/FyshOS/fancyfs)
// that go.sum does not list. These two small modal pop-ups stand in for
// dialog.ShowInformation/ShowError and dialog.ShowConfirm.

// showNotice shows a message with an OK button over win.
func showNotice(win fyne.Window, title, msg string) {
	showModal(win, title, msg, "OK", "", nil)
}

// showConfirm asks a question over win; fn gets the answer.
func showConfirm(win fyne.Window, title, msg, yes string, fn func(bool)) {
	showModal(win, title, msg, yes, "Cancel", fn)
}

func showModal(win fyne.Window, title, msg, yes, no string, fn func(bool)) {
	var pop *widget.PopUp
	answered := false
	answer := func(ok bool) {
		if answered {
			return
		}
		answered = true
		pop.Hide()
		unregisterPopKeys(pop)
		if fn != nil {
			fn(ok)
		}
	}
	text := wrapLabel(msg)
	okBtn := widget.NewButton(yes, func() { answer(true) })
	okBtn.Importance = widget.HighImportance
	buttons := container.NewHBox(layoutSpacer(), okBtn)
	if no != "" {
		buttons = container.NewHBox(layoutSpacer(), widget.NewButton(no, func() { answer(false) }), okBtn)
	}
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(380, 0))
	body := container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewStack(width, text), buttons)
	pop = widget.NewModalPopUp(container.NewPadded(body), win.Canvas())
	// Enter is the highlighted button; Esc is Cancel (OK when it is the only one).
	registerPopKeys(pop, func() { answer(no == "") }, func() { answer(true) })
	pop.Show()
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
