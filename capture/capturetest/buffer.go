package capturetest

import (
	"strings"
	"sync"
)

// LockedBuffer is text that goroutines write while the test reads it: log output
// (slog.NewTextHandler(&buf, nil)) or a command's output, to check what was written and
// that no secret was.
type LockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
