package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// eventJSON is one line of `vigil events --json` and `vigil analyze --json` (which has
// no id, last or snapshot, and adds a file's offsets).
type eventJSON struct {
	ID       int64   `json:"id,omitempty"`
	Camera   string  `json:"camera"`
	Kind     string  `json:"kind"`
	Zone     string  `json:"zone"`
	Score    float64 `json:"score"`
	Start    string  `json:"start"`
	End      *string `json:"end"` // null while the event is open
	Last     string  `json:"last,omitempty"`
	Labels   string  `json:"labels,omitempty"`
	Detail   string  `json:"detail,omitempty"`
	Snapshot bool    `json:"snapshot"`
	// StartOffset and EndOffset are seconds from a file's first frame (vigil analyze).
	StartOffset *float64 `json:"start_offset_s,omitempty"`
	EndOffset   *float64 `json:"end_offset_s,omitempty"`
}

// rfc3339Milli is RFC 3339 with milliseconds, in UTC.
const rfc3339Milli = "2006-01-02T15:04:05.000Z07:00"

func runEvents(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil events", "usage: vigil events [--config FILE] [--since 24h] [--camera NAME] [--kind KIND] [--zone ZONE] [--json]\n\n"+
		"Prints the analyzers' events from the event store named by analytics.database in the\n"+
		"settings (default ~/.local/share/vigil/events.db), newest first: a table, or with --json\n"+
		"one object per line (camera, kind, zone, score, start, end as RFC 3339; end is null while\n"+
		"the event is open). Exit code 0 when the store could be read (even with no events).", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings)")
	since := fs.String("since", "24h", "how far back: a duration such as 90m, 24h or 7d")
	camera := fs.String("camera", "", "only this camera's events")
	kind := fs.String("kind", "", `only events of this kind ("motion", "person", "face", …)`)
	zone := fs.String("zone", "", "only events in this zone")
	limit := fs.Int("limit", store.DefaultQueryLimit, fmt.Sprintf("print at most this many events (at most %d)", store.MaxQueryLimit))
	asJSON := fs.Bool("json", false, "print one JSON object per event")
	movedIn := fs.String("moved-in", "", "motion search: X0,Y0,X1,Y1 (0–1 of the picture) of --camera: when something moved there")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	back, err := parseSince(*since)
	if fs.NArg() > 0 || err != nil || *limit <= 0 || *limit > store.MaxQueryLimit {
		fmt.Fprintln(stderr, "vigil events: takes no arguments; --since wants a duration such as 24h or 7d, --limit 1 to", store.MaxQueryLimit)
		return exitUsage
	}
	cfg, ok := loadSettings("vigil events", *cfgPath, stderr)
	if !ok {
		return exitFailed
	}
	if *movedIn != "" {
		return searchMotion(cfg, *camera, *movedIn, time.Now().Add(-back), *asJSON, stdout, stderr)
	}
	dsn, err := cfg.Analytics.DatabaseDSN()
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", err)
		return exitFailed
	}
	// A reader: no retention, and no new file where there is none.
	s, err := store.Open(dsn, store.Options{MustExist: true})
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", err)
		if errors.Is(err, capture.ErrNotFound) {
			fmt.Fprintln(stderr, "vigil events: (set analytics.database in the settings if the events are elsewhere)")
		}
		return exitFailed
	}
	defer s.Close()
	ctx, stop := commandContext(0)
	defer stop()
	evs, err := s.Query(ctx, store.Filter{Camera: *camera, Kind: *kind, Zone: *zone, Since: time.Now().Add(-back), Limit: *limit})
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", err)
		return exitFailed
	}
	if *asJSON {
		err = printEventsJSON(stdout, evs)
	} else {
		err = printEventsTable(stdout, evs)
	}
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", err)
		return exitFailed
	}
	return exitOK
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

// text is an event's field fit for a terminal: a shared database's text is cleaned like
// any peer's.
func text(s string) string { return capture.CleanText(s, capture.MaxFieldText) }

func printEventsJSON(w io.Writer, evs []store.Event) error {
	enc := json.NewEncoder(w)
	for _, e := range evs {
		j := eventJSON{ID: e.ID, Camera: text(e.Camera), Kind: text(e.Kind), Zone: text(e.Zone), Score: e.Peak,
			Start: e.Start.UTC().Format(rfc3339Milli), Last: e.Last.UTC().Format(rfc3339Milli),
			Labels: text(e.Labels), Detail: text(e.Detail), Snapshot: e.SnapshotBytes > 0}
		if !e.Open() {
			end := e.End.UTC().Format(rfc3339Milli)
			j.End = &end
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

func printEventsTable(w io.Writer, evs []store.Event) error {
	if len(evs) == 0 {
		_, err := fmt.Fprintln(w, "no events")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tLENGTH\tCAMERA\tKIND\tZONE\tSCORE\tLABELS")
	for _, e := range evs {
		length := "open"
		if !e.Open() {
			length = e.End.Sub(e.Start).Round(100 * time.Millisecond).String()
		}
		zone := text(e.Zone)
		if zone == "" {
			zone = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", e.Start.Local().Format("2006-01-02 15:04:05"), length,
			text(e.Camera), text(e.Kind), zone, e.Peak, text(e.Labels))
	}
	return tw.Flush()
}

// searchMotion is `vigil events --moved-in`: the moments something moved in a region.
func searchMotion(cfg *config.Config, camera, region string, since time.Time, asJSON bool, stdout, stderr io.Writer) int {
	var r store.Region
	if n, _ := fmt.Sscanf(region, "%g,%g,%g,%g", &r.X0, &r.Y0, &r.X1, &r.Y1); n != 4 || camera == "" {
		fmt.Fprintln(stderr, "vigil events: --moved-in wants X0,Y0,X1,Y1 (fractions of the picture, e.g. 0.2,0.4,0.6,0.9) and a --camera")
		return exitUsage
	}
	pn, err := panel.Open(cfg, panel.Options{Logger: newLogger(stderr, slog.LevelWarn), Record: true})
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", err)
		return exitFailed
	}
	defer pn.Close()
	ctx, stop := commandContext(0)
	defer stop()
	hits, err := pn.MotionSearch(ctx, camera, r, since, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "vigil events:", capture.CleanError(err))
		return exitFailed
	}
	for _, h := range hits {
		end := h.End.UTC().Format(rfc3339Milli)
		if asJSON {
			b, _ := json.Marshal(eventJSON{Camera: camera, Kind: "motion", Zone: region, Score: h.Peak, Start: h.Start.UTC().Format(rfc3339Milli), End: &end})
			fmt.Fprintln(stdout, string(b))
			continue
		}
		where := "  (minute's motion map; no local recording)"
		if h.Path != "" {
			where = fmt.Sprintf("  %.1f s into %s", h.Offset.Seconds(), h.Path)
		}
		fmt.Fprintf(stdout, "%s  %s%s\n", h.Start.Local().Format("2006-01-02 15:04:05.0"), h.End.Sub(h.Start).Round(100*time.Millisecond), where)
	}
	return exitOK
}
