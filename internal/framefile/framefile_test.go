package framefile

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

var cases = [][][]byte{
	{[]byte("a")},
	{[]byte("one"), {}, []byte("three")},
	{make([]byte, 1000)},
}

func equal(a, b [][]byte) bool {
	return slices.EqualFunc(a, b, func(x, y []byte) bool { return string(x) == string(y) })
}

func TestRoundTrip(t *testing.T) {
	for i, c := range cases {
		path := filepath.Join(t.TempDir(), "sub", "x.frames")
		if err := Write(path, c); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path, 1<<20, 10)
		if err != nil || !equal(got, c) {
			t.Errorf("case %d: got %q, %v", i, got, err)
		}
		if _, err := Read(path, 10, 10); !errors.Is(err, ErrCorrupt) {
			t.Errorf("case %d: a file over the size limit read: %v", i, err)
		}
	}
}

func TestCorrupt(t *testing.T) {
	good := Encode(cases[1])
	bad := map[string][]byte{
		"empty":      nil,
		"truncated":  good[:len(good)-1],
		"bit flip":   append(append([]byte{}, good[:12]...), append([]byte{good[12] ^ 1}, good[13:]...)...),
		"bad magic":  append([]byte("XXFRAME1"), good[8:]...),
		"no frames":  Encode(nil),
		"old format": {0, 0, 0, 1, 'a'},
	}
	for name, b := range bad {
		if _, err := Parse(b, 10); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Parse(good, 2); !errors.Is(err, ErrCorrupt) {
		t.Errorf("3 frames parsed with a limit of 2: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add(Encode(c))
	}
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Parse(b, 64)
		if err != nil {
			return
		}
		if again, err := Parse(Encode(fr), 64); err != nil || !equal(again, fr) {
			t.Fatalf("frames do not survive a round trip: %v", err)
		}
	})
}
