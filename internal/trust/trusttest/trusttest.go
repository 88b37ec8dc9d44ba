// Package trusttest is a TLS peer for tests of package trust and its users, like
// net/http/httptest: a listener on 127.0.0.1 at a port picked at run time that presents
// a certificate made at run time (trust.SelfSigned unless given) and, on each connection,
// completes the handshake and hangs up. What runs over TLS is tested with each
// protocol's own fake; this is for where only the handshake matters.
package trusttest

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

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
