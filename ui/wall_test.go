package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// wallTRig is a whole wall window under test: toolbar, camera list, wall and status bar,
// each camera with its own counting decoder.
type wallTRig struct {
	wall    *Wall
	win     fyne.Window
	q       *uiQueue
	decs    []*testDecoders
	streams []*capture.Stream
	changes []wallTChange
}

type wallTChange struct {
	layout string
	tiles  []string
}

func (c wallTChange) String() string { return fmt.Sprintf("%s %q", c.layout, c.tiles) }

// newWallTRig makes a wall of the sources in a 1000×700 test window. edit may adjust the
// options before the wall is built.
func newWallTRig(t *testing.T, sources []capture.Source, sopts capture.StreamOptions, layout string, edit func(*WallOptions)) *wallTRig {
	t.Helper()
	test.NewTempApp(t)
	r := &wallTRig{q: &uiQueue{}}
	sopts.Logger = slog.New(slog.DiscardHandler)
	for i, src := range sources {
		d := &testDecoders{}
		so := sopts
		so.Decoders = d.New
		r.decs = append(r.decs, d)
		r.streams = append(r.streams, capture.NewStream(fmt.Sprintf("Cam %d", i+1), src, so))
	}
	opts := WallOptions{
		Cameras: &testCameras{streams: r.streams},
		Layout:  layout,
		Views:   viewsFunc(func(l string, tiles []string) { r.changes = append(r.changes, wallTChange{l, tiles}) }),
	}
	if edit != nil {
		edit(&opts)
	}
	r.wall = NewWall(opts)
	r.wall.setDo(r.q.Do)
	r.wall.statusEvery = 50 * time.Millisecond
	r.win = test.NewWindow(nil)
	r.win.SetPadded(false)
	r.win.SetContent(r.wall.Panel(r.win))
	r.win.Resize(fyne.NewSize(1000, 700))
	stopAtEnd(t, r.wall, &r.streams, r.win)
	return r
}

func (r *wallTRig) key(name fyne.KeyName) { r.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name}) }

func (r *wallTRig) ctrl(name fyne.KeyName) {
	r.wall.TypedShortcut(&desktop.CustomShortcut{KeyName: name, Modifier: fyne.KeyModifierControl})
}

// centre is the colour at the centre of a tile in a capture of the window.
func (r *wallTRig) centre(img image.Image, tile *Tile) color.RGBA {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	size := tile.Size()
	scale := r.win.Canvas().Scale()
	x := int((pos.X + size.Width/2) * scale)
	y := int((pos.Y + size.Height/2) * scale)
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func (r *wallTRig) names(tiles []*Tile) []string {
	var out []string
	for _, t := range tiles {
		out = append(out, t.Stream().Name())
	}
	return out
}

func (r *wallTRig) lastChange(t *testing.T) wallTChange {
	t.Helper()
	if len(r.changes) == 0 {
		t.Fatal("Views.SaveWall was never called")
	}
	return r.changes[len(r.changes)-1]
}

func wallTLive(t *testing.T, n int) []capture.Source {
	var srcs []capture.Source
	for i := 0; i < n; i++ {
		srcs = append(srcs, liveSource(t, 20*time.Millisecond))
	}
	return srcs
}

// The whole window: a wall of four cameras shows four moving pictures next to the camera
// list, and the status bar counts them live.
func TestWallTWindowShowsPictures(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 4), capture.StreamOptions{}, "auto", nil)
	if cols, rows := r.wall.Size(); cols != 2 || rows != 2 || len(r.wall.Tiles()) != 4 {
		t.Fatalf("wall is %d×%d with %d tiles, want 2×2 with 4", cols, rows, len(r.wall.Tiles()))
	}
	if got := len(r.wall.chrome.side.rows); got != 4 {
		t.Errorf("camera list has %d rows, want 4", got)
	}
	r.wall.Start()
	tiles := r.wall.Tiles()
	first := map[*Tile]int{}
	pumpUntil(t, r.q, "a picture on every tile", func() bool {
		img := r.win.Canvas().Capture()
		for _, tl := range tiles {
			i := paletteIndex(r.centre(img, tl))
			if i < 0 {
				return false
			}
			first[tl] = i
		}
		return true
	})
	changed := map[*Tile]bool{}
	pumpUntil(t, r.q, "every picture to change", func() bool {
		img := r.win.Canvas().Capture()
		for _, tl := range tiles {
			if i := paletteIndex(r.centre(img, tl)); i >= 0 && i != first[tl] {
				changed[tl] = true
			}
		}
		return len(changed) == len(tiles)
	})
	// The tiles sit right of the camera list.
	side := fyne.CurrentApp().Driver().AbsolutePositionForObject(tiles[0]).X
	if side < sidebarWidth {
		t.Errorf("first tile at x=%v, inside the %d-wide camera list", side, sidebarWidth)
	}
	sb := r.wall.chrome.status
	pumpUntil(t, r.q, "the status bar to count 4 live", func() bool {
		return sb.live.Text == "4 live" && sb.off.Text == "0 offline" && sb.last.kbps > 0
	})
	if !strings.HasSuffix(sb.rate.Text, "bit/s") || sb.cpu.Text != "CPU –" {
		t.Errorf("status bar: rate %q, cpu %q", sb.rate.Text, sb.cpu.Text)
	}
	for name, row := range r.wall.chrome.side.rows {
		if row.dotC.FillColor != colorDotLive {
			t.Errorf("%s: dot %v, want live green", name, row.dotC.FillColor)
		}
	}
}

