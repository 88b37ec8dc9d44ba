package capture

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths CleanText cuts to, in characters.
const (
	// MaxFieldText fits one header value or status text (a reason phrase, a Content-Type,
	// a Location, a SOAP fault string, a camera name).
	MaxFieldText = 200
	// MaxErrorText fits a whole error message, explanation and advice included.
	MaxErrorText = 1000
)

// CleanText makes text that came from a camera or server fit for a terminal, a log line
// or a label: terminal escape sequences (ESC [ …, ESC ] … BEL, and the C1 forms) are
// removed with what they carry, other C0 and C1 controls, DEL and Unicode format
// characters (bidi overrides such as U+202E, zero-width characters, BOM) are dropped,
// invalid UTF-8 becomes U+FFFD, runs of white space become one space, and the result is
// trimmed and cut to at most max characters, the last being "…" when cut (max <= 0
// means MaxFieldText). Seen: a camera whose reason phrase cleared the terminal and drew
// a fake "OK" (issue 10).
//
// It is the one place such text is cleaned; call it on every field a peer controls
// before it enters an error, a report or a widget.
func CleanText(s string, max int) string {
	max = OrDefault(max, MaxFieldText)
	if isClean(s, max) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*max))
	n := 0           // characters written
	space := false   // a space is pending (written only before a following character)
	lastBad := false // the last character written was U+FFFD for invalid UTF-8
	for i := 0; i < len(s); {
		r, w := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r > ' ' && r < 0x7f: // printable ASCII, the common case
			i++
		case r == utf8.RuneError && w == 1:
			i++
			if lastBad {
				continue // one U+FFFD for a run of invalid bytes
			}
		case r == 0x1b: // ESC
			i = skipEscape(s, i+1)
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+w)
			continue
		case r == 0x90 || r == 0x9d || r == 0x9e || r == 0x9f || r == 0x98: // C1 DCS, OSC, PM, APC, SOS
			i = skipString(s, i+w)
			continue
		case unicode.IsSpace(r):
			i += w
			space = n > 0
			continue
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r):
			i += w
			continue
		default:
			i += w
		}
		lastBad = r == utf8.RuneError && w == 1
		if lastBad {
			r = utf8.RuneError
		}
		extra := 0
		if space {
			extra = 1
		}
		if n+extra+1 > max {
			return cut(b.String(), max)
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isClean reports whether s needs no change: printable ASCII, single spaces, not at the
// ends, short enough. Most header values take this path without an allocation.
func isClean(s string, max int) bool {
	if len(s) > max || (len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ')) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && i > 0 && s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// cut shortens clean text to max characters, the last being "…".
func cut(s string, max int) string {
	n := 0
	for i := range s {
		if n == max-1 {
			s = s[:i]
			break
		}
		n++
	}
	return strings.TrimRight(s, " ") + "…"
}

// skipEscape skips an escape sequence whose ESC was just before i (ECMA-48 §5.3): a
// control sequence (ESC [), a control string (ESC ] P X ^ _, ended by BEL or ST), or
// intermediates and one final byte. It returns the index after the sequence.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f { // intermediates
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e { // final
		i++
	}
	return i
}

// skipCSI skips a control sequence's parameters, intermediates and final byte.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips a control string up to and with its terminator: BEL, ESC \ or C1 ST.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}

// CleanError returns err with its message passed through CleanText (MaxErrorText), still
// matching errors.Is and errors.As through its chain. It returns err itself when the
// message is clean already, and nil for nil. Sources' errors may embed a server's words
// (a library's error quoting a header); this is the last line before a screen.
func CleanError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := CleanText(msg, MaxErrorText)
	if clean == msg {
		return err
	}
	return &cleanError{msg: clean, err: err}
}

type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

// Clean passes every field of the report a camera or server could have written through
// CleanText, and the error through CleanError: the report is printed to a terminal and
// shown in the camera dialog. Probe calls it; call it again after adding fields.
func (r *ProbeReport) Clean() {
	r.URL = CleanText(r.URL, MaxErrorText)
	for _, p := range []*string{&r.Protocol, &r.Transport, &r.Auth, &r.ContentType, &r.Fingerprint} {
		*p = CleanText(*p, MaxFieldText)
	}
	r.Codec = Codec(CleanText(string(r.Codec), MaxFieldText))
	for i := range r.AuthOffered {
		r.AuthOffered[i] = CleanText(r.AuthOffered[i], MaxFieldText)
	}
	for i := range r.Cameras {
		c := &r.Cameras[i]
		c.Name, c.ID, c.Recorder = CleanText(c.Name, MaxFieldText), CleanText(c.ID, MaxFieldText), CleanText(c.Recorder, MaxFieldText)
	}
	for i := range r.Tracks {
		t := &r.Tracks[i]
		t.Media, t.Codec, t.Profile = CleanText(t.Media, MaxFieldText), CleanText(t.Codec, MaxFieldText), CleanText(t.Profile, MaxFieldText)
	}
	r.Err = CleanError(r.Err)
	r.Error = CleanText(r.Error, MaxErrorText)
	if r.Err != nil && r.Error != "" {
		r.Error = r.Err.Error()
	}
	r.Advice = CleanText(r.Advice, MaxErrorText)
}

// Explain fills Error, ErrorKind and Advice from Err (capture.Explain), cleaned.
func (r *ProbeReport) Explain() {
	x := Explain(r.Err)
	r.Error, r.ErrorKind, r.Advice = x.Summary, x.Cause, x.Advice
}
