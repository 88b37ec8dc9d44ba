package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
)

// TestMain checks that no goroutine outlives the tests. Fyne v2.8.1's test app
// (test.NewApp, test.NewTempApp, test windows) starts none that outlive a test, so no
// goleak.Ignore option is needed; TestStopStopsDecoding also checks right after Stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func liveSource(t *testing.T, every time.Duration) *jpegSource {
	return &jpegSource{Frames: jpegFrames(t), Count: -1, Every: every}
}

func TestGrid(t *testing.T) {
	cases := []struct {
		layout     string
		n          int
		cols, rows int
		bad        bool
	}{
		{"auto", 0, 1, 1, false},
		{"auto", 1, 1, 1, false},
		{"auto", 2, 2, 1, false},
		{"auto", 3, 2, 2, false},
		{"auto", 4, 2, 2, false},
		{"auto", 5, 3, 2, false},
		{"auto", 7, 3, 3, false},
		{"", 10, 4, 3, false},
		{"auto", 16, 4, 4, false},
		{"auto", 17, 5, 4, false},
		{"auto", 64, 8, 8, false},
		{"auto", 200, 8, 8, false},
		{"1", 9, 1, 1, false},
		{"2x2", 1, 2, 2, false},
		{"3x3", 4, 3, 3, false},
		{"8x8", 3, 8, 8, false},
		{"7x7", 3, 0, 0, true},
		{"huge", 3, 0, 0, true},
	}
	for _, c := range cases {
		cols, rows, err := Grid(c.layout, c.n)
		if (err != nil) != c.bad || cols != c.cols || rows != c.rows {
			t.Errorf("Grid(%q, %d) = %d, %d, %v; want %d, %d, error %v", c.layout, c.n, cols, rows, err, c.cols, c.rows, c.bad)
		}
	}
	for _, l := range Layouts {
		if _, _, err := Grid(l, 5); err != nil {
			t.Errorf("Layouts lists %q but Grid refuses it: %v", l, err)
		}
	}
}

// A wall of four live cameras shows four pictures, and they move.
func TestWallShowsLivePictures(t *testing.T) {
	var srcs []capture.Source
	for i := 0; i < 4; i++ {
		srcs = append(srcs, liveSource(t, 30*time.Millisecond))
	}
	r := newRig(t, srcs, capture.StreamOptions{}, "auto", fyne.NewSize(320, 240))
	if cols, rows := r.wall.Size(); cols != 2 || rows != 2 || len(r.wall.Tiles()) != 4 {
		t.Fatalf("wall is %d×%d with %d tiles, want 2×2 with 4", cols, rows, len(r.wall.Tiles()))
	}
	r.wall.Start()
	tiles := r.wall.Tiles()

	// Every tile shows a test colour in its centre and no card.
	var first []int
	pumpUntil(t, r.q, "a picture on every tile", func() bool {
		img := r.capture()
		first = first[:0]
		for _, tl := range tiles {
			i := paletteIndex(r.at(img, tl, 0.5, 0.5))
			if i < 0 || tl.Drawn() == 0 {
				return false
			}
			first = append(first, i)
		}
		return true
	})
	for _, tl := range tiles {
		if texts := renderer(tl).cardTexts(); texts != nil {
			t.Errorf("%s: live tile shows a card %q", tl.Stream().Name(), texts)
		}
	}
	drawn := make([]uint64, len(tiles))
	for i, tl := range tiles {
		drawn[i] = tl.Drawn()
	}
	// The pictures change: every tile's centre turns another colour, and Drawn grows.
	changed := make([]bool, len(tiles))
	pumpUntil(t, r.q, "every picture to change", func() bool {
		img := r.capture()
		all := true
		for i, tl := range tiles {
			if j := paletteIndex(r.at(img, tl, 0.5, 0.5)); j >= 0 && j != first[i] && tl.Drawn() > drawn[i] {
				changed[i] = true
			}
			all = all && changed[i]
		}
		return all
	})
	// The name badge reads on any picture: a dark backing behind light text.
	rd := renderer(tiles[0])
	if rd.name.Text != "Cam 1" || !rd.nameBack.Visible() {
		t.Errorf("name badge %q visible=%v, want \"Cam 1\" on a backing", rd.name.Text, rd.nameBack.Visible())
	}
}

