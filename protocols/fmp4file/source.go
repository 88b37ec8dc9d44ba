// Package fmp4file plays Vigil's own recordings: the fragmented MP4 files the recorder
// writes for a camera (<root>/<camera>/<date>/<camera>_<time>.mp4), one after the other,
// as a capture.Source paced at the playback speed. It implements capture.Seeker (seek to
// a wall time, speed, playing) and capture.Stepper (pause, resume, frame step); a seek
// lands on the key frame at or before the time and feeds the decoder forward to it.
package fmp4file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Speeds a Source plays at: 1/4× to 16× (others are clamped).
const (
	MinSpeed = 0.25
	MaxSpeed = 16
)

// keyOnlySpeed is the speed from which H.264/H.265 play key frames only, as VMS clients
// do: every picture at 8× or 16× is more than a decoder on a small machine keeps up with.
const keyOnlySpeed = 8

// catchUpGap spaces the packets fed to reach a sought picture: the decoder sees an empty
// queue, so it does not skip the non-reference picture that may be the one sought.
const catchUpGap = 3 * time.Millisecond

// extraLookahead is how many units more than the reorder depth follow the sought picture
// (not shown): a decoder may hold back more than the SPS declares (libavcodec infers
// more from a b-pyramid), and pictures of before a seek may still come out first.
const extraLookahead = 4

// settleGap spaces the sought picture and the units fed after it to have it leave a
// reordering decoder: a decoder behind skips non-reference pictures (capture.LagSkipper),
// and a skipped one would leave the sought picture held back.
const settleGap = 15 * time.Millisecond

// gapAfter is the silence between two files (or fragments) played as a gap: skipped at
// once instead of waited for.
const gapAfter = 2 * time.Second

// Source plays the recordings of one camera folder (or one file).
type Source struct {
	// Dir is the camera's recordings folder (<root>/<camera>), or one recording.
	Dir string
	// From is where playing starts (zero: the first recording).
	From time.Time
	// Log defaults to slog.Default().
	Log *slog.Logger

	wake chan struct{}

	mu      sync.Mutex
	speed   float64
	seek    time.Time // a pending seek, zero when none
	paused  bool
	steps   int
	playing bool
	atEnd   bool      // the newest recorded picture was sent: waiting for the recording to go on
	pos     time.Time // the last picture sent: where a new Run resumes
}

// New makes a Source for dir, playing from from at speed.
func New(dir string, from time.Time, speed float64) *Source {
	s := &Source{Dir: dir, From: from}
	s.SetSpeed(speed)
	return s
}

var (
	_ capture.Source      = (*Source)(nil)
	_ capture.Seeker      = (*Source)(nil)
	_ capture.Stepper     = (*Source)(nil)
	_ capture.EndReporter = (*Source)(nil)
)

func (s *Source) init() {
	s.mu.Lock()
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
	}
	if s.speed == 0 {
		s.speed = 1
	}
	s.mu.Unlock()
}

// change applies a change of the controls and wakes the playing loop.
func (s *Source) change(f func()) {
	s.mu.Lock()
	f()
	s.mu.Unlock()
	s.poke()
}

func (s *Source) poke() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Seek moves to the picture shown at t (the key frame at or before it, decoded forward
// to it); a time in a gap between recordings goes to the next recording. Zero is
// ignored (there is no live picture in a file).
func (s *Source) Seek(t time.Time) {
	if t.IsZero() {
		return
	}
	s.change(func() { s.seek, s.steps = t, 0 })
}

// SetSpeed sets the speed, clamped to 1/4×…16×.
func (s *Source) SetSpeed(speed float64) {
	s.change(func() { s.speed = min(max(speed, MinSpeed), MaxSpeed) })
}

// Speed returns the speed set.
func (s *Source) Speed() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.speed
}

// Playing reports whether pictures are being sent at the speed (not paused, not at the
// end of the recordings).
func (s *Source) Playing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playing && !s.paused
}

// AtEnd reports that the newest recorded picture was sent and nothing newer is recorded
// yet (capture.EndReporter): it clears when the recording goes on or a seek moves back.
func (s *Source) AtEnd() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.atEnd
}

