package imageserver

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Stepping chooses how playback moves from one recorded frame to the next.
type Stepping int

const (
	// StepGoto asks for goto <Next> after each frame, as Milestone's own sample plays
	// back [C, MS-TVV]. It can skip frames when playing fast (MaxPlaybackFPS).
	StepGoto Stepping = iota
	// StepNext sends the next method [S: GO-UNID, PY-IS], one request per recorded frame.
	StepNext
)

// String names the request a Stepping sends ("goto", "next").
func (st Stepping) String() string {
	if st == StepNext {
		return "next"
	}
	return "goto"
}

// Defaults of the playback fields of Source.
const (
	DefaultMaxPlaybackFPS = 30
	DefaultGapJump        = 2 * time.Second
	DefaultEndPoll        = time.Second
	// behindLimit: when delivery falls this far behind the recorded pace (a slow
	// recorder), the pace restarts from the current frame instead of bursting to catch up.
	behindLimit = time.Second
)

// Position is the recorded time of the last frame delivered in playback, zero before
// the first (and for live video). A tile shows it ("playing 2026-11-21 14:03:07"), and a
// Source run again resumes after it.
func (s *Source) Position() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.position
}

// Seek makes a running playback continue from the frame at or before t (the next Run,
// when none runs). A zero t is ignored: live video is a new Source.
func (s *Source) Seek(t time.Time) {
	if t.IsZero() {
		return
	}
	s.mu.Lock()
	s.seek = t
	s.position = time.Time{}
	s.mu.Unlock()
	s.poke()
}

// SetSpeed changes the playback rate (see Speed) from the next frame on.
func (s *Source) SetSpeed(speed float64) {
	s.mu.Lock()
	s.speed = speed
	s.mu.Unlock()
	s.poke()
}

func (s *Source) poke() {
	s.mu.Lock()
	w := s.wake
	s.mu.Unlock()
	if w != nil {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// playing reports whether Run plays the recording rather than live video.
func (s *Source) playing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.From.IsZero() || !s.ResumeAfter.IsZero() || !s.position.IsZero() || !s.seek.IsZero()
}

// currentSpeed is SetSpeed's value, else Speed, else 1; never ≤ 0.
func (s *Source) currentSpeed() float64 {
	s.mu.Lock()
	sp := s.speed
	s.mu.Unlock()
	if sp <= 0 {
		sp = s.Speed
	}
	if sp <= 0 {
		sp = 1
	}
	return sp
}

// takeSeek returns and clears a pending Seek.
func (s *Source) takeSeek() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.seek
	s.seek = time.Time{}
	return t, !t.IsZero()
}

// start is where this run begins: a pending Seek, else after the last delivered frame
// (a reconnect), else after ResumeAfter, else at From.
func (s *Source) start() (t time.Time, after bool) {
	if t, ok := s.takeSeek(); ok {
		return t, false
	}
	s.mu.Lock()
	pos := s.position
	s.mu.Unlock()
	switch {
	case !pos.IsZero():
		return pos, true
	case !s.ResumeAfter.IsZero():
		return s.ResumeAfter, true
	}
	return s.From, false
}

func (s *Source) setPosition(t time.Time) {
	s.mu.Lock()
	s.position = t
	s.mu.Unlock()
}

func hasPicture(im *Image) bool { return im != nil && len(im.Payload) > 0 && !im.Current.IsZero() }

// atEnd reports the end of the database as Milestone's sample detects it: no Next, or
// Next not after Current [C, MS-TVV].
func atEnd(im *Image) bool { return im.Next.IsZero() || !im.Next.After(im.Current) }

// playback plays the recording: goto the start, then step frame by frame, delivering
// each when its recorded time comes at the chosen speed. Pacing follows a clock anchored
// at one (wall time, recorded time) pair, so request latency does not add up; the anchor
// moves on a seek, a speed change, a gap, the end of the recording and when delivery
// falls behind. At the end of the recording it keeps the connection and asks again every
// EndPoll, re-delivering the last frame so the stream is not declared stalled.
func (s *Source) playback(ctx context.Context, c *Conn, sink capture.Sink, log *slog.Logger) error {
	if err := s.connect(ctx, c); err != nil {
		return err
	}
	gapJump := capture.OrDefault(s.GapJump, DefaultGapJump)
	endPoll := capture.OrDefault(s.EndPoll, DefaultEndPoll)
	wake := make(chan struct{}, 1)
	s.mu.Lock()
	s.wake = wake
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.wake = nil
		s.mu.Unlock()
	}()

	p := &player{s: s, c: c, sink: sink, log: log, info: s.info(), wake: wake, gapJump: gapJump, interval: 100 * time.Millisecond}
	t, after := s.start()
	log.Debug("playback", "from", t, "speed", s.currentSpeed(), "stepping", s.Stepping)
	im, err := c.Goto(ctx, t)
	if err != nil {
		return err
	}
	fresh := !(after && hasPicture(im) && !im.Current.After(t)) // not the frame already delivered
	disc := false
	for {
		if t, ok := s.takeSeek(); ok {
			if im, err = c.Goto(ctx, t); err != nil {
				return p.failed(err)
			}
			fresh, disc, p.anchored = true, true, false
			continue
		}
		if fresh && hasPicture(im) {
			ok, err := p.pace(ctx, im)
			if err != nil || ctx.Err() != nil {
				return err
			}
			if !ok { // interrupted by Seek or SetSpeed: look again
				continue
			}
			if err := p.deliver(im, disc || p.jumped); err != nil {
				return err
			}
			fresh, disc, p.jumped = false, false, false
		}
		switch {
		case !hasPicture(im) && !im.Next.IsZero() && (im.Current.IsZero() || im.Next.After(im.Current)):
			// no picture at that time (before the recording starts, a gap): go to the next one
			if im, err = c.Goto(ctx, im.Next); err != nil {
				return p.failed(err)
			}
			fresh, disc, p.anchored = true, true, false
		case !hasPicture(im) || atEnd(im):
			// the end of the recording (or nothing recorded yet): wait and ask again
			if !capture.Sleep(ctx, endPoll, p.wake) {
				if ctx.Err() != nil {
					return nil
				}
				continue
			}
			if err := p.redeliver(); err != nil {
				return err
			}
			at := im.Current
			if at.IsZero() {
				if at = s.Position(); at.IsZero() {
					at = t
				}
			}
			next, err := c.Goto(ctx, at)
			if err != nil {
				return p.failed(err)
			}
			fresh = !(hasPicture(next) && p.last != nil && next.Current.Equal(p.last.Current))
			im, p.anchored = next, false
		default:
			next, err := p.step(ctx, im)
			if err != nil {
				return p.failed(err)
			}
			im, fresh = next, true
		}
	}
}

