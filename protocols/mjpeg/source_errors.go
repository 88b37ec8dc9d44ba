package mjpeg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
)

func (r *run) unauthorized(cs []digest.Challenge, sent bool) error {
	var names []string
	for _, s := range schemes(cs) {
		names = append(names, digest.SchemeName(s))
	}
	wants := "gives no WWW-Authenticate scheme"
	if len(names) > 0 {
		wants = "wants " + strings.Join(names, " or ")
	}
	switch {
	case !r.hasCreds:
		return fmt.Errorf("401 from %s: the camera %s and no credentials were sent; set the camera's user and password: %w",
			r.where, wants, capture.ErrUnauthorized)
	case !sent:
		return fmt.Errorf("401 from %s: the camera %s, which Vigil does not support; credentials were not sent: %w",
			r.where, wants, capture.ErrUnauthorized)
	}
	return fmt.Errorf("401 from %s: wrong user or password (camera %s, sent %s for user %q): %w",
		r.where, wants, digest.SchemeName(r.auth.Scheme()), r.auth.User, capture.ErrUnauthorized)
}

func (r *run) statusErr(h *respHead) error {
	path := capture.RedactURL(r.u.String())
	reason := capture.CleanText(h.reason, 64) // the camera's words: never raw on a terminal
	switch h.status {
	case http.StatusForbidden:
		return fmt.Errorf("403 Forbidden from %s for %s: the user may lack the right to view this stream, or the camera blocks this client; check the user's permissions: %w",
			r.where, path, capture.ErrForbidden)
	case http.StatusNotFound:
		return fmt.Errorf("404 from %s: no stream at %s; check the URL path (the camera's manual lists its MJPEG or snapshot path): %w",
			r.where, path, capture.ErrNotFound)
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return fmt.Errorf("HTTP %d from %s: redirected to %s; use that URL instead", h.status, r.where, capture.RedactURL(h.header.Get("Location")))
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return fmt.Errorf("HTTP %d %s from %s: the camera is busy (too many viewers?) or starting; close other viewers or wait: %w",
			h.status, reason, r.where, capture.ErrBusy)
	}
	if h.status >= 500 && h.status <= 599 {
		return fmt.Errorf("HTTP %d %s from %s: the camera reports an internal error; it may need a restart: %w", h.status, reason, r.where, capture.StatusError(h.status))
	}
	return fmt.Errorf("HTTP %d %s from %s for %s: not a stream; check the URL", h.status, reason, r.where, path)
}

func (r *run) notVideo(ct string, head []byte, kind SniffKind) error {
	looks := fmt.Sprintf("bytes % x", head[:min(len(head), 16)])
	switch kind {
	case SniffHTML:
		looks = "an HTML page (probably the camera's web interface or a login page, not its stream)"
	case SniffText:
		t := capture.CleanText(string(head[:min(len(head), 60)]), 60)
		looks = fmt.Sprintf("text %q", t)
	}
	if len(head) == 0 {
		looks = "an empty body"
	}
	ct = capture.CleanText(ct, capture.MaxFieldText)
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("%s did not send MJPEG or JPEG (Content-Type %s, body is %s); check the URL path: %w",
		r.where, ct, looks, capture.ErrNotVideo)
}

func (r *run) partErr(err error) error {
	switch {
	case errors.Is(err, capture.ErrMalformed), errors.Is(err, capture.ErrTooLarge):
		return fmt.Errorf("stream from %s: %w", r.where, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("stream from %s ended mid-frame after %d frames: %w", r.where, r.frames, err)
	}
	return r.readErr(err, "streaming")
}

// readErr explains a read failure after the response head.
func (r *run) readErr(err error, doing string) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && r.frames == 0 && doing != "reading a snapshot" {
		return fmt.Errorf("%s sent HTTP headers but no frame within %v; the camera or the network stalled: %w: %w",
			r.where, r.rtimeout, capture.ErrStalled, err)
	}
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%s sent nothing for %v while %s; the camera or the network stalled: %w: %w",
			r.where, r.rtimeout, doing, capture.ErrStalled, err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s closed the connection while %s: %w", r.where, doing, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("connection to %s lost while %s: %w", r.where, doing, err)
}

func (r *run) headErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%s accepted the connection but sent no HTTP answer within %v; check that this port serves HTTP: %w",
			r.where, r.timeout, err)
	case errors.Is(err, capture.ErrNotVideo), errors.Is(err, capture.ErrTooLarge):
		return err
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the connection without an HTTP answer; check the port and scheme (http vs https): %w", r.where, err)
	}
	return fmt.Errorf("HTTP request to %s failed: %w", r.where, err)
}

// dialErr explains why a connection could not be made, wrapping the net error.
func (r *run) dialErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if e, ok := capture.ExplainDial(err, capture.DialPlace{Host: r.u.Hostname(), Where: r.hostport, Timeout: r.timeout,
		Listener: "the port number and that the camera's web server is enabled",
		Plain:    "http://", Secure: "https://", TLSPrefix: "https camera"}); ok {
		return e
	}
	return fmt.Errorf("cannot connect to %s: %w", r.hostport, err)
}
