package capture

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func TestErrorSentence(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		name string
		err  *Error
		want string
		is   []error
	}{
		{"status", &Error{Kind: ErrUnauthorized, Op: "DESCRIBE", Where: "cam:554", Status: 401, Text: "Unauthorized",
			What: "wrong user or password", Hint: "not in the sentence"},
			"DESCRIBE at cam:554: 401 Unauthorized: wrong user or password", []error{ErrUnauthorized}},
		{"no op", &Error{Kind: ErrNotFound, Where: "cam:80", Status: 404, What: "no stream at http://cam/x"},
			"cam:80: 404: no stream at http://cam/x", []error{ErrNotFound}},
		{"text without status", &Error{Kind: ErrNotFound, Op: "recorder connect", Where: "rec:7563", Text: "Unknown device", What: "the recorder does not know camera c"},
			`recorder connect at rec:7563: the recorder does not know camera c ("Unknown device")`, []error{ErrNotFound}},
		{"cause", &Error{Where: "cam:554", What: "connection refused", Err: refused},
			"cam:554: connection refused: " + refused.Error(), []error{syscall.ECONNREFUSED}},
		{"kind only", &Error{Kind: ErrBusy}, "server busy", []error{ErrBusy}},
		{"kind and cause", &Error{Kind: ErrStalled, Where: "cam", What: "sent nothing", Err: os.ErrDeadlineExceeded},
			"cam: sent nothing: " + os.ErrDeadlineExceeded.Error(), []error{ErrStalled, os.ErrDeadlineExceeded}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
			wrapped := fmt.Errorf("camera Gate: %w", c.err)
			for _, k := range c.is {
				if !errors.Is(wrapped, k) {
					t.Errorf("%v is not %v", wrapped, k)
				}
			}
			var e *Error
			if !errors.As(wrapped, &e) || e != c.err {
				t.Errorf("errors.As does not find the *Error")
			}
		})
	}
}

// A server's text is cleaned and bounded wherever the sentence is written.
func TestErrorCleansServerText(t *testing.T) {
	hostile := "Bad\x1b[2J\x1b]0;pwned\x07 \u202egate\r\nX-Evil: 1" + strings.Repeat("A", 5000)
	e := &Error{Kind: ErrServerError, Where: "cam:80", Status: 500, Text: hostile, What: "the camera reports an internal error"}
	msg := e.Error()
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\r", "\n", "pwned"} {
		if strings.Contains(msg, bad) {
			t.Errorf("sentence keeps %q: %q", bad, msg)
		}
	}
	if n := utf8.RuneCountInString(msg); n > MaxFieldText+100 {
		t.Errorf("sentence is %d characters; the server's text is not bounded", n)
	}
	if !strings.HasPrefix(msg, "cam:80: 500 Bad gate X-Evil: 1") {
		t.Errorf("sentence %q", msg)
	}
	e.Status = 0
	if msg := e.Error(); strings.Contains(msg, "\x1b") || utf8.RuneCountInString(msg) > MaxFieldText+100 {
		t.Errorf("without a status: %q", msg)
	}
}

