package ui

import (
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/wallmodel"
)

// Views, as in Milestone Smart Client: a view is a named layout with its cameras at
// their positions, kept in the settings (ViewStore). The toolbar's view selector shows
// the current view's name ("changed" beside it once the wall differs from the saved
// view) and switches views; its menu saves, saves as, renames and deletes views, and
// opens a view in a window of its own (a second monitor). Ctrl+1…9 show the first nine
// views, Ctrl+PageDown and Ctrl+PageUp the next and previous. A view naming a camera
// that is not in the camera list shows an empty tile with the name.
//
// A second window is a Wall of its own (its layout, maximise, selection, keys) over the
// same streams: its tiles are more consumers of the cameras' Hubs, never a second
// connection. The main wall (its parent) owns the windows: they follow its camera list,
// close with it, and which views they show is saved for the next start. A second
// window's changes are not saved as the wall's; "Save view" there saves them to its view.

// viewKeys are Ctrl+1…9: the first nine views.
var viewKeys = []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}

// viewSaveError is a view that could not be saved, as the status bar shows it.
type viewSaveError struct{ err error }

func (e *viewSaveError) Error() string { return e.err.Error() }
func (e *viewSaveError) Unwrap() error { return e.err }

// viewWindow is a window besides the main one showing a view.
type viewWindow struct {
	wall *Wall
	win  fyne.Window
}

// root is the main window's wall: w itself, or the wall whose second window w is.
func (w *Wall) root() *Wall {
	if w.parent != nil {
		return w.parent
	}
	return w
}

// store is where views are kept, or nil when the owner keeps none.
func (w *Wall) store() ViewStore {
	s, _ := w.root().opts.Views.(ViewStore)
	return s
}

// ViewList is the named views, in order (none without a ViewStore).
func (w *Wall) ViewList() []config.View {
	if s := w.store(); s != nil {
		return s.List()
	}
	return nil
}

// viewNames is the names of ViewList.
func (w *Wall) viewNames() []string {
	var out []string
	for _, v := range w.ViewList() {
		out = append(out, v.Name)
	}
	return out
}

// findView is the named view, if the store has it.
func (w *Wall) findView(name string) (config.View, bool) {
	for _, v := range w.ViewList() {
		if v.Name == name {
			return v, true
		}
	}
	return config.View{}, false
}

// CurrentView is the name of the view the wall shows, "" for none.
func (w *Wall) CurrentView() string { return w.view }

// ViewChanged reports whether the wall differs from its current view as saved.
func (w *Wall) ViewChanged() bool {
	v, ok := w.findView(w.view)
	return ok && !w.m.Shows(v.Layout, v.Tiles)
}

// startView makes the wall, restored from its saved layout and positions, show the view
// it last showed: its name, and its cameras missing from the list.
func (w *Wall) startView(name string) {
	if v, ok := w.findView(name); ok {
		w.view = name
		w.m.ShowMissing(v.Tiles)
	}
}

// ShowView shows a named view: its layout and its cameras, in place of what the wall
// showed (UI goroutine). An unknown view is refused.
func (w *Wall) ShowView(name string) error {
	v, ok := w.findView(name)
	if !ok {
		return fmt.Errorf("there is no view named %q: pick one in the view selector", name)
	}
	w.view = name
	if w.m.ApplyView(v.Layout, v.Tiles) {
		for _, c := range v.Tiles {
			delete(w.paused, c) // a view shows its cameras playing
		}
		w.apply()
		w.changed()
	}
	w.root().viewsShown()
	w.syncAllViews()
	return nil
}

// stepView shows the view step places from the current one (Ctrl+PageDown: 1).
func (w *Wall) stepView(step int) {
	if name := wallmodel.Cycle(w.viewNames(), w.view, step); name != "" && name != w.view {
		_ = w.ShowView(name)
	}
}

// showViewAt shows the i-th view (Ctrl+1…9), when there is one.
func (w *Wall) showViewAt(i int) {
	if names := w.viewNames(); i < len(names) {
		_ = w.ShowView(names[i])
	}
}

