package motion

import "testing"

// TestIRSwitchIsNotMotion: the camera's IR cut filter switching to night mode halves the
// contrast and switching back doubles it — a change of light that is not the same for
// every pixel, and not motion either way; a walker at night and one after the switch back
// are still seen.
func TestIRSwitchIsNotMotion(t *testing.T) {
	s := newScene(320, 180)
	d := mustNew(t, Config{})
	f := make([]uint8, 320*180)
	seen := map[string]bool{}
	for i := range 400 {
		gain := 1.0
		if i >= 100 && i < 250 {
			gain = 0.5
		}
		box := Rect{}
		switch {
		case i >= 200 && i < 230:
			box = walker(i, 200, 230)
		case i >= 360:
			box = walker(i, 360, 390)
		}
		for p, v := range s.frame(0, box) {
			f[p] = uint8(min(255, max(0, 128+(float64(v)-128)*gain)))
		}
		r := detect(t, d, s, f)
		if box == (Rect{}) && r.Motion && !(i >= 230 && i < 233) && !(i >= 390 && i < 393) {
			t.Fatalf("frame %d (contrast ×%.1f): motion %.3f of the picture, %+v", i, gain, r.Score, r.Boxes)
		}
		if i == 215 || i == 375 {
			seen[map[int]string{215: "at night", 375: "after the switch back"}[i]] = r.Motion
		}
	}
	for when, ok := range seen {
		if !ok {
			t.Errorf("a walker %s is not seen", when)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("checked %d walkers", len(seen))
	}
}
