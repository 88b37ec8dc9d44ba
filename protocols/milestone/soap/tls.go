package soap

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

// Fingerprint is the SHA-256 of a certificate's DER bytes as upper-case hex pairs joined by
// colons ("AB:CD:…"), the form browsers show, so a user can compare it with what the server
// administrator reads off the server.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// NormalizeFingerprint turns a pasted fingerprint (any case, with or without colons or
// spaces) into Fingerprint's form. It fails unless it is 32 bytes of hex.
func NormalizeFingerprint(s string) (string, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	raw, err := hex.DecodeString(clean)
	if err != nil || len(raw) != sha256.Size {
		return "", fmt.Errorf("certificate fingerprint %q is not a SHA-256 fingerprint (64 hex digits)", clip(s))
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String(), nil
}

// ErrCertificate is wrapped by every CertError.
var ErrCertificate = errors.New("certificate not trusted")

// CertError says the server's certificate was refused: not trusted by the system (the
// normal case for XProtect's self-signed certificates, milestone.md §1.2) or not the pinned
// one. Fingerprint is what the server presented, for an "accept this certificate?" prompt.
type CertError struct {
	Host        string // host:port
	Fingerprint string // SHA-256 of the presented certificate
	Pinned      string // the expected fingerprint, "" when none was pinned
	Err         error  // the verification failure when nothing was pinned
}

// Error names both fingerprints on a mismatch, and how to accept the certificate otherwise.
func (e *CertError) Error() string {
	if e.Pinned != "" {
		return fmt.Sprintf("certificate of %s changed: it has SHA-256 fingerprint %s but %s was accepted before; if the server's certificate was renewed on purpose, accept the new fingerprint", e.Host, e.Fingerprint, e.Pinned)
	}
	return fmt.Sprintf("certificate of %s is not trusted (%v); if this is your server (XProtect uses self-signed certificates), accept it by its SHA-256 fingerprint %s", e.Host, e.Err, e.Fingerprint)
}

// Unwrap returns ErrCertificate and, when nothing was pinned, the verification failure
// (so capture.Classify sees an x509 error and reports a TLS cause).
func (e *CertError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrCertificate, e.Err}
	}
	return []error{ErrCertificate}
}

// tlsConfig verifies the server either against the pin or, with no pin, against roots (nil:
// the system's), turning every refusal into a *CertError that carries the fingerprint.
func tlsConfig(host, serverName, pin string, roots *x509.CertPool) *tls.Config {
	return &tls.Config{
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection below, which always runs
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &CertError{Host: host, Pinned: pin, Err: errors.New("no certificate presented")}
			}
			leaf := cs.PeerCertificates[0]
			fp := Fingerprint(leaf)
			if pin != "" {
				if fp != pin {
					return &CertError{Host: host, Fingerprint: fp, Pinned: pin}
				}
				return nil
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: serverName, Roots: roots, Intermediates: inter})
			if err != nil {
				return &CertError{Host: host, Fingerprint: fp, Err: err}
			}
			return nil
		},
	}
}

// FetchFingerprint connects to addr (host:port) with TLS, accepts whatever certificate it
// presents, and returns that certificate's fingerprint: the value to show in an "accept this
// certificate?" prompt and then to pin. dial may be nil (a net.Dialer is used).
func FetchFingerprint(ctx context.Context, addr string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (string, error) {
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("certificate of %s: %w", addr, err)
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("certificate of %s: %w", addr, err)
	}
	defer raw.Close()
	var fp string
	conn := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 {
				fp = Fingerprint(cs.PeerCertificates[0])
			}
			return nil
		}})
	if err := conn.HandshakeContext(ctx); err != nil {
		return "", fmt.Errorf("certificate of %s: tls handshake: %w", addr, err)
	}
	conn.Close()
	if fp == "" {
		return "", fmt.Errorf("certificate of %s: server presented no certificate", addr)
	}
	return fp, nil
}

// TLSConfig verifies a server (host:port) against a pinned fingerprint when pin is set
// (any form NormalizeFingerprint accepts), else against the system's roots, with every
// refusal a *CertError carrying the fingerprint. Recording servers use it like the
// management server's client does.
func TLSConfig(hostPort, pin string) (*tls.Config, error) {
	if pin != "" {
		p, err := NormalizeFingerprint(pin)
		if err != nil {
			return nil, err
		}
		pin = p
	}
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	return tlsConfig(hostPort, host, pin, nil), nil
}
