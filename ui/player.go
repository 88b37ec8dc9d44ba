package ui

import (
	"fmt"
	"image"
	"image/draw"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// The player reviews one camera's own recordings in a window of its own, as Milestone
// Smart Client's playback tab and Blue Iris's clip viewer do: the wall stays live while
// the operator reviews (which is why not in the tile), and the window is wide enough for
// a day's timeline to be aimed at the minute, which a tile of a 4×4 wall is not.

// reviewSpeeds are the speeds offered, slowest first.
var reviewSpeeds = []struct {
	label string
	speed float64
}{{"¼×", 0.25}, {"½×", 0.5}, {"1×", 1}, {"2×", 2}, {"4×", 4}, {"8×", 8}, {"16×", 16}}

// reviewJumps are the buttons that step from the position shown.
var reviewJumps = []time.Duration{-time.Hour, -10 * time.Minute, -time.Minute, time.Minute, 10 * time.Minute, time.Hour}

// gapNotice is the jump in the pictures' recorded times, while playing forward, shown as
// a gap skipped: 2 s, or 6 s from 8× on (key frames only, a few seconds apart).
func gapNotice(speed float64) time.Duration {
	if speed >= 8 {
		return 6 * time.Second
	}
	return 2 * time.Second
}

// player is the review window's content: the picture, the day's timeline and the
// controls. Frames arrive on its own goroutine and reach the UI through post.
type player struct {
	rev    Review
	camera string
	stream *capture.Stream
	ctl    ReviewControl
	sub    *capture.FrameSub
	post   func(func())

	img    *canvas.Image
	tl     *Timeline
	pos    *widget.Label
	notice *widget.Label
	playB  *widget.Button
	stepB  *widget.Button
	speed  *widget.Select
	jump   *widget.Entry
	obj    fyne.CanvasObject

	shown    time.Time // the recorded time of the picture shown
	sought   time.Time // the last time jumped to, until a picture of it shows
	atEnd    bool      // the end of the recordings is said (UI goroutine)
	dayStart time.Time // the day whose recordings are listed
	daySpans []timeSpan
	span     time.Duration // the timeline's range, 0: the day
	zoom     *widget.Select

	mu      sync.Mutex
	next    *image.RGBA // the newest picture not yet drawn
	nextAt  time.Time
	pending bool // a post is on its way
	stop    chan struct{}
	done    chan struct{}
}

// newPlayer opens camera's recordings from from and builds the player (on the UI
// goroutine); post hands the frame goroutine's draws to it (fyne.Do).
func newPlayer(rev Review, camera string, from time.Time, post func(func())) (*player, error) {
	st, ctl, err := rev.Review(camera, from)
	if err != nil {
		return nil, err
	}
	p := &player{rev: rev, camera: camera, stream: st, ctl: ctl, post: post, sought: from,
		stop: make(chan struct{}), done: make(chan struct{})}
	p.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 16, 9)))
	p.img.FillMode = canvas.ImageFillContain
	p.img.ScaleMode = canvas.ImageScaleFastest
	p.tl = NewTimeline(p.seek)
	p.pos = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.notice = wrapLabel("")
	p.playB = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), p.togglePause)
	p.stepB = widget.NewButtonWithIcon("Step", theme.MediaSkipNextIcon(), p.step)
	var labels []string
	for _, s := range reviewSpeeds {
		labels = append(labels, s.label)
	}
	p.speed = widget.NewSelect(labels, func(l string) {
		for _, s := range reviewSpeeds {
			if s.label == l {
				p.ctl.SetSpeed(s.speed)
			}
		}
	})
	p.speed.SetSelected("1×")
	p.jump = widget.NewEntry()
	const jumpHint = "15:04:05 or 2006-01-02 15:04"
	p.jump.SetPlaceHolder(jumpHint)
	// Wide enough for the hint in full: it is the only place the accepted forms are said.
	jumpW := fyne.MeasureText(jumpHint, theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding() + theme.Padding()
	p.jump.OnSubmitted = func(string) { p.jumpTo() }
	jumps := container.NewHBox()
	for _, d := range reviewJumps {
		label := "+" + shortDuration(d)
		if d < 0 {
			label = "−" + shortDuration(-d)
		}
		jumps.Add(widget.NewButton(label, func() { p.seek(p.position().Add(d)) }))
	}
	controls := container.NewHBox(p.playB, p.stepB, p.speed, jumps, layoutSpacer(),
		container.NewGridWrap(fyne.NewSize(jumpW, p.jump.MinSize().Height), p.jump), widget.NewButton("Go", p.jumpTo))
	title := widget.NewLabelWithStyle(camera, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bottom := container.NewVBox(p.tl, controls, p.notice)
	p.obj = container.NewBorder(container.NewHBox(title, layoutSpacer(), p.pos), bottom, nil, nil, p.img)
	var zooms []string
	for _, z := range reviewZooms {
		zooms = append(zooms, z.label)
	}
	p.zoom = widget.NewSelect(zooms, p.setZoom)
	p.zoom.SetSelected("10 min")
	controls.Add(p.zoom)
	p.showPosition(from)
	p.sub = st.Watch(0, 0)
	go p.frames()
	return p, nil
}

// position is where the jumps step from: the picture shown, or the time last jumped to
// while its picture is on its way.
func (p *player) position() time.Time {
	if !p.sought.IsZero() {
		return p.sought
	}
	return p.shown
}

// frames copies each picture to show into a buffer of its own and hands the newest to
// the UI goroutine, at most one picture's post at a time (latest wins); with a source
// that reports the end of the recordings, it also posts when that end is reached or left.
func (p *player) frames() {
	defer close(p.done)
	var endC <-chan time.Time // nil: the source cannot say
	ender, _ := p.ctl.(capture.EndReporter)
	if ender != nil {
		tick := time.NewTicker(endPoll)
		defer tick.Stop()
		endC = tick.C
	}
	var endSince time.Time // when the end of the recordings was reached, zero: not there
	said := false
	for {
		select {
		case <-p.stop:
			return
		case now := <-endC:
			if !ender.AtEnd() {
				endSince = time.Time{}
			} else if endSince.IsZero() {
				endSince = now
			}
			// Following a recording being written, the end is reached between its
			// fragments (a second apart): only an end that lasts is said.
			if atEnd := !endSince.IsZero() && now.Sub(endSince) >= endHold; atEnd != said {
				said = atEnd
				p.post(func() { p.showEnd(atEnd) })
			}
			continue
		case <-p.sub.Ready():
		}
		f := p.sub.Take()
		if f == nil {
			continue
		}
		if f.SourceTime.IsZero() { // decoded only to reach a sought picture
			f.Release()
			continue
		}
		img := image.NewRGBA(f.Image.Rect)
		draw.Draw(img, img.Rect, f.Image, f.Image.Rect.Min, draw.Src)
		at := f.SourceTime
		f.Release()
		p.mu.Lock()
		p.next, p.nextAt = img, at
		post := !p.pending
		p.pending = true
		p.mu.Unlock()
		if post {
			p.post(p.draw)
		}
	}
}

// endPoll is how often the player asks whether the end of the recordings was reached,
// endHold how long it must last to be said.
const (
	endPoll = 250 * time.Millisecond
	endHold = 3 * time.Second
)

// endNotice is the notice while the newest recorded picture is shown: a still picture
// is then not a stalled player.
const endNotice = "End of the recordings: newer pictures show here as they are recorded."

// showEnd says that the end of the recordings was reached, or takes it back (UI
// goroutine).
func (p *player) showEnd(atEnd bool) {
	p.atEnd = atEnd
	switch {
	case atEnd:
		p.notice.SetText(endNotice)
	case p.notice.Text == endNotice:
		p.notice.SetText("")
	}
}

// draw shows the newest picture (UI goroutine).
func (p *player) draw() {
	p.mu.Lock()
	img, at := p.next, p.nextAt
	p.next, p.pending = nil, false
	p.mu.Unlock()
	if img == nil {
		return
	}
	prev := p.shown
	p.img.Image = img
	p.img.Refresh()
	p.shown = at
	if !p.sought.IsZero() {
		p.sought = time.Time{}
	} else if !prev.IsZero() && at.Sub(prev) > gapNotice(p.speedValue()) {
		p.notice.SetText(fmt.Sprintf("No recording from %s to %s: skipped.", prev.Format(time.TimeOnly), at.Format(time.TimeOnly)))
	}
	p.showPosition(at)
}

func (p *player) speedValue() float64 {
	for _, s := range reviewSpeeds {
		if s.label == p.speed.Selected {
			return s.speed
		}
	}
	return 1
}

// showPosition moves the timeline's line and the time shown, moving the timeline's
// range when t leaves it.
func (p *player) showPosition(t time.Time) {
	if t.IsZero() {
		return
	}
	p.showRange(t)
	p.tl.SetPosition(t)
	p.pos.SetText(t.Format("2006-01-02 15:04:05.000"))
}

// reviewZooms are the timeline's ranges: a day, or a window around the position.
var reviewZooms = []struct {
	label string
	span  time.Duration // 0: the local day
}{{"Day", 0}, {"1 h", time.Hour}, {"10 min", 10 * time.Minute}, {"1 min", time.Minute}}

// showRange puts the range around t on the timeline: t's local day, or the zoom's
// window centred on t once t leaves its middle 80 %, with the camera's recordings in
// it (listed once per day).
func (p *player) showRange(t time.Time) {
	lt := t.Local()
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.Local)
	if !day.Equal(p.dayStart) {
		p.dayStart = day
		clips, err := p.rev.Recorded(p.camera, day, day.AddDate(0, 0, 1))
		switch {
		case err != nil:
			p.notice.SetText("Could not list the recordings: " + err.Error())
		case len(clips) == 0:
			p.notice.SetText("No recordings of " + p.camera + " on " + day.Format(time.DateOnly) + ".")
		}
		p.daySpans = p.daySpans[:0]
		for _, c := range clips {
			p.daySpans = append(p.daySpans, timeSpan{from: c.Start, to: c.Start.Add(c.Duration)})
		}
		p.tl.from = time.Time{} // force a new range
	}
	from, to := day, day.AddDate(0, 0, 1)
	if p.span > 0 {
		margin := p.span / 10
		if !p.tl.from.IsZero() && p.tl.to.Sub(p.tl.from) == p.span && t.After(p.tl.from.Add(margin)) && t.Before(p.tl.to.Add(-margin)) {
			return
		}
		from = t.Add(-p.span / 2)
		to = from.Add(p.span)
	} else if p.tl.from.Equal(from) && p.tl.to.Equal(to) {
		return
	}
	p.tl.SetRange(from, to, p.daySpans)
}

