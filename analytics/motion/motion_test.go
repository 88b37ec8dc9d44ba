package motion

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
)

// scene draws frames of a still, textured picture with sensor noise, and what the test
// puts in it: a person-sized block, a change of light.
type scene struct {
	w, h  int
	back  []uint8
	rng   *rand.Rand
	noise int
}

func newScene(w, h int) *scene {
	return &scene{w: w, h: h, back: analyticstest.Textured(w, h), rng: rand.New(rand.NewPCG(1, 2)), noise: 6}
}

// frame is the scene with light added to every pixel and, when box is not empty, a
// block of luma 230 over it (fractions of the picture).
func (s *scene) frame(light int, box Rect) []uint8 {
	f := make([]uint8, s.w*s.h)
	x0, y0 := int(box.X0*float64(s.w)), int(box.Y0*float64(s.h))
	x1, y1 := int(box.X1*float64(s.w)), int(box.Y1*float64(s.h))
	for y := range s.h {
		for x := range s.w {
			v := int(s.back[y*s.w+x]) + light + s.rng.IntN(2*s.noise+1) - s.noise
			if x >= x0 && x < x1 && y >= y0 && y < y1 {
				v = 230 + s.rng.IntN(2*s.noise+1) - s.noise
			}
			f[y*s.w+x] = uint8(min(255, max(0, v)))
		}
	}
	return f
}

// walker is a person-sized block crossing the picture from left to right between
// frames from and to.
func walker(i, from, to int) Rect {
	if i < from || i >= to {
		return Rect{}
	}
	x := 0.1 + 0.7*float64(i-from)/float64(to-from)
	return Rect{X0: x, Y0: 0.4, X1: x + 0.08, Y1: 0.85}
}

