package ui

import (
	"image"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
)

// DefaultMaxFPS is how often a tile redraws its picture at most: about what a person can
// follow on a wall, and what software GL on a small machine sustains for 16 tiles
// (research/deps.md §3: ~30 fps per tile is the ceiling).
const DefaultMaxFPS = 30

// statusEvery is how often the status card is refreshed (the retry countdown ticks in
// whole seconds).
const statusEvery = time.Second

// defaultBox is the decode box asked for before the tile has been laid out, so a 1080p
// camera is never decoded at full size just because the window is not shown yet. The
// first Layout replaces it with the tile's real size.
const defaultBoxW, defaultBoxH = 640, 360

// Tile is one camera on the wall: the newest picture of a capture.Stream scaled to fit,
// the camera's name in the top-left corner, and a card saying what is wrong when the
// stream is not live (connecting, stalled, offline with the last error and the retry
// countdown).
//
// A Tile decodes only between Start and Stop; the Wall calls both explicitly (assign,
// remove, hide, layout change). Start, Stop and every other method are meant to be called
// from the Fyne UI goroutine (or before the app runs), except Drawn, which is safe anywhere.
type Tile struct {
	widget.BaseWidget
	tileHooks

	// MaxFPS caps how many times a second the picture is redrawn. It defaults to
	// DefaultMaxFPS. Set it before Start.
	MaxFPS float64

	stream *capture.Stream
	// do hands a function to the UI goroutine; fyne.Do, replaced in tests by a queue the
	// test drains itself.
	do  func(func())
	now func() time.Time

	drawn atomic.Uint64
	// maxPending is the most draw callbacks ever pending at once (instrumentation: the
	// design promises at most one).
	maxPending atomic.Int32

	mu         sync.Mutex // guards run, physW, physH, zoomFactor
	run        *session
	physW      int
	physH      int
	zoomFactor float64 // zoom.factor, for the decode box

	// UI goroutine state. The tile holds state only: its renderer owns the canvas
	// objects and reads this in Refresh and Layout.
	shown       image.Image // what the picture shows: buf, or view while zoomed; nil for none
	buf         *image.RGBA
	view        *image.RGBA // the zoomed region of buf, packed (see zoom.go)
	hasPicture  bool        // buf holds a picture worth showing
	lastPicture time.Time   // receive time of the picture in buf
	lastSource  time.Time   // source time of the picture in buf (the recorded time in playback)
	// playbackSpeed is the speed of recorded video shown (0: live); recSince when the
	// camera's recording started (zero: not recording), recErr why it stopped.
	playbackSpeed float64
	pbLive        *capture.Stream // the live stream to go back to, while playing back
	recSince      time.Time
	recErr        error
	status        capture.Status
	selected      bool
	// motion is true while the camera's analytics see motion; motionLabel names a
	// detection.
	motion      bool
	motionLabel string
	maximised   bool
	hovered     bool
	tb          *tileToolbar // the renderer's toolbar (tooltips find its buttons)
	tipOn       *tileButton  // the toolbar button under the pointer
	zoom        zoomView
	dragging    bool // a drag pans the zoomed picture

	healthVisible bool
	health        []string // the overlay's lines
	rate          drawnRate
	// pictureOn is whether the last full refresh showed the picture.
	pictureOn bool
	// dirty is what changed since the last refresh, when only part of the tile did (see
	// refreshParts); zero asks the renderer for everything.
	dirty tileParts
}

// tileParts are the parts of a tile a refresh may be limited to, so a new picture (30
// times a second per tile) repaints the picture alone.
type tileParts uint8

const (
	partPicture tileParts = 1 << iota // the picture, and the playback badge's time
	partBadges                        // the REC badge's elapsed time
	partHealth                        // the health overlay's text
	partZoom                          // the zoom factor's label
)

// Refresh is part of fyne.Widget: everything is redrawn from the tile's state.
func (t *Tile) Refresh() {
	t.dirty = 0
	t.pictureOn = t.hasPicture && t.buf != nil
	t.BaseWidget.Refresh()
}

// refreshParts redraws only what changed (UI goroutine).
func (t *Tile) refreshParts(p tileParts) {
	t.dirty = p
	t.BaseWidget.Refresh()
	t.dirty = 0
}

// takeDirty is what the renderer is asked to redraw; zero is everything.
func (t *Tile) takeDirty() tileParts {
	p := t.dirty
	t.dirty = 0
	return p
}

