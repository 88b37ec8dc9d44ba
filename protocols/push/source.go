package push

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// Source is the camera push://HOST:PORT/NAME: the pusher NAME on the listener at
// HOST:PORT. Run takes the pusher's connection when it is there (it fails at once,
// ErrNotFound, when it is not) and returns the moment that connection drops, so the
// Supervisor marks the camera offline at once; Wake tells the Supervisor when the pusher
// is back, so it retries without waiting out its backoff.
type Source struct {
	// Addr is HOST:PORT, Name the pusher's name.
	Addr, Name string
	// Options open the listener when no Handle holds it yet (Token: the camera's
	// password setting).
	Options Options
}

// ParseURL splits push://HOST:PORT[/NAME]; name is "" when the URL names a listener.
func ParseURL(rawURL string) (addr, name string, err error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return "", "", err
	}
	if why := checkURL(u); why != "" {
		return "", "", fmt.Errorf("%s: %s: %w", capture.RedactURL(rawURL), why, capture.ErrBadURL)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

func checkURL(u *url.URL) string {
	if why := capture.CheckHost(u); why != "" {
		return why
	}
	if u.Port() == "" {
		return "missing port (want push://HOST:PORT/NAME)"
	}
	if name := strings.Trim(u.Path, "/"); name != "" && !ValidName(name) {
		return fmt.Sprintf("pusher name %q is not 1–%d of letters, digits, '.', '_', '-'", capture.CleanText(name, MaxName+8), MaxName)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "push URLs take no query or fragment"
	}
	return ""
}

// Run delivers the pusher's frames until ctx is cancelled (nil; the connection stays with
// the listener for the next Run) or the connection ends (an error saying why).
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	if s.Name == "" {
		return fmt.Errorf("push://%s names a listener, not a camera: add /NAME: %w", s.Addr, capture.ErrBadURL)
	}
	l, err := acquire(s.Addr, s.Options)
	if err != nil {
		return err
	}
	defer release(l, l.o.Linger)

	l.mu.Lock()
	sl := l.slotLocked(s.Name)
	var pc *pconn
	switch {
	case sl == nil:
		err = fmt.Errorf("push://%s: the listener tracks too many names to wait for %q", s.Addr, s.Name)
	case sl.conn == nil:
		err = fmt.Errorf("no pusher named %q is connected to %s: start it (vigil push --to %s --name %s): %w",
			s.Name, s.Addr, s.Addr, s.Name, capture.ErrNotFound)
	case sl.sink != nil:
		err = fmt.Errorf("push://%s/%s is already shown by another camera of the same URL: %w", s.Addr, s.Name, capture.ErrBusy)
	default:
		pc = sl.conn
	}
	l.mu.Unlock()
	if err != nil {
		return err
	}
	sink.Connected(capture.StreamInfo{Protocol: "push-" + pc.kind.String(), Transport: "tcp", Auth: auth(l.token), Codec: capture.CodecJPEG})
	l.mu.Lock()
	if sl.conn != pc {
		l.mu.Unlock()
		return fmt.Errorf("pusher %q on %s disconnected as it was taken", s.Name, s.Addr)
	}
	sl.sink = sink
	if sl.last.Data != nil {
		sink.Packet(sl.last)
		sl.last = capture.Packet{}
	}
	l.mu.Unlock()

	select {
	case <-ctx.Done():
		l.mu.Lock()
		if sl.conn == pc && sl.sink == sink {
			sl.sink = nil
		}
		l.mu.Unlock()
		return nil
	case <-pc.done:
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("pusher %q (%s) on %s disconnected: %w", s.Name, pc.remote, s.Addr, kindOf(pc.err))
	}
}

// Wake is closed once the pusher is connected (capture.Waker). While another Run (a
// second camera of the same URL) holds the pusher it is nil, so that camera's failures
// follow the backoff instead of retrying in a loop.
func (s *Source) Wake() <-chan struct{} {
	l := lookup(s.Addr)
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if sl := l.slotLocked(s.Name); sl != nil && sl.sink == nil {
		return sl.ready
	}
	return nil
}

func auth(token string) string {
	if token != "" {
		return "token"
	}
	return "none"
}

// kindOf keeps a connection's reason, giving a clean end a kind the backoff reads as a
// network failure.
func kindOf(err error) error {
	if err == nil {
		return errors.New("the connection ended")
	}
	return err
}
