package ui

import (
	"image/color"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/ui/wallmodel"
)

// Layouts are the wall layouts Grid accepts, smallest first ("auto" fits the camera
// count). They match config.Wall.Layout.
var Layouts = wallmodel.Layouts

// MaxPositions is how many tile positions the wall remembers: an 8×8 grid. It matches
// config's limit on Wall.Tiles.
const MaxPositions = wallmodel.MaxPositions

// tileGap is the gap between tiles in logical pixels: enough to tell pictures apart.
const tileGap = 2

// Grid returns the columns and rows of a layout for n cameras (see wallmodel.Grid).
func Grid(layout string, n int) (cols, rows int, err error) { return wallmodel.Grid(layout, n) }

// WallOptions configures a Wall (NewWall). The wall talks to the application through
// the interfaces in api.go, so the ui package knows nothing about settings files or
// protocols; each is optional, and a nil one turns its part of the window off.
type WallOptions struct {
	// Title is the window title. It defaults to "Vigil".
	Title string
	// Cameras is the camera list (see Cameras); a CameraEditor enables Add and Edit,
	// a CameraRemover Remove. Nil: a wall without cameras until SetCameras.
	Cameras Cameras
	// Layout is one of Layouts. It defaults to auto; an unknown layout is treated as auto
	// (config.Validate refuses one before it gets here).
	Layout string
	// Tiles is the camera name for each position, left to right, top to bottom; ""
	// leaves a position empty. Unknown names and repeats are dropped. Nil means every
	// camera in order.
	Tiles []string
	// Views is told every change of layout or assignment (UI goroutine). It may be nil.
	// A ViewStore also keeps named views (views.go).
	Views Views
	// View is the view the wall showed last (config.Wall.View): the selector shows its
	// name, and its cameras missing from the list are shown by name. "" for none.
	View string
	// Windows are views to open in windows of their own (config.Wall.Windows), opened
	// by NewWallWindow.
	Windows []string
	// SnapshotDir is where the toolbar's snapshot button writes pictures. Empty disables
	// the button.
	SnapshotDir string
	// CPU measures the app's CPU use for the status bar. It may be nil.
	CPU CPUMeter

	// Prober runs the camera dialog's Test button. It may be nil.
	Prober capture.Prober
	// PTZTester runs the camera dialog's Test PTZ button. It may be nil.
	PTZTester PTZTester
	// Trust saves the certificates the camera dialog's Trust accepted. Nil: an untrusted
	// certificate's fingerprint is shown, no Trust.
	Trust TrustStore
	// Sites logs in to and saves video management sites. Nil disables "Connect to
	// Milestone…".
	Sites Sites
	// Playback plays recorded video on tiles. Nil: no playback button.
	Playback Playback
	// Recordings records cameras and lists the recordings. Nil: no record button and no
	// recordings view.
	Recordings Recordings
	// Motion lights a tile's border while its camera's analytics see motion. It may be
	// nil.
	Motion Motion
	// Events is the analyzers' event store, for the events pane and its dashboard. Nil:
	// no "Events…" button.
	Events Events
	// PTZ gives a camera's PTZ controller: selecting such a camera shows the PTZ pad
	// (ptz.go). Nil: no pad.
	PTZ PTZs
	// Review plays the recordings of cameras in the player window ("Play" in the
	// recordings view; the playback button of a camera without a VMS). Nil: neither.
	Review Review
	// Push lists, adds and removes the push: listeners ("Push listeners…"). Nil: no
	// button.
	Push PushListeners
	// Search searches recorded motion ("Search motion…" in a tile's menu). Nil: no
	// such item.
	Search MotionSearcher

	// Do hands a callback to the UI goroutine. It defaults to fyne.Do. Tests using Fyne's
	// test driver (whose fyne.Do runs the callback at once on the calling goroutine)
	// pass a queue they drain on the test goroutine instead.
	Do func(func())
}

