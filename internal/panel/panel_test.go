package panel_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/ui"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// The wall's tests against a real Panel (moved from cmd/vigil with the code they test):
// the demo wall, camera edits saved and reloaded, sites, trust, playback, RTSP fallback.

const secret = "s3cr3t-pa55"

// openPanel opens a Panel on cfg that records nothing, closed when the test ends.
func openPanel(t *testing.T, cfg *config.Config) *panel.Panel {
	t.Helper()
	return openPanelWith(t, cfg, panel.Options{})
}

// openPanelWith opens a Panel on cfg with o (logging nowhere unless o says where),
// closed when the test ends.
func openPanelWith(t *testing.T, cfg *config.Config, o panel.Options) *panel.Panel {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quiet
	}
	pn, err := panel.Open(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pn.Close)
	return pn
}

// useSettings is config.Parse of a settings file's text, with a config folder of the
// test's own; an error ends the test.
func useSettings(t testing.TB, yaml string) *config.Config {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// needTool skips the test when the program name (ffmpeg, ffprobe) is not on PATH.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (make test-deps installs ffmpeg)", name)
	}
}

// newWall makes a wall over pn's cameras (unless o names others) and views, posting
// through q, kept up to date with pn's cameras; a Fyne test app is made first.
func newWall(t *testing.T, pn *panel.Panel, q *uiQueue, o ui.WallOptions) *ui.Wall {
	t.Helper()
	test.NewTempApp(t)
	if o.Cameras == nil {
		o.Cameras = panelui.Cameras{P: pn}
	}
	o.Views, o.Do = panelui.Views{P: pn}, q.Do
	wall := ui.NewWall(o)
	pn.OnCameras(wall.SetCameras)
	return wall
}

type uiQueue = uitest.Queue

var quiet = slog.New(slog.DiscardHandler)