// Double-click maximises a tile: it is alone on the wall and the others stop decoding;
// Esc brings them back and they decode again.
func TestWallTMaximiseStopsHiddenTiles(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 4), capture.StreamOptions{}, "2x2", nil)
	r.wall.Start()
	tiles := r.wall.Tiles()
	pumpUntil(t, r.q, "pictures", func() bool {
		for _, tl := range tiles {
			if tl.Drawn() < 2 {
				return false
			}
		}
		return true
	})
	test.DoubleTap(tiles[1])
	if got := r.wall.Tiles(); len(got) != 1 || got[0] != tiles[1] || r.wall.Maximised() != 1 || !tiles[1].Maximised() {
		t.Fatalf("after double-tap: tiles %q, maximised %d; want Cam 2 alone", r.names(got), r.wall.Maximised())
	}
	if sz, wall := tiles[1].Size(), r.wall.Content().Size(); sz.Width < wall.Width-1 || sz.Height < wall.Height-1 {
		t.Errorf("maximised tile is %v, the wall %v", sz, wall)
	}
	calls := make([]int64, 4)
	for i, d := range r.decs {
		calls[i] = d.calls.Load()
	}
	for i, tl := range tiles {
		if tl.Running() != (i == 1) {
			t.Errorf("%s running = %v while Cam 2 is maximised", tl.Stream().Name(), tl.Running())
		}
	}
	pumpUntil(t, r.q, "the maximised camera to decode on", func() bool { return r.decs[1].calls.Load() > calls[1]+3 })
	for i, d := range r.decs {
		if i != 1 && d.calls.Load() != calls[i] {
			t.Errorf("hidden Cam %d decoded %d frames", i+1, d.calls.Load()-calls[i])
		}
	}

	r.key(fyne.KeyEscape)
	if got := r.wall.Tiles(); len(got) != 4 || r.wall.Maximised() != -1 || tiles[1].Maximised() {
		t.Fatalf("after Esc: tiles %q, maximised %d", r.names(got), r.wall.Maximised())
	}
	for i, d := range r.decs {
		calls[i] = d.calls.Load()
	}
	pumpUntil(t, r.q, "every camera to decode again", func() bool {
		for i, d := range r.decs {
			if d.calls.Load() <= calls[i] {
				return false
			}
		}
		return true
	})
	// Enter maximises the selection (the double-tapped tile stays selected), Enter again
	// restores.
	if r.wall.Selected() != 1 {
		t.Errorf("selected %d after maximising Cam 2, want 1", r.wall.Selected())
	}
	r.key(fyne.KeyReturn)
	if r.wall.Maximised() != 1 || len(r.wall.Tiles()) != 1 {
		t.Errorf("Enter: maximised %d", r.wall.Maximised())
	}
	r.key(fyne.KeyReturn)
	if r.wall.Maximised() != -1 || len(r.wall.Tiles()) != 4 {
		t.Errorf("second Enter: maximised %d", r.wall.Maximised())
	}
	// F11 toggles full screen; Esc leaves it.
	r.key(fyne.KeyF11)
	if !r.win.FullScreen() {
		t.Error("F11 did not enter full screen")
	}
	r.key(fyne.KeyEscape)
	if r.win.FullScreen() {
		t.Error("Esc did not leave full screen")
	}
}

