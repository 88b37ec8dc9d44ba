package panel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/onvif/onviftest"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// TestReadPTZ: the camera dialog's Test PTZ reads a typed block's device and presets
// (RCP+ with Digest, ONVIF with its skewed clock), moving nothing, and a wrong password
// or a camera without a block is an error of the matching kind.
func TestReadPTZ(t *testing.T) {
	bosch := rcptest.StartFor(t, rcptest.Options{Name: "Yard dome"})
	ov := onviftest.Start(t, onviftest.Options{User: "op", Password: "pw-3", ClockOffset: 7 * time.Minute})
	pn := openPanel(t, &config.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cam := func(p config.PTZ) config.Camera {
		return config.Camera{Name: "Typed", Streams: []config.Stream{{URL: "http://127.0.0.1:1/"}}, PTZ: p}
	}

	info, presets, err := pn.ReadPTZ(ctx, cam(config.PTZ{Kind: "rcp", URL: bosch.URL(), User: bosch.User(), Password: bosch.Password()}))
	if err != nil || info.Name != "Yard dome" || !info.PTZ || len(presets) != 3 {
		t.Fatalf("rcp: %+v %v %v", info, presets, err)
	}
	if bosch.Moving() {
		t.Error("reading moved the camera")
	}
	_, _, err = pn.ReadPTZ(ctx, cam(config.PTZ{Kind: "rcp", URL: bosch.URL(), User: bosch.User(), Password: "nope-123"}))
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "nope-123") {
		t.Errorf("rcp, wrong password: %v", err)
	}

	_, presets, err = pn.ReadPTZ(ctx, cam(config.PTZ{Kind: "onvif", URL: ov.URL(), User: "op", Password: "pw-3"}))
	if err != nil {
		t.Fatalf("onvif: %v", err)
	}
	for _, op := range ov.Ops() {
		if strings.Contains(op, "Move") || op == "Stop" {
			t.Errorf("reading sent %s", op)
		}
	}
	t.Logf("onvif: %d presets, ops %v", len(presets), ov.Ops())

	if _, _, err := pn.ReadPTZ(ctx, cam(config.PTZ{})); !errors.Is(err, capture.ErrUnsupported) {
		t.Errorf("no block: %v", err)
	}
}