// Wall is the grid of camera tiles with the window around it: a layout picker, the camera
// list, and a status bar (see Panel). Its model (wallmodel.Model) says which camera sits
// at which of up to MaxPositions positions, the selection and the maximised position; a
// layout shows the first cols×rows positions, so positions beyond a small grid come back
// when the grid grows. Every change goes to the model first, then apply makes the tiles
// follow it.
//
// Each camera has one Tile for the wall's lifetime (until SetCameras replaces its
// stream); moving a camera moves its tile widget, so its picture survives a swap. Only
// tiles on screen decode: the wall stops a tile when it leaves the screen (layout change,
// maximise, reassignment) and starts it again when it comes back, unless the user had
// stopped it. While the wall runs, every camera not decoding on screen (hidden by
// maximise or a smaller grid, or not placed) stays connected without decoding
// (capture.Stream.Hold), so the camera list and the status bar show its true state; a
// camera the user stopped is let go.
//
// Every method is for the UI goroutine (or before the app runs).
type Wall struct {
	opts  WallOptions
	batch *uiBatch

	m *wallmodel.Model

	cameras []*capture.Stream // in list order
	tiles   map[string]*Tile  // by camera name
	empty   []*emptyCell      // by position, made on demand
	shown   []*Tile           // tiles on screen, in grid order
	visible []int             // the position of each grid cell on screen
	// prevShown is the tiles on screen before the last apply.
	prevShown map[*Tile]bool
	paused    map[string]bool // stopped by the user while on screen
	running   bool            // between Start and Stop

	grid    *fyne.Container
	content fyne.CanvasObject

	// The window around the wall (window.go, sidebar.go, statusbar.go); nil until Panel.
	chrome *chrome
	win    fyne.Window
	// sites are the video management sites the sidebar lists, by label.
	sites []*SiteView
	// closing counts playback streams being closed; Stop waits for them.
	closing sync.WaitGroup

	// The status goroutine (statusbar.go). camMu guards camSnap, the cameras as the
	// status goroutine sees them.
	camMu   sync.Mutex
	camSnap []*capture.Stream
	tick    *statusTicker
	// statusEvery is how often the status bar updates. It defaults to a second.
	statusEvery time.Duration
	// saveErr is why Views could not save the last change, or nil.
	saveErr error
	// holds keeps cameras not decoding on screen connected (holdHidden), by live stream.
	holds map[*capture.Stream]func()

	// Views (views.go): the view shown; for a second window's wall its parent (the main
	// wall, which holds the hidden cameras); for the main wall its second windows.
	view     string
	parent   *Wall
	others   []*viewWindow
	stopping bool // the main wall is closing its second windows
	// ptz is the PTZ pad of the selected camera (ptz.go).
	ptz ptzState
	// The zone editors and motion search windows open (zones.go, search.go), the last
	// opened last; Stop closes them.
	zonesOpen  []*zoneEditor
	searchOpen []*motionSearch
}

// NewWall makes a wall of opts.Cameras. Nothing decodes until Start.
func NewWall(opts WallOptions) *Wall {
	w := &Wall{
		opts:   opts,
		batch:  newUIBatch(fyne.Do),
		tiles:  map[string]*Tile{},
		empty:  make([]*emptyCell, MaxPositions),
		paused: map[string]bool{},
		holds:  map[*capture.Stream]func(){},

		statusEvery: time.Second,
	}
	if opts.Do != nil {
		w.batch.do = opts.Do
	}
	var streams []*capture.Stream
	if opts.Cameras != nil {
		streams = opts.Cameras.Streams()
	}
	w.setCameraList(streams)
	w.m = wallmodel.New(opts.Layout, w.cameraNames(), opts.Tiles)
	w.startView(opts.View)
	w.grid = container.New(&gridLayout{cols: 1, rows: 1, gap: tileGap})
	w.content = container.NewStack(canvas.NewRectangle(colorWallBack), w.grid, w.ptzOverlay())
	w.apply()
	if opts.Motion != nil {
		opts.Motion.OnMotion(func(camera string, on bool, label string) {
			w.batch.Do(func() { w.showMotion(camera, on, label) })
		})
	}
	return w
}