// session is one Start…Stop period of a tile.
type session struct {
	sub     *capture.FrameSub
	stop    chan struct{}
	done    chan struct{}
	kick    chan struct{} // a draw callback finished (capacity 1)
	stopped atomic.Bool

	drawPending   atomic.Bool
	statusPending atomic.Bool
	inFlight      atomic.Int32 // draw callbacks handed to do and not yet run
}

// NewTile makes a tile for stream (nil: an empty cell saying "No camera"). It shows
// "Stopped" until Start.
func NewTile(stream *capture.Stream) *Tile {
	t := &Tile{stream: stream, do: fyne.Do, now: time.Now, zoom: unzoomed()}
	t.status = capture.Status{State: capture.StateStopped}
	t.ExtendBaseWidget(t)
	return t
}

// RetryNow is the offline card's "Retry now": the stream's next connection attempt starts
// at once instead of after the retry wait (capture.Stream.RetryNow; nothing while it
// connects or is live).
func (t *Tile) RetryNow() {
	if t.stream != nil {
		t.stream.RetryNow()
	}
}

// Stream is the stream the tile shows (nil for an empty cell).
func (t *Tile) Stream() *capture.Stream { return t.stream }

// name is the camera's name, "" for an empty cell.
func (t *Tile) name() string {
	if t.stream == nil {
		return ""
	}
	return t.stream.Name()
}

// SetStream points the tile at another camera (nil: an empty cell showing "No camera",
// decoding nothing). A running tile stops its session on the old stream and starts one
// on the new; the old camera's picture is dropped at once, so it is never shown under
// the new camera's name — the tile shows "Connecting…" until the new stream's first
// frame. A stopped tile stays stopped. UI goroutine.
func (t *Tile) SetStream(s *capture.Stream) {
	if s == t.stream {
		return
	}
	was := t.Running()
	t.stopSession()
	t.stream = s
	t.hasPicture = false
	t.buf, t.view, t.shown = nil, nil, nil
	t.lastPicture = time.Time{}
	t.zoom = unzoomed()
	t.rate = drawnRate{}
	t.health = nil
	t.status = capture.Status{State: capture.StateStopped}
	if was && s != nil {
		t.Start()
	}
	t.Refresh()
}

// TogglePlay starts a stopped tile and stops a running one (the toolbar's play/stop
// button and the wall's Space key). Stop ends viewing only: a recorder holding the
// stream keeps it running. OnPlayToggled, if set, is called afterwards. UI goroutine.
func (t *Tile) TogglePlay() {
	if t.stream == nil {
		return
	}
	if t.Running() {
		t.Stop()
	} else {
		t.Start()
	}
	t.Refresh() // the toolbar's play/stop icon
	if t.OnPlayToggled != nil {
		t.OnPlayToggled(t)
	}
}

// Drawn counts the pictures drawn since the tile was made. Safe from any goroutine.
func (t *Tile) Drawn() uint64 { return t.drawn.Load() }

// Running reports whether the tile is between Start and Stop.
func (t *Tile) Running() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.run != nil
}

// Start attaches the tile to its stream at the tile's current size in physical pixels
// (which starts the source and the decoder if nobody else runs them) and starts the
// tile's render goroutine. Calling Start on a running tile, or on an empty cell, does
// nothing.
func (t *Tile) Start() {
	t.mu.Lock()
	if t.run != nil || t.stream == nil {
		t.mu.Unlock()
		return
	}
	w, h := t.decodeBoxLocked()
	fps := t.MaxFPS
	if fps <= 0 {
		fps = DefaultMaxFPS
	}
	s := &session{
		sub:  t.stream.Watch(w, h),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		kick: make(chan struct{}, 1),
	}
	t.run = s
	t.mu.Unlock()
	if t.maximised {
		s.sub.SetLargest(true) // a maximised tile shows the camera's largest stream
	}

	// A picture from before a Stop is stale: never show it as if it were live.
	t.hasPicture = false
	t.rate = drawnRate{}
	t.applyStatus(capture.Status{State: capture.StateConnecting}) // until the first status tick
	go t.loop(s, time.Duration(float64(time.Second)/fps))
}

// Stop detaches the tile from its stream and waits for its render goroutine to exit.
// The stream's source stops when no other consumer (a recorder) needs it. The tile then
// shows its last picture frozen and dimmed under a grey "Stopped" card — unlike offline
// (red, no picture) and stalled (amber, with a running count). Calling Stop on a stopped
// tile does nothing.
func (t *Tile) Stop() {
	if !t.stopSession() {
		return
	}
	t.applyStatus(capture.Status{State: capture.StateStopped})
	t.updateHealth()
}

