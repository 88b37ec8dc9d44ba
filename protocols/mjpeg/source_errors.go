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

// The errors of an HTTP camera are capture.Errors: what happened in What, the advice
// in Hint, the camera's reason phrase in Text; capture.Explain puts them in words.

func (r *run) unauthorized(cs []digest.Challenge, sent bool) error {
	var names []string
	for _, s := range schemes(cs) {
		names = append(names, digest.SchemeName(s))
	}
	wants := "gives no WWW-Authenticate scheme"
	if len(names) > 0 {
		wants = "wants " + strings.Join(names, " or ")
	}
	e := &capture.Error{Kind: capture.ErrUnauthorized, Where: r.where, Status: http.StatusUnauthorized}
	switch {
	case !r.hasCreds:
		e.What = "the camera " + wants + " and no credentials were sent"
		e.Hint = "set the camera's user and password"
	case !sent:
		e.What = "the camera " + wants + ", which Vigil does not support; credentials were not sent"
		e.Hint = "set the camera to Basic or Digest authentication"
	default:
		e.What = fmt.Sprintf("wrong user or password (camera %s, sent %s for user %q)", wants, digest.SchemeName(r.auth.Scheme()), r.auth.User)
	}
	return e
}

// staleNonces is a camera that refuses every fresh Digest nonce it hands out.
func (r *run) staleNonces() error {
	return &capture.Error{Kind: capture.ErrUnauthorized, Where: r.where, Status: http.StatusUnauthorized,
		What: "the camera keeps rejecting fresh Digest nonces", Hint: "check the user and password"}
}

func (r *run) statusErr(h *respHead) error {
	path := capture.RedactURL(r.u.String())
	e := &capture.Error{Kind: capture.StatusError(h.status), Where: r.where, Status: h.status,
		Text: capture.CleanText(h.reason, 64)} // the camera's words: never raw on a terminal
	switch h.status {
	case http.StatusForbidden:
		e.What = "the user may lack the right to view " + path + ", or the camera blocks this client"
		e.Hint = "check the user's permissions in the camera, and whether it filters client addresses"
	case http.StatusNotFound:
		e.What = "no stream at " + path
		e.Hint = "check the URL path (the camera's manual lists its MJPEG or snapshot path)"
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		e.What = "redirected to " + capture.RedactURL(capture.CleanText(h.header.Get("Location"), capture.MaxFieldText))
		e.Hint = "use that URL instead"
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		e.What = "the camera is busy (too many viewers?) or starting"
		e.Hint = "close other viewers or wait"
	default:
		if h.status >= 500 && h.status <= 599 {
			e.What = "the camera reports an internal error"
			e.Hint = "restart the camera, or check its firmware"
			break
		}
		e.What = "not a stream at " + path
		e.Hint = "check the URL"
	}
	return e
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
	return &capture.Error{Kind: capture.ErrNotVideo, Where: r.where,
		What: fmt.Sprintf("did not send MJPEG or JPEG (Content-Type %s, body is %s)", ct, looks),
		Hint: "check the URL path: it must be the camera's MJPEG stream or JPEG snapshot, not its web page"}
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
		return &capture.Error{Kind: capture.ErrStalled, Where: r.where, Err: err,
			What: fmt.Sprintf("sent HTTP headers but no frame within %v; the camera or the network stalled", r.rtimeout)}
	}
	if errors.As(err, &ne) && ne.Timeout() {
		return &capture.Error{Kind: capture.ErrStalled, Where: r.where, Err: err,
			What: fmt.Sprintf("sent nothing for %v while %s; the camera or the network stalled", r.rtimeout, doing)}
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
		return &capture.Error{Where: r.where, Err: err,
			What: fmt.Sprintf("accepted the connection but sent no HTTP answer within %v", r.timeout),
			Hint: "check that this port serves HTTP (the camera's web or stream port)"}
	case errors.Is(err, capture.ErrNotVideo), errors.Is(err, capture.ErrTooLarge):
		return err
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return &capture.Error{Where: r.where, Err: err, What: "closed the connection without an HTTP answer",
			Hint: "check the port and the scheme (http vs https)"}
	}
	return fmt.Errorf("HTTP request to %s failed: %w", r.where, err)
}

// dialErr explains why a connection could not be made, wrapping the net error.
func (r *run) dialErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return capture.DialError(err, capture.DialPlace{Host: r.u.Hostname(), Where: r.hostport, Timeout: r.timeout,
		Listener: "the port number and that the camera's web server is enabled",
		Plain:    "http://", Secure: "https://", Op: r.u.Scheme + " camera"})
}
