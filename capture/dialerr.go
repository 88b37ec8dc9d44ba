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
// DialError can write advice that fits the protocol.
type DialPlace struct {
	// Host is the host name as the user wrote it (for DNS failures).
	Host string
	// Where is host:port.
	Where string
	// Op is what was being done ("https camera", "rtsps DESCRIBE"); optional.
	Op string
	// Timeout is how long the connection was given.
	Timeout time.Duration
	// Listener says what to check when nothing listens: "the port number and that the
	// camera's web server is enabled".
	Listener string
	// Plain is the scheme to try when the port does not speak TLS ("http://").
	Plain, Secure string
}

// DialError is the one explanation of a failure to reach a camera or server: DNS,
// refused, unreachable, a port that does not speak TLS, an untrusted certificate, a
// timeout, or another failure to connect. The network error stays in the chain (Classify
// names it); the advice goes in Hint, for Explain.
func DialError(err error, p DialPlace) *Error {
	e := &Error{Op: p.Op, Where: p.Where, Err: err}
	var dnsErr *net.DNSError
	var ne net.Error
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		e.What = fmt.Sprintf("cannot find host %q: no such name in DNS", p.Host)
		e.Hint = "check the camera address for typos, or use its IP address"
	case errors.As(err, &dnsErr):
		e.What = fmt.Sprintf("cannot look up host %q: DNS did not answer", p.Host)
		e.Hint = "check this computer's network and DNS server, or use the camera's IP address"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.What = "connection refused: nothing listens on that port"
		e.Hint = "check " + p.Listener
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.What = "unreachable (no route to host)"
		e.Hint = "check that the camera is powered and on this network or VPN, and its address"
	case errors.As(err, &recErr):
		e.What = "does not speak TLS on this port"
		e.Hint = fmt.Sprintf("try %s instead of %s", p.Plain, p.Secure)
	case isTLSFailure(err):
		// The refusal (internal/trust's CertError) names the server, its fingerprint and
		// how to trust it; Advice(CauseTLS) says the same in general.
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		e.What = fmt.Sprintf("no answer within %v", p.Timeout)
		e.Hint = "check the address, that the camera is on, and that no firewall drops the traffic"
	default:
		e.What = "cannot connect"
	}
	return e
}