func TestExplain(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	hinted := &Error{Kind: ErrUnsupportedTransport, Where: "cam:554", Status: 461, What: "the server refuses RTP over TCP", Hint: "set the camera's transport to auto or udp"}
	unhinted := &Error{Kind: ErrForbidden, Where: "cam:80", Status: 403, What: "the user may not view this stream"}
	for _, c := range []struct {
		name    string
		err     error
		cause   Cause
		summary string
		advice  string
	}{
		{"nil", nil, CauseNone, "", ""},
		{"plain net error: the kind's advice", fmt.Errorf("connect: %w", refused), CauseRefused, "connect: " + refused.Error(), Advice(CauseRefused)},
		{"hint wins", hinted, CauseTransport, hinted.Error(), hinted.Hint},
		{"hint through a wrap", fmt.Errorf("camera Gate: %w", hinted), CauseTransport, "camera Gate: " + hinted.Error(), hinted.Hint},
		{"no hint: the kind's advice", unhinted, CauseForbidden, unhinted.Error(), Advice(CauseForbidden)},
		{"inner hint under an outer error without one", &Error{Op: "recording server", What: "failed", Err: hinted}, CauseTransport,
			"recording server: failed: " + hinted.Error(), hinted.Hint},
		{"joined", errors.Join(errors.New("first"), hinted), CauseTransport, "first " + hinted.Error(), hinted.Hint},
		{"unknown", errors.New("weird"), CauseOther, "weird", ""},
		{"dial", DialError(refused, DialPlace{Where: "cam:554", Listener: "the RTSP port"}), CauseRefused,
			"cam:554: connection refused: nothing listens on that port: " + refused.Error(), "check the RTSP port"},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := Explain(c.err)
			if x.Cause != c.cause || x.Summary != c.summary || x.Advice != c.advice {
				t.Errorf("Explain = %+v\nwant cause %q summary %q advice %q", x, c.cause, c.summary, c.advice)
			}
			if x.Summary != "" && strings.Contains(x.Summary, x.Advice) && x.Advice != "" {
				t.Errorf("the summary repeats the advice: %q", x.Summary)
			}
		})
	}
	// The summary is cleaned and bounded: a library's error may quote a server.
	long := &Error{Where: "cam:80", What: "said \x1b[31m" + strings.Repeat("x", 3*MaxErrorText), Hint: "\x1b[2Jtry"}
	x := Explain(long)
	if strings.ContainsRune(x.Summary, 0x1b) || utf8.RuneCountInString(x.Summary) > MaxErrorText || x.Advice != "try" {
		t.Errorf("Explain(long) = %d characters, advice %q", utf8.RuneCountInString(x.Summary), x.Advice)
	}
}

func TestDialError(t *testing.T) {
	p := DialPlace{Host: "cam.invalid", Where: "cam.invalid:554", Op: "rtsp DESCRIBE", Timeout: 3 * time.Second,
		Listener: "the port (RTSP is usually 554)", Plain: "rtsp://", Secure: "rtsps://"}
	syscallErr := func(e syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	for _, c := range []struct {
		name       string
		err        error
		cause      Cause
		what, hint string
	}{
		{"dns", &net.DNSError{Err: "no such host", Name: "cam.invalid", IsNotFound: true}, CauseDNS, `cannot find host "cam.invalid"`, "typos"},
		{"dns silent", &net.DNSError{Err: "server misbehaving", Name: "cam.invalid"}, CauseDNS, "DNS did not answer", "DNS server"},
		{"refused", syscallErr(syscall.ECONNREFUSED), CauseRefused, "connection refused", "check the port (RTSP is usually 554)"},
		{"unreachable", syscallErr(syscall.EHOSTUNREACH), CauseUnreachable, "unreachable", "VPN"},
		{"network unreachable", syscallErr(syscall.ENETUNREACH), CauseUnreachable, "unreachable", "VPN"},
		{"not tls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, CauseTLS, "does not speak TLS", "try rtsp:// instead of rtsps://"},
		{"timeout", fmt.Errorf("dial: %w", context.DeadlineExceeded), CauseTimeout, "no answer within 3s", "firewall"},
		{"other", errors.New("weird"), CauseOther, "cannot connect", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := DialError(c.err, p)
			x := Explain(e)
			if x.Cause != c.cause || !strings.Contains(e.What, c.what) || !strings.Contains(x.Advice, c.hint) || !errors.Is(e, c.err) {
				t.Errorf("DialError = %v (what %q, hint %q), cause %s", e, e.What, e.Hint, x.Cause)
			}
			if !strings.HasPrefix(e.Error(), "rtsp DESCRIBE at cam.invalid:554: ") {
				t.Errorf("sentence %q does not name where", e.Error())
			}
		})
	}
}
