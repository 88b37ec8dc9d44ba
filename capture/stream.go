package capture

import (
	"context"
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
	// DecodeQueue is the decoder's packet queue length. It defaults to 2: for JPEG,
	// a deeper queue only adds latency.
	DecodeQueue int
}

// Stream is one camera stream as the rest of the program sees it: a Supervisor that runs
// only while somebody needs the stream (a tile watching, a recorder recording), a Hub,
// a Decoder that runs only while a tile watches, and the stream's Stats. Stop on a tile
// ends viewing only: the source stays connected while a recorder is attached.
type Stream struct {
	name string
	src  Source
	opts StreamOptions
	hub  *Hub
	st   *Stats

	mu      sync.Mutex
	users   int // FrameSubs + packet subscriptions
	sup     *Supervisor
	cancel  context.CancelFunc
	dec     *Decoder
	decStop context.CancelFunc
	decDone chan struct{}
	closed  bool
	last    Status
	// running counts supervisor goroutines, including ones still winding down after
	// their last user left, so Close can wait for all of them.
	running sync.WaitGroup
}

// NewStream prepares a stream of src. Nothing runs until Watch or Subscribe.
func NewStream(name string, src Source, opts StreamOptions) *Stream {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DecodeQueue <= 0 {
		opts.DecodeQueue = 2
	}
	return &Stream{name: name, src: src, opts: opts, hub: &Hub{}, st: &Stats{}}
}

// Name is the camera's name.
func (s *Stream) Name() string { return s.name }

// Watch attaches a viewer that wants frames fitting a w×h box (0×0: full size), starting
// the source and the decoder if they are not running. Close the FrameSub to detach.
func (s *Stream) Watch(w, h int) *FrameSub {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		s.dec = newDecoder(s.opts.Decoders, s.st, s.opts.Logger.With("component", "decoder", "camera", s.name), s.decoderIdle)
		ctx, cancel := context.WithCancel(context.Background())
		s.decStop, s.decDone = cancel, make(chan struct{})
		sub := s.hub.Subscribe("decoder", s.opts.DecodeQueue)
		go func(dec *Decoder, done chan struct{}) {
			defer close(done)
			defer sub.Close()
			dec.run(ctx, sub.C())
		}(s.dec, s.decDone)
	}
	f := s.dec.attach(w, h)
	s.retainLocked()
	return f
}

// decoderIdle stops the decoder when its last viewer left.
func (s *Stream) decoderIdle() {
	s.mu.Lock()
	var stop context.CancelFunc
	var done chan struct{}
	if s.dec != nil {
		s.dec.mu.Lock()
		idle := len(s.dec.subs) == 0
		s.dec.mu.Unlock()
		if idle {
			stop, done = s.decStop, s.decDone
			s.dec, s.decStop, s.decDone = nil, nil, nil
		}
	}
	s.releaseLocked()
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// Subscribe attaches a packet consumer (a recorder, analytics) with a queue of capacity
// packets, starting the source if needed. Call the returned func to detach.
func (s *Stream) Subscribe(name string, capacity int) (*Subscription, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.hub.Subscribe(name, capacity)
	s.retainLocked()
	var once sync.Once
	return sub, func() {
		once.Do(func() {
			sub.Close()
			s.mu.Lock()
			s.releaseLocked()
			s.mu.Unlock()
		})
	}
}

func (s *Stream) retainLocked() {
	s.users++
	if s.sup != nil || s.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.sup = &Supervisor{
		Name: s.name, Source: s.src, Hub: s.hub, Stats: s.st,
		FrameInterval: s.opts.FrameInterval, StallAfter: s.opts.StallAfter,
		DropAfter: s.opts.DropAfter, Backoff: s.opts.Backoff, Logger: s.opts.Logger,
		OnStatus: s.opts.OnStatus,
	}
	s.running.Add(1)
	go func(sup *Supervisor) {
		defer s.running.Done()
		sup.Run(ctx)
	}(s.sup)
}

// releaseLocked stops the supervisor when nobody needs the stream. It does not wait for
// the source to finish (that happens in the background; Close waits).
func (s *Stream) releaseLocked() {
	s.users--
	if s.users > 0 || s.sup == nil {
		return
	}
	s.last = s.sup.Status()
	s.cancel()
	s.sup, s.cancel = nil, nil
}

// Status is the source's current status (StateStopped when nobody needs it).
func (s *Stream) Status() Status {
	s.mu.Lock()
	sup := s.sup
	last := s.last
	s.mu.Unlock()
	if sup == nil {
		last.State = StateStopped
		return last
	}
	return sup.Status()
}

// Stats returns the stream's health as of now, with the Hub's drop count.
func (s *Stream) Stats() StatsSnapshot {
	snap := s.st.Snapshot(time.Now())
	snap.Drops = s.hub.Drops()
	return snap
}

// Close stops everything and waits for the source and decoder goroutines to exit.
// Viewers and subscribers must not be used afterwards.
func (s *Stream) Close() {
	s.mu.Lock()
	s.closed = true
	cancel := s.cancel
	decStop, decDone := s.decStop, s.decDone
	s.sup, s.cancel, s.dec, s.decStop, s.decDone = nil, nil, nil, nil, nil
	s.mu.Unlock()
	if decStop != nil {
		decStop()
		<-decDone
	}
	if cancel != nil {
		cancel()
	}
	s.running.Wait()
	s.hub.Close()
}
