package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

func TestParsePlaybackTime(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, loc)
	for in, want := range map[string]time.Time{
		"2026-11-21 23:59:58": time.Date(2026, 11, 21, 23, 59, 58, 0, loc),
		" 2026-11-22 09:00 ":  time.Date(2026, 11, 22, 9, 0, 0, 0, loc),
		"10:00":               time.Date(2026, 11, 22, 10, 0, 0, 0, loc),
		"11:00:05":            time.Date(2026, 11, 21, 11, 0, 5, 0, loc), // still to come today: yesterday
	} {
		got, err := parsePlaybackTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q → %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parsePlaybackTime("yesterday-ish", now); err == nil || !strings.Contains(err.Error(), "2026-11-22 10:30:00") {
		t.Errorf("bad time: %v", err)
	}
}

// A tile plays recorded video from the picked time at the picked speed, shows a PLAYBACK
// badge with the recorded time of the picture, and goes back to live, closing the
// playback stream.
func TestWallTPlaybackAndBackToLive(t *testing.T) {
	rec := time.Date(2026, 11, 21, 14, 3, 0, 0, time.Local)
	var asked []string
	var pbStreams []*capture.Stream
	//lint:ignore S1021 the option callback below refers to r, so it is declared first
	var r *wallTRig
	r = newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		play := func(name string, from time.Time, speed float64) (*capture.Stream, error) {
			asked = append(asked, fmt.Sprintf("%s %s ×%g", name, from.Format(playbackLayout), speed))
			if speed == 16 {
				return nil, errors.New("the recorder refuses 16×")
			}
			d := &testDecoders{}
			s := capture.NewStream(name, &jpegSource{Frames: jpegFrames(t), Count: -1, Every: 20 * time.Millisecond, Hold: true, Recorded: from},
				capture.StreamOptions{Decoders: d.New, Logger: slog.New(slog.DiscardHandler)})
			pbStreams = append(pbStreams, s)
			return s, nil
		}
		o.Playback = testPlayback{can: func(name string) bool { return name == "Cam 1" }, play: play}
	})
	r.wall.Start()
	tile := r.wall.Tile("Cam 1")
	live := tile.Stream()
	if tile.OnPlayback == nil || r.wall.Tile("Cam 2").OnPlayback != nil {
		t.Fatal("playback offered to the wrong cameras")
	}
	tile.OnPlayback(tile)
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no picker")
	}
	var play bool
	walkAll(pop, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Play" {
			play = true
		}
	})
	if !play {
		t.Fatal("the picker has no Play button")
	}
	r.win.Canvas().Overlays().Remove(pop)

	// Drive the wall directly, as the picker's Play button does.
	if err := r.wall.startPlayback(tile, rec, 16); err == nil || tile.Playback() != 0 || tile.Stream() != live {
		t.Fatalf("a refused playback changed the tile: err %v", err)
	}
	if err := r.wall.startPlayback(tile, rec, 4); err != nil {
		t.Fatal(err)
	}
	if tile.Stream() == live || tile.Playback() != 4 {
		t.Fatal("the tile is not playing back")
	}
	pumpUntil(t, r.q, "recorded pictures", func() bool { return tile.Drawn() >= 3 && !tile.lastSource.IsZero() })
	rd := renderer(tile)
	if txt := rd.fbText.Text; !strings.HasPrefix(txt, "PLAYBACK ×4  2026-11-21 14:03:") || !rd.fbText.Visible() {
		t.Fatalf("badge %q (visible %v)", txt, rd.fbText.Visible())
	}
	// The camera list being rebuilt keeps the tile in playback.
	r.wall.SetCameras(r.streams)
	if r.wall.Tile("Cam 1") != tile || tile.Playback() != 4 {
		t.Fatal("SetCameras replaced a tile in playback")
	}
	r.wall.backToLive(tile)
	if tile.Stream() != live || tile.Playback() != 0 || rd.fbText.Visible() {
		t.Fatal("not back to live")
	}
	r.wall.closing.Wait()
	if st := pbStreams[0].Status().State; st != capture.StateStopped {
		t.Fatalf("playback stream still %v after going back to live", st)
	}
	if len(asked) != 2 || !strings.HasPrefix(asked[1], "Cam 1 2026-11-21 14:03:00") {
		t.Fatalf("asked %q", asked)
	}
}

