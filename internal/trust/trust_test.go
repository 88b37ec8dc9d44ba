package trust_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/internal/trust/trusttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func handshake(t *testing.T, addr string, o trust.Options) error {
	t.Helper()
	conf, err := trust.Config(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	return tls.Client(raw, conf).HandshakeContext(ctx)
}

func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	cert, err := trust.SelfSigned("trust test")
	if err != nil {
		t.Fatal(err)
	}
	return cert, trust.Fingerprint(cert.Leaf)
}

func TestPinsAndAuthorities(t *testing.T) {
	cert, fp := selfSigned(t)
	addr, _ := trusttest.Serve(t, &cert)
	_, otherFP := selfSigned(t)
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf) // an "authority" vouching for the server

	// Neither vouched for nor pinned: refused, naming the server, the fingerprint and
	// how to trust it; a TLS cause.
	err := handshake(t, addr, trust.Options{Host: addr})
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Host != addr || ce.Fingerprint != fp || ce.Pinned != "" {
		t.Fatalf("unpinned: %v", err)
	}
	for _, want := range []string{addr, fp, "not trusted"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("unpinned message lacks %q: %v", want, err)
		}
	}
	for _, want := range []string{addr, "Trust after Test", "trust: in settings.yaml"} {
		if a := capture.Explain(err).Advice; !strings.Contains(a, want) {
			t.Errorf("unpinned advice lacks %q: %q", want, a)
		}
	}
	if !errors.Is(err, trust.ErrUntrusted) || capture.Classify(err) != capture.CauseTLS {
		t.Errorf("unpinned: not ErrUntrusted or not kind tls (%s)", capture.Classify(err))
	}

	// Pinned, in any hex form: accepted.
	if err := handshake(t, addr, trust.Options{Host: addr, Pin: strings.ToLower(strings.ReplaceAll(fp, ":", ""))}); err != nil {
		t.Fatalf("pinned: %v", err)
	}
	// A wrong pin: refused, both fingerprints named, still kind tls.
	err = handshake(t, addr, trust.Options{Host: addr, Pin: otherFP})
	if !errors.As(err, &ce) || ce.Pinned != otherFP || !strings.Contains(err.Error(), fp) || !strings.Contains(err.Error(), otherFP) ||
		!strings.Contains(err.Error(), "changed") || capture.Classify(err) != capture.CauseTLS {
		t.Fatalf("wrong pin: %v (%s)", err, capture.Classify(err))
	}
	if a := capture.Explain(err).Advice; !strings.Contains(a, "renewed on purpose") || !strings.Contains(a, addr) || strings.Contains(err.Error(), "renewed") {
		t.Errorf("wrong pin: advice %q, message %v", a, err)
	}
	// Vouched for by an authority: accepted with no pin, and even with a stale pin.
	if err := handshake(t, addr, trust.Options{Host: addr, Roots: roots}); err != nil {
		t.Fatalf("vouched for: %v", err)
	}
	if err := handshake(t, addr, trust.Options{Host: addr, Roots: roots, Pin: otherFP}); err != nil {
		t.Fatalf("vouched for, stale pin: %v", err)
	}
	// ... but only for the names it carries.
	err = handshake(t, addr, trust.Options{Host: addr, Roots: roots, ServerName: "camera.example"})
	if !errors.As(err, &ce) || capture.Classify(err) != capture.CauseTLS {
		t.Fatalf("wrong name: %v", err)
	}
	// Insecure accepts anything and reports what it saw.
	var seen string
	if err := handshake(t, addr, trust.Options{Host: addr, Insecure: true, Seen: func(s string) { seen = s }}); err != nil || seen != fp {
		t.Fatalf("insecure: %v, saw %q", err, seen)
	}
	got, err := trust.Fetch(context.Background(), addr, nil)
	if err != nil || got != fp {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if _, err := trust.Config(trust.Options{Host: addr, Pin: "xyz\x1b[2J"}); err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("bad pin: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	fp := strings.Repeat("AB:", 31) + "CD"
	for _, in := range []string{fp, strings.ToLower(fp), strings.ReplaceAll(fp, ":", ""), " " + strings.ReplaceAll(fp, ":", "-") + " "} {
		if got, err := trust.Normalize(in); err != nil || got != fp {
			t.Errorf("Normalize(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "AB", fp + ":EF", strings.Repeat("zz", 32)} {
		if _, err := trust.Normalize(in); err == nil {
			t.Errorf("Normalize(%q) accepted", in)
		}
	}
}

// FuzzNormalize: a pasted fingerprint either fails or normalises to the canonical form,
// which normalises to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{strings.Repeat("AB:", 31) + "CD", strings.Repeat("0f", 32), "", "zz", strings.Repeat("-", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := trust.Normalize(s)
		if err != nil {
			if len(err.Error()) > 500 || strings.ContainsAny(err.Error(), "\x1b\r\n") {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if len(got) != 95 || strings.ToUpper(got) != got {
			t.Fatalf("Normalize(%q) = %q", s, got)
		}
		if again, err := trust.Normalize(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
