package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// memViews is a ViewStore in memory: what the panel keeps in the settings file.
type memViews struct {
	views   []config.View
	current string
	windows []string
	walls   int      // SaveWall calls
	wall    []string // the layout and tiles SaveWall had last
	err     error    // every save fails with it while set
}

func (m *memViews) SaveWall(layout string, tiles []string) error {
	m.walls++
	m.wall = append([]string{layout}, tiles...)
	return m.err
}

func (m *memViews) List() []config.View { return slices.Clone(m.views) }

func (m *memViews) SaveView(old string, v config.View) error {
	if m.err != nil {
		return m.err
	}
	if i := slices.IndexFunc(m.views, func(x config.View) bool { return x.Name == old }); old != "" && i >= 0 {
		m.views[i] = v
	} else {
		m.views = append(m.views, v)
	}
	return nil
}

func (m *memViews) DeleteView(name string) error {
	m.views = slices.DeleteFunc(m.views, func(v config.View) bool { return v.Name == name })
	return m.err
}

func (m *memViews) ViewsShown(current string, windows []string) error {
	m.current, m.windows = current, slices.Clone(windows)
	return m.err
}

// seenTexts is every text a person reads in obj: labels, canvas texts, and what the
// view selector and the layout picker show, as "[choice]".
func seenTexts(obj fyne.CanvasObject) []string { return uitest.AllTexts(obj) }

// sees reports whether a person sees text in win (an exact text).
func sees(win fyne.Window, text string) bool {
	return slices.Contains(seenTexts(win.Content()), text)
}

// viewMenu opens the view selector's menu as a person would (a tap on its button) and
// chooses the item with the label: a tap on it, or for "Open view in new window ▸ name"
// the child menu's item.
func viewMenu(t *testing.T, w *Wall, labels ...string) {
	t.Helper()
	test.Tap(w.chrome.views.menu)
	var menu *widget.Menu
	walkAll(w.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if m, ok := o.(*widget.PopUpMenu); ok && menu == nil {
			menu = m.Menu
		}
	})
	if menu == nil {
		t.Fatal("the view menu did not open")
	}
	var tap fyne.Tappable
	for _, item := range menu.Items {
		walkAll(item, func(o fyne.CanvasObject) {
			if x, ok := o.(*canvas.Text); ok && x.Text == labels[0] {
				tap, _ = item.(fyne.Tappable)
			}
		})
	}
	if tap == nil {
		t.Fatalf("no menu item %q", labels[0])
	}
	if len(labels) == 1 {
		test.Tap(tap)
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			if _, ok := top.(*widget.PopUpMenu); ok {
				t.Fatalf("menu item %q did nothing (disabled?)", labels[0])
			}
		}
		return
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())
	for _, it := range w.chrome.views.shown.Items {
		if it.Label != labels[0] || it.ChildMenu == nil {
			continue
		}
		for _, c := range it.ChildMenu.Items {
			if c.Label == labels[1] {
				c.Action()
				return
			}
		}
	}
	t.Fatalf("no menu item %q", labels)
}

// nameDialog types a name into the open name dialog and presses Enter in its field.
func nameDialog(t *testing.T, win fyne.Window, name string) {
	t.Helper()
	var e *dialogEntry
	walkAll(win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if x, ok := o.(*dialogEntry); ok {
			e = x
		}
	})
	if e == nil {
		t.Fatal("no name dialog")
	}
	e.SetText("")
	test.Type(e, name)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func newViewsRig(t *testing.T, n int, store *memViews) *wallTRig {
	return newWallTRig(t, wallTLive(t, n), capture.StreamOptions{}, "auto", func(o *WallOptions) { o.Views = store })
}