// A tile the user stopped stays stopped through a maximise and restore of another tile;
// Space starts it again.
func TestWallTSpaceStopsAndRestoreKeepsIt(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "auto", nil)
	r.wall.Start()
	tiles := r.wall.Tiles()
	r.wall.Select(0)
	r.key(fyne.KeySpace)
	if tiles[0].Running() {
		t.Fatal("Space did not stop the selected tile")
	}
	r.wall.Maximise(1)
	r.key(fyne.KeyEscape)
	if tiles[0].Running() || !tiles[1].Running() {
		t.Errorf("after maximise and restore: Cam 1 running %v (want stopped), Cam 2 %v", tiles[0].Running(), tiles[1].Running())
	}
	r.wall.Select(0)
	r.key(fyne.KeySpace)
	if !tiles[0].Running() {
		t.Error("Space did not start the tile again")
	}
}

// Changing the layout keeps the assignments: cameras beyond a smaller grid stop and come
// back when it grows.
func TestWallTLayoutKeepsAssignments(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 5), capture.StreamOptions{}, "auto", nil)
	r.wall.Start()
	want := []string{"Cam 1", "Cam 2", "Cam 3", "Cam 4", "Cam 5"}
	if cols, rows := r.wall.Size(); cols != 3 || rows != 2 || !slices.Equal(r.names(r.wall.Tiles()), want) {
		t.Fatalf("auto: %d×%d %q", cols, rows, r.names(r.wall.Tiles()))
	}
	cam5 := r.wall.Tile("Cam 5")

	r.wall.chrome.layout.SetSelected(layoutNames["2x2"]) // as the user picks it
	if r.wall.Layout() != "2x2" || !slices.Equal(r.names(r.wall.Tiles()), want[:4]) {
		t.Fatalf("2x2: layout %s, tiles %q", r.wall.Layout(), r.names(r.wall.Tiles()))
	}
	if cam5.Running() {
		t.Error("Cam 5 is off screen but still decoding")
	}
	if c := r.lastChange(t); c.layout != "2x2" || !slices.Equal(c.tiles, want) {
		t.Errorf("SaveWall got %v, want 2x2 with all five", c)
	}

	if err := r.wall.SetLayout("3x3"); err != nil {
		t.Fatal(err)
	}
	if cols, _ := r.wall.Size(); cols != 3 || !slices.Equal(r.names(r.wall.Tiles()), want) || !cam5.Running() {
		t.Errorf("3x3: tiles %q, Cam 5 running %v", r.names(r.wall.Tiles()), cam5.Running())
	}
	if got := r.wall.chrome.layout.Selected; got != layoutNames["3x3"] {
		t.Errorf("layout picker shows %q", got)
	}
	if err := r.wall.SetLayout("1"); err != nil {
		t.Fatal(err)
	}
	if got := r.names(r.wall.Tiles()); !slices.Equal(got, want[:1]) {
		t.Errorf("1: tiles %q", got)
	}
	if err := r.wall.SetLayout("7x7"); err == nil {
		t.Error("SetLayout accepted 7x7")
	}
	if err := r.wall.SetLayout("auto"); err != nil || !slices.Equal(r.names(r.wall.Tiles()), want) {
		t.Errorf("back to auto: %v %q", err, r.names(r.wall.Tiles()))
	}
}

// Saved positions are restored, gaps included; unknown cameras are dropped.
func TestWallTRestoresSavedTiles(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		o.Tiles = []string{"Cam 3", "", "Gone", "Cam 1", "Cam 3"}
	})
	if got, want := r.wall.Assignments(), []string{"Cam 3", "", "", "Cam 1"}; !slices.Equal(got, want) {
		t.Errorf("Assignments = %q, want %q", got, want)
	}
	if got := r.names(r.wall.Tiles()); !slices.Equal(got, []string{"Cam 3", "Cam 1"}) {
		t.Errorf("tiles %q", got)
	}
}

