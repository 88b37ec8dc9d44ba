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

// A JPEG of another size than the open file's starts a new file only once that size has
// lasted sizeHoldMin (and sizeHoldFrames frames) without a frame of the file's size in
// between; each such change doubles the hold for the next (up to sizeHoldMax), and a
// recording that has not changed size for sizeHoldReset starts again from sizeHoldMin. A
// camera alternating sizes thus makes a handful of files, not one per frame; the frames
// of the other size meanwhile are dropped and counted (Status.SizeDrops).
const (
	sizeHoldMin    = time.Second
	sizeHoldMax    = time.Minute
	sizeHoldReset  = 10 * time.Minute
	sizeHoldFrames = 3
)

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
	// Drops counts packets lost before the file: the Hub's drops, packets dropped from
	// the recording's own queue (bounded in bytes, behind a slow disk, or still queued
	// when an error stopped it), packets skipped while waiting for a key frame after a
	// gap, and SizeDrops.
	Drops uint64
	// SizeDrops counts JPEGs dropped because their size differed from the file's while
	// the camera kept changing sizes (see sizeHoldMin); they are part of Drops.
	SizeDrops uint64
	// Queued is how many bytes wait in memory to be written.
	Queued int
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

	stop      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once
	ownDrops  atomic.Uint64
	sizeDrops atomic.Uint64
	q         *packetQueue

	mu sync.Mutex
	st Status

	// Owned by the run goroutine.
	seg      *segment
	tl       timeline
	dj       dejitter
	lastRecv time.Time
	needKey  bool
	offline  bool // the source went offline: the next packet starts a new segment
	lastFree time.Time
	size     sizeGuard
}

// sizeGuard bounds how often a JPEG camera's changing picture size starts a new file.
type sizeGuard struct {
	cand       trackParams // the other size seen lately
	candSince  time.Time
	candFrames int
	hold       time.Duration
	lastChange time.Time
}

// allow is asked for a JPEG whose size differs from the open file's, received at t: true
// when the size has lasted long enough to start a new file with it.
func (g *sizeGuard) allow(p trackParams, t time.Time) bool {
	if g.hold == 0 || t.Sub(g.lastChange) > sizeHoldReset {
		g.hold = sizeHoldMin
	}
	if g.candFrames == 0 || !p.equal(g.cand) {
		g.cand, g.candSince, g.candFrames = p, t, 0
	}
	g.candFrames++
	if g.candFrames < sizeHoldFrames || t.Sub(g.candSince) < g.hold {
		return false
	}
	g.hold = min(2*g.hold, sizeHoldMax)
	g.lastChange, g.candFrames = t, 0
	return true
}

// same is told of a JPEG of the open file's size: the other size did not last.
func (g *sizeGuard) same() { g.candFrames = 0 }

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
		rec.sub, rec.unsub = src.Subscribe("recorder", hubQueue)
	}
	rec.q = newPacketQueue(r.opts.hooks.queueBytes, r.opts.hooks.queue, &rec.ownDrops)
	pumped := make(chan struct{})
	go rec.pump(pumped)
	go rec.run(pumped)
	return rec, nil
}

// Camera is the camera's name as given to Start.
func (rec *Recording) Camera() string { return rec.camera }

// Status is the recording's current status.
func (rec *Recording) Status() Status {
	rec.mu.Lock()
	st := rec.st
	rec.mu.Unlock()
	st.SizeDrops = rec.sizeDrops.Load()
	st.Drops = rec.sub.Drops() + rec.ownDrops.Load() + st.SizeDrops
	st.Queued = rec.q.queued()
	return st
}

// Stop ends the recording: what was received before it is written (the queue is bounded,
// so this takes a bounded time), the last fragment too, and the file closed. It returns
// the error that stopped the recording earlier, if any. Safe to call more than once.
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

// pump moves packets from the Hub into the recording's queue as they come, so that the
// Hub's queue (counted in packets) never holds what the byte-bounded queue would drop. On
// Stop it moves what the Hub still holds and closes the queue.
func (rec *Recording) pump(done chan struct{}) {
	defer close(done)
	ch := rec.sub.C()
	for {
		select {
		case <-rec.stop:
			for {
				select {
				case p, ok := <-ch:
					if ok {
						rec.q.push(p)
						continue
					}
				default:
				}
				rec.q.close()
				return
			}
		case p, ok := <-ch:
			if !ok {
				rec.q.close()
				return
			}
			rec.q.push(p)
		}
	}
}

