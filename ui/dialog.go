package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Probe settings of the dialog's Test button: long enough to measure a frame rate, short
// enough that an engineer is not kept waiting; the timeout is `vigil probe`'s.
const (
	dialogProbeDuration = 2 * time.Second
	dialogProbeTimeout  = 10 * time.Second
)

// transportChoices are the RTSP transports offered: config's accepted values, those the
// protocols registered.
var transportChoices = config.Transports()

// recordChoices are the camera's recording modes, the default first.
var recordChoices = []string{"off", "continuous", "motion"}

// ShowCameraDialog shows the dialog that adds (cam nil) or edits (cam non-nil) a camera
// over win: its name, one or more stream URLs each with an optional size and name, user,
// password (masked), an optional fallback URL, the RTSP transport and the expected frame
// rate.
//
// Every problem is shown under the field that holds it, in the words of config.Validate
// (the same checks the settings file gets), plus a name already in others (compared
// ignoring case; the edited camera's own name is never a clash). Save is refused while a
// problem remains; otherwise the dialog closes and onSave receives the typed camera, with
// credentials only in User/Password, never in a URL.
//
// The Test button probes the first stream through prober, as `vigil probe` does, on a
// goroutine of its own, and shows what answered (protocol, authentication, codec, size,
// frame rate, bitrate, time to the first frame) or the error and what to try. Closing
// the dialog, or tapping the button again, cancels the probe; its goroutine ends as soon
// as the Prober returns, which a Prober does promptly once its context is cancelled.
// prober may be nil: the Test button is then disabled.
//
// A camera behind a certificate no authority vouches for (https or rtsps with the
// camera's self-signed certificate) fails the Test with the certificate's SHA-256
// fingerprint, to compare with the camera's, and a Trust button: Test then runs again
// trusting it, and Save hands the accepted certificates to onTrust (the settings' trust
// list, as Connect to Milestone… pins a server) before onSave. A failing onTrust keeps
// the dialog open with its error. onTrust may be nil: no Trust button is offered.
//
// The PTZ row edits the camera's ptz block (dialog_ptz.go): its kind, URL, user,
// password and (onvif) profile, checked as the settings file's are; its Test PTZ button
// reads the device's identity and presets through ptz, moving nothing. ptz may be nil:
// Test PTZ is then disabled.
//
// The Analytics row ticks the camera's analyzers: the built-ins and the names of models,
// the settings' detector models (analytics.models).
//
// The password is never shown, logged or put into a message.
func ShowCameraDialog(win fyne.Window, cam *config.Camera, others []string, models []config.Model, prober capture.Prober, ptz PTZTester,
	onTrust func([]config.Trusted) error, onSave func(config.Camera) error) {
	newCameraDialog(win, cam, others, models, prober, ptz, onTrust, onSave, fyne.Do).show()
}

// cameraDialog is the state of one camera dialog. Its fields are touched on the UI
// goroutine only; the probe goroutine reports back through do.
type cameraDialog struct {
	win     fyne.Window
	orig    config.Camera // the camera being edited; zero when adding
	adding  bool
	others  []string
	models  []config.Model // the settings' models, whose names the analyzers offer
	prober  capture.Prober
	ptz     ptzFields
	onTrust func([]config.Trusted) error
	onSave  func(config.Camera) error // an error keeps the dialog open with what was typed
	do      func(func())              // fyne.Do, or a test's queue

	name, user, password, fallback, fps *widget.Entry
	transport                           *widget.Select
	analyzers                           *widget.CheckGroup
	record                              *widget.Select
	nameErr, streamsErr, fallbackErr    *widget.Label
	transportErr, fpsErr, formErr       *widget.Label

	rows      []*streamRow
	rowsBox   *fyne.Container
	addStream *widget.Button

	save, cancel, test *widget.Button
	activity           *widget.Activity
	result             *widget.Label

	// trustBtn accepts offer, the certificate the last Test was refused; trusted are the
	// certificates accepted in this dialog, which Test trusts and Save hands to onTrust.
	trustBtn *widget.Button
	offer    *config.Trusted
	trusted  []config.Trusted

	title   *widget.Label
	content fyne.CanvasObject
	pop     *widget.PopUp
	closed  bool

	// showAll is set by the first Save: from then on every problem is shown, not only
	// those of fields the user has changed (an empty add dialog starts without red).
	showAll bool
	dirty   map[*widget.Entry]bool
	// outer is each entry's widget in the dialog, which takes Esc (popkeys.go).
	outer map[*widget.Entry]*dialogEntry

	// The probe in flight: probeSeq tells a current result from a stale one.
	probeCancel context.CancelFunc
	probeSeq    int
	probes      sync.WaitGroup
}