// thisView is the wall as a view named name.
func (w *Wall) thisView(name string) config.View {
	return config.View{Name: name, Layout: w.m.Layout(), Tiles: w.m.ViewTiles()}
}

// SaveView overwrites the current view with what the wall shows ("Save view").
func (w *Wall) SaveView() error {
	if w.view == "" {
		return errors.New("no view is shown: use Save view as… to name one")
	}
	return w.saveView(w.view, w.thisView(w.view))
}

// SaveViewAs saves what the wall shows as a new view, which becomes the current one.
func (w *Wall) SaveViewAs(name string) error {
	name = strings.TrimSpace(name)
	if err := w.checkViewName(name, ""); err != nil {
		return err
	}
	if err := w.saveView("", w.thisView(name)); err != nil {
		return err
	}
	w.view = name
	w.root().viewsShown()
	w.syncAllViews()
	return nil
}

// RenameView renames the current view; every window showing it follows.
func (w *Wall) RenameView(name string) error {
	name = strings.TrimSpace(name)
	old := w.view
	v, ok := w.findView(old)
	if !ok {
		return errors.New("no view is shown to rename")
	}
	if err := w.checkViewName(name, old); err != nil {
		return err
	}
	v.Name = name
	if err := w.saveView(old, v); err != nil {
		return err
	}
	for _, x := range w.root().walls() {
		if x.view == old {
			x.view = name
		}
	}
	w.root().viewsShown()
	w.syncAllViews()
	return nil
}

// DeleteView deletes the current view; the windows that showed it keep what they show,
// as no view.
func (w *Wall) DeleteView() error {
	s, name := w.store(), w.view
	if s == nil || name == "" {
		return errors.New("no view is shown to delete")
	}
	err := s.DeleteView(name)
	for _, x := range w.root().walls() {
		if x.view == name {
			x.view = ""
		}
	}
	w.noteViewSave(err)
	if err == nil {
		w.root().viewsShown()
	}
	w.syncAllViews()
	return err
}

// saveView hands a view to the store; a failure is shown on the status bar as the
// wall's own save failures are.
func (w *Wall) saveView(old string, v config.View) error {
	s := w.store()
	if s == nil {
		return errors.New("views cannot be saved here")
	}
	err := s.SaveView(old, v)
	w.noteViewSave(err)
	w.syncAllViews()
	return err
}

// noteViewSave shows a view's save failure on the status bar (nil: clears a view's).
func (w *Wall) noteViewSave(err error) {
	var was *viewSaveError
	switch {
	case err != nil:
		w.saveErr = &viewSaveError{err}
	case errors.As(w.saveErr, &was):
		w.saveErr = nil
	default:
		return
	}
	if w.chrome != nil {
		w.chrome.status.showSaveError(w.saveErr)
	}
}

// checkViewName says what is wrong with a new name for the view old ("" for a new one).
func (w *Wall) checkViewName(name, old string) error {
	if name == "" {
		return errors.New("give the view a name")
	}
	for _, n := range w.viewNames() {
		if strings.EqualFold(n, name) && n != old {
			return fmt.Errorf("a view named %q exists already: pick another name, or show it and use Save view", n)
		}
	}
	return nil
}

// walls is the main wall and its second windows' walls.
func (w *Wall) walls() []*Wall {
	out := []*Wall{w}
	for _, o := range w.others {
		out = append(out, o.wall)
	}
	return out
}

// syncAllViews brings every window's view selector up to date.
func (w *Wall) syncAllViews() {
	for _, x := range w.root().walls() {
		if x.chrome != nil {
			x.chrome.syncViews()
		}
	}
}

// viewsShown saves which views the main wall and the other windows show (main wall).
func (w *Wall) viewsShown() {
	s := w.store()
	if s == nil || w.parent != nil {
		return
	}
	var windows []string
	for _, o := range w.others {
		if o.wall.view != "" {
			windows = append(windows, o.wall.view)
		}
	}
	w.noteViewSave(s.ViewsShown(w.view, windows))
}

// Windows is the walls of the windows showing views besides this one (main wall).
func (w *Wall) Windows() []*Wall {
	var out []*Wall
	for _, o := range w.root().others {
		out = append(out, o.wall)
	}
	return out
}

