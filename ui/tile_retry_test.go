package ui

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestTileRetryNow: a camera that went away and came back is shown live again as soon as
// the offline card's "Retry now" is pressed, without waiting for the retry (issue 12,
// item 4: an hour here, so only the button can bring it back in the test's time).
func TestTileRetryNow(t *testing.T) {
	test.NewTempApp(t)
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 20})
	t.Cleanup(srv.Close)
	dec := &testDecoders{}
	s := capture.NewStream("Gate", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{
		Decoders: dec.New, Logger: slog.New(slog.DiscardHandler),
		Backoff: []capture.BackoffTier{{Delay: time.Hour}},
	})
	t.Cleanup(s.Close)
	r := newTileTRig(t, fyne.NewSize(480, 270), s)
	r.tile.Start()
	rr := func() *tileRenderer { return renderer(r.tile) }
	pumpUntil(t, r.q, "live", func() bool { return r.tile.status.State == capture.StateLive && r.tile.Drawn() > 0 })
	if rr().retry.Visible() {
		t.Fatal("Retry now shows on a live tile")
	}

	srv.Down()
	pumpUntil(t, r.q, "the offline card with Retry now", func() bool {
		return rr().card.kind == cardOffline && rr().retry.Visible()
	})
	if texts := rr().cardTexts(); !slices.ContainsFunc(texts, func(s string) bool {
		return strings.HasPrefix(s, "retrying in ") && strings.HasSuffix(s, " min")
	}) {
		t.Fatalf("card: %q, want the retry in about an hour", texts)
	}
	before := s.Status().Attempts
	if !s.RetryNow() {
		t.Fatal("RetryNow while offline cut no wait")
	}
	// The camera is still away: the attempt fails and waits again.
	pumpUntil(t, r.q, "offline again", func() bool {
		st := s.Status()
		return st.State == capture.StateOffline && st.Attempts > before && rr().card.kind == cardOffline && rr().retry.Visible()
	})

	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	drawn := r.tile.Drawn()
	start := time.Now()
	test.Tap(rr().retry)
	pumpUntil(t, r.q, "live again after Retry now", func() bool {
		return r.tile.status.State == capture.StateLive && r.tile.Drawn() > drawn && rr().card.kind == cardNone
	})
	t.Logf("Retry now → live picture in %v", time.Since(start).Round(time.Millisecond))
	if rr().retry.Visible() {
		t.Fatal("Retry now still shows on the live tile")
	}
}

