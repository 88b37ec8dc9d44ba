package store

import (
	"context"
	"testing"
	"time"
)

// BenchmarkWriter measures events per second through the bounded writer (Begin with the
// end set, one operation per event), committed: the loop ends with a Flush.
func BenchmarkWriter(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := openStore(b, be.dsn(b), Options{Queue: 1 << 16})
			b.ResetTimer()
			for i := range b.N {
				start := t0.Add(time.Duration(i) * time.Millisecond)
				s.Begin(Event{Camera: "cam", Kind: KindMotion, Start: start, End: start.Add(time.Second), Peak: 0.5})
				if i%1024 == 1023 {
					if err := s.Flush(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := s.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			st := s.Stats()
			if st.Dropped != 0 {
				b.Fatalf("dropped %d", st.Dropped)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkQueryDay measures reading one day's events of 16 cameras (one event a minute
// each: 23 040) out of a store that holds a week, and the dashboard's hourly counts of the
// whole week.
func BenchmarkQueryDay(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := openStore(b, be.dsn(b), Options{Queue: 1 << 16})
			for m := range 7 * 24 * 60 {
				for c := range 16 {
					start := t0.Add(time.Duration(m)*time.Minute + time.Duration(c)*time.Second)
					s.Begin(Event{Camera: "cam" + string(rune('A'+c)), Kind: KindMotion, Start: start, End: start.Add(20 * time.Second), Peak: 0.5})
				}
				if m%60 == 59 {
					if err := s.Flush(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := s.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			day := t0.Add(3 * 24 * time.Hour)
			b.Run("day", func(b *testing.B) {
				for range b.N {
					evs, err := s.Query(context.Background(), Filter{Since: day, Until: day.Add(24 * time.Hour), Limit: MaxQueryLimit})
					if err != nil || len(evs) != 16*24*60 {
						b.Fatalf("%d events, %v", len(evs), err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
			})
			b.Run("week-hourly-counts", func(b *testing.B) {
				for range b.N {
					counts, err := s.CountsByHour(context.Background(), "", "", t0, t0.Add(7*24*time.Hour))
					if err != nil || len(counts) != 16*7*24 {
						b.Fatalf("%d counts, %v", len(counts), err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
			})
		})
	}
}
