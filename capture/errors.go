package capture

import "errors"

// Kinds of failure that callers branch on (the Supervisor's backoff, the probe's advice,
// the tile's offline card). Sources wrap them with %w next to a message that says what
// happened and where, without credentials.
var (
	// ErrUnauthorized: the server refused the credentials or asked for some we lack.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotVideo: the server answered, but not with a stream we can read.
	ErrNotVideo = errors.New("not a video stream")
	// ErrMalformed: the stream started but its bytes break the format.
	ErrMalformed = errors.New("malformed stream")
	// ErrTooLarge: a size limit was hit (a part, a header block, a response).
	ErrTooLarge = errors.New("over size limit")
	// ErrStalled: connected, but no frame arrived within the watchdog's time.
	ErrStalled = errors.New("no frames")
	// ErrNotFound: the server says the stream or camera does not exist (HTTP 404, RTSP 404).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the server knows who we are and refuses anyway (HTTP 403, RTSP 403):
	// the account lacks the right, or the camera blocks this client. Retrying with the
	// same account does not help, and quick repeats can lock it.
	ErrForbidden = errors.New("forbidden")
	// ErrUnsupportedTransport: the RTSP server refuses the RTP transport asked for (RTSP
	// 461, RFC 2326 §11.3.13): UDP behind a firewall, or TCP on a UDP-only server.
	ErrUnsupportedTransport = errors.New("unsupported transport")
	// ErrBusy: the server is up but will not serve now (HTTP/RTSP 503, HTTP 429): too
	// many viewers or sessions, or starting up. Worth a retry, not a quick one.
	ErrBusy = errors.New("server busy")
	// ErrServerError: the server failed on its side (a 5xx other than 503).
	ErrServerError = errors.New("server error")
	// ErrBadURL: the URL itself is wrong (it does not parse, or is ambiguous); nothing was
	// sent. The error carries the URL redacted, never url.Parse's message, which quotes
	// the raw URL and its password.
	ErrBadURL = errors.New("invalid URL")
	// ErrUnsupported: the stream is readable but uses a feature Vigil does not decode
	// (a JPEG colour space, a codec profile); it is not broken.
	ErrUnsupported = errors.New("unsupported format")
)

// StatusError maps an HTTP or RTSP status code to the kind above that callers branch on,
// or nil for a code without one. 401 is left to the caller, which knows whether it sent
// credentials; 404 is ErrNotFound.
func StatusError(code int) error {
	switch {
	case code == 403:
		return ErrForbidden
	case code == 404:
		return ErrNotFound
	case code == 461:
		return ErrUnsupportedTransport
	case code == 503, code == 429:
		return ErrBusy
	case code >= 500 && code <= 599:
		return ErrServerError
	}
	return nil
}
