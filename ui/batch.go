package ui

import (
	"sync"
	"sync/atomic"
	"time"
)

// uiBatch runs many tiles' UI callbacks through a single pending fyne.Do. Fyne's event loop
// (glfw/loop.go) selects between its callback queue and its paint tick, so once painting
// is slow it runs only about one callback per painted frame. With one fyne.Do per tile,
// a wall under Xvfb drew 7.8 pictures a second per tile (8×8 cameras at 15 fps) and 10.5
// (4×4 at 30 fps); with the batch, 14.6 and 18.5. A batch draws every tile that has a new
// picture in one callback.
//
// Each tile still keeps at most one draw and one status update in the batch, so the batch
// holds at most two callbacks per tile and Fyne's queue at most one batch.
//
// The batch also runs at most once per display tick (batchPeriod): every tile with a new
// picture is drawn in the same callback, so the window repaints once for all of them.
// Fyne repaints the whole window whenever anything in it changed (glfw/loop.go
// drawSingleFrame, on a 60 Hz tick), and under Xvfb with software GL a repaint costs the
// same for one changed tile as for all: 9 tiles at 15 fps whose frames arrive at
// unrelated moments dirtied nearly every 60 Hz tick, while with the batch on a 30 Hz
// tick the window repaints at most 30 times a second (measured figures in the issue-3
// report). The price is up to one tick (33 ms, 17 ms on average) of added latency.
type uiBatch struct {
	do     func(func()) // fyne.Do, or a test's queue
	period time.Duration
	// stopping is set once the app is quitting (Wall.Shutdown): Fyne's loop is ending or
	// has ended, and once it has drained its queue fyne.Do runs a callback on the
	// caller's goroutine, off the UI thread. From then on callbacks are dropped. A wall's
	// second windows share their main wall's.
	stopping *atomic.Bool

	mu      sync.Mutex
	fns     []func()
	spare   []func()
	pending bool
	last    time.Time // when the last batch ran
}

// batchPeriod is the display tick the batch keeps to: the tiles' default draw cap.
const batchPeriod = time.Second / DefaultMaxFPS

func newUIBatch(do func(func())) *uiBatch {
	return &uiBatch{do: do, period: batchPeriod, stopping: new(atomic.Bool)}
}

// Do queues fn for the UI goroutine, scheduling the batch if it is not already waiting:
// at once when the last batch ran a tick or more ago, else when the tick is due.
func (b *uiBatch) Do(fn func()) {
	if b.stopping.Load() {
		return
	}
	b.mu.Lock()
	b.fns = append(b.fns, fn)
	if b.pending {
		b.mu.Unlock()
		return
	}
	b.pending = true
	wait := time.Until(b.last.Add(b.period))
	b.mu.Unlock()
	if wait <= 0 {
		b.do(b.run)
		return
	}
	time.AfterFunc(wait, func() {
		if !b.stopping.Load() {
			b.do(b.run)
		}
	})
}

// run is the batch's callback on the UI goroutine. Callbacks queued while it runs go to
// the next batch.
func (b *uiBatch) run() {
	if b.stopping.Load() {
		return // possibly run on a tile's goroutine, Fyne's loop gone
	}
	b.mu.Lock()
	fns := b.fns
	b.fns, b.spare = b.spare[:0], nil
	b.pending = false
	b.last = time.Now()
	b.mu.Unlock()
	for i, f := range fns {
		f()
		fns[i] = nil
	}
	b.mu.Lock()
	if b.spare == nil {
		b.spare = fns[:0]
	}
	b.mu.Unlock()
}