// streamRow is one stream's line of the dialog: URL, size, name, remove button, and the
// messages under them.
type streamRow struct {
	url, size, name          *widget.Entry
	remove                   *widget.Button
	urlErr, sizeErr, nameErr *widget.Label
	// moveCreds, shown when the URL carries user:password@, moves them into the
	// dialog's user and password fields.
	moveCreds *widget.Button
	box       *fyne.Container
}

func newCameraDialog(win fyne.Window, cam *config.Camera, others []string, models []config.Model, prober capture.Prober, ptz PTZTester,
	onTrust func([]config.Trusted) error, onSave func(config.Camera) error, do func(func())) *cameraDialog {
	d := &cameraDialog{
		win: win, adding: cam == nil, others: others, models: models, prober: prober, ptz: ptzFields{tester: ptz}, onTrust: onTrust, onSave: onSave, do: do,
		dirty: map[*widget.Entry]bool{}, outer: map[*widget.Entry]*dialogEntry{},
	}
	if cam != nil {
		d.orig = *cam
		d.orig.Streams = append([]config.Stream(nil), cam.Streams...)
		d.showAll = true // an existing camera's problems are worth seeing at once
	}
	d.build()
	return d
}

// errLabel is an empty, hidden message label for under a field.
func errLabel() *widget.Label {
	l := wrapLabel("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// wrapLabel is a label whose text wraps between words.
func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// lineList is a list of one text line a row: widest is the longest line expected (it
// sizes the rows), line(i) the text of row i.
func lineList(rows func() int, widest string, line func(i int) string) *widget.List {
	return widget.NewList(rows, func() fyne.CanvasObject { return widget.NewLabel(widest) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(line(i)) })
}

// playFromHere is the button that plays the recordings from the row selected in a list
// of times; it stays disabled until a row is selected.
func playFromHere(tapped func()) *widget.Button {
	b := widget.NewButtonWithIcon("Play from here", theme.MediaPlayIcon(), tapped)
	b.Disable()
	return b
}

// testButton is a dialog's button that tries what was typed; it is disabled when the
// program gave the dialog nothing to try it with.
func testButton(label string, icon fyne.Resource, tapped func(), canTest bool) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, tapped)
	if !canTest {
		b.Disable()
	}
	return b
}

// entry sets up a dialog entry that re-validates the dialog when edited, Esc in it
// closing the dialog and Enter being onEnter; it returns the entry (d.obj is its widget).
func (d *cameraDialog) entry(de *dialogEntry, text, placeholder string) *widget.Entry {
	e := &de.Entry
	d.outer[e] = de
	e.SetText(text)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) {
		d.dirty[e] = true
		d.validate()
	}
	e.OnSubmitted = func(string) { d.onEnter() }
	return e
}

// obj is the widget of an entry made by entry.
func (d *cameraDialog) obj(e *widget.Entry) fyne.CanvasObject {
	if de := d.outer[e]; de != nil {
		return de
	}
	return e
}

