package panel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// PrintMotionSearch is `vigil events --moved-in`: it opens a panel on cfg, runs
// MotionSearch of camera's region (as given, "X0,Y0,X1,Y1") since then, and prints
// each moment: a line for people, or an analytics.EventJSON of kind motion whose zone
// is the region.
func PrintMotionSearch(ctx context.Context, cfg *config.Config, camera, region string, r store.Region, since time.Time, w io.Writer, asJSON bool, log *slog.Logger) error {
	pn, err := Open(cfg, Options{Logger: log, Record: true})
	if err != nil {
		return err
	}
	defer pn.Close()
	hits, err := pn.MotionSearch(ctx, camera, r, since, time.Now())
	if err != nil {
		return capture.CleanError(err)
	}
	for _, h := range hits {
		end := h.End.UTC().Format(analytics.RFC3339Milli)
		if asJSON {
			b, _ := json.Marshal(analytics.EventJSON{Camera: camera, Kind: "motion", Zone: region, Score: h.Peak, Start: h.Start.UTC().Format(analytics.RFC3339Milli), End: &end})
			fmt.Fprintln(w, string(b))
			continue
		}
		where := "  (minute's motion map; no local recording)"
		if h.Path != "" {
			where = fmt.Sprintf("  %.1f s into %s", h.Offset.Seconds(), h.Path)
		}
		fmt.Fprintf(w, "%s  %s%s\n", h.Start.Local().Format("2006-01-02 15:04:05.0"), h.End.Sub(h.Start).Round(100*time.Millisecond), where)
	}
	return nil
}
