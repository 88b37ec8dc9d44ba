package capture

import (
	"net/url"
	"regexp"
	"strings"
)

// RedactURL returns rawURL fit for logs, errors and screens: user information removed
// (the user name too: it is half a credential) and secret-looking query parameters masked.
// Text that does not parse as a URL has anything between "//" and "@" removed.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return userinfoRE.ReplaceAllString(rawURL, "//")
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

var userinfoRE = regexp.MustCompile(`//[^/@\s]*@`)

func secretParam(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "pwd", "token", "secret", "key", "auth"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
