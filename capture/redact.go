package capture

import (
	"errors"
	"net/url"
	"strings"
)

// RedactURL returns rawURL fit for logs, errors and screens: user information removed
// (the user name too: it is half a credential), the fragment dropped and secret-looking
// query parameters masked. Where the URL does not parse, or parses with a port and an '@'
// after its host (a password starting with digits then '/', '?' or '#' ends the host
// early: url.Parse takes "admin:12" for host and port), only the scheme and the host
// after the last '@' are kept, with "…" for what was left out: guessing where a password ends in a malformed
// URL is how passwords leak (issue 10: `parse "http://admin:ab/cd@…": invalid port`).
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Opaque != "" || ambiguousAt(u, rawURL) {
		return redactLoose(rawURL)
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k := range q {
			if secretParam(k) {
				q.Set(k, "REDACTED")
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return CleanText(u.String(), MaxErrorText)
}

// redactLoose keeps a URL's scheme and, when it looks like one, the host after the last
// '@'; nothing else.
func redactLoose(rawURL string) string {
	i := strings.Index(rawURL, "://")
	if i <= 0 || !validScheme(rawURL[:i]) {
		return "(unparseable URL)"
	}
	scheme, rest := rawURL[:i], rawURL[i+3:]
	hidden := ""
	if k := strings.LastIndex(rest, "@"); k >= 0 {
		rest, hidden = rest[k+1:], "…@"
	}
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if !plausibleHost(rest) {
		return scheme + "://…"
	}
	return scheme + "://" + hidden + rest + "/…"
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return len(s) > 0 && len(s) <= 16
}

// plausibleHost reports whether s is a host name or address with an optional numeric
// port: anything else in a broken URL may be the tail of a password.
func plausibleHost(s string) bool {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return false
		}
		host, port = s[1:end], strings.TrimPrefix(s[end+1:], ":")
		if s[end+1:] != "" && !strings.HasPrefix(s[end+1:], ":") {
			return false
		}
	} else if k := strings.LastIndex(s, ":"); k >= 0 {
		host, port = s[:k], s[k+1:]
	}
	if host == "" || len(host) > 253 || len(port) > 5 {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' && strings.HasPrefix(s, "[")) {
			return false
		}
	}
	return true
}

// ambiguousAt reports a URL that parsed without user information but with a port and an
// '@' after the host: "http://admin:12/34@cam/" is host "admin", port 12 and path
// "/34@cam/" to url.Parse, and the user meant the password "12/34". A camera name with an
// '@' after a host without a port (milestones://vms/Front@Door) is not ambiguous.
func ambiguousAt(u *url.URL, rawURL string) bool {
	return u.User == nil && u.Port() != "" && strings.Contains(rawURL, "@")
}

// URLError is a URL that ParseURL refused. It matches ErrBadURL.
type URLError struct {
	// URL is the URL redacted (RedactURL).
	URL string
	// Reason says what is wrong in words that quote nothing of the URL.
	Reason string
	// MaybePassword is set when the URL holds an '@' or '%': the likely cause is a
	// password with a reserved character, and the message says how to write it.
	MaybePassword bool
}

func (e *URLError) Error() string {
	msg := e.URL + " is not a valid URL: " + e.Reason
	if e.MaybePassword {
		msg += "; " + passwordInURLHint
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrBadURL) hold.
func (e *URLError) Unwrap() error { return ErrBadURL }

// passwordInURLHint says how to write a password with reserved characters.
const passwordInURLHint = "if the password holds / ? # @ or %, percent-encode it (%2F %3F %23 %40 %25) or give it apart from the URL (the password field, --password or VIGIL_PASSWORD)"

// ParseURL parses a URL a user gave (settings, command line, camera dialog). Its error is
// a *URLError (matching ErrBadURL) that names the URL redacted and says what is wrong in
// words that quote nothing of it: url.Parse's own error embeds the raw URL, and its reason
// often quotes the text after a colon in the user information, which is the password
// (`invalid port ":ab/cd" after host`). A URL that parses only by taking part of a
// password for a port and path (see RedactURL) is refused too.
func ParseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		reason := "it does not parse"
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = urlReason(ue.Err)
		}
		return nil, badURL(rawURL, reason)
	}
	if ambiguousAt(u, rawURL) {
		return nil, badURL(rawURL, "an '@' comes after the host and port")
	}
	if u.Opaque != "" && strings.Contains(u.Opaque, "@") {
		return nil, badURL(rawURL, "'//' is missing after the scheme")
	}
	return u, nil
}

func badURL(rawURL, reason string) error {
	return &URLError{URL: RedactURL(rawURL), Reason: reason,
		MaybePassword: strings.Contains(rawURL, "@") || strings.Contains(rawURL, "%")}
}

// urlReason keeps the words of a net/url error and drops the part of the URL it quotes
// (every such message quotes with %q: `invalid URL escape "%zz"`, `invalid port ":ab"
// after host`, `invalid character " " in host name`).
func urlReason(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(strings.TrimSpace(msg), "net/url: ")
	if msg == "" {
		return "it does not parse"
	}
	return CleanText(msg, MaxFieldText)
}

func secretParam(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "pwd", "token", "secret", "key", "auth"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
