package analytics

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// EventJSON is one line of `vigil events --json` and `vigil analyze --json` (which has
// no id, last, labels or detail, and adds a file's offsets).
type EventJSON struct {
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

// RFC3339Milli is RFC 3339 with milliseconds, the events' JSON times (in UTC).
const RFC3339Milli = "2006-01-02T15:04:05.000Z07:00"

// EventWriter prints ended events as `vigil analyze` does: a line each for people, or
// one EventJSON object per line. It is safe for several analyzers' goroutines and is a
// Sink (which prints events when they end).
type EventWriter struct {
	W    io.Writer
	JSON bool

	mu sync.Mutex
	n  int
}

// Event prints e when it has ended.
func (p *EventWriter) Event(e Event) {
	if e.Ended() {
		p.print(e, nil)
	}
}

// FileEvent prints an event of a file, with its offsets into the file.
func (p *EventWriter) FileEvent(e FileEvent) {
	p.print(e.Event, []time.Duration{e.StartOffset, e.EndOffset})
}

// Printed is how many events were printed.
func (p *EventWriter) Printed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func (p *EventWriter) print(e Event, offsets []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.JSON {
		end := e.End.UTC().Format(RFC3339Milli)
		j := EventJSON{Camera: e.Camera, Kind: e.Kind, Zone: e.Zone, Score: round3(e.Peak),
			Start: e.Start.UTC().Format(RFC3339Milli), End: &end, Snapshot: len(e.Snapshot) > 0}
		if len(offsets) == 2 {
			so, eo := round3(offsets[0].Seconds()), round3(offsets[1].Seconds())
			j.StartOffset, j.EndOffset = &so, &eo
		}
		b, _ := json.Marshal(j)
		fmt.Fprintln(p.W, string(b))
		return
	}
	zone := e.Zone
	if zone == "" {
		zone = "-"
	}
	at := ""
	if len(offsets) == 2 {
		at = fmt.Sprintf("  (%.1f s to %.1f s into the file)", offsets[0].Seconds(), offsets[1].Seconds())
	}
	fmt.Fprintf(p.W, "%s  %-16s %-8s zone %-10s score %.3f  %s%s\n", e.Start.Local().Format("2006-01-02 15:04:05.0"),
		e.Camera, e.Kind, zone, e.Peak, e.End.Sub(e.Start).Round(100*time.Millisecond), at)
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
