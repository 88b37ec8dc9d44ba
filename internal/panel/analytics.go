package panel

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/motion"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// cameraAnalytics runs the analyzers of the cameras that list some (`analyzers:` in the
// settings), each camera on its own goroutine, as consumers of the cameras' streams: they
// keep running while a tile is hidden or stopped. Events go to the motion listeners (the
// tiles' borders) and to the event sink.
type cameraAnalytics struct {
	log *slog.Logger

	mu       sync.Mutex
	running  map[string]*analyzerRun // by camera name
	onMotion []func(camera string, on bool, label string)
	sink     analytics.Sink
}

type analyzerRun struct {
	stream *capture.Stream
	cancel context.CancelFunc
	done   chan struct{}
}

// motionConfig turns a camera's motion settings into the detector's.
func motionConfig(m *config.Motion) motion.Config {
	var c motion.Config
	if m == nil {
		return c
	}
	points := func(p [][2]float64) []motion.Point {
		out := make([]motion.Point, len(p))
		for i, q := range p {
			out[i] = motion.Point{X: q[0], Y: q[1]}
		}
		return out
	}
	c.Threshold, c.MinArea = m.Threshold, m.MinArea
	for _, z := range m.Zones {
		c.Zones = append(c.Zones, motion.Zone{Name: z.Name, Polygon: points(z.Points), Threshold: z.Threshold, MinArea: z.MinArea})
	}
	for _, mk := range m.Masks {
		c.Masks = append(c.Masks, points(mk))
	}
	return c
}

// event hands an analyzer's event on: to the sink, and to the motion listeners when it
// starts or ends.
func (a *cameraAnalytics) event(e analytics.Event) {
	a.mu.Lock()
	sink, listeners := a.sink, slices.Clone(a.onMotion)
	a.mu.Unlock()
	if sink != nil {
		sink.Event(e)
	}
	label := ""
	if e.Kind != "motion" {
		label = e.Kind
	}
	for _, f := range listeners {
		f(e.Camera, !e.Ended(), label)
	}
}

// sync starts the analyzers of the cameras that list some and have none running on
// their current stream, and stops those of cameras gone, changed or without analyzers.
func (a *cameraAnalytics) sync(cfg *config.Config, streams []*capture.Stream) {
	want := map[string]*capture.Stream{}
	cams := map[string]config.Camera{}
	for _, s := range streams {
		if c, ok := cfg.Camera(s.Name()); ok && len(c.Analyzers) > 0 {
			want[s.Name()], cams[s.Name()] = s, c
		}
	}
	a.mu.Lock()
	var stop []*analyzerRun
	for name, r := range a.running {
		if want[name] != r.stream {
			stop = append(stop, r)
			delete(a.running, name)
		}
	}
	a.mu.Unlock()
	for _, r := range stop {
		r.cancel()
		<-r.done
	}
	for name, s := range want {
		a.mu.Lock()
		_, on := a.running[name]
		a.mu.Unlock()
		if on {
			continue
		}
		m, err := analytics.NewMotion(name, analytics.MotionOptions{Config: motionConfig(cams[name].Motion)}, analytics.SinkFunc(a.event))
		if err != nil {
			a.log.Warn("motion analysis not started", "component", "analytics", "camera", name, "err", err)
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		r := &analyzerRun{stream: s, cancel: cancel, done: make(chan struct{})}
		a.mu.Lock()
		if a.running == nil {
			a.running = map[string]*analyzerRun{}
		}
		a.running[name] = r
		a.mu.Unlock()
		go func() {
			defer close(r.done)
			if err := analytics.Run(ctx, s, m); err != nil {
				a.log.Warn("motion analysis stopped", "component", "analytics", "camera", name, "err", err)
			}
		}()
	}
}

// close stops every camera's analyzers and waits for them.
func (a *cameraAnalytics) close() {
	a.mu.Lock()
	runs := a.running
	a.running = nil
	a.mu.Unlock()
	for _, r := range runs {
		r.cancel()
		<-r.done
	}
}

// OnMotion registers f to be told when a camera's motion starts and ends (label names a
// detection, "" for plain motion), from the analyzers' goroutines: the tiles' borders.
func (p *Panel) OnMotion(f func(camera string, on bool, label string)) {
	p.an.mu.Lock()
	p.an.onMotion = append(p.an.onMotion, f)
	p.an.mu.Unlock()
}

// StartAnalytics starts the analyzers of the cameras that list some.
func (p *Panel) StartAnalytics() {
	p.analyzing = true
	p.an.sync(p.cfg, p.streams)
}