// showMotion lights or clears a camera's motion border on this wall and its other
// windows (UI goroutine).
func (w *Wall) showMotion(camera string, on bool, label string) {
	if t := w.tiles[camera]; t != nil {
		t.SetMotion(on, label)
	}
	for _, o := range w.others {
		o.wall.showMotion(camera, on, label)
	}
}

// setCameraList records the camera list and makes tiles for cameras that have none (or
// whose stream was replaced), stopping the replaced tiles.
func (w *Wall) setCameraList(streams []*capture.Stream) {
	keep := map[string]bool{}
	w.cameras = w.cameras[:0]
	for _, s := range streams {
		name := s.Name()
		if keep[name] {
			continue // a duplicate name: config.Validate refuses these
		}
		keep[name] = true
		w.cameras = append(w.cameras, s)
		if t := w.tiles[name]; t != nil && (t.Stream() == s || t.pbLive == s) {
			continue
		} else if t != nil {
			t.Stop()
		}
		w.tiles[name] = w.newTile(s)
	}
	for name, t := range w.tiles {
		if !keep[name] {
			t.Stop()
			delete(w.tiles, name)
			delete(w.paused, name)
		}
	}
	w.camMu.Lock()
	w.camSnap = slices.Clone(w.cameras)
	w.camMu.Unlock()
}

// cameraNames is the camera list's names, in list order.
func (w *Wall) cameraNames() []string {
	out := make([]string, len(w.cameras))
	for i, s := range w.cameras {
		out[i] = s.Name()
	}
	return out
}

func (w *Wall) newTile(s *capture.Stream) *Tile {
	t := NewTile(s)
	t.do = w.batch.Do
	t.OnTapped = func(t *Tile) { w.Select(w.positionOf(t.Stream().Name())) }
	t.OnPictureTapped = w.ptzCenter
	t.OnDoubleTapped = func(t *Tile) {
		if w.m.Maximised() >= 0 {
			w.Restore()
			return
		}
		w.Maximise(w.positionOf(t.Stream().Name()))
	}
	t.OnPlayToggled = func(t *Tile) {
		if w.running {
			w.paused[t.Stream().Name()] = !t.Running()
			w.holdHidden()
		}
	}
	t.SnapshotDir = w.opts.SnapshotDir
	w.playbackHooks(t)
	if recs := w.opts.Recordings; recs != nil {
		t.OnRecord = func(t *Tile) {
			name := t.Stream().Name()
			err := recs.Toggle(name)
			rs := recs.State(name)
			t.SetRecording(rs.Since, rs.Err)
			if err != nil && w.win != nil {
				showNotice(w.win, "Recording", err.Error())
			}
		}
	}
	t.OnSnapshot = w.snapshotDone
	if w.editor() != nil || w.opts.Search != nil {
		t.Menu = w.tileMenu
	}
	return t
}

// SetCameras replaces the camera list when it changed behind the wall's back (the wall
// follows its Cameras by itself after its own Add, Edit and Remove). A camera whose
// stream changed gets a new tile in the same positions; a removed camera leaves the
// wall; a new camera goes to the selected position when that is empty, else to the first
// empty position on screen, else it waits in the list. One camera gone and one new is
// taken for a rename: the new one takes the old one's places. Stop the old streams only
// after SetCameras returns.
func (w *Wall) SetCameras(streams []*capture.Stream) { w.followCameras(streams, "", "") }

