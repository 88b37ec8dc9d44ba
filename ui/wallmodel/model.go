// Package wallmodel is the camera wall's model apart from its widgets: the layout and
// grid size, which camera sits at which position, the selection, the maximised position
// and which positions are on screen. It is plain Go (no Fyne), so its rules are tested
// in milliseconds; the ui package's Wall keeps one and makes its tiles follow it.
package wallmodel

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/vigil-cctv/vigil/config"
)

// Layouts are the wall layouts Grid accepts, smallest first ("auto" fits the camera
// count): the settings' own list (config.Layouts), so the two cannot disagree.
var Layouts = config.Layouts()

// maxSide is the largest grid side, the square root of config.MaxTiles.
const maxSide = 8

// MaxPositions is how many tile positions the wall remembers: config's limit on
// Wall.Tiles (an 8×8 grid).
const MaxPositions = config.MaxTiles

// An 8×8 grid must hold exactly config's tile limit (a compile-time check).
var _ [maxSide*maxSide - MaxPositions]struct{}
var _ [MaxPositions - maxSide*maxSide]struct{}

// Grid returns the columns and rows of a layout for n cameras. "auto" (or "") is the
// smallest square-ish grid holding all of them, cols = ⌈√n⌉ and rows = ⌈n/cols⌉ (1×1 for
// none, 8×8 at most); the fixed layouts are their own size whatever n is.
func Grid(layout string, n int) (cols, rows int, err error) {
	switch layout {
	case "", "auto":
		if n <= 1 {
			return 1, 1, nil
		}
		cols = min(int(math.Ceil(math.Sqrt(float64(n)))), maxSide)
		rows = min((n+cols-1)/cols, maxSide)
		return cols, rows, nil
	case "1":
		return 1, 1, nil
	case "2x2", "3x3", "4x4", "5x5", "6x6", "8x8":
		side := int(layout[0] - '0')
		return side, side, nil
	}
	return 0, 0, fmt.Errorf("unknown wall layout %q: use one of auto, 1, 2x2, 3x3, 4x4, 5x5, 6x6, 8x8", layout)
}

// Model is which camera sits at which of up to MaxPositions positions; a layout shows
// the first cols×rows of them, so positions beyond a small grid come back when the grid
// grows. A camera is at most at one position. The selection and the maximised position
// are always on screen (-1 for none).
//
// The methods that change something report whether they did, so the wall redraws and
// saves only then. A Model is not safe for concurrent use (the wall's is the UI
// goroutine's).
type Model struct {
	layout    string
	cols      int
	rows      int
	positions []string        // camera per position, MaxPositions long
	missing   []string        // a view's camera not in the list, per empty position
	cameras   map[string]bool // the cameras that can be placed
	keepNew   bool            // SetCameras leaves new cameras in the list (KeepNewOut)
	selected  int
	maxPos    int
}

// New makes the model of a wall of cameras (names, in list order). layout is one of
// Layouts (an unknown one is taken as auto); tiles is the camera per position (see
// config.Wall.Tiles: unknown names and repeats are dropped), nil for every camera in
// order.
func New(layout string, cameras, tiles []string) *Model {
	m := &Model{layout: layout, positions: make([]string, MaxPositions), missing: make([]string, MaxPositions), selected: -1, maxPos: -1}
	if _, _, err := Grid(m.layout, 0); err != nil || m.layout == "" {
		m.layout = "auto"
	}
	m.cameras = names(cameras)
	if tiles == nil {
		tiles = cameras
	}
	seen := map[string]bool{}
	for i, name := range tiles {
		if i >= MaxPositions {
			break
		}
		if name != "" && m.cameras[name] && !seen[name] {
			m.positions[i] = name
			seen[name] = true
		}
	}
	m.fit()
	return m
}

func names(list []string) map[string]bool {
	out := make(map[string]bool, len(list))
	for _, n := range list {
		out[n] = true
	}
	return out
}

// fit sizes the grid for the layout and the positions used, and drops a maximised
// position or a selection the grid no longer shows.
func (m *Model) fit() {
	m.cols, m.rows, _ = Grid(m.layout, m.Used())
	if m.maxPos >= 0 && (m.maxPos >= m.Cells() || m.positions[m.maxPos] == "") {
		m.maxPos = -1
	}
	if m.selected >= m.Cells() {
		m.selected = -1
	}
}

// Layout is the current layout, one of Layouts.
func (m *Model) Layout() string { return m.layout }

// Size is the grid's columns and rows.
func (m *Model) Size() (cols, rows int) { return m.cols, m.rows }

// Cells is how many positions the grid shows: cols×rows.
func (m *Model) Cells() int { return m.cols * m.rows }

// Selected is the selected position, or -1.
func (m *Model) Selected() int { return m.selected }

// Maximised is the maximised position, or -1.
func (m *Model) Maximised() int { return m.maxPos }

// At is the camera at position pos, "" for an empty or impossible position.
func (m *Model) At(pos int) string {
	if pos < 0 || pos >= MaxPositions {
		return ""
	}
	return m.positions[pos]
}

