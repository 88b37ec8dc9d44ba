package panelui

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// TestPTZTest: the dialog's Test PTZ reaches the panel's ReadPTZ with the typed camera.
func TestPTZTest(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{Name: "Gate dome"})
	pn, err := panel.Open(&config.Config{}, panel.Options{Logger: slog.New(slog.DiscardHandler)})
	pn = capturetest.Started(t, pn, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, presets, err := PTZTest{P: pn}.ReadPTZ(ctx, config.Camera{Name: "Typed",
		PTZ: config.PTZ{Kind: "rcp", URL: cam.URL(), User: cam.User(), Password: cam.Password()}})
	if err != nil || info.Name != "Gate dome" || len(presets) != 3 {
		t.Fatalf("%+v %v %v", info, presets, err)
	}
}
