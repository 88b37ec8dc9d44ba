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

// The errors of an RTSP camera are capture.Errors: what happened in What, the advice in
// Hint, the server's reason phrase in Text; capture.Explain puts them in words.

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
	e := &capture.Error{Op: method, Where: r.where}
	switch {
	case errors.As(err, &ctErr):
		e.Kind, e.Text = capture.ErrNotVideo, capture.CleanText(fmt.Sprint(ctErr.CT), 64)
		e.What, e.Hint = "answered with this Content-Type instead of an SDP", "check the URL path"
	case errors.As(err, &liberrors.ErrClientContentTypeMissing{}):
		e.Kind, e.What, e.Hint = capture.ErrNotVideo, "answered without a Content-Type", "check the URL path"
	case errors.As(err, &sdpErr):
		e.Kind, e.Text = capture.ErrMalformed, capture.CleanText(fmt.Sprint(sdpErr.Err), 64)
		e.What, e.Hint = "sent an SDP gortsplib cannot read", "try the camera's other stream URL or update its firmware"
	case errors.As(err, &liberrors.ErrClientAuthSetup{}):
		r.mu.Lock()
		offered := r.offered
		r.mu.Unlock()
		wants := "gives no challenge Vigil can read"
		if len(offered) > 0 {
			wants = "wants " + schemeNames(offered) + " in a form"
		}
		e.Kind, e.Status = capture.ErrUnauthorized, int(base.StatusUnauthorized)
		e.What = "the camera " + wants + ", which Vigil cannot answer"
		e.Hint = "check the camera's authentication settings (Basic or Digest)"
	case errors.As(err, &liberrors.ErrClientRequestTimedOut{}):
		e.Op, e.Kind = "", os.ErrDeadlineExceeded // a timeout for Classify, without "i/o timeout" in the text
		e.What = fmt.Sprintf("accepted the connection but did not answer %s within %v", method, r.timeout)
		e.Hint = "check that this port serves RTSP"
	default:
		return r.connErr(err, method)
	}
	return e
}

func schemeNames(schemes []string) string {
	var names []string
	for _, s := range schemes {
		names = append(names, digest.SchemeName(s))
	}
	return strings.Join(names, " or ")
}

func (r *run) statusErr(bad liberrors.ErrClientBadStatusCode, method string) error {
	r.mu.Lock()
	offered, used := r.offered, r.authUsed
	r.mu.Unlock()
	e := &capture.Error{Kind: capture.StatusError(int(bad.Code)), Op: method, Where: r.where, Status: int(bad.Code),
		Text: capture.CleanText(bad.Message, 64)} // the server's words: never raw on a terminal
	switch bad.Code {
	case base.StatusUnauthorized:
		wants := "gives no WWW-Authenticate scheme"
		if len(offered) > 0 {
			wants = "wants " + schemeNames(offered)
		}
		e.Kind = capture.ErrUnauthorized
		switch {
		case !r.hasCreds:
			e.What, e.Hint = "the camera "+wants+" and no credentials were set", "set the camera's user and password"
		case used == "":
			e.What, e.Hint = "the camera "+wants+", which Vigil cannot answer", "check the camera's authentication settings (Basic or Digest)"
		default:
			e.What = fmt.Sprintf("wrong user or password (camera %s, sent %s)", wants, digest.SchemeName(used))
		}
	case base.StatusForbidden:
		e.What = "the user may not view this stream, or the camera blocks this client"
		e.Hint = "check the user's permissions in the camera, and whether it filters client addresses"
	case base.StatusNotFound:
		e.What, e.Hint = "no stream at "+r.redacted, "check the URL path against the camera's documentation"
	case base.StatusUnsupportedTransport:
		switch r.mode {
		case TransportUDP:
			e.What, e.Hint = "the server refuses RTP over UDP", "set the camera's transport to auto or tcp"
		case TransportTCP:
			e.What, e.Hint = "the server refuses RTP over TCP (interleaved)", "set the camera's transport to auto or udp"
		default:
			e.What, e.Hint = "the server refuses both UDP and TCP for this stream", "check the camera's RTSP settings"
		}
	case base.StatusServiceUnavailable:
		e.What, e.Hint = "the camera is busy (too many viewers?)", "close other viewers or wait"
	default:
		if bad.Code >= 500 && bad.Code <= 599 {
			e.What, e.Hint = "the camera reports an internal error", "restart the camera, or check its firmware"
			break
		}
		e.What, e.Hint = "refused "+r.redacted, "check the URL"
	}
	return e
}

// connErr explains a transport failure, keeping the net error in the chain so
// capture.Classify names it.
func (r *run) connErr(err error, doing string) error {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return &capture.Error{Op: doing, Where: r.where, Err: err, What: "closed the connection",
			Hint: "check that this port serves RTSP and that the camera accepts another viewer"}
	}
	if capture.Classify(err) == capture.CauseOther { // not a failure to reach the camera
		return &capture.Error{Op: "RTSP " + doing, Where: r.where, What: "failed", Err: err}
	}
	return capture.DialError(err, capture.DialPlace{Host: r.u.Hostname(), Where: r.where, Timeout: r.timeout,
		Listener: "the port (RTSP is usually 554) and that the camera's RTSP service is enabled",
		Plain:    "rtsp://", Secure: "rtsps://", Op: r.u.Scheme + " " + doing})
}

// streamErr explains why a playing session ended.
func (r *run) streamErr(err error) error {
	r.mu.Lock()
	frames, transport := r.frames, r.transportLocked()
	r.mu.Unlock()
	switch {
	case errors.As(err, &liberrors.ErrClientUDPTimeout{}):
		e := &capture.Error{Kind: capture.ErrStalled, Where: r.where,
			What: fmt.Sprintf("UDP packets stopped arriving (after %d frames)", frames)}
		if frames == 0 {
			e.Hint = "try transport tcp (a firewall or NAT may block UDP)"
		} else {
			e.What += "; the camera or the network stalled"
		}
		return e
	case errors.As(err, &liberrors.ErrClientTCPTimeout{}):
		return fmt.Errorf("%s sent nothing over TCP for %v after %d frames; the camera or the network stalled: %w", r.where, r.timeout, frames, capture.ErrStalled)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the RTSP connection after %d frames (over %s): %w", r.where, frames, transport, err)
	}
	return fmt.Errorf("RTSP session with %s ended after %d frames (over %s): %w", r.where, frames, transport, err)
}
