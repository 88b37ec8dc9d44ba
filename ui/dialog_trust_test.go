package ui

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/internal/trust/trusttest"
)

// dlgTTLSProber trusts the camera as every TLS source does (package trust, with the
// request's pins), then measures an in-memory source with capture.Probe.
type dlgTTLSProber struct {
	addr string
	src  capture.Source
	reqs chan capture.ProbeRequest
}

func (p *dlgTTLSProber) Probe(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
	p.reqs <- req
	fail := func(err error) capture.ProbeReport {
		r := capture.ProbeReport{Err: err}
		r.Explain()
		return r
	}
	o := trust.Options{Host: p.addr}
	if req.Pins != nil {
		o.Pin = req.Pins(p.addr)
	}
	conf, err := trust.Config(o)
	if err != nil {
		return fail(err)
	}
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return fail(err)
	}
	err = tls.Client(raw, conf).HandshakeContext(ctx)
	raw.Close()
	if err != nil {
		return fail(err)
	}
	opts := req.Options
	opts.Duration = 300 * time.Millisecond
	return capture.Probe(ctx, p.src, opts)
}

// Test of a camera with a self-signed certificate shows its fingerprint and offers to
// trust it; Trust tests again with the pin, and Save hands the pin to onTrust before the
// camera to onSave. A failing onTrust keeps the dialog open with the reason.
func TestCameraDialogTrustsASelfSignedCamera(t *testing.T) {
	addr, fp := trusttest.Serve(t, nil) // a camera with its self-signed certificate
	p := &dlgTTLSProber{addr: addr, src: liveSource(t, 20*time.Millisecond), reqs: make(chan capture.ProbeRequest, 1)}
	r := dlgTNew(t, nil, nil, p)
	d := r.d
	dlgTFillValid(d)
	dlgTType(d.rows[0].url, "https://"+addr+"/video.mjpg")
	if d.trustBtn.Visible() {
		t.Fatal("Trust offered before any test")
	}

	test.Tap(d.test)
	if req := <-p.reqs; req.Pins == nil || req.Pins(addr) != "" {
		t.Fatal("first test: no pins, or a pin nobody accepted")
	}
	pumpUntil(t, r.q, "the refused certificate", func() bool { return strings.HasPrefix(d.result.Text, "Test failed") })
	got := dlgTShown(d.result)
	for _, want := range []string{addr, fp, "(tls)", "no authority", "Compare"} {
		if !strings.Contains(got, want) {
			t.Errorf("result %q lacks %q", got, want)
		}
	}
	if !d.trustBtn.Visible() || !strings.Contains(d.trustBtn.Text, "Trust") {
		t.Fatalf("no Trust button after an untrusted certificate (visible %v)", d.trustBtn.Visible())
	}

	test.Tap(d.trustBtn)
	if req := <-p.reqs; req.Pins == nil || req.Pins(addr) != fp {
		t.Fatal("the test after Trust does not carry the accepted fingerprint")
	}
	pumpUntil(t, r.q, "the trusted test", func() bool { return strings.HasPrefix(d.result.Text, "OK") })
	if got := d.result.Text; !strings.Contains(got, "trust list") || d.trustBtn.Visible() {
		t.Errorf("after Trust: result %q, Trust button visible %v", got, d.trustBtn.Visible())
	}
	if len(r.trusted) != 0 || len(r.saved) != 0 {
		t.Fatal("Trust saved before Save")
	}

	r.trustErr = errors.New("disk full")
	test.Tap(d.save)
	if len(r.saved) != 0 || d.closed || !strings.Contains(dlgTShown(d.formErr), "disk full") {
		t.Fatalf("failing onTrust: saved %v, closed %v, message %q", r.saved, d.closed, dlgTShown(d.formErr))
	}
	r.trustErr = nil
	test.Tap(d.save)
	want := []config.Trusted{{Host: addr, SHA256: fp}}
	if len(r.trusted) != 2 || len(r.trusted[1]) != 1 || r.trusted[1][0] != want[0] || len(r.saved) != 1 || !d.closed {
		t.Fatalf("Save: trusted %+v, saved %d, closed %v", r.trusted, len(r.saved), d.closed)
	}
	if r.saved[0].Streams[0].URL != "https://"+addr+"/video.mjpg" {
		t.Errorf("saved %+v", r.saved[0])
	}
}

// A certificate that changed from the one trusted is shown with both fingerprints.
func TestCameraDialogShowsAChangedCertificate(t *testing.T) {
	ce := &trust.CertError{Host: "10.0.0.5:443", Fingerprint: strings.Repeat("AB:", 31) + "AB", Pinned: strings.Repeat("CD:", 31) + "CD"}
	got := describeUntrusted(ce)
	for _, want := range []string{ce.Host, ce.Fingerprint, ce.Pinned, "renewed"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
