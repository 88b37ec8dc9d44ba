package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Insert stores one event now and returns its id, waiting for the database: for tools,
// imports and tests. Analyzers use Begin.
func (s *Store) Insert(ctx context.Context, e Event) (int64, error) {
	normalise(&e)
	if e.Last.IsZero() {
		e.Last = e.Start
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.explain("write to", err)
	}
	defer tx.Rollback()
	id, err := insert(ctx, tx, s.d, e)
	if err != nil {
		return 0, s.explain("write to", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.explain("write to", err)
	}
	return id, nil
}

// Filter selects events. Empty fields select everything.
type Filter struct {
	Camera string
	Kind   string
	Zone   string
	// Since and Until bound when an event started: Since ≤ Start < Until.
	Since, Until time.Time
	// Limit is the most events returned, newest first. It defaults to DefaultQueryLimit
	// and is at most MaxQueryLimit.
	Limit int
	// BeforeStart and BeforeID page back through the events (keyset pagination in
	// Query's order, by start then id, so a page is found through the index however far
	// back it is): when BeforeStart is set, only events that started before it, or at it
	// with an id below BeforeID. Give them the last event of the page before.
	BeforeStart time.Time
	BeforeID    int64
}

// where is the filter as a WHERE clause over events and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if f.Camera != "" {
		add("camera = ?", f.Camera)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Zone != "" {
		add("zone = ?", f.Zone)
	}
	if !f.Since.IsZero() {
		add("start_us >= ?", micros(f.Since))
	}
	if !f.Until.IsZero() {
		add("start_us < ?", micros(f.Until))
	}
	if !f.BeforeStart.IsZero() {
		us := micros(f.BeforeStart)
		conds = append(conds, "(start_us < ? OR (start_us = ? AND id < ?))")
		args = append(args, us, us, f.BeforeID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Query returns the events the filter selects, newest first, without their snapshots.
func (s *Store) Query(ctx context.Context, f Filter) ([]Event, error) {
	limit := f.Limit
	limit = capture.OrDefault(limit, DefaultQueryLimit)
	limit = min(limit, MaxQueryLimit)
	where, args := f.where()
	var out []Event
	err := s.each(ctx, "read", `SELECT id, camera, kind, zone, start_us, end_us, last_us, peak, labels, detail, snapshot_bytes
		FROM events`+where+` ORDER BY start_us DESC, id DESC LIMIT ?`, append(args, limit), func(rows *sql.Rows) error {
		var e Event
		var start, end, last int64
		if err := rows.Scan(&e.ID, &e.Camera, &e.Kind, &e.Zone, &start, &end, &last, &e.Peak, &e.Labels, &e.Detail, &e.SnapshotBytes); err != nil {
			return err
		}
		e.Start, e.End, e.Last = fromMicros(start), fromMicros(end), fromMicros(last)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Snapshot returns the JPEG stored with event id; the error wraps capture.ErrNotFound when
// there is none.
func (s *Store) Snapshot(ctx context.Context, id int64) ([]byte, error) {
	var jpeg []byte
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT jpeg FROM snapshots WHERE event_id = ?`), id).Scan(&jpeg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("event %d has no snapshot: %w", id, capture.ErrNotFound)
	}
	if err != nil {
		return nil, s.explain("read", err)
	}
	return jpeg, nil
}

// HourCount is how many events of one camera started in one hour.
type HourCount struct {
	Camera string
	// Hour is the start of the hour, UTC.
	Hour  time.Time
	Count int
}

// CountsByHour counts events per camera per hour (UTC hours) that started in [since,
// until), for dashboards; camera and kind narrow it when not empty. Hours without events
// are left out. The result is ordered by hour, then camera.
func (s *Store) CountsByHour(ctx context.Context, camera, kind string, since, until time.Time) ([]HourCount, error) {
	return countsBy(ctx, s, "camera", time.Hour, Filter{Camera: camera, Kind: kind, Since: since, Until: until},
		func(camera string, hour time.Time, n int) HourCount { return HourCount{camera, hour, n} })
}

// each runs query and hands every row to row (which scans it), failures explained as
// doing: the reads of Query, the counts (countsBy), Health and MovedIn.
func (s *Store) each(ctx context.Context, doing, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return s.explain(doing, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return s.explain(doing, err)
		}
	}
	return s.explainIf(doing, rows.Err())
}
