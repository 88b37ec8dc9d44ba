package panel_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/ui"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// The walk's picture is 320×180: a window point of a fraction of it, through the tile's
// letterboxing (worked out here from the picture's shape).
const walkW, walkH = 320, 180

// windowTile is the camera tile in a window of the zone editor or the motion search,
// with a picture.
func windowTile(t *testing.T, q *uiQueue, win fyne.Window) *ui.Tile {
	t.Helper()
	var tile *ui.Tile
	uitest.Walk(win.Content(), func(o fyne.CanvasObject) bool {
		if tl, ok := o.(*ui.Tile); ok {
			tile = tl
		}
		return tile == nil
	})
	if tile == nil {
		t.Fatal("no camera picture in the window")
	}
	q.PumpUntil(t, "the window's picture", func() bool { return tile.Drawn() > 0 })
	return tile
}

func pictureAt(tile *ui.Tile, fx, fy float64) fyne.Position {
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	s := tile.Size()
	k := min(float64(s.Width)/walkW, float64(s.Height)/walkH)
	ox, oy := (float64(s.Width)-walkW*k)/2, (float64(s.Height)-walkH*k)/2
	return fyne.NewPos(abs.X+float32(ox+fx*walkW*k), abs.Y+float32(oy+fy*walkH*k))
}

// TestZoneEditorSavesThroughTheCore: a zone drawn by clicks on a camera's picture in the
// zone editor and saved is in the camera's settings, kept by the core and in the
// settings file, in picture coordinates, with motion analysis turned on.
func TestZoneEditorSavesThroughTheCore(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 10, Frames: analyticstest.Walk(20, 5, 15, walkW, walkH)})
	defer srv.Close()
	cfg := useSettings(t, fmt.Sprintf("cameras:\n  - {name: Yard, streams: [{url: %q}]}\n", srv.URL()))
	q := &uiQueue{}
	pn := openPanelWith(t, cfg, panel.Options{Post: q.Do})
	wall, _ := wallWindow(t, pn, q, ui.WallOptions{Layout: "1x1"})
	win := wall.EditZones("Yard")
	if win == nil {
		t.Fatal("no zone editor for Yard")
	}
	tile := windowTile(t, q, win)
	c := win.Canvas()
	want := [][2]float64{{0.1, 0.5}, {0.5, 0.5}, {0.5, 0.9}}
	for _, p := range want {
		test.TapCanvas(c, pictureAt(tile, p[0], p[1]))
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	uitest.Walk(win.Content(), func(o fyne.CanvasObject) bool {
		if ch, ok := o.(*widget.Check); ok && strings.HasPrefix(ch.Text, "Analyse motion") {
			test.Tap(ch)
		}
		return true
	})
	test.Tap(uitest.Button(win.Content(), "Save"))

	check := func(where string, cam config.Camera) {
		t.Helper()
		if cam.Motion == nil || len(cam.Motion.Zones) != 1 || !slices.Contains(cam.Analyzers, "motion") {
			t.Fatalf("%s: motion %+v, analyzers %q", where, cam.Motion, cam.Analyzers)
		}
		z := cam.Motion.Zones[0]
		if z.Name != "Zone 1" || len(z.Points) != 3 {
			t.Fatalf("%s: zone %+v", where, z)
		}
		for i, p := range z.Points {
			if math.Abs(p[0]-want[i][0]) > 0.01 || math.Abs(p[1]-want[i][1]) > 0.01 {
				t.Errorf("%s: corner %d at %v, want %v", where, i, p, want[i])
			}
		}
	}
	cam, ok := pn.Camera("Yard")
	if !ok {
		t.Fatal("Yard is gone")
	}
	check("the core", cam)
	path, _ := config.UserPath()
	saved, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cam, _ = saved.Camera("Yard")
	check("the settings file", cam)
}

// TestMotionSearchFromTheUI: a camera analysed and recorded while a scripted passer-by
// crosses its lower middle every 4 s (from 2.0 to 3.5 s of the loop); in the motion
// search window a box dragged over that part of the picture and Search over the last
// hour list the walks at the script's moments, and Play from here opens the player on
// the camera's recording.
func TestMotionSearchFromTheUI(t *testing.T) {
	cfg, t0 := recordWalks(t)
	q := &uiQueue{}
	pn := openPanelWith(t, cfg, panel.Options{Record: true, Post: q.Do})
	wall, _ := wallWindow(t, pn, q, ui.WallOptions{Layout: "1x1", Search: panelui.Search{P: pn}, Review: panelui.Review{P: pn}})
	win := wall.SearchMotion("Yard")
	if win == nil {
		t.Fatal("no motion search for Yard")
	}
	tile := windowTile(t, q, win)
	from, to := pictureAt(tile, 0.2, 0.4), pictureAt(tile, 0.6, 0.8)
	test.Drag(win.Canvas(), to, to.X-from.X, to.Y-from.Y)
	test.Tap(uitest.Button(win.Content(), "Search"))
	texts := func() string { return strings.Join(uitest.Texts(win.Content()), "\n") }
	q.PumpUntil(t, "the search's answer", func() bool {
		s := texts()
		return strings.Contains(s, "Something moved there") || strings.Contains(s, "Nothing moved") || strings.Contains(s, "failed")
	})
	var hits []time.Time
	for _, line := range uitest.Texts(win.Content()) {
		if len(line) < 21 {
			continue
		}
		if at, err := time.ParseInLocation("2006-01-02 15:04:05.0", line[:21], time.Local); err == nil {
			hits = append(hits, at)
			t.Logf("listed: %s", line)
		}
	}
	if len(hits) < 2 {
		t.Fatalf("%d walks listed for at least two: %s", len(hits), texts())
	}
	// The search's times are a recording's start (its file name, to the millisecond) plus
	// the time into it (measured: 2.04 s into the loop for the walk's 2.0 s; up to 1 s
	// early when names had only seconds).
	const loop, walkFrom, tolerance = 4 * time.Second, 2 * time.Second, 500 * time.Millisecond
	for i, h := range hits {
		phase := (h.Sub(t0)%loop + loop) % loop
		if d := (phase - walkFrom).Abs(); d > tolerance {
			t.Errorf("a hit at %s is %.1f s into the loop, the walk starts at %.1f s", h.Format("15:04:05.0"), phase.Seconds(), walkFrom.Seconds())
		}
		if i > 0 {
			if gap := h.Sub(hits[i-1]); (gap-gap.Round(loop)).Abs() > tolerance || gap < loop/2 {
				t.Errorf("hits %v apart, the walks are %v apart", gap, loop)
			}
		}
		t.Logf("hit %d: %.2f s into the loop (script %.1f s)", i, phase.Seconds(), walkFrom.Seconds())
	}

	var list *widget.List
	uitest.Walk(win.Content(), func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.List); ok {
			list = l
		}
		return list == nil
	})
	list.Select(0)
	n := len(fyne.CurrentApp().Driver().AllWindows())
	test.Tap(uitest.Button(win.Content(), "Play from here"))
	q.PumpUntil(t, "the player", func() bool { return len(fyne.CurrentApp().Driver().AllWindows()) > n })
	player := fyne.CurrentApp().Driver().AllWindows()[n]
	if player.Title() != "Vigil — Yard — recordings" || !strings.Contains(texts(), "Playing Yard's recording from") {
		t.Errorf("Play from here opened %q and says %s", player.Title(), texts())
	}
	player.Close()
}
