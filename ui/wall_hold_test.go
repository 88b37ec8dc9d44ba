package ui

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// countSource counts the connections made to a camera's stream.
type countSource struct {
	capture.Source
	runs atomic.Int64
}

func (s *countSource) Run(ctx context.Context, sink capture.Sink) error {
	s.runs.Add(1)
	return s.Source.Run(ctx, sink)
}

// A camera added while the wall runs, shown on a tile large enough for its main stream,
// connects to the main stream only: holding it before the tiles change must not open its
// sub stream as well (issue 12 review: a second connection to the camera on every add).
func TestWallTNewCameraOpensOneConnection(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "2x2", nil)
	r.wall.Start()
	sub := &countSource{Source: liveSource(t, 20*time.Millisecond)}
	main := &countSource{Source: liveSource(t, 20*time.Millisecond)}
	d := &testDecoders{}
	ms := capture.NewMultiStream("Cam 2", []capture.Variant{
		{Source: sub, Width: 32, Height: 18}, {Source: main},
	}, capture.StreamOptions{Decoders: d.New, Logger: slog.New(slog.DiscardHandler)})
	r.streams = append(r.streams, ms)
	r.wall.SetCameras(r.streams)
	tile := r.wall.Tile("Cam 2")
	if tile == nil || !tile.Running() || r.wall.Held("Cam 2") {
		t.Fatalf("the new camera is not decoding on screen (tile %v held %v)", tile != nil, r.wall.Held("Cam 2"))
	}
	pumpUntil(t, r.q, "Cam 2 live", func() bool { return ms.Status().State == capture.StateLive })
	time.Sleep(100 * time.Millisecond)
	if n := sub.runs.Load(); n != 0 {
		t.Errorf("the sub stream was opened %d times beside the main stream (%d)", n, main.runs.Load())
	}
	if n := main.runs.Load(); n != 1 {
		t.Errorf("the main stream was opened %d times, want 1", n)
	}
}

// A camera held off screen is let go when it is removed from the settings, and every
// hold when the wall stops (quit): nothing stays connected behind the operator's back.
func TestWallTHoldsLetGoOnRemoveAndStop(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 3), capture.StreamOptions{}, "1", nil)
	r.wall.Start()
	cam2, cam3 := r.streams[1], r.streams[2]
	if !r.wall.Held("Cam 2") || !r.wall.Held("Cam 3") {
		t.Fatalf("off-screen cameras not held: %v %v", r.wall.Held("Cam 2"), r.wall.Held("Cam 3"))
	}
	pumpUntil(t, r.q, "Cam 3 live while held", func() bool { return cam3.Status().State == capture.StateLive })
	r.wall.SetCameras(r.streams[:2])
	if r.wall.Held("Cam 3") || cam3.Status().State != capture.StateStopped {
		t.Errorf("removed Cam 3: held %v, state %v", r.wall.Held("Cam 3"), cam3.Status().State)
	}
	r.wall.Stop()
	if r.wall.Held("Cam 2") || cam2.Status().State != capture.StateStopped {
		t.Errorf("after Stop Cam 2: held %v, state %v", r.wall.Held("Cam 2"), cam2.Status().State)
	}
	if st := r.streams[0].Status().State; st != capture.StateStopped {
		t.Errorf("after Stop Cam 1 is %v", st)
	}
}
