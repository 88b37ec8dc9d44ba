package capturetest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.accepted.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b [512]byte
				for {
					if _, err := c.Read(b[:]); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	s.Addr = ln.Addr().String()
	return s
}
