package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// State is where a source stands, as a tile shows it.
type State int

// States of a source (DESIGN.md "The flow").
const (
	// StateStopped: nobody needs the source; nothing runs.
	StateStopped State = iota
	// StateConnecting: a connection attempt is under way.
	StateConnecting
	// StateLive: frames are arriving.
	StateLive
	// StateStalled: connected, but no frame for the watchdog's time. The connection is
	// given a little longer, then dropped and retried.
	StateStalled
	// StateOffline: the connection failed or ended; a retry is scheduled (Status.RetryAt).
	StateOffline
	// StateFallback: pictures come from the camera's fallback source (snapshot polling)
	// because the main one failed repeatedly; the main one is retried on its own clock
	// and takes over again with its first packet. Status.Err keeps the main one's error.
	StateFallback
)

func (s State) String() string {
	switch s {
	case StateStopped:
		return "stopped"
	case StateConnecting:
		return "connecting"
	case StateLive:
		return "live"
	case StateStalled:
		return "stalled"
	case StateOffline:
		return "offline"
	case StateFallback:
		return "fallback"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Status is a source's state with what a person needs to act on it.
type Status struct {
	State State
	// Since is when the source entered State.
	Since time.Time
	// Err is the last error, kept across retries for the offline card; nil once live.
	Err error
	// RetryAt is when the next connection attempt starts (StateOffline only).
	RetryAt time.Time
	// Attempts counts consecutive failed attempts since the source was last live.
	Attempts int
	// Info is what the source reported when it last connected.
	Info StreamInfo
}

// DefaultBackoff is the retry schedule for network and server failures: quick retries
// for a blip, then every 12 s (9.6–14.4 s with the jitter) for as long as the camera is
// away, so a camera back after an outage of any length shows its picture within about
// 15 s (issue 12: once a minute kept it offline up to 70 s). A failed TCP connect costs
// nothing worth saving; refused logins follow DefaultAuthBackoff instead, so a VMS or a
// camera is never flooded with logins.
var DefaultBackoff = []BackoffTier{
	{Attempts: 3, Delay: time.Second},
	{Attempts: 3, Delay: 5 * time.Second},
	{Attempts: 0, Delay: 12 * time.Second},
}

// DefaultAuthBackoff is the retry schedule while the server refuses the credentials or
// the account. Cameras lock an account after a few failed logins (commonly 5 to 7 within
// half an hour, then for 30 minutes): this schedule tries at most 4 times in any 30
// minutes, jitter included, so Vigil retrying a wrong password never locks the account
// for its owner. The first retry comes after 15 s, as quick as a network failure's
// (issue 12): a lone 401 (a stale nonce, a camera still booting its user database) then
// costs the operator 15 s of picture, not a minute, and costs no extra attempt in the
// half hour (0, 15 s, 5 min, 20 min, then every 30 min).
var DefaultAuthBackoff = []BackoffTier{
	{Attempts: 1, Delay: 15 * time.Second},
	{Attempts: 1, Delay: 5 * time.Minute},
	{Attempts: 1, Delay: 15 * time.Minute},
	{Attempts: 0, Delay: 30 * time.Minute},
}

// BusyRetryFloor is the shortest wait after a busy server (ErrBusy: 503, 429): quick
// retries would take the session slot another viewer is waiting for.
const BusyRetryFloor = 10 * time.Second

// BackoffTier is a delay used for a number of consecutive failures (0: for all the rest).
type BackoffTier struct {
	Attempts int
	Delay    time.Duration
}

// Supervisor keeps one Source connected for as long as its Run's context lives: it runs
// the Source, watches that frames keep arriving, retries with tiered backoff and jitter,
// and publishes every packet to the Hub. Consumers stay attached to the Hub across
// reconnects. Fill the exported fields, then call Run once.
type Supervisor struct {
	// Name names the camera in logs.
	Name string
	// Source is run again on every (re)connection.
	Source Source
	// Hub receives every packet. It must be set.
	Hub *Hub
	// Stats receives every packet. It defaults to a new Stats.
	Stats *Stats
	// FrameInterval is the expected time between frames, when known (a configured fps).
	// It sets the watchdog: stalled after max(3 s, 3 × FrameInterval).
	FrameInterval time.Duration
	// StallAfter overrides the watchdog's stalled time. It defaults as above.
	StallAfter time.Duration
	// DropAfter is how long without a frame before the connection is dropped and retried.
	// It defaults to twice StallAfter.
	DropAfter time.Duration
	// Backoff is the retry schedule. It defaults to DefaultBackoff.
	Backoff []BackoffTier
	// AuthBackoff is the retry schedule while the server refuses the credentials or the
	// account (ErrUnauthorized, ErrForbidden), counted over consecutive such refusals.
	// It defaults to DefaultAuthBackoff.
	AuthBackoff []BackoffTier
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnStatus, when set, is called after every status change from the Supervisor's own
	// goroutines. It must not block.
	OnStatus func(Status)
	// Fallback, when set, is run instead of Source once Source has failed FallbackAfter
	// times in a row (a camera's HTTP snapshot URL behind a broken RTSP server). While on
	// fallback, Source is tried every PrimaryRetry regardless of the backoff, and its first
	// packet ends the fallback.
	Fallback Source
	// FallbackAfter is the number of consecutive failures before the fallback starts
	// (default 3: about 3 s of quick retries).
	FallbackAfter int
	// PrimaryRetry is how often Source is tried while on fallback (default 10 s).
	PrimaryRetry time.Duration

	now     func() time.Time
	jitter  func() float64 // in [-1, 1)
	refused int            // consecutive ErrUnauthorized/ErrForbidden failures, for AuthBackoff
	mu      sync.Mutex
	status  Status
	started bool
	wake    chan struct{} // closed by RetryNow to cut the current wait; nil when not waiting
}

// RetryNow cuts the wait before the next connection attempt (a person pressed "Retry
// now" on the offline card). It is safe to call at any time from any goroutine and does
// nothing while connecting or live. After refused credentials it still retries once: a
// person asked, and the next refusal goes on with the authentication schedule. It
// reports whether a wait was cut.
func (s *Supervisor) RetryNow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wake == nil {
		return false
	}
	close(s.wake)
	s.wake = nil
	return true
}

// armWake opens a wait RetryNow can cut; the returned channel closes when it does.
func (s *Supervisor) armWake() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wake = make(chan struct{})
	return s.wake
}