func detect(t *testing.T, d *Detector, s *scene, f []uint8) Result {
	t.Helper()
	r, err := d.Detect(f, s.w, s.h, s.w)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustNew(t *testing.T, c Config) *Detector {
	t.Helper()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStillNoisySceneNoMotion: 600 frames (2 minutes at 5 fps) of a still picture with
// sensor noise report no motion.
func TestStillNoisySceneNoMotion(t *testing.T) {
	s := newScene(320, 180)
	d := mustNew(t, Config{})
	for i := range 600 {
		if r := detect(t, d, s, s.frame(0, Rect{})); r.Motion || len(r.Boxes) > 0 {
			t.Fatalf("frame %d: motion %+v in a still picture", i, r.Boxes)
		}
	}
}

// TestWalkerIsMotionWhileInView: motion from the frame a person enters to the frame they
// leave, with a box around them.
func TestWalkerIsMotionWhileInView(t *testing.T) {
	s := newScene(320, 180)
	d := mustNew(t, Config{})
	const from, to = 40, 70
	var first, last = -1, -1
	for i := range 100 {
		box := walker(i, from, to)
		r := detect(t, d, s, s.frame(0, box))
		if r.Motion {
			if first < 0 {
				first = i
			}
			last = i
			if box != (Rect{}) && !overlaps(r.Boxes, box) {
				t.Fatalf("frame %d: boxes %+v miss the walker at %+v", i, r.Boxes, box)
			}
		}
	}
	// The frame after they left still differs from the average where they stood.
	if first != from || last < to-1 || last > to+1 {
		t.Fatalf("motion from frame %d to %d, the walker was in view from %d to %d", first, last, from, to-1)
	}
}

func overlaps(boxes []Rect, b Rect) bool {
	for _, r := range boxes {
		if r.X0 < b.X1 && b.X0 < r.X1 && r.Y0 < b.Y1 && b.Y0 < r.Y1 {
			return true
		}
	}
	return false
}

// TestLightingChangesAreNotMotion: the lights switching on at once, and a slow sunrise,
// are no motion; the switch recalibrates, and a walker after it is seen again.
func TestLightingChangesAreNotMotion(t *testing.T) {
	s := newScene(320, 180)
	d := mustNew(t, Config{})
	recal := 0
	for i := range 200 {
		light := 0
		switch {
		case i >= 30 && i < 80:
			light = 60 // switched on
		case i >= 80:
			light = 60 - min(60, (i-80)) // dims by one level a frame
		}
		box := Rect{}
		if i >= 170 {
			box = walker(i, 170, 200)
		}
		r := detect(t, d, s, s.frame(light, box))
		if r.Recalibrated {
			recal++
		}
		if r.Motion && i < 170 {
			t.Fatalf("frame %d (light %+d): motion %+v", i, light, r.Boxes)
		}
		if i == 185 && !r.Motion {
			t.Fatal("a walker after the lighting changes is not seen")
		}
	}
	if recal != 1 {
		t.Errorf("recalibrated %d times, want once (the switch)", recal)
	}
}

// TestZonesAndMasks: motion counts only in zones when there are any, never under a mask,
// and a zone's own threshold applies in it.
func TestZonesAndMasks(t *testing.T) {
	left := []Point{{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}
	right := []Point{{0.5, 0}, {1, 0}, {1, 1}, {0.5, 1}}
	s := newScene(320, 180)
	run := func(c Config) (hits map[string]int, motion int) {
		d := mustNew(t, c)
		hits = map[string]int{}
		for i := range 60 {
			box := Rect{}
			if i >= 30 && i < 50 { // in the left half only
				x := 0.1 + 0.25*float64(i-30)/20
				box = Rect{X0: x, Y0: 0.3, X1: x + 0.1, Y1: 0.8}
			}
			r := detect(t, d, s, s.frame(0, box))
			if r.Motion {
				motion++
			}
			for _, z := range r.Zones {
				hits[z.Name]++
			}
		}
		return hits, motion
	}
	if hits, n := run(Config{Zones: []Zone{{Name: "door", Polygon: left}, {Name: "road", Polygon: right}}}); n == 0 || hits["door"] == 0 || hits["road"] != 0 {
		t.Errorf("zones: motion in %d frames, hits %v; want door only", n, hits)
	}
	if _, n := run(Config{Zones: []Zone{{Name: "road", Polygon: right}}}); n != 0 {
		t.Errorf("motion outside the only zone reported in %d frames", n)
	}
	if _, n := run(Config{Masks: [][]Point{left}}); n != 0 {
		t.Errorf("motion under a mask reported in %d frames", n)
	}
	if hits, n := run(Config{Zones: []Zone{{Name: "door", Polygon: left, Threshold: 255}}}); n != 0 || hits["door"] != 0 {
		t.Errorf("a zone with threshold 255 triggered (%d frames)", n)
	}
	if hits, n := run(Config{Zones: []Zone{{Name: "door", Polygon: left, MinArea: 0.9}}}); n != 0 || hits["door"] != 0 {
		t.Errorf("a zone needing 90%% of its area triggered (%d frames)", n)
	}
}

func TestHeatMarksWhereItMoved(t *testing.T) {
	s := newScene(320, 180)
	d := mustNew(t, Config{})
	for range 20 {
		detect(t, d, s, s.frame(0, Rect{}))
	}
	r := detect(t, d, s, s.frame(0, Rect{X0: 0.75, Y0: 0.75, X1: 0.95, Y1: 0.95}))
	if !r.Motion {
		t.Fatal("no motion")
	}
	for c, v := range r.Heat {
		x, y := c%HeatSize, c/HeatSize
		in := x >= 11 && y >= 11
		if v > 0 && !in {
			t.Errorf("heat %d in cell (%d, %d), far from the block", v, x, y)
		}
		if x == 13 && y == 13 && v < 200 {
			t.Errorf("heat %d in the block's middle cell", v)
		}
	}
}

func TestSizeChangeAndStride(t *testing.T) {
	d := mustNew(t, Config{})
	for _, sz := range [][3]int{{320, 180, 320}, {160, 90, 176}, {1920, 1080, 1920}, {17, 16, 17}} {
		w, h, stride := sz[0], sz[1], sz[2]
		y := make([]byte, (h-1)*stride+w)
		for range 12 {
			if r, err := d.Detect(y, w, h, stride); err != nil || r.Motion {
				t.Fatalf("%v: %+v %v", sz, r, err)
			}
		}
	}
	if _, err := d.Detect(make([]byte, 10), 4, 4, 4); err == nil || !strings.Contains(err.Error(), "needs 16 bytes") {
		t.Errorf("short plane: %v", err)
	}
}

func TestConfigChecked(t *testing.T) {
	for _, c := range []Config{
		{Threshold: 300},
		{Height: 5},
		{Lightning: 2},
		{Zones: []Zone{{Name: "z", Polygon: []Point{{0, 0}, {1, 1}}}}},
		{Zones: []Zone{{Name: "z", Polygon: []Point{{0, 0}, {2, 0}, {0, 1}}}}},
		{Masks: [][]Point{{{0, 0}}}},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// BenchmarkDetect320x180 is one camera's frame at the analytics size.
func BenchmarkDetect320x180(b *testing.B) {
	s := newScene(320, 180)
	frames := [][]uint8{s.frame(0, Rect{}), s.frame(0, walker(5, 0, 10))}
	d, _ := New(Config{})
	b.ResetTimer()
	for i := range b.N {
		if _, err := d.Detect(frames[i%2], 320, 180, 320); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3, 3)
	f.Add(make([]byte, 64*48), 64, 48, 64)
	f.Fuzz(func(t *testing.T, y []byte, w, h, stride int) {
		d, _ := New(Config{Calibration: 1, Zones: []Zone{{Name: "z", Polygon: []Point{{0, 0}, {1, 0}, {0, 1}}}}})
		for range 3 {
			r, err := d.Detect(y, w, h, stride)
			if err != nil {
				return
			}
			if r.Score < 0 || r.Score > 1 {
				t.Fatalf("score %g", r.Score)
			}
			for _, b := range r.Boxes {
				if b.X0 < 0 || b.Y0 < 0 || b.X1 > 1 || b.Y1 > 1 || b.X0 >= b.X1 || b.Y0 >= b.Y1 {
					t.Fatalf("box %+v", b)
				}
			}
			for i := range y {
				y[i] ^= 0x5a
			}
		}
	})
}

// TestParkedCarBecomesBackground: something that arrives and stays is motion for a while,
// then background.
func TestParkedCarBecomesBackground(t *testing.T) {
	s := newScene(160, 90)
	d := mustNew(t, Config{})
	car := Rect{X0: 0.3, Y0: 0.5, X1: 0.6, Y1: 0.8}
	lastMotion := -1
	for i := range 900 {
		box := Rect{}
		if i >= 20 {
			box = car
		}
		if r := detect(t, d, s, s.frame(0, box)); r.Motion {
			lastMotion = i
		}
	}
	if lastMotion < 20 || lastMotion > 700 {
		t.Fatalf("the parked car was motion until frame %d (it arrived at 20)", lastMotion)
	}
	t.Logf("a parked car is background %d frames after it stopped", lastMotion-20)
}

// dilate is the 3×3 grow, as the plain definition computes it: a pixel is grown when
// any changed pixel is within one step of it, unless it is masked.
func TestDilateIsTheSquareGrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {2, 2}, {178, 100}, {13, 9}} {
		w, h := sz[0], sz[1]
		d := &Detector{w: w, h: h, changed: make([]bool, w*h), grown: make([]bool, w*h), rowGrown: make([]bool, w*h), mask: make([]bool, w*h)}
		for round := range 20 {
			for i := range d.changed {
				d.changed[i] = rng.IntN(10+round*5) == 0
				d.mask[i] = rng.IntN(8) == 0
			}
			d.dilate()
			for y := range h {
				for x := range w {
					want := false
					for yy := max(0, y-1); yy <= min(h-1, y+1); yy++ {
						for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
							want = want || d.changed[yy*w+xx]
						}
					}
					want = want && !d.mask[y*w+x]
					if d.grown[y*w+x] != want {
						t.Fatalf("%dx%d round %d: pixel (%d,%d) grown %v, want %v", w, h, round, x, y, d.grown[y*w+x], want)
					}
				}
			}
		}
	}
}
