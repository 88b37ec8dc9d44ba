package recorder

import (
	"sync"
	"sync/atomic"

	"github.com/vigil-cctv/vigil/capture"
)

// Bounds of a recording's queue between the Hub and the disk: behind a slow disk a
// camera costs at most this much memory (a 1080p M-JPEG camera sends ~4 MB/s, so 16 MiB
// rides out a few seconds of a stalled disk; an H.264 one half a minute).
const (
	maxQueueBytes   = 16 << 20
	maxQueuePackets = 512
	// hubQueue is the recording's queue on the Hub: only a burst buffer, as the
	// recording's pump empties it into the packetQueue at once.
	hubQueue = 16
)

// packetQueue holds the packets a recording has received and not yet written, bounded in
// bytes and packets. Past a bound it drops as the Hub does — the oldest JPEG; for
// H.264/H.265 everything queued and then up to the next key frame, so the file gets a
// gap, never a broken picture — marks the next packet it keeps as a Discontinuity and
// counts every drop.
type packetQueue struct {
	maxBytes, maxPackets int
	drops                *atomic.Uint64

	mu      sync.Mutex
	buf     []capture.Packet
	bytes   int
	needKey bool
	gap     bool
	closed  bool // no more packets will come: the writer finishes what is queued
	dead    bool // the writer has gone: every packet is dropped
	ready   chan struct{}
}

func newPacketQueue(maxBytes, maxPackets int, drops *atomic.Uint64) *packetQueue {
	return &packetQueue{maxBytes: maxBytes, maxPackets: maxPackets, drops: drops, ready: make(chan struct{}, 1)}
}

// push queues p, dropping to stay within the bounds.
func (q *packetQueue) push(p capture.Packet) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dead || q.closed {
		q.drops.Add(1)
		return
	}
	inter := p.Codec != capture.CodecJPEG
	if q.needKey && inter && !p.Key {
		q.drops.Add(1)
		return
	}
	q.needKey = false
	for len(q.buf) > 0 && (q.bytes+len(p.Data) > q.maxBytes || len(q.buf) >= q.maxPackets) {
		q.gap = true
		if !inter && q.buf[0].Codec == capture.CodecJPEG {
			q.bytes -= len(q.buf[0].Data)
			q.buf[0] = capture.Packet{}
			q.buf = q.buf[1:]
			q.drops.Add(1)
			if len(q.buf) > 0 {
				q.buf[0].Discontinuity, q.gap = true, false
			}
			continue
		}
		q.drops.Add(uint64(len(q.buf)))
		clear(q.buf)
		q.buf, q.bytes = q.buf[:0], 0
		if inter && !p.Key {
			q.drops.Add(1)
			q.needKey = true
			return
		}
	}
	if q.gap {
		p.Discontinuity, q.gap = true, false
	}
	q.buf = append(q.buf, p)
	q.bytes += len(p.Data)
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take moves the queued packets into dst (reusing it) and reports whether the queue is
// closed, so that an empty take of a closed queue means the end.
func (q *packetQueue) take(dst []capture.Packet) ([]capture.Packet, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	dst = append(dst[:0], q.buf...)
	clear(q.buf)
	q.buf, q.bytes = q.buf[:0], 0
	return dst, q.closed
}

// close says no more packets come; the writer is woken to finish.
func (q *packetQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// kill drops what is queued and everything pushed later (the writer stopped on an error).
func (q *packetQueue) kill() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dead = true
	q.drops.Add(uint64(len(q.buf)))
	clear(q.buf)
	q.buf, q.bytes = q.buf[:0], 0
}

// queued is how many bytes wait.
func (q *packetQueue) queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}