// refreshCameras follows the Cameras after the wall changed them; renamedFrom and
// renamedTo name a camera the change renamed, whose places the new name takes.
func (w *Wall) refreshCameras(renamedFrom, renamedTo string) {
	if w.parent != nil {
		w.parent.refreshCameras(renamedFrom, renamedTo) // the main wall leads every window
		return
	}
	if w.opts.Cameras == nil {
		return
	}
	// An unchanged list (a refused edit, or an owner that already called SetCameras)
	// changes nothing, and is not saved again.
	if streams := w.opts.Cameras.Streams(); !slices.Equal(streams, w.cameras) {
		w.followCameras(streams, renamedFrom, renamedTo)
	}
}

// followCameras is SetCameras with the rename the wall knows of (from → to), if any.
func (w *Wall) followCameras(streams []*capture.Stream, from, to string) {
	w.closePTZ() // an edit may have changed the camera's ptz settings: apply opens it again
	w.setCameraList(streams)
	w.m.SetCameras(w.cameraNames(), from, to)
	if v, ok := w.findView(w.view); ok {
		w.m.ShowMissing(v.Tiles) // a removed camera its view names keeps its place
	}
	w.apply()
	w.changed()
	for _, o := range w.others {
		o.wall.followCameras(streams, from, to)
	}
}

// freePosition is where a camera without a place goes (wallmodel.Model.FreePosition).
func (w *Wall) freePosition() int { return w.m.FreePosition() }

// positionOf is the position of a camera, or -1 when it is not on the wall.
func (w *Wall) positionOf(name string) int { return w.m.PositionOf(name) }

// apply makes the screen follow the model: grid size, cells, maximised tile, selection,
// and which tiles decode.
func (w *Wall) apply() {
	// Hold every camera decoding before tiles stop, so a camera leaving the screen keeps
	// its connection; holdHidden lets go of those decoding again at the end. A camera
	// not running yet (one just added) is not held here: holding would connect it to its
	// smallest stream beside the one its tile then opens.
	w.holdDecoding()
	defer w.holdHidden()
	defer w.followPTZ()
	visible := w.m.Visible()
	sel, maxPos := w.m.Selected(), w.m.Maximised()

	onScreen := map[*Tile]bool{}
	cells := make([]fyne.CanvasObject, 0, len(visible))
	w.shown = w.shown[:0]
	for _, p := range visible {
		if t := w.tiles[w.m.At(p)]; t != nil {
			onScreen[t] = true
			w.shown = append(w.shown, t)
			t.SetSelected(p == sel)
			t.SetMaximised(p == maxPos)
			cells = append(cells, t)
			continue
		}
		c := w.emptyAt(p)
		c.setSelected(p == sel)
		c.setMissing(w.m.Missing(p))
		cells = append(cells, c.obj)
	}
	// Tiles leaving the screen stop first, so two cameras never decode for one cell.
	for name, t := range w.tiles {
		if onScreen[t] {
			continue
		}
		t.SetSelected(false)
		t.SetMaximised(false)
		if t.Running() {
			t.Stop()
		} else if w.running && w.wasShown(t) {
			w.paused[name] = true // the user had stopped it
		}
	}
	g := w.grid.Layout.(*gridLayout)
	if maxPos >= 0 {
		g.cols, g.rows = 1, 1
	} else {
		g.cols, g.rows = w.m.Size()
	}
	w.grid.Objects = cells
	w.grid.Refresh() // lays the tiles out, so they start at their size on screen
	if w.running {
		for _, t := range w.shown {
			if !t.Running() && !w.paused[t.Stream().Name()] {
				t.Start()
			}
		}
	}
	w.prevShown = onScreen
	w.visible = visible
	if w.chrome != nil {
		w.chrome.sync()
	}
}

// decoding reports whether camera s decodes on its tile.
func (w *Wall) decoding(s *capture.Stream) bool {
	t := w.tiles[s.Name()]
	return t != nil && t.Stream() == s && t.Running()
}

