package rtsp_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bluenviron/gortsplib/v5/pkg/base"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// fakeOK is what a hostile camera writes to clear the terminal and draw a fake "OK".
const fakeOK = "\x1b[2J\x1b[H\x1b]0;owned\x07OK\u202e"

// TestHostileStatusTextNeverReachesTheScreenRaw: RTSP status text and headers with escape
// sequences give errors of the right kind with no escape byte, in the error and in the
// probe's report.
func TestHostileStatusTextNeverReachesTheScreenRaw(t *testing.T) {
	for _, c := range []struct {
		name string
		res  base.Response
		kind error
	}{
		{"503", base.Response{StatusCode: base.StatusServiceUnavailable, StatusMessage: fakeOK}, capture.ErrBusy},
		{"500", base.Response{StatusCode: base.StatusInternalServerError, StatusMessage: fakeOK}, capture.ErrServerError},
		{"403", base.Response{StatusCode: base.StatusForbidden, StatusMessage: fakeOK}, capture.ErrForbidden},
		{"461", base.Response{StatusCode: base.StatusUnsupportedTransport, StatusMessage: fakeOK}, capture.ErrUnsupportedTransport},
		{"418", base.Response{StatusCode: 418, StatusMessage: fakeOK + strings.Repeat("x", 200)}, nil},
		{"401 hostile challenge", base.Response{StatusCode: base.StatusUnauthorized, StatusMessage: fakeOK,
			Header: base.Header{"WWW-Authenticate": base.HeaderValue{"Digest realm=\"" + fakeOK + "\"", fakeOK + " realm=x"}}}, capture.ErrUnauthorized},
		{"200 without SDP", base.Response{StatusCode: base.StatusOK, StatusMessage: fakeOK,
			Header: base.Header{"Content-Type": base.HeaderValue{"text/html" + fakeOK}}, Body: []byte("<html>" + fakeOK)}, nil}, // gortsplib reads the body as SDP whatever its type
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := server(t, rtsptest.Options{Refuse: c.res})
			src := source(srv.URL("h264"))
			src.User, src.Password = "admin", "pw"
			r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 5 * time.Second})
			if r.OK() || r.Err == nil {
				t.Fatalf("probe passed: %+v", r)
			}
			t.Log(r.Error)
			if c.kind != nil && !errors.Is(r.Err, c.kind) {
				t.Fatalf("error %q is not %v", r.Err, c.kind)
			}
			var e *capture.Error
			if !errors.As(r.Err, &e) || c.kind != nil && e.Status != int(c.res.StatusCode) {
				t.Fatalf("error %v: not a *capture.Error with status %d", r.Err, c.res.StatusCode)
			}
			if n := utf8.RuneCountInString(e.Text); n > 64 {
				t.Errorf("server text of %d characters kept", n)
			}
			if x := capture.Explain(r.Err); c.kind != nil && (x.Advice == "" || strings.Contains(x.Summary, x.Advice)) {
				t.Errorf("explanation %+v: no advice, or advice in the summary", x)
			}
			js, _ := json.Marshal(r)
			for _, text := range []string{r.Err.Error(), string(js), e.Text} {
				for _, bad := range []string{"\x1b", "\a", "\u202e", `\u001b`, `\u0007`, `\u202e`, "owned"} {
					if strings.Contains(text, bad) {
						t.Fatalf("%q holds %q", text, bad)
					}
				}
			}
		})
	}
}

// TestBrokenURLErrorHasNoPassword: a Source given a URL its password broke says so
// without the password.
func TestBrokenURLErrorHasNoPassword(t *testing.T) {
	for _, raw := range []string{"rtsp://admin:ab/cdpw9@127.0.0.1:1/x", "rtsp://admin:12#34pw9@127.0.0.1:1/x", "rtsp://admin:p%zzpw9@127.0.0.1:1/x"} {
		err := source(raw).Run(context.Background(), &capturetest.Sink{})
		if !errors.Is(err, capture.ErrBadURL) || strings.Contains(err.Error(), "pw9") || strings.Contains(err.Error(), "admin") {
			t.Fatalf("%s: %v", raw, err)
		}
	}
}
