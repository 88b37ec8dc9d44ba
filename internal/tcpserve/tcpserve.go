// Package tcpserve serves a listener's connections, each on its own goroutine, and keeps
// them, so that a server can drop them all (a restart as its clients see it) or stop and
// wait for every connection's goroutine. The simulators and test servers use it; the
// frame-push listener has its own loop, with a connection limit and backoff.
package tcpserve

import (
	"net"
	"sync"
)

// Conns is a set of served connections; its zero value is ready.
type Conns struct {
	mu      sync.Mutex
	ln      net.Listener
	open    map[net.Conn]struct{}
	serving bool
	wg      sync.WaitGroup
}

// Start accepts on ln until Stop, running serve on each connection in its own goroutine.
// The connection is closed when serve returns, unless serve reports that it handed the
// connection to another owner. After Stop, Start serves a new listener.
func (cs *Conns) Start(ln net.Listener, serve func(net.Conn) (handedOff bool)) {
	cs.mu.Lock()
	cs.ln, cs.serving = ln, true
	if cs.open == nil {
		cs.open = map[net.Conn]struct{}{}
	}
	cs.wg.Add(1)
	cs.mu.Unlock()
	go cs.accept(ln, serve)
}

func (cs *Conns) accept(ln net.Listener, serve func(net.Conn) bool) {
	defer cs.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		cs.mu.Lock()
		if !cs.serving || cs.ln != ln {
			cs.mu.Unlock()
			c.Close()
			return
		}
		cs.open[c] = struct{}{}
		cs.wg.Add(1)
		cs.mu.Unlock()
		go func() {
			defer cs.wg.Done()
			handedOff := serve(c)
			cs.mu.Lock()
			delete(cs.open, c)
			cs.mu.Unlock()
			if !handedOff {
				c.Close()
			}
		}()
	}
}

// Drop closes every connection being served, and goes on accepting.
func (cs *Conns) Drop() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for c := range cs.open {
		c.Close()
	}
}

// Stop closes the listener and every connection being served, and waits until every
// serve call has returned. It may be called more than once.
func (cs *Conns) Stop() {
	cs.mu.Lock()
	if cs.serving {
		cs.ln.Close()
		cs.serving = false
	}
	for c := range cs.open {
		c.Close()
	}
	cs.mu.Unlock()
	cs.wg.Wait()
}

// Serving reports that Start was called and Stop was not since.
func (cs *Conns) Serving() bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.serving
}
