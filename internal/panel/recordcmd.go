package panel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// RecordRequest is what `vigil record` was asked to do.
type RecordRequest struct {
	// Cameras are names from the settings or stream URLs.
	Cameras []string
	// Out, when set, replaces the settings' recordings folder.
	Out string
	// User and Password are the credentials of cameras given by URL without user:pass@.
	User, Password string
	// GiveUp stops the recording of a camera that has recorded nothing this long after the
	// start (0: never); a camera that refuses the credentials or has no such stream is
	// given up at once.
	GiveUp time.Duration
	// Duration, when set, ends the recording this long after it starts: setting up (the
	// demo's pictures built on a first run, the folder opened) does not count.
	Duration time.Duration
}

// timed is ctx ended after req.Duration from now, when set.
func (req RecordRequest) timed(ctx context.Context) (context.Context, context.CancelFunc) {
	if req.Duration <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, req.Duration)
}

// Record records the cameras headless (`vigil record`) until ctx ends or every recording
// has stopped, and prints what was written: per camera a summary line and every file. A
// request that names no camera to record is a *UsageError; a camera that recorded
// nothing is an error naming it with its last error (one line each).
func Record(ctx context.Context, cfg *config.Config, req RecordRequest, log *slog.Logger, stdout io.Writer) error {
	if n := countPush(req.Cameras); n > 0 {
		if n != len(req.Cameras) {
			return &UsageError{errors.New("record push:// listeners on their own, without other cameras")}
		}
		return recordPushers(ctx, cfg, req, log, stdout)
	}
	streams, stopStreams, err := RecordStreams(cfg, req.Cameras, req.User, req.Password, log)
	if err != nil {
		return err
	}
	defer stopStreams()

	root, err := openRoot(cfg, req, log)
	if err != nil {
		return err
	}
	start := time.Now()
	recs := make([]*recorder.Recording, 0, len(streams))
	var undo []func()
	for _, s := range streams {
		rec, err := root.Start(s.Name(), s, nil)
		if err != nil {
			undoStart(undo, root)
			return err
		}
		recs, undo = append(recs, rec), append(undo, func() { rec.Stop() })
	}
	fmt.Fprintf(stdout, "recording %d camera(s) into %s; Ctrl-C stops\n", len(recs), root.Dir())
	ctx, cancel := req.timed(ctx)
	defer cancel()

	gaveUp := WatchRecordings(ctx, recs, streams, req.GiveUp, log)
	for _, rec := range recs {
		rec.Stop() // its error stays in Status
	}
	return summarise(stdout, root, recs, streams, gaveUp, start, nil)
}

// undoStart stops what a failed start had started, and closes root.
func undoStart(undo []func(), root *recorder.Root) {
	for _, f := range undo {
		f()
	}
	root.Close()
}

// summarise closes root and prints, per recording, a summary line and every file written
// since start. A camera that recorded nothing is an error, with its last error; so is
// each error of failed.
func summarise(stdout io.Writer, root *recorder.Root, recs []*recorder.Recording, streams []*capture.Stream, gaveUp map[string]error, start time.Time, failed []error) error {
	if err := root.Close(); err != nil {
		failed = append(failed, err)
	}
	for i, rec := range recs {
		st := rec.Status()
		if st.Bytes == 0 || st.Segments == 0 {
			why := gaveUp[rec.Camera()]
			if why == nil {
				why = LastError(st.Err, streams[i].SubscribedStatus())
			}
			fmt.Fprintf(stdout, "%s: recorded nothing\n", rec.Camera())
			if a := capture.Explain(why).Advice; a != "" {
				fmt.Fprintf(stdout, "  try: %s\n", a)
			}
			failed = append(failed, fmt.Errorf("%s recorded nothing: %w", rec.Camera(), why))
			continue
		}
		if st.Err != nil {
			failed = append(failed, st.Err)
		}
		line := fmt.Sprintf("%s: %d file(s), %.1f MB, %d dropped", rec.Camera(), st.Segments, float64(st.Bytes)/1e6, st.Drops)
		if st.Err != nil {
			line += " — " + st.Err.Error()
		}
		fmt.Fprintln(stdout, line)
		for _, f := range FilesSince(filepath.Join(root.Dir(), recorder.SafeName(rec.Camera())), start) {
			fmt.Fprintf(stdout, "  %s (%.1f MB)\n", f.Path, float64(f.Size)/1e6)
		}
	}
	return errors.Join(failed...)
}

// countPush counts the push:// listeners among cams.
func countPush(cams []string) int {
	n := 0
	for _, c := range cams {
		if strings.HasPrefix(strings.ToLower(c), "push://") {
			n++
		}
	}
	return n
}

// recordPushers listens at each push://HOST:PORT[/NAME] and records every pusher that
// connects (or only NAME), each to its own files, until ctx ends. The token is
// req.Password (VIGIL_PASSWORD), else the settings' push: entry of the same address.
func recordPushers(ctx context.Context, cfg *config.Config, req RecordRequest, log *slog.Logger, stdout io.Writer) error {
	root, err := openRoot(cfg, req, log)
	if err != nil {
		return err
	}
	start := time.Now()
	var prs []*PushRecorder
	var undo []func()
	for _, c := range req.Cameras {
		token := req.Password
		for _, ps := range cfg.Push {
			if token == "" && strings.HasPrefix(strings.ToLower(c), strings.ToLower(ps.URL())) {
				token = ps.Token
			}
		}
		pr, err := RecordPushers(c, token, root, log)
		if err != nil {
			undoStart(undo, root)
			return &UsageError{err}
		}
		prs, undo = append(prs, pr), append(undo, func() { pr.Stop() })
	}
	fmt.Fprintf(stdout, "recording every pusher of %s into %s; Ctrl-C stops\n", strings.Join(req.Cameras, ", "), root.Dir())
	ctx, cancel := req.timed(ctx)
	defer cancel()
	<-ctx.Done()
	var recs []*recorder.Recording
	var streams []*capture.Stream
	var failed []error
	for _, p := range prs {
		r, s, errs := p.Stop()
		recs, streams, failed = append(recs, r...), append(streams, s...), append(failed, errs...)
	}
	if len(recs) == 0 {
		failed = append(failed, fmt.Errorf("no pusher connected to %s", strings.Join(req.Cameras, ", ")))
	}
	return summarise(stdout, root, recs, streams, nil, start, failed)
}

// openRoot opens the recordings folder of a headless recording: req.Out, else the
// settings'.
func openRoot(cfg *config.Config, req RecordRequest, log *slog.Logger) (*recorder.Root, error) {
	opts, err := RecorderOptions(cfg.Recording, req.Out, log)
	if err != nil {
		return nil, err
	}
	return recorder.Open(opts)
}
