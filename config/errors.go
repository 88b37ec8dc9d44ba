package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// FieldError is one problem with one setting. Load, Parse and Validate return all problems
// at once, joined with errors.Join; Problems lists them (for a settings dialog that marks
// the offending fields).
type FieldError struct {
	// Path is the key path, for example "cameras[1].streams[0].url".
	Path string
	// Camera is the camera's name when Path is inside a camera, else "".
	Camera string
	// Value is the offending value as shown to the user: URLs redacted, never a password,
	// quoted when printed. Empty when there is nothing useful to show.
	Value string
	// Msg says what is wrong and, where it helps, what is wanted.
	Msg string
	// Line is the line of the settings file holding the key, or 0 when unknown.
	Line int
	// Env is the environment variable the value came from (for example "VIGIL_LOG_LEVEL"),
	// or "" when it came from the file.
	Env string
}

// Error formats the problem as
// `line 12: cameras[1] "Gate": streams[0].url "htp://x": unsupported scheme "htp" (…)`.
func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.Env != "":
		b.WriteString(e.Env)
		b.WriteString(": ")
	case e.Line > 0:
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	path := e.Path
	if e.Camera != "" && strings.HasPrefix(path, "cameras[") {
		end := strings.IndexByte(path, ']') + 1
		b.WriteString(path[:end])
		b.WriteString(" ")
		b.WriteString(quote(e.Camera))
		path = strings.TrimPrefix(path[end:], ".")
		if path != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(path)
	if e.Value != "" {
		b.WriteString(" ")
		b.WriteString(quote(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Problems lists the FieldErrors inside err (from Load, Parse, Validate or Save), in order.
func Problems(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// maxShown caps how much of a value an error message shows.
const maxShown = 120

// quote quotes s for a message, Go-escaping control characters and cutting it short.
func quote(s string) string {
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return strconv.Quote(s)
}

// secretQueryKeys are query parameters that carry credentials in camera URLs
// (for example /snapshot.cgi?user=admin&pwd=…) and are redacted wherever a URL is shown.
var secretQueryKeys = []string{"password", "passwd", "pass", "pwd", "psw", "token", "connectiontoken", "auth", "key"}

// isPasswordQueryKey is true for the query parameters that carry a password, which a
// settings URL may not hold.
func isPasswordQueryKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "pass") || k == "pwd" || k == "psw"
}

func isSecretQueryKey(k string) bool {
	for _, s := range secretQueryKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

// redactURL returns rawURL fit for a message: the userinfo (user:password@) stripped and
// the values of credential-like query parameters replaced by "xxxxx". It works on the text,
// so it also cleans URLs that do not parse. A URL whose password ended its host early (it
// holds '/', '?' or '#': "http://admin:ab/cd@cam") is left to capture.RedactURL, which
// keeps only the scheme and the host after the last '@'.
func redactURL(rawURL string) string {
	s := rawURL
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	end := len(s)
	if j := strings.IndexAny(s[start:], "/?#"); j >= 0 {
		end = start + j
	}
	if at := strings.IndexByte(s[start:], '@'); at > end-start {
		if _, err := capture.ParseURL(rawURL); err != nil {
			return capture.RedactURL(rawURL)
		}
	}
	if k := strings.LastIndexByte(s[start:end], '@'); k >= 0 {
		s = s[:start] + s[start+k+1:]
	}
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	query, frag, hasFrag := strings.Cut(s[q+1:], "#")
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, hasVal := strings.Cut(p, "=")
		if hasVal && isSecretQueryKey(k) {
			parts[i] = k + "=xxxxx"
		}
	}
	s = s[:q+1] + strings.Join(parts, "&")
	if hasFrag {
		s += "#" + frag
	}
	return s
}

// scrub is the last line of defence: messages are built never to hold a secret, but if one
// of the given secrets shows up in err's text anyway, the whole error is replaced by its
// text with the secrets masked. Secrets shorter than 3 bytes are not searched for (they
// would mask ordinary words).
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	leaked := false
	for _, s := range secrets {
		if len(s) >= 3 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			leaked = true
		}
	}
	if !leaked {
		return err
	}
	return errors.New(msg)
}

// fieldErr builds a FieldError.
func fieldErr(path, camera, value, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Camera: camera, Value: value, Msg: fmt.Sprintf(format, args...)}
}