// TestTileSnapshotIsTheCamerasPicture: a snapshot from a small tile (320×180, as on a 4×4
// wall) is the camera's full picture — its own JPEG, byte for byte — and a PNG asked for
// is a full-size decode, not the tile's buffer (issue 12, item 5).
func TestTileSnapshotIsTheCamerasPicture(t *testing.T) {
	test.NewTempApp(t)
	frames := mjpegtest.MakeFrames(3, 1280, 720)
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 20, Frames: frames})
	t.Cleanup(srv.Close)
	dec := &testDecoders{}
	s := capture.NewStream("Yard", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{
		Decoders: dec.New, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(s.Close)
	r := newTileTRig(t, fyne.NewSize(320, 180), s)
	r.tile.Start()
	pumpUntil(t, r.q, "a picture", func() bool { return r.tile.Drawn() > 0 && renderer(r.tile).img.Visible() })
	if b := r.tile.buf.Rect; b.Dx() > 400 {
		t.Fatalf("the tile decodes at %v: the test needs a tile-sized buffer", b)
	}
	dir := t.TempDir()
	p, err := r.tile.Snapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(p) != ".jpg" {
		t.Errorf("snapshot %q, want the camera's JPEG (.jpg)", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(frames, func(f []byte) bool { return bytes.Equal(f, data) }) {
		t.Error("the snapshot is not one of the camera's JPEGs byte for byte")
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 1280 || img.Bounds().Dy() != 720 {
		t.Fatalf("snapshot decodes to %v, %v; want 1280×720", img.Bounds(), err)
	}
	p, err = r.tile.Snapshot(filepath.Join(dir, "x.png"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pimg, err := png.Decode(f)
	if err != nil || pimg.Bounds().Dx() != 1280 || pimg.Bounds().Dy() != 720 {
		t.Fatalf("PNG snapshot %v, %v; want a full-size 1280×720 decode", pimg.Bounds(), err)
	}
}

// noticeTRecs is a Recordings that records what "Show in folder" opened; with block
// set, Open waits for it to close first (the desktop opener waits up to 2 s).
type noticeTRecs struct {
	mu     sync.Mutex
	opened []string
	block  chan struct{}
}

func (f *noticeTRecs) Toggle(string) error         { return nil }
func (f *noticeTRecs) State(string) RecordingState { return RecordingState{} }
func (f *noticeTRecs) List() ([]Clip, error)       { return nil, nil }
func (f *noticeTRecs) Open(path string) error {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened = append(f.opened, path)
	return nil
}

func (f *noticeTRecs) openedPaths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.opened)
}

// TestSnapshotNoticeIsNotModal: the tile's snapshot button confirms with a notice over
// the wall — no modal dialog, the wall keeps its keys — naming the file, whose "Show in
// folder" opens the snapshot's folder (issue 12, item 5).
func TestSnapshotNoticeIsNotModal(t *testing.T) {
	dir := t.TempDir()
	recs := &noticeTRecs{}
	r := newWallTRig(t, []capture.Source{liveSource(t, 10*time.Millisecond)}, capture.StreamOptions{}, "1x1",
		func(o *WallOptions) { o.SnapshotDir = dir; o.Recordings = recs })
	r.wall.Start()
	r.wall.Select(0)
	tile := r.wall.Tile("Cam 1")
	pumpUntil(t, r.q, "a picture", func() bool { return tile.Drawn() > 0 && renderer(tile).img.Visible() })
	tile.MouseIn(nil)
	test.Tap(renderer(tile).toolbar.snap)
	if top := r.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a snapshot opened a pop-up %T over the wall", top)
	}
	n := r.wall.chrome.notice
	pumpUntil(t, r.q, "the notice", n.Visible)
	path := n.path.Text
	if filepath.Dir(path) != dir {
		t.Fatalf("the notice says %q, want a file in %s", path, dir)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the notice names %q: %v", path, err)
	}
	if !strings.Contains(n.title.Text, "Cam 1") {
		t.Errorf("notice title %q does not name the camera", n.title.Text)
	}
	// Show in folder does not hold the wall while the opener waits (up to 2 s).
	recs.block = make(chan struct{})
	tapped := make(chan struct{})
	go func() {
		defer close(tapped)
		test.Tap(n.show)
	}()
	select {
	case <-tapped:
	case <-time.After(time.Second):
		t.Error("Show in folder waited for the opener on the UI goroutine")
	}
	close(recs.block)
	<-tapped
	pumpUntil(t, r.q, "the folder opened", func() bool {
		got := recs.openedPaths()
		return len(got) == 1 && got[0] == dir
	})
	// The window's Snapshot button confirms the same way.
	n.hide()
	btn := noticeTButton(r.win.Canvas().Content(), "Snapshot")
	if btn == nil {
		t.Fatal("no Snapshot button in the window's toolbar")
	}
	test.Tap(btn)
	pumpUntil(t, r.q, "the notice after the window's Snapshot", n.Visible)
	if top := r.win.Canvas().Overlays().Top(); top != nil || n.path.Text == path {
		t.Fatalf("window's Snapshot: pop-up %T, notice %q (first was %q)", top, n.path.Text, path)
	}

	// The wall still takes its keys: Space stops the selected tile.
	r.key(fyne.KeySpace)
	pumpUntil(t, r.q, "Space to stop the tile under the notice", func() bool { return !tile.Running() })
}

// noticeTButton finds the button with text in a tree of containers.
func noticeTButton(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := noticeTButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}