// OpenViewWindow opens a named view in a window of its own ("Open view in new window"):
// its tiles watch the same streams (no second connection), it has its own layout,
// maximise and keys, and closing it stops only its tiles.
func (w *Wall) OpenViewWindow(name string) (*Wall, error) {
	root := w.root()
	v, ok := w.findView(name)
	if !ok {
		return nil, fmt.Errorf("there is no view named %q", name)
	}
	app := fyne.CurrentApp()
	if app == nil {
		return nil, errors.New("no application to open a window in")
	}
	opts := root.opts
	opts.Views, opts.Sites, opts.Trust, opts.View, opts.Windows = nil, nil, nil, "", nil
	opts.Layout, opts.Tiles = v.Layout, []string{}
	sub := NewWall(opts)
	sub.parent = root
	sub.batch.do, sub.batch.stopping = root.batch.do, root.batch.stopping
	sub.statusEvery = root.statusEvery
	sub.m.KeepNewOut()
	sub.view = name
	if sub.m.ApplyView(v.Layout, v.Tiles) {
		sub.apply()
	}
	title := opts.Title
	if title == "" {
		title = "Vigil"
	}
	win := app.NewWindow(title + " — " + name)
	win.SetContent(sub.Panel(win))
	sub.chrome.sideBox.Hide() // the camera list is the main window's; the button shows it
	win.Resize(DefaultWindowSize)
	vw := &viewWindow{wall: sub, win: win}
	root.others = append(root.others, vw)
	win.SetOnClosed(func() {
		sub.Stop()
		root.windowClosed(vw)
	})
	if root.running {
		sub.Start()
	}
	win.Show()
	root.viewsShown()
	return sub, nil
}

// openWindows opens the views the settings had open in other windows (at start).
func (w *Wall) openWindows(names []string) {
	for _, n := range names {
		_, _ = w.OpenViewWindow(n)
	}
}

// windowClosed forgets a closed second window; unless the main wall is stopping, which
// views are open is saved again.
func (w *Wall) windowClosed(vw *viewWindow) {
	i := slices.Index(w.others, vw)
	if i < 0 {
		return
	}
	w.others = slices.Delete(w.others, i, i+1)
	if !w.stopping {
		w.viewsShown()
	}
}

// closeWindows closes the second windows as the main wall stops; which were open stays
// saved for the next start.
func (w *Wall) closeWindows() {
	w.stopping = true
	for _, o := range slices.Clone(w.others) {
		o.win.Close() // its OnClosed stops its wall and forgets it
		o.wall.Stop()
		w.windowClosed(o)
	}
	w.stopping = false
}

// viewShortcuts are the keys attachKeys adds: Ctrl+1…9, Ctrl+PageUp/PageDown.
func viewShortcuts() []fyne.Shortcut {
	var out []fyne.Shortcut
	for _, k := range append(slices.Clone(viewKeys), fyne.KeyPageUp, fyne.KeyPageDown) {
		out = append(out, &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierControl})
	}
	return out
}

// viewShortcut handles Ctrl+1…9 and Ctrl+PageUp/PageDown, reporting whether key was one.
func (w *Wall) viewShortcut(key fyne.KeyName) bool {
	switch key {
	case fyne.KeyPageDown:
		w.stepView(1)
	case fyne.KeyPageUp:
		w.stepView(-1)
	default:
		i := slices.Index(viewKeys, key)
		if i < 0 {
			return false
		}
		w.showViewAt(i)
	}
	return true
}

// viewBar is the toolbar's view selector, its "changed" note and its menu.
type viewBar struct {
	obj     fyne.CanvasObject
	sel     *widget.Select
	changed *widget.Label
	menu    *widget.Button
	shown   *fyne.Menu // the menu last opened
	syncing bool
}

