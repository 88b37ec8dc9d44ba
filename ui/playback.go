package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// playbackSpeeds are the speeds offered, as labels and values.
var playbackSpeeds = []struct {
	label string
	speed float64
}{{"1×", 1}, {"2×", 2}, {"4×", 4}, {"8×", 8}, {"16×", 16}}

// playbackLayout is how the picker reads and writes a time (local time).
const playbackLayout = "2006-01-02 15:04:05"

// parsePlaybackTime reads a local time as typed: a full date and time, or only a time of
// day (today, or yesterday when that is still to come).
func parsePlaybackTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{playbackLayout, "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if c, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			t := time.Date(now.Year(), now.Month(), now.Day(), c.Hour(), c.Minute(), c.Second(), 0, now.Location())
			if t.After(now) {
				t = t.AddDate(0, 0, -1)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: write it as %s, or just 15:04", s, now.Format(playbackLayout))
}

// playbackPicker is the small dialog that asks where to start playing recorded video:
// a time (typed, stepped, or clicked on the day's timeline) and a speed.
type playbackPicker struct {
	pop   *widget.PopUp
	when  *widget.Entry
	speed *widget.RadioGroup
	err   *widget.Label
	play  *widget.Button
	tl    *Timeline
}

// showPlaybackPicker asks for a start time and a speed over win, starting at shown (the
// recorded time on the tile while it plays back; zero: five minutes ago). The steps
// (−1 d … +1 h) move from the time in the field, which is the position shown until the
// user changes it, never from now. onPlay gets the choice and returns an error to show
// (the picker then stays open).
func showPlaybackPicker(win fyne.Window, camera string, now, shown time.Time, onPlay func(from time.Time, speed float64) error) *playbackPicker {
	p := &playbackPicker{}
	// Esc closes the picker, also typed in its time field (which has the focus); Enter
	// plays.
	closePicker := func() {
		p.pop.Hide()
		unregisterPopKeys(p.pop)
	}
	if shown.IsZero() {
		shown = now.Add(-5 * time.Minute)
	}
	when := newDialogEntry(closePicker)
	p.when = &when.Entry
	p.tl = NewTimeline(func(t time.Time) { p.set(t.Truncate(time.Second)) })
	p.when.OnChanged = func(text string) {
		if t, err := parsePlaybackTime(text, now); err == nil {
			p.showDay(t)
		}
	}
	p.set(shown)
	var labels []string
	for _, s := range playbackSpeeds {
		labels = append(labels, s.label)
	}
	p.speed = widget.NewRadioGroup(labels, nil)
	p.speed.Horizontal = true
	p.speed.Required = true
	p.speed.SetSelected(labels[0])
	p.err = errLabel()
	steps := container.NewHBox()
	for _, d := range []time.Duration{-24 * time.Hour, -time.Hour, -10 * time.Minute, -time.Minute, time.Minute, 10 * time.Minute, time.Hour} {
		label := "+" + shortDuration(d)
		if d < 0 {
			label = "−" + shortDuration(-d)
		}
		steps.Add(widget.NewButton(label, func() {
			from, err := parsePlaybackTime(p.when.Text, now)
			if err != nil {
				setErr(p.err, err.Error())
				return
			}
			p.set(from.Add(d))
		}))
	}
	p.play = widget.NewButton("Play", func() {
		from, err := parsePlaybackTime(p.when.Text, now)
		if err == nil && from.After(now) {
			err = errors.New("that time is still to come: pick one in the past")
		}
		if err == nil {
			speed := 1.0
			for _, s := range playbackSpeeds {
				if s.label == p.speed.Selected {
					speed = s.speed
				}
			}
			err = onPlay(from, speed)
		}
		if err != nil {
			setErr(p.err, err.Error())
			return
		}
		closePicker()
	})
	p.play.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", closePicker)
	when.OnSubmitted = func(string) { p.play.OnTapped() }
	title := widget.NewLabelWithStyle("Play recorded video of "+camera, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(title,
		widget.NewForm(widget.NewFormItem("From", p.when), widget.NewFormItem("Speed", p.speed)),
		steps, p.tl,
		p.err,
		container.NewHBox(layoutSpacer(), cancel, p.play))
	p.pop = widget.NewModalPopUp(container.NewPadded(body), win.Canvas())
	registerPopKeys(p.pop, closePicker, p.play.OnTapped)
	p.pop.Show()
	win.Canvas().Focus(when)
	return p
}

// set puts t in the field and on the timeline.
func (p *playbackPicker) set(t time.Time) {
	p.when.SetText(t.Format(playbackLayout))
	p.showDay(t)
}

// showDay shows t's local day on the timeline with t marked (the site's recorded spans
// are not listed: the bar shows the day, not what the VMS holds).
func (p *playbackPicker) showDay(t time.Time) {
	lt := t.Local()
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.Local)
	if !p.tl.from.Equal(day) {
		p.tl.SetRange(day, day.AddDate(0, 0, 1), nil)
	}
	p.tl.SetPosition(t)
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

// startPlayback asks the owner for a playback stream of t's camera and shows it on t;
// the live stream is kept to come back to.
func (w *Wall) startPlayback(t *Tile, from time.Time, speed float64) error {
	live := t.Stream()
	if t.pbLive != nil {
		live = t.pbLive
	}
	pb, err := w.opts.Playback.Play(live.Name(), from, speed)
	if err != nil {
		return err
	}
	old := t.Stream()
	t.pbLive = live
	t.SetStream(pb)
	t.SetPlayback(speed)
	if old != live {
		w.closePlayback(old)
	}
	return nil
}

// backToLive points t at its live stream again and closes the playback stream.
func (w *Wall) backToLive(t *Tile) {
	if t.pbLive == nil {
		return
	}
	pb := t.Stream()
	t.SetStream(t.pbLive)
	t.pbLive = nil
	t.SetPlayback(0)
	w.closePlayback(pb)
}

// closePlayback closes a playback stream off the UI goroutine (Close waits for its
// goroutines); Stop waits for these.
func (w *Wall) closePlayback(s *capture.Stream) {
	w.closing.Add(1)
	go func() {
		defer w.closing.Done()
		s.Close()
	}()
}

// playbackHooks sets a tile's playback buttons when the owner offers playback for its
// camera.
func (w *Wall) playbackHooks(t *Tile) {
	if w.opts.Playback == nil || !w.opts.Playback.CanPlay(t.Stream().Name()) {
		t.OnPlayback, t.OnLive, t.PlaybackTip = nil, nil, ""
		if w.opts.Review != nil { // the camera's own recordings, in the player
			t.PlaybackTip = "Review recordings"
			t.OnPlayback = func(t *Tile) {
				if err := w.showPlayer(t.Stream().Name(), reviewStart(time.Now())); err != nil && w.win != nil {
					showNotice(w.win, "Review recordings", err.Error())
				}
			}
		}
		return
	}
	t.OnPlayback = func(t *Tile) {
		if w.win == nil {
			return
		}
		var shown time.Time
		if t.pbLive != nil {
			shown = t.lastSource // from the position shown, not from now
		}
		showPlaybackPicker(w.win, t.Stream().Name(), time.Now(), shown, func(from time.Time, speed float64) error {
			return w.startPlayback(t, from, speed)
		})
	}
	t.OnLive, t.PlaybackTip = w.backToLive, ""
}