// Views are saved from the menu under a name, switched from the toolbar's selector and
// by Ctrl+1…9 and Ctrl+PageDown/PageUp, overwritten, renamed and deleted; the selector
// shows the current view's name, and "changed" once the wall differs from it.
func TestViewsSavedAndSwitched(t *testing.T) {
	store := &memViews{}
	r := newViewsRig(t, 4, store)
	if !sees(r.win, "[]") {
		t.Fatalf("no empty view selector: %q", seenTexts(r.win.Content()))
	}
	viewMenu(t, r.wall, "Save view as…")
	nameDialog(t, r.win, "All four")
	if r.win.Canvas().Overlays().Top() != nil || !sees(r.win, "[All four]") || store.current != "All four" {
		t.Fatalf("after Save view as: %q, current %q", seenTexts(r.win.Content()), store.current)
	}
	if v := store.views[0]; v.Layout != "auto" || !slices.Equal(v.Tiles, []string{"Cam 1", "Cam 2", "Cam 3", "Cam 4"}) {
		t.Fatalf("saved %+v", v)
	}

	// Changing the wall marks the view changed; a second view is saved.
	r.wall.Select(0)
	_ = r.wall.SetLayout("1")
	r.wall.Assign(0, "Cam 3")
	if !sees(r.win, "changed") {
		t.Fatal("a changed view is not marked")
	}
	viewMenu(t, r.wall, "Revert to saved view")
	if sees(r.win, "changed") || len(r.wall.Tiles()) != 4 {
		t.Fatalf("Revert: %q", seenTexts(r.win.Content()))
	}
	_ = r.wall.SetLayout("1")
	r.wall.Assign(0, "Cam 3")
	viewMenu(t, r.wall, "Save view as…")
	nameDialog(t, r.win, "all FOUR")
	var refused bool
	walkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && strings.Contains(l.Text, "exists already") {
			refused = true
		}
	})
	if !refused {
		t.Fatal("a second view of the same name (ignoring case) was not refused in the dialog")
	}
	nameDialog(t, r.win, "Gate")
	if !sees(r.win, "[Gate]") || sees(r.win, "changed") || len(store.views) != 2 {
		t.Fatalf("after the second view: %q, %d views", seenTexts(r.win.Content()), len(store.views))
	}

	// The toolbar's selector switches.
	r.wall.chrome.views.sel.SetSelected("All four")
	if got := r.names(r.wall.Tiles()); r.wall.Layout() != "auto" || !slices.Equal(got, []string{"Cam 1", "Cam 2", "Cam 3", "Cam 4"}) {
		t.Fatalf("view All four shows %s %q", r.wall.Layout(), got)
	}
	if store.wall[0] != "auto" || len(store.wall) != 5 {
		t.Errorf("the switch saved %q", store.wall)
	}
	// Keys: Ctrl+2 is the second view, Ctrl+PageDown the next (wrapping), PageUp back.
	for _, step := range []struct {
		key  fyne.KeyName
		view string
		cams []string
	}{
		{fyne.Key2, "Gate", []string{"Cam 3"}},
		{fyne.KeyPageDown, "All four", []string{"Cam 1", "Cam 2", "Cam 3", "Cam 4"}},
		{fyne.KeyPageUp, "Gate", []string{"Cam 3"}},
		{fyne.Key9, "Gate", []string{"Cam 3"}}, // no ninth view: nothing changes
		{fyne.Key1, "All four", []string{"Cam 1", "Cam 2", "Cam 3", "Cam 4"}},
	} {
		r.ctrl(step.key)
		if got := r.names(r.wall.Tiles()); !sees(r.win, "["+step.view+"]") || !slices.Equal(got, step.cams) {
			t.Fatalf("Ctrl+%s: %q shows %q, want %s %q", step.key, seenTexts(r.win.Content()), got, step.view, step.cams)
		}
	}

	// Save view overwrites; Rename renames; Delete leaves the wall as it is, as no view.
	r.wall.Swap(0, 3)
	viewMenu(t, r.wall, "Save view")
	if v := store.views[0]; !slices.Equal(v.Tiles, []string{"Cam 4", "Cam 2", "Cam 3", "Cam 1"}) || sees(r.win, "changed") {
		t.Fatalf("Save view saved %+v", v)
	}
	viewMenu(t, r.wall, "Rename view…")
	nameDialog(t, r.win, "Yard")
	if store.views[0].Name != "Yard" || !sees(r.win, "[Yard]") {
		t.Fatalf("after rename: %+v, %q", store.views, seenTexts(r.win.Content()))
	}
	viewMenu(t, r.wall, "Delete view")
	var del *widget.Button
	walkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Delete" {
			del = b
		}
	})
	test.Tap(del)
	if len(store.views) != 1 || store.views[0].Name != "Gate" || !sees(r.win, "[]") || len(r.wall.Tiles()) != 4 {
		t.Fatalf("after delete: %+v, %q", store.views, seenTexts(r.win.Content()))
	}
}

