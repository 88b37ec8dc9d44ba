package panel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// RecorderOptions turns the settings into the recorder's options; out, when set,
// replaces the recordings folder.
func RecorderOptions(r config.Recording, out string, log *slog.Logger) (recorder.Options, error) {
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

// UsageError is RecordStreams's error for a camera that is neither in the settings nor
// a valid URL: the command line is wrong, not the camera.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// RecordStreams makes the streams of a headless recording (`vigil record`): each of cams
// is a camera's name in the settings, a demo camera's (their in-process servers are
// started), or a stream URL, named by URLCameraName and opened with user and password
// when it carries none. stop closes the streams and the demo servers.
func RecordStreams(cfg *config.Config, cams []string, user, password string, log *slog.Logger) ([]*capture.Stream, func(), error) {
	// The demo cameras need their in-process server; configured cameras are built alone.
	var demoNamed bool
	for _, c := range cams {
		demoNamed = demoNamed || slices.Contains(cfg.Demo.CameraNames(), c)
	}
	var streams []*capture.Stream
	stopDemo := func() {}
	if demoNamed {
		all, sd, err := BuildStreams(cfg, cfg.Pin, log)
		if err != nil {
			return nil, nil, err
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
	closeStreams := func() {
		for _, s := range streams {
			s.Close()
		}
		stopDemo()
	}
	for _, c := range cams {
		if slices.Contains(cfg.Demo.CameraNames(), c) {
			continue
		}
		cam, ok := cfg.Camera(c)
		if !ok {
			if !strings.Contains(c, "://") {
				closeStreams()
				return nil, nil, &UsageError{fmt.Errorf("no camera %q in the settings (give its name as in the settings, or a URL)", c)}
			}
			if _, err := capture.ParseURL(c); err != nil { // before naming: a broken URL's "host" may be a password
				closeStreams()
				return nil, nil, &UsageError{err}
			}
			cam = config.Camera{Name: URLCameraName(c), Streams: []config.Stream{{URL: c}}, User: user, Password: password}
		}
		if slices.ContainsFunc(streams, func(s *capture.Stream) bool { return s.Name() == cam.Name }) {
			continue // named twice
		}
		s, err := NewCameraStream(cam, cfg.Pin, log)
		if err != nil {
			closeStreams()
			return nil, nil, err
		}
		streams = append(streams, s)
	}
	return streams, closeStreams, nil
}

// defaultPorts are the ports a URL camera's name leaves out: rtsp://cam/x and
// rtsp://cam:554/x are one camera.
var defaultPorts = map[string]string{"http": "80", "https": "443", "rtsp": "554", "rtsps": "322"}

// URLCameraName names a camera given by URL: its host, a port other than the scheme's
// default, its path and its query, readable and safe as a folder name on every system
// (other characters become '_'), then a short hash of the URL without credentials, so
// ?channel=1 and ?channel=2, or host:554 and host:8554, are always two cameras even where
// the readable part cannot tell them apart. Credentials never enter the name: user
// information is dropped and secret-looking query values are masked (capture.RedactURL)
// before anything is read from the URL, the hash included.
func URLCameraName(raw string) string {
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

// permanent reports whether a camera's failure will not go away by retrying: the
// credentials, the path or the kind of answer is wrong.
func permanent(err error) bool {
	switch capture.Classify(err) {
	case capture.CauseUnauthorized, capture.CauseNotFound, capture.CauseNotVideo, capture.CauseTLS:
		return true
	}
	return false
}

// WatchRecordings waits until ctx ends or every recording has stopped (the free-space
// floor, a write error). A camera that has recorded nothing is given up — its recording
// stopped — after giveUp, or at once when its failure is permanent (see permanent); the
// returned map says why, by camera. When ctx ends, a camera still without a file is
// in the map too, with what it was doing then (before its source stopped).
func WatchRecordings(ctx context.Context, recs []*recorder.Recording, streams []*capture.Stream, giveUp time.Duration, log *slog.Logger) map[string]error {
	gaveUp := map[string]error{}
	ended := make([]bool, len(recs))
	last := make([]capture.Status, len(recs)) // of a camera without a file, while running
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
				last[i] = sst
				if (sst.Err != nil && permanent(sst.Err)) || (giveUp > 0 && time.Since(start) >= giveUp) {
					why := LastError(nil, sst)
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
			for i, rec := range recs {
				if !ended[i] && rec.Status().Segments == 0 {
					gaveUp[rec.Camera()] = endedEarly(time.Since(start), last[i])
				}
			}
			return gaveUp
		case <-tick.C:
		}
	}
}

// endedEarly is why a camera recorded nothing in the d the recording lasted, from its
// status when last seen running: a camera still connecting is not "stopped", it was given
// too little time.
func endedEarly(d time.Duration, st capture.Status) error {
	d = d.Round(100 * time.Millisecond)
	if st.Err == nil && (st.State == capture.StateConnecting || st.State == capture.StateStopped) {
		return fmt.Errorf("the recording ended after %s while the camera was still connecting, before its first picture: give it longer (--duration)", d)
	}
	return fmt.Errorf("in %s: %w", d, LastError(nil, st))
}

// WrittenFile is a recording file and its size in bytes.
type WrittenFile struct {
	Path string
	Size int64
}

// FilesSince lists the recordings in a camera's folder (<camera>/<date>/*.mp4) written
// since t, by name. It reads directories only, so a large archive costs nothing.
func FilesSince(camDir string, t time.Time) []WrittenFile {
	var out []WrittenFile
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
				out = append(out, WrittenFile{filepath.Join(camDir, d.Name(), e.Name()), fi.Size()})
			}
		}
	}
	return out
}

// LastError is why a camera recorded nothing: the recorder's error, else the source's
// last one, else what state it was left in.
func LastError(recErr error, st capture.Status) error {
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
