package ui

import (
	"context"
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
	// spans lists the recorded spans of a day (nil: the source cannot say); spanNote says
	// what the timeline shows of them. do hands their answer to the UI goroutine.
	spans    func(ctx context.Context, from, to time.Time) ([]capture.TimeSpan, error)
	spanNote *widget.Label
	do       func(func())
	cancel   context.CancelFunc // the listing in flight
}

// showPlaybackPicker asks for a start time and a speed over win, starting at shown (the
// recorded time on the tile while it plays back; zero: five minutes ago). The steps
// (−1 d … +1 h) move from the time in the field, which is the position shown until the
// user changes it, never from now. onPlay gets the choice and returns an error to show
// (the picker then stays open).
//
// With spans (nil: none), the timeline shows the day's recorded spans, listed off the UI
// goroutine and handed back through do (fyne.Do, or a test's queue).
func showPlaybackPicker(win fyne.Window, camera string, now, shown time.Time, spans func(ctx context.Context, from, to time.Time) ([]capture.TimeSpan, error),
	do func(func()), onPlay func(from time.Time, speed float64) error) *playbackPicker {
	p := &playbackPicker{spans: spans, do: do, spanNote: wrapLabel("")}
	p.spanNote.Importance = widget.LowImportance
	p.spanNote.Hide()
	// Esc closes the picker, also typed in its time field (which has the focus); Enter
	// plays.
	closePicker := func() {
		if p.cancel != nil {
			p.cancel()
		}
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
		steps, p.tl, p.spanNote,
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

// showDay shows t's local day on the timeline with t marked, and asks for the day's
// recorded spans when it is a new day.
func (p *playbackPicker) showDay(t time.Time) {
	lt := t.Local()
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.Local)
	if !p.tl.from.Equal(day) {
		p.tl.SetRange(day, day.AddDate(0, 0, 1), nil)
		p.listSpans(day, day.AddDate(0, 0, 1))
	}
	p.tl.SetPosition(t)
}

// spansTimeout bounds one listing of a day's recordings; spansSettle is how long a day
// must stay shown before it is listed.
const (
	spansTimeout = 20 * time.Second
	spansSettle  = 300 * time.Millisecond
)

// listSpans asks for the recorded spans of [from, to) off the UI goroutine and shows
// them, unless the timeline has moved to another day meanwhile.
func (p *playbackPicker) listSpans(from, to time.Time) {
	if p.spans == nil {
		return
	}
	if p.cancel != nil {
		p.cancel() // the day before is no longer wanted
	}
	ctx, cancel := context.WithTimeout(context.Background(), spansTimeout)
	p.cancel = cancel
	p.spanNote.SetText("Listing the recordings of " + from.Format(time.DateOnly) + "…")
	p.spanNote.Show()
	go func() {
		defer cancel()
		select { // days stepped through quickly are not each listed (a login each)
		case <-time.After(spansSettle):
		case <-ctx.Done():
			return
		}
		spans, err := p.spans(ctx, from, to)
		if ctx.Err() == context.Canceled {
			return
		}
		p.do(func() {
			if !p.tl.from.Equal(from) {
				return
			}
			var partial *capture.PartialSpans
			if errors.As(err, &partial) {
				err = nil // the spans listed are drawn, and the note says up to when
			}
			ts := make([]timeSpan, 0, len(spans))
			var total time.Duration
			for _, s := range spans {
				ts = append(ts, timeSpan{s.From, s.To})
				total += s.To.Sub(s.From)
			}
			// The note keeps its line whatever it says, so the picker keeps its size.
			switch total = total.Round(time.Minute); {
			case err != nil:
				p.spanNote.SetText("Could not list the recordings: " + capture.CleanText(err.Error(), 300))
			case len(spans) == 0 && partial == nil:
				p.spanNote.SetText("No recordings on " + from.Format(time.DateOnly) + ".")
			default:
				in := fmt.Sprintf("in %d spans", len(spans))
				if len(spans) == 1 {
					in = "without a break"
				}
				note := fmt.Sprintf("%d h %02d min recorded on %s, %s.", int(total.Hours()), int(total.Minutes())%60, from.Format(time.DateOnly), in)
				if partial != nil {
					note = fmt.Sprintf("%d h %02d min recorded on %s up to %s, %s; the recorder holds more sequences than Vigil lists, so later ones are not drawn (they still play).",
						int(total.Hours()), int(total.Minutes())%60, from.Format(time.DateOnly), partial.Until.Local().Format("15:04"), in)
				}
				p.spanNote.SetText(note)
			}
			p.tl.SetRange(from, to, ts)
		})
	}()
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
		var spans func(ctx context.Context, from, to time.Time) ([]capture.TimeSpan, error)
		if ps, ok := w.opts.Playback.(PlaybackSpans); ok {
			if rl := ps.RecordingLister(t.Stream().Name()); rl != nil {
				spans = rl.RecordedSpans
			}
		}
		showPlaybackPicker(w.win, t.Stream().Name(), time.Now(), shown, spans, w.batch.Do, func(from time.Time, speed float64) error {
			return w.startPlayback(t, from, speed)
		})
	}
	t.OnLive, t.PlaybackTip = w.backToLive, ""
}
