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
type Error struct {
	// Kind is one of the sentinel kinds in errors.go (ErrUnauthorized, ErrNotFound…),
	// nil when the cause in Err says it (a net error: Classify names it).
	Kind error
	// Op is what was being done: "DESCRIBE", "milestone Login". Optional.
	Op string
	// Where is the server as host:port (no credentials).
	Where string
	// Status is the HTTP or RTSP status, or the server's fault number; 0 for none.
	Status int
	// Text is the server's own words (a reason phrase, a fault string). Error and Explain
	// pass it through CleanText (MaxFieldText), so it may be set raw.
	Text string
	// What says what happened, in words, without advice: "wrong user or password
	// (camera wants digest, sent digest)".
	What string
	// Hint is the protocol's advice, when it knows better than the kind's general advice
	// (Advice): "set the camera's transport to auto or udp". Optional.
	Hint string
	// Err is the underlying cause (a net error, a certificate refusal), or nil.
	Err error
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