// PositionOf is the position of a camera, or -1 when it is not on the wall.
func (m *Model) PositionOf(camera string) int {
	if camera == "" {
		return -1
	}
	return slices.Index(m.positions, camera)
}

// Used is one past the last assigned position: what auto lays out.
func (m *Model) Used() int {
	for i := len(m.positions) - 1; i >= 0; i-- {
		if m.positions[i] != "" || m.missing[i] != "" {
			return i + 1
		}
	}
	return 0
}

// Assignments is the camera per position with trailing empty positions trimmed: what
// config.Wall.Tiles stores (cameras in the list only).
func (m *Model) Assignments() []string { return trim(slices.Clone(m.positions)) }

// trim drops trailing empty positions.
func trim(tiles []string) []string {
	n := len(tiles)
	for n > 0 && tiles[n-1] == "" {
		n--
	}
	return tiles[:n]
}

// Visible is the positions on screen in grid order: the maximised one alone, else every
// position of the grid.
func (m *Model) Visible() []int {
	if m.maxPos >= 0 {
		return []int{m.maxPos}
	}
	out := make([]int, m.Cells())
	for i := range out {
		out[i] = i
	}
	return out
}

// FreePosition is where a camera without a place goes: the selected position when it is
// empty, else the first empty position on screen, else (auto layout) the next position;
// -1 when there is none.
func (m *Model) FreePosition() int {
	if m.selected >= 0 && m.free(m.selected) {
		return m.selected
	}
	for i := 0; i < m.Cells(); i++ {
		if m.free(i) {
			return i
		}
	}
	if m.layout == "auto" {
		if n := m.Used(); n < MaxPositions {
			return n
		}
	}
	return -1
}

// free reports whether position p holds neither a camera nor a view's missing camera.
func (m *Model) free(p int) bool { return m.positions[p] == "" && m.missing[p] == "" }

// SetLayout changes the grid (restoring a maximised position). Assignments are kept. An
// unknown layout is refused; "" is auto.
func (m *Model) SetLayout(layout string) (changed bool, err error) {
	if layout == "" {
		layout = "auto"
	}
	if _, _, err := Grid(layout, 0); err != nil {
		return false, err
	}
	if layout == m.layout && m.maxPos < 0 {
		return false, nil
	}
	m.layout = layout
	m.maxPos = -1
	m.fit()
	return true, nil
}

// Assign puts camera at position pos ("" empties it). Assigning a camera that is
// elsewhere moves it; the camera it replaces leaves the wall. Unknown cameras and
// impossible positions are refused.
func (m *Model) Assign(pos int, camera string) bool {
	if pos < 0 || pos >= MaxPositions || (camera != "" && !m.cameras[camera]) {
		return false
	}
	if m.positions[pos] == camera {
		return false
	}
	if old := m.PositionOf(camera); old >= 0 {
		m.positions[old] = ""
	}
	m.positions[pos] = camera
	m.missing[pos] = ""
	m.fit()
	return true
}

// Swap exchanges the cameras at positions a and b (either may be empty).
func (m *Model) Swap(a, b int) bool {
	if a < 0 || b < 0 || a >= MaxPositions || b >= MaxPositions || a == b {
		return false
	}
	m.positions[a], m.positions[b] = m.positions[b], m.positions[a]
	m.missing[a], m.missing[b] = m.missing[b], m.missing[a]
	m.fit()
	return true
}

// Select selects position pos (a camera or an empty position on screen); -1 clears the
// selection.
func (m *Model) Select(pos int) bool {
	if pos >= m.Cells() || pos < -1 || pos == m.selected {
		return false
	}
	m.selected = pos
	return true
}

// Neighbour is the position one step (dx, dy) from the selection in the grid, or -1 at
// the edge (or with nothing selected, or a position maximised).
func (m *Model) Neighbour(dx, dy int) int {
	if m.selected < 0 || m.maxPos >= 0 {
		return -1
	}
	c, r := m.selected%m.cols+dx, m.selected/m.cols+dy
	if c < 0 || r < 0 || c >= m.cols || r >= m.rows {
		return -1
	}
	return r*m.cols + c
}

// SwapToward swaps the selected camera with its neighbour one step (dx, dy) away; the
// selection follows the camera.
func (m *Model) SwapToward(dx, dy int) bool {
	n := m.Neighbour(dx, dy)
	if n < 0 {
		return false
	}
	from := m.selected
	m.selected = n // before the swap, so a grid that changes size keeps it
	m.Swap(from, n)
	m.Select(n)
	return true
}

// Maximise shows the camera at pos alone and selects it. An empty position, or one off
// screen, is refused.
func (m *Model) Maximise(pos int) bool {
	if pos < 0 || pos >= m.Cells() || m.positions[pos] == "" || pos == m.maxPos {
		return false
	}
	m.selected = pos
	m.maxPos = pos
	m.fit()
	return true
}

// Restore brings the grid back after Maximise.
func (m *Model) Restore() bool {
	if m.maxPos < 0 {
		return false
	}
	m.maxPos = -1
	m.fit()
	return true
}

