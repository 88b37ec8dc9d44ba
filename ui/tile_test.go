package ui

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
)

// tileTRig is one tile filling a test window, its callbacks run by the test through a
// uiQueue acting as the UI goroutine.
type tileTRig struct {
	tile *Tile
	win  fyne.Window
	q    *uiQueue
}

func newTileTRig(t *testing.T, size fyne.Size, s *capture.Stream) *tileTRig {
	t.Helper()
	r := &tileTRig{q: &uiQueue{}}
	r.tile = NewTile(s)
	r.tile.do = r.q.Do
	r.win = test.NewWindow(r.tile)
	r.win.SetPadded(false)
	r.win.Resize(size)
	t.Cleanup(func() {
		r.tile.Stop()
		r.win.Close()
	})
	return r
}

// tileTStream makes a stream of src decoded by dec, closed when the test ends.
func tileTStream(t *testing.T, name string, src capture.Source, dec *testDecoders) *capture.Stream {
	s := capture.NewStream(name, src, capture.StreamOptions{Decoders: dec.New, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(s.Close)
	return s
}

// tileTJPEG encodes a srcW×srcH JPEG painted by paint(x, y).
func tileTJPEG(t *testing.T, paint func(x, y int) color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, srcW, srcH))
	for y := 0; y < srcH; y++ {
		for x := 0; x < srcW; x++ {
			img.SetRGBA(x, y, paint(x, y))
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tileTQuadrants is a picture whose quadrants are the palette's colours: red top-left,
// green top-right, blue bottom-left, yellow bottom-right.
func tileTQuadrants(t *testing.T) []byte {
	return tileTJPEG(t, func(x, y int) color.RGBA {
		i := 0
		if x >= srcW/2 {
			i++
		}
		if y >= srcH/2 {
			i += 2
		}
		return palette[i]
	})
}

// at is the colour at a point of the tile given as fractions of its size.
func (r *tileTRig) at(fx, fy float32) color.RGBA {
	img := r.win.Canvas().Capture()
	scale := r.win.Canvas().Scale()
	s := r.tile.Size()
	return rgba(img.At(int(s.Width*fx*scale), int(s.Height*fy*scale)))
}

// pixelOfObj is the colour in the middle of one of the tile's canvas objects.
func (r *tileTRig) pixelOfObj(o fyne.CanvasObject) color.RGBA {
	img := r.win.Canvas().Capture()
	scale := r.win.Canvas().Scale()
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return rgba(img.At(int((p.X+o.Size().Width/2)*scale), int((p.Y+o.Size().Height/2)*scale)))
}

// Stop freezes the picture, labels the tile "Stopped" and decodes nothing more; play
// starts it again with fresh pictures.
func TestTileStopFreezesAndPlayRestarts(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	s := tileTStream(t, "Gate", liveSource(t, 10*time.Millisecond), dec)
	r := newTileTRig(t, fyne.NewSize(320, 240), s)
	r.tile.Start()
	pumpUntil(t, r.q, "pictures", func() bool { return r.tile.Drawn() >= 3 && renderer(r.tile).img.Visible() })

	r.tile.TogglePlay()
	if r.tile.Running() {
		t.Fatal("TogglePlay did not stop a running tile")
	}
	rd := renderer(r.tile)
	if texts := rd.cardTexts(); len(texts) == 0 || texts[0] != "Stopped" {
		t.Fatalf("stopped tile shows %q, want the \"Stopped\" card", texts)
	}
	if !renderer(r.tile).img.Visible() || !rd.dim.Visible() {
		t.Errorf("stopped tile: picture visible=%v dimmed=%v, want the last picture frozen and dimmed",
			renderer(r.tile).img.Visible(), rd.dim.Visible())
	}
	if accent := r.pixelOfObj(rd.cardAccent); !near(accent, rgba(colorStopped), 8) {
		t.Errorf("stopped accent %v, want grey %v (not offline red or stalled amber)", accent, colorStopped)
	}
	before := r.win.Canvas().Capture()
	calls, drawn := dec.calls.Load(), r.tile.Drawn()
	time.Sleep(200 * time.Millisecond)
	r.q.Run()
	if got := dec.calls.Load(); got != calls {
		t.Errorf("%d decodes after stop", got-calls)
	}
	if r.tile.Drawn() != drawn {
		t.Errorf("%d pictures drawn after stop", r.tile.Drawn()-drawn)
	}
	if after := r.win.Canvas().Capture(); !bytes.Equal(before.(*image.NRGBA).Pix, after.(*image.NRGBA).Pix) {
		t.Error("the stopped tile's pixels changed")
	}
	if st := s.Status().State; st != capture.StateStopped {
		t.Errorf("stream state %v after the only viewer stopped, want stopped", st)
	}

	r.tile.TogglePlay()
	if !r.tile.Running() {
		t.Fatal("TogglePlay did not start a stopped tile")
	}
	pumpUntil(t, r.q, "pictures after play", func() bool {
		return r.tile.Drawn() > drawn && rd.cardTexts() == nil && renderer(r.tile).img.Visible()
	})
}

// SetStream switches the tile to another camera without showing the old one's picture
// under the new name, and nil makes it an empty cell.
func TestTileSetStream(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	grey := color.RGBA{R: 128, G: 128, B: 128, A: 255}
	a := tileTStream(t, "Cam A", liveSource(t, 10*time.Millisecond), dec)
	b := tileTStream(t, "Cam B", &jpegSource{Frames: [][]byte{tileTJPEG(t, func(int, int) color.RGBA { return grey })},
		Count: -1, Every: 10 * time.Millisecond}, dec)
	r := newTileTRig(t, fyne.NewSize(320, 240), a)
	r.tile.Start()
	pumpUntil(t, r.q, "camera A's picture", func() bool { return paletteIndex(r.at(0.5, 0.5)) >= 0 })

	r.tile.SetStream(b)
	rd := renderer(r.tile)
	if r.tile.Stream() != b || !r.tile.Running() {
		t.Fatalf("after SetStream: stream %v running %v", r.tile.Stream().Name(), r.tile.Running())
	}
	if rd.name.Text != "Cam B" {
		t.Errorf("name badge %q, want \"Cam B\"", rd.name.Text)
	}
	if renderer(r.tile).img.Visible() || paletteIndex(r.at(0.5, 0.5)) >= 0 {
		t.Error("camera A's picture shows under camera B's name")
	}
	if texts := rd.cardTexts(); len(texts) == 0 || texts[0] != "Connecting…" {
		t.Errorf("switched tile shows %q, want \"Connecting…\" until B's first picture", texts)
	}
	pumpUntil(t, r.q, "camera B's picture", func() bool { return near(r.at(0.5, 0.5), grey, 12) })
	if st := a.Status().State; st != capture.StateStopped {
		t.Errorf("camera A is %v after the tile left it, want stopped", st)
	}

	// nil: an empty cell that decodes nothing and cannot be started.
	r.tile.SetStream(nil)
	calls := dec.calls.Load()
	r.tile.Start()
	if r.tile.Running() {
		t.Error("an empty cell started")
	}
	if !rd.empty.Visible() || rd.empty.Text != "No camera" || rd.name.Visible() {
		t.Errorf("empty cell: \"No camera\" visible=%v, name badge visible=%v", rd.empty.Visible(), rd.name.Visible())
	}
	if _, err := r.tile.Snapshot(t.TempDir()); !errors.Is(err, ErrNoPicture) {
		t.Errorf("snapshot of an empty cell: %v, want ErrNoPicture", err)
	}
	time.Sleep(100 * time.Millisecond)
	r.q.Run()
	if got := dec.calls.Load(); got != calls {
		t.Errorf("%d decodes on an empty cell", got-calls)
	}
	if st := b.Status().State; st != capture.StateStopped {
		t.Errorf("camera B is %v after the tile left it, want stopped", st)
	}

	// A stopped tile switched to a camera stays stopped, showing nothing of the old one.
	r.tile.SetStream(a)
	if r.tile.Running() || renderer(r.tile).img.Visible() {
		t.Errorf("stopped tile after SetStream: running %v, picture %v", r.tile.Running(), renderer(r.tile).img.Visible())
	}
}

var tileTSnapName = regexp.MustCompile(`^Cam 1_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}[+-]\d{4}(-\d+)?\.(png|jpg)$`)

// Snapshot writes the shown picture as a PNG named by camera and local time with its
// offset; a clash adds -2, -3; a .jpg path gives a JPEG.
func TestTileSnapshot(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	r := newTileTRig(t, fyne.NewSize(320, 240), tileTStream(t, "Cam 1", liveSource(t, 10*time.Millisecond), dec))
	dir := t.TempDir()
	if _, err := r.tile.Snapshot(dir); !errors.Is(err, ErrNoPicture) {
		t.Fatalf("snapshot before any picture: %v, want ErrNoPicture", err)
	}
	r.tile.Start()
	pumpUntil(t, r.q, "a picture", func() bool { return r.tile.Drawn() > 0 && renderer(r.tile).img.Visible() })
	r.tile.Stop() // a frozen picture, so the file can be compared with the buffer

	fixed := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 2*3600+30*60))
	r.tile.now = func() time.Time { return fixed }
	var paths []string
	for i := 0; i < 3; i++ {
		p, err := r.tile.Snapshot(dir)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(p))
	}
	want := []string{"Cam 1_2026-03-04T05-06-07+0230.png", "Cam 1_2026-03-04T05-06-07+0230-2.png",
		"Cam 1_2026-03-04T05-06-07+0230-3.png"}
	if strings.Join(paths, "|") != strings.Join(want, "|") {
		t.Errorf("snapshot names %q, want %q", paths, want)
	}
	f, err := os.Open(filepath.Join(dir, want[0]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("snapshot is not a PNG: %v", err)
	}
	buf := r.tile.buf
	if img.Bounds().Size() != buf.Rect.Size() {
		t.Errorf("snapshot %v, want the tile's picture %v", img.Bounds().Size(), buf.Rect.Size())
	}
	cx, cy := buf.Rect.Dx()/2, buf.Rect.Dy()/2
	if got := rgba(img.At(cx, cy)); got != buf.RGBAAt(cx, cy) {
		t.Errorf("snapshot centre %v, tile shows %v", got, buf.RGBAAt(cx, cy))
	}

	// Real clock: the name follows the pattern. JPEG by extension.
	r.tile.now = time.Now
	p, err := r.tile.Snapshot(dir)
	if err != nil || !tileTSnapName.MatchString(filepath.Base(p)) {
		t.Errorf("snapshot %q, %v: name does not match %v", filepath.Base(p), err, tileTSnapName)
	}
	p, err = r.tile.Snapshot(filepath.Join(dir, "shot.jpg"))
	if err != nil || !tileTSnapName.MatchString(filepath.Base(p)) || filepath.Dir(p) != dir {
		t.Fatalf("JPEG snapshot %q, %v", p, err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("JPEG snapshot does not decode: %v", err)
	}

	if _, err := r.tile.Snapshot(filepath.Join(dir, "missing", "folder")); err == nil ||
		!strings.Contains(err.Error(), "folder exists") {
		t.Errorf("snapshot into a missing folder: %v, want an error saying what to check", err)
	}
}

func TestSafeFileName(t *testing.T) {
	cases := map[string]string{
		"Cam 1":            "Cam 1",
		"Entrée / Hall":    "Entrée _ Hall",
		`a\b`:              "a_b",
		"../../etc/passwd": "_.._etc_passwd",
		"..":               "camera",
		"":                 "camera",
		"tab\there\nnl":    "tab_here_nl",
		"bell\x07\x00":     "bell__",
		"カメラ 北":            "カメラ 北",
		`w<i>n:d"o|w?s*`:   "w_i_n_d_o_w_s_",
		" .hidden. ":       "hidden",
		"\xff bad utf8":    "_ bad utf8",
	}
	for in, want := range cases {
		if got := safeFileName(in); got != want {
			t.Errorf("safeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := safeFileName(strings.Repeat("ü", 300)); len([]rune(got)) != 100 {
		t.Errorf("a 300-rune name becomes %d runes, want 100", len([]rune(got)))
	}
}

// The health overlay lists what the stream and the tile measure, and hides again.
func TestTileHealthOverlay(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	r := newTileTRig(t, fyne.NewSize(480, 320), tileTStream(t, "Cam", liveSource(t, 20*time.Millisecond), dec))
	r.tile.Start()
	r.tile.SetHealthVisible(true)
	rd := renderer(r.tile)
	text := func() string {
		var s []string
		for _, l := range rd.healthText {
			if l.Visible() {
				s = append(s, l.Text)
			}
		}
		return strings.Join(s, "\n")
	}
	fps := regexp.MustCompile(`fps (\d+\.\d) in · (\d+\.\d) drawn`)
	pumpUntil(t, r.q, "the overlay with figures", func() bool {
		m := fps.FindStringSubmatch(text())
		return m != nil && m[1] != "0.0" && m[2] != "0.0" && strings.Contains(text(), "codec jpeg")
	})
	got := text()
	for _, want := range []string{"bitrate ", "kbit/s", "size 160×120 → ", "codec jpeg",
		"latency p50/p99 —", "drops "} {
		if !strings.Contains(got, want) {
			t.Errorf("overlay lacks %q:\n%s", want, got)
		}
	}
	if !rd.healthBack.Visible() || !r.tile.HealthVisible() {
		t.Error("overlay panel not shown")
	}
	// The panel sits at the bottom-left, translucent over the picture.
	if p := rd.healthBack.Position(); p.X > 10 || p.Y+rd.healthBack.Size().Height < r.tile.Size().Height-10 {
		t.Errorf("overlay at %v size %v, want the bottom-left corner", p, rd.healthBack.Size())
	}
	r.tile.SetHealthVisible(false)
	if rd.healthBack.Visible() || text() != "" {
		t.Error("overlay still shown after SetHealthVisible(false)")
	}
}

func TestHealthLines(t *testing.T) {
	s := capture.StatsSnapshot{FPSIn: 15, BitrateKbps: 4200, Width: 1920, Height: 1080, DecodeW: 640, DecodeH: 360,
		Codec: capture.CodecH264, LatencyOK: true, LatencyP50: 42 * time.Millisecond, LatencyP99: 118400 * time.Microsecond,
		Drops: 3}
	got := strings.Join(healthLines(s, 14.5), "|")
	want := "fps 15.0 in · 14.5 drawn|bitrate 4.2 Mbit/s|size 1920×1080 → 640×360|codec h264|latency p50/p99 42 ms / 118 ms|drops 3"
	if got != want {
		t.Errorf("healthLines =\n%s\nwant\n%s", got, want)
	}
	got = strings.Join(healthLines(capture.StatsSnapshot{}, 0), "|")
	want = "fps 0.0 in · 0.0 drawn|bitrate 0 kbit/s|size — → —|codec —|latency p50/p99 —|drops 0"
	if got != want {
		t.Errorf("healthLines of nothing =\n%s\nwant\n%s", got, want)
	}
}

// Fallback shows the picture with a blue FALLBACK badge and no card.
func TestTileFallbackBadge(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	r := newTileTRig(t, fyne.NewSize(320, 240), tileTStream(t, "Cam", liveSource(t, 10*time.Millisecond), dec))
	r.tile.Start()
	pumpUntil(t, r.q, "a picture", func() bool { return renderer(r.tile).img.Visible() })
	rd := renderer(r.tile)
	if rd.fbText.Visible() {
		t.Fatal("a live tile shows the FALLBACK badge")
	}
	r.tile.Stop()
	// Nothing in capture sets StateFallback yet: hand the tile the status it will get.
	r.tile.applyStatus(capture.Status{State: capture.StateFallback})
	if !rd.fbText.Visible() || rd.fbText.Text != "FALLBACK" || !rd.fbBack.Visible() {
		t.Fatal("no FALLBACK badge")
	}
	if rd.cardTexts() != nil || rd.dim.Visible() || !renderer(r.tile).img.Visible() {
		t.Errorf("fallback: card %q, dimmed %v, picture %v; want the picture, undimmed, no card",
			rd.cardTexts(), rd.dim.Visible(), renderer(r.tile).img.Visible())
	}
	img := r.win.Canvas().Capture()
	p := rd.fbBack.Position() // left of the text, inside the rounded corner
	if c := rgba(img.At(int(p.X+3), int(p.Y+rd.fbBack.Size().Height/2))); !near(c, rgba(colorFallback), 40) {
		t.Errorf("badge colour %v, want blue %v", c, colorFallback)
	}
}

// The mouse wheel zooms a maximised tile about the pointer, dragging pans, and restoring
// shows the whole picture again.
func TestTileZoomAndPan(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	src := &jpegSource{Frames: [][]byte{tileTQuadrants(t)}, Count: -1, Every: 15 * time.Millisecond}
	// 4:3 like the source, so the picture fills the tile exactly.
	r := newTileTRig(t, fyne.NewSize(400, 300), tileTStream(t, "Cam", src, dec))
	r.tile.Start()
	red, blue, yellow := palette[0], palette[2], palette[3]
	pumpUntil(t, r.q, "the quadrants", func() bool { return near(r.at(0.1, 0.1), red, 30) })

	c := r.win.Canvas()
	// Not maximised: the wheel does nothing.
	test.Scroll(c, fyne.NewPos(300, 225), 0, 100)
	if r.tile.Zoom() != 1 || !near(r.at(0.1, 0.1), red, 30) {
		t.Fatalf("wheel zoomed a tile that is not maximised (zoom %v)", r.tile.Zoom())
	}

	r.tile.SetMaximised(true)
	// Fyne's test.Scroll sends no pointer position, so the wheel events are made here.
	for i := 0; i < 12; i++ { // 1.25^12 ≈ 14.6: capped at 8
		r.tile.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(300, 225)},
			Scrolled: fyne.Delta{DY: wheelNotch}})
	}
	if z := r.tile.Zoom(); z != maxZoom {
		t.Fatalf("zoom %v after 12 notches, want the %v× cap", z, maxZoom)
	}
	// About the pointer at (¾, ¾): the bottom-right quadrant now fills the tile.
	for _, p := range [][2]float32{{0.1, 0.1}, {0.5, 0.5}, {0.9, 0.9}} {
		if got := r.at(p[0], p[1]); !near(got, yellow, 30) {
			t.Errorf("zoomed ×8 at (¾, ¾): tile point %v is %v, want yellow", p, got)
		}
	}
	rd := renderer(r.tile)
	if !rd.zoomText.Visible() || rd.zoomText.Text != "8×" {
		t.Errorf("zoom label %q visible=%v, want \"8×\"", rd.zoomText.Text, rd.zoomText.Visible())
	}
	// The decoder is asked for more pixels, so the zoomed region has real detail.
	r.tile.mu.Lock()
	bw, bh := r.tile.run.sub.Size()
	r.tile.mu.Unlock()
	if bw <= 400 || bh <= 300 {
		t.Errorf("decode box %d×%d while zoomed ×8 on a 400×300 tile, want larger", bw, bh)
	}
	// The zoomed view follows new frames (they keep being drawn).
	drawn := r.tile.Drawn()
	pumpUntil(t, r.q, "frames while zoomed", func() bool { return r.tile.Drawn() > drawn+2 })
	if got := r.at(0.5, 0.5); !near(got, yellow, 30) {
		t.Errorf("zoomed view after new frames shows %v, want yellow", got)
	}

	// Drag the picture far right: the region moves to the left edge → blue quadrant.
	test.Drag(c, fyne.NewPos(200, 150), 2000, 0)
	if got := r.at(0.5, 0.5); !near(got, blue, 30) {
		t.Errorf("after panning left the centre is %v, want blue", got)
	}

	r.tile.SetMaximised(false)
	if z := r.tile.Zoom(); z != 1 {
		t.Errorf("zoom %v after restore, want 1", z)
	}
	if got := r.at(0.1, 0.1); !near(got, red, 30) || rd.zoomText.Visible() {
		t.Errorf("restored tile: top-left %v (want red), zoom label visible %v", got, rd.zoomText.Visible())
	}
	r.tile.mu.Lock()
	bw, bh = r.tile.run.sub.Size()
	r.tile.mu.Unlock()
	if bw != 400 || bh != 300 {
		t.Errorf("decode box %d×%d after restore, want the tile's 400×300", bw, bh)
	}
}

func TestZoomView(t *testing.T) {
	z := unzoomed()
	if got := z.crop(160, 120); got != image.Rect(0, 0, 160, 120) {
		t.Errorf("unzoomed crop %v", got)
	}
	z.zoomAbout(2, 0, 0) // towards the top-left corner
	if got := z.crop(160, 120); got != image.Rect(0, 0, 80, 60) {
		t.Errorf("2× about the top-left: crop %v", got)
	}
	z.zoomAbout(4, 1, 1) // the point under the bottom-right corner stays there
	if got := z.crop(160, 120); got != image.Rect(40, 30, 80, 60) {
		t.Errorf("4× about the bottom-right of the 2× view: crop %v", got)
	}
	z.pan(-10, -10) // far: clamped inside the picture
	if got := z.crop(160, 120); got != image.Rect(120, 90, 160, 120) {
		t.Errorf("panned to the far corner: crop %v", got)
	}
	z.zoomAbout(100, 0.5, 0.5)
	if z.factor != maxZoom || z.label() != "8×" {
		t.Errorf("factor %v label %q, want capped at 8×", z.factor, z.label())
	}
	z.zoomAbout(0.1, 0.5, 0.5)
	if z.zoomed() || z.crop(160, 120) != image.Rect(0, 0, 160, 120) {
		t.Errorf("zoomed out below 1: %+v", z)
	}
	if l := (zoomView{factor: 2.54}).label(); l != "2.5×" {
		t.Errorf("label %q", l)
	}
}

// The hover toolbar appears over the tile and its buttons act on it.
func TestTileToolbar(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	r := newTileTRig(t, fyne.NewSize(400, 300), tileTStream(t, "Cam 1", liveSource(t, 10*time.Millisecond), dec))
	r.tile.SnapshotDir = t.TempDir()
	var snapPath string
	var snapErr error
	r.tile.OnSnapshot = func(_ *Tile, p string, err error) { snapPath, snapErr = p, err }
	toggled := 0
	r.tile.OnPlayToggled = func(*Tile) { toggled++ }
	r.tile.Start()
	pumpUntil(t, r.q, "a picture", func() bool { return renderer(r.tile).img.Visible() })
	rd := renderer(r.tile)
	if rd.toolbar.Visible() {
		t.Fatal("toolbar shows without the pointer over the tile")
	}
	c := r.win.Canvas()
	test.MoveMouse(c, fyne.NewPos(200, 150))
	if !rd.toolbar.Visible() {
		t.Fatal("no toolbar while hovering")
	}
	if p := rd.toolbar.Position(); p.X+rd.toolbar.Size().Width < 390 || p.Y > 10 {
		t.Errorf("toolbar at %v, want the top-right corner", p)
	}
	centre := func(b *tileButton) fyne.Position {
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		return p.Add(fyne.NewPos(b.Size().Width/2, b.Size().Height/2))
	}
	tapped := 0
	r.tile.OnTapped = func(*Tile) { tapped++ }

	if rd.toolbar.snap.label != "Snapshot" {
		t.Errorf("snapshot button labelled %q", rd.toolbar.snap.label)
	}
	test.TapCanvas(c, centre(rd.toolbar.snap))
	pumpUntil(t, r.q, "the snapshot written", func() bool { return snapPath != "" || snapErr != nil })
	if snapErr != nil || !tileTSnapName.MatchString(filepath.Base(snapPath)) {
		t.Errorf("snapshot button: %q, %v", snapPath, snapErr)
	}
	test.TapCanvas(c, centre(rd.toolbar.info))
	if !r.tile.HealthVisible() || rd.toolbar.info.label != "Hide health overlay" {
		t.Error("info button did not show the health overlay")
	}
	if rd.toolbar.play.label != "Stop" {
		t.Errorf("play button of a running tile labelled %q, want Stop", rd.toolbar.play.label)
	}
	test.TapCanvas(c, centre(rd.toolbar.play))
	if r.tile.Running() || rd.toolbar.play.label != "Play" || toggled != 1 {
		t.Errorf("stop button: running %v, label %q, OnPlayToggled %d times", r.tile.Running(), rd.toolbar.play.label, toggled)
	}
	if tapped != 0 {
		t.Errorf("toolbar taps reached the tile %d times (they would select it)", tapped)
	}
	r.tile.MouseOut()
	if rd.toolbar.Visible() {
		t.Error("toolbar still shown after the pointer left")
	}
}

// The wall's batch runs at most once per display tick, so draws of many tiles share one
// repaint; a callback arriving after a quiet tick runs at once.
func TestUIBatchTick(t *testing.T) {
	q := &uiQueue{}
	b := newUIBatch(q.Do)
	b.period = 80 * time.Millisecond
	ran := 0
	b.Do(func() { ran++ })
	if q.Len() != 1 {
		t.Fatalf("first callback: %d batches queued, want 1 at once", q.Len())
	}
	q.Run()
	start := time.Now()
	b.Do(func() { ran++ })
	b.Do(func() { ran++ })
	if q.Len() != 0 {
		t.Fatal("a batch was queued within the tick after the last one")
	}
	pumpUntil(t, q, "the next tick's batch", func() bool { return ran == 3 })
	if d := time.Since(start); d < 70*time.Millisecond {
		t.Errorf("the next batch ran after %v, want a tick (80 ms) after the last", d)
	}
	time.Sleep(100 * time.Millisecond) // a quiet tick
	b.Do(func() { ran++ })
	if q.Len() != 1 {
		t.Errorf("after a quiet tick: %d batches queued, want 1 at once", q.Len())
	}
	q.Run()
}