func (rec *Recording) run(pumped chan struct{}) {
	r := rec.root
	defer close(rec.done)
	defer func() {
		rec.q.kill() // anything the pump still delivers is counted as dropped
		rec.unsub()  // ends the pump
		<-pumped
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
		rec.q.kill()
		if rec.seg != nil {
			rec.closeSegment(0, false)
		}
		rec.setStatus(func(st *Status) { st.Recording, st.Err, st.File = false, err, "" })
	}
	for i, p := range rec.pre {
		if err := rec.handle(p); err != nil {
			rec.ownDrops.Add(uint64(len(rec.pre) - i - 1))
			fail(err)
			return
		}
	}
	rec.pre = nil
	var batch []capture.Packet
	for {
		var closed bool
		batch, closed = rec.q.take(batch)
		for i, p := range batch {
			if h := r.opts.hooks.beforePacket; h != nil {
				h(rec.camera)
			}
			if err := rec.handle(p); err != nil {
				rec.ownDrops.Add(uint64(len(batch) - i - 1))
				clear(batch)
				fail(err)
				return
			}
		}
		clear(batch)
		if closed && len(batch) == 0 {
			// Stopped, or the source went away: everything received is written.
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
		}
		if len(batch) > 0 {
			continue // look again before waiting: more may have come meanwhile
		}
		select {
		case <-rec.q.ready:
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
		if err := r.checkFree(0); err != nil {
			return err
		}
	}
	return nil
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
		} else {
			if err := rec.seg.flush(true, 0, false); err != nil { // a hole: new fragment
				return err
			}
			rec.tl.gap()
		}
		if inter && !p.Key {
			rec.needKey = true
		}
	}
	rec.offline = false
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
	var at sampleTime
	if rec.seg != nil {
		changed := s.key && s.hasPS && !s.params.equal(rec.seg.params)
		if !inter {
			if !changed {
				rec.size.same()
			} else if !rec.size.allow(s.params, recv) {
				if rec.sizeDrops.Add(1) == 1 {
					r.log.Warn("the camera's pictures change size; frames of the other size are dropped until one size lasts",
						"camera", rec.camera, "file", fmt.Sprintf("%dx%d", rec.seg.params.width, rec.seg.params.height),
						"other", fmt.Sprintf("%dx%d", s.params.width, s.params.height))
				}
				return nil
			}
		}
		at = rec.tl.at(p, recv, rec.seg.nextMin)
		if s.key && (changed || fromTicks(at.x) >= r.opts.Segment) {
			if err := rec.closeSegment(at.x, true); err != nil {
				return err
			}
		}
	}
	if rec.seg == nil {
		if !s.key || !s.hasPS {
			return nil // a segment starts at a key frame with its parameter sets
		}
		if err := rec.openSegment(recv, s.params); err != nil {
			return err
		}
		at = rec.tl.at(p, recv, 0)
	}
	if err := rec.seg.add(s.payload, s.key, at); err != nil {
		return err
	}
	rec.updateBytes()
	return nil
}

// openSegment starts a new file whose first packet was received at recv.
func (rec *Recording) openSegment(recv time.Time, params trackParams) error {
	r := rec.root
	if err := r.checkFree(0); err != nil {
		return err
	}
	rec.lastFree = r.opts.Now()
	rec.tl.reset(recv)
	seg, err := openSegment(r.dir, rec.safe, recv.In(r.opts.hooks.location), params,
		segIO{noSync: r.opts.hooks.noSync, room: r.checkFree, writeAt: r.opts.hooks.writeAt}, &rec.dj)
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

// closeSegment finalises the open segment; with hasNext, nextX is the time (on the
// segment's timeline) of the packet that follows, giving the last sample its duration.
func (rec *Recording) closeSegment(nextX uint64, hasNext bool) error {
	r := rec.root
	seg := rec.seg
	rec.seg = nil
	err := seg.close(nextX, hasNext)
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
