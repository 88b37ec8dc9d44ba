package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// sidebarWidth is the camera list's width: room for a camera name of about 24 characters.
const sidebarWidth = 220

// colorRowCurrent backs the camera row the Edit and Remove buttons act on.
var colorRowCurrent color.Color = color.NRGBA{R: 0x4f, G: 0xa3, B: 0xff, A: 0x40}

// sidebar is the camera list on the left of the window: every camera with a state dot.
// A click selects a camera in the list (for Edit and Remove) and shows its state below
// the list, without touching the wall (issue 12: a click meant to pick a camera for
// Remove pushed another off its tile); a double-click, Enter on the selected row, or a
// drag puts it on a tile. Add, Edit and Remove open the camera dialog.
type sidebar struct {
	w    *Wall
	obj  fyne.CanvasObject
	list *fyne.Container
	rows map[string]*camRow
	// current is the camera Edit and Remove act on: the last one clicked in the list,
	// or the one on the selected tile.
	current           string
	add, edit, remove *widget.Button
	connectSite       *widget.Button
	recordings        *widget.Button
	events            *widget.Button
	push              *widget.Button
	names             []string // the cameras the rows were built for
	// stateLine says the current camera's state in words (as its tile's card would).
	stateLine           *widget.Label
	selectedOnTileShown int
	// sitesBuilt is the site list the site sections were built for; siteRows their
	// camera rows.
	sitesBuilt []*SiteView
	siteRows   []*siteCamRow
	// siteHeads are the site sections' headings by site label, to scroll to.
	siteHeads map[string]fyne.CanvasObject
	scroll    *container.Scroll

	// notice is the non-modal confirmation under the buttons ("Connected to …");
	// noticeSeq tells its current auto-hide from a stale one.
	notice     *fyne.Container
	noticeText *widget.Label
	noticeSeq  int
}

// siteNoticeFor is how long the "Connected to …" notice stays.
var siteNoticeFor = 15 * time.Second

func newSidebar(w *Wall) *sidebar {
	s := &sidebar{w: w, rows: map[string]*camRow{}, list: container.NewVBox()}
	s.add = widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), s.addCamera)
	s.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), s.editCamera)
	s.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), s.removeCamera)
	title := widget.NewLabelWithStyle("Cameras", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hint := wrapLabel("Double-click (or Enter) to show on the selected tile, or drag onto a tile.")
	hint.Importance = widget.LowImportance
	s.connectSite = widget.NewButtonWithIcon("Connect to Milestone…", theme.LoginIcon(), s.showSiteDialog)
	s.recordings = widget.NewButtonWithIcon("Recordings…", theme.FolderIcon(), w.showRecordings)
	s.events = widget.NewButtonWithIcon("Events…", theme.ListIcon(), w.showEvents)
	if w.opts.Events == nil {
		s.events.Hide()
	}
	s.push = widget.NewButtonWithIcon("Push listeners…", theme.UploadIcon(), w.showPushListeners)
	if w.opts.Push == nil {
		s.push.Hide()
	}
	s.noticeText = wrapLabel("")
	s.noticeText.Importance = widget.SuccessImportance
	s.notice = container.NewBorder(nil, nil, nil,
		container.NewVBox(widget.NewButtonWithIcon("", theme.CancelIcon(), s.hideNotice)), s.noticeText)
	s.notice.Hide()
	s.stateLine = wrapLabel("")
	s.stateLine.Hide()
	buttons := container.NewVBox(s.stateLine, container.NewGridWithColumns(3, s.add, s.edit, s.remove), s.connectSite, s.recordings, s.events, s.push, s.notice)
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(sidebarWidth, 0))
	s.obj = container.NewStack(width, container.NewBorder(
		container.NewVBox(title, hint), buttons, nil, nil, s.newScroll()))
	s.sync()
	return s
}