// Pause holds the picture shown.
func (s *Source) Pause() {
	s.change(func() { s.paused = true })
}

// Resume plays on from the picture shown.
func (s *Source) Resume() {
	s.change(func() { s.paused, s.steps = false, 0 })
}

// Paused reports whether the Source holds a picture.
func (s *Source) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// Step, while paused, shows the next picture in display order (decoded afresh from its
// key frame, as a seek to it).
func (s *Source) Step() {
	s.change(func() {
		if s.paused {
			s.steps++
		}
	})
}

func (s *Source) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Run plays until ctx ends. It returns an error wrapping capture.ErrNotFound when the
// folder has no recordings, or the error of the only file when none could be read.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	s.init()
	files, err := listFiles(s.Dir)
	if err != nil {
		return err
	}
	p := &player{src: s, sink: sink, files: files, origin: files[0].start, log: s.log().With("component", "fmp4file")}
	p.ka, _ = sink.(capture.KeepAlive)
	defer p.close()
	s.mu.Lock()
	from := s.pos
	if from.IsZero() {
		from = s.From
	}
	if s.seek.IsZero() {
		s.seek = from
	}
	if s.seek.IsZero() {
		s.seek = files[0].start
	}
	s.mu.Unlock()
	if err := p.seekTo(s.takeSeek()); err != nil {
		return err
	}
	sink.Connected(capture.StreamInfo{Protocol: "file", Transport: "file", Codec: p.rec.ix.track.codec})
	err = p.run(ctx)
	s.mu.Lock()
	s.playing, s.atEnd = false, false
	s.mu.Unlock()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// takeSeek returns and clears the pending seek.
func (s *Source) takeSeek() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.seek
	s.seek = time.Time{}
	return t
}

// openRec is one recording opened for reading.
type openRec struct {
	rf    recFile
	f     *os.File
	ix    *index
	base  int64 // decode time of the first sample: the name's time
	end   time.Time
	depth int // pictures held back by a decoder (B-frames)
}

func (o *openRec) wall(ticks int64) time.Time {
	return o.rf.start.Add(o.ix.track.duration(ticks - o.base))
}

// openRecording opens a file and reads its first and last fragments (start, end,
// reorder depth).
func openRecording(rf recFile) (*openRec, error) {
	f, err := os.Open(rf.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", capture.ErrNotFound, err)
	}
	o := &openRec{rf: rf, f: f}
	err = func() error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if o.ix, err = readIndex(f, fi.Size()); err != nil {
			return err
		}
		if len(o.ix.frags) == 0 {
			return fmt.Errorf("%w: no complete fragment", errMalformed)
		}
		first, err := readFragment(f, o.ix, 0)
		if err != nil {
			return err
		}
		if len(first) == 0 {
			return fmt.Errorf("%w: an empty fragment", errMalformed)
		}
		o.base = first[0].dts
		o.depth = max(o.ix.track.reorder, reorderDepth(first))
		last := first
		if n := len(o.ix.frags); n > 1 {
			if last, err = readFragment(f, o.ix, n-1); err != nil {
				return err
			}
		}
		if len(last) == 0 {
			return fmt.Errorf("%w: an empty fragment", errMalformed)
		}
		frame := int64(0)
		if n := len(last); n > 1 {
			frame = (last[n-1].dts - last[0].dts) / int64(n-1)
		}
		o.end = o.wall(last[len(last)-1].dts + frame)
		return nil
	}()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", rf.path, err)
	}
	return o, nil
}

// player is one Run's state: where it reads and what it fed the decoder.
type player struct {
	src    *Source
	sink   capture.Sink
	ka     capture.KeepAlive
	log    *slog.Logger
	files  []recFile
	origin time.Time // the media clock's zero: the first recording's start

	fi      int
	rec     *openRec
	frag    int
	samples []sample
	si      int

	disc bool // the next packet starts a new run of the clock
	// Holding at a sought picture: target is the time of the picture to show (zero when
	// none); fed counts the units fed since the key frame, fedLE those shown by then.
	target     time.Time
	fed, fedLE int
	held       time.Time   // the picture shown last (a step goes to the one after)
	recent     []time.Time // the times of the last units sent while playing
	// Pacing: the unit of wall time anchorWall is due at anchorReal.
	anchorReal time.Time
	anchorWall time.Time
	keyOnly    bool
	needKey    bool
	lastWall   time.Time
	lastSpeed  float64
}

