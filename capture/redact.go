package capture

import (
	"net/url"
	"strings"
)

// RedactURL returns rawURL fit for logs, errors and screens: user information removed
// (the user name too: it is half a credential) and secret-looking query parameters masked.
// Text that does not parse as a URL keeps only its scheme and host: guessing where a
// password ends in a malformed URL is how passwords leak.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if i := strings.Index(rawURL, "://"); i >= 0 {
			rest := rawURL[i+3:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if k := strings.LastIndex(rest, "@"); k >= 0 {
				rest = rest[k+1:]
			}
			return rawURL[:i+3] + rest + "/…"
		}
		return "(unparseable URL)"
	}
	u.User = nil
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
	return u.String()
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
