package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/store"
)

// eventsSettings writes a settings file naming db as the event store.
func eventsSettings(t *testing.T, db string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(cfg, []byte("analytics:\n  database: "+db+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestEventsCommandPrintsTheStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "events.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, e := range []store.Event{
		{Camera: "Gate", Kind: store.KindMotion, Zone: "drive", Start: now.Add(-2 * time.Hour), End: now.Add(-2*time.Hour + 5*time.Second), Peak: 0.75, Snapshot: []byte("\xff\xd8\xff\xd9")},
		{Camera: "Yard", Kind: "person", Start: now.Add(-time.Hour), Peak: 0.5, Labels: "person"}, // still open
		{Camera: "Gate\x1b[2J", Kind: store.KindMotion, Start: now.Add(-30 * time.Minute), End: now.Add(-29 * time.Minute), Peak: 0.25},
		{Camera: "Gate", Kind: store.KindMotion, Start: now.Add(-72 * time.Hour), End: now.Add(-71 * time.Hour), Peak: 1},
	} {
		if _, err := s.Insert(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	cfg := eventsSettings(t, db)

	code, out, errOut := vigil(t, "events", "--config", cfg, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 { // the 72 h old one is outside the default 24 h
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var evs []analytics.EventJSON
	for _, l := range lines {
		var e analytics.EventJSON
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		evs = append(evs, e)
	}
	if strings.ContainsRune(out, 0x1b) || evs[0].Camera == "" {
		t.Fatalf("a control character reached the terminal: %q", out)
	}
	open, gate := evs[1], evs[2]
	if open.Camera != "Yard" || open.End != nil || open.Kind != "person" || open.Score != 0.5 {
		t.Fatalf("open event printed as %+v", open)
	}
	start, err := time.Parse(time.RFC3339, gate.Start)
	if err != nil || !start.Equal(now.Add(-2*time.Hour)) || gate.End == nil || gate.Zone != "drive" || gate.Score != 0.75 || !gate.Snapshot {
		t.Fatalf("event printed as %+v (start %v, %v)", gate, start, err)
	}
	if end, err := time.Parse(time.RFC3339, *gate.End); err != nil || !end.Equal(now.Add(-2*time.Hour+5*time.Second)) {
		t.Fatalf("end %q: %v", *gate.End, err)
	}

	code, out, _ = vigil(t, "events", "--config", cfg, "--since", "7d", "--camera", "Gate", "--kind", "motion")
	if code != exitOK || strings.Count(out, "\n") != 3 || !strings.Contains(out, "START") || !strings.Contains(out, "5s") || strings.Contains(out, "Yard") {
		t.Fatalf("table (exit %d):\n%s", code, out)
	}
	code, out, _ = vigil(t, "events", "--config", cfg, "--kind", "face")
	if code != exitOK || strings.TrimSpace(out) != "no events" {
		t.Fatalf("no match (exit %d): %q", code, out)
	}
}

func TestEventsCommandFailures(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none", "events.db")
	code, _, errOut := vigil(t, "events", "--config", eventsSettings(t, missing))
	if code != exitFailed || !strings.Contains(errOut, "no event database at "+missing) {
		t.Fatalf("missing store: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("vigil events created the database it was to read")
	}
	for _, args := range [][]string{{"--since", "yesterday"}, {"--since", "-3h"}, {"stray"}, {"--limit", "0"}} {
		if code, _, _ := vigil(t, append([]string{"events"}, args...)...); code != exitUsage {
			t.Errorf("vigil events %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