func (d *cameraDialog) build() {
	c := d.orig
	d.name = d.entry(newDialogEntry(d.close), c.Name, "Front gate")
	d.user = d.entry(newDialogEntry(d.close), c.User, "optional")
	d.password = d.entry(newDialogPasswordEntry(d.close), c.Password, "optional")
	d.fallback = d.entry(newDialogEntry(d.close), c.Fallback, "optional, e.g. http://192.168.1.20/snapshot.jpg")
	fps := ""
	if c.FPS != 0 {
		fps = strconv.FormatFloat(c.FPS, 'f', -1, 64)
	}
	d.fps = d.entry(newDialogEntry(d.close), fps, "optional, e.g. 15")
	d.transport = widget.NewSelect(transportChoices, nil)
	d.transport.SetSelected(config.DefaultTransport)
	if c.Transport != "" {
		d.transport.SetSelected(c.Transport)
	}
	d.transport.OnChanged = func(string) { d.validate() }
	d.analyzers = widget.NewCheckGroup(d.settings().AnalyzerNames(), nil)
	d.analyzers.Horizontal = true
	d.analyzers.SetSelected(c.Analyzers)
	d.record = widget.NewSelect(recordChoices, nil)
	d.record.SetSelected(recordChoices[0])
	if c.Record != "" {
		d.record.SetSelected(c.Record)
	}
	d.analyzers.OnChanged = func([]string) { d.validate() }
	d.record.OnChanged = func(string) { d.validate() }
	d.nameErr, d.streamsErr, d.fallbackErr = errLabel(), errLabel(), errLabel()
	d.transportErr, d.fpsErr, d.formErr = errLabel(), errLabel(), errLabel()

	d.rowsBox = container.NewVBox()
	d.addStream = widget.NewButtonWithIcon("Add stream", theme.ContentAddIcon(), func() {
		d.addRow(config.Stream{})
		d.validate()
	})
	streams := c.Streams
	if len(streams) == 0 {
		streams = []config.Stream{{}}
	}
	for _, s := range streams {
		d.addRow(s)
	}

	d.activity = widget.NewActivity()
	d.activity.Hide()
	d.result = wrapLabel("")
	d.result.Hide()
	d.test = testButton("Test", theme.MediaPlayIcon(), d.onTest, d.prober != nil)
	d.trustBtn = widget.NewButtonWithIcon("Trust", theme.ConfirmIcon(), d.onTrustTapped)
	d.trustBtn.Hide()

	field := func(objs ...fyne.CanvasObject) fyne.CanvasObject { return container.NewVBox(objs...) }
	streamHead := container.NewBorder(nil, nil, nil, d.addStream,
		widget.NewLabelWithStyle("URL · size (WxH) · name", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Name"), field(d.obj(d.name), d.nameErr),
		widget.NewLabel("Streams"), field(streamHead, d.rowsBox, d.streamsErr),
		widget.NewLabel("User"), d.obj(d.user),
		widget.NewLabel("Password"), d.obj(d.password),
		widget.NewLabel("Fallback URL"), field(d.obj(d.fallback), d.fallbackErr),
		widget.NewLabel("Transport"), field(d.transport, d.transportErr),
		widget.NewLabel("Frame rate"), field(d.obj(d.fps), d.fpsErr),
		widget.NewLabel("Analytics"), d.analyzers,
		widget.NewLabel("Record"), d.record,
		widget.NewLabel("PTZ"), d.buildPTZ(),
	)
	testRow := container.NewBorder(nil, nil, container.NewVBox(container.NewHBox(d.test, d.activity), d.trustBtn), nil, d.result)
	d.content = container.NewVScroll(form)

	title := "Edit camera"
	if d.adding {
		title = "Add camera"
	}
	d.title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), d.onSaveTapped)
	d.save.Importance = widget.HighImportance
	d.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), d.close)
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(d.cancel, d.save), d.formErr)
	// A modal pop-up rather than fyne's dialog package, whose file dialogs pull in a
	// module (github.com/FyshOS/fancyfs) this repository does not carry.
	bottom := container.NewVBox(widget.NewSeparator(), testRow, buttons)
	d.pop = widget.NewModalPopUp(container.NewBorder(d.title, bottom, nil, nil, d.content), d.win.Canvas())
	registerPopKeys(d.pop, d.close, d.onEnter)
	d.validate()
}

