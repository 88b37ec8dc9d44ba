package store

import (
	"context"
	"testing"
	"time"
)

// TestMotionHeatSearch: stored motion maps find the minutes in which something moved in
// a region, and not those in which it moved elsewhere; a minute's map is replaced, not
// doubled; on both backends.
func TestMotionHeatSearch(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
		heat := func(cell int) []byte {
			h := make([]byte, HeatSize*HeatSize)
			h[cell] = 200
			return h
		}
		topLeft, bottomRight := 0, HeatSize*HeatSize-1
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.PutHeat(ctx, "Yard", t0, heat(topLeft)))
		must(s.PutHeat(ctx, "Yard", t0.Add(time.Minute), heat(bottomRight)))
		must(s.PutHeat(ctx, "Yard", t0.Add(2*time.Minute), heat(topLeft)))
		must(s.PutHeat(ctx, "Yard", t0.Add(2*time.Minute+10*time.Second), heat(bottomRight))) // same minute: replaces
		must(s.PutHeat(ctx, "Gate", t0, heat(topLeft)))
		got, err := s.MovedIn(ctx, "Yard", Region{0, 0, 0.1, 0.1}, t0, t0.Add(time.Hour), 50)
		if err != nil || len(got) != 1 || !got[0].Equal(t0) {
			t.Fatalf("top left: %v %v", got, err)
		}
		got, _ = s.MovedIn(ctx, "Yard", Region{0.9, 0.9, 1, 1}, t0, t0.Add(time.Hour), 50)
		if len(got) != 2 || !got[0].Equal(t0.Add(time.Minute)) || !got[1].Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("bottom right: %v", got)
		}
		if got, _ = s.MovedIn(ctx, "Yard", Region{0, 0, 0.1, 0.1}, t0, t0.Add(time.Hour), 250); len(got) != 0 {
			t.Errorf("a threshold above the maps found %v", got)
		}
		if _, err := s.MovedIn(ctx, "Yard", Region{2, 2, 3, 3}, t0, t0.Add(time.Hour), 50); err == nil {
			t.Error("a region outside the picture searched")
		}
		if err := s.PutHeat(ctx, "Yard", t0, []byte{1}); err == nil {
			t.Error("a map of one cell stored")
		}
	})
}
