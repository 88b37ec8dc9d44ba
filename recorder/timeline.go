package recorder

import (
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// clockKind is the clock a packet's sample time is read from, best first.
type clockKind int

const (
	clockNone    clockKind = iota
	clockMedia             // Packet.PTS/DTS (RTP time): decode order and composition offsets
	clockSource            // Packet.SourceTime (X-Timestamp, RTCP wall clock)
	clockReceive           // Packet.ReceiveTime, smoothed (dejitter)
)

func (k clockKind) String() string {
	switch k {
	case clockMedia:
		return "media"
	case clockSource:
		return "source"
	case clockReceive:
		return "receive"
	}
	return "none"
}

// Plausibility of a source's clock: mapped onto the receive clock at the anchor, it must
// stay within clockSlack plus clockDrift of the time elapsed since (arrival jitter of
// ~100 ms, and a clock at most 1 % off). Past that it is re-anchored to the receive
// clock; after maxReanchors in one segment the receive clock is used for the rest of it.
const (
	clockSlack   = 300 * time.Millisecond
	clockDrift   = 100 // 1/clockDrift = 1 %
	maxReanchors = 3
)

// toTicks converts a duration to 90 kHz ticks (0 for negative durations).
func toTicks(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(d / time.Microsecond * timeScale / 1e6)
}

// fromTicks converts ticks to a duration.
func fromTicks(t uint64) time.Duration {
	return time.Duration(t) * time.Second / timeScale
}

// timeline maps one segment's packets onto decode and presentation ticks from the
// segment's start. Sample durations then follow the source's own clock: its PTS/DTS when
// the packet has them, else its SourceTime, else the receive time smoothed by a
// dejitter — never a rate guessed from the first arrivals. A source clock that jumps,
// runs backwards or drifts from the receive clock beyond clockSlack + 1 % is anchored
// afresh at the receive clock, so a file's duration stays within about 1 % of the time
// it recorded whatever the camera's clock does.
type timeline struct {
	startRecv time.Time // receive time of the segment's first packet: tick 0

	kind        clockKind
	anchorTick  uint64
	anchorRecv  time.Time
	anchorDTS   time.Duration // clockMedia
	anchorSrc   time.Time     // clockSource
	lastDTS     time.Duration
	lastSrc     time.Time
	reanchors   int
	receiveOnly bool // the source's clock failed too often in this segment
	fresh       bool // the next sample starts a new run of the clock (smoothing re-anchors)
}

// sampleTime is where a packet falls on its segment's timeline, before smoothing: x is its
// decode tick on the clock used, cts its composition offset (media clock only). smooth
// asks the segment to remove jitter (source and receive clocks); anchor marks the first
// sample of a run of the clock, where smoothing starts afresh.
type sampleTime struct {
	x, cts         uint64
	smooth, anchor bool
}

// reset starts the timeline of a new segment whose first packet arrived at recv.
func (tl *timeline) reset(recv time.Time) {
	*tl = timeline{startRecv: recv, fresh: true}
}

// gap tells the timeline that packets were lost before the next one: smoothing must not
// spread the hole over the following samples.
func (tl *timeline) gap() { tl.fresh = true }

// want is the clock a packet offers.
func (tl *timeline) want(p capture.Packet) clockKind {
	switch {
	case tl.receiveOnly:
		return clockReceive
	case p.HasPTS:
		return clockMedia
	case !p.SourceTime.IsZero():
		return clockSource
	}
	return clockReceive
}

// at returns packet p's place on the timeline; recv is its receive time and floor the
// earliest decode tick the segment accepts next.
func (tl *timeline) at(p capture.Packet, recv time.Time, floor uint64) sampleTime {
	rt := toTicks(recv.Sub(tl.startRecv))
	k := tl.want(p)
	if k != tl.kind {
		tl.anchor(k, p, recv, max(rt, floor))
	}
	var st sampleTime
	switch tl.kind {
	case clockMedia:
		if p.DTS < tl.lastDTS || !tl.plausible(p.DTS-tl.anchorDTS, recv) {
			tl.reanchor(p, recv, max(rt, floor))
		}
		tl.lastDTS = p.DTS
		st = sampleTime{x: tl.anchorTick + toTicks(p.DTS-tl.anchorDTS), cts: toTicks(p.PTS - p.DTS)}
	case clockSource:
		if p.SourceTime.Before(tl.lastSrc) || !tl.plausible(p.SourceTime.Sub(tl.anchorSrc), recv) {
			tl.reanchor(p, recv, max(rt, floor))
		}
		tl.lastSrc = p.SourceTime
		st = sampleTime{x: tl.anchorTick + toTicks(p.SourceTime.Sub(tl.anchorSrc)), smooth: true}
	default:
		st = sampleTime{x: rt, smooth: true}
	}
	st.anchor, tl.fresh = tl.fresh, false
	return st
}

// plausible reports whether elapsed on the source's clock since the anchor agrees with
// the receive clock's elapsed time since then.
func (tl *timeline) plausible(elapsed time.Duration, recv time.Time) bool {
	dev := elapsed - recv.Sub(tl.anchorRecv)
	if dev < 0 {
		dev = -dev
	}
	return dev <= clockSlack+elapsed.Abs()/clockDrift
}

// anchor starts reading clock k at packet p, which gets decode tick at.
func (tl *timeline) anchor(k clockKind, p capture.Packet, recv time.Time, at uint64) {
	tl.kind, tl.anchorTick, tl.anchorRecv = k, at, recv
	tl.anchorDTS, tl.anchorSrc = p.DTS, p.SourceTime
	tl.lastDTS, tl.lastSrc = p.DTS, p.SourceTime
	tl.fresh = true
}

// reanchor anchors the current clock afresh after it jumped or drifted; too many in one
// segment and the receive clock takes over for the rest of it.
func (tl *timeline) reanchor(p capture.Packet, recv time.Time, at uint64) {
	tl.reanchors++
	if tl.reanchors > maxReanchors {
		tl.receiveOnly = true
		tl.anchor(clockReceive, p, recv, at)
		return
	}
	tl.anchor(tl.kind, p, recv, at)
}

// dejitter smooths the times of a clock that carries jitter — receive times (arrivals
// 17–114 ms apart at 15 fps are common over TCP), or a camera's timestamps of when it sent
// rather than when it captured — into a steady timeline, without guessing a rate once and
// for all: a second-order tracking loop (a phase-locked loop) follows the times with its
// phase and period corrected a little at every sample, so it follows the camera's true
// rate and changes of it, and stays within a fraction of the jitter of the clock, never
// drifting away from it as a locked rate does. Steadiness matters to players: ffmpeg,
// for one, maps times onto a grid of the average rate and rejects two frames that land
// on one grid point. A run starts from a line fitted to its first samples (see start);
// an error of more than a second (a pause) re-anchors the loop at the sample.
type dejitter struct {
	t      float64 // last output tick
	period float64 // ticks per frame, 0 until known
	on     bool    // t is valid (the loop is running)
	first  float64 // while the period is unknown: the run's first tick
	n      int     // and how many samples it has had
	gap    float64 // median gap of the last run's first samples, 0 if unknown
}

// gridHint is the frame period a grid should be built on: the loop's period, or the
// median gap at the run's start when that is far shorter — arrivals after a stall come in
// a burst, and a grid must never be slower than the camera. (Plain jitter makes the
// median gap somewhat shorter than the period too; that alone should not make the grid
// fast, or frames would often be shown two grid periods.)
func (d *dejitter) gridHint() float64 {
	if d.gap > 0 && (d.period == 0 || d.gap < d.period*0.6) {
		return d.gap
	}
	return d.period
}

const (
	djFit       = 4                  // samples needed to fit a run's start
	djPhaseGain = 1.0 / 16           // share of a sample's error applied to its time
	djRateGain  = 1.0 / 1024         // share applied to the period
	djReanchor  = float64(timeScale) // error beyond which the loop re-anchors
)

// start begins a run at xs[0], given the times of the run's first samples known so far
// (xs, at least one): with enough of them, the period (when not yet known) and the start
// come from the least-squares line through them, so the first sample's own jitter does
// not offset the whole run. It returns the first sample's tick.
func (d *dejitter) start(xs []uint64) float64 {
	x0 := float64(xs[0])
	d.on, d.first, d.n = true, x0, 1
	if len(xs) < djFit {
		d.t = x0
		return d.t
	}
	n := float64(len(xs))
	gaps := make([]float64, 0, len(xs)-1)
	for i := 1; i < len(xs); i++ {
		if xs[i] > xs[i-1] {
			gaps = append(gaps, float64(xs[i]-xs[i-1]))
		}
	}
	d.gap = 0
	if len(gaps) >= djFit-1 {
		slices.Sort(gaps)
		d.gap = gaps[len(gaps)/2]
	}
	if d.period == 0 {
		var si, sx, sii, six float64
		for i, x := range xs {
			fi, fx := float64(i), float64(x)-x0
			si, sx, sii, six = si+fi, sx+fx, sii+fi*fi, six+fi*fx
		}
		if den := n*sii - si*si; den > 0 {
			d.period = max((n*six-si*sx)/den, 1)
		}
	}
	var b float64
	for i, x := range xs {
		b += float64(x) - x0 - float64(i)*d.period
	}
	d.t = max(x0+b/n, 0)
	return d.t
}

// next returns the smoothed tick of a sample at x, following the previous one.
func (d *dejitter) next(x uint64) float64 {
	fx := float64(x)
	if !d.on {
		d.t, d.on, d.first, d.n = fx, true, fx, 1
		return d.t
	}
	if d.period == 0 {
		// A run too short to fit: times as they are until the mean spacing is known.
		d.n++
		if d.n >= djFit && fx > d.first {
			d.period = (fx - d.first) / float64(d.n-1)
		}
		d.t = max(d.t, fx)
		return d.t
	}
	pred := d.t + d.period
	e := fx - pred
	if e > djReanchor || e < -djReanchor {
		d.t = fx
		return d.t
	}
	d.t = pred + djPhaseGain*e
	d.period = min(max(d.period+djRateGain*e, d.period/2), d.period*2)
	return d.t
}