// SetCameras follows a new camera list (names, in list order). renamedFrom → renamedTo
// names a camera that was renamed, whose places the new name takes; without one, one
// camera gone and one new in the same call is taken for a rename (the camera dialog
// saves one camera at a time). Removed cameras leave the wall; each new camera goes to
// FreePosition, or waits in the list when there is none.
func (m *Model) SetCameras(cameras []string, renamedFrom, renamedTo string) {
	old := m.cameras
	now := names(cameras)
	m.cameras = now
	from, to := renamedFrom, renamedTo
	if from == "" {
		var gone, added []string
		for name := range old {
			if !now[name] {
				gone = append(gone, name)
			}
		}
		for _, name := range cameras {
			if !old[name] {
				added = append(added, name)
			}
		}
		if len(gone) == 1 && len(added) == 1 {
			from, to = gone[0], added[0]
		}
	}
	placed := maps.Clone(old)
	if from != "" && from != to && now[to] && !now[from] {
		for i, name := range m.positions {
			if name == from {
				m.positions[i] = to
			}
		}
		placed[to] = true
	}
	for i, name := range m.positions {
		if name != "" && !now[name] {
			m.positions[i] = ""
		}
	}
	seen := map[string]bool{}
	for _, name := range cameras {
		if placed[name] || seen[name] {
			continue
		}
		seen[name] = true
		// A camera a view was waiting for takes its place there.
		if p := slices.Index(m.missing, name); p >= 0 {
			m.positions[p], m.missing[p] = name, ""
			continue
		}
		if m.keepNew {
			continue
		}
		if p := m.FreePosition(); p >= 0 {
			m.positions[p] = name
		}
	}
	m.fit()
}

// KeepNewOut makes SetCameras leave new cameras in the list instead of placing them (a
// second window's wall, whose view the user arranged).
func (m *Model) KeepNewOut() { m.keepNew = true }

// Missing is the name of a camera a view placed at pos that is not in the camera list
// (removed since the view was saved), or "".
func (m *Model) Missing(pos int) string {
	if pos < 0 || pos >= MaxPositions {
		return ""
	}
	return m.missing[pos]
}

// ApplyView shows a view: its layout (an unknown one is auto) and exactly its cameras at
// its positions; a camera it names that is not in the list leaves its position empty but
// named (Missing). It restores a maximised position and keeps the selection when the new
// grid shows it. It reports whether anything changed.
func (m *Model) ApplyView(layout string, tiles []string) bool {
	if _, _, err := Grid(layout, 0); err != nil || layout == "" {
		layout = "auto"
	}
	positions, missing := make([]string, MaxPositions), make([]string, MaxPositions)
	seen := map[string]bool{}
	for i, name := range tiles {
		if i >= MaxPositions {
			break
		}
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if m.cameras[name] {
			positions[i] = name
		} else {
			missing[i] = name
		}
	}
	if layout == m.layout && m.maxPos < 0 && slices.Equal(positions, m.positions) && slices.Equal(missing, m.missing) {
		return false
	}
	m.layout, m.positions, m.missing, m.maxPos = layout, positions, missing, -1
	m.fit()
	return true
}

// ShowMissing names, at the positions that are empty, the cameras tiles (a view's) places
// there that are not in the list: what a wall restored from its saved positions shows
// of its current view.
func (m *Model) ShowMissing(tiles []string) bool {
	changed := false
	for i, name := range tiles {
		if i >= MaxPositions {
			break
		}
		if name != "" && !m.cameras[name] && m.free(i) && !slices.Contains(m.missing, name) {
			m.missing[i] = name
			changed = true
		}
	}
	if changed {
		m.fit()
	}
	return changed
}

// ViewTiles is what a view of the wall as it is stores: the camera per position, the
// cameras the view was missing kept in their places, trailing empty positions trimmed.
func (m *Model) ViewTiles() []string {
	out := slices.Clone(m.positions)
	for i, name := range m.missing {
		if out[i] == "" {
			out[i] = name
		}
	}
	return trim(out)
}

// Shows reports whether the wall shows the view layout/tiles as ApplyView would make it
// (a maximised position aside): a view whose wall has not been changed since.
func (m *Model) Shows(layout string, tiles []string) bool {
	v := &Model{layout: m.layout, cameras: m.cameras, positions: make([]string, MaxPositions), missing: make([]string, MaxPositions)}
	v.ApplyView(layout, tiles)
	return v.layout == m.layout && slices.Equal(v.ViewTiles(), m.ViewTiles())
}

// Cycle is the name step places after current in names, wrapping around (the first
// or last for a current not in names, "" for no names): Ctrl+PageDown and PageUp.
func Cycle(names []string, current string, step int) string {
	if len(names) == 0 {
		return ""
	}
	i := slices.Index(names, current)
	if i < 0 {
		if step > 0 {
			return names[0]
		}
		return names[len(names)-1]
	}
	n := len(names)
	return names[((i+step)%n+n)%n]
}
