package panelui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// openWait is how long OpenPath waits for xdg-open to fail. xdg-open hands the file to
// the desktop's application and exits 0 at once, or exits with an error as quickly when
// no application takes it; one still running after this is showing the file (some
// fallbacks run the player in the foreground).
var openWait = 2 * time.Second

// openCommand is the opener (tests put a fake on PATH).
var openCommand = "xdg-open"

// OpenPath opens a file or folder in the desktop's application for it. It waits up to
// openWait for the opener to fail and then reports what failed and what to install; it
// blocks that long, so call it off the UI goroutine.
func OpenPath(path string) error {
	install := "a video player, e.g. sudo apt install vlc"
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		install = "a file manager, e.g. sudo apt install nautilus"
	}
	cmd := exec.Command(openCommand, path)
	// stderr is a pipe of our own, drained until its last holder closes it: the
	// application the opener launches often inherits it, and exec's own copy would make
	// Wait wait for that application instead of the opener. Only its head is kept (a
	// player run in the foreground logs into it for as long as it plays).
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("%s could not start: %w (open %s yourself)", openCommand, err, path)
	}
	stderr := &headBuffer{max: 4 << 10}
	drained := make(chan struct{})
	cmd.Stderr = pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("%s is not installed: install xdg-utils (sudo apt install xdg-utils) and %s, or open %s yourself",
				openCommand, install, path)
		}
		return fmt.Errorf("%s could not start: %w (open %s yourself)", openCommand, err, path)
	}
	go func() {
		defer close(drained)
		defer pr.Close()
		io.Copy(stderr, pr)
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reaps the opener when it exits (a player in the foreground: when it ends)
	select {
	case <-time.After(openWait):
		return nil
	case err := <-done:
		if err == nil {
			return nil
		}
		select { // what the opener wrote before it exited
		case <-drained:
		case <-time.After(100 * time.Millisecond):
		}
		detail := firstLine(stderr.String())
		var ee *exec.ExitError
		code := -1
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		var msg string
		switch code {
		case 2: // xdg-open: file not found
			msg = fmt.Sprintf("%s is not there any more (refresh the list)", path)
		case 3: // xdg-open: a required tool could not be found
			msg = fmt.Sprintf("%s found no tool to open it with: install %s (and xdg-utils' desktop opener)", openCommand, install)
		case 4: // xdg-open: the action failed, typically no application for the type
			msg = fmt.Sprintf("no application is set to open it: install %s", install)
		default:
			msg = fmt.Sprintf("%s failed (%v): install %s", openCommand, err, install)
		}
		if detail != "" {
			msg += " (" + openCommand + ": " + detail + ")"
		}
		return errors.New(msg)
	}
}

// headBuffer keeps the first max bytes written to it and drops the rest.
type headBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := b.max - b.buf.Len(); n > 0 {
		b.buf.Write(p[:min(n, len(p))])
	}
	return len(p), nil
}

func (b *headBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