// A view's save that fails is shown on the status bar as the wall's own save failures
// are, and goes with the next save that works.
func TestViewSaveFailureShown(t *testing.T) {
	store := &memViews{views: []config.View{{Name: "A", Layout: "2x2"}}}
	r := newViewsRig(t, 2, store)
	_ = r.wall.ShowView("A")
	store.err = errors.New("the change is shown but could not be saved: disk full")
	if err := r.wall.SaveView(); err == nil {
		t.Fatal("no error")
	}
	if !sees(r.win, "View not saved: the change is shown but could not be saved: disk full") {
		t.Fatalf("not shown: %q", seenTexts(r.win.Content()))
	}
	store.err = nil
	if err := r.wall.SaveView(); err != nil || sees(r.win, "View not saved: the change is shown but could not be saved: disk full") {
		t.Fatalf("still shown after a good save (%v)", err)
	}
}

// A view naming a camera that is not in the camera list (removed since) shows an empty
// tile with the camera's name, keeps it when saved again, and the camera added back
// takes its place.
func TestViewNamingRemovedCamera(t *testing.T) {
	store := &memViews{views: []config.View{{Name: "Doors", Layout: "2x2", Tiles: []string{"Cam 2", "Back door", "", "Cam 1"}}}}
	r := newViewsRig(t, 2, store)
	r.wall.Start()
	if err := r.wall.ShowView("Doors"); err != nil {
		t.Fatal(err)
	}
	if !sees(r.win, "Back door — not in the camera list") || !sees(r.win, "No camera") {
		t.Fatalf("the wall shows %q", seenTexts(r.win.Content()))
	}
	if got := r.names(r.wall.Tiles()); !slices.Equal(got, []string{"Cam 2", "Cam 1"}) {
		t.Fatalf("tiles %q", got)
	}
	if err := r.wall.SaveView(); err != nil || !slices.Equal(store.views[0].Tiles, []string{"Cam 2", "Back door", "", "Cam 1"}) {
		t.Fatalf("saved again: %q, %v", store.views[0].Tiles, err)
	}
	// A camera removed while its view is shown keeps its place by name too.
	cams := r.wall.opts.Cameras.(*testCameras)
	cams.streams = cams.streams[1:]
	r.wall.SetCameras(cams.streams)
	if !sees(r.win, "Cam 1 — not in the camera list") {
		t.Fatalf("removed camera: %q", seenTexts(r.win.Content()))
	}
	// Back door comes (back) into the list: it takes its place.
	d := &testDecoders{}
	door := capture.NewStream("Back door", liveSource(t, 20*time.Millisecond), capture.StreamOptions{Decoders: d.New})
	t.Cleanup(door.Close)
	r.wall.SetCameras(append(cams.streams, door))
	if r.wall.positionOf("Back door") != 1 || sees(r.win, "Back door — not in the camera list") {
		t.Fatalf("Back door at %d, %q", r.wall.positionOf("Back door"), seenTexts(r.win.Content()))
	}
	pumpUntil(t, r.q, "Back door's picture", func() bool { return r.wall.Tile("Back door").Drawn() > 0 })
}

