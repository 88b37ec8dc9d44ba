package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
	"github.com/vigil-cctv/vigil/ui"
)

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
	opts, err := recorderOptions(r, "", log)
	if err == nil {
		rs.root, err = recorder.Open(opts)
	}
	if err != nil {
		rs.openErr = fmt.Errorf("recording is off: %w", err)
		log.Error("recordings folder not opened", "component", "main", "err", err)
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
func (rs *recordings) State(name string) ui.RecordingState {
	rs.mu.Lock()
	rec := rs.recs[name]
	failed := rs.failed[name]
	rs.mu.Unlock()
	if rec == nil {
		return ui.RecordingState{Err: failed}
	}
	st := rec.Status()
	if st.Err != nil {
		rs.mu.Lock()
		if rs.recs[name] == rec {
			delete(rs.recs, name)
			rs.failed[name] = st.Err
		}
		rs.mu.Unlock()
		return ui.RecordingState{Err: st.Err}
	}
	if !st.Recording {
		return ui.RecordingState{}
	}
	return ui.RecordingState{Since: st.Since}
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
			rs.log.Error("continuous recording not started", "component", "main", "camera", s.Name(), "err", err)
			rs.mu.Lock()
			rs.failed[s.Name()] = err
			rs.mu.Unlock()
		}
	}
}

// List is the recordings view's list.
func (rs *recordings) List() ([]ui.Clip, error) {
	if rs.root == nil {
		return nil, rs.openErr
	}
	clips, err := recorder.List(rs.root.Dir())
	out := make([]ui.Clip, 0, len(clips))
	for _, c := range clips {
		out = append(out, ui.Clip{Camera: c.Camera, Date: c.Date, Path: c.Path, Start: c.Start, Duration: c.Duration, Size: c.Size})
	}
	return out, err
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

// openPath opens a file or folder in the desktop's application for it.
func openPath(path string) error {
	cmd := exec.Command("xdg-open", path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("xdg-open: %w (install xdg-utils, or open %s yourself)", err, path)
	}
	go cmd.Wait() // reap it; the player outlives the call
	return nil
}
