package panel

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// RecordingState is a camera's recording, for its tile's REC badge: Since is when the
// running recording started (zero: not recording), Err why it stopped.
type RecordingState struct {
	Since time.Time
	Err   error
}

// Clip is one recorded file, for the recordings view: the recorder's listing as it is.
type Clip = recorder.Clip

// RecordingStatus is a camera's recording for its tile's badge; safe from any goroutine
// (the wall's status goroutine).
func (p *Panel) RecordingStatus(name string) RecordingState {
	if p.recs == nil {
		return RecordingState{}
	}
	return p.recs.State(name)
}

// Recordings lists the recordings for the recordings view.
func (p *Panel) Recordings() ([]Clip, error) {
	if p.recs == nil {
		return nil, errors.New("recording is off")
	}
	return p.recs.List()
}

// recordings is the app's recorder: the recordings folder (one process at a time owns
// it) and the cameras being recorded. Toggle and sync run on the UI goroutine; State on
// the wall's status goroutine.
type recordings struct {
	log  *slog.Logger
	root *recorder.Root
	// openErr is why the folder could not be opened (another Vigil holds it…): shown when
	// the user presses record.
	openErr error

	mu   sync.Mutex
	recs map[string]*recorder.Recording
	// failed keeps a recording that stopped on an error until the user presses record
	// again, so its tile shows REC FAILED.
	failed map[string]error
}

func openRecordings(r config.Recording, log *slog.Logger) *recordings {
	rs := &recordings{log: log, recs: map[string]*recorder.Recording{}, failed: map[string]error{}}
	opts, err := RecorderOptions(r, "", log)
	if err == nil {
		rs.root, err = recorder.Open(opts)
	}
	if err != nil {
		rs.openErr = fmt.Errorf("recording is off: %w", err)
		log.Error("recordings folder not opened", "component", "panel", "err", err)
	}
	return rs
}

// Toggle starts recording s, or stops it when it is being recorded.
func (rs *recordings) Toggle(s *capture.Stream) error {
	name := s.Name()
	rs.mu.Lock()
	rec := rs.recs[name]
	delete(rs.failed, name)
	rs.mu.Unlock()
	if rec != nil {
		if st := rec.Status(); st.Err == nil && st.Recording {
			return rs.stop(name)
		}
	}
	return rs.start(s)
}

func (rs *recordings) start(s *capture.Stream) error {
	if rs.root == nil {
		return rs.openErr
	}
	rec, err := rs.root.Start(s.Name(), s, nil)
	if err != nil {
		return err
	}
	rs.mu.Lock()
	rs.recs[s.Name()] = rec
	rs.mu.Unlock()
	return nil
}

// stop finalises a camera's recording.
func (rs *recordings) stop(name string) error {
	rs.mu.Lock()
	rec := rs.recs[name]
	delete(rs.recs, name)
	rs.mu.Unlock()
	if rec == nil {
		return nil
	}
	return rec.Stop()
}

// State is a camera's recording for its tile's badge.
func (rs *recordings) State(name string) RecordingState {
	rs.mu.Lock()
	rec := rs.recs[name]
	failed := rs.failed[name]
	rs.mu.Unlock()
	if rec == nil {
		return RecordingState{Err: failed}
	}
	st := rec.Status()
	if st.Err != nil {
		rs.mu.Lock()
		if rs.recs[name] == rec {
			delete(rs.recs, name)
			rs.failed[name] = st.Err
		}
		rs.mu.Unlock()
		return RecordingState{Err: st.Err}
	}
	if !st.Recording {
		return RecordingState{}
	}
	return RecordingState{Since: st.Since}
}

// startContinuous starts the cameras set to record continuously that are not recording.
func (rs *recordings) startContinuous(cfg *config.Config, streams []*capture.Stream) {
	for _, s := range streams {
		cam, ok := cfg.Camera(s.Name())
		if !ok || cam.Record != "continuous" {
			continue
		}
		rs.mu.Lock()
		_, on := rs.recs[s.Name()]
		rs.mu.Unlock()
		if on {
			continue
		}
		if err := rs.start(s); err != nil {
			rs.log.Error("continuous recording not started", "component", "panel", "camera", s.Name(), "err", err)
			rs.mu.Lock()
			rs.failed[s.Name()] = err
			rs.mu.Unlock()
		}
	}
}

// List is the recordings view's list.
func (rs *recordings) List() ([]Clip, error) {
	if rs.root == nil {
		return nil, rs.openErr
	}
	return recorder.List(rs.root.Dir())
}

// Close finalises every recording and releases the folder.
func (rs *recordings) Close() error {
	rs.mu.Lock()
	recs := rs.recs
	rs.recs = map[string]*recorder.Recording{}
	rs.mu.Unlock()
	var errs []error
	for _, rec := range recs {
		if err := rec.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if rs.root != nil {
		if err := rs.root.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Reviewer controls a stream of a camera's own recordings: seek, speed, pause, step.
type Reviewer interface {
	capture.Seeker
	capture.Stepper
}

// Recorded lists a camera's recordings (camera: its name, or its folder as a Clip
// names it) that overlap [from, to), oldest first: the player's timeline.
func (p *Panel) Recorded(camera string, from, to time.Time) ([]Clip, error) {
	all, err := p.Recordings()
	folder := recorder.SafeName(camera)
	var out []Clip
	for _, c := range all {
		if c.Camera == folder && c.Start.Before(to) && c.Start.Add(c.Duration).After(from) {
			out = append(out, c)
		}
	}
	return out, err
}

// Review opens a stream playing a camera's recordings from a time (the recorder's
// files through the file protocol, decoded like a camera's), with its controls. The
// caller closes the stream.
func (p *Panel) Review(camera string, from time.Time) (*capture.Stream, Reviewer, error) {
	if p.recs == nil || p.recs.root == nil {
		return nil, nil, errors.New("recording is off, so there are no recordings to review")
	}
	dir := filepath.Join(p.recs.root.Dir(), recorder.SafeName(camera))
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}
	src, err := NewSource(u.String(), capture.Settings{Logger: p.log})
	if err != nil {
		return nil, nil, err
	}
	r, ok := src.(Reviewer)
	if !ok {
		return nil, nil, fmt.Errorf("%s: %w: the file source cannot seek", dir, capture.ErrUnsupported)
	}
	r.Seek(from)
	return capture.NewStream(camera, src, capture.StreamOptions{Decoders: NewDecoder, Logger: p.log}), r, nil
}
