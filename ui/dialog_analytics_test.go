package ui

import (
	"slices"
	"testing"

	"github.com/vigil-cctv/vigil/config"
)

// TestCameraDialogKeepsAndEditsAnalytics: editing a camera keeps what the dialog does not
// show (its motion zones, its ptz block) and saves the analyzers ticked and the recording
// mode chosen; an unchanged camera comes back as it was.
func TestCameraDialogKeepsAndEditsAnalytics(t *testing.T) {
	cam := config.Camera{Name: "Yard", Streams: []config.Stream{{URL: "rtsp://127.0.0.1/yard"}}, Record: "continuous",
		Analyzers: []string{"motion"},
		Motion:    &config.Motion{Zones: []config.MotionZone{{Name: "gate", Points: [][2]float64{{0, 0}, {1, 0}, {0, 1}}}}},
		PTZ:       config.PTZ{Kind: "rcp", URL: "rcp://127.0.0.1/"}}
	r := dlgTNew(t, &cam, nil, nil)
	c, msg := r.d.camera()
	if msg != "" || c.Record != "continuous" || !slices.Equal(c.Analyzers, []string{"motion"}) || c.Motion != cam.Motion || c.PTZ != cam.PTZ {
		t.Fatalf("unchanged camera comes back as %+v (%q)", c, msg)
	}
	r.d.analyzers.SetSelected([]string{"motion", "person"})
	r.d.record.SetSelected("motion")
	c, _ = r.d.camera()
	if c.Record != "motion" || !slices.Equal(c.Analyzers, []string{"motion", "person"}) || c.Motion == nil || len(c.Motion.Zones) != 1 {
		t.Errorf("edited camera %+v", c)
	}
	r.d.record.SetSelected("off")
	if c, _ = r.d.camera(); c.Record != "" {
		t.Errorf(`"off" is written as %q, want empty`, c.Record)
	}
}
