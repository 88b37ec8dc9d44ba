package mjpeg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// fakeOK is what a hostile camera writes to clear the terminal and draw a fake "OK".
const fakeOK = "\x1b[2J\x1b[H\x1b]0;owned\x07OK\u202e"

// hostileAnswers are camera answers whose text tries to reach the terminal raw, with the
// kind of error each must give.
var hostileAnswers = []struct {
	name, reply string
	kind        error
}{
	{"503 reason", "HTTP/1.1 503 " + fakeOK + "\r\n", capture.ErrBusy},
	{"429 reason", "HTTP/1.1 429 " + fakeOK + "\r\n", capture.ErrBusy},
	{"500 reason", "HTTP/1.1 500 " + fakeOK + "\r\n", capture.ErrServerError},
	{"502 reason", "HTTP/1.1 502 " + fakeOK + "\r\n", capture.ErrServerError},
	{"403 reason", "HTTP/1.1 403 " + fakeOK + "\r\n", capture.ErrForbidden},
	{"418 reason", "HTTP/1.1 418 " + fakeOK + strings.Repeat("x", 3000) + "\r\n", nil},
	{"Location", "HTTP/1.1 302 Found\r\nLocation: http://admin:pw@10.0.0.9/" + fakeOK + "\r\n", nil},
	{"Location unparseable", "HTTP/1.1 302 Found\r\nLocation: http://10.0.0.9" + fakeOK + "/x\r\n", nil},
	{"WWW-Authenticate", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + fakeOK + " realm=x\r\nWWW-Authenticate: Basic" + fakeOK + "\r\n", capture.ErrUnauthorized},
	{"Content-Type", "HTTP/1.1 200 OK\r\nContent-Type: text/html" + fakeOK + "\r\n", capture.ErrNotVideo},
}

// assertNoEscape fails when text holds an escape byte or another control character a
// terminal acts on, raw or JSON-escaped.
func assertNoEscape(t *testing.T, what, text string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\u009b", "\a", "\u202e", `\u001b`, `\u0007`, `\u202e`, "owned"} {
		if strings.Contains(text, bad) {
			t.Fatalf("%s holds %q:\n%q", what, bad, text)
		}
	}
}

// assertStatusError checks the capture.Error an HTTP answer maps to: its status is the
// answer's code, the camera's reason phrase is kept cleaned and bounded, and advice comes
// with it (capture.Explain).
func assertStatusError(t *testing.T, err error, reply string) {
	t.Helper()
	var e *capture.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a *capture.Error", err)
	}
	var code int
	if _, scanErr := fmt.Sscanf(reply, "HTTP/1.1 %d", &code); scanErr != nil || e.Status != code && !errors.Is(err, capture.ErrNotVideo) {
		t.Errorf("status %d, want %d", e.Status, code)
	}
	assertNoEscape(t, "the server's text", e.Text)
	if n := utf8.RuneCountInString(e.Text); n > 64 {
		t.Errorf("server text of %d characters kept", n)
	}
	if x := capture.Explain(err); x.Advice == "" || strings.Contains(x.Summary, x.Advice) {
		t.Errorf("explanation %+v: no advice, or advice in the summary", x)
	}
}

func TestHostileAnswersNeverReachTheScreenRaw(t *testing.T) {
	for _, c := range hostileAnswers {
		t.Run(c.name, func(t *testing.T) {
			srv := mjpegtest.NewServer(mjpegtest.Options{Reply: c.reply})
			defer srv.Close()
			r := capture.Probe(context.Background(), &mjpeg.Source{URL: srv.URL(), User: "admin", Password: "pw"},
				capture.ProbeOptions{Timeout: 5 * time.Second})
			if r.OK() || r.Err == nil {
				t.Fatalf("probe passed: %+v", r)
			}
			if c.kind != nil && !errors.Is(r.Err, c.kind) {
				t.Fatalf("error %q is not %v", r.Err, c.kind)
			}
			js, _ := json.Marshal(r)
			assertNoEscape(t, "the error", r.Err.Error())
			assertNoEscape(t, "the report", string(js))
			if strings.Contains(string(js), "admin:pw") || len(r.Error) > capture.MaxErrorText*3 {
				t.Fatalf("report %s", js)
			}
			t.Logf("%s", r.Error)
			if !strings.Contains(r.Error, srv.Addr()) {
				t.Fatalf("error %q does not name the camera", r.Error)
			}
			assertStatusError(t, r.Err, c.reply)
		})
	}
}

// TestSupervisorBackoffFollowsTheCamerasAnswer runs the real Supervisor against a camera
// answering 403, 503 or 500 and checks the retry it schedules: a forbidden account waits
// the first step of the authentication schedule (an account is never locked by retries), a busy camera BusyRetryFloor, a
// failing one the schedule's own 10 ms. Nothing waits for real: RetryAt is read as soon as
// the first failure is reported, then the Supervisor is cancelled.
func TestSupervisorBackoffFollowsTheCamerasAnswer(t *testing.T) {
	for _, c := range []struct {
		reply    string
		min, max time.Duration // RetryAt − Since, jitter ±20 % included
	}{
		{"HTTP/1.1 403 Forbidden\r\n", capture.DefaultAuthBackoff[0].Delay * 8 / 10, capture.DefaultAuthBackoff[0].Delay * 12 / 10},
		{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n", capture.DefaultAuthBackoff[0].Delay * 8 / 10, capture.DefaultAuthBackoff[0].Delay * 12 / 10},
		{"HTTP/1.1 503 Service Unavailable\r\n", capture.BusyRetryFloor * 8 / 10, capture.BusyRetryFloor * 12 / 10},
		{"HTTP/1.1 500 Internal Server Error\r\n", -time.Second, 12 * time.Millisecond}, // Since is taken just after RetryAt
	} {
		srv := mjpegtest.NewServer(mjpegtest.Options{Reply: c.reply})
		got := make(chan capture.Status, 1)
		var once sync.Once
		sup := &capture.Supervisor{Name: "gate", Source: &mjpeg.Source{URL: srv.URL(), User: "admin", Password: "wrong"}, Hub: &capture.Hub{},
			Backoff: []capture.BackoffTier{{Delay: 10 * time.Millisecond}},
			OnStatus: func(st capture.Status) {
				if st.State == capture.StateOffline {
					once.Do(func() { got <- st })
				}
			}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { sup.Run(ctx); close(done) }()
		var st capture.Status
		select {
		case st = <-got:
		case <-time.After(20 * time.Second):
			t.Fatalf("%q: no failure reported", c.reply)
		}
		cancel()
		<-done
		srv.Close()
		wait := st.RetryAt.Sub(st.Since)
		if wait < c.min || wait > c.max {
			t.Errorf("%q: retry in %v, want %v to %v (error %v)", c.reply, wait, c.min, c.max, st.Err)
		}
	}
}

// TestBrokenURLErrorHasNoPassword: a Source given a URL its password broke says so
// without the password (url.Parse's own error quotes it).
func TestBrokenURLErrorHasNoPassword(t *testing.T) {
	for _, raw := range []string{"http://admin:ab/cdpw9@127.0.0.1:1/x", "http://admin:12/34pw9@127.0.0.1:1/x", "http://admin:p%zzpw9@127.0.0.1:1/x"} {
		err := (&mjpeg.Source{URL: raw}).Run(context.Background(), &sink{})
		if !errors.Is(err, capture.ErrBadURL) || strings.Contains(err.Error(), "pw9") || strings.Contains(err.Error(), "admin") {
			t.Fatalf("%s: %v", raw, err)
		}
	}
}
