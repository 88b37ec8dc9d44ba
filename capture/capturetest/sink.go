// Package capturetest helps test capture.Sources against real servers: a Sink that
// records what a Source reports and can end the run after enough packets.
package capturetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/internal/poll"
)

// Sink records StreamInfos and Packets. The zero value is ready to use.
type Sink struct {
	// Want, when > 0, calls Cancel once that many packets arrived.
	Want   int
	Cancel context.CancelFunc

	mu    sync.Mutex
	infos []capture.StreamInfo
	pkts  []capture.Packet
	at    []time.Time // when each packet reached the sink, by the wall clock
	got   chan struct{}
}

func (s *Sink) gotLocked() chan struct{} {
	if s.got == nil {
		s.got = make(chan struct{}, 1)
	}
	return s.got
}

// Connected is part of capture.Sink.
func (s *Sink) Connected(i capture.StreamInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.infos = append(s.infos, i)
}

// Packet is part of capture.Sink. A packet before Connected breaks the Source contract
// and panics, so the test fails.
func (s *Sink) Packet(p capture.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.infos) == 0 {
		panic("capturetest: Packet before Connected")
	}
	s.pkts = append(s.pkts, p)
	s.at = append(s.at, time.Now())
	if s.Want > 0 && len(s.pkts) >= s.Want && s.Cancel != nil {
		s.Cancel()
	}
	select {
	case s.gotLocked() <- struct{}{}:
	default:
	}
}

// Infos returns the StreamInfos reported so far.
func (s *Sink) Infos() []capture.StreamInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.infos)
}

// Packets returns the packets received so far.
func (s *Sink) Packets() []capture.Packet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pkts)
}

// Arrivals returns the packets received so far and when each reached the sink (wall
// clock), taken together: what a test measures pacing or liveness by, whatever the
// Source put in ReceiveTime.
func (s *Sink) Arrivals() (pkts []capture.Packet, at []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pkts), slices.Clone(s.at)
}

// Last returns the last packet and when it arrived; ok is false before any packet.
func (s *Sink) Last() (p capture.Packet, at time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pkts) == 0 {
		return capture.Packet{}, time.Time{}, false
	}
	return s.pkts[len(s.pkts)-1], s.at[len(s.at)-1], true
}

// Got receives after a packet arrived (it never blocks the Source).
func (s *Sink) Got() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gotLocked()
}

// Len is the number of packets received so far.
func (s *Sink) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pkts)
}

// Run runs src until want packets arrived (Run must then return nil, having been
// cancelled) or it fails, and fails the test if it takes more than 20 s.
func Run(t testing.TB, src capture.Source, want int) (*Sink, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	k := &Sink{Want: want, Cancel: cancel}
	err := src.Run(ctx, k)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("Run did not finish: %d packets, err %v", k.Len(), err)
	}
	return k, err
}

// Received is Run for a source that must work: an error from it fails the test.
func Received(t testing.TB, src capture.Source, want int) *Sink {
	t.Helper()
	k, err := Run(t, src, want)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// WaitFor polls cond for up to 10 s — generous, so a slow machine never fails a test.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, what, cond)
}
