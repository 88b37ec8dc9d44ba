package capture

import (
	"slices"
	"sync"
	"time"
)

// Stats collects the health of one source: what the health overlay, the status bar,
// `vigil --stats` and `vigil bench` show. It is safe for concurrent use; recording is a
// few stores under a mutex, reading (Snapshot) sorts the latency windows and is meant to
// run about once a second.
type Stats struct {
	mu sync.Mutex

	in      rateWindow // packets received
	out     rateWindow // frames decoded
	packets uint64
	frames  uint64
	bytes   uint64
	decErrs uint64
	skipped uint64
	last    time.Time // receive time of the last packet

	width, height    int // encoded size of the last packet
	decodeW, decodeH int
	codec            Codec

	recvLat  latencyWindow // receive − source time
	frameLat latencyWindow // decoded − source time
}

// StatsSnapshot is a copy of a source's health at one moment.
type StatsSnapshot struct {
	// FPSIn is packets received per second, FPSOut frames decoded per second, both over
	// the last few seconds (0 when the stream has stopped).
	FPSIn, FPSOut float64
	// BitrateKbps is the received payload rate over the same window.
	BitrateKbps float64
	Packets     uint64
	Frames      uint64
	// Drops counts packets lost in the Hub because a consumer was too slow (filled in
	// by Stream).
	Drops uint64
	// DecodeErrors counts packets that did not decode.
	DecodeErrors uint64
	// Skipped counts non-reference frames the decoder left out to catch up when it fell
	// behind (H.264/H.265): pictures not shown, nothing corrupted.
	Skipped uint64
	// Width and Height are the encoded size, DecodeW and DecodeH the decoded one.
	Width, Height    int
	DecodeW, DecodeH int
	Codec            Codec
	// LastPacketAge is the time since the last packet arrived; negative when none has.
	LastPacketAge time.Duration
	// Latency is from the source's timestamp to the decoded frame (the picture a tile
	// would draw); RecvLatency to the packet's arrival. Each is set only when the source's
	// clock is plausible (LatencyOK, RecvLatencyOK): a camera whose clock is minutes off
	// tells us nothing about latency, and showing a number then would mislead.
	LatencyP50, LatencyP99         time.Duration
	LatencyOK                      bool
	RecvLatencyP50, RecvLatencyP99 time.Duration
	RecvLatencyOK                  bool
}

// ObservePacket records a received packet.
func (s *Stats) ObservePacket(p Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.packets++
	s.bytes += uint64(len(p.Data))
	s.in.add(p.ReceiveTime, len(p.Data))
	s.last = p.ReceiveTime
	if p.Width > 0 {
		s.width, s.height = p.Width, p.Height
	}
	s.codec = p.Codec
	if !p.SourceTime.IsZero() {
		s.recvLat.add(p.ReceiveTime.Sub(p.SourceTime))
	}
}

// ObserveFrame records a decoded frame.
func (s *Stats) ObserveFrame(f *Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames++
	s.out.add(f.Decoded, 0)
	s.decodeW, s.decodeH = f.Image.Rect.Dx(), f.Image.Rect.Dy()
	if f.SrcWidth > 0 {
		s.width, s.height = f.SrcWidth, f.SrcHeight
	}
	if !f.SourceTime.IsZero() {
		s.frameLat.add(f.Decoded.Sub(f.SourceTime))
	}
}

// ObserveDecodeError counts a packet that failed to decode.
func (s *Stats) ObserveDecodeError() {
	s.mu.Lock()
	s.decErrs++
	s.mu.Unlock()
}

// SetSkipped records the decoder's running count of frames skipped to catch up.
func (s *Stats) SetSkipped(n uint64) {
	s.mu.Lock()
	s.skipped = n
	s.mu.Unlock()
}

// Snapshot returns the current figures as of now.
func (s *Stats) Snapshot(now time.Time) StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	fpsIn, bytesPerSec := s.in.rate(now)
	fpsOut, _ := s.out.rate(now)
	snap := StatsSnapshot{
		FPSIn: fpsIn, FPSOut: fpsOut, BitrateKbps: bytesPerSec * 8 / 1000,
		Packets: s.packets, Frames: s.frames, DecodeErrors: s.decErrs, Skipped: s.skipped,
		Width: s.width, Height: s.height, DecodeW: s.decodeW, DecodeH: s.decodeH,
		Codec: s.codec, LastPacketAge: -1,
	}
	if !s.last.IsZero() {
		snap.LastPacketAge = now.Sub(s.last)
	}
	snap.LatencyP50, snap.LatencyP99, snap.LatencyOK = s.frameLat.percentiles()
	snap.RecvLatencyP50, snap.RecvLatencyP99, snap.RecvLatencyOK = s.recvLat.percentiles()
	return snap
}

// rateWindow counts events and bytes over the last rateSpan.
type rateWindow struct {
	t    [256]time.Time
	b    [256]int
	n    int // events stored (≤ len)
	next int
}

const rateSpan = 3 * time.Second

func (w *rateWindow) add(t time.Time, bytes int) {
	w.t[w.next], w.b[w.next] = t, bytes
	w.next = (w.next + 1) % len(w.t)
	w.n = min(w.n+1, len(w.t))
}

// rate returns events and bytes per second over the window ending at now. With the ring
// full before the window is covered (very high rates), it measures over the span the ring
// does cover.
func (w *rateWindow) rate(now time.Time) (perSec, bytesPerSec float64) {
	from := now.Add(-rateSpan)
	var count, bytes int
	oldest := now
	for i := 0; i < w.n; i++ {
		j := (w.next - 1 - i + len(w.t)) % len(w.t)
		if w.t[j].Before(from) {
			break
		}
		count++
		bytes += w.b[j]
		oldest = w.t[j]
	}
	if count == 0 {
		return 0, 0
	}
	span := rateSpan
	if count == w.n && w.n == len(w.t) {
		span = now.Sub(oldest)
	}
	if span <= 0 {
		return 0, 0
	}
	sec := span.Seconds()
	return float64(count) / sec, float64(bytes) / sec
}

// latencyWindow keeps the last samples of source-to-here delays and judges whether the
// source's clock can be believed: the median of the recent raw delays must lie between
// a little below zero (clock granularity, NTP jitter) and plausibleMax.
type latencyWindow struct {
	d    [512]time.Duration
	n    int
	next int
}

const (
	plausibleMin = -200 * time.Millisecond
	plausibleMax = 10 * time.Second
	// calibration is how many samples are needed before a latency is shown.
	calibration = 8
)

func (w *latencyWindow) add(d time.Duration) {
	w.d[w.next] = d
	w.next = (w.next + 1) % len(w.d)
	w.n = min(w.n+1, len(w.d))
}

func (w *latencyWindow) percentiles() (p50, p99 time.Duration, ok bool) {
	if w.n < calibration {
		return 0, 0, false
	}
	s := make([]time.Duration, w.n)
	copy(s, w.d[:w.n])
	slices.Sort(s)
	p50 = s[(len(s)-1)*50/100]
	p99 = s[(len(s)-1)*99/100]
	if p50 < plausibleMin || p50 > plausibleMax {
		return 0, 0, false
	}
	return max(p50, 0), max(p99, 0), true
}
