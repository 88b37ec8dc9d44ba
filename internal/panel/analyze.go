package panel

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/detect"
	"github.com/vigil-cctv/vigil/config"
)

// Analyzers makes the analyzers a camera's `analyzers:` lists (config.Analyzers: motion,
// tuned by motion, and the detectors of detect.Builtins), reporting to sink; heat, when set,
// receives the motion maps. The wall and `vigil analyze` both build theirs here. close
// releases the detectors' OpenCV memory once they have stopped.
func Analyzers(camera string, kinds []string, motion *config.Motion, heat func(time.Time, []byte), sink analytics.Sink) (ans []analytics.Analyzer, close func(), err error) {
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	for _, kind := range kinds {
		if kind == "motion" {
			m, err := analytics.NewMotion(camera, analytics.MotionOptions{Config: motionConfig(motion), Heat: heat}, sink)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			ans = append(ans, m)
			continue
		}
		c, err := detect.NewBuiltin(kind)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, c.Close)
		d, err := analytics.NewDetector(camera, []string{kind}, 0, detectFunc(c), analytics.Hysteresis{}, sink)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		ans = append(ans, d)
	}
	return ans, closeAll, nil
}

// detectFunc reads a detector's findings as the best score per label.
func detectFunc(d detect.Detector) analytics.DetectFunc {
	return func(y []byte, w, h, stride int) (map[string]float64, error) {
		dets, err := d.Detect(y, w, h, stride)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		for _, x := range dets {
			out[x.Label] = max(out[x.Label], x.Score)
		}
		return out, nil
	}
}

// AnalyzeFile runs the analyzers kinds names (as a camera's `analyzers:` does) on a
// video file: analytics.AnalyzeFile with the wall's analyzers.
func AnalyzeFile(ctx context.Context, path string, kinds []string) ([]analytics.FileEvent, error) {
	closeAll := func() {}
	defer func() { closeAll() }()
	return analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Analyzers: func(camera string, sink analytics.Sink) ([]analytics.Analyzer, error) {
		ans, c, err := Analyzers(camera, kinds, nil, nil, sink)
		if c != nil {
			closeAll = c
		}
		return ans, err
	}})
}

// AnalyzeCamera runs the analyzers kinds names on a live camera (a camera's name in the
// settings, a demo camera's, or a stream URL opened with user and password, as `vigil
// record` opens them) until ctx ends, and hands each event to sink. A target or
// analyzer that cannot be made is a *UsageError; a camera that failed and gave no
// event returns its last error.
func AnalyzeCamera(ctx context.Context, cfg *config.Config, target, user, password string, kinds []string, sink analytics.Sink, log *slog.Logger) error {
	streams, closeStreams, err := RecordStreams(cfg, []string{target}, user, password, log)
	if err != nil {
		return &UsageError{err}
	}
	defer closeStreams()
	s := streams[0]
	n := 0 // events ended, counted on the analyzers' goroutine
	ans, closeAll, err := Analyzers(s.Name(), kinds, nil, nil, analytics.SinkFunc(func(e analytics.Event) {
		if e.Ended() {
			n++
		}
		sink.Event(e)
	}))
	if err != nil {
		return &UsageError{err}
	}
	defer closeAll()
	if err := analytics.Run(ctx, s, ans...); err != nil {
		return err
	}
	if st := s.Status(); n == 0 && st.Err != nil {
		return fmt.Errorf("%s: %w", s.Name(), st.Err)
	}
	return nil
}
