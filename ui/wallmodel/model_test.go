package wallmodel

import (
	"slices"
	"testing"
)

func cams(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = string(rune('A' + i))
	}
	return out
}

func wantTiles(t *testing.T, m *Model, want ...string) {
	t.Helper()
	if got := m.Assignments(); !slices.Equal(got, want) {
		t.Fatalf("Assignments = %q, want %q", got, want)
	}
}

func wantSize(t *testing.T, m *Model, cols, rows int) {
	t.Helper()
	if c, r := m.Size(); c != cols || r != rows {
		t.Fatalf("Size = %dx%d, want %dx%d", c, r, cols, rows)
	}
}

// A new wall puts every camera in order, or restores the saved positions: gaps kept,
// unknown names and repeats dropped; an unknown layout is auto.
func TestNew(t *testing.T) {
	m := New("", cams(5), nil)
	wantTiles(t, m, "A", "B", "C", "D", "E")
	wantSize(t, m, 3, 2)
	if m.Layout() != "auto" || m.Selected() != -1 || m.Maximised() != -1 {
		t.Fatalf("layout %q selected %d maximised %d", m.Layout(), m.Selected(), m.Maximised())
	}
	m = New("2x2", cams(3), []string{"C", "", "Gone", "A", "C"})
	wantTiles(t, m, "C", "", "", "A")
	if m.At(3) != "A" || m.At(1) != "" || m.At(-1) != "" || m.At(MaxPositions) != "" || m.PositionOf("B") != -1 {
		t.Fatal("At or PositionOf wrong")
	}
	if m = New("7x7", cams(1), nil); m.Layout() != "auto" {
		t.Fatalf("7x7 became %q", m.Layout())
	}
	many := make([]string, MaxPositions+3)
	for i := range many {
		many[i] = string(rune(0x100 + i))
	}
	if m = New("auto", many, nil); m.Used() != MaxPositions {
		t.Fatalf("%d positions used of %d cameras", m.Used(), len(many))
	}
	wantSize(t, m, 8, 8)
}

// A smaller layout keeps the positions beyond it (off screen) and shows them again when
// the grid grows; an unknown layout is refused.
func TestSetLayoutKeepsPositions(t *testing.T) {
	m := New("3x3", cams(5), nil)
	if ok, err := m.SetLayout("1"); !ok || err != nil {
		t.Fatalf("SetLayout(1) = %v, %v", ok, err)
	}
	wantSize(t, m, 1, 1)
	if got := m.Visible(); !slices.Equal(got, []int{0}) {
		t.Fatalf("Visible = %v", got)
	}
	wantTiles(t, m, "A", "B", "C", "D", "E")
	if ok, err := m.SetLayout("1"); ok || err != nil {
		t.Fatalf("the same layout again: %v, %v", ok, err)
	}
	if ok, err := m.SetLayout("7x7"); ok || err == nil || m.Layout() != "1" {
		t.Fatalf("7x7: %v, %v, layout %q", ok, err, m.Layout())
	}
	if ok, _ := m.SetLayout(""); !ok || m.Layout() != "auto" {
		t.Fatalf(`"" is %q`, m.Layout())
	}
	wantSize(t, m, 3, 2)
	if got := m.Visible(); len(got) != 6 || got[5] != 5 {
		t.Fatalf("Visible = %v", got)
	}
}

// A camera is on the wall at most once: assigning it moves it, and the camera it
// replaces leaves the wall. Unknown cameras and impossible positions are refused.
func TestAssignAndSwap(t *testing.T) {
	m := New("3x3", cams(3), nil)
	if !m.Assign(5, "A") {
		t.Fatal("Assign refused")
	}
	wantTiles(t, m, "", "B", "C", "", "", "A")
	if !m.Assign(5, "C") {
		t.Fatal("Assign over a camera refused")
	}
	wantTiles(t, m, "", "B", "", "", "", "C")
	for _, c := range []struct {
		pos int
		cam string
	}{{5, "C"}, {-1, "A"}, {MaxPositions, "A"}, {0, "Nobody"}} {
		if m.Assign(c.pos, c.cam) {
			t.Errorf("Assign(%d, %q) accepted", c.pos, c.cam)
		}
	}
	if !m.Assign(1, "") {
		t.Fatal("emptying refused")
	}
	wantTiles(t, m, "", "", "", "", "", "C")
	if !m.Swap(5, 0) || m.Swap(2, 2) || m.Swap(-1, 0) {
		t.Fatal("Swap accepted or refused the wrong swaps")
	}
	wantTiles(t, m, "C")
}

// The auto grid follows the positions used.
func TestAutoGridFollowsPositions(t *testing.T) {
	m := New("auto", cams(4), nil)
	wantSize(t, m, 2, 2)
	m.Assign(4, "A")
	wantSize(t, m, 3, 2)
	m.Assign(0, "A")
	wantSize(t, m, 2, 2)
}

// The selection stays on screen: beyond the grid is refused, and a grid that shrinks
// under it drops it.
func TestSelection(t *testing.T) {
	m := New("3x3", cams(2), nil)
	if m.Select(9) || m.Select(-2) || !m.Select(8) || m.Select(8) {
		t.Fatal("Select accepted or refused the wrong positions")
	}
	m.SetLayout("2x2")
	if m.Selected() != -1 {
		t.Fatalf("selection %d off a 2x2 grid", m.Selected())
	}
	m.Select(1)
	if !m.Select(-1) || m.Selected() != -1 {
		t.Fatal("-1 did not clear the selection")
	}
}