// sync rebuilds the rows when the camera list changed and updates what depends on the
// wall's selection (UI goroutine).
func (s *sidebar) sync() {
	cams := s.w.cameras
	same := len(cams) == len(s.names) && slices.Equal(s.sitesBuilt, s.w.sites)
	for i := 0; same && i < len(cams); i++ {
		same = cams[i].Name() == s.names[i]
	}
	if !same {
		s.names = s.names[:0]
		objs := make([]fyne.CanvasObject, 0, len(cams))
		rows := make(map[string]*camRow, len(cams))
		for _, c := range cams {
			name := c.Name()
			r := s.rows[name]
			if r == nil {
				r = newCamRow(s, name)
			}
			rows[name] = r
			objs = append(objs, r)
			s.names = append(s.names, name)
		}
		s.rows = rows
		objs = append(objs, s.siteSections()...)
		s.list.Objects = objs
		s.list.Refresh()
		if s.rows[s.current] == nil {
			s.current = ""
		}
	}
	// Selecting a tile makes its camera the current one.
	if sel := s.w.m.Selected(); sel >= 0 && sel != s.selectedOnTileShown && s.w.m.At(sel) != "" {
		s.current = s.w.m.At(sel)
	}
	s.selectedOnTileShown = s.w.m.Selected()
	for name, r := range s.rows {
		r.setState(name == s.current, s.w.positionOf(name) >= 0)
	}
	s.showCurrentState()
	editor, remover := s.w.editor(), s.w.remover()
	setEnabled(s.add, editor != nil)
	setEnabled(s.edit, s.current != "" && editor != nil)
	setEnabled(s.remove, s.current != "" && remover != nil)
	if s.w.opts.Recordings == nil {
		s.recordings.Hide()
	} else {
		s.recordings.Show()
	}
	setEnabled(s.connectSite, s.w.opts.Sites != nil)
	byURL := s.camerasByURL()
	for _, r := range s.siteRows {
		name := byURL[r.cam.URL]
		r.setState(name != "" && name == s.current, name != "" && s.w.positionOf(name) >= 0)
	}
}

// camerasByURL maps a configured camera's first stream URL to its name, so a site's
// camera that is already saved acts as that camera.
func (s *sidebar) camerasByURL() map[string]string {
	out := map[string]string{}
	if s.w.opts.Cameras == nil {
		return out
	}
	for _, c := range s.w.cameras {
		if cam, ok := s.w.opts.Cameras.Camera(c.Name()); ok && len(cam.Streams) > 0 {
			out[cam.Streams[0].URL] = c.Name()
		}
	}
	return out
}