// Cells beyond the camera count are dark and say so.
func TestWallEmptyCells(t *testing.T) {
	r := newRig(t, []capture.Source{liveSource(t, 20*time.Millisecond)}, capture.StreamOptions{}, "3x3", fyne.NewSize(600, 600))
	if len(r.wall.Tiles()) != 1 {
		t.Fatalf("%d tiles, want 1", len(r.wall.Tiles()))
	}
	n := 0
	walk(r.wall.Content(), func(o fyne.CanvasObject) {
		if txt, ok := o.(*canvas.Text); ok && txt.Text == "No camera" && txt.Visible() {
			n++
		}
	})
	if n != 8 {
		t.Errorf("%d \"No camera\" cells, want 8", n)
	}
}

func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	if c, ok := o.(*fyne.Container); ok {
		for _, ch := range c.Objects {
			walk(ch, f)
		}
	}
}

// A camera that stops sending shows the stalled card over its last picture, dimmed.
func TestTileStalledCard(t *testing.T) {
	src := &jpegSource{Frames: jpegFrames(t), Count: 3, Every: 10 * time.Millisecond, Hold: true}
	r := newRig(t, []capture.Source{src}, capture.StreamOptions{StallAfter: 150 * time.Millisecond, DropAfter: time.Minute},
		"1", fyne.NewSize(480, 320))
	r.wall.Start()
	tile := r.wall.Tiles()[0]
	rd := renderer(tile)
	pumpUntil(t, r.q, "the stalled card", func() bool {
		texts := rd.cardTexts()
		return len(texts) > 0 && strings.HasPrefix(texts[0], "Stalled — no picture for ")
	})
	if !renderer(tile).img.Visible() || !rd.dim.Visible() {
		t.Errorf("stalled tile: picture visible=%v, dimmed=%v; want the last picture dimmed", renderer(tile).img.Visible(), rd.dim.Visible())
	}
	if got := rd.cardTexts(); !regexp.MustCompile(`^Stalled — no picture for \d+ s$`).MatchString(got[0]) {
		t.Errorf("stalled title %q", got[0])
	}
	img := r.capture()
	// Near the bottom-left corner, below the card: the last picture, dimmed.
	corner := r.at(img, tile, 0.05, 0.95)
	last := palette[int(src.sent.Load())%len(palette)]
	if paletteIndex(corner) >= 0 || corner.R+corner.G+corner.B == 0 ||
		int(corner.R)+int(corner.G)+int(corner.B) >= int(last.R)+int(last.G)+int(last.B) {
		t.Errorf("corner of a stalled tile is %v; want the last picture %v, dimmed", corner, last)
	}
	accent := pixelOf(r, img, tile, rd.cardAccent)
	if !near(accent, rgba(colorStalled), 8) {
		t.Errorf("stalled accent %v, want amber %v", accent, colorStalled)
	}
}

