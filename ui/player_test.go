package ui

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/protocols/fmp4file"
	"github.com/vigil-cctv/vigil/protocols/fmp4file/fmp4filetest"
	"github.com/vigil-cctv/vigil/recorder"
)

// fileReview is Review over a recordings folder the real recorder wrote, played by the
// real file source and decoded by the test's JPEG decoders.
type fileReview struct {
	root string
	dec  *testDecoders
}

func (r *fileReview) Recorded(camera string, from, to time.Time) ([]Clip, error) {
	all, err := recorder.List(r.root)
	var out []Clip
	for _, c := range all {
		if c.Camera == camera && c.Start.Before(to) && c.Start.Add(c.Duration).After(from) {
			out = append(out, Clip(c))
		}
	}
	return out, err
}

func (r *fileReview) Review(camera string, from time.Time) (*capture.Stream, ReviewControl, error) {
	src := fmp4file.New(filepath.Join(r.root, camera), from, 1)
	src.Log = slog.New(slog.DiscardHandler)
	return capture.NewStream(camera, src, capture.StreamOptions{Decoders: r.dec.New, Logger: slog.New(slog.DiscardHandler)}), src, nil
}

const playerFPS = 10

// playerRig is a player over two M-JPEG recordings of 3 s, the second 7 s after the
// first ends: a gap.
type playerRig struct {
	t      *testing.T
	q      *uiQueue
	p      *player
	win    fyne.Window
	starts []time.Time
	pkts   []capture.Packet
}

// recordedCam makes a test app and a recordings root in which camera "cam" has a file
// of seconds of 192×112 M-JPEG at playerFPS starting at each of starts (by the
// recorder's writer), starts being t0 (now, to the second, once the packets are
// encoded: a recording may not start in the past) plus each of after; it returns the
// root, the starts and the file's packets. It skips t without ffmpeg.
func recordedCam(t *testing.T, seconds int, after ...time.Duration) (root string, starts []time.Time, pkts []capture.Packet) {
	t.Helper()
	if _, err := ffmpeg.Version(); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	test.NewTempApp(t)
	pkts, err := fmp4filetest.Units("jpeg", 192, 112, playerFPS, seconds)
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	t0 := time.Now().Truncate(time.Second)
	for _, d := range after {
		starts = append(starts, t0.Add(d))
		if err := fmp4filetest.Record(root, "cam", pkts, t0.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	return root, starts, pkts
}

func newPlayerRig(t *testing.T) *playerRig {
	t.Helper()
	root, starts, pkts := recordedCam(t, 3, 0, 10*time.Second)
	t0 := starts[0]
	r := &playerRig{t: t, q: &uiQueue{}, starts: starts, pkts: pkts}
	var err error
	r.p, err = newPlayer(&fileReview{root: root, dec: &testDecoders{}}, "cam", t0, r.q.Do)
	if err != nil {
		t.Fatal(err)
	}
	r.win = test.NewWindow(r.p.obj)
	r.win.Resize(fyne.NewSize(900, 600))
	t.Cleanup(func() {
		r.p.close(false)
		r.win.Close()
	})
	return r
}

// frame is when picture i of file f is shown.
func (r *playerRig) frame(f, i int) time.Time { return r.starts[f].Add(r.pkts[i].PTS) }

// shows waits for the picture at want.
func (r *playerRig) shows(what string, want time.Time) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.q.Run(); !r.p.shown.Equal(want); r.q.Run() {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: shows the picture at %v, want %v (status %+v)", what, r.p.shown.Sub(r.starts[0]), want.Sub(r.starts[0]), r.p.stream.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := r.p.pos.Text; got != want.Format("2006-01-02 15:04:05.000") {
		r.t.Errorf("%s: the position reads %q", what, got)
	}
	if at := r.p.tl.At(); !at.Equal(want) {
		r.t.Errorf("%s: the timeline's line at %v, want %v", what, at, want)
	}
}

// settled pumps until no new picture came for 300 ms and returns the one shown.
func (r *playerRig) settled() time.Time {
	r.t.Helper()
	last, since := r.p.shown, time.Now()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.q.Run()
		if !r.p.shown.Equal(last) {
			last, since = r.p.shown, time.Now()
		}
		if time.Since(since) > 300*time.Millisecond {
			return last
		}
	}
	r.t.Fatal("the pictures never settled")
	return time.Time{}
}