// holdDecoding holds, while the wall runs, the cameras decoding on their tile (Hold
// then keeps the variant they run: no second connection), before tiles may stop.
func (w *Wall) holdDecoding() {
	if !w.running || w.parent != nil {
		return // a second window's cameras are held by the main wall
	}
	for _, s := range w.cameras {
		if w.holds[s] == nil && !w.paused[s.Name()] && w.decoding(s) {
			w.holds[s] = s.Hold()
		}
	}
}

// holdHidden keeps the cameras that are not decoding on screen connected without
// decoding, and lets go of the rest: those decoding on their tile (the tile holds them),
// those the user stopped, those no longer in the list, and all once the wall stops.
func (w *Wall) holdHidden() {
	inList := make(map[*capture.Stream]bool, len(w.cameras))
	for _, s := range w.cameras {
		inList[s] = true
		if w.running && w.parent == nil && w.holds[s] == nil && !w.paused[s.Name()] && !w.decoding(s) {
			w.holds[s] = s.Hold()
		}
	}
	for s, release := range w.holds {
		if w.running && inList[s] && !w.paused[s.Name()] && !w.decoding(s) {
			continue
		}
		release()
		delete(w.holds, s)
	}
}

// Held reports whether a camera is kept connected without decoding (not on screen).
func (w *Wall) Held(camera string) bool {
	for s := range w.holds {
		if s.Name() == camera {
			return true
		}
	}
	return false
}

// wasShown reports whether t was on screen before the current apply.
func (w *Wall) wasShown(t *Tile) bool { return w.prevShown[t] }

// emptyAt returns the empty cell for position p.
func (w *Wall) emptyAt(p int) *emptyCell {
	if w.empty[p] == nil {
		w.empty[p] = newEmptyCell(func() { w.Select(p) })
	}
	return w.empty[p]
}

// changed tells Views about the wall's new layout and positions. A failure to save is
// shown on the status bar (never only logged) until a save succeeds.
func (w *Wall) changed() {
	if w.opts.Views == nil {
		return
	}
	w.saveErr = w.opts.Views.SaveWall(w.m.Layout(), w.m.Assignments())
	if w.chrome != nil {
		w.chrome.status.showSaveError(w.saveErr)
	}
}

// SaveError is why the wall's last change could not be saved, or nil.
func (w *Wall) SaveError() error { return w.saveErr }

// Content is the wall's grid alone, to put in a window; Panel is the whole window.
func (w *Wall) Content() fyne.CanvasObject { return w.content }

// Tiles returns the tiles on screen, in grid order (the maximised tile alone while one
// is maximised).
func (w *Wall) Tiles() []*Tile { return slices.Clone(w.shown) }

// Tile returns a camera's tile, on screen or not, or nil for an unknown camera.
func (w *Wall) Tile(camera string) *Tile { return w.tiles[camera] }

// Assignments returns the camera name per position with trailing empty positions
// trimmed: what config.Wall.Tiles stores.
func (w *Wall) Assignments() []string {
	return w.m.Assignments()
}

// Cameras returns the camera list, in list order.
func (w *Wall) Cameras() []*capture.Stream { return slices.Clone(w.cameras) }

// Size returns the grid's columns and rows.
func (w *Wall) Size() (cols, rows int) { return w.m.Size() }

// Layout returns the current layout, one of Layouts.
func (w *Wall) Layout() string { return w.m.Layout() }

// SetLayout changes the grid (restoring a maximised tile). Assignments are kept: positions
// beyond a smaller grid stop decoding and come back when the grid grows. An unknown
// layout is refused.
func (w *Wall) SetLayout(layout string) error {
	changed, err := w.m.SetLayout(layout)
	if err != nil || !changed {
		return err
	}
	w.apply()
	w.changed()
	return nil
}