func TestTileRecordingBadge(t *testing.T) {
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", nil)
	tile := r.wall.Tile("Cam 1")
	tile.OnRecord = func(*Tile) {}
	rd := renderer(tile)
	if rd.recText.Visible() {
		t.Fatal("REC badge without a recording")
	}
	tile.now = func() time.Time { return time.Date(2026, 1, 1, 12, 1, 5, 0, time.UTC) }
	tile.SetRecording(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), nil)
	if rd.recText.Text != "● REC 01:05" || !rd.recText.Visible() {
		t.Fatalf("badge %q", rd.recText.Text)
	}
	if got := recBadge(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), nil, time.Date(2026, 1, 1, 12, 1, 5, 0, time.UTC)); got != "● REC 2:01:05" {
		t.Fatalf("long badge %q", got)
	}
	tile.SetRecording(time.Time{}, errors.New("disk full"))
	if rd.recText.Text != "REC FAILED" {
		t.Fatalf("failed badge %q", rd.recText.Text)
	}
	tile.SetRecording(time.Time{}, nil)
	if rd.recText.Visible() {
		t.Fatal("REC badge after stopping")
	}
}

// While a tile plays back, a right-click reopens the picker at the recorded time shown,
// its timeline marks it, and "−1h" steps an hour back from there, not from now.
func TestPlaybackPickerStepsFromPositionShown(t *testing.T) {
	rec := time.Date(2026, 11, 21, 14, 3, 0, 0, time.Local)
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", func(o *WallOptions) {
		o.Playback = testPlayback{can: func(string) bool { return true }, play: func(name string, from time.Time, speed float64) (*capture.Stream, error) {
			d := &testDecoders{}
			return capture.NewStream(name, &jpegSource{Frames: jpegFrames(t), Count: -1, Every: 20 * time.Millisecond, Hold: true, Recorded: from},
				capture.StreamOptions{Decoders: d.New, Logger: slog.New(slog.DiscardHandler)}), nil
		}}
	})
	r.wall.Start()
	tile := r.wall.Tile("Cam 1")
	if err := r.wall.startPlayback(tile, rec, 1); err != nil {
		t.Fatal(err)
	}
	pumpUntil(t, r.q, "recorded pictures", func() bool { return !tile.lastSource.IsZero() })
	shown := tile.lastSource
	tile.TappedSecondary(&fyne.PointEvent{})
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no picker")
	}
	var entry *widget.Entry
	var back *widget.Button
	var tl *Timeline
	walkAll(pop, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Entry:
			entry = o
		case *widget.Button:
			if o.Text == "−1h" {
				back = o
			}
		case *Timeline:
			tl = o
		}
	})
	if entry == nil || back == nil || tl == nil {
		t.Fatal("the picker lacks its field, −1h or its timeline")
	}
	if entry.Text != shown.Format(playbackLayout) || !tl.At().Equal(shown) {
		t.Fatalf("the picker opens at %q (timeline %v), the tile shows %v", entry.Text, tl.At(), shown)
	}
	test.Tap(back)
	if want := shown.Add(-time.Hour).Format(playbackLayout); entry.Text != want {
		t.Fatalf("−1h gives %q, want %q", entry.Text, want)
	}
	day := time.Date(2026, 11, 21, 0, 0, 0, 0, time.Local)
	test.TapAt(tl, fyne.NewPos(tl.XOf(day.Add(9*time.Hour+30*time.Minute)), 20))
	if got, _ := parsePlaybackTime(entry.Text, time.Now()); got.Sub(day.Add(9*time.Hour+30*time.Minute)).Abs() > 5*time.Minute {
		t.Fatalf("a click at 09:30 gives %q", entry.Text)
	}
	r.win.Canvas().Overlays().Remove(pop)
	r.wall.backToLive(tile)
	r.wall.closing.Wait()
}

// spansPlayback is a Playback whose cameras also list recorded spans: two on the day
// asked first, a failure on any other.
type spansPlayback struct {
	testPlayback
	mu    sync.Mutex
	asked []time.Time
}

func (p *spansPlayback) RecordingLister(camera string) capture.RecordingLister {
	if camera != "Cam 1" {
		return nil
	}
	return p
}

