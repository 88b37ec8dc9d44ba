package ui

import (
	"fmt"
	"net"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/config"
)

// defaultPushListen is the Add form's address: this machine only.
const defaultPushListen = "127.0.0.1:9000"

// pushRefreshEvery is how often the dialog re-reads the pushers connected.
var pushRefreshEvery = time.Second

// pushRecordChoices are a listener's recording modes, the default first.
var pushRecordChoices = []string{"off", "continuous"}

// pushDialog is the "Push listeners…" dialog: the push: listeners (address, record mode,
// whether a token is set, pushers connected, or why one is not listening), each with
// Remove, and a form that adds one. Its fields are touched on the UI goroutine only.
type pushDialog struct {
	win   fyne.Window
	store PushListeners
	do    func(func())

	rows   *fyne.Container
	listen *dialogEntry
	token  *dialogEntry
	record *widget.Select
	errL   *widget.Label
	pop    *widget.PopUp
	stop   chan struct{}
	closed bool
}

func (w *Wall) showPushListeners() {
	if w.win == nil || w.opts.Push == nil {
		return
	}
	newPushDialog(w.win, w.opts.Push, w.batch.Do).show()
}

func newPushDialog(win fyne.Window, store PushListeners, do func(func())) *pushDialog {
	d := &pushDialog{win: win, store: store, do: do, stop: make(chan struct{})}
	d.rows = container.NewVBox()
	d.listen = newDialogEntry(d.close)
	d.listen.SetText(defaultPushListen)
	d.listen.OnSubmitted = func(string) { d.onAdd() }
	d.token = newDialogPasswordEntry(d.close)
	d.token.SetPlaceHolder("optional: pushers must send it")
	d.token.OnSubmitted = func(string) { d.onAdd() }
	d.record = widget.NewSelect(pushRecordChoices, nil)
	d.record.SetSelected(pushRecordChoices[0])
	d.errL = errLabel()
	add := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), d.onAdd)
	add.Importance = widget.HighImportance
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel("Listen on"), d.listen,
		widget.NewLabel("Record"), d.record,
		widget.NewLabel("Token"), d.token,
	)
	hint := wrapLabel("Pushers (vigil push, ffmpeg -f mpjpeg) connect to a listener; each becomes a camera on the wall.")
	hint.Importance = widget.LowImportance
	title := widget.NewLabelWithStyle("Push listeners", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	closeBtn := widget.NewButtonWithIcon("Close", theme.CancelIcon(), d.close)
	bottom := container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle("Add a listener", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, d.errL, container.NewHBox(layout.NewSpacer(), closeBtn, add))
	d.pop = widget.NewModalPopUp(container.NewBorder(container.NewVBox(title, hint), bottom, nil, nil,
		container.NewVScroll(d.rows)), win.Canvas())
	registerPopKeys(d.pop, d.close, d.onAdd)
	d.refresh()
	return d
}

// show shows the dialog and re-reads the pushers connected every pushRefreshEvery
// until it closes.
func (d *pushDialog) show() {
	size := d.win.Canvas().Size()
	d.pop.Resize(fyne.NewSize(min(640, size.Width*0.95), min(520, size.Height*0.95)))
	d.pop.Show()
	go func() {
		t := time.NewTicker(pushRefreshEvery)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.do(func() {
					if !d.closed {
						d.refresh()
					}
				})
			}
		}
	}()
}

func (d *pushDialog) close() {
	if d.closed {
		return
	}
	d.closed = true
	close(d.stop)
	d.pop.Hide()
	unregisterPopKeys(d.pop)
}

// pushListenerText is a listener's line: never its token.
func pushListenerText(l PushListener) string {
	tok := "no token"
	if l.Token {
		tok = "token required"
	}
	state := plural(l.Connected, "pusher", "pushers") + " connected"
	if l.Err != "" {
		state = "not listening: " + l.Err
	}
	return fmt.Sprintf("%s · record %s · %s · %s", l.Listen, l.Record, tok, state)
}

// refresh rebuilds the list of listeners.
func (d *pushDialog) refresh() {
	ls := d.store.List()
	objs := make([]fyne.CanvasObject, 0, len(ls)+1)
	if len(ls) == 0 {
		objs = append(objs, widget.NewLabel("No push listeners yet."))
	}
	for _, l := range ls {
		text := wrapLabel(pushListenerText(l))
		if l.Err != "" {
			text.Importance = widget.DangerImportance
		}
		listen := l.Listen
		rm := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { d.onRemove(listen) })
		objs = append(objs, container.NewBorder(nil, nil, nil, rm, text))
	}
	d.rows.Objects = objs
	d.rows.Refresh()
}

// typed is the listener as typed, and what is wrong with it as the settings file's
// checks say (plus an address already listed), "" when nothing.
func (d *pushDialog) typed() (config.Push, string) {
	ps := config.Push{Listen: strings.TrimSpace(d.listen.Text), Token: d.token.Text}
	if d.record.Selected == "continuous" {
		ps.Record = "continuous"
	}
	cfg := config.Config{Push: []config.Push{ps}}
	if probs := config.Problems(cfg.Validate()); len(probs) > 0 {
		fe := probs[0]
		field := strings.TrimPrefix(fe.Path, "push[0].")
		if field == "listen" {
			field = "Listen on"
		}
		return ps, fmt.Sprintf("%s: %s", field, fe.Msg)
	}
	for _, l := range d.store.List() {
		if strings.EqualFold(l.Listen, ps.Listen) {
			return ps, fmt.Sprintf("Listen on: %s is already listed", ps.Listen)
		}
	}
	return ps, ""
}

// onAdd is the Add button (and Enter): a listener on an address other computers can
// reach asks first.
func (d *pushDialog) onAdd() {
	if d.closed {
		return
	}
	ps, msg := d.typed()
	if msg != "" {
		d.setErr(msg)
		return
	}
	d.setErr("")
	if host, _, _ := net.SplitHostPort(ps.Listen); !isLoopbackHost(host) {
		showConfirm(d.win, "Listen on the network?",
			fmt.Sprintf("Listening on %s: other computers on the network can push to this. Add it?", ps.Listen),
			"Listen", func(ok bool) {
				if ok {
					d.add(ps)
				}
			})
		return
	}
	d.add(ps)
}

func (d *pushDialog) add(ps config.Push) {
	if err := d.store.Add(ps); err != nil {
		d.setErr("The listener was not added: " + err.Error())
		return
	}
	d.token.SetText("")
	d.refresh()
}

func (d *pushDialog) onRemove(listen string) {
	showConfirm(d.win, "Remove push listener",
		fmt.Sprintf("Stop listening on %s and remove it from the settings?\nIts pushers leave the wall.", listen),
		"Remove", func(ok bool) {
			if !ok {
				return
			}
			if err := d.store.Remove(listen); err != nil {
				d.setErr("The listener was not removed: " + err.Error())
			}
			d.refresh()
		})
}

// setErr shows msg under the form ("" hides it) and lays the dialog out again.
func (d *pushDialog) setErr(msg string) {
	setErr(d.errL, msg)
	d.pop.Refresh()
}

// isLoopbackHost reports whether a listen host reaches this machine only.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
