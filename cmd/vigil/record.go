package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/vigil-cctv/vigil/internal/panel"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// cameraList collects repeated --camera flags.
type cameraList []string

func (c *cameraList) String() string     { return strings.Join(*c, ",") }
func (c *cameraList) Set(v string) error { *c = append(*c, v); return nil }

// defaultPorts are the ports a URL camera's name leaves out: rtsp://cam/x and
// rtsp://cam:554/x are one camera.
var defaultPorts = map[string]string{"http": "80", "https": "443", "rtsp": "554", "rtsps": "322"}

// urlCameraName names a camera given by URL: its host, a port other than the scheme's
// default, its path and its query, readable and safe as a folder name on every system
// (other characters become '_'), then a short hash of the URL without credentials, so
// ?channel=1 and ?channel=2, or host:554 and host:8554, are always two cameras even where
// the readable part cannot tell them apart. Credentials never enter the name: user
// information is dropped and secret-looking query values are masked (capture.RedactURL)
// before anything is read from the URL, the hash included.
func urlCameraName(raw string) string {
	u, err := url.Parse(capture.RedactURL(raw))
	if err != nil || u.Host == "" {
		return "camera-" + shortHash(capture.RedactURL(raw))
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if port == defaultPorts[scheme] {
		port = ""
	}
	canon := scheme + "://" + host
	name := host
	if port != "" {
		canon += ":" + port
		name += "-" + port
	}
	canon += u.EscapedPath()
	if p := strings.Trim(u.Path, "/"); p != "" {
		name += "_" + p
	}
	if u.RawQuery != "" {
		canon += "?" + u.RawQuery
		name += "_" + u.RawQuery
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(".-=,+", r):
			b.WriteRune(r)
		case r > 0x7f && unicode.IsLetter(r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	readable := b.String()
	if len(readable) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(readable[cut]) {
			cut--
		}
		readable = readable[:cut]
	}
	return readable + "-" + shortHash(canon)
}

// shortHash is 6 hex digits of SHA-256: enough to tell a handful of cameras apart.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:3])
}

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
	code, err := record(ctx, cfg, recordRequest{Cameras: cams, Out: *out, User: *user, Password: *password, GiveUp: *giveUp}, log, stdout)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "vigil record:", line)
		}
	}
	return code
}

// permanent reports whether a camera's failure will not go away by retrying: the
// credentials, the path or the kind of answer is wrong.
func permanent(err error) bool {
	switch capture.Classify(err) {
	case capture.CauseUnauthorized, capture.CauseNotFound, capture.CauseNotVideo, capture.CauseTLS:
		return true
	}
	return false
}

