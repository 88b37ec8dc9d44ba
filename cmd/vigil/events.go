package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/panel"
)

func runEvents(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil events", eventsUsage, stderr)
	c.configFlag("settings file (default: your settings)")
	since := c.String("since", "24h", "how far back: a duration such as 90m, 24h or 7d")
	camera := c.String("camera", "", "only this camera's events")
	kind := c.String("kind", "", `only events of this kind ("motion", "person", "face", …)`)
	zone := c.String("zone", "", "only events in this zone")
	limit := c.Int("limit", store.DefaultQueryLimit, fmt.Sprintf("print at most this many events (at most %d)", store.MaxQueryLimit))
	asJSON := c.Bool("json", false, "print one JSON object per event")
	movedIn := c.String("moved-in", "", "motion search: X0,Y0,X1,Y1 (0–1 of the picture) of --camera: when something moved there")
	pos, ok := c.parse(args)
	if !ok {
		return exitUsage
	}
	back, err := parseSince(*since)
	if len(pos) > 0 || err != nil || *limit <= 0 || *limit > store.MaxQueryLimit {
		return c.fail(exitUsage, "takes no arguments; --since wants a duration such as 24h or 7d, --limit 1 to", store.MaxQueryLimit)
	}
	cfg, ok := c.settings()
	if !ok {
		return exitFailed
	}
	ctx, stop := commandContext(0)
	defer stop()
	from := time.Now().Add(-back)
	if *movedIn != "" {
		var r store.Region
		if n, _ := fmt.Sscanf(*movedIn, "%g,%g,%g,%g", &r.X0, &r.Y0, &r.X1, &r.Y1); n != 4 || *camera == "" {
			return c.fail(exitUsage, "--moved-in wants X0,Y0,X1,Y1 (fractions of the picture, e.g. 0.2,0.4,0.6,0.9) and a --camera")
		}
		return c.exit(panel.PrintMotionSearch(ctx, cfg, *camera, *movedIn, r, from, stdout, *asJSON, newLogger(stderr, logLevel(false))))
	}
	dsn, err := cfg.Analytics.DatabaseDSN()
	if err == nil {
		err = store.Print(ctx, dsn, store.Filter{Camera: *camera, Kind: *kind, Zone: *zone, Since: from, Limit: *limit}, stdout, *asJSON)
	}
	code := c.exit(err)
	if errors.Is(err, capture.ErrNotFound) {
		c.fail(0, "(set analytics.database in the settings if the events are elsewhere)")
	}
	return code
}

// parseSince reads a duration, with "d" for days as well as Go's units ("7d", "36h").
func parseSince(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil || days <= 0 || days > 100*365 {
			return 0, fmt.Errorf("bad number of days %q", s)
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d <= 0 {
		err = fmt.Errorf("--since must be positive")
	}
	return d, err
}

// eventsUsage is `vigil events -h`.
const eventsUsage = `usage: vigil events [--config FILE] [--since 24h] [--camera NAME] [--kind KIND] [--zone ZONE] [--json]

Prints the analyzers' events from the event store named by analytics.database in the
settings (default ~/.local/share/vigil/events.db), newest first: a table, or with --json
one object per line (camera, kind, zone, score, start, end as RFC 3339; end is null while
the event is open). Exit code 0 when the store could be read (even with no events).`
