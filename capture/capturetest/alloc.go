package capturetest

import (
	"errors"
	"runtime"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// RefusedBeforeAllocating runs fn, which feeds a reader a size claim far over its limit,
// and fails t unless fn returns capture.ErrTooLarge having allocated at most max bytes:
// a claimed size is checked before memory is taken for it. It returns fn's error.
func RefusedBeforeAllocating(t testing.TB, max uint64, fn func() error) error {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := fn()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > max {
		t.Fatalf("allocated %d bytes for an oversized claim (at most %d)", d, max)
	}
	return err
}
