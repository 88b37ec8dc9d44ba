package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/recorder"
)

// cameraList collects repeated --camera flags.
type cameraList []string

func (c *cameraList) String() string     { return strings.Join(*c, ",") }
func (c *cameraList) Set(v string) error { *c = append(*c, v); return nil }

// recordRequest is what `vigil record` was asked to do.
type recordRequest struct {
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
}

func runRecord(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil record", "usage: vigil record [--config FILE] --camera NAME|URL … [--duration 30s] [--out DIR]\n\n"+
		"Records cameras headless, each to its own MP4 files, until the duration ends, Ctrl-C, or\n"+
		"every recording has stopped (the disk's free-space floor, a write error); every file is\n"+
		"closed cleanly either way and listed. Exit code 0 when every camera recorded something,\n"+
		"1 when one recorded nothing (each such camera is named with its last error), 2 for bad usage.", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings, else the built-in demo wall)")
	var cams cameraList
	fs.Var(&cams, "camera", "a camera's name from the settings, or a stream URL (repeat for several)")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted)")
	out := fs.String("out", "", "recordings folder (default: recording.root from the settings)")
	user := fs.String("user", "", "user name of cameras given by URL (or put user:pass@ in the URL)")
	password := fs.String("password", "", "password of cameras given by URL (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	giveUp := fs.Duration("give-up", 30*time.Second, "stop waiting for a camera that has recorded nothing after this long (0: keep retrying)")
	verbose := fs.Bool("v", false, "log debug messages")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if len(cams) == 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "vigil record: name at least one --camera (a camera from the settings, or a URL)")
		return exitUsage
	}
	if *duration < 0 || *giveUp < 0 {
		fmt.Fprintln(stderr, "vigil record: --duration and --give-up take a time that is not negative, e.g. 30s")
		return exitUsage
	}
	if *password == "" {
		*password = os.Getenv("VIGIL_PASSWORD")
	}
	cfg, ok := loadSettings("vigil record", *cfgPath, stderr)
	if !ok {
		return exitFailed
	}
	level := logLevel(*verbose)
	log := newLogger(stderr, level)

	ctx, stop := commandContext(*duration)
	defer stop()
	code, err := record(ctx, cfg, recordRequest{Cameras: cams, Out: *out, User: *user, Password: *password, GiveUp: *giveUp}, log, stdout)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "vigil record:", line)
		}
	}
	return code
}

// record records the cameras until ctx ends or every recording has stopped, and prints
// what was written: per camera a summary line and every file. A camera that recorded
// nothing makes the exit code exitFailed, with its last error in err (one line each).
func record(ctx context.Context, cfg *config.Config, req recordRequest, log *slog.Logger, stdout io.Writer) (int, error) {
	if n := countPush(req.Cameras); n > 0 {
		if n != len(req.Cameras) {
			return exitUsage, errors.New("record push:// listeners on their own, without other cameras")
		}
		return recordPushers(ctx, cfg, req, log, stdout)
	}
	streams, stopStreams, err := panel.RecordStreams(cfg, req.Cameras, req.User, req.Password, log)
	var usage *panel.UsageError
	if errors.As(err, &usage) {
		return exitUsage, err
	}
	if err != nil {
		return exitFailed, err
	}
	defer stopStreams()

	root, err := openRoot(cfg, req, log)
	if err != nil {
		return exitFailed, err
	}
	start := time.Now()
	recs := make([]*recorder.Recording, 0, len(streams))
	for _, s := range streams {
		rec, err := root.Start(s.Name(), s, nil)
		if err != nil {
			for _, r := range recs {
				r.Stop()
			}
			root.Close()
			return exitFailed, err
		}
		recs = append(recs, rec)
	}
	fmt.Fprintf(stdout, "recording %d camera(s) into %s; Ctrl-C stops\n", len(recs), root.Dir())

	gaveUp := panel.WatchRecordings(ctx, recs, streams, req.GiveUp, log)
	for _, rec := range recs {
		rec.Stop() // its error stays in Status
	}
	return summarise(stdout, root, recs, streams, gaveUp, start, nil)
}

// summarise closes root and prints, per recording, a summary line and every file written
// since start. A camera that recorded nothing makes the exit code exitFailed, with its
// last error in err; so does each error of failed.
func summarise(stdout io.Writer, root *recorder.Root, recs []*recorder.Recording, streams []*capture.Stream, gaveUp map[string]error, start time.Time, failed []error) (int, error) {
	if err := root.Close(); err != nil {
		failed = append(failed, err)
	}
	for i, rec := range recs {
		st := rec.Status()
		if st.Bytes == 0 || st.Segments == 0 {
			why := gaveUp[rec.Camera()]
			if why == nil {
				why = panel.LastError(st.Err, streams[i].SubscribedStatus())
			}
			fmt.Fprintf(stdout, "%s: recorded nothing\n", rec.Camera())
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
		for _, f := range panel.FilesSince(filepath.Join(root.Dir(), recorder.SafeName(rec.Camera())), start) {
			fmt.Fprintf(stdout, "  %s (%.1f MB)\n", f.Path, float64(f.Size)/1e6)
		}
	}
	if len(failed) > 0 {
		return exitFailed, errors.Join(failed...)
	}
	return exitOK, nil
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
// --password (VIGIL_PASSWORD), else the settings' push: entry of the same address.
func recordPushers(ctx context.Context, cfg *config.Config, req recordRequest, log *slog.Logger, stdout io.Writer) (int, error) {
	root, err := openRoot(cfg, req, log)
	if err != nil {
		return exitFailed, err
	}
	start := time.Now()
	var prs []*panel.PushRecorder
	for _, c := range req.Cameras {
		token := req.Password
		for _, ps := range cfg.Push {
			if token == "" && strings.HasPrefix(strings.ToLower(c), strings.ToLower(ps.URL())) {
				token = ps.Token
			}
		}
		pr, err := panel.RecordPushers(c, token, root, log)
		if err != nil {
			for _, p := range prs {
				p.Stop()
			}
			root.Close()
			return exitUsage, err
		}
		prs = append(prs, pr)
	}
	fmt.Fprintf(stdout, "recording every pusher of %s into %s; Ctrl-C stops\n", strings.Join(req.Cameras, ", "), root.Dir())
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

// openRoot opens the recordings folder of a headless recording: --out, else the settings'.
func openRoot(cfg *config.Config, req recordRequest, log *slog.Logger) (*recorder.Root, error) {
	opts, err := panel.RecorderOptions(cfg.Recording, req.Out, log)
	if err != nil {
		return nil, err
	}
	return recorder.Open(opts)
}
