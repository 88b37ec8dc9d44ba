package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// DefaultPusherBackoff is how long a Pusher waits before each reconnection in turn (the
// last repeats), ±20 %.
var DefaultPusherBackoff = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second}

// Pusher sends frames to a panel's listener (the client side of the wire format, for
// `vigil push`): it connects, sends the handshake, then one frame per call of Next, and
// reconnects with backoff when the panel goes away.
type Pusher struct {
	// Addr is the panel's HOST:PORT; Name the pusher's name; Token the listener's token.
	Addr, Name, Token string
	// Next returns the next JPEG and its capture time, paced by the caller (it blocks
	// until the frame is due). io.EOF ends Run with nil.
	Next func(ctx context.Context) ([]byte, time.Time, error)
	// Report is told of each connection, loss and retry, for stderr. Optional.
	Report func(msg string)
	// Backoff defaults to DefaultPusherBackoff.
	Backoff []time.Duration
	// DialTimeout defaults to 5 s.
	DialTimeout time.Duration
}

// Run pushes until ctx ends (nil), Next returns io.EOF (nil) or another error.
func (p *Pusher) Run(ctx context.Context) error {
	if !ValidName(p.Name) {
		return fmt.Errorf("pusher name %q is not 1–%d of letters, digits, '.', '_', '-'", p.Name, MaxName)
	}
	backoff := p.Backoff
	if len(backoff) == 0 {
		backoff = DefaultPusherBackoff
	}
	fails := 0
	for {
		sent, err := p.once(ctx)
		if ctx.Err() != nil || errors.Is(err, io.EOF) {
			return nil
		}
		var fe *frameError
		if errors.As(err, &fe) {
			return fe.err
		}
		if sent > 0 {
			fails = 0
		}
		d := backoff[min(fails, len(backoff)-1)]
		d = time.Duration(float64(d) * (1 + 0.2*(rand.Float64()*2-1)))
		fails++
		p.report(fmt.Sprintf("push to %s: %v; reconnecting in %s", p.Addr, err, d.Round(10*time.Millisecond)))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// frameError is a failure of Next: it ends Run.
type frameError struct{ err error }

func (e *frameError) Error() string { return e.err.Error() }

func (p *Pusher) report(msg string) {
	if p.Report != nil {
		p.Report(msg)
	}
}

// once runs one connection; sent counts the frames written.
func (p *Pusher) once(ctx context.Context) (sent int, err error) {
	timeout := p.DialTimeout
	timeout = capture.OrDefault(timeout, 5*time.Second)
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return 0, err
	}
	// The panel never writes: a read returning is the panel closing the connection, seen
	// at once rather than at the next write.
	gone := make(chan struct{})
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		var b [1]byte
		c.Read(b[:])
		close(gone)
	}()
	connCtx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		c.Close()
		<-readDone
	}()
	go func() {
		select {
		case <-gone:
			cancel()
		case <-connCtx.Done():
		}
	}()
	c.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, Handshake{Name: p.Name, Token: p.Token}.Line()); err != nil {
		return 0, err
	}
	p.report(fmt.Sprintf("pushing %q to %s", p.Name, p.Addr))
	var buf []byte
	for {
		jpeg, at, err := p.Next(connCtx)
		if err != nil {
			select {
			case <-gone:
				return sent, errors.New("the panel closed the connection")
			default:
			}
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return sent, err
			}
			return sent, &frameError{err}
		}
		buf = AppendFrame(buf[:0], jpeg, at)
		c.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := c.Write(buf); err != nil {
			select {
			case <-gone:
				return sent, errors.New("the panel closed the connection")
			default:
			}
			return sent, err
		}
		sent++
	}
}
