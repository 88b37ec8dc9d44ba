package soap

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"
)

// TestFaultMapping: a fault becomes a capture.Error of the right kind, with the fault
// number as its status, the fault string cleaned and bounded as its text, and advice
// apart from the sentence.
func TestFaultMapping(t *testing.T) {
	hostile := "\x1b[2J\x1b]0;owned\x07" + strings.Repeat("y", 2*maxFaultText)
	for _, c := range []struct {
		name   string
		body   string
		kind   error
		extra  error
		status int
		what   string
	}{
		{"token invalid", faultSeeds[0], capture.ErrUnauthorized, ErrTokenInvalid, 20001, "invalid or has expired"},
		{"no token", faultSeeds[1], capture.ErrUnauthorized, ErrTokenInvalid, 20001, "no login token"},
		{"action not supported", faultSeeds[2], nil, ErrActionNotSupported, 0, "SOAPAction mismatch"},
		{"unknown", faultSeeds[3], nil, nil, 0, "SOAP fault"},
		{"hostile", `<s:Envelope><s:Body><s:Fault><faultcode>a:FailedAuthentication</faultcode><faultstring>` + hostile +
			`</faultstring></s:Fault></s:Body></s:Envelope>`, capture.ErrUnauthorized, nil, 0, "wrong user or password"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, ok := ParseFault([]byte(c.body))
			if !ok {
				t.Fatal("no fault")
			}
			f.Op, f.Host = "Login", "127.0.0.1:443"
			var e *capture.Error
			if !errors.As(f, &e) || e.Status != c.status || !strings.Contains(e.What, c.what) {
				t.Fatalf("%v: as %+v", f, e)
			}
			for _, k := range []error{c.kind, c.extra} {
				if k != nil && !errors.Is(f, k) {
					t.Errorf("%v is not %v", f, k)
				}
			}
			if c.kind == nil && errors.Is(f, capture.ErrUnauthorized) {
				t.Errorf("%v is unauthorized", f)
			}
			msg := f.Error()
			if !strings.HasPrefix(msg, "milestone Login at 127.0.0.1:443: ") || strings.ContainsAny(msg, "\x1b\x07") || strings.Contains(msg, "owned") ||
				utf8.RuneCountInString(e.Text) > maxFaultText {
				t.Errorf("sentence %q", msg)
			}
			if x := capture.Explain(f); c.kind != nil && (x.Advice == "" || strings.Contains(x.Summary, x.Advice)) {
				t.Errorf("explanation %+v", x)
			}
		})
	}
}