func (p *player) close() {
	if p.rec != nil {
		p.rec.f.Close()
		p.rec = nil
	}
}

// open makes file i current, skipping files that cannot be read (logged); it fails
// only when no file from i on can be.
func (p *player) open(i int) error {
	var firstErr error
	for ; i < len(p.files); i++ {
		if p.rec != nil && p.fi == i {
			return nil
		}
		o, err := openRecording(p.files[i])
		if err != nil {
			p.log.Warn("recording skipped", "err", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		p.close()
		p.rec, p.fi, p.frag, p.samples, p.si = o, i, -1, nil, 0
		return nil
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("%w: no recording to play", capture.ErrNotFound)
	}
	return firstErr
}

// load makes fragment k of the current file current.
func (p *player) load(k int) error {
	if k == p.frag {
		return nil
	}
	smp, err := readFragment(p.rec.f, p.rec.ix, k)
	if err != nil {
		return fmt.Errorf("%s: %w", p.rec.rf.path, err)
	}
	p.frag, p.samples, p.si = k, smp, 0
	p.rec.depth = max(p.rec.depth, reorderDepth(smp))
	return nil
}

// peek returns the next sample, moving to the next fragment or file; ok is false at the
// end of the recordings.
func (p *player) peek() (sample, bool, error) {
	for p.si >= len(p.samples) {
		if p.frag+1 < len(p.rec.ix.frags) {
			if err := p.load(p.frag + 1); err != nil {
				return sample{}, false, err
			}
			continue
		}
		if p.fi+1 >= len(p.files) {
			return sample{}, false, nil
		}
		if err := p.open(p.fi + 1); err != nil {
			if errors.Is(err, capture.ErrNotFound) {
				return sample{}, false, nil
			}
			return sample{}, false, err
		}
		if err := p.load(0); err != nil {
			return sample{}, false, err
		}
	}
	return p.samples[p.si], true, nil
}

// seekTo places the reader at the key frame at or before the picture shown at t and
// sets it as the target to decode forward to.
func (p *player) seekTo(t time.Time) error {
	i := sort.Search(len(p.files), func(i int) bool { return p.files[i].start.After(t) }) - 1
	if i < 0 {
		i, t = 0, p.files[0].start
	}
	if err := p.open(i); err != nil {
		return err
	}
	if !t.Before(p.rec.end) && p.fi+1 < len(p.files) {
		if err := p.open(p.fi + 1); err == nil {
			t = p.rec.rf.start // in a gap: the next recording
		}
	}
	if t.Before(p.rec.rf.start) {
		t = p.rec.rf.start
	}
	// The last fragment starting at or before t (fragments start in time order).
	frags := p.rec.ix.frags
	var ferr error
	k := sort.Search(len(frags), func(k int) bool {
		if ferr != nil {
			return true
		}
		if err := p.load(k); err != nil {
			ferr = err
			return true
		}
		return len(p.samples) > 0 && p.rec.wall(p.samples[0].dts).After(t)
	}) - 1
	if ferr != nil {
		return ferr
	}
	k = max(k, 0)
	// The picture shown at t (B-frames reorder across a fragment's edge: the fragments
	// around are looked at too), and the last key frame decoded before it, going back
	// through earlier fragments when this one has none.
	target, tk, ti := time.Time{}, -1, -1
	for kf := max(k-1, 0); kf <= min(k+1, len(frags)-1); kf++ {
		if err := p.load(kf); err != nil {
			return err
		}
		for i, s := range p.samples {
			if w := p.rec.wall(s.pts); !w.After(t) && (ti < 0 || w.After(target)) {
				target, tk, ti = w, kf, i
			}
		}
	}
	if ti < 0 { // t is before the first picture
		if err := p.load(k); err != nil {
			return err
		}
		tk, ti, target = k, 0, p.rec.wall(p.samples[0].pts)
	}
	for kf := tk; kf >= 0; kf-- {
		if err := p.load(kf); err != nil {
			return err
		}
		from := len(p.samples) - 1
		if kf == tk {
			from = ti
		}
		for i := from; i >= 0; i-- {
			if p.samples[i].key {
				p.si = i
				p.target, p.fed, p.fedLE = target, 0, 0
				p.disc, p.needKey, p.recent = true, false, p.recent[:0]
				return nil
			}
		}
	}
	return fmt.Errorf("%s: %w: no key frame before %s", p.rec.rf.path, errMalformed, t.Format(time.TimeOnly))
}

// stepFrom seeks to the picture after the one held (in display order): next is the time
// of the next unit to send, the fallback when nothing was held. Decoding from the key
// frame again costs at most a GOP, and needs nothing of what the decoder holds back.
func (p *player) stepFrom(next time.Time) error {
	if p.held.IsZero() {
		return p.seekTo(next)
	}
	after := time.Time{}
	for kf := max(p.frag-1, 0); kf <= min(p.frag+2, len(p.rec.ix.frags)-1); kf++ {
		smp, err := readFragment(p.rec.f, p.rec.ix, kf)
		if err != nil {
			return err
		}
		for _, s := range smp {
			if w := p.rec.wall(s.pts); w.After(p.held) && (after.IsZero() || w.Before(after)) {
				after = w
			}
		}
	}
	if after.IsZero() { // the last picture of the file: the next file's first
		if p.fi+1 >= len(p.files) {
			return nil
		}
		after = p.files[p.fi+1].start
	}
	return p.seekTo(after)
}

// liveEdgePoll is how often the end of the recordings is looked at again: the last file
// may be the one being recorded, and a new file may start.
const liveEdgePoll = time.Second

// grow takes in what was recorded since: the current file's new fragments, and files
// that appeared after it.
func (p *player) grow() {
	if fi, err := p.rec.f.Stat(); err == nil {
		if ix, err := readIndex(p.rec.f, fi.Size()); err == nil && len(ix.frags) > len(p.rec.ix.frags) {
			p.rec.ix = ix
		}
	}
	if files, err := listFiles(p.src.Dir); err == nil && len(files) > len(p.files) &&
		files[len(p.files)-1].path == p.files[len(p.files)-1].path {
		p.files = files
	}
}

// state is a snapshot of the Source's controls.
type state struct {
	speed  float64
	paused bool
	step   bool
	seek   time.Time
}

func (p *player) state() state {
	s := p.src
	s.mu.Lock()
	defer s.mu.Unlock()
	st := state{speed: s.speed, paused: s.paused, step: s.steps > 0, seek: s.seek}
	s.seek = time.Time{}
	return st
}

// setPlaying says whether units go out at the speed, and whether the end of the
// recordings was reached.
func (p *player) setPlaying(on, atEnd bool) {
	p.src.mu.Lock()
	p.src.playing, p.src.atEnd = on, atEnd
	p.src.mu.Unlock()
}

// run is the playing loop.
func (p *player) run(ctx context.Context) error {
	wasPaused := true
	for {
		st := p.state()
		if !st.seek.IsZero() {
			if err := p.seekTo(st.seek); err != nil {
				return err
			}
		}
		s, ok, err := p.peek()
		if err != nil {
			return err
		}
		if !ok { // the end: wait for a seek, or for the recording to go on
			p.setPlaying(false, true)
			if !p.wait(ctx, time.Now().Add(liveEdgePoll)) {
				return nil
			}
			p.grow()
			continue
		}
		p.setPlaying(!st.paused, false)
		wallPTS, wallDTS := p.rec.wall(s.pts), p.rec.wall(s.dts)
		inter := p.rec.ix.track.codec != capture.CodecJPEG
		if !p.target.IsZero() {
			// Playing, the units after it follow at the speed; paused, a few more go now,
			// not shown, so the decoder lets the sought picture out. A JPEG decoder holds
			// nothing back, and one behind would skip to the newest unit, which would be
			// one not to show.
			lookahead := 0
			if inter {
				lookahead = p.rec.depth + extraLookahead
			}
			if !wallPTS.After(p.target) || (st.paused && p.fed < p.fedLE+lookahead) {
				gap := catchUpGap
				if !wallPTS.Before(p.target) {
					gap = settleGap // each must be decoded, not skipped as behind
				}
				if !capture.Sleep(ctx, gap, nil) {
					return nil
				}
				p.emit(s, wallPTS, wallDTS, wallPTS.Equal(p.target) || (!st.paused && wallPTS.After(p.target)))
				p.fed++
				if !wallPTS.After(p.target) {
					p.fedLE++
				}
				continue
			}
			p.held, p.target = p.target, time.Time{}
			wasPaused = true // pace from here
		}
		if st.paused {
			wasPaused = true
			if !st.step {
				if !p.wait(ctx, time.Time{}) {
					return nil
				}
				continue
			}
			p.src.mu.Lock()
			p.src.steps--
			p.src.mu.Unlock()
			if err := p.stepFrom(wallPTS); err != nil {
				return err
			}
			continue
		}
		keyOnly := inter && st.speed >= keyOnlySpeed
		if p.keyOnly && !keyOnly {
			p.needKey = true // the pictures in between were not decoded
		}
		p.keyOnly = keyOnly
		if (keyOnly || p.needKey) && !s.key {
			p.si++
			continue
		}
		p.needKey = false
		if wasPaused || st.speed != p.lastSpeed || wallDTS.Sub(p.lastWall) > gapAfter || wallDTS.Before(p.lastWall) {
			p.anchorReal, p.anchorWall, p.lastSpeed, wasPaused = time.Now(), wallDTS, st.speed, false
		}
		due := p.anchorReal.Add(time.Duration(float64(wallDTS.Sub(p.anchorWall)) / st.speed))
		if time.Until(due) > 0 {
			if !p.wait(ctx, due) {
				return nil
			}
			if p.changed(st) {
				continue
			}
		}
		p.emit(s, wallPTS, wallDTS, true)
	}
}

// changed reports whether the controls differ from st (a wait was cut short by one).
func (p *player) changed(st state) bool {
	s := p.src
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.seek.IsZero() || s.paused != st.paused || s.speed != st.speed
}

// emit sends sample s and moves past it. A unit fed only to reach a sought picture
// (shown false) carries no SourceTime: its picture is decoded, not meant to be shown.
func (p *player) emit(s sample, wallPTS, wallDTS time.Time, shown bool) {
	tr := p.rec.ix.track
	pk := capture.Packet{
		Codec: tr.codec, Data: s.data, Key: s.key, Width: tr.width, Height: tr.height,
		ReceiveTime: time.Now(), PTS: wallPTS.Sub(p.origin), DTS: wallDTS.Sub(p.origin), HasPTS: true,
		Discontinuity: p.disc, Seeking: !p.target.IsZero(),
	}
	if shown {
		pk.SourceTime = wallPTS
	}
	p.disc = false
	if p.target.IsZero() { // playing: the picture shown is the newest a decoder let out
		p.recent = append(p.recent, wallPTS)
		if len(p.recent) > maxReorder+extraLookahead {
			p.recent = p.recent[1:]
		}
		sorted := slices.SortedFunc(slices.Values(p.recent), time.Time.Compare)
		p.held = sorted[max(0, len(sorted)-1-p.rec.depth)]
	}
	p.si++
	p.lastWall = wallDTS
	p.src.mu.Lock()
	p.src.pos = wallPTS
	p.src.mu.Unlock()
	p.sink.Packet(pk)
}

// wait waits until due (zero: until a control changes) or a control changes, telling the
// watchdog the source is well every second; false when ctx ended.
func (p *player) wait(ctx context.Context, due time.Time) bool {
	alive := time.NewTicker(time.Second)
	defer alive.Stop()
	var timer <-chan time.Time
	if !due.IsZero() {
		t := time.NewTimer(time.Until(due))
		defer t.Stop()
		timer = t.C
	}
	if p.ka != nil {
		p.ka.Alive()
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-p.src.wake:
			return true
		case <-timer:
			return true
		case <-alive.C:
			if p.ka != nil {
				p.ka.Alive()
			}
		}
	}
}
