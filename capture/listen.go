package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// ListenOptions are what the core gives a protocol whose cameras connect to the panel
// (frame pushers): how to admit them and whom to tell about new ones.
type ListenOptions struct {
	// Token, when set, is required from every connection (never logged).
	Token string
	// Announce is called, from the listener's goroutines, with the URL of every camera
	// that connects (push://HOST:PORT/NAME), also one no Source waits for yet: the core
	// adds it to the wall. It must not block for long.
	Announce func(rawURL string)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Counter is implemented by a listener (what Registry.Listen returns) that can say how
// many cameras are connected to it now, for the settings' list of listeners.
type Counter interface {
	Connected() int
}

// Waker is implemented by a Source whose camera connects to the panel (a pusher): the
// channel is closed once a Run would find the camera connected, so the Supervisor
// retries at once instead of waiting out its backoff. Wake is called after a failed Run;
// a nil channel never fires.
type Waker interface {
	Wake() <-chan struct{}
}

// Listen opens a listener of the protocol of rawURL's scheme (push://HOST:PORT) and
// keeps it open until the returned Closer is closed.
func (r *Registry) Listen(rawURL string, o ListenOptions) (io.Closer, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	p, ok := r.Lookup(u.Scheme)
	if !ok || p.Listen == nil {
		return nil, fmt.Errorf("%s: no protocol listens for %q URLs", RedactURL(rawURL), u.Scheme)
	}
	return p.Listen(rawURL, o)
}

// PushOptions are what a pusher sends (`vigil push`).
type PushOptions struct {
	// Name is the pusher's name on the panel; Token the listener's token ("": none).
	Name, Token string
	// Next returns the next JPEG and its capture time, blocking until it is due; io.EOF
	// ends the push.
	Next func(ctx context.Context) ([]byte, time.Time, error)
	// Report is told of each connection, loss and retry (for stderr).
	Report func(msg string)
}

// Push sends frames to the panel at rawURL through the protocol of its scheme.
func (r *Registry) Push(ctx context.Context, rawURL string, o PushOptions) error {
	u, err := ParseURL(rawURL)
	if err != nil {
		return err
	}
	p, ok := r.Lookup(u.Scheme)
	if !ok || p.Push == nil {
		return fmt.Errorf("%s: no protocol pushes to %q URLs", RedactURL(rawURL), u.Scheme)
	}
	return p.Push(ctx, rawURL, o)
}

// LoopPictures is a PushOptions.Next that sends pictures over and over at fps (default
// 10), each stamped with the time it is due; after a pause of over a second (a
// reconnection) it starts again from now rather than sending a burst.
func LoopPictures(pictures [][]byte, fps float64) func(ctx context.Context) ([]byte, time.Time, error) {
	fps = OrDefault(fps, 10)
	interval := time.Duration(float64(time.Second) / fps)
	var i int
	var due time.Time
	return func(ctx context.Context) ([]byte, time.Time, error) {
		if len(pictures) == 0 {
			return nil, time.Time{}, errors.New("no pictures to push")
		}
		if now := time.Now(); due.IsZero() || now.Sub(due) > time.Second {
			due = now
		}
		t := time.NewTimer(time.Until(due))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		case <-t.C:
		}
		at := due
		due = due.Add(interval)
		b := pictures[i%len(pictures)]
		i++
		return b, at, nil
	}
}
