package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// CameraStat is one camera's health over a stretch of time (a minute of samples, or a
// chart's bucket of them): the dashboards' uptime, fps and bitrate.
type CameraStat struct {
	Camera string
	// At is when the stretch began.
	At time.Time
	// Up is the share of the samples in which frames were arriving, 0…1.
	Up float64
	// FPS is the frames received per second and Kbps the received bitrate in kbit/s, on
	// average over the samples (0 while down).
	FPS, Kbps float64
	// Samples is how many stored rows a bucket of Health averages; 0 when written.
	Samples int
}

// Limits on the health series.
const (
	// MaxHealthBatch is the most rows one PutHealth writes (a desk of 1000 cameras).
	MaxHealthBatch = 1000
	// MaxHealthPoints is the most buckets per camera Health returns.
	MaxHealthPoints = 4000
	// maxHealthRows bounds one Stats read (cameras × buckets).
	maxHealthRows = 200_000
	// maxRate bounds a stored fps or kbit/s (a 10 Gbit/s camera): more is a counting
	// error, not a camera.
	maxRate = 1e7
)

// rate is v made fit to store: finite, 0…maxRate.
func rate(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return min(v, maxRate)
}

// PutHealth stores cameras' health rows in one transaction (the sampler's minute of
// every camera). A row for a camera and moment already stored (another desk sharing a
// PostgreSQL database sampled it too) is left as it was.
func (s *Store) PutHealth(ctx context.Context, rows []CameraStat) error {
	if len(rows) > MaxHealthBatch {
		return fmt.Errorf("%d health rows at once: at most %d", len(rows), MaxHealthBatch)
	}
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.explain("write camera health to", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, s.d.q(`INSERT INTO camera_stats (camera, at_us, up, fps, kbps) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (camera, at_us) DO NOTHING`))
	if err != nil {
		return s.explain("write camera health to", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		up := rate(r.Up)
		if _, err := stmt.ExecContext(ctx, clip(r.Camera, MaxNameBytes), micros(r.At), min(up, 1), rate(r.FPS), rate(r.Kbps)); err != nil {
			return s.explain("write camera health to", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.explain("write camera health to", err)
	}
	return nil
}

// Health reads the health of a camera ("" for every camera) over [since, until) for a
// chart, at most points buckets per camera (1…MaxHealthPoints): each bucket is the average
// of the rows in it, At its start; buckets without rows are left out (the camera was not
// watched, or Vigil not running). The result is ordered by camera, then time.
func (s *Store) Health(ctx context.Context, camera string, since, until time.Time, points int) ([]CameraStat, error) {
	if points < 1 || points > MaxHealthPoints || !until.After(since) {
		return nil, fmt.Errorf("camera health of %v to %v in %d points: want a range forwards and 1 to %d points", since, until, points, MaxHealthPoints)
	}
	from, to := micros(since), micros(until)
	width := int64(HealthBucket(since, until, points) / time.Microsecond)
	where, args := " WHERE at_us >= ? AND at_us < ?", []any{from, to}
	if camera != "" {
		where += " AND camera = ?"
		args = append(args, camera)
	}
	var out []CameraStat
	err := s.each(ctx, "read camera health from", fmt.Sprintf(`SELECT camera, (at_us - %d) / %d AS b, AVG(up), AVG(fps), AVG(kbps), COUNT(*)
		FROM camera_stats%s GROUP BY camera, b ORDER BY camera, b LIMIT %d`, from, width, where, maxHealthRows), args, func(rows *sql.Rows) error {
		var c CameraStat
		var b int64
		if err := rows.Scan(&c.Camera, &b, &c.Up, &c.FPS, &c.Kbps, &c.Samples); err != nil {
			return err
		}
		c.At = fromMicros(from + b*width)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HealthBucket is the span of one of Health's buckets when [since, until) is read in
// points: the span divided by points, rounded up to a microsecond.
func HealthBucket(since, until time.Time, points int) time.Duration {
	span, n := micros(until)-micros(since), int64(max(points, 1))
	return time.Duration(max(1, (span+n-1)/n)) * time.Microsecond
}

// pruneSeries deletes the motion maps and health rows from before cutoff (µs), a day at a
// time from the oldest so that no transaction holds the writer up for long, and returns
// how many rows went.
func (s *Store) pruneSeries(ctx context.Context, cutoff int64) (int64, error) {
	const day = int64(24 * time.Hour / time.Microsecond)
	var deleted int64
	for _, t := range []struct{ table, at string }{{"motion_heat", "minute_us"}, {"camera_stats", "at_us"}} {
		var oldest *int64
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT MIN(%s) FROM %s`, t.at, t.table)).Scan(&oldest); err != nil {
			return deleted, s.explain("read", err)
		}
		for from := oldest; from != nil && *from < cutoff; *from += day {
			res, err := s.db.ExecContext(ctx, s.d.q(fmt.Sprintf(`DELETE FROM %s WHERE %s < ?`, t.table, t.at)), min(*from+day, cutoff))
			if err != nil {
				return deleted, s.explain("delete from", err)
			}
			n, _ := res.RowsAffected()
			deleted += n
		}
	}
	return deleted, nil
}
