package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// siteConnectTimeout bounds one login attempt from the dialog.
const siteConnectTimeout = 30 * time.Second

// SiteView is a video management site as the sidebar shows it: its recording servers
// and their cameras.
type SiteView struct {
	// Site is the site as connected (credentials included; never shown).
	Site config.Site
	// Host is the management server's host:port, as its certificate is pinned.
	Host string
	// Recorders are the site's recording servers with their cameras.
	Recorders []RecorderView
	// Err is set when the site could not be listed (shown in its group).
	Err error
}

// RecorderView is one recording server of a site.
type RecorderView struct {
	Name string
	// Addr is the Image Server's host:port.
	Addr string
	// Untrusted is the SHA-256 fingerprint of a TLS recorder's certificate nobody vouches
	// for yet ("" when trusted or plain): the user accepts it in the connect dialog.
	Untrusted string
	Cameras   []SiteCamera
}

// SiteCamera is one camera of a site.
type SiteCamera struct {
	Name string
	// URL plays the camera (milestones://host/<GUID>), without credentials.
	URL string
}

// UntrustedCertError is what a SiteConnector returns when the management server's
// certificate is neither pinned nor signed by an authority the system trusts.
type UntrustedCertError struct {
	// Host is the server as host:port; Fingerprint the presented certificate's SHA-256.
	Host, Fingerprint string
	// Pinned is the fingerprint accepted before, when the certificate changed.
	Pinned string
}

func (e *UntrustedCertError) Error() string {
	if e.Pinned != "" {
		return fmt.Sprintf("the certificate of %s changed (was %s, now %s)", e.Host, e.Pinned, e.Fingerprint)
	}
	return fmt.Sprintf("the certificate of %s is not signed by an authority this computer trusts", e.Host)
}

// SiteConnector logs in to a site and lists it. pin, when set, is the management
// server's certificate fingerprint the user just accepted. cmd wires in the protocol.
type SiteConnector func(ctx context.Context, site config.Site, pin string) (*SiteView, error)

// siteDialog is the "Connect to Milestone…" dialog. Fields are touched on the UI
// goroutine only; the login goroutine reports back through do.
type siteDialog struct {
	win     fyne.Window
	connect SiteConnector
	onDone  func(view *SiteView, trust []config.Trusted) error
	do      func(func())

	server, user, password *dialogEntry // Esc in them cancels
	https                  *widget.Check
	status                 *widget.Label
	connectBtn, cancelBtn  *widget.Button
	pop                    *widget.PopUp

	// pin is the management certificate the user accepted; trust collects what to pin.
	pin    string
	trust  []config.Trusted
	view   *SiteView // after a successful login awaiting recorder trust
	cancel context.CancelFunc
	seq    int
	closed bool
	wg     sync.WaitGroup
}

// ShowSiteDialog shows the dialog that connects to a Milestone XProtect site: server,
// user (an XProtect Basic user) and password, over HTTPS unless unticked. A self-signed
// certificate is shown by its SHA-256 fingerprint for the user to accept; then TLS
// recording servers' certificates the same way. onDone receives the site and the
// fingerprints to pin, and saves them; an error it returns is shown in the dialog.
func ShowSiteDialog(win fyne.Window, connect SiteConnector, onDone func(*SiteView, []config.Trusted) error) {
	newSiteDialog(win, connect, onDone, fyne.Do).show()
}

