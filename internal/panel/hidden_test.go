package panel_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/ui"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// Maximising a tile keeps the other cameras connected without decoding (issue 12: the
// status bar said "0 offline" while a camera was down): cameras whose MJPEG server goes
// down while hidden are counted offline, and said to be not shown.
func TestMaximisedWallCountsHiddenCamerasOffline(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	shown := mjpegtest.NewServer(mjpegtest.Options{FPS: 10})
	defer shown.Close()
	hidden := mjpegtest.NewServer(mjpegtest.Options{Cameras: 2, FPS: 10})
	defer hidden.Close()
	yaml := fmt.Sprintf("wall: {layout: 2x2}\ncameras:\n"+
		"  - {name: Front, streams: [{url: %q}]}\n  - {name: Yard, streams: [{url: %q}]}\n  - {name: Dock, streams: [{url: %q}]}\n",
		shown.URL(), hidden.CameraURL(1), hidden.CameraURL(2))
	cfg := useSettings(t, yaml)
	pn := openPanel(t, cfg)

	q := &uiQueue{}
	wall, win := wallWindow(t, pn, q, ui.WallOptions{Layout: cfg.Wall.Layout})

	showing := func(s string) func() bool {
		return func() bool { return slices.Contains(uitest.Texts(win.Content()), s) }
	}
	q.PumpUntil(t, "3 live", showing("3 live"))
	wall.Maximise(0)
	if len(wall.Tiles()) != 1 || wall.Tile("Yard").Running() || wall.Tile("Dock").Running() {
		t.Fatalf("maximised: %d tiles on screen, Yard decodes %v", len(wall.Tiles()), wall.Tile("Yard").Running())
	}
	q.PumpUntil(t, "still 3 live while maximised", showing("3 live"))
	if !wall.Held("Yard") || !wall.Held("Dock") {
		t.Fatal("hidden cameras not kept connected")
	}
	hidden.Down()
	q.PumpUntil(t, "2 offline (2 not shown)", func() bool {
		return showing("1 live")() && showing("2 offline (2 not shown)")()
	})
	if wall.Tile("Yard").Running() {
		t.Error("a hidden camera decodes")
	}
	if st := slices.IndexFunc(uitest.Texts(win.Content()), func(s string) bool { return strings.HasPrefix(s, "0 offline") }); st >= 0 {
		t.Error("still 0 offline")
	}
}