// addRow appends a stream line.
func (d *cameraDialog) addRow(s config.Stream) {
	r := &streamRow{urlErr: errLabel(), sizeErr: errLabel(), nameErr: errLabel()}
	r.url = d.entry(newDialogEntry(d.close), s.URL, "rtsp://192.168.1.20/stream1")
	r.size = d.entry(newDialogEntry(d.close), s.Size, "1920x1080")
	namePlaceholder := "main"
	if len(d.rows) > 0 {
		namePlaceholder = "sub"
	}
	r.name = d.entry(newDialogEntry(d.close), s.Name, namePlaceholder)
	r.moveCreds = widget.NewButtonWithIcon("Move to user/password", theme.AccountIcon(), func() {
		d.moveCredentials(r)
	})
	r.moveCreds.Hide()
	r.remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() {
		d.removeRow(r)
		d.validate()
	})
	small := container.NewGridWithColumns(2, d.obj(r.size), d.obj(r.name))
	line := container.NewBorder(nil, nil, nil, container.NewHBox(container.NewGridWrap(
		fyne.NewSize(220, r.size.MinSize().Height), small), r.remove), d.obj(r.url))
	r.box = container.NewVBox(line, container.NewBorder(nil, nil, nil, r.moveCreds, r.urlErr), r.sizeErr, r.nameErr)
	d.rows = append(d.rows, r)
	d.rowsBox.Add(r.box)
	d.updateRowButtons()
}

// removeRow drops a stream line; the last one stays.
func (d *cameraDialog) removeRow(r *streamRow) {
	if len(d.rows) <= 1 {
		return
	}
	for i, x := range d.rows {
		if x == r {
			d.rows = append(d.rows[:i], d.rows[i+1:]...)
			break
		}
	}
	d.rowsBox.Remove(r.box)
	d.updateRowButtons()
}

func (d *cameraDialog) updateRowButtons() {
	for _, r := range d.rows {
		if len(d.rows) > 1 {
			r.remove.Enable()
		} else {
			r.remove.Disable()
		}
	}
	if len(d.rows) >= config.MaxStreams {
		d.addStream.Disable()
	} else {
		d.addStream.Enable()
	}
}

// show shows the dialog at a comfortable size within the window.
func (d *cameraDialog) show() {
	size := d.win.Canvas().Size()
	d.pop.Resize(fyne.NewSize(min(760, size.Width*0.95), min(640, size.Height*0.95)))
	d.pop.Show()
}

// close hides the dialog and cancels a probe in flight, whose result is then dropped.
func (d *cameraDialog) close() {
	if d.closed {
		return
	}
	d.closed = true
	d.pop.Hide()
	unregisterPopKeys(d.pop)
	d.stopProbe()
	d.stopPTZTest()
}

// onEnter is Enter in the dialog, as the Save button is its default: it saves only a
// camera that passes every check, and otherwise shows what is missing and keeps the
// dialog open with all that was typed. While a Test runs, Enter waits for it (it does
// nothing): a camera is not saved from under its own test. This is Smart Client's and
// Windows' default-button rule, guarded by the same validation Save has, so a
// half-filled form is never saved by a stray Enter.
func (d *cameraDialog) onEnter() {
	if d.closed || d.probeCancel != nil {
		return
	}
	d.onSaveTapped()
}

// camera is the camera as typed, and what is wrong with the frame rate text ("" if
// nothing). Names, URLs, sizes and the user are trimmed of surrounding spaces; the
// password is kept exactly as typed.
func (d *cameraDialog) camera() (config.Camera, string) {
	c := config.Camera{
		Name:      strings.TrimSpace(d.name.Text),
		User:      strings.TrimSpace(d.user.Text),
		Password:  d.password.Text,
		Fallback:  strings.TrimSpace(d.fallback.Text),
		PTZ:       d.ptzBlock(),
		Motion:    d.orig.Motion,
		Analyzers: slices.DeleteFunc(slices.Clone(d.analyzers.Selected), func(a string) bool { return a == "" }),
	}
	if r := d.record.Selected; r != recordChoices[0] || d.orig.Record == recordChoices[0] {
		c.Record = r // "off" is written as empty, unless it was spelled out
	}
	for _, r := range d.rows {
		c.Streams = append(c.Streams, config.Stream{
			URL:  strings.TrimSpace(r.url.Text),
			Size: normaliseSize(r.size.Text),
			Name: strings.TrimSpace(r.name.Text),
		})
	}
	if t := d.transport.Selected; t != config.DefaultTransport || d.orig.Transport == config.DefaultTransport {
		c.Transport = t // "auto" is written as empty, as the settings file says it, unless it was spelled out
	}
	fpsText := strings.ReplaceAll(strings.TrimSpace(d.fps.Text), ",", ".")
	if fpsText == "" {
		return c, ""
	}
	fps, err := strconv.ParseFloat(fpsText, 64)
	if err != nil || math.IsNaN(fps) || math.IsInf(fps, 0) {
		return c, "want a number of frames per second, such as 15 (empty means unknown)"
	}
	c.FPS = fps
	return c, ""
}