func newSiteDialog(win fyne.Window, connect SiteConnector, onDone func(*SiteView, []config.Trusted) error, do func(func())) *siteDialog {
	d := &siteDialog{win: win, connect: connect, onDone: onDone, do: do}
	d.server = newDialogEntry(d.close)
	d.server.SetPlaceHolder("vms.example.com or 10.0.0.5:8443")
	d.user = newDialogEntry(d.close)
	d.user.SetPlaceHolder("XProtect Basic user")
	d.password = newDialogPasswordEntry(d.close)
	d.https = widget.NewCheck("HTTPS (plain HTTP only for a lab server)", nil)
	d.https.SetChecked(true)
	d.status = wrapLabel("")
	d.connectBtn = widget.NewButton("Connect", d.onConnect)
	d.connectBtn.Importance = widget.HighImportance
	d.cancelBtn = widget.NewButton("Cancel", d.close)
	reset := func(string) { d.pin, d.trust, d.view = "", nil, nil; d.connectBtn.SetText("Connect") }
	d.server.OnChanged, d.user.OnChanged = reset, reset
	form := widget.NewForm(
		widget.NewFormItem("Server", d.server),
		widget.NewFormItem("", d.https),
		widget.NewFormItem("User", d.user),
		widget.NewFormItem("Password", d.password),
	)
	title := widget.NewLabelWithStyle("Connect to Milestone XProtect", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	buttons := container.NewHBox(layoutSpacer(), d.cancelBtn, d.connectBtn)
	body := container.NewBorder(container.NewVBox(title, form), buttons, nil, nil, container.NewVScroll(d.status))
	d.pop = widget.NewModalPopUp(container.NewPadded(body), win.Canvas())
	// Enter in any field, or with none focused, connects (as the Connect button); Esc
	// cancels.
	submit := func(string) { d.onEnter() }
	d.server.OnSubmitted, d.user.OnSubmitted, d.password.OnSubmitted = submit, submit, submit
	registerPopKeys(d.pop, d.close, d.onEnter)
	return d
}

func (d *siteDialog) show() {
	size := d.win.Canvas().Size()
	d.pop.Resize(fyne.NewSize(min(620, size.Width*0.95), min(480, size.Height*0.95)))
	d.pop.Show()
	d.win.Canvas().Focus(d.server)
}

func (d *siteDialog) close() {
	if d.closed {
		return
	}
	d.closed = true
	if d.cancel != nil {
		d.cancel()
	}
	d.pop.Hide()
	unregisterPopKeys(d.pop)
}

// onEnter is Enter: Connect, unless a login is already under way.
func (d *siteDialog) onEnter() {
	if d.closed || d.connectBtn.Disabled() {
		return
	}
	d.onConnect()
}

// site is the site as typed: the server as a milestone(s):// URL.
func (d *siteDialog) site() (config.Site, error) {
	server := strings.TrimSpace(d.server.Text)
	if server == "" {
		return config.Site{}, errors.New("enter the management server's address")
	}
	if i := strings.Index(server, "://"); i >= 0 {
		server = server[i+3:] // a pasted https://host/ is fine
	}
	server = strings.TrimRight(server, "/")
	scheme := "milestones"
	if !d.https.Checked {
		scheme = "milestone"
	}
	s := config.Site{URL: scheme + "://" + server, User: strings.TrimSpace(d.user.Text), Password: d.password.Text}
	if u, err := url.Parse(s.URL); err != nil || u.Hostname() == "" || u.User != nil || strings.Trim(u.Path, "/") != "" {
		return config.Site{}, errors.New("the server is a host name or address, with an optional :port")
	}
	if s.User == "" {
		return config.Site{}, errors.New("enter the user name")
	}
	return s, nil
}

func (d *siteDialog) onConnect() {
	if d.view != nil { // logged in; the user accepted the recorders' certificates
		d.finish(d.view, d.trustRecorders(d.view))
		return
	}
	site, err := d.site()
	if err != nil {
		d.status.SetText(err.Error())
		return
	}
	d.seq++
	seq := d.seq
	ctx, cancel := context.WithTimeout(context.Background(), siteConnectTimeout)
	d.cancel = cancel
	d.connectBtn.Disable()
	d.status.SetText("Connecting to " + site.Label() + "…")
	pin := d.pin
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer cancel()
		view, err := d.connect(ctx, site, pin)
		d.do(func() { d.connected(seq, site, view, err) })
	}()
}

// connected shows a login's outcome (UI goroutine).
func (d *siteDialog) connected(seq int, site config.Site, view *SiteView, err error) {
	if d.closed || seq != d.seq {
		return
	}
	d.connectBtn.Enable()
	var ue *UntrustedCertError
	switch {
	case errors.As(err, &ue):
		d.pin = ue.Fingerprint
		d.trust = []config.Trusted{{Host: ue.Host, SHA256: ue.Fingerprint}}
		what := "is not signed by an authority this computer trusts (XProtect uses a self-signed certificate unless one was installed)"
		if ue.Pinned != "" {
			what = "is not the one accepted before (" + ue.Pinned + "). If the certificate was renewed on purpose, accept the new one"
		}
		d.status.SetText(fmt.Sprintf("The certificate of %s %s.\n\nSHA-256 fingerprint:\n%s\n\nCompare it with the certificate on the server, then accept it to connect.",
			ue.Host, what, ue.Fingerprint))
		d.connectBtn.SetText("Trust and connect")
	case err != nil:
		x := capture.Explain(err)
		msg := x.Summary
		if x.Advice != "" {
			msg += "\n\n" + x.Advice
		}
		d.status.SetText("Could not connect: " + msg)
		d.connectBtn.SetText("Connect")
	default:
		view.Site = site
		var untrusted []string
		n := 0
		for _, r := range view.Recorders {
			n += len(r.Cameras)
			if r.Untrusted != "" {
				untrusted = append(untrusted, fmt.Sprintf("%s (%s)\n%s", r.Name, r.Addr, r.Untrusted))
			}
		}
		if len(untrusted) == 0 {
			d.finish(view, nil)
			return
		}
		d.view = view
		d.status.SetText(fmt.Sprintf("Logged in: %d cameras on %d recording servers.\n\nThese recording servers' certificates are not signed by a trusted authority. Compare the SHA-256 fingerprints with the servers', then accept them to play their video:\n\n%s",
			n, len(view.Recorders), strings.Join(untrusted, "\n\n")))
		d.connectBtn.SetText("Trust recording servers")
	}
}

func (d *siteDialog) trustRecorders(view *SiteView) []config.Trusted {
	var out []config.Trusted
	for i := range view.Recorders {
		r := &view.Recorders[i]
		if r.Untrusted != "" {
			out = append(out, config.Trusted{Host: r.Addr, SHA256: r.Untrusted})
			r.Untrusted = ""
		}
	}
	return out
}

// finish hands the site and the certificates accepted to onDone and closes.
func (d *siteDialog) finish(view *SiteView, recorders []config.Trusted) {
	trust := append(append([]config.Trusted(nil), d.trust...), recorders...)
	if err := d.onDone(view, trust); err != nil {
		d.status.SetText("Connected, but: " + err.Error())
		return
	}
	d.close()
}

// wait waits for the login goroutine (tests).
func (d *siteDialog) wait() { d.wg.Wait() }
