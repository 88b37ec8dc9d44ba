package soap

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// SessionOptions configure a Session.
type SessionOptions struct {
	// InstanceID identifies this client to the server for Login, renewals and Logout
	// (milestone.md §1.3). It defaults to a random GUID.
	InstanceID string
	// RenewAt is the fraction of TimeToLive after which the token is renewed
	// (milestone.md §1.4). It defaults to 0.8.
	RenewAt float64
	// RetryDelay is the pause after a failed renewal before the next try (never past the
	// token's expiry). It defaults to 5 s.
	RetryDelay time.Duration
	// OnToken, when set, is called from the renewal goroutine with every renewed token, e.g.
	// to send connectupdate on open Image Server sockets. It must not block for long.
	OnToken func(token string)
	// Logger receives renewal warnings (never a token). It defaults to slog.Default().
	Logger *slog.Logger
}

// Session is a login that stays valid: Start logs in and starts one goroutine that renews
// the token before its TimeToLive runs out (same instanceId, old token); Close stops it,
// waits for it and logs out.
type Session struct {
	c    *Client
	opts SessionOptions
	log  *slog.Logger

	mu      sync.Mutex
	info    LoginInfo
	expires time.Time
	lastErr error

	renews atomic.Int64 // successful renewals

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// NewSession prepares a Session over c; nothing is sent before Start.
func NewSession(c *Client, o SessionOptions) *Session {
	if o.InstanceID == "" {
		o.InstanceID = NewGUID()
	}
	if o.RenewAt <= 0 || o.RenewAt >= 1 {
		o.RenewAt = 0.8
	}
	o.RetryDelay = capture.OrDefault(o.RetryDelay, 5*time.Second)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Session{c: c, opts: o, log: o.Logger.With("component", "milestone-soap", "server", c.Host())}
}

// NewGUID returns a random version-4 GUID in the usual 8-4-4-4-12 form.
func NewGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Start logs in and, on success, starts the renewal goroutine. Call it once.
func (s *Session) Start(ctx context.Context) error {
	li, err := s.c.Login(ctx, s.opts.InstanceID, "")
	if err != nil {
		return err
	}
	s.set(li)
	rctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	go s.run(rctx)
	return nil
}

func (s *Session) set(li LoginInfo) {
	s.mu.Lock()
	s.info = li
	s.expires = time.Now().Add(li.TimeToLive)
	s.lastErr = nil
	s.mu.Unlock()
}

// Token is the current XProtect token (a secret: never log or show it).
func (s *Session) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info.Token
}

// Info is the current login: token, TimeToLive and when this client considers it expired.
func (s *Session) Info() (li LoginInfo, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info, s.expires
}

// Renewals counts successful renewals.
func (s *Session) Renewals() int { return int(s.renews.Load()) }

// Err is the last renewal failure, nil after a success.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// InstanceID is the GUID this session logs in with.
func (s *Session) InstanceID() string { return s.opts.InstanceID }

// GetConfiguration reads recorders and cameras with the current token.
func (s *Session) GetConfiguration(ctx context.Context) (*Configuration, error) {
	return s.c.GetConfiguration(ctx, s.Token())
}

func (s *Session) run(ctx context.Context) {
	defer close(s.done)
	for {
		li, expires := s.Info()
		wait := time.Duration(float64(li.TimeToLive) * s.opts.RenewAt)
		if err := s.Err(); err != nil {
			wait = min(s.opts.RetryDelay, max(time.Until(expires)/2, 100*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		next, err := s.c.Login(ctx, s.opts.InstanceID, li.Token)
		if err != nil && errors.Is(err, ErrTokenInvalid) && ctx.Err() == nil {
			// The old token is gone (expired while we were offline): a fresh login.
			next, err = s.c.Login(ctx, s.opts.InstanceID, "")
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.mu.Lock()
			s.lastErr = err
			s.mu.Unlock()
			s.log.Warn("token renewal failed", "err", err, "expires_in", time.Until(expires).Round(time.Second))
			continue
		}
		s.set(next)
		s.renews.Add(1)
		s.log.Debug("token renewed", "ttl", next.TimeToLive)
		if s.opts.OnToken != nil {
			s.opts.OnToken(next.Token)
		}
	}
}

// Close stops renewing, waits for the renewal goroutine, and logs out (bounded by 5 s).
// It is safe to call more than once, and on a Session that never started.
func (s *Session) Close() error {
	var err error
	s.once.Do(func() {
		if s.cancel == nil {
			return
		}
		s.cancel()
		<-s.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = s.c.Logout(ctx, s.opts.InstanceID, s.Token())
	})
	return err
}
