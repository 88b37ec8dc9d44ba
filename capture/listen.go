package capture

import (
	"fmt"
	"io"
	"log/slog"
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
