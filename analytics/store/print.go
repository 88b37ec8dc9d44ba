package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/capture"
)

// Print reads the events f selects from the store at dsn and prints them as `vigil
// events` does: WriteJSON, or WriteTable. It is a reader: the store must exist
// (capture.ErrNotFound when it does not) and it applies no retention.
func Print(ctx context.Context, dsn string, f Filter, w io.Writer, asJSON bool) error {
	s, err := Open(dsn, Options{MustExist: true})
	if err != nil {
		return err
	}
	defer s.Close()
	evs, err := s.Query(ctx, f)
	if err != nil {
		return err
	}
	if asJSON {
		return WriteJSON(w, evs)
	}
	return WriteTable(w, evs)
}

// text is an event's field fit for a terminal: a shared database's text is cleaned like
// any peer's.
func text(s string) string { return capture.CleanText(s, capture.MaxFieldText) }

// WriteJSON prints one analytics.EventJSON per line per event; end is null while an
// event is open.
func WriteJSON(w io.Writer, evs []Event) error {
	enc := json.NewEncoder(w)
	for _, e := range evs {
		j := analytics.EventJSON{ID: e.ID, Camera: text(e.Camera), Kind: text(e.Kind), Zone: text(e.Zone), Score: e.Peak,
			Start: e.Start.UTC().Format(analytics.RFC3339Milli), Last: e.Last.UTC().Format(analytics.RFC3339Milli),
			Labels: text(e.Labels), Detail: text(e.Detail), Snapshot: e.SnapshotBytes > 0}
		if !e.Open() {
			end := e.End.UTC().Format(analytics.RFC3339Milli)
			j.End = &end
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable prints the events as a table for people ("no events" when there is none).
func WriteTable(w io.Writer, evs []Event) error {
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
