package store

import (
	"context"
	"database/sql"
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

// DayCount is how many events of one kind started on one day (UTC, its start).
type DayCount struct {
	Kind  string
	Day   time.Time
	Count int
}

// CountsByDay counts events per kind per UTC day that started in [since, until), for the
// detections-by-kind dashboard; camera and kind narrow it when not empty. Days without
// events are left out. The result is ordered by day, then kind.
func (s *Store) CountsByDay(ctx context.Context, camera, kind string, since, until time.Time) ([]DayCount, error) {
	return countsBy(ctx, s, "kind", 24*time.Hour, Filter{Camera: camera, Kind: kind, Since: since, Until: until},
		func(kind string, day time.Time, n int) DayCount { return DayCount{kind, day, n} })
}

// countsBy counts the events f selects per value of column (camera or kind, a constant of
// ours, never user text) per bucket of width since 1970 UTC, ordered by bucket then
// value, each made a T by count; empty buckets are left out.
func countsBy[T any](ctx context.Context, s *Store, column string, width time.Duration, f Filter, count func(key string, at time.Time, n int) T) ([]T, error) {
	us := int64(width / time.Microsecond)
	where, args := f.where()
	var out []T
	err := s.each(ctx, "read", fmt.Sprintf(`SELECT %s, start_us / %d AS b, COUNT(*) FROM events%s
		GROUP BY %[1]s, b ORDER BY b, %[1]s`, column, us, where), args, func(rows *sql.Rows) error {
		var key string
		var b int64
		var n int
		if err := rows.Scan(&key, &b, &n); err != nil {
			return err
		}
		out = append(out, count(key, time.UnixMicro(b*us).UTC(), n))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
