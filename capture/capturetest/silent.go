package capturetest

import (
	"net"
	"sync/atomic"
	"testing"

	"github.com/vigil-cctv/vigil/internal/tcpserve"
)

// Listen listens on 127.0.0.1 at a free port; the listener is closed when t ends.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// Serve accepts every connection of ln and runs handle on it in its own goroutine,
// closing the connection when handle returns: a scripted server for a test. When t ends
// it closes ln and every connection still open, and waits for the handlers.
func Serve(t testing.TB, ln net.Listener, handle func(c net.Conn)) {
	t.Helper()
	var cs tcpserve.Conns
	cs.Start(ln, func(c net.Conn) bool { handle(c); return false })
	t.Cleanup(cs.Stop)
}

// Drain reads and discards what c sends until it fails or is closed.
func Drain(c net.Conn) {
	var b [512]byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return
		}
	}
}

// SilentListener listens on 127.0.0.1 at a free port, accepts every connection, reads
// and discards what arrives and never answers: a server that hangs after accept. It
// returns host:port and closes everything, waiting for its goroutines, when t ends.
func SilentListener(t testing.TB) string {
	t.Helper()
	return NewSilent(t).Addr
}

// Silent is a SilentListener that also counts the connections it accepted.
type Silent struct {
	// Addr is its host:port.
	Addr     string
	accepted atomic.Int64
}

// Accepted is how many connections it accepted so far.
func (s *Silent) Accepted() int { return int(s.accepted.Load()) }

// NewSilent starts a Silent; see SilentListener.
func NewSilent(t testing.TB) *Silent {
	t.Helper()
	s := &Silent{}
	ln := Listen(t)
	Serve(t, ln, func(c net.Conn) {
		s.accepted.Add(1)
		Drain(c)
	})
	s.Addr = ln.Addr().String()
	return s
}
