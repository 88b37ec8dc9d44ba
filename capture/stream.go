package capture

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"
)

// StreamOptions configures a Stream.
type StreamOptions struct {
	// Decoders makes the frame decoders. It must be set to watch frames.
	Decoders NewFrameDecoder
	// FrameInterval is the expected time between frames, when known; see Supervisor.
	FrameInterval time.Duration
	// StallAfter and DropAfter override the watchdog; see Supervisor.
	StallAfter, DropAfter time.Duration
	// Backoff overrides the retry schedule; see Supervisor.
	Backoff []BackoffTier
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnStatus is called on every status change; see Supervisor.
	OnStatus func(Status)
	// DecodeQueue is the decoder's packet queue length. It defaults to 30 (two seconds
	// of 15 fps): an H.264 decoder that falls behind skips non-reference frames to catch
	// up rather than lose the queue to the next key frame. JPEG gains no latency from the
	// depth: the decoder always jumps to the newest queued JPEG.
	DecodeQueue int
	// Fallback is the camera's fallback source (snapshot polling), run when the shown
	// stream keeps failing; FallbackAfter and PrimaryRetry tune it. See Supervisor.
	Fallback      Source
	FallbackAfter int
	PrimaryRetry  time.Duration
}

// Variant is one of a camera's streams — main, sub… — with its picture size when known.
type Variant struct {
	Source Source
	// Width and Height are the stream's picture size, 0 when unknown (then it counts as
	// the largest: a main stream's size is often not written down).
	Width, Height int
}

// Stream is one camera as the rest of the program sees it. It has one or more variants
// (a camera's main and sub streams); each runs its own Supervisor, Hub and Decoder, and
// only while somebody needs it. A viewer (Watch) gets the smallest variant at least as
// large as its box, or the largest when it asks for that (a maximised tile), and moves
// to another variant when its box changes — keeping the old variant's pictures until the
// new one's first frame, so the screen never goes black. A packet consumer (Subscribe, a
// recorder) gets the largest variant. Stop on a tile ends viewing only: a variant stays
// connected while a recorder holds it.
type Stream struct {
	name string
	opts StreamOptions
	vars []*variant // by picture area, smallest first; unknown sizes last

	mu     sync.Mutex
	closed bool
	// running counts supervisor goroutines and background detaches, including ones
	// winding down after their last user left, so Close can wait for all of them.
	running sync.WaitGroup
}

// variant is one stream of a camera and what runs for it. Fields after st are guarded
// by the Stream's mu.
type variant struct {
	Variant
	s   *Stream
	hub *Hub
	st  *Stats

	users   int // FrameSubs + packet subscriptions
	sup     *Supervisor
	cancel  context.CancelFunc
	dec     *Decoder
	decStop context.CancelFunc
	decDone chan struct{}
	last    Status
}

// NewStream prepares a camera with a single stream. Nothing runs until Watch or
// Subscribe.
func NewStream(name string, src Source, opts StreamOptions) *Stream {
	return NewMultiStream(name, []Variant{{Source: src}}, opts)
}

// NewMultiStream prepares a camera with several streams (at least one).
func NewMultiStream(name string, variants []Variant, opts StreamOptions) *Stream {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.DecodeQueue = OrDefault(opts.DecodeQueue, 30)
	s := &Stream{name: name, opts: opts}
	for _, v := range variants {
		s.vars = append(s.vars, &variant{Variant: v, s: s, hub: &Hub{}, st: &Stats{}})
	}
	// Smallest first; unknown sizes count as the largest, in the order given.
	for i := 1; i < len(s.vars); i++ {
		for j := i; j > 0 && s.vars[j].area() < s.vars[j-1].area(); j-- {
			s.vars[j], s.vars[j-1] = s.vars[j-1], s.vars[j]
		}
	}
	return s
}

func (v *variant) area() int {
	if v.Width <= 0 || v.Height <= 0 {
		return int(^uint(0) >> 1)
	}
	return v.Width * v.Height
}

// Name is the camera's name.
func (s *Stream) Name() string { return s.name }

// Source is the Source of the camera's first stream, for what it can do besides Run
// (capture.PTZSource, once it has connected).
func (s *Stream) Source() Source { return s.vars[0].Source }

// Variants is how many streams the camera has.
func (s *Stream) Variants() int { return len(s.vars) }

// pick chooses the variant for a viewer's w×h box: the smallest whose size is known and
// at least the box, else the largest. A zero box, or largest, asks for the largest.
func (s *Stream) pick(w, h int, largest bool) *variant {
	if !largest && w > 0 && h > 0 {
		for _, v := range s.vars {
			if v.Width >= w && v.Height >= h {
				return v
			}
		}
	}
	return s.vars[len(s.vars)-1]
}

