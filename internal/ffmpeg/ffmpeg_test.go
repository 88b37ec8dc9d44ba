package ffmpeg

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var frameCases = [][][]byte{
	{[]byte("a")},
	{[]byte("one"), {}, []byte("three")},
	{make([]byte, 1000)},
}

func TestFramesRoundTrip(t *testing.T) {
	for i, c := range frameCases {
		path := filepath.Join(t.TempDir(), "x.frames")
		if err := writeFrames(path, c); err != nil {
			t.Fatal(err)
		}
		got, err := readFrames(path)
		if err != nil || !slices.EqualFunc(got, c, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Errorf("case %d: got %q, %v", i, got, err)
		}
	}
	for _, bad := range []string{"", "\x00\x00", "\x00\x00\x00\x09abc"} {
		if _, err := parseFrames([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

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

func FuzzParseFrames(f *testing.F) {
	for _, c := range frameCases {
		var b []byte
		for _, fr := range c {
			b = append(b, byte(len(fr)>>24), byte(len(fr)>>16), byte(len(fr)>>8), byte(len(fr)))
			b = append(b, fr...)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := parseFrames(b)
		n := 0
		for _, x := range fr {
			n += 4 + len(x)
		}
		if err == nil && n != len(b) {
			t.Fatalf("frames cover %d of %d bytes", n, len(b))
		}
	})
}