// setZoom changes the timeline's range around the position.
func (p *player) setZoom(label string) {
	for _, z := range reviewZooms {
		if z.label == label {
			p.span = z.span
		}
	}
	p.tl.from = time.Time{}
	if at := p.position(); !at.IsZero() {
		p.showRange(at)
	}
}

// seek jumps to t (timeline, jumps, the entry).
func (p *player) seek(t time.Time) {
	p.sought = t
	if p.atEnd { // until pictures come again, the end stays said
		p.notice.SetText(endNotice)
	} else {
		p.notice.SetText("")
	}
	p.ctl.Seek(t)
	p.showPosition(t)
}

// jumpTo reads the entry: a date and time, or a time of day on the day shown.
func (p *player) jumpTo() {
	ref := p.dayStart.AddDate(0, 0, 1).Add(-time.Second)
	t, err := parsePlaybackTime(p.jump.Text, ref)
	if err != nil {
		p.notice.SetText(err.Error())
		return
	}
	p.seek(t)
}

func (p *player) togglePause() {
	if p.ctl.Paused() {
		p.ctl.Resume()
	} else {
		p.ctl.Pause()
	}
	p.updateButtons()
}

// step pauses and shows the next picture.
func (p *player) step() {
	if !p.ctl.Paused() {
		p.ctl.Pause()
		p.updateButtons()
		return // pausing holds the picture shown; the next press steps
	}
	p.ctl.Step()
}

