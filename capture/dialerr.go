package capture

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// DialPlace says where a connection went and what should have answered there, so
// ExplainDial can write advice that fits the protocol.
type DialPlace struct {
	// Host is the host name as the user wrote it (for DNS failures).
	Host string
	// Where is host:port.
	Where string
	// Timeout is how long the connection was given.
	Timeout time.Duration
	// Listener says what to check when nothing listens: "the port number and that the
	// camera's web server is enabled".
	Listener string
	// Plain is the scheme to try when the port does not speak TLS ("http://").
	Plain, Secure string
	// TLSPrefix goes in front of a certificate refusal ("https camera"); the refusal itself
	// (internal/trust's CertError) names the server, its fingerprint and how to trust it.
	TLSPrefix string
}

// ExplainDial explains a failure to reach a camera or server: DNS, refused, unreachable,
// a port that does not speak TLS, an untrusted certificate, a timeout. The network error
// stays in the chain (Classify names it). ok is false for an error that is none of these:
// the protocol explains it itself.
func ExplainDial(err error, p DialPlace) (_ error, ok bool) {
	var dnsErr *net.DNSError
	var ne net.Error
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Errorf("cannot find host %q: no such name in DNS; check the camera address for typos: %w", p.Host, err), true
		}
		return fmt.Errorf("cannot look up host %q: DNS did not answer; check this computer's network and DNS server: %w", p.Host, err), true
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection to %s refused: nothing listens on that port; check %s: %w", p.Where, p.Listener, err), true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%s is unreachable (no route to host); check that the camera is powered and on this network or VPN, and its address: %w", p.Where, err), true
	case errors.As(err, &recErr):
		return fmt.Errorf("%s does not speak TLS on this port; try %s instead of %s: %w", p.Where, p.Plain, p.Secure, err), true
	case isTLSFailure(err):
		return fmt.Errorf("%s: %w", p.TLSPrefix, err), true
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no answer from %s within %v; check the address, that the camera is on, and that no firewall drops the traffic: %w", p.Where, p.Timeout, err), true
	}
	return err, false
}
