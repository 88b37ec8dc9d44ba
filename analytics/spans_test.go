//go:build cgo

package analytics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
)

// TestAnalyzeFileSpans: decoding only parts of the clip (the white block crosses from 3 s
// to 6 s) finds the walk in a span over it, at the offsets of the whole file's analysis,
// and nothing in a span after it; a span needs the file's start time.
func TestAnalyzeFileSpans(t *testing.T) {
	path := clip(t)
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	ctx := context.Background()
	whole, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Start: start})
	if err != nil || len(whole) != 1 {
		t.Fatalf("the whole file: %+v %v", whole, err)
	}
	part, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Start: start,
		Spans: []analytics.Span{{From: 8 * time.Second, To: 10 * time.Second}, {From: 3 * time.Second, To: 4 * time.Second}, {From: 4 * time.Second, To: 7 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(part) != 1 {
		t.Fatalf("%d events in the spans over the walk, want 1: %+v", len(part), part)
	}
	if d := (part[0].StartOffset - whole[0].StartOffset).Abs(); d > 200*time.Millisecond {
		t.Errorf("the span's event starts at %v, the whole file's at %v", part[0].StartOffset, whole[0].StartOffset)
	}
	if d := (part[0].EndOffset - whole[0].EndOffset).Abs(); d > 200*time.Millisecond {
		t.Errorf("the span's event ends at %v, the whole file's at %v", part[0].EndOffset, whole[0].EndOffset)
	}
	if !part[0].Start.Equal(start.Add(part[0].StartOffset)) {
		t.Errorf("wall time %v does not follow the file's start", part[0].Start)
	}
	// Two spans apart: the second is sought and starts afresh (a new background from
	// 2.5 s), and still sees the walk to its end.
	two, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Start: start, Spans: []analytics.Span{{From: 0, To: time.Second}, {From: 5500 * time.Millisecond, To: 10 * time.Second}}})
	if err != nil || len(two) != 1 || (two[0].EndOffset-whole[0].EndOffset).Abs() > 200*time.Millisecond {
		t.Errorf("two spans apart, the second over the walk's end: %+v %v", two, err)
	}
	after, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Start: start, Spans: []analytics.Span{{From: 8500 * time.Millisecond, To: 10 * time.Second}}})
	if err != nil || len(after) != 0 {
		t.Errorf("a span after the walk: %+v %v", after, err)
	}
	if _, err := analytics.AnalyzeFile(ctx, path, analytics.FileOptions{Spans: []analytics.Span{{From: 0, To: time.Second}}}); err == nil || !strings.Contains(err.Error(), "wall time") {
		t.Errorf("spans without the file's start: %v", err)
	}
}
