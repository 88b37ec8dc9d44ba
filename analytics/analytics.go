// Package analytics runs analyzers on every camera's stream — motion (analytics/motion)
// and, later, detectors — and turns what they see into events for the event store
// (analytics/store). It is another consumer of a camera's stream, never the display
// path: each camera's analyzers run on their own goroutine on small decoded frames
// (at most 320×180, at most 5 fps) taken with the capture pipeline's latest-wins
// hand-off, so a slow analyzer skips frames and never builds latency, and they keep
// running while the camera's tile is hidden or the camera is only being recorded.
package analytics

import (
	"fmt"
	"image"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/analytics/motion"
	"github.com/vigil-cctv/vigil/capture"
)

// Limits of the frames analyzers are given.
const (
	MaxWidth, MaxHeight = 320, 180
	MaxFPS              = 5
)

// Event is something an analyzer saw, from its start to its end. While it lasts it is
// reported with End zero; when it ends, once more with End set.
type Event struct {
	Camera string
	// Kind is what was seen: "motion", or a detector's label ("face", "person").
	Kind string
	// Zone is the motion zone it was seen in ("" for the whole picture).
	Zone string
	// Start is when it was first seen, End when it was last seen (zero while it lasts).
	Start, End time.Time
	// Peak is its highest score (the moving fraction of the picture or zone, or a
	// detector's confidence), 0…1.
	Peak float64
	// Snapshot is a picture of the peak moment, JPEG (nil when none was taken).
	Snapshot []byte
}

// Ended reports whether the event is over.
func (e Event) Ended() bool { return !e.End.IsZero() }

// Sink receives events. It must not block: the store's writer queues them.
type Sink interface {
	Event(e Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Event calls f.
func (f SinkFunc) Event(e Event) { f(e) }

// Luma is a frame's Y plane (BT.601), the analyzers' input.
type Luma struct {
	Y             []byte
	Width, Height int
	Stride        int
	// At is when the picture was taken (the source's time, else when it arrived).
	At time.Time
	// Snapshot, when not nil, encodes the frame's picture as JPEG, for an event's
	// snapshot (called only when an event starts or peaks).
	Snapshot func() []byte
}

// LumaOf converts an RGBA picture into dst's Y plane (reusing its buffer), with BT.601's
// integer weights.
func LumaOf(dst *Luma, img *image.RGBA, at time.Time) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if cap(dst.Y) < w*h {
		dst.Y = make([]byte, w*h)
	}
	dst.Y = dst.Y[:w*h]
	dst.Width, dst.Height, dst.Stride, dst.At = w, h, w, at
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		out := dst.Y[y*w : y*w+w]
		for x := range w {
			r, g, bl := int(row[4*x]), int(row[4*x+1]), int(row[4*x+2])
			out[x] = uint8((66*r + 129*g + 25*bl + 128 + 16<<8) >> 8)
		}
	}
}

// Hysteresis says when what an analyzer sees makes an event.
type Hysteresis struct {
	// Gap is how long without a sighting ends an event (2 s). The event's End is the
	// last frame it was seen in, not the end of the gap.
	Gap time.Duration
	// MinFrames is how many of the last three frames must show it to start an event (2):
	// a single frame is noise. The event's Start is the first of them.
	MinFrames int
}

func (h Hysteresis) withDefaults() (Hysteresis, error) {
	if h.Gap == 0 {
		h.Gap = 2 * time.Second
	}
	if h.MinFrames == 0 {
		h.MinFrames = 2
	}
	if h.Gap < 0 || h.MinFrames < 1 || h.MinFrames > 3 {
		return h, fmt.Errorf("events: gap %v and minimum frames %d: want a gap > 0 and 1 to 3 frames", h.Gap, h.MinFrames)
	}
	return h, nil
}

// MotionOptions say how a camera's motion is found and when it makes an event.
type MotionOptions struct {
	motion.Config
	Hysteresis
	// Heat, when set, receives the camera's motion map of each minute (each cell the most
	// of it that moved in the minute, ×255) when the minute is over: the coarse map
	// motion search reads. Called on the analyzer's goroutine: it must not block.
	Heat func(minute time.Time, heat []byte)
}