func (p *player) updateButtons() {
	if p.ctl.Paused() {
		p.playB.SetText("Play")
		p.playB.SetIcon(theme.MediaPlayIcon())
	} else {
		p.playB.SetText("Pause")
		p.playB.SetIcon(theme.MediaPauseIcon())
	}
}

// close stops the frame goroutine and closes the stream (Close waits for its
// goroutines: off the UI goroutine when async).
func (p *player) close(async bool) {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	p.sub.Close()
	<-p.done
	if async {
		go p.stream.Close()
	} else {
		p.stream.Close()
	}
}

// showPlayer opens the player window for a camera's recordings from a time.
func (w *Wall) showPlayer(camera string, from time.Time) error {
	if w.opts.Review == nil {
		return fmt.Errorf("reviewing recordings is not available here")
	}
	return ShowPlayer(w.opts.Review, camera, from)
}

// ShowPlayer opens a player window of the current app for a camera's recordings from a
// time (UI goroutine).
func ShowPlayer(rev Review, camera string, from time.Time) error {
	_, err := openPlayer(rev, camera, from, fyne.Do)
	return err
}

// openPlayer opens a player window; post hands its draws to the UI goroutine.
func openPlayer(rev Review, camera string, from time.Time, post func(func())) (*player, error) {
	p, err := newPlayer(rev, camera, from, post)
	if err != nil {
		return nil, err
	}
	win := fyne.CurrentApp().NewWindow("Vigil — " + camera + " — recordings")
	win.SetContent(p.obj)
	win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			win.Close()
		case fyne.KeySpace:
			p.togglePause()
		case fyne.KeyRight:
			p.step()
		}
	})
	win.SetOnClosed(func() { p.close(true) })
	win.Resize(fyne.NewSize(960, 640))
	win.Show()
	return p, nil
}

// reviewStart is where a camera's review starts: the last ten minutes, as a guard looking
// back at what just happened.
func reviewStart(now time.Time) time.Time { return now.Add(-10 * time.Minute) }