// Assign puts camera at position pos ("" empties it). A camera is on the wall at most
// once: assigning it elsewhere moves it, and the camera it replaces leaves the wall (it
// stays in the camera list). Assigning a camera also undoes a user's stop on it.
func (w *Wall) Assign(pos int, camera string) {
	if !w.m.Assign(pos, camera) {
		return
	}
	delete(w.paused, camera)
	w.apply()
	w.changed()
}

// Swap exchanges the cameras at positions a and b (either may be empty). Their tiles keep
// their pictures and keep decoding.
func (w *Wall) Swap(a, b int) {
	if !w.m.Swap(a, b) {
		return
	}
	w.apply()
	w.changed()
}

// Selected is the selected position, or -1.
func (w *Wall) Selected() int { return w.m.Selected() }

// Select selects position pos (a tile or an empty cell on screen); -1 clears the
// selection.
func (w *Wall) Select(pos int) {
	if !w.m.Select(pos) {
		return
	}
	for name, t := range w.tiles {
		p := w.m.PositionOf(name)
		t.SetSelected(p >= 0 && p == pos)
	}
	for p, c := range w.empty {
		if c != nil {
			c.setSelected(p == pos)
		}
	}
	if w.chrome != nil {
		w.chrome.sync()
	}
	w.followPTZ()
}

// Maximised is the maximised position, or -1.
func (w *Wall) Maximised() int { return w.m.Maximised() }

// Maximise shows the camera at pos alone, filling the wall, and selects it. The other
// tiles stop decoding until Restore; their cameras stay connected (see Wall), so their
// state stays true in the camera list and the status bar.
func (w *Wall) Maximise(pos int) {
	if w.m.Maximise(pos) {
		w.apply()
	}
}

// Restore brings the grid back after Maximise; the tiles that were playing start again.
func (w *Wall) Restore() {
	if w.m.Restore() {
		w.apply()
	}
}

// TogglePlay stops the selected tile, or starts it again (the Space key).
func (w *Wall) TogglePlay() {
	name := w.m.At(w.m.Selected())
	t := w.tiles[name]
	if t == nil {
		return
	}
	if tp, ok := any(t).(interface{ TogglePlay() }); ok {
		tp.TogglePlay()
	} else if t.Running() {
		t.Stop()
	} else {
		t.Start()
	}
	if w.running {
		w.paused[name] = !t.Running()
		w.holdHidden()
	}
	if w.chrome != nil {
		w.chrome.sync()
	}
}

// Start starts the tiles on screen (except those the user stopped) and, in a window made
// by Panel, the status bar's one-second update.
func (w *Wall) Start() {
	if w.running {
		return
	}
	w.running = true
	for _, t := range w.shown {
		if !w.paused[t.Stream().Name()] {
			t.Start()
		}
	}
	w.holdHidden()
	w.startStatus()
	for _, o := range w.others {
		o.wall.Start()
	}
}

// startStatus starts the status goroutine while the wall runs in a window with a status
// bar (a bare wall, Content alone, has nothing to show it on).
func (w *Wall) startStatus() {
	if w.running && w.chrome != nil && w.tick == nil {
		w.tick = startStatusTicker(w)
	}
}

// Stop stops every tile and the status goroutine and waits for them. It is safe to call
// more than once.
func (w *Wall) Stop() {
	w.closeWindows()
	w.closeTools()
	w.closePTZ() // releases: the camera stops
	w.ptz.closing.Wait()
	w.running = false
	w.holdHidden() // lets go of every hold
	for _, t := range w.tiles {
		t.Stop()
		if t.pbLive != nil {
			pb := t.Stream()
			t.stream, t.pbLive, t.playbackSpeed = t.pbLive, nil, 0
			w.closePlayback(pb)
		}
	}
	w.closing.Wait()
	if w.tick != nil {
		w.tick.stop()
		w.tick = nil
	}
}