// disarmWake ends the wait: RetryNow does nothing until the next one.
func (s *Supervisor) disarmWake() {
	s.mu.Lock()
	s.wake = nil
	s.mu.Unlock()
}

// Status returns the current status.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Supervisor) defaults() {
	if s.Stats == nil {
		s.Stats = &Stats{}
	}
	s.StallAfter = OrDefault(s.StallAfter, max(3*time.Second, 3*s.FrameInterval))
	s.DropAfter = OrDefault(s.DropAfter, 2*s.StallAfter)
	if len(s.Backoff) == 0 {
		s.Backoff = DefaultBackoff
	}
	if len(s.AuthBackoff) == 0 {
		s.AuthBackoff = DefaultAuthBackoff
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	s.Logger = s.Logger.With("component", "supervisor", "camera", s.Name)
	s.FallbackAfter = OrDefault(s.FallbackAfter, 3)
	s.PrimaryRetry = OrDefault(s.PrimaryRetry, 10*time.Second)
	if s.now == nil {
		s.now = time.Now
	}
	if s.jitter == nil {
		s.jitter = func() float64 { return rand.Float64()*2 - 1 }
	}
}

// Run supervises until ctx is cancelled, then returns after the Source's Run has
// returned. It must be called at most once.
func (s *Supervisor) Run(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		panic("capture: Supervisor.Run called twice")
	}
	s.started = true
	s.mu.Unlock()
	s.defaults()

	failures := 0
	for {
		s.setStatus(func(st *Status) { st.State = StateConnecting; st.RetryAt = time.Time{} })
		delivered, err := s.runOnce(ctx)
		if ctx.Err() != nil {
			s.setStatus(func(st *Status) { st.State = StateStopped; st.RetryAt = time.Time{} })
			return
		}
		if delivered {
			failures, s.refused = 0, 0
		}
		if err == nil {
			err = errors.New("the camera closed the stream")
		}
		failures++
		if s.Fallback != nil && failures >= s.FallbackAfter {
			s.setStatus(func(st *Status) { st.State, st.Err, st.Attempts = StateOffline, CleanError(err), failures })
			if s.onFallback(ctx, err) {
				failures = 0 // the main source is back and has run until it failed
			}
			if ctx.Err() != nil {
				s.setStatus(func(st *Status) { st.State = StateStopped; st.RetryAt = time.Time{} })
				return
			}
			continue
		}
		delay := s.delay(failures-1, err)
		retryAt := s.now().Add(delay)
		s.Logger.Warn("source failed, retrying", "err", err, "retry_in", delay.Round(100*time.Millisecond))
		wake := s.armWake()
		s.setStatus(func(st *Status) {
			st.State, st.Err, st.RetryAt, st.Attempts = StateOffline, CleanError(err), retryAt, failures
		})
		var ready <-chan struct{} // a pusher's camera that has just connected (Waker)
		if w, ok := s.Source.(Waker); ok {
			ready = w.Wake()
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			s.disarmWake()
			s.setStatus(func(st *Status) { st.State = StateStopped; st.RetryAt = time.Time{} })
			return
		case <-t.C:
		case <-wake:
			t.Stop()
			s.Logger.Info("retrying now, as asked")
		case <-ready:
			t.Stop()
		}
		s.disarmWake()
	}
}