func (p *spansPlayback) RecordedSpans(_ context.Context, from, to time.Time) ([]capture.TimeSpan, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, from)
	if to.Sub(from) < 23*time.Hour {
		return nil, fmt.Errorf("asked for %v–%v", from, to)
	}
	spans := []capture.TimeSpan{{From: from.Add(time.Hour), To: from.Add(2 * time.Hour)}, {From: from.Add(5 * time.Hour), To: from.Add(6 * time.Hour)}}
	switch len(p.asked) {
	case 1:
		return spans, nil
	case 3: // more recorded than listed
		return spans, &capture.PartialSpans{Until: from.Add(6 * time.Hour), Limit: 20000}
	}
	return nil, errors.New("the recorder refused\x1b[31m: token expired")
}

// The picker's timeline shows the day's recorded spans as the Playback lists them, off
// the UI goroutine; a day it cannot list says why, cleaned, with an empty timeline; a
// day listed in part is drawn as listed, and the note says up to when.
func TestPlaybackPickerShowsRecordedSpans(t *testing.T) {
	pb := &spansPlayback{testPlayback: testPlayback{can: func(string) bool { return true }, play: func(string, time.Time, float64) (*capture.Stream, error) {
		return nil, errors.New("not in this test")
	}}}
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", func(o *WallOptions) { o.Playback = pb })
	r.wall.Start()
	tile := r.wall.Tile("Cam 1")
	tile.OnPlayback(tile)
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no picker")
	}
	var tl *Timeline
	var back *widget.Button
	var note *widget.Label
	walkAll(pop, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *Timeline:
			tl = o
		case *widget.Button:
			if o.Text == "−1d" {
				back = o
			}
		case *widget.Label:
			if o.Importance == widget.LowImportance {
				note = o
			}
		}
	})
	if tl == nil || back == nil || note == nil {
		t.Fatal("the picker lacks its timeline, −1d or its note")
	}
	pumpUntil(t, r.q, "the day's spans", func() bool { return len(tl.spans) == 2 })
	if day := tl.from; !tl.spans[0].from.Equal(day.Add(time.Hour)) || !tl.spans[1].to.Equal(day.Add(6*time.Hour)) || note.Text != "2 h 00 min recorded on "+day.Format(time.DateOnly)+", in 2 spans." {
		t.Errorf("spans %v on %v, note %q shown %v", tl.spans, day, note.Text, note.Visible())
	}
	test.Tap(back)
	pumpUntil(t, r.q, "the failure said", func() bool { return strings.HasPrefix(note.Text, "Could not list") })
	if len(tl.spans) != 0 || strings.ContainsRune(note.Text, '\x1b') || !strings.Contains(note.Text, "token expired") {
		t.Errorf("after a failure: spans %v, note %q", tl.spans, note.Text)
	}
	pb.mu.Lock()
	if len(pb.asked) != 2 || !pb.asked[1].Equal(pb.asked[0].AddDate(0, 0, -1)) {
		t.Errorf("days asked %v", pb.asked)
	}
	pb.mu.Unlock()
	// Days stepped through quickly: only the one the picker stays on is listed.
	test.Tap(back)
	test.Tap(back)
	pumpUntil(t, r.q, "the last day listed", func() bool { pb.mu.Lock(); defer pb.mu.Unlock(); return len(pb.asked) == 3 })
	time.Sleep(2 * spansSettle)
	pb.mu.Lock()
	if len(pb.asked) != 3 || !pb.asked[2].Equal(pb.asked[0].AddDate(0, 0, -3)) {
		t.Errorf("after two quick steps the days asked %v", pb.asked)
	}
	pb.mu.Unlock()
	// A recorder holding more than is listed: the spans listed are drawn, and the note
	// says up to when.
	pumpUntil(t, r.q, "the partial listing said", func() bool { return strings.Contains(note.Text, "up to 06:00") })
	if len(tl.spans) != 2 || !strings.HasPrefix(note.Text, "2 h 00 min recorded on "+pb.asked[2].Format(time.DateOnly)+" up to 06:00, in 2 spans;") ||
		!strings.Contains(note.Text, "more sequences than Vigil lists") {
		t.Errorf("partial: spans %v, note %q", tl.spans, note.Text)
	}
	r.win.Canvas().Overlays().Remove(pop)
}
