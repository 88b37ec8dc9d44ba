package main

import (
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui"
)

// uiQueue stands in for the UI goroutine: Fyne's test driver runs fyne.Do callbacks at
// once on the calling goroutine, so the wall's callbacks are queued and run here.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) Do(f func()) { q.mu.Lock(); q.fns = append(q.fns, f); q.mu.Unlock() }

func (q *uiQueue) pumpUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		for _, f := range fns {
			f()
		}
		time.Sleep(5 * time.Millisecond)
	}
}

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
	pins := newPinStore(cfg.Trust)
	streams, stopDemo, _, err := buildStreams(cfg, pins.Pin, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ws := &wallSettings{cfg: cfg, log: quiet, streams: streams, pins: pins}
	defer stopDemo()
	defer ws.closeAll()

	test.NewTempApp(t)
	q := &uiQueue{}
	wall := ui.NewWall(ui.WallOptions{Cameras: ui.StaticCameras(streams), Layout: cfg.Wall.Layout, Tiles: cfg.Wall.Tiles, Views: wallViews{ws}, Do: q.Do})
	ws.wall = wall
	win := test.NewWindow(wall.Content())
	win.Resize(fyne.NewSize(640, 400))
	wall.Start()
	defer func() { wall.Stop(); q.pumpUntil(t, "nothing", func() bool { return true }) }()

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
	q.pumpUntil(t, "a picture on every tile", drawnAll(2))
	first := win.Canvas().Capture()
	q.pumpUntil(t, "more pictures", drawnAll(8))
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
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg, err := config.Parse([]byte("demo:\n  mjpeg: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	q := &uiQueue{}
	ws := &wallSettings{cfg: cfg, log: quiet}
	defer ws.closeAll()
	ws.wall = ui.NewWall(ui.WallOptions{Layout: "2x2", Views: wallViews{ws}, Do: q.Do})

	gate := config.Camera{Name: "Gate", User: "admin", Password: secret, FPS: 10,
		Streams: []config.Stream{{URL: "http://127.0.0.1:1/video.mjpg", Size: "1280x720", Name: "main"}, {URL: "http://127.0.0.1:1/sub.mjpg", Size: "640x360", Name: "sub"}}}
	if err := ws.cameraSaved("", gate); err != nil {
		t.Fatal(err)
	}
	ws.wall.Assign(3, "Gate")
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
	err = ws.cameraSaved("Gate", bad)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("credentials in the URL: err %v", err)
	}
	if after, _ := os.ReadFile(userFile); string(after) != string(data) {
		t.Fatal("a refused edit changed the settings file")
	}

	// Renaming keeps the camera's place; removing takes it off the wall and the file.
	renamed := gate
	renamed.Name = "Front Gate"
	if err := ws.cameraSaved("Gate", renamed); err != nil {
		t.Fatal(err)
	}
	if back, _, _ = config.Load(""); len(back.Cameras) != 1 || back.Cameras[0].Name != "Front Gate" || back.Wall.Tiles[3] != "Front Gate" {
		t.Fatalf("after rename: %+v %+v", back.Cameras, back.Wall)
	}
	if err := ws.cameraRemoved("Front Gate"); err != nil {
		t.Fatal(err)
	}
	if back, _, _ = config.Load(""); len(back.Cameras) != 0 || strings.Contains(strings.Join(back.Wall.Tiles, ","), "Gate") {
		t.Fatalf("after remove: %+v %+v", back.Cameras, back.Wall)
	}
}
