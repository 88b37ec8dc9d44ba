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

// playbackPicker is the small dialog that asks where to start playing recorded video.
type playbackPicker struct {
	pop   *widget.PopUp
	when  *widget.Entry
	speed *widget.RadioGroup
	err   *widget.Label
	play  *widget.Button
}

// showPlaybackPicker asks for a start time and a speed over win; onPlay gets them and
// returns an error to show (the picker then stays open).
func showPlaybackPicker(win fyne.Window, camera string, now time.Time, onPlay func(from time.Time, speed float64) error) *playbackPicker {
	p := &playbackPicker{}
	p.when = widget.NewEntry()
	p.when.SetText(now.Add(-5 * time.Minute).Format(playbackLayout))
	var labels []string
	for _, s := range playbackSpeeds {
		labels = append(labels, s.label)
	}
	p.speed = widget.NewRadioGroup(labels, nil)
	p.speed.Horizontal = true
	p.speed.Required = true
	p.speed.SetSelected(labels[0])
	p.err = errLabel()
	back := func(d time.Duration) *widget.Button {
		return widget.NewButton("−"+shortDuration(d), func() {
			p.when.SetText(now.Add(-d).Format(playbackLayout))
		})
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
		p.pop.Hide()
	})
	p.play.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { p.pop.Hide() })
	title := widget.NewLabelWithStyle("Play recorded video of "+camera, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(title,
		widget.NewForm(widget.NewFormItem("From", p.when), widget.NewFormItem("Speed", p.speed)),
		container.NewHBox(back(time.Minute), back(10*time.Minute), back(time.Hour), back(24*time.Hour)),
		p.err,
		container.NewHBox(layoutSpacer(), cancel, p.play))
	p.pop = widget.NewModalPopUp(container.NewPadded(body), win.Canvas())
	p.pop.Show()
	win.Canvas().Focus(p.when)
	return p
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
		t.OnPlayback, t.OnLive = nil, nil
		if w.opts.Review != nil { // the camera's own recordings, in the player
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
		showPlaybackPicker(w.win, t.Stream().Name(), time.Now(), func(from time.Time, speed float64) error {
			return w.startPlayback(t, from, speed)
		})
	}
	t.OnLive = w.backToLive
}