// siteSections builds a section per site: its name, then per recording server its
// name and cameras (or why the site could not be listed).
func (s *sidebar) siteSections() []fyne.CanvasObject {
	s.sitesBuilt = slices.Clone(s.w.sites)
	s.siteRows = s.siteRows[:0]
	s.siteHeads = map[string]fyne.CanvasObject{}
	var objs []fyne.CanvasObject
	for _, v := range s.w.sites {
		head := widget.NewLabelWithStyle(v.Site.Label(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, widget.NewSeparator(), head)
		s.siteHeads[v.Site.Label()] = head
		if v.Err != nil {
			l := wrapLabel(v.Err.Error())
			l.Importance = widget.DangerImportance
			objs = append(objs, l)
			continue
		}
		for _, r := range v.Recorders {
			rl := widget.NewLabel(r.Name)
			rl.Importance = widget.LowImportance
			rl.Truncation = fyne.TextTruncateEllipsis
			objs = append(objs, rl)
			for _, c := range r.Cameras {
				row := newSiteCamRow(s, v, c)
				s.siteRows = append(s.siteRows, row)
				objs = append(objs, row)
			}
		}
	}
	return objs
}

func (s *sidebar) showSiteDialog() {
	w := s.w
	sites := w.opts.Sites
	if w.win == nil || sites == nil {
		return
	}
	ShowSiteDialog(w.win, sites.Connect, s.siteConnected)
}

// newScroll makes the scroller of the camera list.
func (s *sidebar) newScroll() fyne.CanvasObject {
	s.scroll = container.NewVScroll(s.list)
	return s.scroll
}

// siteConnected saves a site the user connected to, lists it, scrolls the list to its
// cameras and confirms it in a notice that does not stop the wall ("Connected to X: N
// cameras on M recording servers"), as Smart Client shows a site's tree after login.
func (s *sidebar) siteConnected(v *SiteView, trust []config.Trusted) error {
	w := s.w
	if sites := w.opts.Sites; sites != nil {
		if err := sites.Save(v, trust); err != nil {
			return err
		}
	}
	w.addSite(v)
	s.sync()
	s.scrollToSite(v.Site.Label())
	cams := 0
	for _, r := range v.Recorders {
		cams += len(r.Cameras)
	}
	s.showNotice(fmt.Sprintf("Connected to %s: %s on %s.", v.Site.Label(),
		plural(cams, "camera", "cameras"), plural(len(v.Recorders), "recording server", "recording servers")))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// scrollToSite scrolls the camera list so that a site's heading is at its top (as far
// as the list goes).
func (s *sidebar) scrollToSite(label string) {
	head := s.siteHeads[label]
	if head == nil || s.scroll == nil {
		return
	}
	s.scroll.Refresh() // lay the list out with the new section
	y := head.Position().Y
	if maxY := s.list.MinSize().Height - s.scroll.Size().Height; y > maxY {
		y = max(maxY, 0)
	}
	s.scroll.ScrollToOffset(fyne.NewPos(0, y))
}

// showNotice shows msg under the buttons for siteNoticeFor (or until dismissed).
func (s *sidebar) showNotice(msg string) {
	s.noticeText.SetText(msg)
	s.notice.Show()
	s.noticeSeq++
	seq := s.noticeSeq
	do := s.w.batch.Do
	time.AfterFunc(siteNoticeFor, func() {
		do(func() {
			if seq == s.noticeSeq {
				s.hideNotice()
			}
		})
	})
}

func (s *sidebar) hideNotice() {
	s.noticeSeq++
	s.notice.Hide()
}

// siteCameraTapped adds a site's camera: saved (named after the camera, made unique)
// with the site's credentials, it goes where a new camera goes (never over another
// camera). One already saved is selected in the list, as its own row would be; place
// puts it on the selected tile (a double-click).
func (s *sidebar) siteCameraTapped(v *SiteView, c SiteCamera, place bool) {
	if name := s.camerasByURL()[c.URL]; name != "" {
		if place {
			s.rowTapped(name)
		} else {
			s.rowSelected(name)
		}
		return
	}
	w := s.w
	ed := w.editor()
	if ed == nil {
		return
	}
	name := uniqueName(c.Name, s.names)
	cam := config.Camera{Name: name, Streams: []config.Stream{{URL: c.URL}}, User: v.Site.User, Password: v.Site.Password}
	err := ed.Add(cam)
	w.refreshCameras("", "")
	if err != nil {
		if w.win != nil {
			showNotice(w.win, "Error", fmt.Sprintf("could not add camera %q: %v", name, err))
		}
		return
	}
	s.current = name
	if p := w.positionOf(name); p >= 0 {
		w.Select(p)
	}
	s.sync()
}

// uniqueName is name, or name (2), name (3)… when taken (ignoring case).
func uniqueName(name string, taken []string) string {
	used := map[string]bool{}
	for _, t := range taken {
		used[strings.ToLower(t)] = true
	}
	if name == "" {
		name = "Camera"
	}
	out := name
	for i := 2; used[strings.ToLower(out)]; i++ {
		out = fmt.Sprintf("%s (%d)", name, i)
	}
	return out
}

// siteCamRow is a camera of a site in the sidebar; a click shows it on the selected tile.
type siteCamRow struct {
	widget.BaseWidget
	s     *sidebar
	view  *SiteView
	cam   SiteCamera
	back  *canvas.Rectangle
	label *widget.Label
}

func newSiteCamRow(s *sidebar, v *SiteView, c SiteCamera) *siteCamRow {
	r := &siteCamRow{s: s, view: v, cam: c, back: canvas.NewRectangle(color.Transparent)}
	r.label = widget.NewLabel("   " + c.Name)
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *siteCamRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.back, r.label))
}

// Tapped is part of fyne.Tappable.
func (r *siteCamRow) Tapped(*fyne.PointEvent) { r.s.siteCameraTapped(r.view, r.cam, false) }

// DoubleTapped is part of fyne.DoubleTappable: the camera goes on the selected tile.
func (r *siteCamRow) DoubleTapped(*fyne.PointEvent) { r.s.siteCameraTapped(r.view, r.cam, true) }

func (r *siteCamRow) setState(current, onWall bool) { markRow(r.back, r.label, current, onWall) }

// showStates colours the dots (UI goroutine).
func (s *sidebar) showStates(states map[string]capture.Status) {
	for name, st := range states {
		if r := s.rows[name]; r != nil {
			r.setDot(stateColor(st))
		}
	}
	s.showCurrentState()
}

// showCurrentState puts the current camera's state in words under the list.
func (s *sidebar) showCurrentState() {
	var st *capture.Stream
	for _, c := range s.w.cameras {
		if c.Name() == s.current {
			st = c
		}
	}
	if st == nil {
		s.stateLine.Hide()
		return
	}
	text, imp := stateWords(st.Status(), time.Now())
	text = s.current + ": " + text
	if s.stateLine.Text != text || s.stateLine.Importance != imp {
		s.stateLine.Text, s.stateLine.Importance = text, imp
		s.stateLine.Refresh()
	}
	s.stateLine.Show()
}