// A single click on a camera in the list selects it there and shows its state, leaving
// the wall alone (issue 12: a click to pick a camera for Remove pushed another off its
// tile); a double-click puts it on the selected tile, moving it from where it was.
func TestWallTClickSelectsDoubleClickAssigns(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "3x3", nil)
	r.wall.Start()
	empty := r.wall.emptyAt(5)
	tap := empty.obj.Objects[len(empty.obj.Objects)-1].(*tapArea)
	test.Tap(tap)
	if r.wall.Selected() != 5 || !empty.border.Visible() {
		t.Fatalf("tapping the empty cell selected %d", r.wall.Selected())
	}
	side := r.wall.chrome.side
	saves := len(r.changes)
	test.Tap(side.rows["Cam 1"])
	if got := r.wall.Assignments(); !slices.Equal(got, []string{"Cam 1", "Cam 2", "Cam 3"}) || len(r.changes) != saves {
		t.Fatalf("a single click changed the wall: %q", got)
	}
	if side.current != "Cam 1" || side.edit.Disabled() && r.wall.editor() != nil || side.rows["Cam 1"].back.FillColor != colorRowCurrent {
		t.Errorf("a single click did not select Cam 1 in the list (current %q)", side.current)
	}
	pumpUntil(t, r.q, "Cam 1's state under the list", func() bool {
		return slices.Contains(uitest.Texts(r.win.Content()), "Cam 1: live")
	})
	test.DoubleTap(side.rows["Cam 1"])
	want := []string{"", "Cam 2", "Cam 3", "", "", "Cam 1"}
	if got := r.wall.Assignments(); !slices.Equal(got, want) {
		t.Fatalf("Assignments = %q, want %q", got, want)
	}
	if c := r.lastChange(t); c.layout != "3x3" || !slices.Equal(c.tiles, want) {
		t.Errorf("SaveWall got %v", c)
	}
	cam1 := r.wall.Tile("Cam 1")
	if !cam1.Running() || !cam1.Selected() {
		t.Errorf("Cam 1 moved: running %v selected %v", cam1.Running(), cam1.Selected())
	}
	// Another camera clicked, then Enter, replaces the one on the selected tile.
	test.Tap(side.rows["Cam 3"])
	if got := r.wall.Assignments(); !slices.Equal(got, want) {
		t.Fatalf("a single click changed the wall: %q", got)
	}
	focused, ok := r.win.Canvas().Focused().(*camRow)
	if !ok || focused.name != "Cam 3" {
		t.Fatalf("the clicked row does not have the keyboard: %v", r.win.Canvas().Focused())
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got, want := r.wall.Assignments(), []string{"", "Cam 2", "", "", "", "Cam 3"}; !slices.Equal(got, want) {
		t.Errorf("Assignments = %q, want %q", got, want)
	}
	if cam1.Running() {
		t.Error("Cam 1 left the wall but still decodes")
	}
	// The tapped tile selects; its camera is the one the list's Edit acts on.
	test.Tap(r.wall.Tile("Cam 2"))
	if r.wall.Selected() != 1 || r.wall.chrome.side.current != "Cam 2" {
		t.Errorf("tapping Cam 2: selected %d, list current %q", r.wall.Selected(), r.wall.chrome.side.current)
	}
}

// Dragging a camera from the list onto a tile puts it there, with a hint while dragging.
func TestWallTDragAssigns(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		o.Tiles = []string{"Cam 1", "Cam 2"}
	})
	r.wall.Start()
	d := fyne.CurrentApp().Driver()
	row := r.wall.chrome.side.rows["Cam 3"]
	target := r.wall.grid.Objects[3] // the empty bottom-right cell
	at := d.AbsolutePositionForObject(target).Add(fyne.NewPos(target.Size().Width/2, target.Size().Height/2))
	rowAt := d.AbsolutePositionForObject(row)
	// Two moves: halfway, then over the target (the driver sends positions relative to
	// the dragged row).
	half := fyne.NewPos((at.X-rowAt.X)/2, (at.Y-rowAt.Y)/2)
	row.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: half}})
	c := r.wall.chrome
	if !c.hint.Visible() || !strings.Contains(c.hintText.Text, "Cam 3") {
		t.Errorf("no drag hint: visible %v text %q", c.hint.Visible(), c.hintText.Text)
	}
	row.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: at.Subtract(rowAt)}})
	if !c.drop.Visible() || c.drop.Size() != target.Size() {
		t.Errorf("drop target not highlighted: visible %v size %v", c.drop.Visible(), c.drop.Size())
	}
	row.DragEnd()
	if c.hint.Visible() || c.drop.Visible() {
		t.Error("drag hint still shown after the drop")
	}
	if got, want := r.wall.Assignments(), []string{"Cam 1", "Cam 2", "", "Cam 3"}; !slices.Equal(got, want) {
		t.Fatalf("Assignments = %q, want %q", got, want)
	}
	if !r.wall.Tile("Cam 3").Running() || r.wall.Selected() != 3 {
		t.Errorf("dropped camera running %v, selected %d", r.wall.Tile("Cam 3").Running(), r.wall.Selected())
	}
	// Dropped outside the wall: nothing changes.
	n := len(r.changes)
	row = r.wall.chrome.side.rows["Cam 1"]
	row.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(5, 5)}})
	row.DragEnd()
	if len(r.changes) != n || r.wall.Assignments()[0] != "Cam 1" {
		t.Errorf("a drop on the list changed the wall: %q", r.wall.Assignments())
	}
	// test.Drag works too (it sends one move from the press point).
	test.Drag(r.win.Canvas(), d.AbsolutePositionForObject(row).Add(fyne.NewPos(5, 5)), 0, 0)
	if len(r.changes) != n {
		t.Error("a drag that did not leave the row changed the wall")
	}
}

