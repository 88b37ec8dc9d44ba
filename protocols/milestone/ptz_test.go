package milestone_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// ptzSite is a site whose camera "Dome" has PTZ (centring on a point when center) and
// "Fixed" has none.
func ptzSite(t *testing.T, center bool) (*milestonetest.Server, *milestonetest.Recorder) {
	t.Helper()
	const domeID, fixedID = "0d5e1a2b-0000-4000-8000-0000000000d0", "0d5e1a2b-0000-4000-8000-0000000000f0"
	srv := milestonetest.NewServer(milestonetest.Options{})
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{FPS: 20, ValidToken: srv.ValidToken,
		Cameras: map[string][][]byte{domeID: mjpegtest.MakeFrames(3, 160, 120), fixedID: mjpegtest.MakeFrames(3, 160, 120)}})
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 1", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: domeID, Name: "Dome", PTZ: true, Center: center}, {ID: fixedID, Name: "Fixed"}}})
	t.Cleanup(func() { rec.Close(); srv.Close() })
	return srv, rec
}

// ptzOf runs the camera's Source until it streams and returns its PTZ.
func ptzOf(t *testing.T, srv *milestonetest.Server, camera string) (capture.PTZ, bool) {
	t.Helper()
	src := &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/" + camera, Insecure: true}
	if _, err := capturetest.Run(t, src, 2); err != nil {
		t.Fatal(err)
	}
	p, ok := src.PTZ()
	if ok {
		t.Cleanup(func() { p.Close() })
	}
	return p, ok
}

func TestPTZMoveStopPresetsCenter(t *testing.T) {
	srv, rec := ptzSite(t, true)
	p, ok := ptzOf(t, srv, "Dome")
	if !ok {
		t.Fatal("PTZ() not ok for a camera whose PtzSettings say PtzEnabled")
	}
	c := capturetest.Context(t)
	for _, step := range []func() error{
		func() error { return p.Move(c, capture.Velocity{Pan: 0.5}) },
		func() error { return p.Move(c, capture.Velocity{Pan: 0.8}) },           // same way: no stop
		func() error { return p.Move(c, capture.Velocity{Pan: -0.5, Zoom: 1}) }, // reversal: stop first
		func() error { return p.Move(c, capture.Velocity{}) },                   // zero: stop
		func() error { return p.GotoPreset(c, "Gate") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	cm, ok := p.(capture.PTZCenterer)
	if !ok {
		t.Fatal("a camera with IsCenterOnPositionInViewSupported is not a PTZCenterer")
	}
	if err := cm.Center(c, 0.25, 0.75); err != nil {
		t.Fatal(err)
	}
	ps, err := p.Presets(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := []capture.Preset{{ID: "Home", Name: "Home"}, {ID: "Gate", Name: "Gate"}, {ID: "Car park", Name: "Car park"}}; !slices.Equal(ps, want) {
		t.Errorf("Presets = %v, want %v", ps, want)
	}
	info, err := p.Info(c)
	if err != nil || info.Name != "Dome" || !info.PTZ {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if err := p.StorePreset(c, "Gate", ""); !errors.Is(err, capture.ErrUnsupported) {
		t.Errorf("StorePreset: %v, want ErrUnsupported", err)
	}

	cmds := rec.PTZCommands()
	var ops []string
	for _, cmd := range cmds {
		ops = append(ops, cmd.Op)
	}
	want := []string{"PTZMoveStart", "PTZMoveStart", "PTZMoveStop", "PTZMoveStart", "PTZMoveStop", "PresetMoveTo", "PTZCenter", "PresetGetList"}
	if !slices.Equal(ops, want) {
		t.Fatalf("PTZ commands %q, want %q", ops, want)
	}
	first, rev := cmds[0], cmds[3]
	if first.Movement["pan"] != 1 || first.Speed["pan"] != 0.5 || len(first.Movement) != 1 || first.Normalized != "false" {
		t.Errorf("first move %+v: want movement pan +1 at speed 0.5, not normalised", first)
	}
	if rev.Movement["pan"] != -1 || rev.Speed["pan"] != 0.5 || rev.Movement["zoom"] != 1 || rev.Speed["zoom"] != 1 {
		t.Errorf("reversal %+v: want pan −1 at 0.5 and zoom +1 at 1", rev)
	}
	if cmds[5].Preset != "Gate" {
		t.Errorf("PresetMoveTo %q", cmds[5].Preset)
	}
	if ce := cmds[6]; ce.RefWidth != 10000 || ce.CenterX != 2500 || ce.CenterY != 7500 || ce.RefHeight != 10000 {
		t.Errorf("PTZCenter %+v: want 2500,7500 of 10000×10000", ce)
	}
	for _, cmd := range cmds {
		if cmd.Camera != "0d5e1a2b-0000-4000-8000-0000000000d0" {
			t.Errorf("%s for camera %s", cmd.Op, cmd.Camera)
		}
	}
}

func TestPTZPriorityFaultIsBusy(t *testing.T) {
	srv, rec := ptzSite(t, false)
	p, ok := ptzOf(t, srv, "Dome")
	if !ok {
		t.Fatal("no PTZ")
	}
	if _, ok := p.(capture.PTZCenterer); ok {
		t.Error("a camera without IsCenterOnPositionInViewSupported offers Center")
	}
	rec.SetPTZBusy(true)
	err := p.Move(capturetest.Context(t), capture.Velocity{Tilt: 1})
	if !errors.Is(err, capture.ErrBusy) || capture.Classify(err) != capture.CauseBusy {
		t.Fatalf("err %v, want ErrBusy", err)
	}
	if !strings.Contains(err.Error(), "another user with higher PTZ priority holds the camera") || strings.Contains(err.Error(), "TOKEN#") {
		t.Errorf("message %q", err)
	}
	rec.SetPTZBusy(false)
	if err := p.Stop(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if cmds := rec.PTZCommands(); len(cmds) != 2 || !cmds[0].Refused || cmds[1].Refused {
		t.Errorf("commands %+v: want the refused move, then the stop", cmds)
	}
}

func TestPTZFixedCameraHasNone(t *testing.T) {
	srv, _ := ptzSite(t, false)
	if _, ok := ptzOf(t, srv, "Fixed"); ok {
		t.Error("PTZ() ok for a camera without PtzSettings")
	}
	src := &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Dome", Insecure: true}
	if _, ok := src.PTZ(); ok {
		t.Error("PTZ() ok before any Run found the camera")
	}
}

// TestPTZStopLatency measures the time from Stop being called to the recorder receiving
// PTZMoveStop (the "release to stop request", target ≤ 50 ms).
func TestPTZStopLatency(t *testing.T) {
	srv, rec := ptzSite(t, false)
	p, ok := ptzOf(t, srv, "Dome")
	if !ok {
		t.Fatal("no PTZ")
	}
	capturetest.StopLatency(t, "Milestone Stop() → recorder", p, func() time.Time {
		cmds := rec.PTZCommands()
		return cmds[len(cmds)-1].Time
	})
}
