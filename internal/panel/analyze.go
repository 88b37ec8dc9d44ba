package panel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/detect"
	"github.com/vigil-cctv/vigil/config"
)

// Analyzers makes the analyzers a camera's `analyzers:` lists (config.Config.AnalyzerNames:
// motion, tuned by motion, the detectors of detect.Builtins, and the models of the
// settings' analytics.models, looked up in models), reporting to sink; heat, when set,
// receives the motion maps. The wall and `vigil analyze` both build theirs here. close
// releases the detectors' OpenCV memory once they have stopped.
func Analyzers(camera string, kinds []string, models []config.Model, motion *config.Motion, heat func(time.Time, []byte), sink analytics.Sink) (ans []analytics.Analyzer, close func(), err error) {
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	fail := func(err error) ([]analytics.Analyzer, func(), error) {
		closeAll()
		return nil, nil, err
	}
	for _, kind := range kinds {
		if kind == "motion" {
			m, err := analytics.NewMotion(camera, analytics.MotionOptions{Config: motionConfig(motion), Heat: heat}, sink)
			if err != nil {
				return fail(err)
			}
			ans = append(ans, m)
			continue
		}
		var (
			det    detect.Detector
			labels = []string{kind}
			fps    float64
		)
		if i := slices.IndexFunc(models, func(m config.Model) bool { return m.Name == kind }); i >= 0 {
			n, err := newNet(models[i])
			if err != nil {
				return fail(err)
			}
			det, labels, fps = n, netLabels(n), models[i].FPS
		} else {
			c, err := detect.NewBuiltin(kind)
			if err != nil {
				return fail(err)
			}
			det = c
		}
		closers = append(closers, det.Close)
		d, err := analytics.NewDetector(camera, labels, fps, detectFunc(det), analytics.Hysteresis{}, sink)
		if err != nil {
			return fail(err)
		}
		ans = append(ans, d)
	}
	return ans, closeAll, nil
}

// newNet loads a model of the settings, its files checked here (not when the settings
// are read: they may come from another machine): an error names the model and the path.
func newNet(m config.Model) (*detect.Net, error) {
	model, cfg, labels, err := m.Files()
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ key, path string }{{"model", model}, {"config", cfg}, {"labels", labels}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is said once
			}
			return nil, fmt.Errorf("model %q: %s file %s: %w (see analytics.models in the settings)", m.Name, f.key, f.path, err)
		}
	}
	n, err := detect.NewNet(detect.NetOptions{Model: model, Config: cfg, Labels: labels, Size: m.Size, Scale: m.Scale, Mean: m.Mean, MinScore: m.MinScore})
	if err != nil {
		return nil, fmt.Errorf("model %q (%s): %w", m.Name, model, err)
	}
	return n, nil
}

// netLabels are the labels a model may give, each once: its label file's names.
func netLabels(n *detect.Net) []string {
	var out []string
	for _, l := range n.Labels() {
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
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

// AnalyzeFile runs the analyzers kinds names (as a camera's `analyzers:` does, models
// naming the settings' models) on a video file: analytics.AnalyzeFile with the wall's
// analyzers, made afresh for each span, and all closed when it returns.
func AnalyzeFile(ctx context.Context, path string, kinds []string, models []config.Model) ([]analytics.FileEvent, error) {
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	return analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Analyzers: func(camera string, sink analytics.Sink) ([]analytics.Analyzer, error) {
		ans, c, err := Analyzers(camera, kinds, models, nil, nil, sink)
		if c != nil {
			closers = append(closers, c)
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
	ans, closeAll, err := Analyzers(s.Name(), kinds, cfg.Analytics.Models, nil, nil, analytics.SinkFunc(func(e analytics.Event) {
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