// Shutdown tells the wall (and its second windows) that the app is quitting: from now on
// they hand Fyne no more work, which would run off its thread once Fyne's loop has
// drained. Safe from any goroutine. Call it first thing on a termination signal: Fyne's
// own SIGTERM handler may Quit before the window's close (and so Stop) has run.
func (w *Wall) Shutdown() { w.batch.stopping.Store(true) }

// setDo replaces fyne.Do under the wall's batch (tests).
func (w *Wall) setDo(do func(func())) { w.batch.do = do }

// emptyCell is a grid position without a camera: dark, saying so, selectable (so a
// camera clicked in the list lands there) and a drop target. It is a container rather
// than a widget so its text is plain to see for tests walking the tree.
type emptyCell struct {
	obj    *fyne.Container
	border *canvas.Rectangle
	label  *canvas.Text
}

func newEmptyCell(onTap func()) *emptyCell {
	label := canvas.NewText("No camera", colorEmptyText)
	label.TextSize = detailTextSize
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = colorSelected
	border.StrokeWidth = 2
	border.Hide()
	tap := &tapArea{onTap: onTap}
	tap.ExtendBaseWidget(tap)
	return &emptyCell{
		obj:    container.NewStack(canvas.NewRectangle(colorTileBack), container.NewCenter(label), border, tap),
		border: border,
		label:  label,
	}
}

// setMissing names the camera a view places here that is not in the camera list, or
// ("") says the cell is empty.
func (c *emptyCell) setMissing(camera string) {
	text := "No camera"
	if camera != "" {
		text = camera + " — not in the camera list"
	}
	if c.label.Text != text {
		c.label.Text = text
		c.label.Refresh()
	}
}

func (c *emptyCell) setSelected(on bool) {
	if on == c.border.Visible() {
		return
	}
	setVisible(c.border, on)
}

// tapArea is an invisible widget that reports taps.
type tapArea struct {
	widget.BaseWidget
	onTap func()
}

// Tapped is part of fyne.Tappable.
func (a *tapArea) Tapped(*fyne.PointEvent) {
	if a.onTap != nil {
		a.onTap()
	}
}

// CreateRenderer is part of fyne.Widget.
func (a *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// gridLayout is a fixed cols×rows grid with a gap between cells. Fyne's GridLayout puts
// the theme's padding between cells, which is too wide for a wall of pictures and not
// under our control.
type gridLayout struct {
	cols, rows int
	gap        float32
}

func (g *gridLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cw := (size.Width - g.gap*float32(g.cols-1)) / float32(g.cols)
	ch := (size.Height - g.gap*float32(g.rows-1)) / float32(g.rows)
	for i, o := range objects {
		c, r := i%g.cols, i/g.cols
		if r >= g.rows {
			o.Hide()
			continue
		}
		o.Move(fyne.NewPos(float32(c)*(cw+g.gap), float32(r)*(ch+g.gap)))
		o.Resize(fyne.NewSize(cw, ch))
	}
}

func (g *gridLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var cell fyne.Size
	for _, o := range objects {
		cell = cell.Max(o.MinSize())
	}
	return fyne.NewSize(
		cell.Width*float32(g.cols)+g.gap*float32(g.cols-1),
		cell.Height*float32(g.rows)+g.gap*float32(g.rows-1))
}

// SetSites replaces the video management sites the sidebar lists (UI goroutine).
func (w *Wall) SetSites(views []*SiteView) {
	w.sites = slices.Clone(views)
	if w.chrome != nil {
		w.chrome.side.sync()
	}
}

// addSite adds or replaces (by label) one site in the sidebar.
func (w *Wall) addSite(v *SiteView) {
	views := slices.Clone(w.sites)
	for i, o := range views {
		if strings.EqualFold(o.Site.Label(), v.Site.Label()) {
			views[i] = v
			w.SetSites(views)
			return
		}
	}
	w.SetSites(append(views, v))
}

// Sites is the sites the sidebar lists.
func (w *Wall) Sites() []*SiteView { return slices.Clone(w.sites) }
