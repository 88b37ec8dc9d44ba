package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// HeatSize is the side of a motion map: HeatSize×HeatSize cells, each the most of that
// part of the picture that moved in the minute, ×255 (analytics/motion.HeatSize).
const HeatSize = 16

// PutHeat stores a camera's motion map of the minute starting at minute (replacing one
// stored before for that minute).
func (s *Store) PutHeat(ctx context.Context, camera string, minute time.Time, heat []byte) error {
	if len(heat) != HeatSize*HeatSize {
		return fmt.Errorf("a motion map has %d cells, not %d", len(heat), HeatSize*HeatSize)
	}
	_, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO motion_heat (camera, minute_us, heat) VALUES (?, ?, ?)
		ON CONFLICT (camera, minute_us) DO UPDATE SET heat = excluded.heat`), clip(camera, MaxNameBytes), micros(minute.Truncate(time.Minute)), heat)
	if err != nil {
		return s.explain("writing a motion map to", err)
	}
	return nil
}

// Region is a part of the picture, 0…1 from the top-left corner.
type Region struct{ X0, Y0, X1, Y1 float64 }

// cells reports which cells of a motion map a region covers.
func (r Region) cells() []int {
	var out []int
	for cy := range HeatSize {
		for cx := range HeatSize {
			x0, y0 := float64(cx)/HeatSize, float64(cy)/HeatSize
			if x0+1.0/HeatSize > r.X0 && x0 < r.X1 && y0+1.0/HeatSize > r.Y0 && y0 < r.Y1 {
				out = append(out, cy*HeatSize+cx)
			}
		}
	}
	return out
}

// maxHeatRows bounds a search (a month of minutes).
const maxHeatRows = 31 * 24 * 60

// MovedIn lists the minutes in [since, until) in which something moved in the region of
// a camera's picture: a cell of the region at least minHeat (1…255) in that minute's map.
// It is the coarse pass of motion search; the recordings of those minutes say exactly when.
func (s *Store) MovedIn(ctx context.Context, camera string, r Region, since, until time.Time, minHeat byte) ([]time.Time, error) {
	cells := r.cells()
	if len(cells) == 0 {
		return nil, fmt.Errorf("the region %+v covers no part of the picture", r)
	}
	var out []time.Time
	err := s.each(ctx, "searching", `SELECT minute_us, heat FROM motion_heat WHERE camera = ? AND minute_us >= ? AND minute_us < ? ORDER BY minute_us LIMIT ?`,
		[]any{camera, micros(since.Truncate(time.Minute)), micros(until), maxHeatRows}, func(rows *sql.Rows) error {
			var us int64
			var heat []byte
			if err := rows.Scan(&us, &heat); err != nil {
				return err
			}
			for _, c := range cells {
				if c < len(heat) && heat[c] >= max(minHeat, 1) {
					out = append(out, fromMicros(us))
					break
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) explainIf(doing string, err error) error {
	if err == nil {
		return nil
	}
	return s.explain(doing, err)
}