// pixelOf returns the colour in the middle of one of a tile's canvas objects.
func pixelOf(r *rig, img image.Image, tile *Tile, o fyne.CanvasObject) color.RGBA {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile).Add(o.Position())
	scale := r.win.Canvas().Scale()
	x := int((pos.X + o.Size().Width/2) * scale)
	y := int((pos.Y + o.Size().Height/2) * scale)
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// A camera that cannot be reached shows the offline card: the error, and a countdown to
// the next attempt that ticks.
func TestTileOfflineCard(t *testing.T) {
	cause := fmt.Errorf("connect to 127.0.0.1:8554: %w", syscall.ECONNREFUSED)
	src := &jpegSource{Err: cause}
	r := newRig(t, []capture.Source{src},
		capture.StreamOptions{Backoff: []capture.BackoffTier{{Attempts: 0, Delay: 30 * time.Second}}},
		"1", fyne.NewSize(480, 320))
	r.wall.Start()
	tile := r.wall.Tiles()[0]
	rd := renderer(tile)
	retry := regexp.MustCompile(`^retrying in (\d+) s$`)
	var countdown string
	pumpUntil(t, r.q, "the offline card", func() bool {
		texts := rd.cardTexts()
		if len(texts) < 3 || texts[0] != "Offline" {
			return false
		}
		countdown = texts[len(texts)-1]
		return true
	})
	texts := rd.cardTexts()
	// What happened, then what to try (capture.Explain).
	x := capture.Explain(cause)
	if detail, want := strings.Join(texts[1:len(texts)-1], " "), cause.Error()+" — try: "+x.Advice; detail != want || x.Advice == "" {
		t.Errorf("offline card shows error %q, want %q", detail, want)
	}
	if !retry.MatchString(countdown) {
		t.Fatalf("offline foot %q, want \"retrying in N s\"", countdown)
	}
	// The countdown ticks (the card refreshes every second).
	pumpUntil(t, r.q, "the countdown to tick", func() bool {
		texts := rd.cardTexts()
		return len(texts) > 0 && retry.MatchString(texts[len(texts)-1]) && texts[len(texts)-1] != countdown
	})
	if renderer(tile).img.Visible() {
		t.Error("an offline tile shows a picture")
	}
	img := r.capture()
	if accent := pixelOf(r, img, tile, rd.cardAccent); !near(accent, rgba(colorOffline), 8) {
		t.Errorf("offline accent %v, want red %v", accent, colorOffline)
	}
	if tile.Drawn() != 0 {
		t.Errorf("Drawn = %d for a camera that never connected", tile.Drawn())
	}
}

// Stop ends decoding at once and leaves no goroutine behind.
func TestStopStopsDecoding(t *testing.T) {
	r := newRig(t, []capture.Source{liveSource(t, 10*time.Millisecond), liveSource(t, 10*time.Millisecond)},
		capture.StreamOptions{}, "auto", fyne.NewSize(400, 200))
	ignore := goleak.IgnoreCurrent()
	r.wall.Start()
	pumpUntil(t, r.q, "pictures", func() bool {
		return r.wall.Tiles()[0].Drawn() >= 2 && r.wall.Tiles()[1].Drawn() >= 2
	})
	r.wall.Stop()
	calls := r.dec.calls.Load()
	time.Sleep(300 * time.Millisecond)
	r.q.Run() // callbacks queued before Stop must be harmless
	if got := r.dec.calls.Load(); got != calls {
		t.Errorf("%d Decode calls after Stop", got-calls)
	}
	for _, tl := range r.wall.Tiles() {
		if texts := renderer(tl).cardTexts(); len(texts) == 0 || texts[0] != "Stopped" {
			t.Errorf("%s after Stop shows %q, want \"Stopped\"", tl.Stream().Name(), texts)
		}
		if tl.Running() {
			t.Errorf("%s still running", tl.Stream().Name())
		}
	}

	// Start again after Stop works: a fresh picture, no stale card.
	drawn := r.wall.Tiles()[0].Drawn()
	r.wall.Start()
	pumpUntil(t, r.q, "pictures after a restart", func() bool {
		tl := r.wall.Tiles()[0]
		return tl.Drawn() > drawn && renderer(tl).cardTexts() == nil && renderer(tl).img.Visible()
	})
	r.wall.Stop()
	r.wall.Stop() // twice is harmless

	for _, s := range r.streams {
		s.Close() // the sources' supervisors wind down in the background after Stop
	}
	if err := goleak.Find(ignore); err != nil {
		t.Error(err)
	}
}

