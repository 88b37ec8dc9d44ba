package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// TestHealthWriteReadDownsample: a day of one camera's minutes and an hour of another's
// come back averaged into at most the buckets asked, by camera then time, with the
// camera filter, and out-of-range values are made fit; a second desk's row for the same
// minute is ignored. On both backends.
func TestHealthWriteReadDownsample(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var rows []CameraStat
		for m := range 24 * 60 {
			up := 1.0
			if m >= 6*60 && m < 9*60 { // down from 06:00 to 09:00
				up = 0
			}
			rows = append(rows, CameraStat{Camera: "Gate", At: t0.Add(time.Duration(m) * time.Minute), Up: up, FPS: 25 * up, Kbps: 2000 * up})
			if len(rows) == MaxHealthBatch {
				if err := s.PutHealth(ctx, rows); err != nil {
					t.Fatal(err)
				}
				rows = rows[:0]
			}
		}
		for m := range 60 {
			rows = append(rows, CameraStat{Camera: "Yard", At: t0.Add(time.Duration(m) * time.Minute), Up: 0.5, FPS: 10, Kbps: 500})
		}
		if err := s.PutHealth(ctx, rows); err != nil {
			t.Fatal(err)
		}
		// Another desk's sample of a minute already stored, and nonsense values.
		if err := s.PutHealth(ctx, []CameraStat{{Camera: "Gate", At: t0, Up: 0, FPS: 1}, {Camera: "Odd", At: t0, Up: 7, FPS: math.NaN(), Kbps: -3}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutHealth(ctx, make([]CameraStat, MaxHealthBatch+1)); err == nil {
			t.Error("a batch over the limit was written")
		}

		got, err := s.Health(ctx, "", t0, t0.Add(24*time.Hour), 24)
		if err != nil {
			t.Fatal(err)
		}
		var gate, yard []CameraStat
		for _, c := range got {
			switch c.Camera {
			case "Gate":
				gate = append(gate, c)
			case "Yard":
				yard = append(yard, c)
			case "Odd":
				if c.Up != 1 || c.FPS != 0 || c.Kbps != 0 {
					t.Errorf("out-of-range values stored as %+v", c)
				}
			}
		}
		if len(gate) != 24 || len(yard) != 1 || len(got) != 26 {
			t.Fatalf("%d buckets of Gate, %d of Yard, %d in all: %+v", len(gate), len(yard), len(got), got)
		}
		for h, c := range gate {
			want := 1.0
			if h >= 6 && h < 9 {
				want = 0
			}
			if !c.At.Equal(t0.Add(time.Duration(h)*time.Hour)) || c.Up != want || c.FPS != 25*want || c.Kbps != 2000*want || c.Samples != 60 {
				t.Errorf("hour %d of Gate: %+v, want up %v from 60 samples", h, c, want)
			}
		}
		if y := yard[0]; y.Up != 0.5 || y.FPS != 10 || y.Samples != 60 {
			t.Errorf("Yard's hour: %+v", y)
		}
		// More points than rows: one a minute, and only the camera asked.
		got, err = s.Health(ctx, "Yard", t0, t0.Add(time.Hour), 120)
		if err != nil || len(got) != 60 || got[59].Camera != "Yard" || !got[59].At.Equal(t0.Add(59*time.Minute)) {
			t.Fatalf("Yard by the minute: %d rows, %v", len(got), err)
		}
		for _, bad := range []int{0, MaxHealthPoints + 1} {
			if _, err := s.Health(ctx, "", t0, t0.Add(time.Hour), bad); err == nil {
				t.Errorf("%d points read", bad)
			}
		}
		if _, err := s.Health(ctx, "", t0, t0, 10); err == nil {
			t.Error("an empty range read")
		}
	})
}

