package recorder

import (
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// maxPrebufferBytes caps a Prebuffer's memory whatever the camera's key-frame interval:
// past it, the oldest group of pictures goes.
const maxPrebufferBytes = 64 << 20

// Prebuffer keeps the last moments of a camera in memory — at least PreRoll, counted from
// the last key frame before that — so that a recording started by a trigger (motion, an
// operator's click) begins before the trigger. Packets are shared with the Hub, so the
// cost is the queue, not copies. Hand it to Root.Start; it goes on buffering for the next
// trigger once the recording has taken what it held. Close it when the camera goes.
type Prebuffer struct {
	src PacketSource
	d   time.Duration

	mu     sync.Mutex
	buf    []capture.Packet
	bytes  int
	sub    *capture.Subscription
	unsub  func()
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

// NewPrebuffer subscribes to src and starts buffering d (DefaultPreRoll when d <= 0).
// Subscribing keeps the camera connected.
func NewPrebuffer(src PacketSource, d time.Duration) *Prebuffer {
	d = capture.OrDefault(d, DefaultPreRoll)
	p := &Prebuffer{src: src, d: d}
	p.mu.Lock()
	p.startLocked()
	p.mu.Unlock()
	return p
}

func (p *Prebuffer) startLocked() {
	p.sub, p.unsub = p.src.Subscribe("prebuffer", queuePackets)
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.run(p.sub, p.stop, p.done)
}

func (p *Prebuffer) run(sub *capture.Subscription, stop, done chan struct{}) {
	defer close(done)
	ch := sub.C()
	for {
		select {
		case <-stop:
			return
		case pk, ok := <-ch:
			if !ok {
				return
			}
			p.mu.Lock()
			p.addLocked(pk)
			p.mu.Unlock()
		}
	}
}

// packetTime is the receive time a prebuffer orders by.
func packetTime(pk capture.Packet) time.Time { return pk.ReceiveTime }

// addLocked appends pk and trims to the last key frame at or before newest − d.
func (p *Prebuffer) addLocked(pk capture.Packet) {
	if pk.Discontinuity && pk.Codec != capture.CodecJPEG && !pk.Key {
		// A hole in an inter-frame stream: what is buffered cannot lead into this.
		p.buf, p.bytes = p.buf[:0], 0
	}
	if len(p.buf) == 0 && pk.Codec != capture.CodecJPEG && !pk.Key {
		return // a recording must start at a key frame
	}
	p.buf = append(p.buf, pk)
	p.bytes += len(pk.Data)
	limit := packetTime(pk).Add(-p.d)
	cut := 0
	for i, q := range p.buf {
		if packetTime(q).After(limit) {
			break
		}
		if q.Key || q.Codec == capture.CodecJPEG {
			cut = i
		}
	}
	for p.bytes > maxPrebufferBytes && len(p.buf)-cut > 1 {
		// Too much: drop the oldest group of pictures, up to the next key frame.
		next := cut + 1
		for next < len(p.buf)-1 && !p.buf[next].Key {
			next++
		}
		for _, q := range p.buf[cut:next] {
			p.bytes -= len(q.Data)
		}
		cut = next
	}
	if cut > 0 {
		for _, q := range p.buf[:cut] {
			p.bytes -= len(q.Data)
		}
		n := copy(p.buf, p.buf[cut:])
		clear(p.buf[n:])
		p.buf = p.buf[:n]
	}
}

// Buffered is how much media the prebuffer holds now.
func (p *Prebuffer) Buffered() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) < 2 {
		return 0
	}
	return packetTime(p.buf[len(p.buf)-1]).Sub(packetTime(p.buf[0]))
}

// take hands the buffered packets and the live subscription to a recording — nothing is
// lost between the two — and subscribes afresh to keep buffering. It returns a nil
// subscription when the prebuffer is closed.
func (p *Prebuffer) take() ([]capture.Packet, *capture.Subscription, func()) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, nil, nil
	}
	stop, done := p.stop, p.done
	p.mu.Unlock()
	close(stop)
	<-done
	p.mu.Lock()
	defer p.mu.Unlock()
	pkts, sub, unsub := p.buf, p.sub, p.unsub
	p.buf, p.bytes = nil, 0
	p.startLocked()
	return pkts, sub, unsub
}

// Close stops buffering and releases the camera.
func (p *Prebuffer) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	stop, done, unsub := p.stop, p.done, p.unsub
	p.buf, p.bytes = nil, 0
	p.mu.Unlock()
	close(stop)
	<-done
	unsub()
}