func (r *playerRig) button(label string) *widget.Button {
	r.t.Helper()
	var found *widget.Button
	walkAll(r.p.obj, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			found = b
		}
	})
	if found == nil {
		r.t.Fatalf("no %q button", label)
	}
	return found
}

// A recording plays from the time asked, pauses, steps picture by picture, jumps where
// the timeline is clicked or dragged, to a typed time, and by −1 m / +1 m from the
// position shown; playing on over a gap says so. Every picture is checked by the
// recorded time it carries.
func TestPlayerPlayPauseStepJump(t *testing.T) {
	r := newPlayerRig(t)
	p := r.p
	// It plays from the time asked: pictures of the first file, one after the other.
	pumpUntil(t, r.q, "a picture", func() bool { return !p.shown.IsZero() })
	first := p.shown
	if !first.Equal(r.nearest(first)) || first.After(r.frame(0, len(r.pkts)/2)) {
		t.Fatalf("the first picture shown is at %v", first.Sub(r.starts[0]))
	}
	pumpUntil(t, r.q, "playing", func() bool { return p.shown.After(first) })
	if !p.shown.Equal(r.nearest(p.shown)) {
		t.Fatalf("a picture at %v: none was recorded then", p.shown.Sub(r.starts[0]))
	}
	if len(p.tl.spans) != 2 || !p.tl.spans[0].to.Before(p.tl.spans[1].from) {
		t.Fatalf("the timeline's spans %v: want two with a gap", p.tl.spans)
	}
	if p.img.Image.Bounds().Dx() != 192 {
		t.Errorf("picture of %v", p.img.Image.Bounds())
	}

	test.Tap(p.playB) // pause
	if !p.ctl.Paused() || p.playB.Text != "Play" {
		t.Fatalf("pause: paused %v, button %q", p.ctl.Paused(), p.playB.Text)
	}
	held := r.settled()
	i := int(held.Sub(r.starts[0])/(time.Second/playerFPS)) - fmp4filetest.Lead
	for s := 1; s <= 3; s++ {
		test.Tap(p.stepB)
		r.shows("a step", r.frame(0, i+s))
	}

	// A click on the timeline, paused: the picture at that time, in the second file.
	p.zoom.SetSelected("1 min") // a minute across the timeline: a click aims at 0.1 s
	if span := p.tl.to.Sub(p.tl.from); span != time.Minute || !p.tl.from.Before(held) || !p.tl.to.After(held) {
		t.Fatalf("zoomed to %v around %v", span, held)
	}
	goal := r.starts[1].Add(1234 * time.Millisecond)
	asked := time.Now()
	x := p.tl.XOf(goal)
	test.TapAt(p.tl, fyne.NewPos(x, 20))
	want := r.nearest(p.tl.TimeAt(x))
	if want.Before(r.starts[1]) {
		t.Fatalf("the click maps to %v", p.tl.TimeAt(x))
	}
	r.shows("the picture clicked on", want)
	t.Logf("timeline click → picture shown: %v", time.Since(asked).Round(time.Millisecond))

	// A drag moves the line and jumps where it is let go.
	to := r.starts[0].Add(2 * time.Second)
	for _, x := range []float32{p.tl.XOf(want) - 5, p.tl.XOf(to)} {
		p.tl.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, 20)}})
	}
	p.tl.DragEnd()
	r.shows("the picture dragged to", r.nearest(p.tl.TimeAt(p.tl.XOf(to))))

	// A typed time of day, on the day shown.
	p.jump.SetText(r.starts[0].Add(1500 * time.Millisecond).Format("15:04:05"))
	p.jumpTo()
	r.shows("the picture typed", r.nearest(r.starts[0].Add(time.Second)))

	// −1 m from the position shown goes before the first recording: its first picture;
	// +1 m from there goes past the last: its last picture.
	test.Tap(r.button("−1m"))
	r.shows("−1 m", r.frame(0, 0))
	test.Tap(r.button("+1m"))
	r.shows("+1 m", r.frame(1, len(r.pkts)-1))

	// Playing on over the gap at 4×.
	p.seek(r.frame(0, 25))
	r.shows("near the end of the first file", r.frame(0, 25))
	p.speed.SetSelected("4×")
	test.Tap(p.playB)
	pumpUntil(t, r.q, "the second file", func() bool { return p.shown.After(r.starts[1]) })
	if !strings.Contains(p.notice.Text, "No recording from") {
		t.Errorf("after the gap the notice says %q", p.notice.Text)
	}
	if p.ctl.Paused() || p.playB.Text != "Pause" {
		t.Errorf("playing: paused %v, button %q", p.ctl.Paused(), p.playB.Text)
	}
}

