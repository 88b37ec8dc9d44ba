package analytics

import (
	"testing"
	"time"
)

// frame is a 160×90 grey picture with a bright block at column x (x < 0: none).
func frame(x int) []byte {
	y := make([]byte, 160*90)
	for i := range y {
		y[i] = byte(80 + (i%160)/4 + (i*7919)%5)
	}
	for r := 30; r < 70 && x >= 0; r++ {
		for c := x; c < x+12 && c < 160; c++ {
			y[r*160+c] = 230
		}
	}
	return y
}

// TestHoldWhileThePTZMoves: while the camera's own head moves, what changes in the
// picture makes no event (an open one ends), and motion is seen again after it stopped.
func TestHoldWhileThePTZMoves(t *testing.T) {
	var evs []Event
	m, err := NewMotion("Dome", MotionOptions{}, SinkFunc(func(e Event) { evs = append(evs, e) }))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	n := 0
	feed := func(x int) {
		if err := m.Frame(Luma{Y: frame(x), Width: 160, Height: 90, Stride: 160, At: t0.Add(time.Duration(n) * 200 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	for range 15 {
		feed(-1) // calibrates on the still picture
	}
	feed(20)
	feed(30) // an event starts
	if len(evs) != 1 || evs[0].Ended() {
		t.Fatalf("events before the hold: %+v", evs)
	}
	m.Hold(true)
	for i := range 20 {
		feed(40 + 5*i) // the head moves: everything changes
	}
	if len(evs) != 2 || !evs[1].Ended() {
		t.Fatalf("the open event did not end when the head started to move: %+v", evs)
	}
	m.Hold(false)
	for range 15 {
		feed(-1) // the new view, learnt again
	}
	if len(evs) != 2 {
		t.Fatalf("events while the background was learnt again: %+v", evs[2:])
	}
	feed(60)
	feed(70)
	if len(evs) != 3 || evs[2].Ended() {
		t.Fatalf("motion after the hold is not seen: %+v", evs)
	}
}
