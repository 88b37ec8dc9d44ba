package capture

import (
	"image"
	"sync"
	"sync/atomic"
	"time"
)

// Release gives the frame back once its pixels are no longer needed. Every Frame taken
// from a FrameSub must be released exactly once.
func (f *Frame) Release() {
	if n := atomic.AddInt32(&f.refs, -1); n == 0 && f.release != nil {
		f.release(f)
	} else if n < 0 {
		panic("capture: Frame released more times than taken")
	}
}

// FrameSub is a consumer's one-slot "latest wins" mailbox of decoded frames: the decoder
// puts, the consumer takes when it is ready to draw, and a frame not taken in time is
// replaced by the next one (counted in Skipped) instead of queueing up as latency.
//
// For a camera with several streams the FrameSub follows its box: when SetSize or
// SetLargest make another stream the right one, it starts watching that one too and
// keeps receiving the old one's frames until the new one delivers, then lets the old
// one go — the picture never goes black while the camera switches streams.
type FrameSub struct {
	stream *Stream
	ready  chan struct{}

	mu      sync.Mutex
	cur     *variant // the stream whose frames are shown
	next    *variant // the stream being switched to, nil when none
	frame   *Frame
	w, h    int
	largest bool
	closed  bool
	pace    Pacer // the frames the consumer wants; guarded by mu
	skipped atomic.Uint64
}

// Ready receives a value when a new frame may be waiting; call Take then.
func (f *FrameSub) Ready() <-chan struct{} { return f.ready }

// Take returns the newest frame not yet taken, or nil. The caller must Release it.
func (f *FrameSub) Take() *Frame {
	f.mu.Lock()
	defer f.mu.Unlock()
	fr := f.frame
	f.frame = nil
	return fr
}

// Size returns the box the consumer asked for.
func (f *FrameSub) Size() (w, h int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w, f.h
}

// SetSize changes the box the consumer wants frames to fit (its size on screen, in
// physical pixels). The decoder follows from the next packet on; a camera with several
// streams may switch to a smaller or larger one. Call it from one goroutine at a time.
func (f *FrameSub) SetSize(w, h int) {
	f.mu.Lock()
	f.w, f.h = w, h
	cur := f.cur
	f.mu.Unlock()
	if cur != nil {
		f.stream.hint(cur)
	}
	f.retarget()
}

// SetMaxFPS asks for at most fps frames a second (0: every frame). A JPEG camera's
// pictures that no consumer is due for are not decoded at all, so a consumer at a low
// rate (analytics) costs only the pictures it takes.
func (f *FrameSub) SetMaxFPS(fps float64) {
	f.mu.Lock()
	f.pace = Pacer{}
	if fps > 0 {
		f.pace.Every = time.Duration(float64(time.Second) / fps)
	}
	f.mu.Unlock()
}

// due reports whether the consumer wants a frame taken at `at`; take also counts it.
func (f *FrameSub) due(at time.Time, take bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if take {
		return f.pace.Take(at)
	}
	return f.pace.Due(at)
}

// SetLargest asks for the camera's largest stream whatever the box (a maximised tile).
func (f *FrameSub) SetLargest(on bool) {
	f.mu.Lock()
	f.largest = on
	f.mu.Unlock()
	f.retarget()
}

// retarget starts the switch to the stream that fits the box, or cancels one no longer
// wanted.
func (f *FrameSub) retarget() {
	s := f.stream
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	want := s.pick(f.w, f.h, f.largest)
	var drop *variant
	switch want {
	case f.next:
	case f.cur:
		drop, f.next = f.next, nil
	default:
		drop = f.next
		s.mu.Lock()
		s.watchLocked(want, f)
		s.mu.Unlock()
		f.next = want
	}
	next := f.next
	f.mu.Unlock()
	if drop != nil {
		s.unwatch(drop, f)
	}
	if next != nil {
		s.hint(next)
	}
}

// Skipped counts frames replaced before the consumer took them.
func (f *FrameSub) Skipped() uint64 { return f.skipped.Load() }

// Close detaches the consumer. A stream stops when its last consumer goes.
func (f *FrameSub) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	old, cur, next := f.frame, f.cur, f.next
	f.frame, f.cur, f.next = nil, nil, nil
	f.mu.Unlock()
	if old != nil {
		old.Release()
	}
	for _, v := range []*variant{cur, next} {
		if v != nil {
			f.stream.unwatch(v, f)
		}
	}
}

// put stores fr (whose reference the caller transfers), decoded from variant from, as
// the newest frame. The first frame of the stream being switched to completes the
// switch. A frame with no SourceTime never replaces one not yet taken that has one: a
// review source feeds units after the picture it wants shown only to have the decoder
// let that picture out (capture.Packet.SourceTime), and on a busy machine those came
// in before the consumer took the sought picture, which was then lost.
func (f *FrameSub) put(fr *Frame, from *variant) {
	f.mu.Lock()
	if f.closed || (from != f.cur && from != f.next) ||
		(fr.SourceTime.IsZero() && f.frame != nil && !f.frame.SourceTime.IsZero()) {
		f.mu.Unlock()
		fr.Release()
		return
	}
	var done *variant
	if from == f.next {
		done, f.cur, f.next = f.cur, from, nil
	}
	old := f.frame
	f.frame = fr
	f.mu.Unlock()
	if done != nil {
		f.stream.unwatchLater(done, f)
	}
	if old != nil {
		f.skipped.Add(1)
		old.Release()
	}
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// framePool recycles the pixel buffers of a stream's frames so steady-state decoding
// allocates nothing. It keeps buffers of the size the decoder last produced (which the
// decoder, not the caller, decides: see FrameDecoder.Decode) and drops the others.
type framePool struct {
	mu   sync.Mutex
	w, h int // size of the last decoded picture
	free []*image.RGBA
}

const poolKeep = 4

// get returns a buffer of the last decoded size, or nil.
func (p *framePool) get() *image.RGBA {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		img := p.free[n-1]
		p.free = p.free[:n-1]
		return img
	}
	return nil
}

// decoded records the size the decoder produced; buffers of another size are dropped.
func (p *framePool) decoded(img *image.RGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	p.mu.Lock()
	defer p.mu.Unlock()
	if w != p.w || h != p.h {
		p.w, p.h, p.free = w, h, p.free[:0]
	}
}

func (p *framePool) put(f *Frame) { p.putImage(f.Image) }

// putImage returns a buffer of the current size to the pool (nil is ignored).
func (p *framePool) putImage(img *image.RGBA) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if img == nil || img.Rect.Dx() != p.w || img.Rect.Dy() != p.h || len(p.free) >= poolKeep {
		return
	}
	p.free = append(p.free, img)
}
