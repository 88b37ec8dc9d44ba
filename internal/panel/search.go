package panel

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/motion"
	"github.com/vigil-cctv/vigil/analytics/store"
)

// SearchHit is a moment when something moved in the searched region.
type SearchHit struct {
	Start, End time.Time
	Peak       float64
	// Path is the recording it was found in, Offset where in it; "" and 0 for a minute
	// the motion maps name but no local recording covers (coarse only).
	Path   string
	Offset time.Duration
}

// MotionSearch lists when something moved in a region of a camera's picture between
// since and until: the minutes whose stored motion map (one per camera per minute, kept
// by the motion analyzer) shows motion there, then, where the camera's recordings cover
// those minutes, the exact moments, by running the motion analyzer with the region as its
// zone over only those minutes of the recordings.
func (p *Panel) MotionSearch(ctx context.Context, camera string, r store.Region, since, until time.Time) ([]SearchHit, error) {
	if !(r.X0 >= 0 && r.Y0 >= 0 && r.X1 <= 1 && r.Y1 <= 1 && r.X0 < r.X1 && r.Y0 < r.Y1) {
		return nil, fmt.Errorf("the region %.2f,%.2f–%.2f,%.2f is not a box in the picture (0 to 1, left/top before right/bottom)", r.X0, r.Y0, r.X1, r.Y1)
	}
	st, err := p.eventStore()
	if err != nil {
		return nil, err
	}
	minutes, err := st.MovedIn(ctx, camera, r, since, until, 30)
	if err != nil || len(minutes) == 0 {
		return nil, err
	}
	clips, _ := p.Recorded(camera, minutes[0], minutes[len(minutes)-1].Add(time.Minute))
	zone := motion.Zone{Name: "search", Polygon: []motion.Point{{X: r.X0, Y: r.Y0}, {X: r.X1, Y: r.Y0}, {X: r.X1, Y: r.Y1}, {X: r.X0, Y: r.Y1}}}
	covered := map[time.Time]bool{}
	var hits []SearchHit
	for _, c := range clips {
		end := c.Start.Add(c.Duration)
		// Only the minutes that moved are decoded (each from a little before, for the
		// analyzer's background), not the whole file.
		var spans []analytics.Span
		for _, m := range minutes {
			if m.Before(end) && m.Add(time.Minute).After(c.Start) {
				spans = append(spans, analytics.Span{From: max(0, m.Sub(c.Start)), To: min(c.Duration, m.Add(time.Minute).Sub(c.Start))})
			}
		}
		if len(spans) == 0 {
			continue // nothing moved there while this file was written: not decoded
		}
		evs, err := analytics.AnalyzeFile(ctx, c.Path, analytics.FileOptions{Camera: camera, Start: c.Start, Spans: spans,
			Motion: analytics.MotionOptions{Config: motion.Config{Zones: []motion.Zone{zone}}}})
		if err != nil {
			p.log.Warn("motion search skipped a recording", "component", "analytics", "path", c.Path, "err", err)
			continue
		}
		for _, m := range minutes {
			if m.Before(end) && m.Add(time.Minute).After(c.Start) {
				covered[m] = true
			}
		}
		for _, e := range evs {
			hits = append(hits, SearchHit{Start: e.Start, End: e.End, Peak: e.Peak, Path: c.Path, Offset: e.StartOffset})
		}
	}
	for _, m := range minutes {
		if !covered[m] {
			hits = append(hits, SearchHit{Start: m, End: m.Add(time.Minute)})
		}
	}
	slices.SortFunc(hits, func(a, b SearchHit) int { return a.Start.Compare(b.Start) })
	return hits, nil
}
