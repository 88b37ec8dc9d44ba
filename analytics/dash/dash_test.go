package dash

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
)

// colours counts the pixels of each colour of a picture within r.
func colours(img image.Image, r image.Rectangle) map[color.RGBA]int {
	seen := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c, g, b, _ := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(c >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}]++
		}
	}
	return seen
}

// decoded is img through PNG and back, as Export PNG writes it; VIGIL_DASH_DIR keeps a
// copy to look at.
func decoded(t *testing.T, img image.Image, name string) image.Image {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("VIGIL_DASH_DIR"); dir != "" {
		os.WriteFile(dir+"/"+name+".png", b.Bytes(), 0o644)
	}
	out, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plotArea is the part of a w×h chart where the series are drawn: inside the axes and
// left of the legend's column.
func plotArea(w, h int) image.Rectangle { return image.Rect(60, 30, w-130, h-45) }

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
	seen := colours(decoded(t, img, "events-per-hour"), plotArea(640, 320))
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

// TestKindsPerDayStacksKinds: a week of persons and motion per day draws both kinds'
// bars, the more frequent kind covering more of the plot.
func TestKindsPerDayStacksKinds(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var counts []store.DayCount
	for d := range 7 {
		at := day.Add(time.Duration(d) * 24 * time.Hour)
		counts = append(counts, store.DayCount{Kind: "motion", Day: at, Count: 40 + d}, store.DayCount{Kind: "person", Day: at, Count: 10})
	}
	img, err := KindsPerDay(counts, day, day.Add(7*24*time.Hour-time.Second), "detections by kind per day", 960, 420)
	if err != nil {
		t.Fatal(err)
	}
	seen := colours(decoded(t, img, "kinds-per-day"), plotArea(960, 420))
	motion, person := seen[palette[0].(color.RGBA)], seen[palette[1].(color.RGBA)]
	if person < 200 || motion < 3*person {
		t.Errorf("motion's bars cover %d pixels, person's %d: want both, motion about 4×", motion, person)
	}
	if _, err := KindsPerDay(nil, day, day.Add(24*time.Hour), "none", 300, 200); err != nil {
		t.Errorf("an empty chart: %v", err)
	}
}

// TestHealthDrawsALinePerCamera: each metric of two cameras draws both cameras' lines;
// a camera that went down draws its uptime low in the plot (near 0 %), one always up
// near the top; a gap in the samples breaks the line rather than joining across it.
func TestHealthDrawsALinePerCamera(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var pts []store.CameraStat
	for h := range 24 {
		at := t0.Add(time.Duration(h) * time.Hour)
		pts = append(pts, store.CameraStat{Camera: "Gate", At: at, Up: 0.75, FPS: 25, Kbps: 4000})
		if h < 8 || h >= 16 { // no samples 08:00–16:00
			up := 1.0
			if h >= 18 {
				up = 0
			}
			pts = append(pts, store.CameraStat{Camera: "Yard", At: at, Up: up, FPS: 12 * up, Kbps: 1500 * up})
		}
	}
	const w, h = 960, 420
	for _, m := range []Metric{Uptime, FPS, Bitrate} {
		img, err := Health(pts, m, t0, t0.Add(24*time.Hour), time.Hour, m.String()+" per hour", w, h)
		if err != nil {
			t.Fatal(err)
		}
		img = decoded(t, img, "health-"+m.String())
		area := plotArea(w, h)
		seen := colours(img, area)
		for i, c := range palette[:2] {
			if seen[c.(color.RGBA)] < 100 {
				t.Errorf("%v: camera %d's line covers %d pixels", m, i, seen[c.(color.RGBA)])
			}
		}
		if m != Uptime {
			continue
		}
		// Yard's line in the middle of the day (no samples) is absent: its colour
		// appears in no column of 10:00–14:00.
		x0 := area.Min.X + (area.Dx())*10/24
		x1 := area.Min.X + (area.Dx())*14/24
		if n := colours(img, image.Rect(x0, area.Min.Y, x1, area.Max.Y))[palette[1].(color.RGBA)]; n > 0 {
			t.Errorf("Yard's uptime line crosses the gap in its samples (%d pixels)", n)
		}
		// Its last hours are down: drawn in the bottom tenth of the plot.
		x0 = area.Min.X + area.Dx()*20/24
		low := colours(img, image.Rect(x0, area.Max.Y-area.Dy()/8, area.Max.X, area.Max.Y))[palette[1].(color.RGBA)]
		high := colours(img, image.Rect(x0, area.Min.Y, area.Max.X, area.Min.Y+area.Dy()/2))[palette[1].(color.RGBA)]
		if low < 20 || high > 0 {
			t.Errorf("Yard down from 18:00: %d pixels of its line low, %d high", low, high)
		}
	}
	if _, err := Health(nil, FPS, t0, t0.Add(time.Hour), time.Minute, "none", 300, 200); err != nil {
		t.Errorf("an empty chart: %v", err)
	}
	if _, err := Health(pts, Metric(9), t0, t0.Add(time.Hour), time.Minute, "x", 300, 200); err == nil {
		t.Error("an unknown metric was drawn")
	}
}

// BenchmarkHealth16Cameras30Days: the fps chart of 16 cameras over 30 days by the hour
// (11 520 points), at the pane's 960×420.
func BenchmarkHealth16Cameras30Days(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var pts []store.CameraStat
	for c := range 16 {
		for h := range 30 * 24 {
			pts = append(pts, store.CameraStat{Camera: string(rune('A' + c)), At: t0.Add(time.Duration(h) * time.Hour), Up: 1, FPS: float64(10 + c + h%3)})
		}
	}
	for b.Loop() {
		if _, err := Health(pts, FPS, t0, t0.Add(30*24*time.Hour), time.Hour, "fps", 960, 420); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKindsPerDay30Days: 4 kinds' bars over 30 days at 960×420.
func BenchmarkKindsPerDay30Days(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var counts []store.DayCount
	for d := range 30 {
		for k, kind := range []string{"face", "motion", "person", "plate"} {
			counts = append(counts, store.DayCount{Kind: kind, Day: t0.Add(time.Duration(d) * 24 * time.Hour), Count: 10 * (k + 1)})
		}
	}
	for b.Loop() {
		if _, err := KindsPerDay(counts, t0, t0.Add(30*24*time.Hour), "by kind", 960, 420); err != nil {
			b.Fatal(err)
		}
	}
}