// However fast frames come and however slow the UI goroutine is, a tile never has more
// than one draw and one status update waiting, and the wall never more than one fyne.Do
// (its batch) in Fyne's queue.
func TestAtMostOnePendingPerTile(t *testing.T) {
	var srcs []capture.Source
	for i := 0; i < 3; i++ {
		srcs = append(srcs, liveSource(t, 2*time.Millisecond))
	}
	r := newRig(t, srcs, capture.StreamOptions{}, "auto", fyne.NewSize(400, 400))
	r.wall.Start()
	tiles := r.wall.Tiles()
	for round := 0; round < 5; round++ {
		// The UI goroutine is busy: nothing runs for a while, frames keep coming.
		time.Sleep(250 * time.Millisecond)
		if n := r.q.Len(); n > 1 {
			t.Fatalf("round %d: %d fyne.Do callbacks queued by the wall, want at most 1", round, n)
		}
		r.wall.batch.mu.Lock()
		n := len(r.wall.batch.fns)
		r.wall.batch.mu.Unlock()
		if n > 2*len(tiles) {
			t.Fatalf("round %d: %d callbacks batched for %d tiles, want at most %d", round, n, len(tiles), 2*len(tiles))
		}
		r.q.Run()
	}
	pumpUntil(t, r.q, "pictures", func() bool {
		for _, tl := range tiles {
			if tl.Drawn() < 3 {
				return false
			}
		}
		return true
	})
	for _, tl := range tiles {
		if m := tl.maxPending.Load(); m != 1 {
			t.Errorf("%s: up to %d draws pending at once, want 1", tl.Stream().Name(), m)
		}
		tl.mu.Lock()
		skipped := tl.run.sub.Skipped()
		tl.mu.Unlock()
		if skipped == 0 {
			t.Errorf("%s: no frame was skipped although the UI stalled (latest wins)", tl.Stream().Name())
		}
	}
}

// A standalone tile (not on a wall) uses one fyne.Do of its own, still at most one draw
// and one status update pending.
func TestStandaloneTilePending(t *testing.T) {
	test.NewTempApp(t)
	q := &uiQueue{}
	dec := &testDecoders{}
	s := capture.NewStream("Cam", liveSource(t, 2*time.Millisecond),
		capture.StreamOptions{Decoders: dec.New, Logger: slog.New(slog.DiscardHandler)})
	defer s.Close()
	tile := NewTile(s)
	tile.do = q.Do
	w := test.NewWindow(tile)
	defer w.Close()
	w.Resize(fyne.NewSize(160, 120))
	tile.Start()
	defer tile.Stop()
	for round := 0; round < 3; round++ {
		time.Sleep(200 * time.Millisecond)
		if n := q.Len(); n > 2 {
			t.Fatalf("round %d: %d callbacks queued by one tile, want at most 2", round, n)
		}
		q.Run()
	}
	pumpUntil(t, q, "pictures", func() bool { return tile.Drawn() >= 2 })
}

// Draws are capped at MaxFPS however fast frames arrive.
func TestDrawRateCap(t *testing.T) {
	r := newRig(t, []capture.Source{liveSource(t, 2*time.Millisecond)}, capture.StreamOptions{}, "1", fyne.NewSize(320, 240))
	tile := r.wall.Tiles()[0]
	tile.MaxFPS = 10
	r.wall.Start()
	pumpUntil(t, r.q, "a first picture", func() bool { return tile.Drawn() > 0 })
	start, d0 := time.Now(), tile.Drawn()
	for time.Since(start) < time.Second {
		r.q.Run()
		time.Sleep(2 * time.Millisecond)
	}
	// At most one draw per 100 ms (plus the one that may be under way): an upper bound,
	// which a slow machine only makes easier to meet.
	limit := uint64(time.Since(start)/(100*time.Millisecond)) + 1
	if got := tile.Drawn() - d0; got > limit || got == 0 {
		t.Errorf("%d draws in %v at MaxFPS 10, want 1…%d", got, time.Since(start).Round(time.Millisecond), limit)
	}
}

