package capture

import "testing"

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		w, h int
		ok   bool
	}{
		{"1280x720", 1280, 720, true}, {"-1x5", -1, 5, true}, // bounds are the caller's
		{"1280", 0, 0, false}, {"x720", 0, 0, false}, {"1280x", 0, 0, false},
		{"+1x5", 0, 0, false}, {"1x+5", 0, 0, false}, {"1 x5", 0, 0, false}, {"1X5", 0, 0, false},
	} {
		w, h, err := ParseSize(c.in)
		if (err == nil) != c.ok || w != c.w || h != c.h {
			t.Errorf("ParseSize(%q) = %d, %d, %v", c.in, w, h, err)
		}
	}
}
