// Package ptzhold is the core's hold controller over any capture.PTZ, used by the wall's
// PTZ pad and `vigil ptz`: a move lasts while the control is held and stops the moment it
// is released, and also when nobody confirms the hold any more (a dead-man timer), so a
// lost release (a stalled UI, a crashed pad) cannot leave a camera turning.
//
// Hold(v) starts or replaces a move and must be renewed (about once a second) while the
// control is held; after DeadMan without a renewal the controller stops. Release stops at
// once. At most one command per MinGap leaves for the camera: velocities given meanwhile
// are coalesced, the latest wins. A held move is resent every Resend so the camera hears
// it is still wanted. A move that fails to send is retried as a stop; a move in another
// direction is preceded by a stop unless the PTZ says it does not need one. Close stops.
package ptzhold

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Defaults of Options.
const (
	DefaultDeadMan = 1500 * time.Millisecond
	DefaultMinGap  = 100 * time.Millisecond
	DefaultResend  = time.Second
	// CommandTimeout bounds one command to the camera.
	CommandTimeout = 3 * time.Second
	// stopRetries is how many times a failed stop is sent again.
	stopRetries = 3
)

// TurnStopper is implemented by a PTZ that says whether a move in a new direction must be
// preceded by a stop. A PTZ that does not implement it gets the stop (ONVIF cameras want
// it); RCP+ replaces a move with the next one and answers false.
type TurnStopper interface {
	StopBeforeTurn() bool
}

// Options tune a Controller; zero values take the defaults.
type Options struct {
	DeadMan, MinGap, Resend time.Duration
	// OnError is told every command that failed (off the caller's goroutine), for the
	// pad's message; nil logs it.
	OnError func(error)
	Logger  *slog.Logger
}

// Stats count what the controller sent.
type Stats struct {
	Moves, Stops, Failures int
	// DeadMan counts stops the dead-man timer caused.
	DeadMan int
}

// Controller drives one PTZ. Its methods are safe for concurrent use and never block on
// the camera.
type Controller struct {
	p        capture.PTZ
	o        Options
	stopTurn bool

	mu       sync.Mutex
	want     capture.Velocity
	deadline time.Time        // when a held move lapses (zero: no hold)
	sent     capture.Velocity // what the camera was last told
	unknown  bool             // the last command failed: the camera's state is unknown
	lastSend time.Time        // when the last command left
	stats    Stats
	closed   bool

	wake chan struct{}
	done chan struct{}
}

// New starts a controller over p. The caller keeps p and closes it after Close.
func New(p capture.PTZ, o Options) *Controller {
	o.DeadMan = capture.OrDefault(o.DeadMan, DefaultDeadMan)
	o.MinGap = capture.OrDefault(o.MinGap, DefaultMinGap)
	o.Resend = capture.OrDefault(o.Resend, DefaultResend)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	c := &Controller{p: p, o: o, stopTurn: true, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if ts, ok := p.(TurnStopper); ok {
		c.stopTurn = ts.StopBeforeTurn()
	}
	go c.loop()
	return c
}

// Hold starts, replaces or renews a move; a zero v is Release.
func (c *Controller) Hold(v capture.Velocity) {
	v = v.Clamp()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.want = v
	if v.IsZero() {
		c.deadline = time.Time{}
	} else {
		c.deadline = time.Now().Add(c.o.DeadMan)
	}
	c.mu.Unlock()
	c.poke()
}

// Release stops at once (as soon as MinGap since the last command allows).
func (c *Controller) Release() { c.Hold(capture.Velocity{}) }

// Stats returns the counts so far.
func (c *Controller) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Close stops the camera and ends the controller; a stop that fails is tried once more,
// so Close waits at most two CommandTimeouts (plus the one in flight). It does not close
// the PTZ.
func (c *Controller) Close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.want, c.deadline = capture.Velocity{}, time.Time{}
	}
	c.mu.Unlock()
	c.poke()
	<-c.done
}

func (c *Controller) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// loop sends what is wanted, paced, until closed and stopped.
func (c *Controller) loop() {
	defer close(c.done)
	stopFails := 0
	for {
		c.mu.Lock()
		now := time.Now()
		if !c.want.IsZero() && now.After(c.deadline) {
			c.want = capture.Velocity{}
			c.stats.DeadMan++
			c.o.Logger.Warn("ptz: the hold was not renewed; stopping the camera (dead-man)")
		}
		target := c.want
		due := c.unknown || target != c.sent ||
			(!target.IsZero() && now.Sub(c.lastSend) >= c.o.Resend)
		retries := stopRetries
		if c.closed {
			retries = 1 // closing: one more try, so a window close never hangs long
		}
		if c.unknown && target.IsZero() && stopFails > retries {
			due = false // gave up: reported
		}
		if !due && c.closed {
			c.mu.Unlock()
			return
		}
		var wait time.Duration = -1 // -1: until poked
		if due {
			wait = c.lastSend.Add(c.o.MinGap).Sub(now)
		} else if !target.IsZero() {
			wait = min(c.deadline.Sub(now), c.lastSend.Add(c.o.Resend).Sub(now))
			wait = capture.OrDefault(wait, time.Millisecond)
		}
		if due && wait <= 0 {
			// Send now.
			stop := target.IsZero()
			if !stop && c.stopTurn && !c.unknown && !c.sent.IsZero() && !c.sent.SameDirection(target) {
				stop = true // a stop first; the move follows after MinGap
			}
			c.lastSend = now
			c.mu.Unlock()
			err := c.send(stop, target)
			c.mu.Lock()
			if err != nil {
				c.stats.Failures++
				c.unknown = true
				if stop {
					stopFails++
				} else {
					// A move that failed is retried as a stop: the hold is dropped and
					// the user presses again once the camera answers.
					c.want, c.deadline = capture.Velocity{}, time.Time{}
				}
				c.mu.Unlock()
				c.report(err)
				continue
			}
			stopFails = 0
			c.unknown = false
			if stop {
				c.stats.Stops++
				c.sent = capture.Velocity{}
			} else {
				c.stats.Moves++
				c.sent = target
			}
			c.mu.Unlock()
			continue
		}
		c.mu.Unlock()
		c.sleep(wait)
	}
}

func (c *Controller) sleep(d time.Duration) {
	if d < 0 {
		<-c.wake
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.wake:
	case <-t.C:
	}
}

func (c *Controller) send(stop bool, v capture.Velocity) error {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	if stop {
		return c.p.Stop(ctx)
	}
	return c.p.Move(ctx, v)
}

func (c *Controller) report(err error) {
	if c.o.OnError != nil {
		c.o.OnError(err)
		return
	}
	c.o.Logger.Warn("ptz: command failed", "err", capture.CleanError(err))
}
