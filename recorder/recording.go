package recorder

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// reconnectGap: for a source without a Status, a Discontinuity after at least this long
// without packets counts as a new connection (a new segment starts); a shorter one as a
// hole from dropped packets (a new fragment in the same segment).
const reconnectGap = time.Second

// freeCheckEvery is how often a recording checks the free-space floor.
const freeCheckEvery = 5 * time.Second

// sourceClockTolerance: a source's timestamps are used for sample durations only while,
// mapped onto the receive clock at the segment's start, they stay this close to it.
const sourceClockTolerance = time.Second

// Status is what the GUI shows about one recording.
type Status struct {
	// Recording is true while packets are being written (or awaited).
	Recording bool
	// Since is when the recording started.
	Since time.Time
	// File is the segment being written, "" between segments.
	File string
	// Bytes is what this recording has written, over all its segments.
	Bytes int64
	// Segments counts the files this recording has created.
	Segments int
	// Drops counts packets lost before the file: the Hub's drops from this recording's
	// queue plus packets skipped while waiting for a key frame after a gap.
	Drops uint64
	// Err, when set, is why the recording stopped, with what to try. It wraps
	// ErrDiskFull, ErrNotWritable or the file system's error.
	Err error
}

// Recording is one camera being recorded into segments under a Root. Each runs its own
// goroutine; many run at once and a failure of one never stops another.
type Recording struct {
	root   *Root
	camera string
	safe   string
	src    PacketSource
	ss     statusSource // src's status, when it has one
	sub    *capture.Subscription
	unsub  func()
	pre    []capture.Packet

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	ownDrops atomic.Uint64

	mu sync.Mutex
	st Status

	// Owned by the run goroutine.
	seg         *segment
	segStartT   time.Time // clock origin of seg (ticks 0)
	useSrcClock bool
	srcOffset   time.Duration
	srcOffSet   bool
	lastRecv    time.Time
	needKey     bool
	offline     bool // the source went offline: the next packet starts a new segment
	lastFree    time.Time
	rate        rateEstimator
}

// Start records camera from src into this root: continuous segments of Options.Segment,
// each starting at a key frame. With a Prebuffer (nil for none), the buffered pre-roll is
// written first, so the recording begins before the trigger. The camera's name is made
// safe for file names (SafeName). Stop finalises the file.
func (r *Root) Start(camera string, src PacketSource, pre *Prebuffer) (*Recording, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, fmt.Errorf("starting a recording of %q: %w", camera, ErrClosed)
	}
	if _, ok := r.recs[camera]; ok {
		r.mu.Unlock()
		return nil, fmt.Errorf("starting a recording of %q: %w", camera, ErrAlreadyRecording)
	}
	rec := &Recording{root: r, camera: camera, safe: SafeName(camera), src: src,
		stop: make(chan struct{}), done: make(chan struct{})}
	if sub, ok := src.(subscribedStatusSource); ok {
		rec.ss = subscribedStatus{sub} // a multi-stream camera: the variant recorded
	} else {
		rec.ss, _ = src.(statusSource)
	}
	rec.st = Status{Recording: true, Since: r.opts.Now()}
	r.recs[camera] = rec
	r.mu.Unlock()

	if pre != nil {
		rec.pre, rec.sub, rec.unsub = pre.take()
	}
	if rec.sub == nil {
		rec.sub, rec.unsub = src.Subscribe("recorder", r.opts.hooks.queue)
	}
	go rec.run()
	return rec, nil
}

// Camera is the camera's name as given to Start.
func (rec *Recording) Camera() string { return rec.camera }

// Status is the recording's current status.
func (rec *Recording) Status() Status {
	rec.mu.Lock()
	st := rec.st
	rec.mu.Unlock()
	st.Drops = rec.sub.Drops() + rec.ownDrops.Load()
	return st
}

// Stop ends the recording: the last fragment is written, the file closed. It returns the
// error that stopped the recording earlier, if any. Safe to call more than once.
func (rec *Recording) Stop() error {
	rec.stopOnce.Do(func() { close(rec.stop) })
	<-rec.done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.st.Err
}

// Done is closed when the recording has ended, by Stop or by an error.
func (rec *Recording) Done() <-chan struct{} { return rec.done }

