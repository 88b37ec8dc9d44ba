package panel

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/dash"
	"github.com/vigil-cctv/vigil/analytics/motion"
	"github.com/vigil-cctv/vigil/analytics/store"
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
	// open is each camera's open events, by kind and zone; true for a detection.
	open map[string]map[string]bool
	// store keeps the events (sink writes to it); storeTried once it was opened or
	// failed to.
	store      *store.Store
	storeTried bool
	// heatWrites counts motion maps being written; close waits for them.
	heatWrites sync.WaitGroup
}

type analyzerRun struct {
	stream *capture.Stream
	cancel context.CancelFunc
	done   chan struct{}
	// motion are the camera's motion analyzers, held while its own PTZ moves.
	motion []*analytics.Motion
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

// event hands an analyzer's event on: to the sink, and to the motion listeners when the
// camera's state changes (its first event starts, its last ends, a detection's label
// comes or goes). A peak update changes nothing they show.
func (a *cameraAnalytics) event(e analytics.Event) {
	a.mu.Lock()
	sink, listeners := a.sink, slices.Clone(a.onMotion)
	if a.open == nil {
		a.open = map[string]map[string]bool{}
	}
	was := a.shown(e.Camera)
	key := e.Kind + "\x00" + e.Zone
	if e.Ended() {
		delete(a.open[e.Camera], key)
	} else {
		if a.open[e.Camera] == nil {
			a.open[e.Camera] = map[string]bool{}
		}
		a.open[e.Camera][key] = e.Kind != "motion"
	}
	now := a.shown(e.Camera)
	a.mu.Unlock()
	if sink != nil {
		sink.Event(e)
	}
	if now == was {
		return
	}
	for _, f := range listeners {
		f(e.Camera, now.on, now.label)
	}
}

type motionShown struct {
	on    bool
	label string
}

// shown is what a camera's tile shows of its open events (a.mu held): on while any is
// open, labelled by a detection's kind when one is.
func (a *cameraAnalytics) shown(camera string) motionShown {
	var m motionShown
	for key, detection := range a.open[camera] {
		m.on = true
		if kind, _, _ := strings.Cut(key, "\x00"); detection && (m.label == "" || kind < m.label) {
			m.label = kind
		}
	}
	return m
}

// sync starts the analyzers of the cameras that list some and have none running on
// their current stream, and stops those of cameras gone, changed or without analyzers.
func (a *cameraAnalytics) sync(cfg *config.Config, streams []*capture.Stream) {
	want := map[string]*capture.Stream{}
	cams := map[string]config.Camera{}
	for _, s := range streams {
		if c, ok := analyzedCamera(cfg, s.Name()); ok && len(c.Analyzers) > 0 {
			want[s.Name()], cams[s.Name()] = s, c
		}
	}
	if len(want) > 0 {
		a.openEvents(cfg.Analytics)
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
		ans, closeAll, err := a.analyzers(name, cams[name], cfg.Analytics.Models)
		if err != nil {
			a.log.Warn("analytics not started", "component", "analytics", "camera", name, "err", err)
			continue
		}
		var motions []*analytics.Motion
		for _, an := range ans {
			if m, ok := an.(*analytics.Motion); ok {
				motions = append(motions, m)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		r := &analyzerRun{stream: s, cancel: cancel, done: make(chan struct{}), motion: motions}
		a.mu.Lock()
		if a.running == nil {
			a.running = map[string]*analyzerRun{}
		}
		a.running[name] = r
		a.mu.Unlock()
		go func() {
			defer close(r.done)
			defer closeAll()
			if err := analytics.Run(ctx, s, ans...); err != nil {
				a.log.Warn("analytics stopped", "component", "analytics", "camera", name, "err", err)
			}
		}()
	}
}

// analyzers makes a camera's analyzers as its settings list them (Analyzers, with the
// settings' models), and what closes the detectors' OpenCV memory when they stop.
func (a *cameraAnalytics) analyzers(name string, cam config.Camera, models []config.Model) ([]analytics.Analyzer, func(), error) {
	return Analyzers(name, cam.Analyzers, models, cam.Motion, a.putHeat(name), analytics.SinkFunc(a.event))
}

// close stops every camera's analyzers, waits for them, and closes the event store
// (which commits what is queued).
func (a *cameraAnalytics) close() {
	a.mu.Lock()
	runs := a.running
	a.running = nil
	a.mu.Unlock()
	for _, r := range runs {
		r.cancel()
		<-r.done
	}
	a.heatWrites.Wait()
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Warn("closing the event store", "component", "analytics", "err", capture.CleanError(err))
		}
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
	if !p.analyzing && p.recs != nil {
		// Cameras set to record: motion record while their analyzers see something.
		p.mrec = &motionRecorder{rs: p.recs, preRoll: time.Duration(p.cfg.Recording.PreRollSeconds * float64(time.Second))}
		p.OnMotion(func(camera string, on bool, _ string) { p.mrec.motion(camera, on) })
	}
	p.analyzing = true
	p.startHealth()
	p.syncAnalytics()
}

// syncAnalytics makes the analyzers and the motion recordings follow the settings.
func (p *Panel) syncAnalytics() {
	if p.mrec != nil {
		p.mrec.sync(p.cfg, p.streams)
	}
	p.an.sync(p.cfg, p.streams)
}

// storeSink writes the analyzers' events to the event store: a Begin when an event
// starts, an Update at each new peak, an Update and an End when it ends. The store's
// writer queues them, so an analyzer never waits for the database.
type storeSink struct {
	st   *store.Store
	mu   sync.Mutex
	refs map[eventKey]store.Ref
}

type eventKey struct {
	camera, kind, zone string
	start              time.Time
}

func (s *storeSink) Event(e analytics.Event) {
	k := eventKey{e.Camera, e.Kind, e.Zone, e.Start}
	s.mu.Lock()
	ref, open := s.refs[k]
	switch {
	case !open && !e.Ended():
		ref = s.st.Begin(store.Event{Camera: e.Camera, Kind: e.Kind, Zone: e.Zone, Start: e.Start, Peak: e.Peak, Snapshot: e.Snapshot})
		s.refs[k] = ref
	case open && e.Ended():
		delete(s.refs, k)
	}
	s.mu.Unlock()
	switch {
	case open && !e.Ended():
		s.st.Update(ref, e.Peak, time.Now(), e.Snapshot)
	case open && e.Ended():
		s.st.Update(ref, e.Peak, e.End, nil)
		s.st.End(ref, e.End)
	}
}

// openEvents opens the event store of the settings for the analyzers (once, when a
// camera has analyzers); a store that cannot be opened is logged, and the analyzers
// still light the tiles.
func (a *cameraAnalytics) openEvents(an config.Analytics) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sink != nil || a.storeTried {
		return
	}
	a.storeTried = true
	dsn, err := an.DatabaseDSN()
	if err == nil {
		age, size := an.Retention()
		var st *store.Store
		if st, err = store.Open(dsn, store.Options{MaxAgeDays: age, MaxSizeMB: size, Log: a.log}); err == nil {
			a.store = st
			a.sink = &storeSink{st: st, refs: map[eventKey]store.Ref{}}
			return
		}
	}
	a.log.Warn("events are not kept: the event store did not open", "component", "analytics", "err", capture.CleanError(err))
}

// eventStore is the settings' event store, opened on first use.
func (p *Panel) eventStore() (*store.Store, error) { return p.an.eventStoreOf(p.cfg.Analytics) }

// eventStoreOf is the event store of these settings, opened on first use; it is safe from
// any goroutine (the health sampler's).
func (a *cameraAnalytics) eventStoreOf(an config.Analytics) (*store.Store, error) {
	a.openEvents(an)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.store == nil {
		return nil, errors.New("the event store did not open (see the log; analytics.database in the settings)")
	}
	return a.store, nil
}

// Events lists the stored events matching f, newest first (the events pane).
func (p *Panel) Events(ctx context.Context, f store.Filter) ([]store.Event, error) {
	st, err := p.eventStore()
	if err != nil {
		return nil, err
	}
	return st.Query(ctx, f)
}

// EventCount is how many stored events f selects, its Limit aside (the pane's total).
func (p *Panel) EventCount(ctx context.Context, f store.Filter) (int, error) {
	st, err := p.eventStore()
	if err != nil {
		return 0, err
	}
	return st.Count(ctx, f)
}

// EventSnapshot is an event's stored picture (nil when it has none).
func (p *Panel) EventSnapshot(ctx context.Context, id int64) ([]byte, error) {
	st, err := p.eventStore()
	if err != nil {
		return nil, err
	}
	return st.Snapshot(ctx, id)
}

// EventsChart draws events per hour per camera over [since, until) (camera and kind ""
// for all), w×h pixels.
func (p *Panel) EventsChart(ctx context.Context, camera, kind string, since, until time.Time, w, h int) (image.Image, error) {
	st, err := p.eventStore()
	if err != nil {
		return nil, err
	}
	counts, err := st.CountsByHour(ctx, camera, kind, since, until)
	if err != nil {
		return nil, err
	}
	what := "events"
	if kind != "" {
		what = kind + " events"
	}
	return dash.EventsPerHour(counts, since, until, what+of(camera)+" per hour", w, h)
}

// presetTravel is how long motion stays held after a preset recall or a centring, which
// move the head without a stop to say when they end.
var presetTravel = 3 * time.Second

// hold holds or releases a camera's motion analyzers (its PTZ moves or stopped).
func (a *cameraAnalytics) hold(camera string, moving bool) {
	a.mu.Lock()
	r := a.running[camera]
	a.mu.Unlock()
	if r == nil {
		return
	}
	for _, m := range r.motion {
		m.Hold(moving)
	}
}

// heldPTZ wraps a camera's PTZ controller so that its moves hold the camera's motion
// analysis (no events while the head turns; the background is learnt again after).
// What the controller can do besides capture.PTZ stays visible (PTZCenterer, and
// ptzhold's StopBeforeTurn).
func (a *cameraAnalytics) heldPTZ(camera string, c capture.PTZ) capture.PTZ {
	h := &analyticsPTZ{PTZ: c, hold: func(on bool) { a.hold(camera, on) }}
	if cc, ok := c.(capture.PTZCenterer); ok {
		return &analyticsCentrePTZ{analyticsPTZ: h, c: cc}
	}
	return h
}

type analyticsPTZ struct {
	capture.PTZ
	hold func(bool)
}

func (p *analyticsPTZ) Move(ctx context.Context, v capture.Velocity) error {
	p.hold(!v.IsZero())
	return p.PTZ.Move(ctx, v)
}

func (p *analyticsPTZ) Stop(ctx context.Context) error {
	err := p.PTZ.Stop(ctx)
	p.hold(false)
	return err
}

func (p *analyticsPTZ) GotoPreset(ctx context.Context, id string) error {
	p.hold(true)
	time.AfterFunc(presetTravel, func() { p.hold(false) })
	return p.PTZ.GotoPreset(ctx, id)
}

// StopBeforeTurn forwards the controller's answer (true, ptzhold's default, without one).
func (p *analyticsPTZ) StopBeforeTurn() bool {
	if s, ok := p.PTZ.(interface{ StopBeforeTurn() bool }); ok {
		return s.StopBeforeTurn()
	}
	return true
}

type analyticsCentrePTZ struct {
	*analyticsPTZ
	c capture.PTZCenterer
}

func (p *analyticsCentrePTZ) Center(ctx context.Context, x, y float64) error {
	p.hold(true)
	time.AfterFunc(presetTravel, func() { p.hold(false) })
	return p.c.Center(ctx, x, y)
}

// putHeat is where a camera's motion maps go: the event store, written off the
// analyzer's goroutine (one map a minute per camera, so never many at once).
func (a *cameraAnalytics) putHeat(camera string) func(time.Time, []byte) {
	return func(minute time.Time, heat []byte) {
		a.mu.Lock()
		st := a.store
		a.mu.Unlock()
		if st == nil {
			return
		}
		a.heatWrites.Add(1)
		go func() {
			defer a.heatWrites.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := st.PutHeat(ctx, camera, minute, heat); err != nil {
				a.log.Warn("motion map not kept", "component", "analytics", "camera", camera, "err", capture.CleanError(err))
			}
		}()
	}
}

// analyzedCamera is a camera's settings for its analyzers: its entry in the settings,
// or, for a quiet demo camera, motion analysis with the defaults.
func analyzedCamera(cfg *config.Config, name string) (config.Camera, bool) {
	if c, ok := cfg.Camera(name); ok {
		return c, true
	}
	if slices.Contains(cfg.Demo.QuietNames(), name) {
		return config.Camera{Name: name, Analyzers: []string{"motion"}}, true
	}
	return config.Camera{}, false
}
