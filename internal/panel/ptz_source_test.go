package panel_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/onvif/onviftest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// TestPTZFromTheCamerasOwnConnection: an ONVIF camera added by its ONVIF address, with
// no ptz block, is driven through its own connection once its stream is up: the wall's
// PTZ pad gets a controller, and a move reaches the camera.
func TestPTZFromTheCamerasOwnConnection(t *testing.T) {
	rts := rtsptest.StartCamera(t) // Digest, viewer / pw-42
	srv := onviftest.Start(t, onviftest.Options{User: "viewer", Password: "pw-42", ClockOffset: 7 * time.Minute, StreamURI: rts.URL("cam")})
	cfg := useSettings(t, fmt.Sprintf("cameras:\n  - {name: Dome, user: viewer, password: pw-42, streams: [{url: \"onvif://%s/\"}]}\n", srv.Addr()))
	pn := openPanel(t, cfg)
	s := pn.Streams()[0]
	sub := s.Watch(0, 0) // what a tile does: connects it
	defer sub.Close()
	deadline := time.Now().Add(20 * time.Second)
	for s.Status().State != capture.StateLive && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	p, ok, err := pn.PTZ("Dome")
	if !ok || err != nil {
		t.Fatalf("no PTZ from the live ONVIF camera (%v, state %v)", err, s.Status().State)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Move(ctx, capture.Velocity{Pan: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ops := srv.Ops(); !slices.Contains(ops, "ContinuousMove") || !slices.Contains(ops, "Stop") {
		t.Errorf("the camera received %q", ops)
	}
}