// Arrows move the selection within the grid; Ctrl+arrows swap the selected camera with
// its neighbour and the selection follows it.
func TestWallTKeyboard(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 4), capture.StreamOptions{}, "3x3", nil)
	r.key(fyne.KeyRight)
	if r.wall.Selected() != 0 {
		t.Fatalf("first arrow selected %d, want 0", r.wall.Selected())
	}
	steps := []struct {
		key  fyne.KeyName
		want int
	}{
		{fyne.KeyRight, 1}, {fyne.KeyRight, 2}, {fyne.KeyRight, 2}, {fyne.KeyDown, 5},
		{fyne.KeyDown, 8}, {fyne.KeyDown, 8}, {fyne.KeyLeft, 7}, {fyne.KeyUp, 4}, {fyne.KeyLeft, 3}, {fyne.KeyLeft, 3},
	}
	for _, s := range steps {
		r.key(s.key)
		if r.wall.Selected() != s.want {
			t.Fatalf("%s: selected %d, want %d", s.key, r.wall.Selected(), s.want)
		}
	}
	// Position 3 holds Cam 4; Ctrl+Right swaps it with the empty cell 4, Ctrl+Up with Cam 2.
	r.ctrl(fyne.KeyRight)
	if got, want := r.wall.Assignments(), []string{"Cam 1", "Cam 2", "Cam 3", "", "Cam 4"}; !slices.Equal(got, want) || r.wall.Selected() != 4 {
		t.Fatalf("Ctrl+Right: %q selected %d", got, r.wall.Selected())
	}
	cam4 := r.wall.Tile("Cam 4")
	r.ctrl(fyne.KeyUp)
	want := []string{"Cam 1", "Cam 4", "Cam 3", "", "Cam 2"}
	if got := r.wall.Assignments(); !slices.Equal(got, want) || r.wall.Selected() != 1 || !cam4.Selected() {
		t.Fatalf("Ctrl+Up: %q selected %d", got, r.wall.Selected())
	}
	if c := r.lastChange(t); !slices.Equal(c.tiles, want) {
		t.Errorf("SaveWall got %v, want %q", c, want)
	}
	r.ctrl(fyne.KeyUp) // at the top edge: nothing
	if got := r.wall.Assignments(); !slices.Equal(got, want) {
		t.Errorf("Ctrl+Up at the edge changed %q", got)
	}
}

