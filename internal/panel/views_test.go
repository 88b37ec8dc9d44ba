package panel_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/ui"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// Views saved on the wall are written to a real settings file; a restart (the file
// loaded again, a new panel and wall) comes back on the view shown last, with the
// view that was open in a second window open again, and a camera removed since shown
// by name on an empty tile of the view that names it.
func TestViewsRestoredAcrossRestart(t *testing.T) {
	const settings = `demo: {mjpeg: 0}
cameras:
  - {name: Gate, streams: [{url: "http://127.0.0.1:1/gate.mjpg"}]}
  - {name: Door, streams: [{url: "http://127.0.0.1:1/door.mjpg"}]}
  - {name: Yard, streams: [{url: "http://127.0.0.1:1/yard.mjpg"}]}
`
	cfg := useSettings(t, settings)
	q := &uiQueue{}
	pn := openPanel(t, cfg)
	wall := newWall(t, pn, q, ui.WallOptions{})
	win := test.NewWindow(nil)
	win.SetContent(wall.Panel(win))
	defer win.Close()

	if err := wall.SaveViewAs("All"); err != nil {
		t.Fatal(err)
	}
	if err := wall.SetLayout("2x2"); err != nil {
		t.Fatal(err)
	}
	wall.Swap(0, 2) // Yard first
	if err := wall.SaveViewAs("Yard first"); err != nil {
		t.Fatal(err)
	}
	if err := wall.SaveViewAs("yard FIRST"); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("a duplicate name: %v", err)
	}
	if _, err := wall.OpenViewWindow("All"); err != nil {
		t.Fatal(err)
	}
	// Ctrl+2 shows the second view, "Yard first".
	wall.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierControl})
	if err := pn.RemoveCamera("Door"); err != nil {
		t.Fatal(err)
	}
	if err := wall.SaveError(); err != nil {
		t.Fatal(err)
	}
	wall.Stop()

	back, _, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if back.Wall.View != "Yard first" || !slices.Equal(back.Wall.Windows, []string{"All"}) || len(back.Views) != 2 {
		t.Fatalf("saved wall %+v, views %+v", back.Wall, back.Views)
	}
	if v, _ := back.View("All"); !slices.Equal(v.Tiles, []string{"Gate", "Door", "Yard"}) {
		t.Fatalf("view All after Door was removed: %q (the view keeps it)", v.Tiles)
	}

	// The restart: a new panel over the file, a new wall window as the app makes it.
	pn2 := openPanel(t, back)
	win2, wall2 := ui.NewWallWindow(fyne.CurrentApp(), ui.WallOptions{
		Cameras: panelui.Cameras{P: pn2}, Layout: back.Wall.Layout, Tiles: back.Wall.Tiles,
		View: back.Wall.View, Windows: back.Wall.Windows, Views: panelui.Views{P: pn2}, Do: q.Do,
	})
	defer win2.Close()
	if wall2.CurrentView() != "Yard first" || wall2.Layout() != "2x2" || wall2.ViewChanged() {
		t.Fatalf("restarted on view %q, layout %s, changed %v", wall2.CurrentView(), wall2.Layout(), wall2.ViewChanged())
	}
	if !slices.Contains(uitest.AllTexts(win2.Content()), "[Yard first]") {
		t.Errorf("the selector shows %q", uitest.AllTexts(win2.Content()))
	}
	others := wall2.Windows()
	if len(others) != 1 || others[0].CurrentView() != "All" {
		t.Fatalf("second windows after the restart: %d", len(others))
	}
	var names []string
	for _, tile := range others[0].Tiles() {
		names = append(names, tile.Stream().Name())
	}
	if !slices.Equal(names, []string{"Gate", "Yard"}) {
		t.Errorf("the second window shows %q", names)
	}
	// The second window's own window content shows Door by name on its empty tile.
	var found bool
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Title() == "Vigil — All" && slices.Contains(uitest.AllTexts(w.Content()), "Door — not in the camera list") {
			found = true
		}
	}
	if !found {
		t.Error("no window shows the removed camera Door by name")
	}
	wall2.Stop()
	if again, _, _ := config.Load(""); !slices.Equal(again.Wall.Windows, []string{"All"}) {
		t.Errorf("stopping the wall forgot the open windows: %q", again.Wall.Windows)
	}
}

// The panel's views: a refused view changes nothing, a camera renamed is renamed in every
// view, deleting the current view clears it and its windows.
func TestPanelViews(t *testing.T) {
	cfg := useSettings(t, "cameras:\n  - {name: Gate, streams: [{url: \"http://127.0.0.1:1/g.mjpg\"}]}\n")
	pn := openPanel(t, cfg)
	if err := pn.SaveView("", config.View{Name: "A", Layout: "2x2", Tiles: []string{"", "Gate"}}); err != nil {
		t.Fatal(err)
	}
	if err := pn.SaveView("", config.View{Name: "", Layout: "1"}); err == nil || !strings.Contains(err.Error(), "the view's name is empty") {
		t.Fatalf("an empty name: %v", err)
	}
	if err := pn.SaveView("A", config.View{Name: "A", Layout: "7x7"}); err == nil || len(pn.Views()) != 1 || pn.Views()[0].Layout != "2x2" {
		t.Fatalf("a bad layout: %v, %+v", err, pn.Views())
	}
	if err := pn.ViewsShown("A", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	if err := pn.SaveView("A", config.View{Name: "B", Layout: "2x2", Tiles: []string{"", "Gate"}}); err != nil {
		t.Fatal(err)
	}
	gate, _ := pn.Camera("Gate")
	gate.Name = "Front gate"
	if err := pn.SaveCamera("Gate", gate); err != nil {
		t.Fatal(err)
	}
	back, _, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := back.View("B"); back.Wall.View != "B" || !slices.Equal(back.Wall.Windows, []string{"B"}) || !slices.Equal(v.Tiles, []string{"", "Front gate"}) {
		t.Fatalf("after rename: wall %+v, views %+v", back.Wall, back.Views)
	}
	if err := pn.DeleteView("B"); err != nil {
		t.Fatal(err)
	}
	if back, _, _ = config.Load(""); len(back.Views) != 0 || back.Wall.View != "" || back.Wall.Windows != nil {
		t.Fatalf("after delete: wall %+v, views %+v", back.Wall, back.Views)
	}
}