// newViewBar makes the view selector of c's wall.
func (c *chrome) newViewBar() *viewBar {
	w := c.w
	b := &viewBar{}
	b.sel = widget.NewSelect(nil, func(name string) {
		if b.syncing {
			return
		}
		if err := w.ShowView(name); err != nil {
			showNotice(w.win, "View", err.Error())
		}
		w.win.Canvas().Unfocus()
	})
	b.sel.PlaceHolder = "No view"
	b.changed = widget.NewLabel("changed")
	b.changed.Importance = widget.WarningImportance
	b.changed.Hide()
	b.menu = widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), func() {
		b.shown = c.viewMenu()
		widget.ShowPopUpMenuAtRelativePosition(b.shown, w.win.Canvas(), fyne.NewPos(0, b.menu.Size().Height), b.menu)
	})
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(180, 0))
	b.obj = container.NewHBox(widget.NewLabel("View"), container.NewStack(width, b.sel), b.menu, b.changed)
	return b
}

// viewMenu is the view selector's menu, made when it opens.
func (c *chrome) viewMenu() *fyne.Menu {
	w := c.w
	none := w.view == ""
	item := func(label string, disabled bool, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, action)
		it.Disabled = disabled || w.store() == nil
		return it
	}
	open := item("Open view in new window", len(w.ViewList()) == 0, nil)
	for _, v := range w.ViewList() {
		name := v.Name
		if open.ChildMenu == nil {
			open.ChildMenu = fyne.NewMenu("")
		}
		open.ChildMenu.Items = append(open.ChildMenu.Items, fyne.NewMenuItem(name, func() {
			if _, err := w.OpenViewWindow(name); err != nil {
				showNotice(w.win, "Open view in new window", err.Error())
			}
		}))
	}
	return fyne.NewMenu("",
		item("Save view", none, func() { _ = w.SaveView() }),
		item("Revert to saved view", !w.ViewChanged(), func() { _ = w.ShowView(w.view) }),
		item("Save view as…", false, func() {
			showNameDialog(w.win, "Save view as", "", "Save", w.SaveViewAs)
		}),
		item("Rename view…", none, func() {
			showNameDialog(w.win, "Rename view "+w.view, w.view, "Rename", w.RenameView)
		}),
		item("Delete view", none, func() {
			name := w.view
			showConfirm(w.win, "Delete view", "Delete the view "+name+"? The wall keeps showing what it shows.", "Delete", func(ok bool) {
				if ok && w.view == name {
					_ = w.DeleteView()
				}
			})
		}),
		fyne.NewMenuItemSeparator(),
		open,
	)
}

// syncViews makes the view selector follow the views and the wall (UI goroutine).
func (c *chrome) syncViews() {
	b := c.views
	if b == nil {
		return
	}
	b.syncing = true
	defer func() { b.syncing = false }()
	names := c.w.viewNames()
	if !slices.Equal(b.sel.Options, names) {
		b.sel.SetOptions(names)
	}
	if c.w.view == "" {
		if b.sel.Selected != "" {
			b.sel.ClearSelected()
		}
	} else if b.sel.Selected != c.w.view {
		b.sel.SetSelected(c.w.view)
	}
	if c.w.ViewChanged() != b.changed.Visible() {
		setVisible(b.changed, c.w.ViewChanged())
	}
}

// showNameDialog asks for a name over win; ok gets it and returns an error to show (the
// dialog then stays open). Esc (also typed in the field) cancels, Enter is ok.
func showNameDialog(win fyne.Window, title, initial, okLabel string, ok func(string) error) {
	var pop *widget.PopUp
	done := func() {
		pop.Hide()
		unregisterPopKeys(pop)
	}
	name := newDialogEntry(func() { done() })
	name.SetText(initial)
	msg := errLabel()
	submit := func() {
		if err := ok(name.Text); err != nil {
			setErr(msg, err.Error())
			return
		}
		done()
	}
	name.OnSubmitted = func(string) { submit() }
	okBtn := widget.NewButton(okLabel, submit)
	okBtn.Importance = widget.HighImportance
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(360, 0))
	body := container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewStack(width, widget.NewForm(widget.NewFormItem("Name", name))), msg,
		container.NewHBox(layoutSpacer(), widget.NewButton("Cancel", done), okBtn))
	pop = widget.NewModalPopUp(container.NewPadded(body), win.Canvas())
	registerPopKeys(pop, done, submit)
	pop.Show()
	win.Canvas().Focus(name)
}