// The status bar counts live and offline cameras and shows the CPU; the dots follow.
func TestWallTStatusBar(t *testing.T) {
	cause := fmt.Errorf("connect to 127.0.0.1:9: %w", syscall.ECONNREFUSED)
	srcs := append(wallTLive(t, 2), &jpegSource{Err: cause})
	r := newWallTRig(t, srcs, capture.StreamOptions{Backoff: []capture.BackoffTier{{Delay: time.Minute}}}, "auto",
		func(o *WallOptions) { o.CPU = cpuFunc(func() float64 { return 0.5 }) })
	r.wall.Start()
	sb := r.wall.chrome.status
	pumpUntil(t, r.q, "2 live, 1 offline", func() bool {
		return sb.live.Text == "2 live" && sb.off.Text == "1 offline" && sb.stall.Text == "0 stalled"
	})
	if !strings.Contains(sb.cpu.Text, "0.5 of") {
		t.Errorf("CPU shows %q", sb.cpu.Text)
	}
	if got := r.wall.chrome.side.rows["Cam 3"].dotC.FillColor; got != colorDotOffline {
		t.Errorf("offline camera's dot %v, want red", got)
	}
	if sb.off.Importance != widget.DangerImportance {
		t.Errorf("an offline camera leaves the offline count in importance %v", sb.off.Importance)
	}
	// Cameras taken off the wall stop decoding but stay connected (issue 12): they are
	// still counted, the offline one says it is not shown, and its dot stays red.
	if err := r.wall.SetLayout("1"); err != nil {
		t.Fatal(err)
	}
	if r.wall.Tile("Cam 2").Running() || !r.wall.Held("Cam 2") || !r.wall.Held("Cam 3") || r.wall.Held("Cam 1") {
		t.Errorf("off the wall: Cam 2 decodes %v, held %v %v; Cam 1 (shown) held %v",
			r.wall.Tile("Cam 2").Running(), r.wall.Held("Cam 2"), r.wall.Held("Cam 3"), r.wall.Held("Cam 1"))
	}
	pumpUntil(t, r.q, "2 live, 1 offline (1 not shown)", func() bool {
		return sb.live.Text == "2 live" && sb.off.Text == "1 offline (1 not shown)"
	})
	if got := r.wall.chrome.side.rows["Cam 3"].dotC.FillColor; got != colorDotOffline {
		t.Errorf("hidden offline camera's dot %v, want red", got)
	}
	// Stopping the wall lets every camera go.
	r.wall.Stop()
	if r.wall.Held("Cam 2") || r.wall.Held("Cam 3") {
		t.Error("holds kept after Stop")
	}
}

// SetCameras: a removed camera leaves the wall and stops; a new camera fills the first
// empty cell (here the removed camera's); a camera whose stream was rebuilt keeps its
// place.
func TestWallTSetCameras(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "2x2", nil)
	r.wall.Start()
	old2 := r.wall.Tile("Cam 2")
	dec := &testDecoders{}
	opts := capture.StreamOptions{Decoders: dec.New, Logger: slog.New(slog.DiscardHandler)}
	rebuilt := capture.NewStream("Cam 2", liveSource(t, 20*time.Millisecond), opts)
	added := capture.NewStream("Cam 9", liveSource(t, 20*time.Millisecond), opts)
	t.Cleanup(func() { rebuilt.Close(); added.Close() })
	cam1 := r.wall.Tile("Cam 1")
	r.wall.SetCameras([]*capture.Stream{rebuilt, r.streams[2], added})
	if got, want := r.wall.Assignments(), []string{"Cam 9", "Cam 2", "Cam 3"}; !slices.Equal(got, want) {
		t.Fatalf("Assignments = %q, want %q", got, want)
	}
	if cam1.Running() || old2.Running() {
		t.Error("a removed or replaced tile still decodes")
	}
	if nt := r.wall.Tile("Cam 2"); nt == old2 || nt.Stream() != rebuilt || !nt.Running() {
		t.Error("the rebuilt camera did not get a running tile of its new stream")
	}
	if got := len(r.wall.chrome.side.rows); got != 3 {
		t.Errorf("camera list has %d rows, want 3", got)
	}
	pumpUntil(t, r.q, "the new camera's picture", func() bool { return r.wall.Tile("Cam 9").Drawn() > 0 })
	// A rename through the Edit dialog keeps the position.
	renamed := capture.NewStream("Cam 3b", liveSource(t, 20*time.Millisecond), opts)
	t.Cleanup(renamed.Close)
	r.wall.followCameras([]*capture.Stream{rebuilt, renamed, added}, "Cam 3", "Cam 3b")
	if got, want := r.wall.Assignments(), []string{"Cam 9", "Cam 2", "Cam 3b"}; !slices.Equal(got, want) {
		t.Errorf("after rename Assignments = %q, want %q", got, want)
	}
	r.wall.Stop()
}

