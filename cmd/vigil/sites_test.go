package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/ui"
)

// TestConnectToMilestoneSavesSiteAndPlaysACamera is the "Connect to Milestone…" flow
// against the XProtect simulator over HTTPS: the self-signed certificate is refused with
// its fingerprint, accepted, the site and the pin are saved to the user's settings, the
// sidebar lists the cameras by recorder, and a listed camera saved onto the wall plays
// with the pinned certificate.
func TestConnectToMilestoneSavesSiteAndPlaysACamera(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	srv := milestonetest.NewServer(milestonetest.Options{User: "op", Password: "s3cret"})
	defer srv.Close()
	const gate = "0d5e1a2b-0000-4000-8000-00000000000a"
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{FPS: 10, ValidToken: srv.ValidToken,
		Cameras: map[string][][]byte{gate: mjpegtest.MakeFrames(4, 320, 240)}})
	defer rec.Close()
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder North", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: gate, Name: "Gate"}}})

	cfg := &config.Config{Wall: config.Wall{Layout: "2x2"}}
	pins := newPinStore(nil)
	ws := &wallSettings{cfg: cfg, log: quiet, pins: pins}
	defer ws.closeAll()
	test.NewTempApp(t)
	q := &uiQueue{}
	wall := ui.NewWall(ui.WallOptions{Layout: "2x2", Views: wallViews{ws}, Do: q.Do,
		Cameras: wallCameras{ws}})
	ws.wall = wall
	win := test.NewWindow(wall.Content())
	win.Resize(fyne.NewSize(640, 400))
	wall.Start()
	defer func() { wall.Stop(); q.pumpUntil(t, "nothing", func() bool { return true }) }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	site := config.Site{URL: "milestones://" + srv.Addr(), User: "op", Password: "s3cret"}
	_, err := connectSite(ctx, site, "", pins.Pin, quiet)
	var ue *ui.UntrustedCertError
	if !errors.As(err, &ue) || ue.Fingerprint != srv.Fingerprint() || ue.Host != srv.Addr() {
		t.Fatalf("first connect: %v, want an untrusted certificate of %s", err, srv.Addr())
	}
	wrong := site
	wrong.Password = "nope"
	if _, err := connectSite(ctx, wrong, ue.Fingerprint, pins.Pin, quiet); err == nil || strings.Contains(err.Error(), "nope") ||
		!strings.Contains(strings.ToLower(err.Error()), "password") {
		t.Fatalf("wrong password: %v", err)
	}
	view, err := connectSite(ctx, site, ue.Fingerprint, pins.Pin, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Recorders) != 1 || view.Recorders[0].Name != "Recorder North" || len(view.Recorders[0].Cameras) != 1 ||
		view.Recorders[0].Cameras[0].URL != site.URL+"/"+gate {
		t.Fatalf("view %+v", view)
	}
	if err := ws.siteConnected(view, []config.Trusted{{Host: ue.Host, SHA256: ue.Fingerprint}}); err != nil {
		t.Fatal(err)
	}
	// Saved: the site and the pin, in the user's settings file.
	p, _ := config.UserPath()
	saved, _, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Sites) != 1 || saved.Sites[0].URL != site.URL || saved.Pin(srv.Addr()) != srv.Fingerprint() {
		t.Fatalf("saved sites %+v trust %+v", saved.Sites, saved.Trust)
	}
	if raw, _ := os.ReadFile(p); strings.Count(string(raw), "s3cret") != 1 {
		t.Fatal("the password is not saved exactly once, in the site's password field")
	}

	// Startup lists the saved site in the background, now trusted by the pin.
	ws.listSites(ctx, nil)
	ws.bg.Wait()
	q.pumpUntil(t, "the site in the sidebar", func() bool {
		s := wall.Sites()
		return len(s) == 1 && s[0].Err == nil && len(s[0].Recorders) == 1
	})

	// The listed camera, saved as a camera, plays with the pinned certificate.
	cam := config.Camera{Name: "Gate", Streams: []config.Stream{{URL: view.Recorders[0].Cameras[0].URL}}, User: site.User, Password: site.Password}
	if err := ws.cameraSaved("", cam); err != nil {
		t.Fatal(err)
	}
	q.pumpUntil(t, "pictures from the Milestone camera", func() bool {
		tile := wall.Tile("Gate")
		return tile != nil && tile.Drawn() >= 3
	})
}