// A view opened in a second window shows its cameras from the same streams (no second
// connection: the Hub fans out); its own layout and maximise and keys; closing it stops
// only its tiles, and the main window's keep playing. Which views are open is saved.
func TestSecondWindow(t *testing.T) {
	var srcs []*countSource
	var sources []capture.Source
	for range 3 {
		c := &countSource{Source: liveSource(t, 20*time.Millisecond)}
		srcs = append(srcs, c)
		sources = append(sources, c)
	}
	store := &memViews{views: []config.View{{Name: "Main", Layout: "2x2", Tiles: []string{"Cam 1", "Cam 2", "Cam 3"}}, {Name: "Yard", Layout: "auto", Tiles: []string{"Cam 2", "Cam 3"}}}}
	r := newWallTRig(t, sources, capture.StreamOptions{}, "2x2", func(o *WallOptions) { o.Views = store })
	r.wall.Start()
	_ = r.wall.ShowView("Main")
	drawn := func(w *Wall, cam string) uint64 { return w.Tile(cam).Drawn() }
	pumpUntil(t, r.q, "the main window's pictures", func() bool {
		return drawn(r.wall, "Cam 1") > 0 && drawn(r.wall, "Cam 2") > 0 && drawn(r.wall, "Cam 3") > 0
	})
	conns := func() []int64 {
		var out []int64
		for _, s := range srcs {
			out = append(out, s.runs.Load())
		}
		return out
	}
	before := conns()

	viewMenu(t, r.wall, "Open view in new window", "Yard")
	others := r.wall.Windows()
	if len(others) != 1 || !slices.Equal(store.windows, []string{"Yard"}) {
		t.Fatalf("%d windows, saved %q", len(others), store.windows)
	}
	second := others[0]
	second.win.Resize(fyne.NewSize(800, 500))
	if !sees(second.win, "[Yard]") || second.win.Title() != "Vigil — Yard" {
		t.Fatalf("second window %q shows %q", second.win.Title(), seenTexts(second.win.Content()))
	}
	if got := r.names(second.Tiles()); !slices.Equal(got, []string{"Cam 2", "Cam 3"}) {
		t.Fatalf("second window tiles %q", got)
	}
	pumpUntil(t, r.q, "the second window's pictures", func() bool {
		return drawn(second, "Cam 2") > 0 && drawn(second, "Cam 3") > 0
	})
	if now := conns(); !slices.Equal(now, before) {
		t.Fatalf("connections %v before the second window, %v with it", before, now)
	}
	// Its own maximise and keys: Enter in the second window maximises there only.
	second.Select(0)
	second.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if second.Maximised() != 0 || r.wall.Maximised() != -1 || len(r.wall.Tiles()) != 3 {
		t.Fatalf("maximised: second %d, main %d", second.Maximised(), r.wall.Maximised())
	}
	// Its view keys switch its own view: the main window keeps its view.
	second.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierControl})
	if second.CurrentView() != "Main" || len(second.Tiles()) != 3 || !slices.Equal(store.windows, []string{"Main"}) || store.current != "Main" {
		t.Fatalf("Ctrl+1 in the second window: it shows %q (%d tiles), saved %q / %q", second.CurrentView(), len(second.Tiles()), store.current, store.windows)
	}
	second.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierControl})
	if second.CurrentView() != "Yard" || r.wall.CurrentView() != "Main" || len(r.wall.Tiles()) != 3 {
		t.Fatalf("Ctrl+2 in the second window: it shows %q, the main window %q", second.CurrentView(), r.wall.CurrentView())
	}
	second.Select(0)
	second.Maximise(0)
	// Its changes are not saved as the main wall's.
	saves := store.walls
	second.Swap(0, 1)
	if store.walls != saves {
		t.Error("the second window's change was saved as the wall's")
	}

	// Closing it stops its tiles only.
	cam2 := second.Tile("Cam 2")
	second.win.Close()
	if len(r.wall.Windows()) != 0 || len(store.windows) != 0 || cam2.Running() {
		t.Fatalf("after close: %d windows, saved %q, its tile running %v", len(r.wall.Windows()), store.windows, cam2.Running())
	}
	at := drawn(r.wall, "Cam 2")
	pumpUntil(t, r.q, "the main window's pictures after the second closed", func() bool {
		return drawn(r.wall, "Cam 2") > at+2
	})
	if now := conns(); !slices.Equal(now, before) {
		t.Fatalf("connections %v before, %v after the second window closed", before, now)
	}

	// A window open when the main wall stops stays saved for the next start.
	if _, err := r.wall.OpenViewWindow("Yard"); err != nil {
		t.Fatal(err)
	}
	r.wall.Stop()
	if len(r.wall.Windows()) != 0 || !slices.Equal(store.windows, []string{"Yard"}) {
		t.Fatalf("after stop: %d windows, saved %q", len(r.wall.Windows()), store.windows)
	}
}

// Esc closes the Milestone playback picker, typed in its time field (which has the
// focus) or with nothing focused; the wall's keys work again after.
func TestPlaybackPickerClosesOnEsc(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1", func(o *WallOptions) {
		o.Playback = testPlayback{can: func(string) bool { return true }, play: func(string, time.Time, float64) (*capture.Stream, error) {
			return nil, errors.New("unused")
		}}
	})
	r.wall.Select(0)
	tile := r.wall.Tile("Cam 1")
	for _, focused := range []bool{true, false} {
		tile.OnPlayback(tile)
		if r.win.Canvas().Overlays().Top() == nil {
			t.Fatal("no picker")
		}
		if !focused {
			r.win.Canvas().Unfocus()
		}
		r.personKey(fyne.KeyEscape)
		if r.win.Canvas().Overlays().Top() != nil {
			t.Fatalf("Esc (field focused %v) did not close the picker", focused)
		}
		r.personKey(fyne.KeyReturn)
		if r.wall.Maximised() != 0 {
			t.Fatalf("Enter after the picker closed (focused %v) did not reach the wall", focused)
		}
		r.wall.Restore()
	}
}
