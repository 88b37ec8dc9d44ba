package capture

import "time"

// Pacer lets through at most one time per Every on average, for a consumer that wants a
// lower rate than the camera sends (analytics at 5 fps of a 25 fps camera). It keeps a
// schedule rather than the gap to the last one let through, so a camera at exactly the
// rate, or at twice it, with some jitter, keeps the full rate instead of losing a frame
// now and then: a time is due from a quarter interval before its slot. A time before the
// last one let through (a seek, a clock set back) or more than an interval past its slot
// (the camera stalled) starts the schedule afresh. The zero Pacer, or Every ≤ 0, lets
// every time through. A Pacer is not safe for concurrent use.
type Pacer struct {
	Every time.Duration

	next, last time.Time
}

// Due reports whether a frame taken at `at` would be let through.
func (p *Pacer) Due(at time.Time) bool {
	return p.Every <= 0 || p.next.IsZero() || at.Before(p.last) || !at.Before(p.next.Add(-p.Every/4))
}

// Take reports whether at is due and, when it is, counts it.
func (p *Pacer) Take(at time.Time) bool {
	if !p.Due(at) {
		return false
	}
	if p.next.IsZero() || at.Before(p.last) || at.After(p.next.Add(p.Every)) {
		p.next = at.Add(p.Every)
	} else {
		p.next = p.next.Add(p.Every)
	}
	p.last = at
	return true
}

// FrameTime is the time a frame is paced by: the source's time when it gives one, else
// when the frame's last byte arrived.
func FrameTime(source, receive time.Time) time.Time {
	if !source.IsZero() {
		return source
	}
	return receive
}
