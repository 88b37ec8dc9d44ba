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
	"time"

	"github.com/vigil-cctv/vigil/analytics/motion"
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

// MotionOptions say when motion makes an event.
type MotionOptions struct {
	motion.Config
	// Gap is how long without motion ends an event (2 s). The event's End is the last
	// frame with motion, not the end of the gap.
	Gap time.Duration
	// MinFrames is how many of the last three frames must show motion to start an event
	// (2): a single frame is noise. The event's Start is the first of them.
	MinFrames int
}

// Motion turns one camera's motion detector into events: one for the whole picture, or
// one per zone when the camera has zones.
type Motion struct {
	camera string
	o      MotionOptions
	det    *motion.Detector
	sink   Sink
	// open is the event per zone ("" without zones); recent the last frames' motion.
	open   map[string]*openEvent
	recent map[string][]frameSeen
	last   motion.Result
}

type openEvent struct {
	ev       Event
	lastSeen time.Time
}

// NewMotion makes the motion analyzer of a camera.
func NewMotion(camera string, o MotionOptions, sink Sink) (*Motion, error) {
	if o.Gap == 0 {
		o.Gap = 2 * time.Second
	}
	if o.MinFrames == 0 {
		o.MinFrames = 2
	}
	if o.Gap < 0 || o.MinFrames < 1 || o.MinFrames > 3 {
		return nil, fmt.Errorf("motion events: gap %v and minimum frames %d: want a gap > 0 and 1 to 3 frames", o.Gap, o.MinFrames)
	}
	det, err := motion.New(o.Config)
	if err != nil {
		return nil, fmt.Errorf("camera %s: %w", camera, err)
	}
	return &Motion{camera: camera, o: o, det: det, sink: sink, open: map[string]*openEvent{}, recent: map[string][]frameSeen{}}, nil
}

// Last is the detector's result on the last frame (for the tile's motion border).
func (m *Motion) Last() motion.Result { return m.last }

// Reset forgets the background (the camera's PTZ moved) and ends open events at their
// last motion.
func (m *Motion) Reset() {
	m.det.Reset()
	m.Flush()
}

// Frame analyses one frame.
func (m *Motion) Frame(f Luma) error {
	r, err := m.det.Detect(f.Y, f.Width, f.Height, f.Stride)
	if err != nil {
		return err
	}
	m.last = r
	scores := map[string]float64{}
	if len(m.det.Config().Zones) == 0 {
		if r.Motion {
			scores[""] = r.Score
		}
	} else {
		for _, z := range r.Zones {
			scores[z.Name] = z.Score
		}
	}
	m.step(f.At, scores)
	return nil
}

func (m *Motion) zones() []string {
	zs := m.det.Config().Zones
	if len(zs) == 0 {
		return []string{""}
	}
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = z.Name
	}
	return out
}

func (m *Motion) step(at time.Time, scores map[string]float64) {
	for _, zone := range m.zones() {
		score, moving := scores[zone]
		// The last three frames, and whether each showed motion here.
		rec := append(m.recent[zone], frameSeen{at: at, moving: moving})
		if len(rec) > 3 {
			rec = rec[len(rec)-3:]
		}
		m.recent[zone] = rec
		oe := m.open[zone]
		switch {
		case oe == nil && moving:
			n, first := 0, time.Time{}
			for _, f := range rec {
				if f.moving {
					if n == 0 {
						first = f.at
					}
					n++
				}
			}
			if n >= m.o.MinFrames {
				oe = &openEvent{ev: Event{Camera: m.camera, Kind: "motion", Zone: zone, Start: first, Peak: score}, lastSeen: at}
				m.open[zone] = oe
				m.sink.Event(oe.ev)
			}
		case oe != nil && moving:
			oe.lastSeen = at
			if score > oe.ev.Peak {
				oe.ev.Peak = score
				m.sink.Event(oe.ev)
			}
		case oe != nil && at.Sub(oe.lastSeen) >= m.o.Gap:
			m.end(zone, oe)
		}
	}
}

type frameSeen struct {
	at     time.Time
	moving bool
}

func (m *Motion) end(zone string, oe *openEvent) {
	oe.ev.End = oe.lastSeen
	m.sink.Event(oe.ev)
	delete(m.open, zone)
}

// Flush ends every open event at its last motion (the stream stopped, the program
// exits, a file ended).
func (m *Motion) Flush() {
	for zone, oe := range m.open {
		m.end(zone, oe)
	}
}