// delay picks the wait before the next attempt: the tier for this many failures, ±20 %
// jitter so many cameras behind one dead switch do not retry in lockstep. The kind of
// failure changes the schedule: refused credentials and a forbidden account follow
// AuthBackoff (quick repeats lock accounts), a busy server waits at least BusyRetryFloor.
func (s *Supervisor) delay(failures int, err error) time.Duration {
	d := tierDelay(s.Backoff, failures)
	if kd := s.kindDelay(err); kd > d {
		d = kd
	}
	return time.Duration(float64(d) * (1 + 0.2*s.jitter()))
}

// kindDelay is the least wait the kind of err asks for (0: the tier decides). It counts
// consecutive refusals in s.refused, so call it once per failure.
func (s *Supervisor) kindDelay(err error) time.Duration {
	switch {
	case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrForbidden):
		s.refused++
		return tierDelay(s.AuthBackoff, s.refused-1)
	case errors.Is(err, ErrBusy):
		s.refused = 0
		return BusyRetryFloor
	}
	s.refused = 0
	return 0
}

// tierDelay is the delay of tiers for the n-th consecutive failure (from 0).
func tierDelay(tiers []BackoffTier, n int) time.Duration {
	for _, t := range tiers {
		if t.Attempts == 0 || n < t.Attempts {
			return t.Delay
		}
		n -= t.Attempts
	}
	return tiers[len(tiers)-1].Delay
}

// runOnce runs the Source once under a watchdog. delivered reports whether any packet
// arrived.
func (s *Supervisor) runOnce(ctx context.Context) (delivered bool, err error) {
	return s.run(ctx, s.Source, &supervisedSink{sup: s, state: StateLive})
}

// run runs src once under a watchdog, delivering through sink.
func (s *Supervisor) run(ctx context.Context, src Source, sink *supervisedSink) (delivered bool, err error) {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sink.lastActivity.Store(s.now().UnixNano())

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.watch(runCtx, sink, cancel)
	}()
	err = src.Run(runCtx, sink)
	cancel(nil)
	wg.Wait()
	if cause := context.Cause(runCtx); errors.Is(cause, ErrStalled) && ctx.Err() == nil {
		err = cause
	}
	return sink.packets.Load() > 0, err
}