// tracker turns per-frame sightings into events with start/end hysteresis, one open
// event per key (a zone, a detector's label).
type tracker struct {
	camera string
	h      Hysteresis
	sink   Sink
	open   map[trackKey]*openEvent
	recent map[trackKey][]frameSeen
}

type trackKey struct{ kind, zone string }

type openEvent struct {
	ev       Event
	lastSeen time.Time
}

type frameSeen struct {
	at     time.Time
	moving bool
}

func newTracker(camera string, h Hysteresis, sink Sink) (*tracker, error) {
	h, err := h.withDefaults()
	if err != nil {
		return nil, err
	}
	return &tracker{camera: camera, h: h, sink: sink, open: map[trackKey]*openEvent{}, recent: map[trackKey][]frameSeen{}}, nil
}

// observe takes one frame's sightings: for each key the analyzer watches, its score
// when seen (absent: not seen), and snap, when not nil, a picture of the moment for an
// event that starts or peaks.
func (tr *tracker) observe(at time.Time, keys []trackKey, scores map[trackKey]float64, snap func() []byte) {
	for _, k := range keys {
		score, seen := scores[k]
		rec := append(tr.recent[k], frameSeen{at: at, moving: seen})
		if len(rec) > 3 {
			rec = rec[len(rec)-3:]
		}
		tr.recent[k] = rec
		oe := tr.open[k]
		switch {
		case oe == nil && seen:
			n, first := 0, time.Time{}
			for _, f := range rec {
				if f.moving {
					if n == 0 {
						first = f.at
					}
					n++
				}
			}
			if n >= tr.h.MinFrames {
				oe = &openEvent{ev: Event{Camera: tr.camera, Kind: k.kind, Zone: k.zone, Start: first, Peak: score}, lastSeen: at}
				if snap != nil {
					oe.ev.Snapshot = snap()
				}
				tr.open[k] = oe
				tr.sink.Event(oe.ev)
			}
		case oe != nil && seen:
			oe.lastSeen = at
			if score > oe.ev.Peak {
				oe.ev.Peak = score
				if snap != nil {
					oe.ev.Snapshot = snap()
				}
				tr.sink.Event(oe.ev)
			}
		case oe != nil && at.Sub(oe.lastSeen) >= tr.h.Gap:
			tr.end(k, oe)
		}
	}
}

func (tr *tracker) end(k trackKey, oe *openEvent) {
	oe.ev.End = oe.lastSeen
	tr.sink.Event(oe.ev)
	delete(tr.open, k)
}

// flush ends every open event at its last sighting.
func (tr *tracker) flush() {
	for k, oe := range tr.open {
		tr.end(k, oe)
	}
}

// Motion turns one camera's motion detector into events: one for the whole picture, or
// one per zone when the camera has zones.
type Motion struct {
	det  *motion.Detector
	tr   *tracker
	keys []trackKey
	last motion.Result
	// held is set while the camera's own PTZ moves (Hold); heldSeen by the analyzer's
	// goroutine once it has acted on it.
	held     atomic.Bool
	heldSeen bool
	// heat is the motion map of the minute heatMinute, for heatFn.
	heatFn     func(time.Time, []byte)
	heat       [motion.HeatSize * motion.HeatSize]byte
	heatMinute time.Time
	heatAny    bool
}

// Hold suspends motion while the camera's own head moves (the whole picture slides, which
// is not motion): open events end at their last motion, frames are ignored, and when the
// hold is lifted the background is learnt again. Safe from any goroutine.
func (m *Motion) Hold(moving bool) { m.held.Store(moving) }

// NewMotion makes the motion analyzer of a camera.
func NewMotion(camera string, o MotionOptions, sink Sink) (*Motion, error) {
	tr, err := newTracker(camera, o.Hysteresis, sink)
	if err != nil {
		return nil, fmt.Errorf("camera %s: motion %w", camera, err)
	}
	det, err := motion.New(o.Config)
	if err != nil {
		return nil, fmt.Errorf("camera %s: %w", camera, err)
	}
	m := &Motion{det: det, tr: tr, heatFn: o.Heat}
	for _, z := range det.Config().Zones {
		m.keys = append(m.keys, trackKey{"motion", z.Name})
	}
	if len(m.keys) == 0 {
		m.keys = []trackKey{{"motion", ""}}
	}
	return m, nil
}

