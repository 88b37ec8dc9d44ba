package store

import (
	"context"
	"strings"
	"time"
)

// retains reports whether any retention limit is set.
func (s *Store) retains() bool { return s.opts.MaxAgeDays > 0 || s.opts.MaxSizeMB > 0 }

// retentionLoop runs Prune every RetentionEvery until ctx ends.
func (s *Store) retentionLoop(ctx context.Context) {
	defer close(s.retentionDone)
	if !s.retains() {
		return
	}
	t := time.NewTicker(s.opts.RetentionEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("retention failed", "db", s.name, "err", err)
			} else if n > 0 {
				s.log.Info("retention deleted old events", "db", s.name, "events", n)
			}
		}
	}
}

// pruneBatch is how many events one retention transaction deletes at most, so a writer
// never waits long behind it.
const pruneBatch = 500

// Prune applies retention now: events that started more than MaxAgeDays ago go (and the
// motion maps and camera health of before then, pruneSeries), then the oldest events while
// the store holds more than MaxSizeMB. It returns how many events it deleted.
func (s *Store) Prune(ctx context.Context) (int, error) {
	deleted, shrink := 0, false
	if s.opts.MaxAgeDays > 0 {
		cutoff := s.opts.now().Add(-time.Duration(s.opts.MaxAgeDays * float64(24*time.Hour)))
		for {
			ids, err := s.ids(ctx, `SELECT id FROM events WHERE start_us < ? ORDER BY start_us, id LIMIT ?`, micros(cutoff), pruneBatch)
			if err != nil {
				return deleted, err
			}
			if err := s.deleteEvents(ctx, ids); err != nil {
				return deleted, err
			}
			deleted += len(ids)
			if len(ids) < pruneBatch {
				break
			}
		}
		series, err := s.pruneSeries(ctx, micros(cutoff))
		if err != nil {
			return deleted, err
		}
		shrink = series > 0
	}
	if s.opts.MaxSizeMB > 0 {
		limit := int64(s.opts.MaxSizeMB * (1 << 20))
		for {
			size, err := s.Size(ctx)
			if err != nil {
				return deleted, err
			}
			if size <= limit {
				break
			}
			ids, err := s.oldest(ctx, size-limit)
			if err != nil {
				return deleted, err
			}
			if len(ids) == 0 {
				break
			}
			if err := s.deleteEvents(ctx, ids); err != nil {
				return deleted, err
			}
			deleted += len(ids)
		}
	}
	if (deleted > 0 || shrink) && s.d.name == "sqlite" {
		// Give the freed pages back to the file system (auto_vacuum=INCREMENTAL).
		if _, err := s.db.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
			return deleted, s.explain("shrink", err)
		}
	}
	return deleted, nil
}

// Size is what the events count for against MaxSizeMB: their snapshots plus RowBytes each.
func (s *Store) Size(ctx context.Context) (int64, error) {
	var size int64
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT COALESCE(SUM(snapshot_bytes), 0) + COUNT(*) * ? FROM events`), RowBytes).Scan(&size)
	if err != nil {
		return 0, s.explain("measure", err)
	}
	return size, nil
}

// oldest returns the oldest events (at most pruneBatch) whose sizes add up to at least
// excess.
func (s *Store) oldest(ctx context.Context, excess int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT id, snapshot_bytes FROM events ORDER BY start_us, id LIMIT ?`), pruneBatch)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	var ids []int64
	var freed int64
	for freed < excess && rows.Next() {
		var id, snap int64
		if err := rows.Scan(&id, &snap); err != nil {
			return nil, s.explain("read", err)
		}
		ids = append(ids, id)
		freed += snap + RowBytes
	}
	return ids, rows.Err()
}

// ids runs a query of event ids.
func (s *Store) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, s.explain("read", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, s.explain("read", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deleteEvents deletes events and their snapshots in one transaction.
func (s *Store) deleteEvents(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in := "(" + strings.Repeat("?,", len(ids)-1) + "?)"
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.explain("delete from", err)
	}
	defer tx.Rollback()
	for _, table := range []string{`DELETE FROM snapshots WHERE event_id IN `, `DELETE FROM events WHERE id IN `} {
		if _, err := tx.ExecContext(ctx, s.d.q(table+in), args...); err != nil {
			return s.explain("delete from", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.explain("delete from", err)
	}
	return nil
}
