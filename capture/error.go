package capture

import (
	"fmt"
	"strings"
)

// Error is a failure as a protocol reports it: what kind it is, where and during what it
// happened, what the server answered, and (optionally) what to try. Protocols return it
// instead of writing advice into their messages; Explain turns it into the sentence and
// the advice the tile, the probe and the camera dialog show (as gortsplib's liberrors:
// typed errors, the caller explains).
//
// errors.Is(err, ErrForbidden) and the like keep working: Unwrap returns Kind and Err.
//
// Kind is a sentinel of errors.go (ErrUnauthorized, ErrNotFound…) or a standard one such
// as context.DeadlineExceeded; nil when the cause in Err says it (a net error, which
// Classify names). Text is the server's own words, passed through CleanText
// (MaxFieldText) by Error and Explain, so it may be set raw. What says what happened
// without advice ("wrong user or password (camera wants digest, sent digest)"); Hint is
// the protocol's advice when it knows better than the kind's general Advice.
type Error struct {
	Kind   error
	Op     string // what was being done: "DESCRIBE", "milestone Login"; optional
	Where  string // the server as host:port, no credentials
	Status int    // HTTP or RTSP status, or the server's fault number; 0 for none
	Text   string // the server's reason phrase or fault string
	What   string // what happened, in words
	Hint   string // what to try; optional
	Err    error  // the underlying cause (a net error, a certificate refusal), or nil
}

// Error writes one sentence: "Op at Where: Status Text: What: cause".
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Op != "" && e.Where != "":
		b.WriteString(e.Op + " at " + e.Where)
	case e.Op != "":
		b.WriteString(e.Op)
	default:
		b.WriteString(e.Where)
	}
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	text := CleanText(e.Text, MaxFieldText)
	if e.Status != 0 {
		sep()
		fmt.Fprintf(&b, "%d", e.Status)
		if text != "" {
			b.WriteString(" " + text)
		}
	}
	if e.What != "" {
		sep()
		b.WriteString(e.What)
	}
	if e.Status == 0 && text != "" {
		fmt.Fprintf(&b, " (%q)", text)
	}
	if e.Err != nil {
		sep()
		b.WriteString(e.Err.Error())
	}
	if b.Len() == 0 && e.Kind != nil {
		b.WriteString(e.Kind.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause, those that are set.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Kind, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
