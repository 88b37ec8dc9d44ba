package panel

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/analytics/dash"
	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
)

// Defaults of the health sampler: a sample of every camera every 10 s, written as one row
// per camera per minute (their average), so 16 cameras' month is 690 000 rows rather than
// 4 million, and a minute's outage still shows.
const (
	healthEvery = 10 * time.Second
	healthRow   = time.Minute
	// healthWriteTimeout bounds one minute's write; a slow database loses that minute,
	// never delays the next samples for long.
	healthWriteTimeout = 10 * time.Second
)

// healthSampler records every camera's health — connected (frames arriving), fps and
// bitrate received — into the event store for the dashboards: one goroutine for all
// cameras, reading what each stream already counts (Stream.Status, Stream.Stats: the
// numbers the tiles and `vigil --stats` show). A camera nobody needs (stopped) has no
// sample: nothing is known of it.
type healthSampler struct {
	every, row time.Duration
	// open is the event store, opened on first use (nil, err while it cannot be).
	open func() (*store.Store, error)
	log  *slog.Logger

	mu      sync.Mutex
	streams []*capture.Stream

	cancel context.CancelFunc
	done   chan struct{}
}

// healthSum is one camera's samples of the row being gathered.
type healthSum struct {
	n, up     int
	fps, kbps float64
}

// startHealth starts the sampler of streams.
func startHealth(streams []*capture.Stream, every, row time.Duration, open func() (*store.Store, error), log *slog.Logger) *healthSampler {
	ctx, cancel := context.WithCancel(context.Background())
	h := &healthSampler{every: every, row: row, open: open, log: log.With("component", "health"), streams: slices.Clone(streams),
		cancel: cancel, done: make(chan struct{})}
	go h.run(ctx)
	return h
}

// setStreams follows the cameras after an edit.
func (h *healthSampler) setStreams(streams []*capture.Stream) {
	h.mu.Lock()
	h.streams = slices.Clone(streams)
	h.mu.Unlock()
}

// stop ends the sampler, writing the samples of the minute it was in.
func (h *healthSampler) stop() {
	h.cancel()
	<-h.done
}

func (h *healthSampler) run(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(h.every)
	defer t.Stop()
	sums := map[string]*healthSum{}
	var window time.Time // the start of the row being gathered
	failing := false
	for {
		select {
		case <-ctx.Done():
			h.write(window, sums, &failing)
			return
		case now := <-t.C:
			if w := now.Truncate(h.row); !w.Equal(window) {
				h.write(window, sums, &failing)
				clear(sums)
				window = w
			}
			h.sample(sums)
		}
	}
}

// sample adds a sample of every camera that is running.
func (h *healthSampler) sample(sums map[string]*healthSum) {
	h.mu.Lock()
	streams := h.streams
	h.mu.Unlock()
	for _, s := range streams {
		st := s.Status()
		if st.State == capture.StateStopped {
			continue
		}
		snap := s.Stats()
		sum := sums[s.Name()]
		if sum == nil {
			sum = &healthSum{}
			sums[s.Name()] = sum
		}
		sum.n++
		if st.State == capture.StateLive || st.State == capture.StateFallback {
			sum.up++
		}
		sum.fps += snap.FPSIn
		sum.kbps += snap.BitrateKbps
	}
}

// write stores a row per camera of the samples gathered since window. A failure is logged
// once until a write succeeds again.
func (h *healthSampler) write(window time.Time, sums map[string]*healthSum, failing *bool) {
	if len(sums) == 0 {
		return
	}
	rows := make([]store.CameraStat, 0, len(sums))
	for name, s := range sums {
		n := float64(s.n)
		rows = append(rows, store.CameraStat{Camera: name, At: window, Up: float64(s.up) / n, FPS: s.fps / n, Kbps: s.kbps / n})
	}
	slices.SortFunc(rows, func(a, b store.CameraStat) int { return cmp.Compare(a.Camera, b.Camera) })
	st, err := h.open()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), healthWriteTimeout)
		for batch := range slices.Chunk(rows, store.MaxHealthBatch) {
			if err = st.PutHealth(ctx, batch); err != nil {
				break
			}
		}
		cancel()
	}
	switch {
	case err != nil && !*failing:
		h.log.Warn("camera health is not kept", "cameras", len(rows), "err", capture.CleanError(err))
	case err == nil && *failing:
		h.log.Info("camera health is kept again")
	}
	*failing = err != nil
}

// startHealth starts recording the cameras' health, once (StartAnalytics).
func (p *Panel) startHealth() {
	if p.health != nil {
		return
	}
	an := p.cfg.Analytics // a copy: the sampler's goroutine never reads the settings
	open := func() (*store.Store, error) { return p.an.eventStoreOf(an) }
	every, row := capture.OrDefault(p.healthEvery, healthEvery), capture.OrDefault(p.healthRow, healthRow)
	p.health = startHealth(p.streams, every, row, open, p.log)
}

// Chart is one of the dashboards.
type Chart int

// The dashboards.
const (
	ChartEventsPerHour Chart = iota
	ChartKindsPerDay
	ChartUptime
	ChartFPS
	ChartBitrate
)

// healthPoints is how many buckets a line of fps or bitrate has at most: one per 3 pixels
// of a 960-pixel chart.
const healthPoints = 320

// Chart draws a dashboard over [since, until) (camera and kind "" for all; kind narrows
// only the events' charts), w×h pixels: events per hour per camera, detections by kind per
// day, or each camera's uptime (% per hour), fps or bitrate.
func (p *Panel) Chart(ctx context.Context, c Chart, camera, kind string, since, until time.Time, w, h int) (image.Image, error) {
	switch c {
	case ChartEventsPerHour:
		return p.EventsChart(ctx, camera, kind, since, until, w, h)
	case ChartKindsPerDay:
		st, err := p.eventStore()
		if err != nil {
			return nil, err
		}
		counts, err := st.CountsByDay(ctx, camera, kind, since, until)
		if err != nil {
			return nil, err
		}
		return dash.KindsPerDay(counts, since, until, "detections by kind per day"+of(camera), w, h)
	}
	m, ok := map[Chart]dash.Metric{ChartUptime: dash.Uptime, ChartFPS: dash.FPS, ChartBitrate: dash.Bitrate}[c]
	if !ok {
		return nil, fmt.Errorf("no dashboard %d", c)
	}
	st, err := p.eventStore()
	if err != nil {
		return nil, err
	}
	// No finer than the rows: a bucket shorter than a minute would be empty between them.
	row := capture.OrDefault(p.healthRow, healthRow)
	points, title := max(1, min(healthPoints, int(until.Sub(since)/row))), m.String()+of(camera)
	if c == ChartUptime { // per hour, on the clock's hours
		since = since.Truncate(time.Hour)
		points = int(until.Sub(since)/time.Hour) + 1
		until = since.Add(time.Duration(points) * time.Hour)
		title += " per hour"
	}
	stats, err := st.Health(ctx, camera, since, until, points)
	if err != nil {
		return nil, err
	}
	return dash.Health(stats, m, since, until, store.HealthBucket(since, until, points), title, w, h)
}

// of names a camera in a chart's title.
func of(camera string) string {
	if camera == "" {
		return ""
	}
	return " of " + camera
}