// Watch attaches a viewer that wants frames fitting a w×h box (0×0: full size), starting
// the chosen variant's source and decoder if they are not running. Close the FrameSub
// to detach.
func (s *Stream) Watch(w, h int) *FrameSub {
	v := s.pick(w, h, false)
	f := &FrameSub{stream: s, ready: make(chan struct{}, 1), w: w, h: h, cur: v}
	s.mu.Lock()
	s.watchLocked(v, f)
	s.mu.Unlock()
	s.hint(v)
	return f
}

// watchLocked attaches f to v's decoder, starting it (and v's source) if needed.
func (s *Stream) watchLocked(v *variant, f *FrameSub) {
	if v.dec == nil {
		v.dec = newDecoder(s.opts.Decoders, v, v.st, s.opts.Logger.With("component", "decoder", "camera", s.name))
		ctx, cancel := context.WithCancel(context.Background())
		v.decStop, v.decDone = cancel, make(chan struct{})
		sub := v.hub.Subscribe("decoder", s.opts.DecodeQueue)
		go func(dec *Decoder, done chan struct{}) {
			defer close(done)
			defer sub.Close()
			dec.run(ctx, sub.C())
		}(v.dec, v.decDone)
	}
	v.dec.attach(f)
	s.retainLocked(v)
}

// hint tells a variant's Source that can transcode the largest box its viewers want. It
// must be called with no lock held: the box reads each viewer's size under its lock.
func (s *Stream) hint(v *variant) {
	h, ok := v.Source.(SizeHinter)
	if !ok {
		return
	}
	s.mu.Lock()
	dec := v.dec
	s.mu.Unlock()
	if dec == nil {
		return
	}
	if bw, bh, _ := dec.box(nil); bw > 0 && bh > 0 {
		h.HintSize(bw, bh)
	}
}

// unwatch detaches f from v, stopping v's decoder when it was the last viewer and v's
// source when nobody else needs it. It waits for the decoder goroutine to end.
func (s *Stream) unwatch(v *variant, f *FrameSub) {
	s.mu.Lock()
	if v.dec == nil || !v.dec.detach(f) {
		s.mu.Unlock()
		return
	}
	var stop context.CancelFunc
	var done chan struct{}
	if v.dec.viewers() == 0 {
		stop, done = v.decStop, v.decDone
		v.dec, v.decStop, v.decDone = nil, nil, nil
	}
	s.releaseLocked(v)
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// unwatchLater is unwatch on a goroutine of its own (Close waits for it): a decoder that
// promotes a viewer to its variant must not wait for the old variant's decoder.
func (s *Stream) unwatchLater(v *variant, f *FrameSub) {
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		s.unwatch(v, f)
	}()
}

// Subscribe attaches a packet consumer (a recorder, analytics) to the largest variant
// with a queue of capacity packets, starting it if needed. Call the returned func to
// detach.
func (s *Stream) Subscribe(name string, capacity int) (*Subscription, func()) {
	v := s.vars[len(s.vars)-1]
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := v.hub.Subscribe(name, capacity)
	s.retainLocked(v)
	var once sync.Once
	return sub, func() {
		once.Do(func() {
			sub.Close()
			s.mu.Lock()
			s.releaseLocked(v)
			s.mu.Unlock()
		})
	}
}

// Hold keeps the camera connected without decoding or queueing anything, so its Status
// and Stats stay true while nobody watches it (a wall's hidden cameras). It holds a
// variant that already runs (no second connection), else the smallest (the cheapest to
// read). Its packets go to the variant's Hub, which drops them when nobody subscribed.
// Call the returned func to let go; a variant stops when its last user lets go.
func (s *Stream) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vars[0]
	for _, c := range s.vars {
		if c.sup != nil {
			v = c
			if c.dec != nil {
				break // the one a viewer decodes: what the camera shows
			}
		}
	}
	s.retainLocked(v)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.releaseLocked(v)
			s.mu.Unlock()
		})
	}
}

func (s *Stream) retainLocked(v *variant) {
	v.users++
	if v.sup != nil || s.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	v.sup = &Supervisor{
		Name: s.name, Source: v.Source, Hub: v.hub, Stats: v.st,
		FrameInterval: s.opts.FrameInterval, StallAfter: s.opts.StallAfter,
		DropAfter: s.opts.DropAfter, Backoff: s.opts.Backoff, Logger: s.opts.Logger,
		OnStatus: s.opts.OnStatus, Fallback: s.opts.Fallback,
		FallbackAfter: s.opts.FallbackAfter, PrimaryRetry: s.opts.PrimaryRetry,
	}
	s.running.Add(1)
	go func(sup *Supervisor) {
		defer s.running.Done()
		sup.Run(ctx)
	}(v.sup)
}

