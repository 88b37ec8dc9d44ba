package ui

import "sync"

// uiBatch runs many tiles' UI callbacks through a single pending fyne.Do. Fyne's event loop
// (glfw/loop.go) selects between its callback queue and its paint tick, so once painting
// is slow it runs only about one callback per painted frame. With one fyne.Do per tile,
// a wall under Xvfb drew 7.8 pictures a second per tile (8×8 cameras at 15 fps) and 10.5
// (4×4 at 30 fps); with the batch, 14.6 and 18.5. A batch draws every tile that has a new
// picture in one callback.
//
// Each tile still keeps at most one draw and one status update in the batch, so the batch
// holds at most two callbacks per tile and Fyne's queue at most one batch.
type uiBatch struct {
	do func(func()) // fyne.Do, or a test's queue

	mu      sync.Mutex
	fns     []func()
	spare   []func()
	pending bool
}

func newUIBatch(do func(func())) *uiBatch { return &uiBatch{do: do} }

// Do queues fn for the UI goroutine, scheduling the batch if it is not already waiting.
func (b *uiBatch) Do(fn func()) {
	b.mu.Lock()
	b.fns = append(b.fns, fn)
	start := !b.pending
	b.pending = true
	b.mu.Unlock()
	if start {
		b.do(b.run)
	}
}

// run is the batch's callback on the UI goroutine. Callbacks queued while it runs go to
// the next batch.
func (b *uiBatch) run() {
	b.mu.Lock()
	fns := b.fns
	b.fns, b.spare = b.spare[:0], nil
	b.pending = false
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
