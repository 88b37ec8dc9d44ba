package ui

import (
	"errors"
	"fmt"
	"image/color"
	"runtime"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// Colours of the state dots in the camera list and the status bar.
var (
	colorDotLive     color.Color = color.NRGBA{R: 0x3d, G: 0xc2, B: 0x5a, A: 0xff}
	colorDotFallback color.Color = color.NRGBA{R: 0x2b, G: 0xb5, B: 0xb0, A: 0xff}
	colorDotStalled  color.Color = color.NRGBA{R: 0xf5, G: 0xa6, B: 0x23, A: 0xff}
	colorDotOffline  color.Color = color.NRGBA{R: 0xe5, G: 0x48, B: 0x4d, A: 0xff}
	colorDotConnect  color.Color = color.NRGBA{R: 0x4a, G: 0x90, B: 0xd9, A: 0xff}
	colorDotStopped  color.Color = color.NRGBA{R: 0x6b, G: 0x71, B: 0x7a, A: 0xff}
)

// stateColor is a camera's dot: live green, fallback teal, stalled amber, offline red,
// connecting blue, stopped grey. A camera retrying after a failure is offline even while
// its next attempt is connecting, so the dot does not flicker blue and red.
func stateColor(st capture.Status) color.Color {
	switch st.State {
	case capture.StateLive:
		return colorDotLive
	case capture.StateFallback:
		return colorDotFallback
	case capture.StateStalled:
		return colorDotStalled
	case capture.StateOffline:
		return colorDotOffline
	case capture.StateConnecting:
		if st.Err != nil {
			return colorDotOffline
		}
		return colorDotConnect
	}
	return colorDotStopped
}

// isOffline is a camera down: offline, or retrying after a failure.
func isOffline(st capture.Status) bool {
	return st.State == capture.StateOffline || st.State == capture.StateConnecting && st.Err != nil
}

// statusReport is what the status goroutine measured in one tick.
type statusReport struct {
	live, stalled, offline, total int
	kbps                          float64
	cpu                           float64 // cores; negative when unknown
	states                        map[string]capture.Status
	// recording is each recorded camera's state (Recordings.State), by name.
	recording map[string]RecordingState
}

// RecordingState is a camera's recording as the tile shows it: Since is when it started
// (zero: not recording); Err why it stopped, when it failed.
type RecordingState struct {
	Since time.Time
	Err   error
}

// measureStatus reads every camera's state and bitrate and the app's CPU. It runs on the
// status goroutine: Stream.Status, Stream.Stats, CPU and Recordings.State are safe there.
func (w *Wall) measureStatus() statusReport {
	w.camMu.Lock()
	cams := w.camSnap
	w.camMu.Unlock()
	r := statusReport{total: len(cams), cpu: -1, states: make(map[string]capture.Status, len(cams))}
	for _, s := range cams {
		st := s.Status()
		r.states[s.Name()] = st
		switch {
		case st.State == capture.StateLive || st.State == capture.StateFallback:
			r.live++
		case st.State == capture.StateStalled:
			r.stalled++
		case isOffline(st):
			r.offline++
		}
		if st.State != capture.StateStopped {
			r.kbps += s.Stats().BitrateKbps
		}
	}
	if w.opts.CPU != nil {
		r.cpu = w.opts.CPU.Cores()
	}
	if recs := w.opts.Recordings; recs != nil {
		r.recording = make(map[string]RecordingState, len(cams))
		for _, s := range cams {
			r.recording[s.Name()] = recs.State(s.Name())
		}
	}
	return r
}

// statusTicker is the wall's status goroutine: once a tick it measures on its own
// goroutine and hands the result to the UI goroutine, with at most one hand-over pending.
type statusTicker struct {
	quit    chan struct{}
	done    chan struct{}
	pending atomic.Bool
}

func startStatusTicker(w *Wall) *statusTicker {
	st := &statusTicker{quit: make(chan struct{}), done: make(chan struct{})}
	every := w.statusEvery
	if every <= 0 {
		every = time.Second
	}
	go st.run(w, every)
	return st
}

func (st *statusTicker) run(w *Wall, every time.Duration) {
	defer close(st.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if st.pending.CompareAndSwap(false, true) {
			r := w.measureStatus()
			w.batch.Do(func() {
				st.pending.Store(false)
				w.showStatus(r)
			})
		}
		select {
		case <-st.quit:
			return
		case <-tick.C:
		}
	}
}

// stop ends the goroutine and waits for it. A hand-over still queued is harmless: it
// only sets texts.
func (st *statusTicker) stop() {
	close(st.quit)
	<-st.done
}

// statusBar is the strip at the bottom of the window.
type statusBar struct {
	obj                 fyne.CanvasObject
	live, stall, off    *widget.Label
	rate, cpu, keysHint *widget.Label
	// saveErr says the wall's arrangement could not be saved; it replaces the keys hint
	// while shown.
	saveErr *widget.Label
	last    statusReport
}

func newStatusBar() *statusBar {
	b := &statusBar{
		live:     widget.NewLabel("– live"),
		stall:    widget.NewLabel("– stalled"),
		off:      widget.NewLabel("– offline"),
		rate:     widget.NewLabel("– kbit/s"),
		cpu:      widget.NewLabel("CPU –"),
		keysHint: widget.NewLabel("Arrows select · Ctrl+arrows swap · Enter maximise · Esc back · Space play/stop · F11 full screen · Ctrl+1…9 views"),
	}
	b.keysHint.Importance = widget.LowImportance
	b.keysHint.Truncation = fyne.TextTruncateEllipsis
	b.saveErr = widget.NewLabel("")
	b.saveErr.Importance = widget.DangerImportance
	b.saveErr.Truncation = fyne.TextTruncateEllipsis
	b.saveErr.Hide()
	item := func(c color.Color, l *widget.Label) fyne.CanvasObject {
		return container.NewHBox(dot(c, 10), l)
	}
	left := container.NewHBox(
		item(colorDotLive, b.live), item(colorDotStalled, b.stall), item(colorDotOffline, b.off),
		widget.NewSeparator(), b.rate, widget.NewSeparator(), b.cpu)
	b.obj = container.NewBorder(nil, nil, left, nil, container.New(layout.NewStackLayout(), b.keysHint, b.saveErr))
	return b
}

// saveErrorText is the status bar's line for a failed save of the wall.
func saveErrorText(err error) string {
	if ve := (*viewSaveError)(nil); errors.As(err, &ve) {
		return "View not saved: " + ve.err.Error()
	}
	return "Layout and tiles not saved: " + err.Error()
}

// showSaveError shows why the wall's last change was not saved, or clears it (UI
// goroutine).
func (b *statusBar) showSaveError(err error) {
	if err == nil {
		if b.saveErr.Visible() {
			b.saveErr.Hide()
			b.keysHint.Show()
		}
		return
	}
	b.saveErr.SetText(saveErrorText(err))
	b.keysHint.Hide()
	b.saveErr.Show()
}

// show puts a report on screen (UI goroutine). hiddenOffline is how many offline
// cameras are not on screen: the offline count says so, and any offline camera turns
// it red, so a camera that drops while hidden (a tile maximised) is not missed.
func (b *statusBar) show(r statusReport, hiddenOffline int) {
	b.last = r
	b.live.SetText(fmt.Sprintf("%d live", r.live))
	b.stall.SetText(fmt.Sprintf("%d stalled", r.stalled))
	off := fmt.Sprintf("%d offline", r.offline)
	if hiddenOffline > 0 {
		off += fmt.Sprintf(" (%d not shown)", hiddenOffline)
	}
	imp := widget.MediumImportance
	if r.offline > 0 {
		imp = widget.DangerImportance
	}
	if b.off.Text != off || b.off.Importance != imp {
		b.off.Text, b.off.Importance = off, imp
		b.off.Refresh()
	}
	b.rate.SetText(formatKbps(r.kbps))
	if r.cpu < 0 {
		b.cpu.SetText("CPU –")
	} else {
		b.cpu.SetText(formatCPU(r.cpu, runtime.NumCPU()))
	}
}

// formatKbps is a total bitrate as people read it.
func formatKbps(kbps float64) string {
	if kbps >= 1000 {
		return fmt.Sprintf("%.1f Mbit/s", kbps/1000)
	}
	return fmt.Sprintf("%.0f kbit/s", kbps)
}

// formatCPU is the app's CPU use as a share of the machine and in cores, so "100%" is
// never mistaken for one core on a many-core machine.
func formatCPU(cores float64, ncpu int) string {
	if ncpu < 1 {
		ncpu = 1
	}
	return fmt.Sprintf("CPU %.0f%% (%.1f of %d cores)", 100*cores/float64(ncpu), cores, ncpu)
}

// showStatus updates the status bar and the camera list's dots (UI goroutine).
func (w *Wall) showStatus(r statusReport) {
	for _, t := range w.shown {
		if rs, ok := r.recording[t.Stream().Name()]; ok {
			t.SetRecording(rs.Since, rs.Err)
		}
		t.tickBadges()
	}
	if w.chrome == nil {
		return
	}
	shown := make(map[string]bool, len(w.shown))
	for _, t := range w.shown {
		if t.pbLive == nil { // a tile playing back does not show its camera's state
			shown[t.Stream().Name()] = true
		}
	}
	hiddenOff := 0
	for name, st := range r.states {
		if isOffline(st) && !shown[name] {
			hiddenOff++
		}
	}
	w.chrome.status.show(r, hiddenOff)
	w.chrome.side.showStates(r.states)
}

// dot is a small filled circle of a fixed size.
func dot(c color.Color, size float32) *fyne.Container {
	circle := canvas.NewCircle(c)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(size, size), circle))
}