// TestCountsByDayAndCount: events per kind per UTC day, narrowed by camera and kind, and
// the count of what a filter selects beyond a page's limit.
func TestCountsByDayAndCount(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		day := t0.Truncate(24 * time.Hour)
		for d := range 3 {
			for i := range d + 1 { // 1, 2, 3 person events on days 0, 1, 2
				if _, err := s.Insert(ctx, Event{Camera: "Gate", Kind: "person", Start: day.Add(time.Duration(d)*24*time.Hour + time.Duration(i)*time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Insert(ctx, Event{Camera: "Yard", Kind: KindMotion, Start: day.Add(time.Duration(d)*24*time.Hour + 30*time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := s.CountsByDay(ctx, "", "", day, day.Add(3*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var want []DayCount
		for d := range 3 {
			at := day.Add(time.Duration(d) * 24 * time.Hour)
			want = append(want, DayCount{Kind: KindMotion, Day: at, Count: 1}, DayCount{Kind: "person", Day: at, Count: d + 1})
		}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("counts by day\n got %v\nwant %v", counts, want)
		}
		if counts, _ = s.CountsByDay(ctx, "Gate", "", day.Add(24*time.Hour), day.Add(3*24*time.Hour)); len(counts) != 2 || counts[0].Kind != "person" || counts[1].Count != 3 {
			t.Fatalf("Gate's days 1 and 2: %v", counts)
		}
		for f, n := range map[*Filter]int{{}: 9, {Camera: "Gate"}: 6, {Kind: KindMotion, Limit: 1}: 3, {Since: day.Add(24 * time.Hour)}: 7} {
			if got, err := s.Count(ctx, *f); err != nil || got != n {
				t.Errorf("count of %+v: %d (%v), want %d", *f, got, err, n)
			}
		}
	})
}

// TestQueryPagesByStartAndID: paging with the last event of each page as the cursor
// visits every event once, newest first, even where several start at the same moment
// and a page ends among them.
func TestQueryPagesByStartAndID(t *testing.T) {
	forEachStore(t, Options{}, func(t *testing.T, s *Store) {
		all := fill(t, s)
		for range 5 { // five more at the same moment as the 21st
			id, err := s.Insert(context.Background(), Event{Camera: "Tie", Kind: KindMotion, Start: all[20].Start})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, Event{ID: id})
		}
		whole := idsOf(query(t, s, Filter{Limit: 100}))
		var paged []int64
		f := Filter{Limit: 4}
		for pages := 0; ; pages++ {
			page := query(t, s, f)
			paged = append(paged, idsOf(page)...)
			if len(page) < f.Limit || pages > 20 {
				break
			}
			last := page[len(page)-1]
			f.BeforeStart, f.BeforeID = last.Start, last.ID
		}
		if len(whole) != len(all) || !slices.Equal(paged, whole) {
			t.Fatalf("paged\n %v\nwhole\n %v", paged, whole)
		}
		// The cursor narrows Count too (the pane counts without it).
		if n, err := s.Count(context.Background(), Filter{BeforeStart: all[20].Start, BeforeID: all[len(all)-1].ID}); err != nil || n != 20+5 {
			t.Errorf("count before the last tie: %d (%v), want the 20 older and the 5 of that moment with lower ids", n, err)
		}
	})
}

// TestRetentionPrunesHeatAndHealth: with the events past max_age_days go the motion maps
// and health rows of before then, over several days, and newer ones stay.
func TestRetentionPrunesHeatAndHealth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn, Options{})
		ctx := context.Background()
		var rows []CameraStat
		heat := make([]byte, HeatSize*HeatSize)
		for h := range 5 * 24 { // five days, hourly
			at := t0.Add(time.Duration(h) * time.Hour)
			rows = append(rows, CameraStat{Camera: "Gate", At: at, Up: 1, FPS: 25})
			if err := s.PutHeat(ctx, "Gate", at, heat); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutHealth(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Insert(ctx, Event{Camera: "Gate", Kind: KindMotion, Start: t0}); err != nil {
			t.Fatal(err)
		}
		// "Now" is the end of day 5; a limit of 2 days keeps days 3 and 4.
		now := t0.Add(5 * 24 * time.Hour)
		aged := openStore(t, dsn, Options{MaxAgeDays: 2, now: func() time.Time { return now }})
		cutoff := now.Add(-48 * time.Hour)
		left, err := aged.Health(ctx, "", t0, now, MaxHealthPoints)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 48 || left[0].At.Before(cutoff) {
			t.Fatalf("%d health rows left, the oldest at %v; want 48 from %v", len(left), left[0].At, cutoff)
		}
		var oldest, kept int
		if err := aged.db.QueryRow(aged.d.q(`SELECT COUNT(*) FROM motion_heat WHERE minute_us < ?`), micros(cutoff)).Scan(&oldest); err != nil {
			t.Fatal(err)
		}
		if err := aged.db.QueryRow(`SELECT COUNT(*) FROM motion_heat`).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if oldest != 0 || kept != 48 {
			t.Fatalf("motion maps: %d from before the cutoff, %d kept, want 0 and 48", oldest, kept)
		}
		if evs := query(t, aged, Filter{}); len(evs) != 0 {
			t.Fatalf("the old event stayed: %+v", evs)
		}
	})
}