func (rec *Recording) setStatus(f func(*Status)) {
	rec.mu.Lock()
	f(&rec.st)
	rec.mu.Unlock()
}

func (rec *Recording) run() {
	r := rec.root
	defer close(rec.done)
	defer func() {
		rec.unsub()
		r.mu.Lock()
		if r.recs[rec.camera] == rec {
			delete(r.recs, rec.camera)
		}
		r.mu.Unlock()
	}()
	tick := time.NewTicker(r.opts.hooks.tick)
	defer tick.Stop()
	fail := func(err error) {
		err = explainWrite(rec.camera, err)
		r.log.Error("recording stopped", "camera", rec.camera, "err", err)
		if rec.seg != nil {
			rec.closeSegment(0, false)
		}
		rec.setStatus(func(st *Status) { st.Recording, st.Err, st.File = false, err, "" })
	}
	for _, p := range rec.pre {
		if err := rec.handle(p); err != nil {
			fail(err)
			return
		}
	}
	rec.pre = nil
	ch := rec.sub.C()
	for {
		select {
		case <-rec.stop:
			var err error
			if rec.seg != nil {
				err = rec.closeSegment(0, false)
			}
			rec.setStatus(func(st *Status) {
				st.Recording, st.File = false, ""
				if err != nil && st.Err == nil {
					st.Err = explainWrite(rec.camera, err)
				}
			})
			return
		case p, ok := <-ch:
			if !ok {
				if rec.seg != nil {
					if err := rec.closeSegment(0, false); err != nil {
						fail(err)
						return
					}
				}
				rec.setStatus(func(st *Status) { st.Recording, st.File = false, "" })
				return
			}
			if h := r.opts.hooks.beforePacket; h != nil {
				h(rec.camera)
			}
			if err := rec.handle(p); err != nil {
				fail(err)
				return
			}
		case <-tick.C:
			if err := rec.idle(); err != nil {
				fail(err)
				return
			}
		}
	}
}

// idle runs on the tick: a camera that went quiet or offline gets its samples written
// (and, offline, its segment closed), and the free-space floor is checked.
func (rec *Recording) idle() error {
	r := rec.root
	now := r.opts.Now()
	if rec.ss != nil && rec.seg != nil {
		switch rec.ss.Status().State {
		case capture.StateOffline, capture.StateConnecting, capture.StateStopped:
			rec.offline = true
			return rec.closeSegment(0, false)
		}
	}
	if rec.seg != nil && rec.seg.hasUnflushed() && now.Sub(rec.lastRecv) > time.Second {
		if err := rec.seg.flush(true, 0, false); err != nil {
			return err
		}
		rec.updateBytes()
	}
	if now.Sub(rec.lastFree) >= freeCheckEvery {
		rec.lastFree = now
		if err := r.checkFree(); err != nil {
			return err
		}
	}
	return nil
}

// packetTime is the time a packet stands for: the source's timestamp mapped onto the
// receive clock while it is plausible, else the receive time.
func (rec *Recording) packetTime(p capture.Packet) time.Time {
	rt := p.ReceiveTime
	if rt.IsZero() {
		rt = rec.root.opts.Now()
	}
	if rec.useSrcClock && !p.SourceTime.IsZero() {
		if !rec.srcOffSet {
			rec.srcOffset, rec.srcOffSet = rt.Sub(p.SourceTime), true
		}
		mapped := p.SourceTime.Add(rec.srcOffset)
		if d := mapped.Sub(rt); d < sourceClockTolerance && d > -sourceClockTolerance {
			return mapped
		}
		rec.useSrcClock = false
	}
	return rt
}

// ticksAt converts t into decode ticks of the open segment.
func (rec *Recording) ticksAt(t time.Time) uint64 {
	d := t.Sub(rec.segStartT)
	if d <= 0 {
		return 0
	}
	return uint64(d / time.Microsecond * timeScale / 1e6)
}

