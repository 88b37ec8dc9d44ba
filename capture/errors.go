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
)
