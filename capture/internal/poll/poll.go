// Package poll waits in tests for a condition that another goroutine makes true. It
// imports nothing of capture, so capture's own tests can use it as well as capturetest
// (which imports capture, so capture's tests cannot import it).
package poll

import (
	"testing"
	"time"
)

// Until polls cond for up to 10 s — generous, so a slow machine never fails a test — and
// fails the test naming what it waited for if cond never held.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
