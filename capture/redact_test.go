package capture

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// leakyURLs are URLs a user typed with a password url.Parse cannot take as it is, each
// with the password it holds.
var leakyURLs = []struct{ raw, password string }{
	{"http://admin:ab/cd@10.0.0.5/video", "ab/cd"},
	{"http://admin:ab#cd@10.0.0.5/video", "ab#cd"},
	{"http://admin:ab?cd@10.0.0.5/video", "ab?cd"},
	{"http://admin:12/34@10.0.0.5/video", "12/34"},
	{"http://admin:12#34@10.0.0.5:8080/video", "12#34"},
	{"rtsp://admin:p%zzw@10.0.0.5/live", "p%zzw"},
	{"rtsp://admin:50%off@10.0.0.5/live", "50%off"},
	{"rtsp://admin:s3cr t@10.0.0.5/live", "s3cr t"},
	{"http://admin:hunter2", "hunter2"},
	{"http:admin:hunter2@10.0.0.5/x", "hunter2"},
	{"milestones://admin:pa/ss@vms/Gate", "pa/ss"},
	{"http://admin:x\x1b[2Jy@10.0.0.5/", "x\x1b[2Jy"},
}

// assertNoCredential fails when text holds the password, or the user name, in any form:
// raw, percent-encoded, or base64 of user:password (a Basic Authorization header).
func assertNoCredential(t *testing.T, text, user, password string) {
	t.Helper()
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password),
		base64.StdEncoding.EncodeToString([]byte(user + ":" + password)), user + ":"}
	for _, part := range strings.FieldsFunc(password, func(r rune) bool { return strings.ContainsRune("/#?% \x1b[", r) }) {
		if len(part) >= 3 {
			forms = append(forms, part)
		}
	}
	for _, f := range forms {
		if f != "" && strings.Contains(text, f) {
			t.Fatalf("%q shows the credential (as %q)", text, f)
		}
	}
}

func TestRedactURLNeverShowsAPassword(t *testing.T) {
	for _, c := range leakyURLs {
		got := RedactURL(c.raw)
		assertNoCredential(t, got, "admin", c.password)
		if strings.ContainsRune(got, 0x1b) {
			t.Fatalf("RedactURL(%q) = %q keeps an escape", c.raw, got)
		}
		_, err := ParseURL(c.raw)
		if err == nil {
			t.Fatalf("ParseURL(%q) accepted it", c.raw)
		}
		var ue *URLError
		if !errors.Is(err, ErrBadURL) || !errors.As(err, &ue) || Classify(err) != CauseBadURL {
			t.Fatalf("ParseURL(%q): %v is not a bad URL", c.raw, err)
		}
		assertNoCredential(t, err.Error(), "admin", c.password)
	}
}

func TestParseURLAcceptsOrdinaryURLs(t *testing.T) {
	for _, raw := range []string{"rtsp://admin:p%2Fw@10.0.0.5/live", "milestones://vms/Front@Door", "http://cam:8080/snap.jpg?x=1", "demo://bars"} {
		if _, err := ParseURL(raw); err != nil {
			t.Errorf("ParseURL(%q): %v", raw, err)
		}
	}
}

func FuzzRedactURL(f *testing.F) {
	for _, c := range leakyURLs {
		f.Add(c.raw)
	}
	f.Add("rtsp://u:p@c@cam:554/x")
	f.Fuzz(func(t *testing.T, raw string) {
		got := RedactURL(raw)
		if strings.ContainsRune(got, 0x1b) {
			t.Fatalf("RedactURL(%q) = %q keeps an escape", raw, got)
		}
		// Whatever parsed as a password must not come out.
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && len(p) >= 4 && strings.Contains(got, p) && !strings.Contains(strings.TrimPrefix(raw, u.User.String()+"@"), p) {
				t.Fatalf("RedactURL(%q) = %q shows the password", raw, got)
			}
		}
		if _, err := ParseURL(raw); err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Fatalf("ParseURL(%q): %q keeps an escape", raw, err)
		}
	})
}
