package store

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzStoreRoundTrip stores events with arbitrary text, scores and snapshot bytes in a
// SQLite store and reads them back: what is stored is the clipped text (valid UTF-8, no NUL,
// within the limits), the score within 0…1, and the snapshot byte for byte.
func FuzzStoreRoundTrip(f *testing.F) {
	f.Add("Gate", "motion", "drive", "person,car", 0.5, []byte("\xff\xd8\xff\xd9"), int64(0))
	f.Add("caf\xe9\x00", "\xff\xfe", strings.Repeat("ż", 300), "", -3.0, []byte(nil), int64(-1))
	f.Add("", "", "", "\u202e", 1e308, make([]byte, 100), int64(1)<<40)
	s, err := Open(f.TempDir()+"/fuzz.db", Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, camera, kind, zone, labels string, peak float64, snap []byte, offsetUs int64) {
		start := t0.Add(time.Duration(offsetUs%(int64(time.Hour)*24*365*50)) * time.Microsecond)
		in := Event{Camera: camera, Kind: kind, Zone: zone, Labels: labels, Detail: labels + camera, Peak: peak, Start: start, End: start.Add(time.Second), Snapshot: snap}
		id, err := s.Insert(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.Query(context.Background(), Filter{Since: start, Until: start.Add(time.Microsecond), Limit: MaxQueryLimit})
		if err != nil {
			t.Fatal(err)
		}
		var got *Event
		for i := range evs {
			if evs[i].ID == id {
				got = &evs[i]
			}
		}
		if got == nil {
			t.Fatalf("event %d not found by its start %v", id, start)
		}
		for _, c := range []struct {
			got, in string
			max     int
		}{{got.Camera, camera, MaxNameBytes}, {got.Kind, kind, MaxKindBytes}, {got.Zone, zone, MaxNameBytes},
			{got.Labels, labels, MaxLabelsBytes}, {got.Detail, labels + camera, MaxDetailBytes}} {
			if len(c.got) > c.max || !utf8.ValidString(c.got) || strings.ContainsRune(c.got, 0) || c.got != clip(c.in, c.max) {
				t.Fatalf("stored %q for %q (limit %d)", c.got, c.in, c.max)
			}
		}
		if got.Peak < 0 || got.Peak > 1 || !got.Start.Equal(start.Truncate(time.Microsecond)) {
			t.Fatalf("peak %v start %v for %v %v", got.Peak, got.Start, peak, start)
		}
		if len(snap) > 0 {
			back, err := s.Snapshot(context.Background(), id)
			if err != nil || !bytes.Equal(back, snap) {
				t.Fatalf("snapshot of %d bytes came back as %d bytes, %v", len(snap), len(back), err)
			}
		}
	})
}
