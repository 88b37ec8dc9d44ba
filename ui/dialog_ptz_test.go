package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// dlgTPTZ reads a typed ptz block through the protocol table, as the app's tester does.
type dlgTPTZ struct{}

func (dlgTPTZ) ReadPTZ(ctx context.Context, cam config.Camera) (capture.PTZInfo, []capture.Preset, error) {
	c, err := config.Protocols().NewPTZ(cam.PTZ.URL, capture.Settings{User: cam.PTZ.User, Password: cam.PTZ.Password})
	if err != nil {
		return capture.PTZInfo{}, nil, err
	}
	defer c.Close()
	return capture.ReadPTZ(ctx, c)
}

// dlgTPTZCamera is a camera with a stream, driven by the simulated Bosch camera.
func dlgTPTZCamera(cam *rcptest.Camera, password string) config.Camera {
	return config.Camera{Name: "Dome", Streams: []config.Stream{{URL: cam.StreamURL()}},
		PTZ: config.PTZ{Kind: "rcp", URL: cam.URL(), User: cam.User(), Password: password}}
}

// testPTZ taps Test PTZ and waits for its answer.
func (r *dlgTRig) testPTZ(t *testing.T) string {
	t.Helper()
	test.Tap(r.d.ptz.test)
	pumpUntil(t, r.q, "the Test PTZ answer", func() bool { return r.d.ptz.cancel == nil })
	return dlgTShown(r.d.ptz.result)
}

// TestDialogPTZTest: Test PTZ reads the simulated camera's name and presets, moving
// nothing; a wrong password shows the explained error, without the password.
func TestDialogPTZTest(t *testing.T) {
	cam := rcptest.StartFor(t, rcptest.Options{Name: "Car park dome"})

	c := dlgTPTZCamera(cam, cam.Password())
	r := dlgTNewPTZ(t, &c, nil, nil, dlgTPTZ{})
	if !r.d.ptz.fields.Visible() || r.d.ptz.profileRow.Visible() {
		t.Fatal("an rcp block shows its fields without a profile")
	}
	view := cam.View()
	got := r.testPTZ(t)
	if !strings.HasPrefix(got, "PTZ OK: Car park dome") || !strings.Contains(got, "Presets (3): 1, 2, 3") {
		t.Fatalf("Test PTZ says %q", got)
	}
	if cam.Moving() || lastSent(cam) != "" || cam.View() != view {
		t.Fatalf("Test PTZ moved the camera: %s", lastSent(cam))
	}

	dlgTType(r.d.ptz.password, "wrong-pw-99")
	got = r.testPTZ(t)
	if !strings.HasPrefix(got, "PTZ test failed: ") || !strings.Contains(got, "(unauthorized)") ||
		!strings.Contains(got, "What to try: ") || strings.Contains(got, "wrong-pw-99") {
		t.Fatalf("a wrong password: %q", got)
	}
	t.Logf("a wrong password: %s", got)
}

// TestDialogPTZSave: the block typed is saved with the camera (the profile only for
// onvif); a camera without PTZ, and one whose kind is set to none, save none; the
// block is checked as the settings file's is.
func TestDialogPTZSave(t *testing.T) {
	r := dlgTNew(t, nil, nil, nil)
	if r.d.ptz.kind.Selected != ptzNone || r.d.ptz.fields.Visible() {
		t.Fatal("a new camera starts with PTZ")
	}
	if !r.d.ptz.test.Disabled() {
		t.Error("Test PTZ enabled without a tester")
	}
	dlgTType(r.d.name, "Dome")
	dlgTType(r.d.rows[0].url, "http://127.0.0.1:8080/video.mjpg")
	r.d.ptz.kind.SetSelected("rcp")
	dlgTType(r.d.ptz.url, "onvif://127.0.0.1/")
	r.d.onSaveTapped()
	if len(r.saved) != 0 || !strings.Contains(dlgTShown(r.d.ptz.urlErr), "does not match the kind") {
		t.Fatalf("an onvif URL for an rcp block: saved %v, says %q", r.saved, dlgTShown(r.d.ptz.urlErr))
	}
	dlgTType(r.d.ptz.url, "rcp://127.0.0.1:8081/")
	dlgTType(r.d.ptz.user, "service")
	dlgTType(r.d.ptz.password, " secret ")
	dlgTType(r.d.ptz.profile, "Profile_1") // hidden for rcp: not saved
	r.d.onSaveTapped()
	want := config.PTZ{Kind: "rcp", URL: "rcp://127.0.0.1:8081/", User: "service", Password: " secret "}
	if len(r.saved) != 1 || r.saved[0].PTZ != want {
		t.Fatalf("saved %+v, want the block %+v", r.saved, want)
	}

	on := config.Camera{Name: "Lobby", Streams: []config.Stream{{URL: "http://127.0.0.1:1/"}},
		PTZ: config.PTZ{Kind: "onvif", URL: "onvif://127.0.0.1:2/", User: "op", Password: "pw", Profile: "Profile_2"}}
	r = dlgTNew(t, &on, nil, nil)
	if !r.d.ptz.profileRow.Visible() {
		t.Error("an onvif block hides its profile")
	}
	r.d.onSaveTapped()
	if len(r.saved) != 1 || r.saved[0].PTZ != on.PTZ {
		t.Fatalf("an unchanged onvif block saved as %+v", r.saved)
	}
	r = dlgTNew(t, &on, nil, nil) // again, setting the kind to none
	r.d.ptz.kind.SetSelected(ptzNone)
	r.d.onSaveTapped()
	if len(r.saved) != 1 || r.saved[0].PTZ.Enabled() || r.d.ptz.fields.Visible() {
		t.Fatalf("kind none saved %+v", r.saved)
	}

	plain := config.Camera{Name: "Gate", Streams: []config.Stream{{URL: "http://127.0.0.1:1/"}}}
	r = dlgTNew(t, &plain, nil, nil)
	dlgTType(r.d.name, "Gate 2")
	r.d.onSaveTapped()
	if len(r.saved) != 1 || r.saved[0].PTZ != (config.PTZ{}) {
		t.Fatalf("a camera without PTZ saved %+v", r.saved)
	}
}
