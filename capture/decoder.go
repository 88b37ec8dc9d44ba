package capture

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Decoder decodes one source's packets once, at the largest size any of its consumers
// currently wants, and hands every consumer the newest frame through its FrameSub.
// It runs only while it has consumers (the Stream starts and stops it).
type Decoder struct {
	newDec NewFrameDecoder
	v      *variant // the stream variant it decodes
	stats  *Stats
	log    *slog.Logger
	now    func() time.Time

	mu   sync.Mutex
	subs []*FrameSub
	pool framePool
}

func newDecoder(nd NewFrameDecoder, v *variant, stats *Stats, log *slog.Logger) *Decoder {
	return &Decoder{newDec: nd, v: v, stats: stats, log: log, now: time.Now}
}

func (d *Decoder) attach(f *FrameSub) {
	d.mu.Lock()
	d.subs = append(d.subs, f)
	d.mu.Unlock()
}

// viewers is the number of attached FrameSubs.
func (d *Decoder) viewers() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.subs)
}

// detach removes f and reports whether it was attached.
func (d *Decoder) detach(f *FrameSub) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, o := range d.subs {
		if o == f {
			d.subs = append(d.subs[:i], d.subs[i+1:]...)
			return true
		}
	}
	return false
}

// box returns the largest box any consumer wants and the consumers to serve.
func (d *Decoder) box(into []*FrameSub) (w, h int, subs []*FrameSub) {
	d.mu.Lock()
	subs = append(into[:0], d.subs...)
	d.mu.Unlock()
	for _, f := range subs {
		fw, fh := f.Size()
		if fw == 0 || fh == 0 {
			return 0, 0, subs // someone wants full size
		}
		w, h = max(w, fw), max(h, fh)
	}
	return w, h, subs
}

// anyDue reports whether a consumer wants a frame taken at `at`.
func anyDue(subs []*FrameSub, at time.Time) bool {
	for _, f := range subs {
		if f.due(at, false) {
			return true
		}
	}
	return false
}

// run decodes packets from in until it closes or ctx ends.
func (d *Decoder) run(ctx context.Context, in <-chan Packet) {
	decoders := map[Codec]FrameDecoder{}
	defer func() {
		for _, fd := range decoders {
			fd.Close()
		}
	}()
	var subs, due []*FrameSub
	var lastErr string
	var pending Packet // a packet read ahead while skipping JPEGs
	var hasPending bool
	var jpegSkipped, lagSkipped uint64
	for {
		var p Packet
		var ok bool
		if hasPending {
			p, hasPending = pending, false
		} else {
			select {
			case <-ctx.Done():
				return
			case p, ok = <-in:
				if !ok {
					return
				}
			}
		}
		// JPEGs stand alone: when more wait behind this one, show the newest and skip the
		// rest (latest wins, so a slow decoder adds no latency). Stop at another codec.
		for p.Codec == CodecJPEG && len(in) > 0 {
			q, ok := <-in
			if !ok {
				return
			}
			if q.Codec != CodecJPEG {
				pending, hasPending = q, true
				break
			}
			p = q
			jpegSkipped++
		}
		w, h, s := d.box(subs)
		subs = s
		at := FrameTime(p.SourceTime, p.ReceiveTime)
		if len(subs) == 0 || (p.Codec == CodecJPEG && !anyDue(subs, at)) {
			continue // a JPEG no consumer is due for is not decoded
		}
		fd, ok := decoders[p.Codec]
		if !ok {
			var err error
			fd, err = d.newDec(p.Codec)
			if err != nil {
				d.stats.ObserveDecodeError()
				if msg := err.Error(); msg != lastErr {
					d.log.Error("no decoder", "codec", p.Codec, "err", err)
					lastErr = msg
				}
				continue
			}
			decoders[p.Codec] = fd
		}
		lag, _ := fd.(LagSkipper)
		if lag != nil {
			lag.SetBehind((len(in) > 0 || hasPending) && !p.Seeking)
		}
		dst := d.pool.get()
		img, err := fd.Decode(p, w, h, dst)
		if lag != nil {
			lagSkipped = lag.Skipped()
		}
		d.stats.SetSkipped(jpegSkipped + lagSkipped)
		if err == nil && img == nil {
			d.pool.putImage(dst) // no picture from this packet: decoder delay or a skipped frame
			continue
		}
		if err != nil {
			d.pool.putImage(dst)
			d.stats.ObserveDecodeError()
			if msg := err.Error(); msg != lastErr {
				d.log.Warn("decode failed", "err", fmt.Errorf("%d bytes: %w", len(p.Data), err))
				lastErr = msg
			}
			continue
		}
		lastErr = ""
		d.pool.decoded(img)
		// With B-frames the picture is an earlier packet's: take that one's times.
		if ps, ok := fd.(PictureSource); ok {
			if src, ok := ps.PictureOf(); ok {
				p = src
			}
		}
		sw, sh := p.Width, p.Height
		if sw == 0 || sh == 0 {
			if ss, ok := fd.(interface{ SourceSize() (int, int) }); ok {
				sw, sh = ss.SourceSize()
			}
		}
		fr := &Frame{
			Image: img, SrcWidth: sw, SrcHeight: sh, Codec: p.Codec,
			SourceTime: p.SourceTime, ReceiveTime: p.ReceiveTime, Decoded: d.now(),
			PTS: p.PTS, HasPTS: p.HasPTS, release: d.pool.put,
		}
		d.stats.ObserveFrame(fr)
		at = FrameTime(p.SourceTime, p.ReceiveTime)
		due = due[:0]
		for _, f := range subs {
			if f.due(at, true) {
				due = append(due, f)
			}
		}
		if len(due) == 0 { // a picture between the ones paced consumers want
			d.pool.putImage(img)
			continue
		}
		fr.refs = int32(len(due))
		for _, f := range due {
			f.put(fr, d.v)
		}
	}
}