// The tile asks the decoder for its size on screen and follows a resize.
func TestTileFollowsSize(t *testing.T) {
	r := newRig(t, []capture.Source{liveSource(t, 10*time.Millisecond)}, capture.StreamOptions{}, "1", fyne.NewSize(320, 240))
	tile := r.wall.Tiles()[0]
	r.wall.Start()
	box := func() (int, int) {
		tile.mu.Lock()
		defer tile.mu.Unlock()
		return tile.run.sub.Size()
	}
	want := func() (int, int) {
		s := tile.Size()
		return int(s.Width + 0.999), int(s.Height + 0.999)
	}
	ww, wh := want()
	if w, h := box(); w != ww || h != wh {
		t.Errorf("decode box %d×%d, want the tile's %d×%d", w, h, ww, wh)
	}
	r.win.Resize(fyne.NewSize(200, 100))
	ww, wh = want()
	if w, h := box(); w != ww || h != wh || ww >= 320 {
		t.Errorf("after resize decode box %d×%d, want %d×%d", w, h, ww, wh)
	}
	// The pictures now come at the new size.
	pumpUntil(t, r.q, "a picture at the new size", func() bool {
		return tile.buf != nil && tile.buf.Rect.Dy() <= wh && tile.buf.Rect.Dx() <= ww
	})
}

// With Fyne's own fyne.Do (the test driver runs callbacks at once on the calling
// goroutine) the tile works without deadlock: Stop waits for the render goroutine while
// that goroutine is running the callbacks itself.
func TestTileWithFyneTestDriverDo(t *testing.T) {
	test.NewTempApp(t)
	dec := &testDecoders{}
	s := capture.NewStream("Cam", liveSource(t, 5*time.Millisecond), capture.StreamOptions{Decoders: dec.New, Logger: slog.New(slog.DiscardHandler)})
	defer s.Close()
	tile := NewTile(s)
	w := test.NewWindow(tile)
	defer w.Close()
	w.Resize(fyne.NewSize(320, 240))
	tile.Start()
	deadline := time.Now().Add(10 * time.Second)
	for tile.Drawn() < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { tile.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return: deadlock")
	}
	if tile.Drawn() < 5 {
		t.Fatalf("Drawn = %d, want ≥ 5", tile.Drawn())
	}
	c := tile.buf.RGBAAt(tile.buf.Rect.Dx()/2, tile.buf.Rect.Dy()/2)
	if paletteIndex(c) < 0 {
		t.Errorf("picture buffer holds %v, not a test colour", c)
	}
}

