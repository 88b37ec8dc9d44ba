// Package trust is the one place Vigil decides whether a server's TLS certificate is
// accepted, for every TLS source alike: a Milestone management server and its recording
// servers, https MJPEG streams and snapshots, and rtsps cameras. A certificate the
// system's authorities vouch for is accepted; otherwise the leaf certificate's SHA-256
// fingerprint must match the one pinned for that server (host:port), which is what the
// settings' `trust:` list holds (self-signed certificates are the rule on cameras and
// XProtect, milestone.md §1.2). A refusal is a *CertError that names the server and the
// fingerprint it presented and says how to trust it.
//
// It is cgo-free and knows no protocol and no screen.
package trust

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Fingerprint is the SHA-256 of a certificate's DER bytes as upper-case hex pairs joined
// by colons ("AB:CD:…"), the form browsers show, so a user can compare it with what the
// device's administrator reads off the device.
func Fingerprint(cert *x509.Certificate) string { return format(sha256.Sum256(cert.Raw)) }

func format(sum [sha256.Size]byte) string {
	var b strings.Builder
	b.Grow(3*len(sum) - 1)
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// Normalize turns a pasted fingerprint (any case, with or without colons, spaces or
// dashes) into Fingerprint's form. It fails unless it is 32 bytes of hex.
func Normalize(s string) (string, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	raw, err := hex.DecodeString(clean)
	if err != nil || len(raw) != sha256.Size {
		return "", fmt.Errorf("certificate fingerprint %.40q is not a SHA-256 fingerprint (64 hex digits)", s)
	}
	return format([sha256.Size]byte(raw)), nil
}

// ErrUntrusted is wrapped by every CertError, for callers that branch on a refused
// certificate whatever the protocol.
var ErrUntrusted = errors.New("certificate not trusted")

// CertError says a server's certificate was refused: no authority the system trusts
// vouches for it, and it is not the one pinned for the server (or none is). Fingerprint
// is what the server presented: what an "accept this certificate?" prompt shows and what
// to pin.
type CertError struct {
	// Host is the server as host:port, as the trust list names it.
	Host string
	// Fingerprint is the SHA-256 of the presented certificate ("" when none was).
	Fingerprint string
	// Pinned is the fingerprint trusted for Host, "" when none was.
	Pinned string
	// Err is why the system's authorities did not vouch for it (an x509 error, so
	// capture.Classify reports a TLS cause).
	Err error
}

// Error names the server and both fingerprints, and the two ways to trust a certificate
// that exist: the Trust button (the camera dialog after Test, Connect to Milestone…) and
// the `trust:` list of settings.yaml.
func (e *CertError) Error() string {
	switch {
	case e.Fingerprint == "":
		return fmt.Sprintf("certificate of %s: %v", e.Host, e.Err)
	case e.Pinned != "":
		return fmt.Sprintf("certificate of %s changed: it presented SHA-256 fingerprint %s but %s is trusted for it (%v)",
			e.Host, e.Fingerprint, e.Pinned, e.Err)
	}
	return fmt.Sprintf("certificate of %s is not trusted (%v); it presented SHA-256 fingerprint %s", e.Host, e.Err, e.Fingerprint)
}

// Advice says how to trust the certificate (capture.Explain shows it as what to try;
// the message itself holds no advice, so it is not said twice).
func (e *CertError) Advice() string {
	switch {
	case e.Fingerprint == "":
		return ""
	case e.Pinned != "":
		return fmt.Sprintf("if the certificate was renewed on purpose, compare the new fingerprint with the device's and trust it: Trust after Test in the camera dialog, or replace the sha256 of host %q under trust: in settings.yaml", e.Host)
	}
	return fmt.Sprintf("if that is the device's own (self-signed) certificate, compare the fingerprint with the device's and trust it: Trust after Test in the camera dialog (Connect to Milestone… for a site), or add host %q with that sha256 under trust: in settings.yaml", e.Host)
}

// Unwrap returns ErrUntrusted and the verification failure.
func (e *CertError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrUntrusted, e.Err}
	}
	return []error{ErrUntrusted}
}

// Options say how one server is trusted.
type Options struct {
	// Host is the server as host:port: the key of its pin and what messages name.
	Host string
	// ServerName is the name the certificate must carry to be vouched for by an
	// authority (sent as SNI). It defaults to Host's host.
	ServerName string
	// Pin is the fingerprint accepted for Host in any form Normalize accepts, "" for
	// none. A pinned certificate is accepted whatever its names and dates: it is the
	// one the user compared and chose.
	Pin string
	// Roots are the authorities. They default to the system's.
	Roots *x509.CertPool
	// Insecure accepts any certificate (`vigil probe --insecure`, which shows Seen's
	// fingerprint so it can be compared and pinned).
	Insecure bool
	// Seen, when set, is called with the fingerprint of the certificate presented on
	// every handshake, accepted or not.
	Seen func(fingerprint string)
	// NextProtos are the ALPN protocols offered, none by default.
	NextProtos []string
}

// Config is the client configuration that trusts a server as o says: a certificate
// the authorities vouch for for ServerName, else the pinned one, else (Insecure) any;
// every refusal is a *CertError. It fails only on a malformed pin.
func Config(o Options) (*tls.Config, error) {
	pin := ""
	if o.Pin != "" {
		p, err := Normalize(o.Pin)
		if err != nil {
			return nil, fmt.Errorf("the pin for %s: %w", o.Host, err)
		}
		pin = p
	}
	name := o.ServerName
	if name == "" {
		name = o.Host
		if h, _, err := net.SplitHostPort(o.Host); err == nil {
			name = h
		}
	}
	return &tls.Config{
		ServerName:         name,
		MinVersion:         tls.VersionTLS12,
		NextProtos:         o.NextProtos,
		InsecureSkipVerify: true, //nolint:gosec // verification is VerifyConnection below, which always runs
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &CertError{Host: o.Host, Pinned: pin, Err: errors.New("the server presented no certificate")}
			}
			leaf := cs.PeerCertificates[0]
			fp := Fingerprint(leaf)
			if o.Seen != nil {
				o.Seen(fp)
			}
			if o.Insecure || fp == pin {
				return nil
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: o.Roots, Intermediates: inter})
			if err == nil {
				return nil
			}
			return &CertError{Host: o.Host, Fingerprint: fp, Pinned: pin, Err: err}
		},
	}, nil
}

// Fetch connects to addr (host:port) with TLS, accepts whatever certificate it presents,
// and returns that certificate's fingerprint: the value to show in an "accept this
// certificate?" prompt and then to pin. dial may be nil (a net.Dialer is used).
func Fetch(ctx context.Context, addr string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (string, error) {
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	var fp string
	conf, err := Config(Options{Host: addr, Insecure: true, Seen: func(s string) { fp = s }})
	if err != nil {
		return "", err
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("certificate of %s: %w", addr, err)
	}
	defer raw.Close()
	conn := tls.Client(raw, conf)
	if err := conn.HandshakeContext(ctx); err != nil {
		return "", fmt.Errorf("certificate of %s: tls handshake: %w", addr, err)
	}
	conn.Close()
	if fp == "" {
		return "", fmt.Errorf("certificate of %s: the server presented no certificate", addr)
	}
	return fp, nil
}
