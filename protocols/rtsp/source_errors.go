package rtsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
)

// requestErr explains a failed RTSP request (or the connection under it).
func (r *run) requestErr(ctx context.Context, err error, method string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var bad liberrors.ErrClientBadStatusCode
	if errors.As(err, &bad) {
		return r.statusErr(bad, method)
	}
	var ctErr liberrors.ErrClientContentTypeUnsupported
	var sdpErr liberrors.ErrClientSDPInvalid
	switch {
	case errors.As(err, &ctErr):
		return fmt.Errorf("%s answered DESCRIBE with %s instead of an SDP; check the URL path: %w", r.where, capture.CleanText(fmt.Sprint(ctErr.CT), capture.MaxFieldText), capture.ErrNotVideo)
	case errors.As(err, &liberrors.ErrClientContentTypeMissing{}):
		return fmt.Errorf("%s answered DESCRIBE without a Content-Type; check the URL path: %w", r.where, capture.ErrNotVideo)
	case errors.As(err, &sdpErr):
		return fmt.Errorf("%s sent an SDP gortsplib cannot read (%v); try the camera's other stream URL or update its firmware: %w",
			r.where, capture.CleanText(fmt.Sprint(sdpErr.Err), capture.MaxFieldText), capture.ErrMalformed)
	case errors.As(err, &liberrors.ErrClientAuthSetup{}):
		r.mu.Lock()
		offered := r.offered
		r.mu.Unlock()
		wants := "gives no challenge Vigil can read"
		if len(offered) > 0 {
			var names []string
			for _, o := range offered {
				names = append(names, digest.SchemeName(o))
			}
			wants = "wants " + strings.Join(names, " or ") + " in a form"
		}
		return fmt.Errorf("401 from %s on %s: the camera %s, which Vigil cannot answer; check the camera's authentication settings (Basic or Digest): %w",
			r.where, method, wants, capture.ErrUnauthorized)
	case errors.As(err, &liberrors.ErrClientRequestTimedOut{}):
		return fmt.Errorf("%s accepted the connection but did not answer %s within %v; check that this port serves RTSP: %w",
			r.where, method, r.timeout, os.ErrDeadlineExceeded)
	}
	return r.connErr(err, method)
}

func (r *run) statusErr(bad liberrors.ErrClientBadStatusCode, method string) error {
	r.mu.Lock()
	offered, used := r.offered, r.authUsed
	r.mu.Unlock()
	reason := capture.CleanText(bad.Message, 64) // the server's words: never raw on a terminal
	code := fmt.Sprintf("%d %s", bad.Code, reason)
	switch bad.Code {
	case base.StatusUnauthorized:
		var names []string
		for _, s := range offered {
			names = append(names, digest.SchemeName(s))
		}
		wants := "gives no WWW-Authenticate scheme"
		if len(names) > 0 {
			wants = "wants " + strings.Join(names, " or ")
		}
		if !r.hasCreds {
			return fmt.Errorf("401 from %s on %s: the camera %s and no credentials were set; set the camera's user and password: %w",
				r.where, method, wants, capture.ErrUnauthorized)
		}
		if used == "" {
			return fmt.Errorf("401 from %s on %s: the camera %s, which Vigil cannot answer; check the camera's authentication settings: %w",
				r.where, method, wants, capture.ErrUnauthorized)
		}
		return fmt.Errorf("401 from %s on %s: wrong user or password (camera %s, sent %s); check the user and password: %w",
			r.where, method, wants, digest.SchemeName(used), capture.ErrUnauthorized)
	case base.StatusForbidden:
		return fmt.Errorf("403 Forbidden from %s on %s: the user may not view this stream, or the camera blocks this client; check the user's permissions: %w",
			r.where, method, capture.ErrForbidden)
	case base.StatusNotFound:
		return fmt.Errorf("404 from %s: no stream at %s; check the URL path against the camera's documentation: %w",
			r.where, r.redacted, capture.ErrNotFound)
	case base.StatusUnsupportedTransport:
		switch r.mode {
		case TransportUDP:
			return fmt.Errorf("461 Unsupported Transport from %s: the server refuses RTP over UDP; set the camera's transport to auto or tcp: %w", r.where, capture.ErrUnsupportedTransport)
		case TransportTCP:
			return fmt.Errorf("461 Unsupported Transport from %s: the server refuses RTP over TCP (interleaved); set the camera's transport to auto or udp: %w", r.where, capture.ErrUnsupportedTransport)
		}
		return fmt.Errorf("461 Unsupported Transport from %s: the server refuses both UDP and TCP for this stream; check its RTSP settings: %w", r.where, capture.ErrUnsupportedTransport)
	case base.StatusServiceUnavailable:
		return fmt.Errorf("503 %s from %s on %s: the camera is busy (too many viewers?); close other viewers or wait: %w", reason, r.where, method, capture.ErrBusy)
	}
	if bad.Code >= 500 && bad.Code <= 599 {
		return fmt.Errorf("RTSP %s from %s on %s: the camera reports an internal error; it may need a restart: %w", code, r.where, method, capture.ErrServerError)
	}
	return fmt.Errorf("RTSP %s from %s on %s for %s; check the URL", code, r.where, method, r.redacted)
}

// connErr explains a transport failure, keeping the net error in the chain so
// capture.Classify names it.
func (r *run) connErr(err error, doing string) error {
	if e, ok := capture.ExplainDial(err, capture.DialPlace{Host: r.u.Hostname(), Where: r.where, Timeout: r.timeout,
		Listener: "the port (RTSP is usually 554) and that the camera's RTSP service is enabled",
		Plain:    "rtsp://", Secure: "rtsps://", TLSPrefix: "rtsps " + doing}); ok {
		return e
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%s closed the connection during %s; check that this port serves RTSP and the camera accepts another viewer: %w", r.where, doing, err)
	}
	return fmt.Errorf("RTSP %s to %s failed: %w", doing, r.where, err)
}

// streamErr explains why a playing session ended.
func (r *run) streamErr(err error) error {
	r.mu.Lock()
	frames, transport := r.frames, r.transportLocked()
	r.mu.Unlock()
	switch {
	case errors.As(err, &liberrors.ErrClientUDPTimeout{}):
		hint := "try transport tcp (a firewall or NAT may block UDP)"
		if frames > 0 {
			hint = "the camera or the network stalled"
		}
		return fmt.Errorf("UDP packets from %s stopped arriving (after %d frames); %s: %w", r.where, frames, hint, capture.ErrStalled)
	case errors.As(err, &liberrors.ErrClientTCPTimeout{}):
		return fmt.Errorf("%s sent nothing over TCP for %v after %d frames; the camera or the network stalled: %w", r.where, r.timeout, frames, capture.ErrStalled)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the RTSP connection after %d frames (over %s): %w", r.where, frames, transport, err)
	}
	return fmt.Errorf("RTSP session with %s ended after %d frames (over %s): %w", r.where, frames, transport, err)
}