// watch marks the source stalled when no packet came for StallAfter, and drops the
// connection after DropAfter. Time counts from the last packet, or from the start of
// the attempt: a camera that accepts the connection and then sends nothing is stalled too.
func (s *Supervisor) watch(ctx context.Context, sink *supervisedSink, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(min(s.StallAfter/4, 250*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		idle := s.now().Sub(time.Unix(0, sink.lastActivity.Load()))
		switch {
		case idle >= s.DropAfter:
			cancel(fmt.Errorf("%w for %s: the camera stopped sending; reconnecting", ErrStalled, idle.Round(100*time.Millisecond)))
			return
		case idle >= s.StallAfter && sink.packets.Load() > 0 && !sink.gated():
			if st := s.Status().State; st == StateLive || (st == StateFallback && sink.state == StateFallback) {
				s.Logger.Warn("source stalled", "idle", idle.Round(100*time.Millisecond))
				s.setStatus(func(st *Status) {
					st.State = StateStalled
					st.Err = fmt.Errorf("%w for %s", ErrStalled, idle.Round(100*time.Millisecond))
				})
			}
		}
	}
}

func (s *Supervisor) setStatus(change func(*Status)) {
	s.mu.Lock()
	old := s.status.State
	change(&s.status)
	if s.status.State != old {
		s.status.Since = s.now()
	}
	st := s.status
	s.mu.Unlock()
	if s.OnStatus != nil {
		s.OnStatus(st)
	}
}

// onFallback runs the Fallback source until the main Source delivers again or ctx ends.
// The main Source is tried every PrimaryRetry on its own; its packets are held back from
// the Hub until its first one arrives, which stops the fallback first, so the two never
// publish at once. It reports whether the main Source came back (and has since failed).
func (s *Supervisor) onFallback(ctx context.Context, lastErr error) (recovered bool) {
	s.Logger.Warn("main source keeps failing: showing the fallback source", "retry_main_every", s.PrimaryRetry)
	fbCtx, fbStop := context.WithCancel(ctx)
	fbDone := make(chan struct{})
	go func() {
		defer close(fbDone)
		s.runFallback(fbCtx)
	}()
	stopFallback := func() {
		fbStop()
		<-fbDone
	}
	defer stopFallback()

	for {
		wait := max(s.PrimaryRetry, s.kindDelay(lastErr)) // a refused login is not retried every PrimaryRetry
		retryAt := s.now().Add(wait)
		wake := s.armWake()
		s.setStatus(func(st *Status) { st.RetryAt = retryAt })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.disarmWake()
			return false
		case <-t.C:
		case <-wake:
			t.Stop()
		}
		s.disarmWake()
		back := make(chan struct{})
		sink := &supervisedSink{sup: s, state: StateLive, gate: func() {
			stopFallback()
			s.Logger.Info("main source is back: leaving the fallback")
			close(back)
		}}
		_, err := s.run(ctx, s.Source, sink)
		select {
		case <-back:
			s.refused = 0 // it delivered: refusals before the recovery no longer count
			if ctx.Err() == nil {
				if err == nil {
					err = errors.New("the camera closed the stream")
				}
				s.Logger.Warn("source failed after leaving the fallback", "err", err)
				s.setStatus(func(st *Status) { st.State, st.Err, st.Attempts = StateOffline, CleanError(err), 1 })
			}
			return true
		default:
		}
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			err = errors.New("the camera closed the stream")
		}
		s.Logger.Debug("main source still failing", "err", err)
		lastErr = err
		s.setStatus(func(st *Status) { st.Err = CleanError(err); st.Attempts++ })
	}
}

// runFallback keeps the Fallback source running until ctx ends, retrying it every few
// seconds when it fails. Its failures are logged but leave Status.Err to the main source:
// that is the one the user must fix.
func (s *Supervisor) runFallback(ctx context.Context) {
	for ctx.Err() == nil {
		_, err := s.run(ctx, s.Fallback, &supervisedSink{sup: s, state: StateFallback})
		if ctx.Err() != nil {
			return
		}
		s.Logger.Warn("fallback source failed", "err", err)
		t := time.NewTimer(time.Duration(float64(5*time.Second) * (1 + 0.2*s.jitter())))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