// nearest is the picture shown at t: the last at or before it.
func (r *playerRig) nearest(t time.Time) time.Time {
	var best time.Time
	for f := range r.starts {
		for i := range r.pkts {
			if at := r.frame(f, i); !at.After(t) && at.After(best) {
				best = at
			}
		}
	}
	return best
}

// The timeline maps a click to the time under it and shows its spans with the gaps.
func TestTimelineTapAndDrag(t *testing.T) {
	test.NewTempApp(t)
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local)
	var got []time.Time
	tl := NewTimeline(func(at time.Time) { got = append(got, at) })
	w := test.NewWindow(tl)
	defer w.Close()
	w.Resize(fyne.NewSize(480+2*8, 60)) // padding on each side
	tl.Resize(fyne.NewSize(480, 44))
	tl.SetRange(day, day.AddDate(0, 0, 1), []timeSpan{{day.Add(time.Hour), day.Add(2 * time.Hour)}, {day.Add(12 * time.Hour), day.Add(13 * time.Hour)}})
	test.TapAt(tl, fyne.NewPos(240, 20))
	if len(got) != 1 || !got[0].Equal(day.Add(12*time.Hour)) {
		t.Fatalf("a click at the middle: %v", got)
	}
	tl.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(120, 20)}})
	tl.SetPosition(day) // a picture arriving mid-drag does not move the line
	if !tl.At().Equal(day.Add(6 * time.Hour)) {
		t.Errorf("while dragging the line is at %v", tl.At())
	}
	tl.DragEnd()
	if len(got) != 2 || !got[1].Equal(day.Add(6*time.Hour)) {
		t.Errorf("let go at a quarter: %v", got)
	}
	r := test.TempWidgetRenderer(t, tl).(*timelineRenderer)
	var shown int
	for _, s := range r.spans {
		if s.Visible() {
			shown++
		}
	}
	if shown != 2 || r.spans[0].Position().X != 20 || r.spans[0].Size().Width != 20 {
		t.Errorf("spans: %d shown, the first at %v size %v", shown, r.spans[0].Position(), r.spans[0].Size())
	}
}

// refusingReview has no recordings folder.
type refusingReview struct{ asked []string }

func (r *refusingReview) Recorded(string, time.Time, time.Time) ([]Clip, error) { return nil, nil }
func (r *refusingReview) Review(camera string, from time.Time) (*capture.Stream, ReviewControl, error) {
	r.asked = append(r.asked, camera)
	return nil, nil, errors.New("recording is off, so there are no recordings to review")
}

