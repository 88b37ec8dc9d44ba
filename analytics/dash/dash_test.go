package dash

import (
	"image/color"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
)

// TestEventsPerHourDrawsBars: a chart of two cameras' events has its bars in the
// cameras' colours; an empty one is still a picture; out-of-range sizes are refused.
func TestEventsPerHourDrawsBars(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	counts := []store.HourCount{{Camera: "Gate", Hour: t0.Add(2 * time.Hour), Count: 9}, {Camera: "Yard", Hour: t0.Add(2 * time.Hour), Count: 3},
		{Camera: "Gate", Hour: t0.Add(5 * time.Hour), Count: 4}}
	img, err := EventsPerHour(counts, t0, t0.Add(12*time.Hour), "motion events per hour", 640, 320)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 320 {
		t.Fatalf("size %v", b)
	}
	seen := map[color.RGBA]int{}
	for y := 0; y < 320; y++ {
		for x := 0; x < 640; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}]++
		}
	}
	for i, c := range palette[:2] {
		if seen[c.(color.RGBA)] < 50 {
			t.Errorf("camera %d's colour %v covers %d pixels", i, c, seen[c.(color.RGBA)])
		}
	}
	if _, err := EventsPerHour(nil, t0, t0.Add(time.Hour), "none", 300, 200); err != nil {
		t.Errorf("an empty chart: %v", err)
	}
	if _, err := EventsPerHour(nil, t0, t0.Add(400*24*time.Hour), "x", 300, 200); err == nil {
		t.Error("a chart of 400 days was drawn")
	}
}
