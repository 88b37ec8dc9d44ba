package capture

import (
	"sync"
	"sync/atomic"
)

// Hub fans the Packets of one source out to its consumers (decoder, recorder, analytics).
// Publish never blocks: every consumer has its own bounded queue, and when a queue is full
// the Hub drops rather than waits, so a slow consumer costs itself frames and never stalls
// the network reader or the other consumers. Every drop is counted.
//
// Drop policy: for JPEG, where every packet stands alone, the oldest queued packet goes.
// For inter-frame codecs (H.264, H.265) a dropped packet would corrupt every picture up to
// the next key frame, so the queue is emptied and the consumer receives nothing until the
// next key frame: a gap, never a broken stream.
type Hub struct {
	mu     sync.Mutex
	subs   []*Subscription
	closed bool
	// dropsGone keeps the drops of subscriptions that have closed, so totals never go back.
	dropsGone atomic.Uint64
	// lastKey is the newest packet that decodes on its own (a snapshot's source).
	lastKey    Packet
	hasLastKey bool
}

// LatestKey returns the newest published packet that decodes on its own (every JPEG; an
// IDR access unit with its parameter sets), for a full-size snapshot. ok is false before
// the first one. Its Data must not be modified.
func (h *Hub) LatestKey() (p Packet, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastKey, h.hasLastKey
}

// Subscription is one consumer's queue on a Hub.
type Subscription struct {
	hub     *Hub
	name    string
	ch      chan Packet
	needKey bool // guarded by hub.mu
	gap     bool // packets were dropped: mark the next one delivered; guarded by hub.mu
	drops   atomic.Uint64
	closed  bool // guarded by hub.mu
}

// Subscribe adds a consumer with a queue of capacity packets (at least 1). The consumer
// reads C until it is closed, which happens on Close or when the Hub closes.
func (h *Hub) Subscribe(name string, capacity int) *Subscription {
	s := &Subscription{hub: h, name: name, ch: make(chan Packet, max(capacity, 1))}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closed = true
		close(s.ch)
		return s
	}
	// A consumer joining mid-stream of an inter-frame codec must start at a key frame.
	s.needKey = true
	h.subs = append(h.subs, s)
	return s
}

// Publish hands p to every consumer without blocking.
func (h *Hub) Publish(p Packet) {
	allKey := p.Codec == CodecJPEG
	h.mu.Lock()
	defer h.mu.Unlock()
	if allKey || p.Key {
		h.lastKey, h.hasLastKey = p, true
	}
	for _, s := range h.subs {
		if s.needKey && !p.Key && !allKey {
			s.drops.Add(1)
			continue
		}
		s.needKey = false
		q := p
		if s.gap {
			q.Discontinuity = true
		}
		select {
		case s.ch <- q:
			s.gap = false
			continue
		default:
		}
		s.gap = true
		q.Discontinuity = true
		// Queue full.
		if allKey {
			select {
			case <-s.ch:
				s.drops.Add(1)
			default:
			}
			select {
			case s.ch <- q:
				s.gap = false
			default:
				s.drops.Add(1)
			}
			continue
		}
		for drained := false; !drained; {
			select {
			case <-s.ch:
				s.drops.Add(1)
			default:
				drained = true
			}
		}
		if p.Key {
			s.ch <- q
			s.gap = false
		} else {
			s.drops.Add(1)
			s.needKey = true
		}
	}
}

// Drops is the number of packets dropped across all consumers, past and present.
func (h *Hub) Drops() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.dropsGone.Load()
	for _, s := range h.subs {
		n += s.drops.Load()
	}
	return n
}

// Consumers is the number of open subscriptions.
func (h *Hub) Consumers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close closes every subscription's channel; later Subscribe calls get a closed one.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, s := range h.subs {
		s.closeLocked()
	}
	h.subs = nil
}

// C delivers the packets. It is closed when the subscription or the Hub closes.
func (s *Subscription) C() <-chan Packet { return s.ch }

// Name is the consumer's name given to Subscribe, for health displays.
func (s *Subscription) Name() string { return s.name }

// Drops is how many packets this consumer lost because its queue was full.
func (s *Subscription) Drops() uint64 { return s.drops.Load() }

// Close removes the consumer and closes C. Safe to call more than once.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closed {
		return
	}
	for i, o := range h.subs {
		if o == s {
			h.subs = append(h.subs[:i], h.subs[i+1:]...)
			break
		}
	}
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	s.hub.dropsGone.Add(s.drops.Load())
	close(s.ch)
}