// normaliseSize accepts "1280 x 720", "1280X720" and "1280×720" for "1280x720".
func normaliseSize(s string) string {
	s = strings.Join(strings.Fields(s), "")
	s = strings.ReplaceAll(s, "×", "x")
	return strings.ReplaceAll(s, "X", "x")
}

// problems checks c as config.Validate checks a camera in the settings file, plus the
// name against the other cameras, and returns each problem's message by its path within
// the camera ("name", "streams[1].url", …; "" for one that names no field).
func (d *cameraDialog) problems(c config.Camera, fpsMsg string) map[string]string {
	out := map[string]string{}
	add := func(path, msg string) {
		if _, ok := out[path]; !ok {
			out[path] = msg
		}
	}
	if fpsMsg != "" {
		add("fps", fpsMsg)
	}
	cfg := d.settings()
	cfg.Cameras = []config.Camera{c}
	for _, fe := range config.Problems(cfg.Validate()) {
		path, ok := strings.CutPrefix(fe.Path, "cameras[0]")
		if !ok {
			add("", fe.Msg)
			continue
		}
		add(strings.TrimPrefix(path, "."), fe.Msg)
	}
	if _, bad := out["name"]; !bad {
		for _, o := range d.others {
			if strings.EqualFold(o, c.Name) && !(!d.adding && strings.EqualFold(o, d.orig.Name)) {
				add("name", fmt.Sprintf("already used by camera %q (names must be unique, ignoring case: each names a recordings folder)", o))
				break
			}
		}
	}
	return out
}

// settings are the settings a camera is checked within: the models its analyzers may
// name.
func (d *cameraDialog) settings() *config.Config {
	return &config.Config{Analytics: config.Analytics{Models: d.models}}
}

// urlCredentials returns the user and password inside a URL's user:password@, if any.
func urlCredentials(raw string) (user, password string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return "", "", false
	}
	password, _ = u.User.Password()
	return u.User.Username(), password, true
}

// moveCredentials takes user:password@ out of a stream's URL into the user and password
// fields (percent-decoded, as on the command line), where the settings keep them.
func (d *cameraDialog) moveCredentials(r *streamRow) {
	user, password, ok := urlCredentials(r.url.Text)
	if !ok {
		return
	}
	u, _ := url.Parse(strings.TrimSpace(r.url.Text))
	u.User = nil
	r.url.SetText(u.String())
	if user != "" {
		d.user.SetText(user)
	}
	if password != "" {
		d.password.SetText(password)
	}
	d.validate()
}

// setErr shows msg under a field, or hides the label when msg is empty.
func setErr(l *widget.Label, msg string) {
	if msg == "" {
		l.SetText("")
		l.Hide()
		return
	}
	l.SetText(msg)
	l.Show()
}

// validate re-checks the dialog, shows the problems of fields the user has changed (all
// of them after a Save attempt), and reports whether the camera is valid.
func (d *cameraDialog) validate() bool {
	c, fpsMsg := d.camera()
	probs := d.problems(c, fpsMsg)
	shown := func(e *widget.Entry, path string) string {
		if d.showAll || d.dirty[e] {
			return probs[path]
		}
		return ""
	}
	setErr(d.nameErr, shown(d.name, "name"))
	setErr(d.fallbackErr, shown(d.fallback, "fallback"))
	setErr(d.fpsErr, shown(d.fps, "fps"))
	setErr(d.transportErr, probs["transport"])
	d.validatePTZ(probs, shown)
	streams := probs["streams"]
	if !d.showAll {
		streams = ""
	}
	setErr(d.streamsErr, streams)
	for i, r := range d.rows {
		p := "streams[" + strconv.Itoa(i) + "]."
		setErr(r.urlErr, shown(r.url, p+"url"))
		if _, _, ok := urlCredentials(r.url.Text); ok && r.urlErr.Visible() {
			r.moveCreds.Show()
		} else {
			r.moveCreds.Hide()
		}
		setErr(r.sizeErr, shown(r.size, p+"size"))
		setErr(r.nameErr, shown(r.name, p+"name"))
	}
	if len(probs) == 0 || !d.showAll {
		setErr(d.formErr, "")
	} else {
		msg := "Fix the fields marked in red to save."
		if other := probs[""]; other != "" {
			msg += " " + other
		}
		setErr(d.formErr, msg)
	}
	return len(probs) == 0
}