// A camera without a VMS gets "Review recordings" from its tile's playback button, and
// the recordings view a Play button for the clip selected; a refusal is shown.
func TestPlayerOpenedFromTileAndRecordings(t *testing.T) {
	rev := &refusingReview{}
	r := newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "1x1", func(o *WallOptions) { o.Review = rev })
	r.wall.Start()
	tile := r.wall.Tile("Cam 1")
	if tile.OnPlayback == nil || tile.PlaybackTip != "Review recordings" {
		t.Fatalf("no review button on a camera with Review (tooltip %q)", tile.PlaybackTip)
	}
	tile.OnPlayback(tile)
	pop := r.win.Canvas().Overlays().Top()
	var msg string
	walkAll(pop, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "recording is off") {
			msg = l.Text
		}
	})
	if len(rev.asked) != 1 || rev.asked[0] != "Cam 1" || msg == "" {
		t.Fatalf("asked %v, notice %q", rev.asked, msg)
	}

	clip := Clip{Camera: "Gate", Date: "2026-11-22", Path: "/r/Gate/2026-11-22/a.mp4", Start: time.Now()}
	var played []Clip
	v := newRecordingsView(func() ([]Clip, error) { return []Clip{clip}, nil }, nil, func(c Clip) error {
		played = append(played, c)
		return errors.New("no such folder")
	})
	if !v.playB.Disabled() {
		t.Error("Play enabled with nothing selected")
	}
	v.tree.Select(clip.Path)
	test.Tap(v.playB)
	if len(played) != 1 || played[0] != clip || !strings.Contains(v.status.Text, "no such folder") {
		t.Fatalf("played %v, status %q", played, v.status.Text)
	}
}

// At the end of the recordings the player says so, rather than leave a still picture
// unexplained; when the recording goes on, its pictures play and the end is said again
// once they run out.
func TestPlayerSaysTheEndOfTheRecordings(t *testing.T) {
	root, starts, pkts := recordedCam(t, 2, 0)
	q := &uiQueue{}
	p, err := newPlayer(&fileReview{root: root, dec: &testDecoders{}}, "cam", starts[0], q.Do)
	if err != nil {
		t.Fatal(err)
	}
	win := test.NewWindow(p.obj)
	defer win.Close()
	defer p.close(false)
	last := starts[0].Add(pkts[len(pkts)-1].PTS)
	pumpUntil(t, q, "the end said", func() bool { return p.notice.Text == endNotice })
	if !p.shown.Equal(last) {
		t.Errorf("at the end the picture shown is at %v, want the last (%v)", p.shown.Sub(starts[0]), last.Sub(starts[0]))
	}
	if p.ctl.Paused() || p.playB.Text != "Pause" {
		t.Errorf("at the end: paused %v, button %q (it goes on when the recording does)", p.ctl.Paused(), p.playB.Text)
	}

	// The camera is recorded again: the player goes on with it, then says the end again.
	next := time.Now().Truncate(time.Second).Add(time.Second)
	if err := fmp4filetest.Record(root, "cam", pkts, next); err != nil {
		t.Fatal(err)
	}
	pumpUntil(t, q, "the new recording", func() bool { return p.shown.After(next) })
	if p.notice.Text == endNotice {
		t.Errorf("playing the new recording, the notice still says the end")
	}
	pumpUntil(t, q, "the end said again", func() bool { return p.notice.Text == endNotice })
	if want := next.Add(pkts[len(pkts)-1].PTS); !p.shown.Equal(want) {
		t.Errorf("at the end the picture shown is at %v, want %v", p.shown, want)
	}

	// A jump past the end stays at the end, and says so still; a jump back into the
	// recordings takes the notice back once pictures come again.
	p.seek(p.shown.Add(time.Minute))
	deadline := time.Now().Add(time.Second)
	for q.Run(); time.Now().Before(deadline); q.Run() {
		time.Sleep(10 * time.Millisecond)
	}
	if p.notice.Text != endNotice {
		t.Errorf("after a jump past the end the notice says %q", p.notice.Text)
	}
	p.seek(next)
	pumpUntil(t, q, "the end taken back", func() bool { return p.notice.Text == "" })
}