// TestWallFromSettingsFileShowsDemoCameras: a settings file with four demo cameras gives a
// 2×2 wall whose tiles show moving pictures served over real MJPEG on loopback, and
// starting the wall writes no settings.
func TestWallFromSettingsFileShowsDemoCameras(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(path, []byte("wall:\n  layout: 2x2\ndemo:\n  mjpeg: 4\n  size: 320x180\n  fps: 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	pn := openPanel(t, cfg)
	streams := pn.Streams()

	q := &uiQueue{}
	wall := newWall(t, pn, q, ui.WallOptions{Cameras: ui.StaticCameras(streams), Layout: cfg.Wall.Layout, Tiles: cfg.Wall.Tiles})
	win := test.NewWindow(wall.Content())
	win.Resize(fyne.NewSize(640, 400))
	wall.Start()
	defer func() { wall.Stop(); q.PumpUntil(t, "nothing", func() bool { return true }) }()

	if cols, rows := wall.Size(); cols != 2 || rows != 2 || len(wall.Tiles()) != 4 {
		t.Fatalf("wall %dx%d with %d tiles, want 2x2 with 4", cols, rows, len(wall.Tiles()))
	}
	drawnAll := func(n uint64) func() bool {
		return func() bool {
			for _, tile := range wall.Tiles() {
				if tile.Drawn() < n {
					return false
				}
			}
			return true
		}
	}
	q.PumpUntil(t, "a picture on every tile", drawnAll(2))
	first := win.Canvas().Capture()
	q.PumpUntil(t, "more pictures", drawnAll(8))
	second := win.Canvas().Capture()
	if samePixels(first, second) {
		t.Fatal("the wall did not change between two captures")
	}
	if p, _ := config.UserPath(); fileExists(p) {
		t.Fatalf("starting the wall wrote %s", p)
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y += 3 {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x += 3 {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestWallSettingsRoundTrip: adding, placing, editing and removing a camera on the wall
// saves the user's settings file, keeps the password out of every URL, refuses a URL
// with credentials, and loads back to the same wall.
func TestWallSettingsRoundTrip(t *testing.T) {
	cfg := useSettings(t, "demo:\n  mjpeg: 0\n")
	q := &uiQueue{}
	pn := openPanel(t, cfg)
	wall := newWall(t, pn, q, ui.WallOptions{Layout: "2x2"})

	gate := config.Camera{Name: "Gate", User: "admin", Password: secret, FPS: 10,
		Streams: []config.Stream{{URL: "http://127.0.0.1:1/video.mjpg", Size: "1280x720", Name: "main"}, {URL: "http://127.0.0.1:1/sub.mjpg", Size: "640x360", Name: "sub"}}}
	if err := pn.SaveCamera("", gate); err != nil {
		t.Fatal(err)
	}
	wall.Assign(3, "Gate")
	userFile, _ := config.UserPath()
	data, err := os.ReadFile(userFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "url:") && (strings.Contains(line, secret) || strings.Contains(line, "@")) {
			t.Fatalf("a URL carries credentials: %q", line)
		}
	}
	back, origin, err := config.Load("")
	if err != nil || origin.Kind != config.FromUser {
		t.Fatalf("reload: %v (%v)", err, origin)
	}
	if c, ok := back.Camera("Gate"); !ok || c.Password != secret || c.User != "admin" || len(c.Streams) != 2 || c.Streams[1].Size != "640x360" {
		t.Fatalf("camera after reload: %+v", c)
	}
	if len(back.Wall.Tiles) != 4 || back.Wall.Tiles[3] != "Gate" || back.Wall.Layout != "2x2" {
		t.Fatalf("wall after reload: %+v", back.Wall)
	}

	// A URL with credentials is refused, and nothing is saved.
	bad := gate
	bad.Streams = []config.Stream{{URL: "http://admin:" + secret + "@127.0.0.1:1/video.mjpg"}}
	err = pn.SaveCamera("Gate", bad)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("credentials in the URL: err %v", err)
	}
	if after, _ := os.ReadFile(userFile); string(after) != string(data) {
		t.Fatal("a refused edit changed the settings file")
	}

	// Renaming keeps the camera's place; removing takes it off the wall and the file.
	renamed := gate
	renamed.Name = "Front Gate"
	if err := pn.SaveCamera("Gate", renamed); err != nil {
		t.Fatal(err)
	}
	if back, _, _ = config.Load(""); len(back.Cameras) != 1 || back.Cameras[0].Name != "Front Gate" || back.Wall.Tiles[3] != "Front Gate" {
		t.Fatalf("after rename: %+v %+v", back.Cameras, back.Wall)
	}
	if err := pn.RemoveCamera("Front Gate"); err != nil {
		t.Fatal(err)
	}
	if back, _, _ = config.Load(""); len(back.Cameras) != 0 || strings.Contains(strings.Join(back.Wall.Tiles, ","), "Gate") {
		t.Fatalf("after remove: %+v %+v", back.Cameras, back.Wall)
	}
}

// A demo Milestone camera plays its recordings from a picked time at 4×; an MJPEG camera
// offers no playback.
func TestPlaybackOfAMilestoneCamera(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{MJPEG: 1, Milestone: 1, Size: "320x180", FPS: 10}}
	pn := openPanel(t, cfg)
	ms, mj := cfg.Demo.MilestoneNames()[0], cfg.Demo.MJPEGNames()[0]
	if pn.CanPlayback(mj) || !pn.CanPlayback(ms) {
		t.Fatal("playback offered to the wrong cameras")
	}
	if _, err := pn.Playback(mj, time.Now(), 1); err == nil {
		t.Fatal("playback of an MJPEG camera accepted")
	}
	from := time.Now().Add(-time.Hour).Truncate(time.Second)
	pb, err := pn.Playback(ms, from, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	sub := pb.Watch(160, 90)
	defer sub.Close()
	var first, last time.Time
	n := 0
	deadline := time.Now().Add(20 * time.Second)
	for n < 12 && time.Now().Before(deadline) {
		if f := sub.Take(); f != nil {
			if first.IsZero() {
				first = f.SourceTime
			}
			last = f.SourceTime
			n++
			f.Release()
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n < 12 {
		t.Fatalf("%d recorded pictures in 20 s", n)
	}
	if first.Before(from.Add(-time.Second)) || first.After(from.Add(2*time.Second)) || !last.After(first) {
		t.Fatalf("recorded times %v … %v, want from %v onwards", first, last, from)
	}

	// The picker's timeline: the simulator's recorder has recorded the last 24 hours
	// without a break, so the last two are one span; an MJPEG camera cannot say.
	if pn.RecordingLister(mj) != nil {
		t.Error("an MJPEG camera offers recorded spans")
	}
	rl := pn.RecordingLister(ms)
	if rl == nil {
		t.Fatal("a Milestone camera offers no recorded spans")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	now := time.Now()
	spans, err := rl.RecordedSpans(ctx, now.Add(-2*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || !spans[0].From.Equal(now.Add(-2*time.Hour)) || spans[0].To.Before(now.Add(-time.Minute)) {
		t.Fatalf("spans of the last two hours %v", spans)
	}
}

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
	pn := openPanel(t, cfg)
	q := &uiQueue{}
	wall := newWall(t, pn, q, ui.WallOptions{Layout: "2x2"})
	win := test.NewWindow(wall.Content())
	win.Resize(fyne.NewSize(640, 400))
	wall.Start()
	defer func() { wall.Stop(); q.PumpUntil(t, "nothing", func() bool { return true }) }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	site := config.Site{URL: "milestones://" + srv.Addr(), User: "op", Password: "s3cret"}
	_, err := pn.ConnectSite(ctx, site, "")
	var ue *trust.CertError
	if !errors.As(err, &ue) || ue.Fingerprint != srv.Fingerprint() || ue.Host != srv.Addr() {
		t.Fatalf("first connect: %v, want an untrusted certificate of %s", err, srv.Addr())
	}
	wrong := site
	wrong.Password = "nope"
	if _, err := pn.ConnectSite(ctx, wrong, ue.Fingerprint); err == nil || strings.Contains(err.Error(), "nope") ||
		!strings.Contains(strings.ToLower(err.Error()), "password") {
		t.Fatalf("wrong password: %v", err)
	}
	view, err := pn.ConnectSite(ctx, site, ue.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Recorders) != 1 || view.Recorders[0].Name != "Recorder North" || len(view.Recorders[0].Cameras) != 1 ||
		view.Recorders[0].Cameras[0].URL != site.URL+"/"+gate {
		t.Fatalf("view %+v", view)
	}
	if err := pn.SaveSite(view.Site, []config.Trusted{{Host: ue.Host, SHA256: ue.Fingerprint}}); err != nil {
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
	var listed []*panel.SiteView
	pn.ListSites(ctx, func(vs []*panel.SiteView) { q.Do(func() { listed = vs }) })
	q.PumpUntil(t, "the site in the sidebar", func() bool {
		s := listed
		return len(s) == 1 && s[0].Err == nil && len(s[0].Recorders) == 1
	})

	// The listed camera, saved as a camera, plays with the pinned certificate.
	cam := config.Camera{Name: "Gate", Streams: []config.Stream{{URL: view.Recorders[0].Cameras[0].URL}}, User: site.User, Password: site.Password}
	if err := pn.SaveCamera("", cam); err != nil {
		t.Fatal(err)
	}
	q.PumpUntil(t, "pictures from the Milestone camera", func() bool {
		tile := wall.Tile("Gate")
		return tile != nil && tile.Drawn() >= 3
	})
}

// A camera whose RTSP server dies shows its fallback snapshots, and RTSP again once the
// server is back.
func TestRTSPFallsBackToSnapshotsAndBack(t *testing.T) {
	srv := rtsptest.StartCamera(t)
	snaps := mjpegtest.NewServer(mjpegtest.Options{Cameras: 1, FPS: 5, Mode: mjpegtest.Snapshot, Auth: mjpegtest.AuthBasic, User: "viewer", Password: "pw-42"})
	defer snaps.Close()
	cam := config.Camera{Name: "Dock", Streams: []config.Stream{{URL: srv.URL("cam")}}, User: "viewer", Password: "pw-42",
		Fallback: snaps.CameraURL(1), Transport: "tcp"}
	s, err := panel.NewCameraStream(cam, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub := s.Watch(160, 120)
	defer sub.Close()
	waitState := func(what string, want capture.State, codec capture.Codec) {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for {
			if f := sub.Take(); f != nil {
				ok := s.Status().State == want && f.Codec == codec
				f.Release()
				if ok {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (state %v)", what, s.Status().State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitState("live RTSP pictures", capture.StateLive, capture.CodecH264)
	srv.Kill()
	waitState("fallback snapshots", capture.StateFallback, capture.CodecJPEG)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	waitState("RTSP pictures again", capture.StateLive, capture.CodecH264)
}

// The demo wall's RTSP cameras: the demo pictures encoded once as H.264 and served over
// RTSP on loopback, played through the real pipeline.
func TestDemoRTSPCameras(t *testing.T) {
	needTool(t, "ffmpeg")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{RTSP: 1, Size: "320x180", FPS: 10}}
	streams, stopDemo, err := panel.BuildStreams(cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer stopDemo()
	defer func() {
		for _, s := range streams {
			s.Close()
		}
	}()
	if len(streams) != 1 || streams[0].Name() != "RTSP 1" {
		t.Fatalf("streams %d", len(streams))
	}
	sub := streams[0].Watch(160, 90)
	defer sub.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if f := sub.Take(); f != nil {
			ok := f.Codec == capture.CodecH264 && f.SrcWidth == 320 && f.SrcHeight == 180 && f.Image.Rect.Dx() == 160
			f.Release()
			if ok {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no H.264 picture from the demo RTSP camera: %v", streams[0].Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := streams[0].Status(); st.State != capture.StateLive || st.Info.Protocol != "rtsp" {
		t.Fatalf("status %+v", st)
	}
}

// The camera dialog's Test through the wall's prober: an https camera is refused with
// its fingerprint; once trusted (the dialog's Save hands the pin to OnTrust) the pin is
// in the user's settings, Test passes, and the camera saved onto the wall plays.
func TestTrustedFromTheDialogTestsAndPlays(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ms := mjpegtest.NewServer(mjpegtest.Options{Frames: mjpegtest.MakeFrames(4, 320, 240), FPS: 15, TLS: true})
	defer ms.Close()
	cfg := &config.Config{Wall: config.Wall{Layout: "2x2"}}
	pn := openPanel(t, cfg)
	q := &uiQueue{}
	wall := newWall(t, pn, q, ui.WallOptions{Layout: "2x2", Trust: panelui.Trust{P: pn}})
	win := test.NewWindow(wall.Content())
	win.Resize(fyne.NewSize(640, 400))
	wall.Start()
	defer func() { wall.Stop(); q.PumpUntil(t, "nothing", func() bool { return true }) }()

	p := pn.Prober()
	req := capture.ProbeRequest{URL: ms.URL(), Options: capture.ProbeOptions{Duration: 500 * time.Millisecond, Timeout: 10 * time.Second}}
	rep := p.Probe(context.Background(), req)
	var ce *trust.CertError
	if rep.OK() || !errors.As(rep.Err, &ce) || ce.Fingerprint != ms.Fingerprint() || ce.Host != ms.Addr() || rep.ErrorKind != capture.CauseTLS {
		t.Fatalf("untrusted: %+v", rep)
	}
	// What the dialog's Trust then Save do: pin, then save the camera.
	if err := pn.Trust([]config.Trusted{{Host: ce.Host, SHA256: ce.Fingerprint}}); err != nil {
		t.Fatal(err)
	}
	if rep := p.Probe(context.Background(), req); !rep.OK() || rep.Protocol != "mjpeg" || rep.Transport != "https" {
		t.Fatalf("trusted: %+v", rep)
	}
	path, _ := config.UserPath()
	saved, _, err := config.Load(path)
	if err != nil || saved.Pin(ms.Addr()) != ms.Fingerprint() {
		t.Fatalf("saved trust %+v, %v", saved.Trust, err)
	}
	if err := pn.SaveCamera("", config.Camera{Name: "Yard", Streams: []config.Stream{{URL: ms.URL()}}}); err != nil {
		t.Fatal(err)
	}
	q.PumpUntil(t, "pictures from the https camera", func() bool {
		tile := wall.Tile("Yard")
		return tile != nil && tile.Drawn() >= 3
	})
}

// TestWallBeyondLayoutIsSaved (issue 12): positions beyond a fixed layout's grid are
// saved and read back, and Add camera on a 2×2 wall with five placed cameras succeeds
// (both were refused: "N tiles, but layout … has M").
func TestWallBeyondLayoutIsSaved(t *testing.T) {
	var b strings.Builder
	b.WriteString("demo: {mjpeg: 0}\ncameras:\n")
	for i := 1; i <= 19; i++ {
		fmt.Fprintf(&b, "  - {name: C%d, streams: [{url: \"http://127.0.0.1:1/%d.mjpg\"}]}\n", i, i)
	}
	cfg := useSettings(t, b.String())
	q := &uiQueue{}
	pn := openPanel(t, cfg)
	wall := newWall(t, pn, q, ui.WallOptions{Layout: "3x3"})

	wall.Swap(0, 18) // C19 to the first tile, C1 to position 19
	if err := wall.SaveError(); err != nil {
		t.Fatalf("saving 19 positions in 3x3: %v", err)
	}
	back, _, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Wall.Tiles) != 19 || back.Wall.Tiles[0] != "C19" || back.Wall.Tiles[18] != "C1" || back.Wall.Layout != "3x3" {
		t.Fatalf("wall after reload: %+v", back.Wall)
	}

	if err := wall.SetLayout("2x2"); err != nil || wall.SaveError() != nil {
		t.Fatalf("2x2: %v, %v", err, wall.SaveError())
	}
	cam := config.Camera{Name: "Yard", Streams: []config.Stream{{URL: "http://127.0.0.1:1/yard.mjpg"}}}
	if err := pn.SaveCamera("", cam); err != nil {
		t.Fatalf("Add camera on a 2x2 wall of 19: %v", err)
	}
	if back, _, _ = config.Load(""); len(back.Cameras) != 20 || back.Wall.Layout != "2x2" || len(back.Wall.Tiles) < 19 {
		t.Fatalf("after add: %d cameras, %+v", len(back.Cameras), back.Wall)
	}
}
