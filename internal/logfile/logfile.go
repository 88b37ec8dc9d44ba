// Package logfile is the desktop app's log file: a writer that starts a new file when
// the current one reaches a size, keeping a few old ones (vigil.log, vigil.log.1, …), so a
// wall left running for months never fills the disk and last night's events are still
// there in the morning.
package logfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Rotating is an io.Writer over a size-limited set of files. It is safe for concurrent
// use; each Write lands whole in one file.
type Rotating struct {
	path string
	max  int64
	keep int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Open appends to path (creating it and its folder), rotating when a write would take it
// past maxBytes and keeping keep old files.
func Open(path string, maxBytes int64, keep int) (*Rotating, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("log folder: %w", err)
	}
	r := &Rotating{path: path, max: maxBytes, keep: max(keep, 0)}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rotating) open() error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, first rotating if p would take the file past its limit.
func (r *Rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, os.ErrClosed
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate shifts vigil.log.(k-1) → .k …, vigil.log → .1, dropping the oldest, and opens a
// fresh file.
func (r *Rotating) rotate() error {
	r.f.Close()
	r.f = nil
	if r.keep == 0 {
		os.Remove(r.path)
	} else {
		os.Remove(fmt.Sprintf("%s.%d", r.path, r.keep))
		for k := r.keep - 1; k >= 1; k-- {
			os.Rename(fmt.Sprintf("%s.%d", r.path, k), fmt.Sprintf("%s.%d", r.path, k+1))
		}
		if err := os.Rename(r.path, r.path+".1"); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotating the log: %w", err)
		}
	}
	return r.open()
}

// Close closes the current file.
func (r *Rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// DefaultPath is $XDG_STATE_HOME/vigil/vigil.log, else ~/.local/state/vigil/vigil.log.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "vigil", "vigil.log"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "vigil", "vigil.log"), nil
}