// handle writes one packet.
func (rec *Recording) handle(p capture.Packet) error {
	r := rec.root
	inter := p.Codec != capture.CodecJPEG
	recv := p.ReceiveTime
	if recv.IsZero() {
		recv = r.opts.Now()
	}
	prev := rec.lastRecv
	rec.lastRecv = recv
	if p.Discontinuity && rec.seg != nil {
		// A new connection starts a new segment; a hole left by dropped packets only a
		// new fragment. The source's status tells them apart (it went live again after
		// our previous packet); without one, a long silence means a reconnect.
		reconnect := rec.offline
		if rec.ss != nil {
			st := rec.ss.Status()
			reconnect = reconnect || st.State != capture.StateLive || st.Since.After(prev)
		} else {
			reconnect = reconnect || recv.Sub(prev) >= reconnectGap
		}
		if reconnect {
			if err := rec.closeSegment(0, false); err != nil {
				return err
			}
		} else if err := rec.seg.flush(true, 0, false); err != nil { // a hole: new fragment
			return err
		}
		if inter && !p.Key {
			rec.needKey = true
		}
	}
	rec.offline = false
	if p.Discontinuity {
		rec.rate.reset()
	}
	rec.rate.observe(rec.packetTime(p))
	if rec.needKey && inter && !p.Key {
		rec.ownDrops.Add(1)
		return nil
	}
	rec.needKey = false
	s, err := prepare(p)
	if err != nil {
		// A malformed unit from the camera: skip it, and for inter-frame codecs
		// everything up to the next key frame, which decodes without it.
		r.log.Warn("skipping a packet that cannot be recorded", "camera", rec.camera, "err", err)
		rec.ownDrops.Add(1)
		rec.needKey = inter
		return nil
	}
	if rec.seg != nil && s.key {
		changed := s.hasPS && !s.params.equal(rec.seg.params)
		full := rec.packetTime(p).Sub(rec.seg.start) >= r.opts.Segment
		if changed || full {
			t := rec.packetTime(p)
			if err := rec.closeSegment(rec.ticksAt(t), true); err != nil {
				return err
			}
		}
	}
	if rec.seg == nil {
		if !s.key || !s.hasPS {
			return nil // a segment starts at a key frame with its parameter sets
		}
		if err := rec.openSegment(p, s.params); err != nil {
			return err
		}
	}
	if err := rec.seg.add(s.payload, s.key, rec.ticksAt(rec.packetTime(p))); err != nil {
		return err
	}
	rec.updateBytes()
	return nil
}

// openSegment starts a new file at packet p.
func (rec *Recording) openSegment(p capture.Packet, params trackParams) error {
	r := rec.root
	if err := r.checkFree(); err != nil {
		return err
	}
	rec.lastFree = r.opts.Now()
	rec.useSrcClock, rec.srcOffSet = true, false
	start := rec.packetTime(p)
	rec.segStartT = start
	seg, err := openSegment(r.dir, rec.safe, start.In(r.opts.hooks.location), params, r.opts.hooks.noSync, rec.rate.period)
	if err != nil {
		return err
	}
	rec.seg = seg
	r.mu.Lock()
	r.open[seg.path] = true
	r.mu.Unlock()
	r.log.Info("recording segment started", "camera", rec.camera, "file", seg.path)
	rec.setStatus(func(st *Status) { st.File = seg.path; st.Segments++ })
	return nil
}

// closeSegment finalises the open segment; with hasNext, nextTicks is the time of the
// packet that follows, giving the last sample its duration.
func (rec *Recording) closeSegment(nextTicks uint64, hasNext bool) error {
	r := rec.root
	seg := rec.seg
	rec.seg = nil
	err := seg.close(nextTicks, hasNext)
	rec.setStatus(func(st *Status) { st.Bytes += seg.written - seg.reported; st.File = "" })
	seg.reported = seg.written
	r.mu.Lock()
	delete(r.open, seg.path)
	r.mu.Unlock()
	if h := r.opts.hooks.onSegmentClose; h != nil {
		h(seg.path, err)
	}
	if err != nil {
		return err
	}
	r.log.Info("recording segment closed", "camera", rec.camera, "file", seg.path, "bytes", seg.written)
	r.kickRetention()
	return nil
}

// updateBytes publishes the bytes written so far.
func (rec *Recording) updateBytes() {
	seg := rec.seg
	if seg == nil {
		return
	}
	rec.mu.Lock()
	// Bytes counts closed segments plus the open one's progress.
	rec.st.Bytes += seg.written - seg.reported
	seg.reported = seg.written
	rec.mu.Unlock()
}