// Maximising shows one camera alone and selects it; an empty position cannot be
// maximised; the camera leaving restores the grid.
func TestMaximise(t *testing.T) {
	m := New("2x2", cams(3), nil)
	if m.Maximise(3) || m.Maximise(4) || m.Maximise(-1) {
		t.Fatal("maximised an empty or impossible position")
	}
	if !m.Maximise(1) || m.Maximised() != 1 || m.Selected() != 1 || m.Maximise(1) {
		t.Fatalf("Maximise(1): maximised %d selected %d", m.Maximised(), m.Selected())
	}
	if got := m.Visible(); !slices.Equal(got, []int{1}) {
		t.Fatalf("Visible = %v", got)
	}
	if m.Neighbour(1, 0) != -1 {
		t.Fatal("arrows move the selection of a maximised wall")
	}
	if !m.Restore() || m.Restore() || m.Maximised() != -1 || len(m.Visible()) != 4 {
		t.Fatal("Restore")
	}
	m.Maximise(1)
	m.Assign(1, "")
	if m.Maximised() != -1 {
		t.Fatal("an emptied position stays maximised")
	}
	m.Maximise(0)
	if ok, _ := m.SetLayout("2x2"); !ok || m.Maximised() != -1 {
		t.Fatal("choosing the layout again does not restore the grid")
	}
}

// Arrows find the neighbour within the grid; Ctrl+arrows swap with it and the
// selection follows the camera.
func TestNeighbourAndSwapToward(t *testing.T) {
	m := New("3x3", cams(4), nil)
	if m.Neighbour(1, 0) != -1 || m.SwapToward(1, 0) {
		t.Fatal("a neighbour without a selection")
	}
	m.Select(4)
	for _, c := range []struct{ dx, dy, want int }{{1, 0, 5}, {-1, 0, 3}, {0, 1, 7}, {0, -1, 1}} {
		if got := m.Neighbour(c.dx, c.dy); got != c.want {
			t.Errorf("Neighbour(%d, %d) = %d, want %d", c.dx, c.dy, got, c.want)
		}
	}
	m.Select(2)
	if m.Neighbour(1, 0) != -1 || m.Neighbour(0, -1) != -1 {
		t.Fatal("a neighbour past the edge")
	}
	m.Select(0)
	if !m.SwapToward(1, 0) || m.Selected() != 1 {
		t.Fatalf("SwapToward: selected %d", m.Selected())
	}
	wantTiles(t, m, "B", "A", "C", "D")
}

// New cameras go to the selected empty position, else the first empty one on screen,
// else (auto) the next position; on a full fixed grid they wait in the list.
func TestFreePosition(t *testing.T) {
	m := New("2x2", cams(2), []string{"A", "", "B"})
	if p := m.FreePosition(); p != 1 {
		t.Fatalf("FreePosition = %d, want 1", p)
	}
	m.Select(3)
	if p := m.FreePosition(); p != 3 {
		t.Fatalf("FreePosition with an empty selection = %d, want 3", p)
	}
	m = New("1", cams(1), nil)
	if p := m.FreePosition(); p != -1 {
		t.Fatalf("full 1x1 FreePosition = %d", p)
	}
	m = New("auto", cams(4), nil)
	if p := m.FreePosition(); p != 4 {
		t.Fatalf("full auto FreePosition = %d, want 4", p)
	}
}

// A camera list change: removed cameras leave, new ones take free positions, and a
// renamed camera keeps its places, named by the caller or taken from one gone and one
// new.
func TestSetCameras(t *testing.T) {
	m := New("2x2", []string{"A", "B", "C"}, nil)
	m.SetCameras([]string{"B", "C"}, "", "")
	wantTiles(t, m, "", "B", "C")
	m.SetCameras([]string{"B", "C", "N", "M"}, "", "")
	wantTiles(t, m, "N", "B", "C", "M")
	// Two gone, two new: not a rename; the new ones fill the gaps.
	m = New("2x2", []string{"A", "B", "C"}, nil)
	m.SetCameras([]string{"C", "X", "Y"}, "", "")
	wantTiles(t, m, "X", "Y", "C")
	// A new camera goes to the selected empty position.
	m = New("3x3", []string{"A"}, nil)
	m.Select(4)
	m.SetCameras([]string{"A", "N"}, "", "")
	wantTiles(t, m, "A", "", "", "", "N")
	if m.Assign(0, "Gone") {
		t.Fatal("assigned a camera no longer in the list")
	}
	// Explicit rename, with another camera added in the same call.
	m = New("3x3", []string{"A", "B"}, []string{"", "B", "", "A"})
	m.SetCameras([]string{"A2", "B", "N"}, "A", "A2")
	wantTiles(t, m, "N", "B", "", "A2")
	// One gone, one new: a rename.
	m.SetCameras([]string{"A3", "B", "N"}, "", "")
	wantTiles(t, m, "N", "B", "", "A3")
	// On a full fixed grid a new camera waits in the list.
	m = New("1", []string{"A"}, nil)
	m.SetCameras([]string{"A", "N"}, "", "")
	wantTiles(t, m, "A")
	if m.PositionOf("N") != -1 || !m.Assign(0, "N") {
		t.Fatal("the waiting camera is not assignable")
	}
}