// stateWords is a camera's state as the list says it: as its tile's card would, and
// "live" when it shows pictures; offline is in the danger colour.
func stateWords(st capture.Status, now time.Time) (string, widget.Importance) {
	switch st.State {
	case capture.StateLive:
		return "live", widget.SuccessImportance
	case capture.StateFallback:
		return "live (snapshots)", widget.SuccessImportance
	}
	c := describe(st, time.Time{}, now)
	text := strings.ToLower(c.title[:1]) + c.title[1:]
	if c.kind == cardOffline || c.kind == cardConnecting && st.Err != nil {
		if c.kind == cardConnecting {
			text = "offline, reconnecting"
		}
		if st.Err != nil {
			text += " — " + st.Err.Error()
		}
		return text, widget.DangerImportance
	}
	if c.kind == cardStopped {
		return "not connected (not shown)", widget.LowImportance
	}
	return text, widget.MediumImportance
}

// rowSelected makes a camera the list's current one (Edit and Remove act on it) and
// shows its state; the wall is not changed.
func (s *sidebar) rowSelected(name string) {
	s.current = name
	s.sync()
}

// rowTapped puts a camera on the selected tile (a double-click, Enter, or a site's
// camera clicked); with no tile selected it selects the camera's tile, or places the
// camera in the first empty position.
func (s *sidebar) rowTapped(name string) {
	s.current = name
	w := s.w
	switch {
	case w.m.Selected() >= 0:
		w.Assign(w.m.Selected(), name)
	case w.positionOf(name) >= 0 && w.positionOf(name) < w.m.Cells():
		w.Select(w.positionOf(name))
	default:
		if p := w.freePosition(); p >= 0 {
			w.Assign(p, name)
			w.Select(p)
		}
	}
	s.sync()
}

func (s *sidebar) others(except string) []string {
	var out []string
	for _, n := range s.names {
		if n != except {
			out = append(out, n)
		}
	}
	return out
}

func (s *sidebar) addCamera() {
	ed := s.w.editor()
	if s.w.win == nil || ed == nil {
		return
	}
	s.cameraDialog(nil, ed.Add)
}

func (s *sidebar) editCamera() {
	name := s.current
	ed := s.w.editor()
	if s.w.win == nil || ed == nil || name == "" {
		return
	}
	cam := config.Camera{Name: name}
	if c, ok := ed.Camera(name); ok {
		cam = c
	}
	s.cameraDialog(&cam, func(saved config.Camera) error { return ed.Edit(name, saved) })
}

// cameraDialog opens the camera dialog on cam (nil: a new camera) and saves with save.
// The wall follows the result whether or not it was refused — a renamed camera keeps its
// places — and the sidebar then selects the saved camera.
func (s *sidebar) cameraDialog(cam *config.Camera, save func(config.Camera) error) {
	w := s.w
	old := ""
	if cam != nil {
		old = cam.Name
	}
	ShowCameraDialog(w.win, cam, s.others(old), w.models(), w.opts.Prober, w.opts.PTZTester, w.trustFunc(), func(saved config.Camera) error {
		err := save(saved)
		if old == "" {
			w.refreshCameras("", "")
		} else {
			w.refreshCameras(old, saved.Name)
		}
		if err != nil {
			return err // the dialog stays open with what was typed
		}
		s.current = saved.Name
		s.sync()
		return nil
	})
}

func (s *sidebar) removeCamera() {
	w := s.w
	name := s.current
	rm := w.remover()
	if w.win == nil || rm == nil || name == "" {
		return
	}
	msg := fmt.Sprintf("Remove camera %q from Vigil?\nIts recordings stay on disk.", name)
	showConfirm(w.win, "Remove camera", msg, "Remove", func(ok bool) {
		if !ok {
			return
		}
		err := rm.Remove(name)
		w.refreshCameras("", "")
		if err != nil {
			showNotice(w.win, "Error", fmt.Sprintf("could not remove camera %q: %v", name, err))
			return
		}
		s.sync()
	})
}

// camRow is one camera in the list: a state dot and the name. A click selects it (and
// gives it the keyboard: Enter places it, Up and Down move in the list, Esc gives the
// keyboard back to the wall, other keys go to the wall); a double-click places it on
// the selected tile; a drag drops it on a tile.
type camRow struct {
	widget.BaseWidget
	s        *sidebar
	name     string
	back     *canvas.Rectangle
	dotC     *canvas.Circle
	label    *widget.Label
	dragging bool
	focused  bool
}