// record records the cameras until ctx ends or every recording has stopped, and prints
// what was written: per camera a summary line and every file. A camera that recorded
// nothing makes the exit code exitFailed, with its last error in err (one line each).
func record(ctx context.Context, cfg *config.Config, req recordRequest, log *slog.Logger, stdout io.Writer) (int, error) {
	cams := req.Cameras
	// The demo cameras need their in-process server; configured cameras are built alone.
	var demoNamed bool
	for _, c := range cams {
		demoNamed = demoNamed || slices.Contains(cfg.Demo.CameraNames(), c)
	}
	var streams []*capture.Stream
	stopDemo := func() {}
	if demoNamed {
		all, sd, err := panel.BuildStreams(cfg, cfg.Pin, log)
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
	closeStreams := func() {
		for _, s := range streams {
			s.Close()
		}
	}
	for _, c := range cams {
		if slices.Contains(cfg.Demo.CameraNames(), c) {
			continue
		}
		cam, ok := cfg.Camera(c)
		if !ok {
			if !strings.Contains(c, "://") {
				closeStreams()
				return exitUsage, fmt.Errorf("no camera %q in the settings (give its name as in the settings, or a URL)", c)
			}
			if _, err := capture.ParseURL(c); err != nil { // before naming: a broken URL's "host" may be a password
				closeStreams()
				return exitUsage, err
			}
			cam = config.Camera{Name: urlCameraName(c), Streams: []config.Stream{{URL: c}}, User: req.User, Password: req.Password}
		}
		if slices.ContainsFunc(streams, func(s *capture.Stream) bool { return s.Name() == cam.Name }) {
			continue // named twice
		}
		s, err := panel.NewCameraStream(cam, cfg.Pin, log)
		if err != nil {
			closeStreams()
			return exitFailed, err
		}
		streams = append(streams, s)
	}
	defer closeStreams()

	opts, err := panel.RecorderOptions(cfg.Recording, req.Out, log)
	if err != nil {
		return exitFailed, err
	}
	root, err := recorder.Open(opts)
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

	gaveUp := watchRecordings(ctx, recs, streams, req.GiveUp, log)
	for _, rec := range recs {
		rec.Stop() // its error stays in Status
	}
	var failed []error
	if err := root.Close(); err != nil {
		failed = append(failed, err)
	}
	for i, rec := range recs {
		st := rec.Status()
		if st.Bytes == 0 || st.Segments == 0 {
			why := gaveUp[rec.Camera()]
			if why == nil {
				why = lastError(st.Err, streams[i].SubscribedStatus())
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
		for _, f := range filesSince(filepath.Join(root.Dir(), recorder.SafeName(rec.Camera())), start) {
			fmt.Fprintf(stdout, "  %s (%.1f MB)\n", f.path, float64(f.size)/1e6)
		}
	}
	if len(failed) > 0 {
		return exitFailed, errors.Join(failed...)
	}
	return exitOK, nil
}

// watchRecordings waits until ctx ends or every recording has stopped (the free-space
// floor, a write error). A camera that has recorded nothing is given up — its recording
// stopped — after giveUp, or at once when its failure is permanent (see permanent); the
// returned map says why, by camera.
func watchRecordings(ctx context.Context, recs []*recorder.Recording, streams []*capture.Stream, giveUp time.Duration, log *slog.Logger) map[string]error {
	gaveUp := map[string]error{}
	ended := make([]bool, len(recs))
	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		running := 0
		for i, rec := range recs {
			if ended[i] {
				continue
			}
			select {
			case <-rec.Done():
				ended[i] = true
				if err := rec.Status().Err; err != nil {
					log.Error("recording stopped", "component", "record", "camera", rec.Camera(), "err", err)
				}
				continue
			default:
			}
			st := rec.Status()
			if st.Segments == 0 {
				sst := streams[i].SubscribedStatus()
				if (sst.Err != nil && permanent(sst.Err)) || (giveUp > 0 && time.Since(start) >= giveUp) {
					why := lastError(nil, sst)
					if giveUp > 0 && time.Since(start) >= giveUp {
						why = fmt.Errorf("nothing after %s: %w", giveUp, why)
					}
					gaveUp[rec.Camera()] = why
					log.Warn("giving up on a camera that recorded nothing", "component", "record", "camera", rec.Camera(), "err", why)
					rec.Stop()
					ended[i] = true
					continue
				}
			}
			running++
		}
		if running == 0 {
			return gaveUp
		}
		select {
		case <-ctx.Done():
			return gaveUp
		case <-tick.C:
		}
	}
}

type writtenFile struct {
	path string
	size int64
}

// filesSince lists the recordings in a camera's folder (<camera>/<date>/*.mp4) written
// since t, by name. It reads directories only, so a large archive costs nothing.
func filesSince(camDir string, t time.Time) []writtenFile {
	var out []writtenFile
	days, _ := os.ReadDir(camDir)
	for _, d := range days {
		if !d.IsDir() {
			continue
		}
		entries, _ := os.ReadDir(filepath.Join(camDir, d.Name()))
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".mp4") {
				continue
			}
			if fi, err := e.Info(); err == nil && !fi.ModTime().Before(t) {
				out = append(out, writtenFile{filepath.Join(camDir, d.Name(), e.Name()), fi.Size()})
			}
		}
	}
	return out
}

// lastError is why a camera recorded nothing: the recorder's error, else the source's
// last one, else what state it was left in.
func lastError(recErr error, st capture.Status) error {
	switch {
	case recErr != nil:
		return recErr
	case st.Err != nil:
		return st.Err
	case st.State == capture.StateLive || st.State == capture.StateFallback:
		return errors.New("the camera sent no key frame to start a file")
	}
	return fmt.Errorf("the camera was still %s", st.State)
}
