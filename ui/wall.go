package ui

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/vigil-cctv/vigil/capture"
)

// Layouts are the wall layouts Grid accepts, smallest first ("auto" fits the camera
// count). They match config.Wall.Layout.
var Layouts = []string{"auto", "1", "2x2", "3x3", "4x4", "5x5", "6x6", "8x8"}

// maxSide is the largest grid side: 64 tiles is already more than a screen shows usefully
// and more than two cores decode at a watchable rate.
const maxSide = 8

// tileGap is the gap between tiles in logical pixels: enough to tell pictures apart.
const tileGap = 2

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

// Wall is a grid of camera tiles. Cameras beyond the grid's cells are not shown (and not
// decoded); cells beyond the camera count show "No camera".
type Wall struct {
	cols, rows int
	tiles      []*Tile
	content    fyne.CanvasObject
	batch      *uiBatch
}

// NewWall lays streams out in a grid by layout (see Grid; an unknown layout is treated as
// "auto" — config.Validate refuses it before it gets here). Nothing runs until Start.
func NewWall(streams []*capture.Stream, layout string) *Wall {
	cols, rows, err := Grid(layout, len(streams))
	if err != nil {
		cols, rows, _ = Grid("auto", len(streams))
	}
	w := &Wall{cols: cols, rows: rows, batch: newUIBatch(fyne.Do)}
	cells := make([]fyne.CanvasObject, 0, cols*rows)
	for i := 0; i < cols*rows; i++ {
		if i < len(streams) {
			t := NewTile(streams[i])
			t.do = w.batch.Do
			w.tiles = append(w.tiles, t)
			cells = append(cells, t)
			continue
		}
		cells = append(cells, emptyCell())
	}
	grid := container.New(&gridLayout{cols: cols, rows: rows, gap: tileGap}, cells...)
	w.content = container.NewStack(canvas.NewRectangle(colorWallBack), grid)
	return w
}

// emptyCell is a grid cell without a camera.
func emptyCell() fyne.CanvasObject {
	label := canvas.NewText("No camera", colorEmptyText)
	label.TextSize = detailTextSize
	return container.NewStack(canvas.NewRectangle(colorTileBack), container.NewCenter(label))
}

// Content is the wall's widget tree, to put in a window.
func (w *Wall) Content() fyne.CanvasObject { return w.content }

// Tiles returns the tiles on screen, in grid order.
func (w *Wall) Tiles() []*Tile { return w.tiles }

// Size returns the grid's columns and rows.
func (w *Wall) Size() (cols, rows int) { return w.cols, w.rows }

// Start starts every tile on screen (UI goroutine).
func (w *Wall) Start() {
	for _, t := range w.tiles {
		t.Start()
	}
}

// Stop stops every tile and waits for their render goroutines (UI goroutine). It is safe
// to call more than once.
func (w *Wall) Stop() {
	for _, t := range w.tiles {
		t.Stop()
	}
}

// setDo replaces fyne.Do under the wall's batch (tests).
func (w *Wall) setDo(do func(func())) { w.batch.do = do }

// gridLayout is a fixed cols×rows grid with a gap between cells. Fyne's GridLayout puts
// the theme's padding between cells, which is too wide for a wall of pictures and not
// under our control.
type gridLayout struct {
	cols, rows int
	gap        float32
}

func (g *gridLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cw := (size.Width - g.gap*float32(g.cols-1)) / float32(g.cols)
	ch := (size.Height - g.gap*float32(g.rows-1)) / float32(g.rows)
	for i, o := range objects {
		c, r := i%g.cols, i/g.cols
		if r >= g.rows {
			o.Hide()
			continue
		}
		o.Move(fyne.NewPos(float32(c)*(cw+g.gap), float32(r)*(ch+g.gap)))
		o.Resize(fyne.NewSize(cw, ch))
	}
}

func (g *gridLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var cell fyne.Size
	for _, o := range objects {
		cell = cell.Max(o.MinSize())
	}
	return fyne.NewSize(
		cell.Width*float32(g.cols)+g.gap*float32(g.cols-1),
		cell.Height*float32(g.rows)+g.gap*float32(g.rows-1))
}
