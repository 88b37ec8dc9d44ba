// Package trusttest is a TLS peer for tests of package trust and its users, like
// net/http/httptest: a listener on 127.0.0.1 at a port picked at run time that presents
// a certificate made at run time (trust.SelfSigned unless given) and, on each connection,
// completes the handshake and hangs up. What runs over TLS is tested with each
// protocol's own fake; this is for where only the handshake matters.
package trusttest

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Serve starts the peer with cert (a fresh self-signed one when nil), stops it when the
// test ends, and returns its host:port and the certificate's fingerprint.
func Serve(t testing.TB, cert *tls.Certificate) (addr, fingerprint string) {
	t.Helper()
	if cert == nil {
		c, err := trust.SelfSigned("trusttest peer")
		if err != nil {
			t.Fatal(err)
		}
		cert = &c
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	capturetest.Serve(t, ln, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_ = c.(*tls.Conn).Handshake()
	})
	return ln.Addr().String(), trust.Fingerprint(cert.Leaf)
}

// CheckRefused fails t unless err is the refusal of an untrusted certificate (a
// *trust.CertError of kind tls): with pinned "" one no pin covers, whose message names
// fingerprint and host, and whose advice (capture.Explain) names both ways to trust it;
// otherwise one whose fingerprint is not the pinned one, and the message names both.
func CheckRefused(t testing.TB, err error, host, fingerprint, pinned string) {
	t.Helper()
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Fingerprint != fingerprint || ce.Pinned != pinned || capture.Classify(err) != capture.CauseTLS {
		t.Fatalf("not refused as untrusted (pinned %q): %v (kind %s)", pinned, err, capture.Classify(err))
	}
	want, advice := []string{fingerprint, host}, []string{host, "trust: in settings.yaml", "Trust after Test"}
	if pinned != "" {
		want = []string{fingerprint, pinned}
	} else if ce.Host != host {
		t.Errorf("refused host %q, want %q", ce.Host, host)
	}
	x := capture.Explain(err)
	for _, w := range want {
		if !strings.Contains(x.Summary, w) {
			t.Errorf("message lacks %q: %v", w, err)
		}
	}
	for _, w := range advice {
		if !strings.Contains(x.Advice, w) {
			t.Errorf("advice lacks %q: %q", w, x.Advice)
		}
	}
	if strings.Contains(x.Summary, "trust: in settings.yaml") || strings.Contains(x.Summary+x.Advice, "skip-verify") {
		t.Errorf("advice in the message, or a setting that does not exist: %v; %s", err, x.Advice)
	}
}
