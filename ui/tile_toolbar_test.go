package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// TestTileToolbarTargetsTooltipsRecordLive: the hover toolbar's buttons grow with the
// tile (32 px on a big tile, at least 20 on a 4×4 wall's), each says what it does in a
// tooltip under the pointer, record is a red dot, and playback has a "LIVE" control that
// goes back to live (issue 12, item 7).
func TestTileToolbarTargetsTooltipsRecordLive(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		size     fyne.Size
		min, max float32
	}{
		{fyne.NewSize(1280, 720), 28, 32},
		{fyne.NewSize(240, 135), 20, 24},
	} {
		dec := &testDecoders{}
		r := newTileTRig(t, tc.size, tileTStream(t, "Cam 1", liveSource(t, 10*time.Millisecond), dec))
		live := 0
		r.tile.OnRecord = func(*Tile) {}
		r.tile.OnPlayback = func(*Tile) {}
		r.tile.OnLive = func(*Tile) { live++ }
		r.tile.Start()
		pumpUntil(t, r.q, "a picture", func() bool { return renderer(r.tile).img.Visible() })
		c := r.win.Canvas()
		test.MoveMouse(c, fyne.NewPos(tc.size.Width/2, tc.size.Height/2))
		rd := renderer(r.tile)
		if !rd.toolbar.Visible() {
			t.Fatal("no toolbar while hovering")
		}
		for _, b := range rd.toolbar.buttons() {
			if s := b.Size(); s.Height < tc.min || s.Height > tc.max || s.Width < tc.min {
				t.Errorf("tile %v: button %q is %v, want %v–%v px", tc.size, b.label, s, tc.min, tc.max)
			}
		}
		if p := rd.toolbar.Position(); p.X < 0 || p.X+rd.toolbar.Size().Width > tc.size.Width {
			t.Errorf("tile %v: toolbar at %v size %v does not fit", tc.size, p, rd.toolbar.Size())
		}

		// Tooltips: over a button, what it does; elsewhere nothing.
		over := func(b *tileButton) {
			p := rd.toolbar.Position().Add(b.Position()).Add(fyne.NewPos(b.Size().Width/2, b.Size().Height/2))
			r.tile.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p}})
		}
		over(rd.toolbar.snap)
		rd = renderer(r.tile)
		if r.tile.Tooltip() != "Snapshot" || !rd.tipText.Visible() || rd.tipText.Text != "Snapshot" {
			t.Errorf("tile %v: tooltip over snapshot %q (shown %v %q)", tc.size, r.tile.Tooltip(), rd.tipText.Visible(), rd.tipText.Text)
		}
		if tp := rd.tipText.Position(); tp.Y < rd.toolbar.Position().Y+rd.toolbar.Size().Height || tp.X < 0 ||
			tp.X+rd.tipText.Size().Width > tc.size.Width {
			t.Errorf("tile %v: tooltip at %v, want under the toolbar inside the tile", tc.size, tp)
		}
		over(rd.toolbar.rec)
		if r.tile.Tooltip() != "Record" {
			t.Errorf("tooltip over record %q", r.tile.Tooltip())
		}
		r.tile.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(tc.size.Width/2, tc.size.Height/2)}})
		if r.tile.Tooltip() != "" || renderer(r.tile).tipText.Visible() {
			t.Errorf("tooltip %q away from the toolbar", r.tile.Tooltip())
		}

		// Record is a red dot.
		if px := r.pixelOfObj(rd.toolbar.rec); px.R < 150 || px.G > 120 || px.B > 120 {
			t.Errorf("tile %v: record button's centre is %v, want red", tc.size, px)
		}

		// Playback: a LIVE control that goes back to live.
		r.tile.SetPlayback(1)
		r.tile.Refresh()
		rd = renderer(r.tile)
		if rd.toolbar.pb.Text() != "LIVE" || rd.toolbar.pb.label != "Back to live" {
			t.Errorf("playback control shows %q (%q), want LIVE", rd.toolbar.pb.Text(), rd.toolbar.pb.label)
		}
		pill := rd.toolbar.pb.pill
		pp := fyne.CurrentApp().Driver().AbsolutePositionForObject(pill).Add(fyne.NewPos(2, pill.Size().Height/2))
		sc := c.Scale()
		if px := rgba(c.Capture().At(int(pp.X*sc), int(pp.Y*sc))); px.R < 150 || px.G > 120 {
			t.Errorf("LIVE pill %v, want red", px)
		}
		test.Tap(rd.toolbar.pb)
		if live != 1 {
			t.Errorf("LIVE pressed: OnLive called %d times", live)
		}
		r.tile.SetPlayback(0)
		r.tile.Refresh()
		if rd.toolbar.pb.Text() != "" {
			t.Errorf("live again, the control still says %q", rd.toolbar.pb.Text())
		}
	}
}