// The buttons act through the options' callbacks: Remove asks first.
func TestWallTRemoveButton(t *testing.T) {
	var removed []string
	var r *wallTRig
	r = newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "auto", func(o *WallOptions) {
		cams := o.Cameras.(*testCameras)
		o.Cameras = &testRemover{testCameras: cams, remove: func(name string) error {
			removed = append(removed, name)
			var keep []*capture.Stream
			for _, s := range r.streams {
				if s.Name() != name {
					keep = append(keep, s)
				}
			}
			cams.streams = keep
			return nil
		}}
	})
	side := r.wall.chrome.side
	if !side.remove.Disabled() || !side.add.Disabled() {
		t.Error("Remove enabled with no camera chosen, or Add enabled without a CameraEditor")
	}
	test.Tap(r.wall.Tile("Cam 2"))
	if side.remove.Disabled() {
		t.Fatal("Remove disabled with Cam 2 selected")
	}
	test.Tap(side.remove)
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no confirmation")
	}
	var yes *widget.Button
	walkAll(pop, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Remove" {
			yes = b
		}
	})
	if yes == nil {
		t.Fatal("the confirmation has no Remove button")
	}
	if len(removed) != 0 {
		t.Fatal("removed before confirming")
	}
	test.Tap(yes)
	if !slices.Equal(removed, []string{"Cam 2"}) || r.wall.Tile("Cam 2") != nil || len(side.rows) != 1 {
		t.Errorf("removed %q, rows %d", removed, len(side.rows))
	}
}

// walkAll walks containers and widgets' renderers.
func walkAll(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkAll(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkAll(c, f)
		}
	}
}

// Edit in the camera list opens the dialog; saving a new name asks the CameraEditor to
// rename the camera, and the wall follows the result by itself: the renamed camera keeps
// its place and plays, its old tile stops, and the list's current camera is the new name.
func TestWallTEditRenamesThroughTheEditor(t *testing.T) {
	var edits []string
	//lint:ignore S1021 the option callback below refers to r, so it is declared first
	var r *wallTRig
	r = newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		cams := o.Cameras.(*testCameras)
		o.Cameras = &testEditor{testCameras: cams,
			camera: func(name string) (config.Camera, bool) {
				return config.Camera{Name: name, Streams: []config.Stream{{URL: "http://127.0.0.1:1/video.mjpg"}}}, true
			},
			add: func(config.Camera) error { return errors.New("not in this test") },
			edit: func(old string, cam config.Camera) error {
				edits = append(edits, old+" → "+cam.Name)
				d := &testDecoders{}
				s := capture.NewStream(cam.Name, liveSource(t, 20*time.Millisecond),
					capture.StreamOptions{Decoders: d.New, Logger: slog.New(slog.DiscardHandler)})
				t.Cleanup(s.Close)
				next := slices.Clone(cams.streams)
				for i, x := range next {
					if x.Name() == old {
						next[i] = s
					}
				}
				cams.streams = next
				return nil
			}}
	})
	r.wall.Start()
	old := r.wall.Tile("Cam 2")
	test.Tap(old)
	side := r.wall.chrome.side
	if side.current != "Cam 2" || side.edit.Disabled() {
		t.Fatalf("current %q, edit disabled %v", side.current, side.edit.Disabled())
	}
	test.Tap(side.edit)
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no dialog")
	}
	var name *widget.Entry
	var save *widget.Button
	walkAll(pop, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *dialogEntry:
			if x.Text == "Cam 2" {
				name = &x.Entry
			}
		case *widget.Button:
			if x.Text == "Save" {
				save = x
			}
		}
	})
	if name == nil || save == nil {
		t.Fatal("the dialog has no name field or Save button")
	}
	name.SetText("")
	test.Type(name, "Gate")
	test.Tap(save)
	if !slices.Equal(edits, []string{"Cam 2 → Gate"}) {
		t.Fatalf("edits %q", edits)
	}
	want := []string{"Cam 1", "Gate", "Cam 3"}
	if got := r.wall.Assignments(); !slices.Equal(got, want) {
		t.Fatalf("Assignments = %q, want %q", got, want)
	}
	if c := r.lastChange(t); !slices.Equal(c.tiles, want) {
		t.Errorf("SaveWall got %v", c)
	}
	if gate := r.wall.Tile("Gate"); old.Running() || gate == nil || !gate.Running() || r.wall.Tile("Cam 2") != nil {
		t.Error("the old tile still decodes, or the renamed camera does not")
	}
	if side.current != "Gate" || side.rows["Gate"] == nil || side.rows["Cam 2"] != nil {
		t.Errorf("camera list: current %q", side.current)
	}
}