// Last is the detector's result on the last frame.
func (m *Motion) Last() motion.Result { return m.last }

// Reset forgets the background (the camera's PTZ moved) and ends open events at their
// last motion.
func (m *Motion) Reset() {
	m.det.Reset()
	m.Flush()
}

// Frame analyses one frame.
func (m *Motion) Frame(f Luma) error {
	if held := m.held.Load(); held != m.heldSeen {
		m.heldSeen = held
		m.Reset() // ends the open events; the background is learnt anew
	}
	if m.heldSeen {
		return nil
	}
	r, err := m.det.Detect(f.Y, f.Width, f.Height, f.Stride)
	if err != nil {
		return err
	}
	m.last = r
	m.addHeat(f.At, &r.Heat)
	scores := map[trackKey]float64{}
	if len(m.det.Config().Zones) == 0 {
		if r.Motion {
			scores[trackKey{"motion", ""}] = r.Score
		}
	} else {
		for _, z := range r.Zones {
			scores[trackKey{"motion", z.Name}] = z.Score
		}
	}
	m.tr.observe(f.At, m.keys, scores, f.Snapshot)
	return nil
}

// Flush ends every open event at its last motion (the stream stopped, the program
// exits, a file ended), and hands on the motion map of the minute so far.
func (m *Motion) Flush() {
	m.tr.flush()
	m.flushHeat()
}

// addHeat folds a frame's motion map into its minute's, handing on the last minute's
// when a new one begins.
func (m *Motion) addHeat(at time.Time, h *[motion.HeatSize * motion.HeatSize]byte) {
	if m.heatFn == nil {
		return
	}
	if minute := at.Truncate(time.Minute); !minute.Equal(m.heatMinute) {
		m.flushHeat()
		m.heatMinute = minute
	}
	for i, v := range h {
		if v > m.heat[i] {
			m.heat[i] = v
			m.heatAny = true
		}
	}
}

// flushHeat hands on the minute's map when something moved in it.
func (m *Motion) flushHeat() {
	if m.heatFn != nil && m.heatAny {
		m.heatFn(m.heatMinute, append([]byte(nil), m.heat[:]...))
	}
	m.heat, m.heatAny = [motion.HeatSize * motion.HeatSize]byte{}, false
}

// Detector is the analyzer of a detector (detect.Cascade, detect.Net): an event per label
// it finds, while it keeps finding it.
type Detector struct {
	det  DetectFunc
	tr   *tracker
	keys []trackKey
	// pace spaces the frames it looks at: detectors cost more than motion.
	pace capture.Pacer
}

// DetectFunc finds things in a luma plane: their labels with a confidence 0…1.
type DetectFunc func(y []byte, w, h, stride int) (map[string]float64, error)

// NewDetector makes a detector's analyzer for a camera; labels are those it may give,
// fps how often it looks (0: 2 a second).
func NewDetector(camera string, labels []string, fps float64, det DetectFunc, h Hysteresis, sink Sink) (*Detector, error) {
	tr, err := newTracker(camera, h, sink)
	if err != nil {
		return nil, fmt.Errorf("camera %s: detector %w", camera, err)
	}
	if fps <= 0 {
		fps = 2
	}
	d := &Detector{det: det, tr: tr, pace: capture.Pacer{Every: time.Duration(float64(time.Second) / min(fps, MaxFPS))}}
	for _, l := range labels {
		d.keys = append(d.keys, trackKey{l, ""})
	}
	return d, nil
}

// Frame looks at a frame when its time has come.
func (d *Detector) Frame(f Luma) error {
	if !d.pace.Take(f.At) {
		return nil
	}
	found, err := d.det(f.Y, f.Width, f.Height, f.Stride)
	if err != nil {
		return err
	}
	scores := map[trackKey]float64{}
	for l, s := range found {
		scores[trackKey{l, ""}] = s
	}
	d.tr.observe(f.At, d.keys, scores, f.Snapshot)
	return nil
}

// Flush ends the open detections.
func (d *Detector) Flush() { d.tr.flush() }
