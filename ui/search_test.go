package ui

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// searchFunc is a MotionSearcher over a function, recording what it was asked.
type searchFunc struct {
	mu    sync.Mutex
	asked []searchAsk
	f     func(ctx context.Context, ask searchAsk) ([]MotionHit, error)
}

type searchAsk struct {
	camera       string
	box          Box
	since, until time.Time
}

func (s *searchFunc) MotionSearch(ctx context.Context, camera string, box Box, since, until time.Time) ([]MotionHit, error) {
	a := searchAsk{camera, box, since, until}
	s.mu.Lock()
	s.asked = append(s.asked, a)
	s.mu.Unlock()
	return s.f(ctx, a)
}

// TestMotionSearchWindow: from the tile's menu, a box dragged on the picture (either
// way, beyond its edge) is the box searched, in picture coordinates through the
// letterbox; Search over the last hour asks for that hour and lists the hits; a typed
// range that does not parse, or ends before it starts, is refused with the reason; a
// failed search says why; closing the window cancels the search under way.
func TestMotionSearchWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 7, 30, 0, 0, time.Local)
	release, cancelled := make(chan struct{}), make(chan struct{})
	s := &searchFunc{f: func(ctx context.Context, a searchAsk) ([]MotionHit, error) {
		switch {
		case a.box.X0 > 0.5: // the box of the slow search
			select {
			case <-release:
			case <-ctx.Done():
				close(cancelled)
			}
			return nil, ctx.Err()
		case a.box.Y0 > 0.5:
			return nil, errors.New("the event store could not be read")
		}
		return []MotionHit{{Start: t0, End: t0.Add(1500 * time.Millisecond), Peak: 0.034},
			{Start: t0.Add(time.Minute), End: t0.Add(2 * time.Minute), Coarse: true}}, nil
	}}
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", func(o *WallOptions) { o.Search = s })
	r.wall.Start()
	tapMenuItem(t, r.win, r.wall.Tiles()[0], "Search motion…")
	if len(r.wall.searchOpen) != 1 {
		t.Fatal("no search window")
	}
	m := r.wall.searchOpen[0]
	pumpUntil(t, r.q, "the search's picture", func() bool { return m.tile.hasPicture && m.tile.buf != nil })
	c := m.win.Canvas()
	if !m.searchB.Disabled() {
		t.Error("Search enabled before a box was drawn")
	}
	drag := func(fx0, fy0, fx1, fy1 float64) {
		from, to := surfaceAt(m.surf, fx0, fy0), surfaceAt(m.surf, fx1, fy1)
		test.Drag(c, to, to.X-from.X, to.Y-from.Y)
	}
	// Dragged from bottom-right to top-left, ending on the bar above the picture.
	drag(0.6, 0.8, 0.2, -0.05)
	want := Box{X0: 0.2, Y0: 0, X1: 0.6, Y1: 0.8}
	got := m.surf.box
	if !m.surf.hasBox || math.Abs(got.X0-want.X0) > 0.01 || math.Abs(got.Y0-want.Y0) > 0.01 ||
		math.Abs(got.X1-want.X1) > 0.01 || math.Abs(got.Y1-want.Y1) > 0.01 || m.searchB.Disabled() {
		t.Fatalf("dragged box %+v (has %v), want %+v", got, m.surf.hasBox, want)
	}
	now := time.Now()
	test.Tap(m.searchB)
	pumpUntil(t, r.q, "the hits", func() bool { return len(m.hits) == 2 })
	a := s.asked[0]
	if a.camera != "Cam 1" || a.box != got || a.until.Before(now) || a.until.Sub(a.since) != time.Hour {
		t.Errorf("asked %+v", a)
	}
	texts := strings.Join(uitest.Texts(m.win.Content()), "\n")
	for _, w := range []string{"2026-12-02 07:30:00.0 – 07:30:01.5  1.5s  peak 3.4%", "2026-12-02 07:31:00  the minute (no recording of it)", "Something moved there 2 times"} {
		if !strings.Contains(texts, w) {
			t.Errorf("the window does not say %q:\n%s", w, texts)
		}
	}

	// A typed range.
	m.period.SetSelectedIndex(2)
	m.from.SetText("yesterday")
	test.Tap(m.searchB)
	if !strings.Contains(m.status.Text, "write the times as") || len(s.asked) != 1 {
		t.Errorf("a range that does not parse: %q (%d searches)", m.status.Text, len(s.asked))
	}
	m.from.SetText("2026-12-02 08:00:00")
	m.to.SetText("2026-12-02 07:00:00")
	test.Tap(m.searchB)
	if !strings.Contains(m.status.Text, "is not after the start") || len(s.asked) != 1 {
		t.Errorf("a range ending first: %q", m.status.Text)
	}
	m.from.SetText("2026-12-02 06:00:00")
	drag(0.1, 0.6, 0.3, 0.9)
	test.Tap(m.searchB)
	pumpUntil(t, r.q, "the failure", func() bool { return strings.HasPrefix(m.status.Text, "The search failed") })
	if a := s.asked[1]; !a.since.Equal(time.Date(2026, 12, 2, 6, 0, 0, 0, time.Local)) || !a.until.Equal(time.Date(2026, 12, 2, 7, 0, 0, 0, time.Local)) {
		t.Errorf("typed range asked as %v – %v", a.since, a.until)
	}

	// A slow search, cancelled by closing the window.
	drag(0.6, 0.1, 0.9, 0.4)
	test.Tap(m.searchB)
	pumpUntil(t, r.q, "the slow search asked", func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.asked) == 3 })
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !m.closed || len(r.wall.searchOpen) != 0 {
		t.Fatal("Esc did not close the search")
	}
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("closing the window did not cancel the search")
	}
}