// releaseLocked stops v's supervisor when nobody needs it. It does not wait for the
// source to finish (that happens in the background; Close waits).
func (s *Stream) releaseLocked(v *variant) {
	v.users--
	if v.users > 0 || v.sup == nil {
		return
	}
	v.last = v.sup.Status()
	v.cancel()
	v.sup, v.cancel = nil, nil
}

// shown picks the variant whose status and stats stand for the camera: a running one
// that viewers watch (the largest, while a viewer moves between two), else any running
// one, else the one that ran last.
func (s *Stream) shown() (*variant, *Supervisor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *variant
	for _, v := range s.vars { // smallest first: a later candidate is larger
		if v.sup != nil && (best == nil || v.dec != nil || best.dec == nil) {
			best = v
		}
	}
	if best != nil {
		return best, best.sup
	}
	last := s.vars[len(s.vars)-1]
	for _, v := range s.vars {
		if v.last.Since.After(last.last.Since) {
			last = v
		}
	}
	return last, nil
}

// Status is the camera's current status (StateStopped when nobody needs it).
func (s *Stream) Status() Status {
	v, sup := s.shown()
	if sup == nil {
		s.mu.Lock()
		last := v.last
		s.mu.Unlock()
		last.State = StateStopped
		return last
	}
	return sup.Status()
}

// SubscribedStatus is the status of the variant packet consumers (Subscribe: a recorder)
// receive — the largest — which may differ from the one a tile shows.
func (s *Stream) SubscribedStatus() Status {
	v := s.vars[len(s.vars)-1]
	s.mu.Lock()
	sup, last := v.sup, v.last
	s.mu.Unlock()
	if sup == nil {
		last.State = StateStopped
		return last
	}
	return sup.Status()
}

// Stats returns the health of the variant shown, as of now, with its Hub's drop count.
func (s *Stream) Stats() StatsSnapshot {
	v, _ := s.shown()
	snap := v.st.Snapshot(time.Now())
	snap.Drops = v.hub.Drops()
	return snap
}

// RetryNow cuts the wait before the next connection attempt of every running variant
// (the offline card's "Retry now"); see Supervisor.RetryNow. It is safe at any time and
// reports whether any wait was cut.
func (s *Stream) RetryNow() bool {
	s.mu.Lock()
	var sups []*Supervisor
	for _, v := range s.vars {
		if v.sup != nil {
			sups = append(sups, v.sup)
		}
	}
	s.mu.Unlock()
	cut := false
	for _, sup := range sups {
		cut = sup.RetryNow() || cut
	}
	return cut
}

// LatestKey returns the newest self-contained packet of the largest running variant that
// has one (a JPEG, or an H.264/H.265 key unit): the camera's own full picture for a
// snapshot. ok is false when no running variant has delivered one.
func (s *Stream) LatestKey() (p Packet, ok bool) {
	s.mu.Lock()
	var hubs []*Hub
	for i := len(s.vars) - 1; i >= 0; i-- { // largest first
		if v := s.vars[i]; v.sup != nil {
			hubs = append(hubs, v.hub)
		}
	}
	s.mu.Unlock()
	for _, h := range hubs {
		if p, ok = h.LatestKey(); ok {
			return p, true
		}
	}
	return Packet{}, false
}

// DecodeFull decodes a self-contained packet (LatestKey's) at its full size with a
// decoder of its own, so it costs the running viewers nothing.
func (s *Stream) DecodeFull(p Packet) (*image.RGBA, error) {
	if s.opts.Decoders == nil {
		return nil, fmt.Errorf("%s: no decoder for a full-size picture", s.name)
	}
	dec, err := s.opts.Decoders(p.Codec)
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	img, err := dec.Decode(p, 0, 0, nil)
	if err == nil && img == nil {
		if d, ok := dec.(Drainer); ok {
			img, err = d.Drain(0, 0, nil)
		}
	}
	if err == nil && img == nil {
		err = fmt.Errorf("%s: the decoder gave no picture for the key frame", s.name)
	}
	return img, err
}

// Close stops everything and waits for every goroutine of the stream to exit. Viewers
// and subscribers must not be used afterwards.
func (s *Stream) Close() {
	s.mu.Lock()
	s.closed = true
	type stop struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	var decs []stop
	var sups []context.CancelFunc
	for _, v := range s.vars {
		if v.decStop != nil {
			decs = append(decs, stop{v.decStop, v.decDone})
		}
		if v.cancel != nil {
			sups = append(sups, v.cancel)
		}
		v.sup, v.cancel, v.dec, v.decStop, v.decDone = nil, nil, nil, nil, nil
	}
	s.mu.Unlock()
	for _, d := range decs {
		d.cancel()
		<-d.done
	}
	for _, c := range sups {
		c()
	}
	s.running.Wait()
	for _, v := range s.vars {
		v.hub.Close()
	}
}
