package main

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/bluenviron/gortsplib/v5/pkg/base"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// fakeOK is what a hostile camera writes to clear the terminal and draw a fake "OK".
const fakeOK = "\x1b[2J\x1b[H\x1b]0;owned\x07OK\u202e"

func noEscape(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e", `\u001b`, `\u0007`, `\u202e`, "owned"} {
			if strings.Contains(s, bad) {
				t.Fatalf("output holds %q:\n%q", bad, s)
			}
		}
	}
}

// TestProbeOfAHostileCameraPrintsNoEscape: `vigil probe`, text and JSON, against cameras
// whose reason phrase, Content-Type, WWW-Authenticate or RTSP status text carry escape
// sequences: exit 1, the right kind, and no escape byte on stdout or stderr.
func TestProbeOfAHostileCameraPrintsNoEscape(t *testing.T) {
	rtspRefusing := func(res base.Response) string {
		srv := rtsptest.Start(t, rtsptest.Options{Refuse: res,
			Streams: map[string]rtsptest.Stream{"cam": {JPEG: mjpegtest.MakeFrames(1, 64, 48)}}})
		return srv.URL("cam")
	}
	mjpegReplying := func(reply string) string {
		srv := mjpegtest.NewServer(mjpegtest.Options{Reply: reply})
		t.Cleanup(srv.Close)
		return srv.URL()
	}
	for _, c := range []struct {
		name, url, kind string
	}{
		{"HTTP 503 reason", mjpegReplying("HTTP/1.1 503 " + fakeOK + "\r\n"), "busy"},
		{"HTTP 403 reason", mjpegReplying("HTTP/1.1 403 " + fakeOK + "\r\n"), "forbidden"},
		{"HTTP 500 reason", mjpegReplying("HTTP/1.1 500 " + fakeOK + "\r\n"), "server_error"},
		{"Content-Type", mjpegReplying("HTTP/1.1 200 OK\r\nContent-Type: text/html" + fakeOK + "\r\n"), "not_video"},
		{"WWW-Authenticate", mjpegReplying("HTTP/1.1 401 " + fakeOK + "\r\nWWW-Authenticate: Basic" + fakeOK + " realm=x\r\n"), "unauthorized"},
		{"Location", mjpegReplying("HTTP/1.1 302 Found\r\nLocation: http://10.0.0.9/" + fakeOK + "\r\n"), "other"},
		{"RTSP 503 status text", rtspRefusing(base.Response{StatusCode: base.StatusServiceUnavailable, StatusMessage: fakeOK}), "busy"},
		{"RTSP 461 status text", rtspRefusing(base.Response{StatusCode: base.StatusUnsupportedTransport, StatusMessage: fakeOK}), "unsupported_transport"},
		{"RTSP 401 challenge", rtspRefusing(base.Response{StatusCode: base.StatusUnauthorized, StatusMessage: fakeOK,
			Header: base.Header{"WWW-Authenticate": base.HeaderValue{fakeOK + " realm=x"}}}), "unauthorized"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := vigil(t, "probe", c.url, "--timeout", "5s")
			noEscape(t, out, errOut)
			if code != exitFailed || !strings.Contains(out, "FAILED ("+c.kind+")") {
				t.Fatalf("text: exit %d:\n%s%s", code, out, errOut)
			}
			code, out, errOut = vigil(t, "probe", "--json", c.url, "--timeout", "5s")
			noEscape(t, out, errOut)
			if p := decodeProbe(t, out); code != exitFailed || p.ErrorKind != c.kind || p.Error == "" {
				t.Fatalf("json: exit %d: %+v", code, p)
			}
		})
	}
}

// brokenURLPasswords are passwords that break the URL they are typed into.
var brokenURLPasswords = []string{"ab/cd" + secret, "12/34" + secret, "ab#cd" + secret, "ab?cd" + secret, "p%zz" + secret, "50%" + secret}

// noCredential fails when any text holds the password in any form: raw, percent-encoded,
// or as the base64 of user:password a Basic Authorization header carries.
func noCredential(t *testing.T, user, password string, texts ...string) {
	t.Helper()
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password),
		base64.StdEncoding.EncodeToString([]byte(user + ":" + password)), secret, "s3cr3t"}
	for _, s := range texts {
		for _, f := range forms {
			if strings.Contains(s, f) {
				t.Fatalf("output shows the password (as %q):\n%s", f, s)
			}
		}
	}
}

// TestBrokenURLNeverPrintsItsPassword: probe and record given a URL whose password holds
// '/', '#', '?' or '%' say what is wrong with the URL, exit 2, and print no form of the
// password (issue 10: `parse "http://admin:ab/cd@…": invalid port` on stderr).
func TestBrokenURLNeverPrintsItsPassword(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{})
	defer srv.Close()
	for _, pw := range brokenURLPasswords {
		for _, scheme := range []string{"http", "rtsp"} {
			raw := scheme + "://admin:" + pw + "@" + srv.Addr() + "/cam/1"
			code, out, errOut := vigil(t, "probe", raw, "--timeout", "2s")
			noCredential(t, "admin", pw, out, errOut)
			if code != exitUsage || !strings.Contains(errOut, "not a valid URL") {
				t.Fatalf("probe %s: exit %d:\n%s%s", raw, code, out, errOut)
			}
			code, out, errOut = vigil(t, "probe", "--json", raw, "--timeout", "2s")
			noCredential(t, "admin", pw, out, errOut)
			if code != exitUsage {
				t.Fatalf("probe --json %s: exit %d", raw, code)
			}
			var stdout strings.Builder
			cfg := &config.Config{Wall: config.Wall{Layout: "auto"}}
			code, err := record(context.Background(), cfg, recordRequest{Cameras: []string{raw}, Out: t.TempDir()}, quiet, &stdout)
			if code == exitOK || err == nil {
				t.Fatalf("record %s: exit %d", raw, code)
			}
			noCredential(t, "admin", pw, err.Error(), stdout.String())
		}
	}
}
