//go:build cgo

package analytics_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// clip makes a 10 s, 10 fps noisy grey scene in which a white block crosses the view
// from 3 s to 6 s, with Debian's ffmpeg: the moment is scripted, so the event's times
// can be checked.
func clip(t *testing.T) string {
	t.Helper()
	graph := "color=c=0x607080:size=640x360:rate=10:duration=10,noise=alls=12:allf=t[bg];" +
		"color=c=white:size=48x140:rate=10[box];" +
		"[bg][box]overlay=x='40+120*(t-3)':y=120:enable='between(t,3,6)':shortest=1"
	return capturetest.FFmpegFile(t, "yard.mp4", "-f", "lavfi", "-i", graph, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10")
}

// TestAnalyzeFileFindsTheScriptedMoment: one motion event, starting and ending within
// 0.5 s of the script, and none in the noise around it.
func TestAnalyzeFileFindsTheScriptedMoment(t *testing.T) {
	start := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	evs, err := analytics.AnalyzeFile(context.Background(), clip(t), analytics.FileOptions{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1: %+v", len(evs), evs)
	}
	e := evs[0]
	t.Logf("event %s %s: %v to %v (script: 3 s to 6 s), peak %.3f", e.Camera, e.Kind, e.StartOffset, e.EndOffset, e.Peak)
	if e.Camera != "yard" || e.Kind != "motion" || e.Zone != "" || e.Peak <= 0 {
		t.Errorf("event %+v", e.Event)
	}
	if d := math.Abs((e.StartOffset - 3*time.Second).Seconds()); d > 0.5 {
		t.Errorf("starts at %v, %.2f s from the script", e.StartOffset, d)
	}
	if d := math.Abs((e.EndOffset - 6*time.Second).Seconds()); d > 0.5 {
		t.Errorf("ends at %v, %.2f s from the script", e.EndOffset, d)
	}
	if !e.Start.Equal(start.Add(e.StartOffset)) || !e.End.Equal(start.Add(e.EndOffset)) {
		t.Errorf("wall times %v–%v do not follow the file's start", e.Start, e.End)
	}
}

func TestAnalyzeFileErrors(t *testing.T) {
	if _, err := analytics.AnalyzeFile(context.Background(), "/nonexistent.mp4", analytics.FileOptions{}); err == nil {
		t.Error("a missing file analysed")
	}
}

// TestRunOnALiveStream: the analyzer, as another consumer of a camera's stream over real
// MJPEG, turns the walker of each loop into an event about as long as the walk.
func TestRunOnALiveStream(t *testing.T) {
	const fps = 10
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: analyticstest.Walk(40, 20, 35, 320, 180), FPS: fps})
	defer srv.Close()
	s := capture.NewStream("Yard", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{Decoders: func(capture.Codec) (capture.FrameDecoder, error) { return jpegdec.New() }})
	defer s.Close()
	var mu sync.Mutex
	var ended []analytics.Event
	m, err := analytics.NewMotion("Yard", analytics.MotionOptions{Hysteresis: analytics.Hysteresis{Gap: time.Second}}, analytics.SinkFunc(func(e analytics.Event) {
		if e.Ended() {
			mu.Lock()
			ended = append(ended, e)
			mu.Unlock()
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- analytics.Run(ctx, s, m) }()
	for ctx.Err() == nil {
		mu.Lock()
		n := len(ended)
		mu.Unlock()
		if n >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ended) < 2 {
		t.Fatalf("%d events in 20 s of a 4 s loop with a 1.5 s walk", len(ended))
	}
	for _, e := range ended {
		if _, err := jpeg.Decode(bytes.NewReader(e.Snapshot)); err != nil {
			t.Errorf("the event's snapshot is not a JPEG: %v", err)
		}
		d := e.End.Sub(e.Start)
		t.Logf("event %v long, peak %.3f", d, e.Peak)
		if d < time.Second/2 || d > 3*time.Second { // generous: a loaded machine delays frames

			t.Errorf("an event of %v for a walk of 1.5 s", d)
		}
	}
}