// player is one run's playback state.
type player struct {
	s       *Source
	c       *Conn
	sink    capture.Sink
	log     *slog.Logger
	info    capture.StreamInfo
	wake    chan struct{}
	gapJump time.Duration

	connected bool
	frames    int
	last      *Image // the last frame delivered

	anchored bool
	wall     time.Time // the pace clock: recorded time media is due at wall
	media    time.Time
	speed    float64
	interval time.Duration // recorded time between the last two frames
	jumped   bool          // a gap was cut short: the next packet is a discontinuity
}

// step fetches the frame after im: goto Next (skipping ahead when playing faster than
// MaxPlaybackFPS) or next.
func (p *player) step(ctx context.Context, im *Image) (*Image, error) {
	if p.s.Stepping == StepNext {
		return p.c.Next(ctx)
	}
	target := im.Next
	maxFPS := capture.OrDefault(p.s.MaxPlaybackFPS, DefaultMaxPlaybackFPS)
	if min := im.Current.Add(time.Duration(p.s.currentSpeed() / maxFPS * float64(time.Second))); min.After(target) {
		target = min
	}
	next, err := p.c.Goto(ctx, target)
	if err != nil {
		return nil, err
	}
	if target.After(im.Next) && (!hasPicture(next) || !next.Current.After(im.Current)) {
		// the recorder answered something not ahead (its goto may not mean "at or
		// before" [I]): take the plain next frame
		return p.c.Goto(ctx, im.Next)
	}
	return next, nil
}

// pace waits until im is due. It returns false without waiting the whole time when a
// Seek or SetSpeed came in, and an error only when ctx ended (nil then).
func (p *player) pace(ctx context.Context, im *Image) (bool, error) {
	speed := p.s.currentSpeed()
	now := time.Now()
	if p.anchored && speed != p.speed && p.last != nil {
		p.wall, p.media = now, p.last.Current // re-anchor at the last delivered frame
	}
	p.speed = speed
	if !p.anchored {
		p.wall, p.media, p.anchored = now, im.Current, true
		return true, nil
	}
	due := p.wall.Add(time.Duration(float64(im.Current.Sub(p.media)) / speed))
	wait := due.Sub(now)
	switch {
	case wait > p.gapJump:
		// a gap in the recording: jump it after an ordinary frame's pause
		p.log.Debug("gap in the recording skipped", "at", p.lastCurrent(), "gap", im.Current.Sub(p.lastCurrent()))
		wait = min(time.Duration(float64(p.interval)/speed), 500*time.Millisecond)
		p.wall, p.media, p.jumped = now.Add(wait), im.Current, true
	case wait < -behindLimit:
		p.wall, p.media = now, im.Current
		return true, nil
	}
	if wait <= 0 {
		return true, nil
	}
	if !capture.Sleep(ctx, wait, p.wake) { // woken early by Seek, SetSpeed
		return false, nil
	}
	return true, nil
}

func (p *player) lastCurrent() time.Time {
	if p.last == nil {
		return time.Time{}
	}
	return p.last.Current
}

// deliver hands im's packets to the sink, with SourceTime its recorded time.
func (p *player) deliver(im *Image, disc bool) error {
	pkts, err := im.Packets(time.Now())
	if err != nil {
		return fmt.Errorf("recorder %s, camera %s, recording at %s: %w", p.s.Addr, p.s.CameraGUID, im.Current.Format(time.RFC3339), err)
	}
	for i, pk := range pkts {
		pk.SourceTime = im.Current
		if !p.connected {
			p.info.Codec = pk.Codec
			p.sink.Connected(p.info)
			p.connected = true
		}
		pk.Discontinuity = disc && i == 0
		p.sink.Packet(pk)
		p.frames++
	}
	if p.last != nil && im.Current.After(p.last.Current) && !p.jumped {
		p.interval = min(max(im.Current.Sub(p.last.Current), 10*time.Millisecond), time.Second)
	}
	p.last = im
	p.s.setPosition(im.Current)
	return nil
}

// redeliver sends the last frame again (with a new receive time): at the end of the
// recording the picture stays and the stream stays alive.
func (p *player) redeliver() error {
	if p.last == nil {
		return nil
	}
	pkts, err := p.last.Packets(time.Now())
	if err != nil {
		return err
	}
	for _, pk := range pkts {
		pk.SourceTime = p.last.Current
		p.sink.Packet(pk)
	}
	return nil
}

func (p *player) failed(err error) error {
	if p.frames > 0 {
		return fmt.Errorf("playback after %d frames: %w", p.frames, err)
	}
	return err
}