func (d *cameraDialog) onSaveTapped() {
	d.showAll = true
	if !d.validate() {
		return
	}
	c, _ := d.camera()
	if len(d.trusted) > 0 && d.onTrust != nil {
		if err := d.onTrust(d.trusted); err != nil {
			setErr(d.formErr, "The trusted certificate could not be saved: "+err.Error())
			return
		}
	}
	// Saved before the dialog closes: a camera that could not be saved keeps the dialog
	// open with everything typed and the reason, so nothing is lost.
	if d.onSave != nil {
		if err := d.onSave(c); err != nil {
			setErr(d.formErr, "The camera could not be saved: "+err.Error())
			return
		}
	}
	d.close()
}

// stopProbe cancels the probe in flight, if any, and forgets it.
func (d *cameraDialog) stopProbe() {
	if d.probeCancel != nil {
		d.probeCancel()
		d.probeCancel = nil
	}
	d.probeSeq++
	d.offer = nil
	d.trustBtn.Hide()
	d.activity.Stop()
	d.activity.Hide()
	d.test.SetText("Test")
	d.test.SetIcon(theme.MediaPlayIcon())
}

// onTest starts a probe of the first stream, or stops the one in flight.
func (d *cameraDialog) onTest() {
	if d.probeCancel != nil {
		d.stopProbe()
		d.setResult("Test stopped.")
		return
	}
	c, fpsMsg := d.camera()
	probs := d.problems(c, fpsMsg)
	d.dirty[d.rows[0].url] = true
	d.dirty[d.fps] = true
	d.validate()
	if probs["streams[0].url"] != "" || probs["fps"] != "" {
		d.setResult("Fix the first stream's URL and the frame rate to test the camera.")
		return
	}
	if d.prober == nil {
		return
	}
	req := capture.ProbeRequest{
		URL: c.Streams[0].URL, User: c.User, Password: c.Password, FPS: c.FPS, Pins: pinsOf(d.trusted),
		Options: capture.ProbeOptions{Duration: dialogProbeDuration, Timeout: dialogProbeTimeout},
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.probeCancel = cancel
	d.probeSeq++
	seq := d.probeSeq
	d.activity.Show()
	d.activity.Start()
	d.test.SetText("Stop test")
	d.test.SetIcon(theme.MediaStopIcon())
	d.setResult("Testing " + capture.RedactURL(req.URL) + "…")

	prober, do := d.prober, d.do
	d.probes.Add(1)
	go func() {
		defer d.probes.Done()
		rep := prober.Probe(ctx, req)
		do(func() { d.probeDone(seq, rep) })
	}()
}

// probeDone shows a probe's report, unless the dialog closed or the probe was stopped.
func (d *cameraDialog) probeDone(seq int, rep capture.ProbeReport) {
	if d.closed || seq != d.probeSeq {
		return
	}
	d.stopProbe()
	var ce *trust.CertError
	if errors.As(rep.Err, &ce) && ce.Fingerprint != "" && d.onTrust != nil {
		d.offer = &config.Trusted{Host: ce.Host, SHA256: ce.Fingerprint}
		d.trustBtn.Show()
		d.setResult(describeUntrusted(ce))
		return
	}
	text := d.describeReport(rep)
	if rep.OK() && len(d.trusted) > 0 {
		text += "\nTrusted by its certificate's SHA-256 fingerprint; Save keeps it in the settings' trust list."
	}
	d.setResult(text)
}

// pinsOf looks up the certificates accepted in this dialog by server (host:port), ""
// for none (the Prober falls back to the settings' trust list). It works on a copy: the
// probe's goroutine calls it.
func pinsOf(trusted []config.Trusted) func(hostPort string) string {
	trusted = slices.Clone(trusted)
	return func(hostPort string) string {
		for _, t := range trusted {
			if strings.EqualFold(t.Host, hostPort) {
				return t.SHA256
			}
		}
		return ""
	}
}

// onTrustTapped accepts the certificate the last Test was refused and tests again.
func (d *cameraDialog) onTrustTapped() {
	if d.offer == nil {
		return
	}
	next := []config.Trusted{*d.offer}
	for _, t := range d.trusted {
		if !strings.EqualFold(t.Host, d.offer.Host) {
			next = append(next, t)
		}
	}
	d.trusted = next
	d.onTest()
}

// describeUntrusted says which certificate was refused, with the fingerprint to compare.
func describeUntrusted(ce *trust.CertError) string {
	if ce.Pinned != "" {
		return fmt.Sprintf("Test failed (tls): the certificate of %s changed; the one trusted before was %s.\nSHA-256 fingerprint now: %s\nIf it was renewed on purpose, compare it with the camera's, then Trust it.",
			ce.Host, ce.Pinned, ce.Fingerprint)
	}
	return fmt.Sprintf("Test failed (tls): no authority this computer trusts signed the certificate of %s (cameras ship self-signed ones).\nSHA-256 fingerprint: %s\nCompare it with the camera's (its web page, or vigil probe --insecure), then Trust it.",
		ce.Host, ce.Fingerprint)
}

func (d *cameraDialog) setResult(text string) {
	d.result.SetText(text)
	d.result.Show()
	d.pop.Refresh() // lay the dialog out again for the result's lines
}

// describeReport puts a probe report in words, with the password masked should a
// Prober ever let it into a message.
func (d *cameraDialog) describeReport(r capture.ProbeReport) string {
	var b strings.Builder
	if !r.OK() {
		x := capture.Explanation{Cause: r.ErrorKind, Summary: r.Error, Advice: r.Advice}
		if r.Err != nil {
			x = capture.Explain(r.Err)
		}
		if x.Summary == "" {
			x.Summary = "no frame arrived"
		}
		writeFailure(&b, "Test failed", x)
	} else {
		b.WriteString("OK: ")
		b.WriteString(orDash(r.Protocol))
		if r.Transport != "" {
			fmt.Fprintf(&b, " over %s", r.Transport)
		}
		auth := r.Auth
		if auth == "" {
			auth = "none"
		}
		fmt.Fprintf(&b, ", authentication %s", auth)
		if len(r.AuthOffered) > 0 {
			fmt.Fprintf(&b, " (camera offers %s)", strings.Join(r.AuthOffered, ", "))
		}
		fmt.Fprintf(&b, "\n%s", orDash(string(r.Codec)))
		if r.Width > 0 && r.Height > 0 {
			fmt.Fprintf(&b, " %d×%d", r.Width, r.Height)
		}
		fmt.Fprintf(&b, ", %.1f fps, %.0f kbit/s, first frame after %.0f ms (%d frames measured)",
			r.FPS, r.BitrateKbps, r.FirstFrameMS, r.Frames)
	}
	return d.mask(b.String())
}

// writeFailure puts a failed test in words: what happened, its cause, what to try.
func writeFailure(b *strings.Builder, title string, x capture.Explanation) {
	fmt.Fprintf(b, "%s: %s", title, x.Summary)
	if x.Cause != capture.CauseNone {
		fmt.Fprintf(b, " (%s)", x.Cause)
	}
	if x.Advice != "" {
		fmt.Fprintf(b, "\nWhat to try: %s", x.Advice)
	}
}

// mask hides the dialog's passwords should a message ever carry one.
func (d *cameraDialog) mask(text string) string {
	for _, p := range []string{d.password.Text, d.ptz.password.Text} {
		if len(p) >= 3 {
			text = strings.ReplaceAll(text, p, "xxxxx")
		}
	}
	return text
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// wait blocks until every probe goroutine the dialog started has ended (tests).
func (d *cameraDialog) wait() { d.probes.Wait() }
