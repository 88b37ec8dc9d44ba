package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
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

// Meaning is the user-facing explanation of a known fault, "" for an unknown one.
func (f *Fault) Meaning() string {
	switch {
	case f.ErrorNumber == 20001 && f.SubErrorNumber == 1:
		return "no login token was sent; log in again"
	case f.ErrorNumber == 20001:
		return "the login token is invalid or has expired; log in again"
	case f.ErrorNumber == 40000:
		return "the server does not support this operation"
	case f.ErrorNumber == 40295:
		return "another user with higher PTZ priority holds the camera; try again when they release it"
	case strings.HasSuffix(f.Code, "ActionNotSupported"):
		return "the server does not offer this operation at this address (SOAPAction mismatch); check that the address is the management server and its version is 2019 or later"
	case strings.HasSuffix(f.Code, "FailedAuthentication") || strings.HasSuffix(f.Code, "InvalidSecurity"):
		return "wrong user or password (XProtect Basic user)"
	}
	return ""
}

// Error says what failed, where, and what to try.
func (f *Fault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "milestone %s at %s: SOAP fault", f.Op, f.Host)
	if f.ErrorNumber != 0 {
		fmt.Fprintf(&b, " %d/%d", f.ErrorNumber, f.SubErrorNumber)
	}
	if f.String != "" {
		fmt.Fprintf(&b, " %q", f.String)
	} else if f.Code != "" {
		fmt.Fprintf(&b, " %s", f.Code)
	}
	if m := f.Meaning(); m != "" {
		b.WriteString(": ")
		b.WriteString(m)
	}
	return b.String()
}

// Unwrap lets callers use errors.Is with capture.ErrUnauthorized, ErrTokenInvalid,
// ErrActionNotSupported, capture.ErrBusy (40295, PTZ priority) and capture.ErrUnsupported
// (40000, an operation the server lacks).
func (f *Fault) Unwrap() []error {
	switch {
	case f.ErrorNumber == 20001:
		return []error{capture.ErrUnauthorized, ErrTokenInvalid}
	case f.ErrorNumber == 40295:
		return []error{capture.ErrBusy}
	case f.ErrorNumber == 40000:
		return []error{capture.ErrUnsupported}
	case strings.HasSuffix(f.Code, "ActionNotSupported"):
		return []error{ErrActionNotSupported}
	case strings.HasSuffix(f.Code, "FailedAuthentication") || strings.HasSuffix(f.Code, "InvalidSecurity"):
		return []error{capture.ErrUnauthorized}
	}
	return nil
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