func TestDescribe(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	errRefused := errors.New("connect to cam.local:554: connection refused")
	errForbidden := &capture.Error{Kind: capture.ErrForbidden, Where: "cam.local:554", Status: 403, Text: "Forbidden",
		What: "the user may not view this stream", Hint: "check the user's rights"}
	cases := []struct {
		name string
		st   capture.Status
		last time.Time
		want card
	}{
		{"live", capture.Status{State: capture.StateLive}, time.Time{}, card{kind: cardNone}},
		{"first connect", capture.Status{State: capture.StateConnecting}, time.Time{},
			card{kind: cardConnecting, title: "Connecting…"}},
		{"reconnect", capture.Status{State: capture.StateConnecting, Err: errRefused, Attempts: 2}, time.Time{},
			card{kind: cardConnecting, title: "Connecting…", detail: "Last error: " + errRefused.Error(), foot: "attempt 3"}},
		{"stalled", capture.Status{State: capture.StateStalled, Since: now.Add(-time.Second)}, now.Add(-4200 * time.Millisecond),
			card{kind: cardStalled, title: "Stalled — no picture for 4 s", short: "Stalled 4 s",
				detail: "Connected, but the camera stopped sending pictures; reconnecting if it does not resume."}},
		{"offline", capture.Status{State: capture.StateOffline, Err: errRefused, RetryAt: now.Add(6100 * time.Millisecond)}, time.Time{},
			card{kind: cardOffline, title: "Offline", detail: errRefused.Error(), foot: "retrying in 7 s"}},
		{"offline due", capture.Status{State: capture.StateOffline, Err: errRefused, RetryAt: now.Add(-time.Millisecond)}, time.Time{},
			card{kind: cardOffline, title: "Offline", detail: errRefused.Error(), foot: "retrying now…"}},
		{"offline with advice", capture.Status{State: capture.StateOffline, Err: errForbidden}, time.Time{},
			card{kind: cardOffline, title: "Offline", detail: "cam.local:554: 403 Forbidden: the user may not view this stream — try: check the user's rights"}},
		{"offline long", capture.Status{State: capture.StateOffline, RetryAt: now.Add(150 * time.Second)}, time.Time{},
			card{kind: cardOffline, title: "Offline", detail: "the camera closed the stream", foot: "retrying in 3 min"}},
		{"stopped", capture.Status{State: capture.StateStopped}, time.Time{}, card{kind: cardStopped, title: "Stopped",
			detail: "Viewing stopped. Press play (▶) or Space to watch again."}},
	}
	for _, c := range cases {
		if got := describe(c.st, c.last, now); got != c.want {
			t.Errorf("%s: describe = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestWrapText(t *testing.T) {
	test.NewTempApp(t)
	style := fyne.TextStyle{}
	const width, size = 120, 12
	cases := []string{
		"",
		"short",
		"connect to 127.0.0.1:8554: connection refused",
		"a_single_word_far_too_long_to_fit_on_any_line_of_a_small_card_at_all_really",
		strings.Repeat("word ", 60),
	}
	for _, s := range cases {
		lines := wrapText(s, width, size, style, 3)
		if len(lines) > 3 {
			t.Errorf("%q: %d lines, want ≤ 3", s, len(lines))
		}
		for _, l := range lines {
			if w := fyne.MeasureText(l, size, style).Width; w > width {
				t.Errorf("%q: line %q is %.0f wide, want ≤ %d", s, l, w, width)
			}
		}
		joined := strings.Join(lines, " ")
		cut := strings.HasSuffix(joined, "…")
		full := strings.Join(strings.Fields(s), " ")
		if !cut && strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(full, " ", "") {
			t.Errorf("%q: wrapped to %q, lost text without an ellipsis", s, lines)
		}
	}
	if got := ellipsize("Camera with a very long name indeed", 80, size, style); !strings.HasSuffix(got, "…") ||
		fyne.MeasureText(got, size, style).Width > 80 {
		t.Errorf("ellipsize = %q", got)
	}
}

func rgba(c color.Color) color.RGBA { return color.RGBAModel.Convert(c).(color.RGBA) }

// The batch runs every callback once, in order, with at most one fyne.Do waiting.
func TestUIBatch(t *testing.T) {
	q := &uiQueue{}
	b := newUIBatch(q.Do)
	b.period = 0 // the display tick is TestUIBatchTick's
	var got []int
	for i := 0; i < 5; i++ {
		b.Do(func() { got = append(got, i) })
	}
	if n := q.Len(); n != 1 {
		t.Fatalf("%d fyne.Do calls for 5 callbacks, want 1", n)
	}
	q.Run()
	// A callback queued while the batch runs goes to the next batch.
	b.Do(func() { b.Do(func() { got = append(got, 6) }); got = append(got, 5) })
	q.Run()
	if n := q.Len(); n != 1 {
		t.Fatalf("%d batches waiting after a callback queued another, want 1", n)
	}
	q.Run()
	if want := []int{0, 1, 2, 3, 4, 5, 6}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ran %v, want %v", got, want)
	}
}