func newCamRow(s *sidebar, name string) *camRow {
	r := &camRow{s: s, name: name}
	r.back = canvas.NewRectangle(color.Transparent)
	r.dotC = canvas.NewCircle(colorDotStopped)
	r.label = widget.NewLabel(name)
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *camRow) CreateRenderer() fyne.WidgetRenderer {
	d := container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), r.dotC))
	return widget.NewSimpleRenderer(container.NewStack(r.back,
		container.NewBorder(nil, nil, container.NewPadded(d), nil, r.label)))
}

// setState marks the current row and, in bold, the cameras on the wall.
func (r *camRow) setState(current, onWall bool) { markRow(r.back, r.label, current, onWall) }

// markRow backs the current row and puts the cameras on the wall in bold.
func markRow(bg *canvas.Rectangle, label *widget.Label, current, onWall bool) {
	back := color.Color(color.Transparent)
	if current {
		back = colorRowCurrent
	}
	if bg.FillColor != back {
		bg.FillColor = back
		bg.Refresh()
	}
	if label.TextStyle.Bold != onWall {
		label.TextStyle.Bold = onWall
		label.Refresh()
	}
}

func (r *camRow) setDot(c color.Color) {
	if r.dotC.FillColor == c {
		return
	}
	r.dotC.FillColor = c
	r.dotC.Refresh()
}

// Tapped is part of fyne.Tappable: a click selects the camera in the list and gives the
// row the keyboard (for Enter).
func (r *camRow) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil && c.Focused() != r {
		c.Focus(r)
	}
	r.s.rowSelected(r.name)
}

// DoubleTapped is part of fyne.DoubleTappable: a double-click puts the camera on the
// selected tile.
func (r *camRow) DoubleTapped(*fyne.PointEvent) { r.s.rowTapped(r.name) }

// FocusGained is part of fyne.Focusable.
func (r *camRow) FocusGained() { r.focused = true; r.s.rowSelected(r.name) }

// FocusLost is part of fyne.Focusable.
func (r *camRow) FocusLost() { r.focused = false }

// TypedRune is part of fyne.Focusable.
func (r *camRow) TypedRune(rune) {}

// TypedKey is part of fyne.Focusable: Enter places the camera, Up and Down move in the
// list, Esc hands the keyboard back to the wall; other keys are the wall's.
func (r *camRow) TypedKey(ev *fyne.KeyEvent) {
	s := r.s
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		s.rowTapped(r.name)
	case fyne.KeyUp, fyne.KeyDown:
		i := slices.Index(s.names, r.name)
		if ev.Name == fyne.KeyUp {
			i--
		} else {
			i++
		}
		if i >= 0 && i < len(s.names) && s.rows[s.names[i]] != nil && s.w.win != nil {
			s.w.win.Canvas().Focus(s.rows[s.names[i]])
		}
	case fyne.KeyEscape:
		if s.w.win != nil {
			s.w.win.Canvas().Unfocus()
		}
	default:
		s.w.TypedKey(ev)
	}
}

// Dragged is part of fyne.Draggable. Fyne has no drag and drop between widgets, so the
// row follows the pointer itself (in canvas coordinates) and the wall hit-tests its
// cells on DragEnd.
func (r *camRow) Dragged(ev *fyne.DragEvent) {
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(r).Add(ev.Position)
	if !r.dragging {
		r.dragging = true
		r.s.w.chrome.dragStart(r.name)
	}
	r.s.w.chrome.dragMove(abs)
}

// DragEnd is part of fyne.Draggable.
func (r *camRow) DragEnd() {
	if !r.dragging {
		return
	}
	r.dragging = false
	r.s.w.chrome.dragEnd()
}

// setEnabled enables or disables w, as setVisible shows or hides.
func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// editor is the wall's Cameras when they can be added and edited, else nil.
func (w *Wall) editor() CameraEditor {
	ed, _ := w.opts.Cameras.(CameraEditor)
	return ed
}

// models are the settings' models the camera dialog offers, none without AnalyzerModels.
func (w *Wall) models() []config.Model {
	if m, ok := w.opts.Cameras.(AnalyzerModels); ok {
		return m.Models()
	}
	return nil
}

// remover is the wall's Cameras when they can be removed, else nil.
func (w *Wall) remover() CameraRemover {
	rm, _ := w.opts.Cameras.(CameraRemover)
	return rm
}

// trustFunc is the camera dialog's Trust action, nil without a TrustStore.
func (w *Wall) trustFunc() func([]config.Trusted) error {
	if w.opts.Trust == nil {
		return nil
	}
	return w.opts.Trust.Trust
}
