package capturetest

import (
	"strings"
	"sync"
)

// LogBuffer collects log output (slog.NewTextHandler(&buf, nil)) that goroutines write
// while the test reads it, to check what was logged and that no secret was.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
