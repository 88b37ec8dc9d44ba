package capture

import "errors"

// PhaseSink is implemented by a Sink that wants to know what a Source is waiting for. The
// probe uses it to name a silent server by what it failed to do ("127.0.0.1:554 did not
// answer DESCRIBE within 10 s") instead of "context deadline exceeded" when its own time
// runs out before the source's. Sources call ReportPhase; a Sink without it ignores them.
type PhaseSink interface {
	// Phase is what the server has not done yet, phrased as the failure it becomes if the
	// server stays silent ("10.0.0.5:554 did not answer DESCRIBE"). It names hosts and
	// protocol steps only, never text from the camera. The caller adds "within <time>".
	Phase(failure string)
}

// ReportPhase tells sink what the Source waits for now, when sink listens (see PhaseSink).
func ReportPhase(sink Sink, failure string) {
	if p, ok := sink.(PhaseSink); ok {
		p.Phase(failure)
	}
}

// InfoError is a failure that came after the Source had learned part of what Connected
// would have reported: the Content-Type of a 404 page, the schemes a 401 offered. The probe
// reports those facts beside the error (`content_type`, `auth_offered`). It wraps Err, so
// errors.Is and Classify see through it.
type InfoError struct {
	Info StreamInfo
	Err  error
}

func (e *InfoError) Error() string { return e.Err.Error() }
func (e *InfoError) Unwrap() error { return e.Err }

// WithInfo wraps a non-nil err with what the source learned before it failed.
func WithInfo(err error, info StreamInfo) error {
	if err == nil {
		return nil
	}
	return &InfoError{Info: info, Err: err}
}

// InfoOf returns what a failed Source had learned, when its error carries it.
func InfoOf(err error) (StreamInfo, bool) {
	var ie *InfoError
	if errors.As(err, &ie) {
		return ie.Info, true
	}
	return StreamInfo{}, false
}
