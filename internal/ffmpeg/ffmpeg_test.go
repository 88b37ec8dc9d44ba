package ffmpeg

import (
	"errors"
	"strings"
	"testing"
)

// TestCached: a second call with the same runs does not build again; other runs do.
func TestCached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if _, err := Version(); errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	builds := 0
	build := func() ([][]byte, error) { builds++; return [][]byte{[]byte("x")}, nil }
	runs := [][]string{{"-f", "lavfi", "-i", "testsrc2"}}
	for range 2 {
		if f, err := Cached("test", runs, build); err != nil || string(f[0]) != "x" {
			t.Fatalf("%q %v", f, err)
		}
	}
	if _, err := Cached("test", [][]string{{"-other"}}, build); err != nil || builds != 2 {
		t.Fatalf("builds %d, %v", builds, err)
	}
	if _, err := Cached("test", [][]string{{"-fail"}}, func() ([][]byte, error) { return nil, errors.New("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("build error lost: %v", err)
	}
}