// stopSession ends the running session, if any, and reports whether there was one.
func (t *Tile) stopSession() bool {
	t.mu.Lock()
	s := t.run
	t.run = nil
	t.mu.Unlock()
	if s == nil {
		return false
	}
	s.stopped.Store(true)
	close(s.stop)
	<-s.done
	s.sub.Close()
	return true
}

// decodeBoxLocked is the box the decoder is asked to fit: the tile's size in physical
// pixels (a default before the first layout), times the zoom factor while zoomed (see
// zoom.go). t.mu must be held.
func (t *Tile) decodeBoxLocked() (int, int) {
	w, h := t.physW, t.physH
	if w <= 0 || h <= 0 {
		return defaultBoxW, defaultBoxH
	}
	if f := t.zoomFactor; f > 1 {
		w, h = int(float64(w)*f), int(float64(h)*f)
	}
	return w, h
}

// loop is the tile's render goroutine: it turns "a frame is ready" and the status tick
// into at most one pending draw and one pending status update on the UI goroutine, and
// caps draws at the display rate. Frames that arrive while a draw is pending stay in the
// FrameSub's one-slot mailbox, where the newest replaces older ones.
func (t *Tile) loop(s *session, interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	capTimer := time.NewTimer(time.Hour)
	capTimer.Stop()
	defer capTimer.Stop()
	var capC <-chan time.Time
	var next time.Time // earliest time of the next draw
	dirty := false     // a frame may be waiting that no draw has been scheduled for

	tryDraw := func() {
		if s.drawPending.Load() {
			dirty = true // the pending draw's end kicks us
			return
		}
		now := time.Now()
		if wait := next.Sub(now); wait > 0 {
			dirty = true
			if capC == nil {
				capTimer.Reset(wait)
				capC = capTimer.C
			}
			return
		}
		dirty = false
		next = now.Add(interval)
		t.scheduleDraw(s)
	}

	t.scheduleStatus(s) // show "Connecting…" at once
	for {
		select {
		case <-s.stop:
			return
		case <-s.sub.Ready():
			tryDraw()
		case <-s.kick:
			if dirty {
				tryDraw()
			}
		case <-capC:
			capC = nil
			if dirty {
				tryDraw()
			}
		case <-tick.C:
			t.scheduleStatus(s)
		}
	}
}

func (t *Tile) scheduleDraw(s *session) {
	s.drawPending.Store(true)
	n := s.inFlight.Add(1)
	for {
		m := t.maxPending.Load()
		if n <= m || t.maxPending.CompareAndSwap(m, n) {
			break
		}
	}
	t.do(func() {
		s.inFlight.Add(-1)
		t.drawFrame(s)
		s.drawPending.Store(false)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	})
}

func (t *Tile) scheduleStatus(s *session) {
	if !s.statusPending.CompareAndSwap(false, true) {
		return
	}
	t.do(func() {
		if !s.stopped.Load() {
			t.applyStatus(t.stream.Status())
			t.updateHealth()
		}
		s.statusPending.Store(false)
	})
}

// drawFrame runs on the UI goroutine: it takes the newest frame, copies its pixels into
// the tile's own buffer (the renderer reads that buffer on this goroutine, so the
// decoder's pooled buffer can go back at once), and refreshes the picture.
func (t *Tile) drawFrame(s *session) {
	if s.stopped.Load() {
		return
	}
	fr := s.sub.Take()
	if fr == nil {
		return
	}
	t.copyPicture(fr.Image)
	t.lastPicture = fr.ReceiveTime
	t.lastSource = fr.SourceTime
	if t.lastPicture.IsZero() {
		t.lastPicture = t.now()
	}
	fr.Release()
	t.drawn.Add(1)
	t.present()

	st := t.stream.Status()
	if !t.hasPicture || st.State != t.status.State {
		t.hasPicture = true
		t.applyStatus(st)
		return
	}
	t.refreshParts(partPicture) // in playback the badge shows the recorded time too
}

// SetRecording shows whether the camera is being recorded: since is when it started
// (zero: not recording); err, when set, is why recording stopped (a red REC FAILED
// badge; the owner shows the message). UI goroutine.
func (t *Tile) SetRecording(since time.Time, err error) {
	if since.Equal(t.recSince) && err == t.recErr {
		return
	}
	t.recSince, t.recErr = since, err
	t.Refresh()
}

// SetMotion lights the tile's border while its camera sees motion; label, when set,
// names what a detector saw ("person"), shown in the corner.
func (t *Tile) SetMotion(on bool, label string) {
	if on == t.motion && label == t.motionLabel {
		return
	}
	t.motion, t.motionLabel = on, label
	t.Refresh()
}

