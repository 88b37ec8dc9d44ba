package store

import (
	"context"
	"fmt"
	"time"
)

// Count is how many events the filter selects (its Limit aside): the events pane's total
// while it lists a page.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.db.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*) FROM events`+where), args...).Scan(&n); err != nil {
		return 0, s.explain("read", err)
	}
	return n, nil
}

// DayCount is how many events of one kind started on one day.
type DayCount struct {
	Kind string
	// Day is the start of the day, UTC.
	Day   time.Time
	Count int
}

// CountsByDay counts events per kind per UTC day that started in [since, until), for the
// detections-by-kind dashboard; camera and kind narrow it when not empty. Days without
// events are left out. The result is ordered by day, then kind.
func (s *Store) CountsByDay(ctx context.Context, camera, kind string, since, until time.Time) ([]DayCount, error) {
	counts, err := s.countsBy(ctx, "kind", 24*time.Hour, Filter{Camera: camera, Kind: kind, Since: since, Until: until})
	out := make([]DayCount, len(counts))
	for i, c := range counts {
		out[i] = DayCount{Kind: c.key, Day: c.at, Count: c.n}
	}
	return out, err
}

// bucketCount is how many events of one value of a column started in one bucket of time.
type bucketCount struct {
	key string
	at  time.Time
	n   int
}

// countsBy counts the events f selects per value of column (camera or kind, a constant of
// ours, never user text) per bucket of width since 1970 UTC, ordered by bucket then
// value; empty buckets are left out.
func (s *Store) countsBy(ctx context.Context, column string, width time.Duration, f Filter) ([]bucketCount, error) {
	us := int64(width / time.Microsecond)
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, s.d.q(fmt.Sprintf(`SELECT %s, start_us / %d AS b, COUNT(*) FROM events%s
		GROUP BY %[1]s, b ORDER BY b, %[1]s`, column, us, where)), args...)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	var out []bucketCount
	for rows.Next() {
		var c bucketCount
		var b int64
		if err := rows.Scan(&c.key, &b, &c.n); err != nil {
			return nil, s.explain("read", err)
		}
		c.at = time.UnixMicro(b * us).UTC()
		out = append(out, c)
	}
	return out, s.explainIf("read", rows.Err())
}
