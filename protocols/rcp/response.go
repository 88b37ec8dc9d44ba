package rcp

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/vigil-cctv/vigil/capture"
)

// Limits of what is read from a camera.
const (
	// MaxResponseBytes caps an /rcp.xml answer: the largest this package asks for (the
	// scene bitmap) is well under 1 KiB of XML.
	MaxResponseBytes = 64 << 10
	// maxValueBytes caps a decoded <str> value.
	maxValueBytes = 8 << 10
)

// Response is the part of an /rcp.xml answer a command's caller reads (bosch.md §1.3).
type Response struct {
	// Err is the <err> code of a refused command, 0 when it was accepted.
	Err int
	// HasErr tells an <err> of 0 from none.
	HasErr bool
	// Dec and Hex are the scalar value of F_FLAG, T_* types.
	Dec, Hex string
	// Str is the P_* value as sent: text for P_STRING, space-separated hex otherwise.
	Str string
	// Auth is the access level the camera granted (<auth>), -1 when absent.
	Auth int
}

type xmlResponse struct {
	XMLName xml.Name `xml:"rcp"`
	Auth    *string  `xml:"auth"`
	Result  *struct {
		Err *string `xml:"err"`
		Dec string  `xml:"dec"`
		Hex string  `xml:"hex"`
		Str string  `xml:"str"`
	} `xml:"result"`
}

// errMalformed is the base of every parse failure.
var errMalformed = fmt.Errorf("the camera's RCP+ answer is not one: %w", capture.ErrMalformed)

// ParseResponse parses an /rcp.xml answer of at most MaxResponseBytes.
func ParseResponse(b []byte) (Response, error) {
	if len(b) > MaxResponseBytes {
		return Response{}, fmt.Errorf("RCP+ answer of %d bytes, over the %d limit: %w", len(b), MaxResponseBytes, capture.ErrTooLarge)
	}
	var x xmlResponse
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = charsetReader
	if err := d.Decode(&x); err != nil {
		return Response{}, fmt.Errorf("%w (%s)", errMalformed, capture.CleanText(err.Error(), 120))
	}
	r := Response{Auth: -1}
	if x.Auth != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(*x.Auth)); err == nil {
			r.Auth = n
		}
	}
	if x.Result == nil {
		return r, fmt.Errorf("%w (no <result>)", errMalformed)
	}
	if e := x.Result.Err; e != nil {
		n, err := parseNumber(*e)
		if err != nil {
			return r, fmt.Errorf("%w (error code %q)", errMalformed, capture.CleanText(*e, 20))
		}
		r.Err, r.HasErr = n, true
	}
	r.Dec, r.Hex = strings.TrimSpace(x.Result.Dec), strings.TrimSpace(x.Result.Hex)
	if len(x.Result.Str) > 3*maxValueBytes {
		return r, fmt.Errorf("RCP+ value over %d bytes: %w", maxValueBytes, capture.ErrTooLarge)
	}
	r.Str = x.Result.Str
	return r, nil
}

// charsetReader reads an answer that declares a single-byte charset (ISO-8859-1 and the
// like, as embedded web servers do) as Latin-1; any other label is read as UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxResponseBytes))
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	for _, c := range b {
		out.WriteRune(rune(c))
	}
	return strings.NewReader(out.String()), nil
}

// parseNumber reads "0x40" or "64".
func parseNumber(s string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseUint(s, 0, 32)
	return int(n), err
}

// Bytes decodes a P_OCTET or P_UNICODE <str>: hex bytes, separated by spaces or not.
func (r Response) Bytes() ([]byte, error) {
	s := strings.Join(strings.Fields(r.Str), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s)/2 > maxValueBytes {
		return nil, fmt.Errorf("RCP+ value over %d bytes: %w", maxValueBytes, capture.ErrTooLarge)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w (a value that is not hex bytes)", errMalformed)
	}
	return b, nil
}

// Flag reads an F_FLAG or T_* value: true when it is not 0.
func (r Response) Flag() (bool, error) {
	v := r.Dec
	if v == "" {
		v = r.Hex
	}
	n, err := parseNumber(v)
	if err != nil {
		return false, fmt.Errorf("%w (a flag that is not a number)", errMalformed)
	}
	return n != 0, nil
}

// Unicode decodes a P_UNICODE value (UTF-16BE, NUL-terminated), cleaned for display.
func (r Response) Unicode() (string, error) {
	b, err := r.Bytes()
	if err != nil {
		return "", err
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i])<<8 | uint16(b[i+1])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return capture.CleanText(string(utf16.Decode(u)), 200), nil
}

// errBiCom is a BiCom-level refusal inside an accepted 0x09A5 (bosch.md §2.2).
type errBiCom struct{ code int }

func (e *errBiCom) Error() string {
	msg, ok := bicomErrors[e.code]
	if !ok {
		msg = "unknown error"
	}
	return fmt.Sprintf("the PTZ head refused the command: %s (BiCom error 0x%04x)", msg, e.code)
}

func (e *errBiCom) Unwrap() error {
	switch e.code {
	case 0x0001, 0x0002, 0x0003:
		return capture.ErrUnsupported
	case 0x0020, 0x0021:
		return capture.ErrBusy
	}
	return nil
}

var bicomErrors = map[int]string{
	0x0001: "illegal object id (the camera has no such function)",
	0x0002: "illegal member id",
	0x0003: "illegal operation",
	0x0010: "value out of range",
	0x0011: "illegal data size",
	0x0020: "not allowed now",
	0x0021: "an on-screen menu is open on the camera; close it and try again",
}

// BiComData checks a BiCom reply (flags, [lease,] server, object, action, data) and
// returns its data, or the BiCom error it carries.
func BiComData(b []byte) ([]byte, error) {
	h := 6
	if len(b) > 0 && b[0]&flagLease != 0 {
		h += 6
	}
	if len(b) < h {
		return nil, fmt.Errorf("%w (BiCom reply of %d bytes)", errMalformed, len(b))
	}
	if b[h-1] == actError {
		code := 0
		for _, c := range b[h:min(len(b), h+2)] {
			code = code<<8 | int(c)
		}
		return nil, &errBiCom{code: code}
	}
	return b[h:], nil
}

// isRefusal reports an error that says the camera understood but refused the form of a
// command (an <err> or BiCom error), as opposed to a failure to reach it.
func isRefusal(err error) bool {
	var re *ErrorCode
	var be *errBiCom
	return errors.As(err, &re) || errors.As(err, &be)
}
