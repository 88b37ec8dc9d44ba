package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// recorderOptions turns the settings into the recorder's options; out, when set,
// replaces the recordings folder.
func recorderOptions(r config.Recording, out string, log *slog.Logger) (recorder.Options, error) {
	root := out
	if root == "" {
		var err error
		if root, err = r.Dir(); err != nil {
			return recorder.Options{}, err
		}
	}
	o := recorder.Options{Root: root, Logger: log,
		Segment:  time.Duration(r.SegmentMinutes * float64(time.Minute)),
		PreRoll:  time.Duration(r.PreRollSeconds * float64(time.Second)),
		MaxAge:   time.Duration(r.MaxAgeDays * 24 * float64(time.Hour)),
		MaxBytes: int64(r.MaxSizeGB * (1 << 30)),
	}
	switch {
	case r.MinFreeMB < 0:
		o.MinFree = -1
	case r.MinFreeMB > 0:
		o.MinFree = int64(r.MinFreeMB * (1 << 20))
	}
	return o, nil
}

// cameraList collects repeated --camera flags.
type cameraList []string

func (c *cameraList) String() string     { return strings.Join(*c, ",") }
func (c *cameraList) Set(v string) error { *c = append(*c, v); return nil }

// urlCameraName names a camera given by URL after its host and path.
func urlCameraName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return capture.RedactURL(raw)
	}
	name := u.Hostname()
	if p := strings.Trim(u.Path, "/"); p != "" {
		name += "_" + strings.ReplaceAll(p, "/", "_")
	}
	return name
}

func runRecord(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil record", "usage: vigil record [--config FILE] --camera NAME|URL … [--duration 30s] [--out DIR]\n\n"+
		"Records cameras headless, each to its own MP4 files, until the duration ends or Ctrl-C;\n"+
		"every file is closed cleanly either way.", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings, else the built-in demo wall)")
	var cams cameraList
	fs.Var(&cams, "camera", "a camera's name from the settings, or a stream URL (repeat for several)")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted)")
	out := fs.String("out", "", "recordings folder (default: recording.root from the settings)")
	verbose := fs.Bool("v", false, "log debug messages")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if len(cams) == 0 {
		fmt.Fprintln(stderr, "vigil record: name at least one --camera (a camera from the settings, or a URL)")
		return exitUsage
	}
	cfg, _, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "vigil record: the settings are not valid:\n%v\n", err)
		return exitFailed
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := newLogger(stderr, level)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	code, err := record(ctx, cfg, cams, *out, log, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "vigil record:", err)
	}
	return code
}

// record records the cameras until ctx ends and prints what was written.
func record(ctx context.Context, cfg *config.Config, cams []string, out string, log *slog.Logger, stdout io.Writer) (int, error) {
	// The demo cameras need their in-process server; configured cameras are built alone.
	var demoNamed bool
	for _, c := range cams {
		demoNamed = demoNamed || slices.Contains(cfg.Demo.CameraNames(), c)
	}
	var streams []*capture.Stream
	stopDemo := func() {}
	if demoNamed {
		all, sd, _, err := buildStreams(cfg, cfg.Pin, log)
		if err != nil {
			return exitFailed, err
		}
		stopDemo = sd
		for _, s := range all {
			if slices.Contains(cams, s.Name()) {
				streams = append(streams, s)
			} else {
				s.Close()
			}
		}
	}
	defer stopDemo()
	for _, c := range cams {
		if slices.Contains(cfg.Demo.CameraNames(), c) {
			continue
		}
		cam, ok := cfg.Camera(c)
		if !ok {
			if !strings.Contains(c, "://") {
				return exitUsage, fmt.Errorf("no camera %q in the settings (give its name as in the settings, or a URL)", c)
			}
			if _, err := capture.ParseURL(c); err != nil { // before naming: a broken URL's "host" may be a password
				return exitUsage, err
			}
			cam = config.Camera{Name: urlCameraName(c), Streams: []config.Stream{{URL: c}}}
		}
		s, err := newCameraStream(cam, cfg.Pin, log)
		if err != nil {
			return exitFailed, err
		}
		streams = append(streams, s)
	}
	defer func() {
		for _, s := range streams {
			s.Close()
		}
	}()

	opts, err := recorderOptions(cfg.Recording, out, log)
	if err != nil {
		return exitFailed, err
	}
	root, err := recorder.Open(opts)
	if err != nil {
		return exitFailed, err
	}
	var recs []*recorder.Recording
	for _, s := range streams {
		rec, err := root.Start(s.Name(), s, nil)
		if err != nil {
			root.Close()
			return exitFailed, err
		}
		recs = append(recs, rec)
	}
	fmt.Fprintf(stdout, "recording %d camera(s) into %s; Ctrl-C stops\n", len(recs), root.Dir())

	// Report a camera whose recording fails while the others go on.
	var wg sync.WaitGroup
	for _, rec := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
			case <-rec.Done():
				if err := rec.Status().Err; err != nil {
					log.Error("recording stopped", "component", "record", "camera", rec.Camera(), "err", err)
				}
			}
		}()
	}
	<-ctx.Done()
	wg.Wait()
	var failed []error
	for _, rec := range recs {
		if err := rec.Stop(); err != nil {
			failed = append(failed, err)
		}
	}
	if err := root.Close(); err != nil {
		failed = append(failed, err)
	}
	for _, rec := range recs {
		st := rec.Status()
		line := fmt.Sprintf("%s: %d file(s), %.1f MB, %d dropped", rec.Camera(), st.Segments, float64(st.Bytes)/1e6, st.Drops)
		if st.Err != nil {
			line += " — " + st.Err.Error()
		}
		fmt.Fprintln(stdout, line)
	}
	if len(failed) > 0 {
		return exitFailed, errors.Join(failed...)
	}
	return exitOK, nil
}
