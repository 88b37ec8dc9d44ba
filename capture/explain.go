package capture

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// Cause names the kind of a failure in a word a script can branch on (`vigil probe
// --json`'s error_kind) and a person can read.
type Cause string

// Causes Classify reports.
const (
	CauseNone         Cause = ""
	CauseDNS          Cause = "dns"
	CauseRefused      Cause = "refused"
	CauseUnreachable  Cause = "unreachable"
	CauseTimeout      Cause = "timeout"
	CauseTLS          Cause = "tls"
	CauseUnauthorized Cause = "unauthorized"
	CauseNotFound     Cause = "not_found"
	CauseNotVideo     Cause = "not_video"
	CauseMalformed    Cause = "malformed"
	CauseTooLarge     Cause = "too_large"
	CauseStalled      Cause = "stalled"
	CauseForbidden    Cause = "forbidden"
	CauseTransport    Cause = "unsupported_transport"
	CauseBusy         Cause = "busy"
	CauseServerError  Cause = "server_error"
	CauseBadURL       Cause = "bad_url"
	CauseUnsupported  Cause = "unsupported"
	CauseOther        Cause = "other"
)

// Classify finds the cause of err by looking through its wrapped chain.
func Classify(err error) Cause {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case err == nil:
		return CauseNone
	case errors.Is(err, ErrUnauthorized):
		return CauseUnauthorized
	case errors.Is(err, ErrForbidden):
		return CauseForbidden
	case errors.Is(err, ErrNotFound):
		return CauseNotFound
	case errors.Is(err, ErrUnsupportedTransport):
		return CauseTransport
	case errors.Is(err, ErrBusy):
		return CauseBusy
	case errors.Is(err, ErrServerError):
		return CauseServerError
	case errors.Is(err, ErrBadURL):
		return CauseBadURL
	case errors.Is(err, ErrUnsupported):
		return CauseUnsupported
	case errors.Is(err, ErrNotVideo):
		return CauseNotVideo
	case errors.Is(err, ErrTooLarge):
		return CauseTooLarge
	case errors.Is(err, ErrMalformed):
		return CauseMalformed
	case errors.Is(err, ErrStalled):
		return CauseStalled
	case errors.As(err, &dnsErr) && !dnsErr.IsTimeout:
		return CauseDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return CauseUnreachable
	case isTLSFailure(err):
		return CauseTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return CauseTimeout
	}
	return CauseOther
}

// Explanation is a failure put in words for a person: the tile's offline card, `vigil
// probe` (text and JSON) and the camera dialog's Test all show this.
type Explanation struct {
	// Cause is the kind in a word (Classify).
	Cause Cause
	// Summary says what happened and where: the error's message, cleaned (CleanText,
	// MaxErrorText). It holds no advice.
	Summary string
	// Advice says what to try: the protocol's Hint when the error carries one (an
	// *Error in its chain, or an error with an Advice method such as internal/trust's
	// refusal of a certificate), else the advice for its Cause; "" when there is none.
	Advice string
}

// Explain is the one explainer of a failure: callers show its Summary and Advice, and
// branch on its Cause. It returns the zero Explanation for nil.
func Explain(err error) Explanation {
	if err == nil {
		return Explanation{}
	}
	x := Explanation{Cause: Classify(err), Summary: CleanText(err.Error(), MaxErrorText)}
	if h := hint(err); h != "" {
		x.Advice = CleanText(h, MaxErrorText)
	} else {
		x.Advice = Advice(x.Cause)
	}
	return x
}

// hint is the Hint of the first *Error in err's chain that has one, or the Advice of
// the first error that gives some (depth first, as errors.As walks), "" for none.
func hint(err error) string {
	for err != nil {
		if e, ok := err.(*Error); ok && e.Hint != "" {
			return e.Hint
		}
		if a, ok := err.(interface{ Advice() string }); ok && a.Advice() != "" {
			return a.Advice()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				if h := hint(inner); h != "" {
					return h
				}
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// Advice says what to try about a failure of this cause, in one sentence for an
// engineer standing next to the camera. Explain uses it when the protocol gave no Hint.
func Advice(c Cause) string {
	switch c {
	case CauseDNS:
		return "check the host name, or use the camera's IP address"
	case CauseRefused:
		return "the host answered but nothing listens on that port: check the port and that the camera's web/stream service is enabled"
	case CauseUnreachable:
		return "no route to the host: check the address, cabling, VLAN and the gateway"
	case CauseTimeout:
		return "the host did not answer in time: check the address, firewalls, and that the camera is powered"
	case CauseTLS:
		return "the certificate is not trusted: check the address; if it is the device's own self-signed certificate, compare its SHA-256 fingerprint and trust it (Trust after Test in the camera dialog, or the trust: list in settings.yaml; vigil probe --insecure shows it)"
	case CauseUnauthorized:
		return "check the user and password, and that the account may view video"
	case CauseForbidden:
		return "the server refuses this user: check that the account may view this camera (its role or rights), or whether the camera allows this computer's address"
	case CauseTransport:
		return "the server refuses this RTP transport: set the camera's transport to auto, or try tcp (or udp)"
	case CauseBusy:
		return "the server is busy or starting: close other viewers or sessions on it, or wait a little and try again"
	case CauseServerError:
		return "the server failed on its side: restart the camera or server, or check its logs and firmware"
	case CauseBadURL:
		return "fix the URL: if the password holds / ? # @ or %, percent-encode it (e.g. %2F for /) or give it with --password or VIGIL_PASSWORD"
	case CauseUnsupported:
		return "the camera sends a format Vigil cannot show: choose another encoding or stream in the camera's settings"
	case CauseNotFound:
		return "the server has no stream at that path: check the URL against the camera's documentation"
	case CauseNotVideo:
		return "the URL answers but not with video: check the path (a web page, or a login page, is not a stream)"
	case CauseMalformed:
		return "the stream is broken or not what it claims: try the camera's other stream URL or update its firmware"
	case CauseTooLarge:
		return "the camera sent more than the safety limit: lower its resolution or quality"
	case CauseStalled:
		return "the camera accepted the connection but stopped sending: check its load, bandwidth and stream settings"
	}
	return ""
}
