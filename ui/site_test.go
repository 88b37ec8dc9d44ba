package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

const (
	siteTMgmtFP = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
	siteTRecFP  = "11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF:11:22:33:44:55:66:77:88:99:00:AA:BB:CC:DD:EE:FF"
)

// siteTConnector stands in for cmd's connector (the protocol itself is tested against
// the XProtect simulator in protocols/milestone and cmd/vigil): it refuses the
// certificate until it is pinned, refuses a wrong password, and lists one TLS recorder.
func siteTConnector(calls *[]string) SiteConnector {
	return func(ctx context.Context, site config.Site, pin string) (*SiteView, error) {
		*calls = append(*calls, site.URL+" pin="+pin)
		if site.Password != "secret" {
			return nil, fmt.Errorf("vms:443 refused the login (wrong user name or password): %w", capture.ErrUnauthorized)
		}
		if pin != siteTMgmtFP {
			return nil, &UntrustedCertError{Host: "vms:443", Fingerprint: siteTMgmtFP}
		}
		return &SiteView{Host: "vms:443", Recorders: []RecorderView{{Name: "Recorder 1", Addr: "rec:7563", Untrusted: siteTRecFP,
			Cameras: []SiteCamera{{Name: "Gate", URL: "milestones://vms/g1"}}}}}, nil
	}
}

func TestSiteDialogTrustsCertificatesThenConnects(t *testing.T) {
	q := &uiQueue{}
	win := dialogWindow(t)
	var calls []string
	var gotView *SiteView
	var gotTrust []config.Trusted
	d := newSiteDialog(win, siteTConnector(&calls), func(v *SiteView, tr []config.Trusted) error {
		gotView, gotTrust = v, tr
		return nil
	}, q.Do)
	d.show()
	defer func() { d.close(); d.wait(); q.Run() }()

	test.Tap(d.connectBtn)
	if !strings.Contains(d.status.Text, "server's address") || len(calls) != 0 {
		t.Fatalf("empty server: status %q, calls %v", d.status.Text, calls)
	}
	test.Type(d.server, "vms")
	test.Type(d.user, "admin")
	test.Type(d.password, "wrong")
	test.Tap(d.connectBtn)
	d.wait()
	q.Run()
	if !strings.Contains(d.status.Text, "wrong user name or password") || strings.Contains(d.status.Text, "wrong\n") {
		t.Fatalf("wrong password status %q", d.status.Text)
	}

	d.password.SetText("secret")
	test.Tap(d.connectBtn)
	d.wait()
	q.Run()
	if !strings.Contains(d.status.Text, siteTMgmtFP) || d.connectBtn.Text != "Trust and connect" {
		t.Fatalf("untrusted certificate: status %q, button %q", d.status.Text, d.connectBtn.Text)
	}
	test.Tap(d.connectBtn)
	d.wait()
	q.Run()
	if !strings.Contains(d.status.Text, siteTRecFP) || !strings.Contains(d.status.Text, "Recorder 1 (rec:7563)") || gotView != nil {
		t.Fatalf("recorder certificate: status %q", d.status.Text)
	}
	test.Tap(d.connectBtn)
	if gotView == nil || !d.closed {
		t.Fatal("accepting the recorders did not finish the dialog")
	}
	want := []config.Trusted{{Host: "vms:443", SHA256: siteTMgmtFP}, {Host: "rec:7563", SHA256: siteTRecFP}}
	if !slices.Equal(gotTrust, want) {
		t.Fatalf("trust %+v, want %+v", gotTrust, want)
	}
	if gotView.Site.URL != "milestones://vms" || gotView.Site.User != "admin" || gotView.Site.Password != "secret" {
		t.Fatalf("site %+v", gotView.Site)
	}
	if !slices.Equal(calls, []string{"milestones://vms pin=", "milestones://vms pin=", "milestones://vms pin=" + siteTMgmtFP}) {
		t.Fatalf("connector calls %q", calls)
	}
	for _, s := range uitest.Texts(d.pop.Content) {
		if strings.Contains(s, "secret") {
			t.Fatalf("the dialog shows the password: %q", s)
		}
	}
}

func TestSidebarListsSiteCamerasAndSavesTheOneTapped(t *testing.T) {
	var saved []config.Camera
	//lint:ignore S1021 the option callback below refers to r, so it is declared first
	var r *wallTRig
	r = newWallTRig(t, wallTLive(t, 1), capture.StreamOptions{}, "2x2", func(o *WallOptions) {
		save := func(old string, cam config.Camera) error {
			saved = append(saved, cam)
			return errors.New("not saved in this test")
		}
		o.Cameras = &testEditor{testCameras: o.Cameras.(*testCameras), edit: save,
			add: func(cam config.Camera) error { return save("", cam) }}
		o.Sites = testSites{
			connect: func(context.Context, config.Site, string) (*SiteView, error) { return nil, errors.New("unused") },
			save:    func(*SiteView, []config.Trusted) error { return nil }}
	})
	side := r.wall.chrome.side
	if side.connectSite.Disabled() {
		t.Fatal("Connect to Milestone disabled although wired")
	}
	r.wall.SetSites([]*SiteView{
		{Site: config.Site{URL: "milestones://vms", User: "op", Password: "pw"}, Recorders: []RecorderView{
			{Name: "Recorder A", Cameras: []SiteCamera{{Name: "Cam 1", URL: "milestones://vms/g1"}, {Name: "Dock", URL: "milestones://vms/g2"}}},
			{Name: "Recorder B", Cameras: []SiteCamera{{Name: "Lobby", URL: "milestones://vms/g3"}}},
		}},
		{Site: config.Site{Name: "Branch", URL: "milestones://branch"}, Err: errors.New("branch:443 refused the connection")},
	})
	var texts []string
	walkAll(side.list, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			texts = append(texts, strings.TrimSpace(l.Text))
		}
	})
	want := []string{"Cam 1", "vms", "Recorder A", "Cam 1", "Dock", "Recorder B", "Lobby", "Branch", "branch:443 refused the connection"}
	if !slices.Equal(texts, want) {
		t.Fatalf("sidebar reads %q, want %q", texts, want)
	}
	if len(side.siteRows) != 3 {
		t.Fatalf("%d site rows", len(side.siteRows))
	}
	test.Tap(side.siteRows[0]) // "Cam 1" of the site: the wall already has a Cam 1
	if len(saved) != 1 {
		t.Fatalf("saved %d cameras", len(saved))
	}
	c := saved[0]
	if c.Name != "Cam 1 (2)" || len(c.Streams) != 1 || c.Streams[0].URL != "milestones://vms/g1" || c.User != "op" || c.Password != "pw" {
		t.Fatalf("saved %+v", c)
	}
}
