package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// Errors callers branch on, next to capture.ErrUnauthorized and capture.ErrTooLarge.
var (
	// ErrTokenInvalid: the server no longer accepts the XProtect token (fault 20001/2,
	// milestone.md §1.7). Whether the server reports expiry separately is not known [I], so an
	// expired token lands here too; the cure is a fresh Login.
	ErrTokenInvalid = errors.New("token invalid or expired")
	// ErrActionNotSupported: the endpoint does not know the SOAPAction (WCF's
	// ActionNotSupported fault): wrong endpoint, or an operation this server version lacks.
	ErrActionNotSupported = errors.New("soap action not supported")
)

// maxFaultText caps the fault string kept in an error.
const maxFaultText = 300

// Fault is a SOAP fault from the management server, with Milestone's detail numbers when
// present (<detail><ErrorNumber>…<SubErrorNumber>…, milestone.md §1.7).
type Fault struct {
	Op             string // operation called, e.g. "Login"
	Host           string // server host:port, no credentials
	HTTPStatus     int    // usually 500
	Code           string // faultcode, e.g. "soap:Client" or "a:ActionNotSupported"
	String         string // faultstring, tokens redacted, cleaned (capture.CleanText), at most 300 characters
	ErrorNumber    int    // Milestone ErrorNumber, 0 when absent
	SubErrorNumber int    // Milestone SubErrorNumber, 0 when absent
}

// Meaning is what a known fault means and what to try about it, "" for an unknown one.
func (f *Fault) Meaning() (what, hint string) {
	switch {
	case f.ErrorNumber == 20001 && f.SubErrorNumber == 1:
		return "no login token was sent", "log in again"
	case f.ErrorNumber == 20001:
		return "the login token is invalid or has expired", "log in again"
	case f.ErrorNumber == 40000:
		return "the server does not support this operation", "update XProtect, or leave this feature off for this server"
	case f.ErrorNumber == 40295:
		return "another user with higher PTZ priority holds the camera", "try again when they release it"
	case strings.HasSuffix(f.Code, "ActionNotSupported"):
		return "the server does not offer this operation at this address (SOAPAction mismatch)",
			"check that the address is the management server and its version is 2019 or later"
	case strings.HasSuffix(f.Code, "FailedAuthentication") || strings.HasSuffix(f.Code, "InvalidSecurity"):
		return "wrong user or password (XProtect Basic user)", "check the user and password of the XProtect Basic user"
	}
	return "", ""
}

// AsError is the fault in capture's vocabulary: the kind, the fault number and string,
// what it means and what to try.
func (f *Fault) AsError() *capture.Error {
	e := &capture.Error{Op: "milestone " + f.Op, Where: f.Host, Status: f.ErrorNumber, Text: f.String}
	if e.Text == "" {
		e.Text = f.Code
	}
	e.What, e.Hint = f.Meaning()
	if e.What == "" {
		e.What = "SOAP fault"
	}
	switch {
	case f.ErrorNumber == 20001,
		strings.HasSuffix(f.Code, "FailedAuthentication") || strings.HasSuffix(f.Code, "InvalidSecurity"):
		e.Kind = capture.ErrUnauthorized
	case f.ErrorNumber == 40295:
		e.Kind = capture.ErrBusy
	case f.ErrorNumber == 40000:
		e.Kind = capture.ErrUnsupported
	}
	return e
}

// Error says what failed, where, and what the fault means (AsError).
func (f *Fault) Error() string { return f.AsError().Error() }

// Unwrap lets callers use errors.Is with capture.ErrUnauthorized, ErrTokenInvalid,
// ErrActionNotSupported, capture.ErrBusy (40295, PTZ priority) and capture.ErrUnsupported
// (40000, an operation the server lacks), and errors.As with *capture.Error (whose Hint
// says what to try).
func (f *Fault) Unwrap() []error {
	errs := []error{f.AsError()}
	switch {
	case f.ErrorNumber == 20001:
		errs = append(errs, ErrTokenInvalid)
	case strings.HasSuffix(f.Code, "ActionNotSupported"):
		errs = append(errs, ErrActionNotSupported)
	}
	return errs
}

var tokenRE = regexp.MustCompile(`TOKEN#[^\s<>"']*`)

// RedactTokens replaces every XProtect token (TOKEN#…#) in s: tokens are secrets
// (STYLE.md 9) and faults may echo them.
func RedactTokens(s string) string {
	return tokenRE.ReplaceAllString(s, "TOKEN#…#")
}

// ParseFault finds a SOAP 1.1 (or 1.2) fault in a response body. It reports false when body
// holds no fault. It reads by local name, so any namespace prefix passes, and stops at the
// end of the fault; body is expected to be size-capped already.
func ParseFault(body []byte) (*Fault, bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	var (
		inFault bool
		path    []string
		f       Fault
		found   bool
	)
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF || found {
				break
			}
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Fault" && !inFault {
				inFault, found = true, true
				path = path[:0]
				continue
			}
			if inFault {
				if len(path) > 64 {
					return nil, false
				}
				path = append(path, t.Name.Local)
			}
		case xml.EndElement:
			if !inFault {
				continue
			}
			if len(path) == 0 {
				if t.Name.Local == "Fault" {
					f.String = clip(RedactTokens(strings.TrimSpace(f.String)))
					f.Code = clip(RedactTokens(strings.TrimSpace(f.Code)))
					return &f, true
				}
				continue
			}
			path = path[:len(path)-1]
		case xml.CharData:
			if !inFault || len(path) == 0 {
				continue
			}
			text := strings.TrimSpace(string(t))
			if text == "" {
				continue
			}
			leaf := path[len(path)-1]
			switch {
			case leaf == "faultcode" && f.Code == "":
				f.Code = text
			case leaf == "faultstring" && f.String == "":
				f.String = text
			case leaf == "Value" && len(path) >= 1 && path[0] == "Code" && f.Code == "": // SOAP 1.2
				f.Code = text
			case leaf == "Text" && len(path) >= 1 && path[0] == "Reason" && f.String == "": // SOAP 1.2
				f.String = text
			case leaf == "ErrorNumber" && f.ErrorNumber == 0:
				f.ErrorNumber, _ = strconv.Atoi(text)
			case leaf == "SubErrorNumber" && f.SubErrorNumber == 0:
				f.SubErrorNumber, _ = strconv.Atoi(text)
			}
		}
	}
	if found {
		f.String = clip(RedactTokens(strings.TrimSpace(f.String)))
		f.Code = clip(RedactTokens(strings.TrimSpace(f.Code)))
		return &f, true
	}
	return nil, false
}

// clip makes a server's text fit for an error: control characters and escape sequences
// removed, at most maxFaultText characters (capture.CleanText).
func clip(s string) string {
	return capture.CleanText(s, maxFaultText)
}
