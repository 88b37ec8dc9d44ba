package capture

import (
	"math/rand/v2"
	"testing"
	"time"
)

// A Pacer at 5 a second over cameras at several rates, with ±15 ms of jitter: the rate
// let through is min(camera, 5) to within a frame over a minute, and never over 5 on
// average; a clock set back or a stall starts afresh.
func TestPacerRates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, fps := range []float64{1, 4, 5, 6, 7.5, 10, 12.5, 25, 30} {
		p := Pacer{Every: 200 * time.Millisecond}
		n := 0
		frames := int(60 * fps)
		for i := range frames {
			jitter := time.Duration(rng.IntN(31)-15) * time.Millisecond
			if p.Take(t0.Add(time.Duration(float64(i)*float64(time.Second)/fps) + jitter)) {
				n++
			}
		}
		want := int(60 * min(fps, 5))
		if n > want+1 || n < want-1-want/20 {
			t.Errorf("camera at %v fps: %d let through in a minute, want about %d", fps, n, want)
		}
	}
	var p Pacer
	for i := range 10 {
		if !p.Take(t0.Add(time.Duration(i) * time.Millisecond)) {
			t.Fatal("the zero Pacer refused a time")
		}
	}
	p = Pacer{Every: time.Second}
	if !p.Take(t0) || p.Take(t0.Add(500*time.Millisecond)) || p.Due(t0.Add(700*time.Millisecond)) {
		t.Fatal("let through within the interval")
	}
	if !p.Take(t0.Add(-time.Hour)) {
		t.Fatal("a time before the last one (a seek back) was refused")
	}
	if !p.Take(t0.Add(-time.Hour+time.Second)) || !p.Take(t0) || !p.Take(t0.Add(time.Second)) {
		t.Fatal("after a stall the schedule did not start afresh")
	}
}