// Motion reports whether the tile shows motion, and what was named.
func (t *Tile) Motion() (bool, string) { return t.motion, t.motionLabel }

// Recording reports when the camera's recording started (zero: not recording).
func (t *Tile) Recording() time.Time { return t.recSince }

// SetPlayback marks the tile as showing recorded video at speed (0: live again). The
// owner points the tile at the playback stream with SetStream. UI goroutine.
func (t *Tile) SetPlayback(speed float64) {
	t.playbackSpeed = max(speed, 0)
	t.Refresh()
}

// Playback is the speed of the recorded video shown, 0 when live.
func (t *Tile) Playback() float64 { return t.playbackSpeed }

// tickBadges refreshes the REC badge's elapsed time (the wall's status tick).
func (t *Tile) tickBadges() {
	if t.recSince.IsZero() {
		return
	}
	t.pictureOn = t.hasPicture && t.buf != nil // the renderer updates everything's state
	t.refreshParts(partBadges)
}

// present points the picture at what the tile shows: the buffer, or the zoomed region
// of it copied into the view buffer. It does not refresh.
func (t *Tile) present() {
	if t.buf == nil {
		t.shown = nil
		return
	}
	if !t.maximised || !t.zoom.zoomed() {
		t.shown = t.buf
		return
	}
	t.view = copyRegion(t.view, t.buf, t.zoom.crop(t.buf.Rect.Dx(), t.buf.Rect.Dy()))
	t.shown = t.view
}

// copyPicture copies src into the tile's buffer, reallocating it only when the size
// changes.
func (t *Tile) copyPicture(src *image.RGBA) {
	b := src.Rect
	w, h := b.Dx(), b.Dy()
	if t.buf == nil || t.buf.Rect.Dx() != w || t.buf.Rect.Dy() != h {
		t.buf = image.NewRGBA(image.Rect(0, 0, w, h))
		if t.OnPictureSize != nil {
			defer t.OnPictureSize(t)
		}
	}
	row := 4 * w
	if src.Stride == row && t.buf.Stride == row {
		off := src.PixOffset(b.Min.X, b.Min.Y)
		copy(t.buf.Pix, src.Pix[off:off+row*h])
		return
	}
	for y := 0; y < h; y++ {
		so := src.PixOffset(b.Min.X, b.Min.Y+y)
		copy(t.buf.Pix[y*t.buf.Stride:y*t.buf.Stride+row], src.Pix[so:so+row])
	}
}

// applyStatus records st and redraws what depends on it (UI goroutine). A live tile with
// an unchanged state is left alone: the countdown only ticks on a card.
func (t *Tile) applyStatus(st capture.Status) {
	old := t.status
	t.status = st
	if !showsPicture(st.State) && st.State != capture.StateStopped {
		// Offline or reconnecting: the old picture would pass for a live one. A stopped
		// tile keeps it, frozen and dimmed under its card.
		t.hasPicture = false
	}
	if st.State == old.State && st.State == capture.StateLive && t.pictureOn == t.hasPicture {
		return
	}
	t.Refresh()
}

// showsPicture reports whether a state shows the last picture (dimmed when stalled).
func showsPicture(s capture.State) bool {
	return s == capture.StateLive || s == capture.StateFallback || s == capture.StateStalled
}

// sizeChanged follows the tile's size on screen, in physical pixels, so the decoder
// decodes no larger than what is shown.
func (t *Tile) sizeChanged(size fyne.Size) {
	scale := float32(1)
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(t); c != nil && c.Scale() > 0 {
			scale = c.Scale()
		}
	}
	w := int(math.Ceil(float64(size.Width * scale)))
	h := int(math.Ceil(float64(size.Height * scale)))
	if w <= 0 || h <= 0 {
		return
	}
	t.mu.Lock()
	changed := w != t.physW || h != t.physH
	t.physW, t.physH = w, h
	t.mu.Unlock()
	if changed {
		t.resizeDecode()
	}
}

// resizeDecode tells a running session's decoder the current decode box.
func (t *Tile) resizeDecode() {
	t.mu.Lock()
	s := t.run
	w, h := t.decodeBoxLocked()
	t.mu.Unlock()
	if s != nil {
		s.sub.SetSize(w, h)
	}
}

// CreateRenderer is part of fyne.Widget.
func (t *Tile) CreateRenderer() fyne.WidgetRenderer {
	return newTileRenderer(t)
}
