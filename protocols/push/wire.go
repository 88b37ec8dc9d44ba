// Package push receives frames that pushers send to the panel over TCP (issue 14): a
// webcam, a capture box behind a firewall, a script on a robot connects to a listener of
// the panel and sends JPEGs, one connection per source. A camera push://HOST:PORT/NAME is
// the pusher NAME on the listener at HOST:PORT; it is live while that connection is open
// and offline the moment it drops.
//
// The wire format (README "Frame pushers"): one line `VIGIL-PUSH/1 <name>[ token=<t>]\n`
// (name: 1–64 of A–Z a–z 0–9 . _ -), then frames of a 4-byte big-endian payload length,
// an 8-byte big-endian capture time in Unix microseconds (0: unknown) and the JPEG. A
// connection that starts with a multipart MJPEG stream ("--boundary", as ffmpeg's mpjpeg
// muxer writes) or with a raw JPEG (FF D8) is read without the handshake, through
// protocols/mjpeg's PartReader, and named by its remote address. The panel never writes
// to a pusher's connection.
package push

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
)

// Limits of the wire format.
const (
	// Magic starts the handshake line.
	Magic = "VIGIL-PUSH/1"
	// MaxHandshake is the longest handshake line, its "\n" included.
	MaxHandshake = 256
	// MaxName is the longest pusher name.
	MaxName = 64
	// DefaultMaxFrame is the largest JPEG payload accepted by default.
	DefaultMaxFrame = 8 << 20
	// frameHeader is the length and the capture time in front of each payload.
	frameHeader = 12
	// firstAlloc caps the buffer allocated for a payload before its bytes arrive: a
	// length field alone never makes the reader allocate more (memory follows what was
	// really sent).
	firstAlloc = 256 << 10
	// maxBoundary caps a multipart boundary (RFC 2046 §5.1.1 allows 70 characters).
	maxBoundary = 70
)

// Errors of the handshake, wrapped with what was wrong.
var (
	// ErrHandshake: the first line is not a valid VIGIL-PUSH/1 handshake.
	ErrHandshake = errors.New("bad handshake")
	// ErrToken: the listener requires a token and the pusher sent none or another one.
	ErrToken = errors.New("wrong or missing token")
)

// ValidName reports whether name is a pusher name: 1–64 of letters, digits, '.', '_', '-'.
func ValidName(name string) bool {
	if len(name) == 0 || len(name) > MaxName {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// Handshake is what a pusher's first line says.
type Handshake struct {
	Name  string
	Token string
}

// Line is the handshake line as sent, "\n" included.
func (h Handshake) Line() string {
	if h.Token == "" {
		return Magic + " " + h.Name + "\n"
	}
	return Magic + " " + h.Name + " token=" + h.Token + "\n"
}

// ParseHandshake parses one handshake line (with or without its "\n" or "\r\n"). Its
// errors wrap ErrHandshake and never repeat the token.
func ParseHandshake(line string) (Handshake, error) {
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	rest, ok := strings.CutPrefix(line, Magic+" ")
	if !ok {
		return Handshake{}, fmt.Errorf("%w: the line does not start with %q", ErrHandshake, Magic+" ")
	}
	name, tok, hasTok := strings.Cut(rest, " ")
	if !ValidName(name) {
		return Handshake{}, fmt.Errorf("%w: name %q is not 1–%d of letters, digits, '.', '_', '-'", ErrHandshake, capture.CleanText(name, MaxName+8), MaxName)
	}
	h := Handshake{Name: name}
	if hasTok {
		t, ok := strings.CutPrefix(tok, "token=")
		if !ok || t == "" || strings.ContainsAny(t, " \t\r\n") {
			return Handshake{}, fmt.Errorf("%w: after the name only \" token=<t>\" may follow", ErrHandshake)
		}
		h.Token = t
	}
	return h, nil
}

// CheckToken reports whether a pusher's token passes a listener wanting want ("": none
// required), in constant time.
func CheckToken(want, got string) bool {
	if want == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// readLine reads one handshake line of at most MaxHandshake bytes.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for len(b) < MaxHandshake {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("%w: the connection ended within the first line: %w", ErrHandshake, err)
		}
		b = append(b, c)
		if c == '\n' {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("%w: no end of line within %d bytes: %w", ErrHandshake, MaxHandshake, capture.ErrTooLarge)
}

// Kind is what a connection's first bytes say it carries.
type Kind int

// Kinds of connection the sniffer tells apart.
const (
	KindUnknown   Kind = iota
	KindHandshake      // VIGIL-PUSH/1 framing
	KindMultipart      // multipart MJPEG ("--boundary")
	KindRawJPEG        // concatenated JPEGs
)

func (k Kind) String() string {
	switch k {
	case KindHandshake:
		return "vigil-push"
	case KindMultipart:
		return "multipart"
	case KindRawJPEG:
		return "jpeg"
	}
	return "unknown"
}

// Sniff tells from a connection's first bytes what it carries, without consuming them.
// For a multipart stream it returns the boundary of the first delimiter line.
func Sniff(r *bufio.Reader) (Kind, string, error) {
	b, err := r.Peek(2)
	if err != nil {
		return KindUnknown, "", fmt.Errorf("the connection ended before its first bytes: %w", err)
	}
	switch {
	case b[0] == 0xFF && b[1] == 0xD8:
		return KindRawJPEG, "", nil
	case b[0] == '-' && b[1] == '-':
		boundary, err := peekBoundary(r)
		return KindMultipart, boundary, err
	case b[0] == Magic[0] && b[1] == Magic[1]:
		m, err := r.Peek(len(Magic) + 1)
		if err != nil {
			return KindUnknown, "", fmt.Errorf("%w: the connection ended within the first line: %w", ErrHandshake, err)
		}
		if string(m) != Magic+" " {
			return KindUnknown, "", fmt.Errorf("%w: the line does not start with %q", ErrHandshake, Magic+" ")
		}
		return KindHandshake, "", nil
	}
	return KindUnknown, "", fmt.Errorf("the first bytes (%#x) are neither a %s handshake, a multipart stream nor a JPEG: %w", b, Magic, capture.ErrMalformed)
}

// peekBoundary reads the boundary of the delimiter line "--boundary\r\n" at the start of
// r without consuming it, through mjpeg.Sniff (the one reading of a delimiter line).
func peekBoundary(r *bufio.Reader) (string, error) {
	for n := 3; n <= 2+maxBoundary+2; n++ {
		b, err := r.Peek(n)
		if err != nil {
			return "", fmt.Errorf("the connection ended within the multipart delimiter: %w (%w)", capture.ErrMalformed, err)
		}
		if b[n-1] != '\n' {
			continue
		}
		if kind, boundary := mjpeg.Sniff(b); kind == mjpeg.SniffMultipart {
			return boundary, nil
		}
		break
	}
	return "", fmt.Errorf("the first line is not a multipart delimiter of at most %d characters: %w", maxBoundary, capture.ErrMalformed)
}

// Frame is one pushed picture.
type Frame struct {
	// JPEG starts with FF D8; the caller owns it.
	JPEG []byte
	// At is the capture time the pusher sent, zero when it sent 0.
	At time.Time
}

// FrameReader reads VIGIL-PUSH/1 frames after the handshake.
type FrameReader struct {
	r   *bufio.Reader
	max int
	n   int // frames read
}

// NewFrameReader reads frames of at most maxFrame payload bytes (≤ 0: DefaultMaxFrame).
func NewFrameReader(r *bufio.Reader, maxFrame int) *FrameReader {
	maxFrame = capture.OrDefault(maxFrame, DefaultMaxFrame)
	return &FrameReader{r: r, max: maxFrame}
}

// Next reads one frame. It returns io.EOF at a clean end between frames; a length over
// the limit is an error wrapping capture.ErrTooLarge, found before anything is allocated
// for it, and a payload that is not a JPEG one wrapping capture.ErrMalformed.
func (fr *FrameReader) Next() (Frame, error) {
	var hdr [frameHeader]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		if err == io.EOF {
			return Frame{}, io.EOF
		}
		return Frame{}, fmt.Errorf("frame %d: the connection ended within its header: %w", fr.n+1, err)
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	us := int64(binary.BigEndian.Uint64(hdr[4:]))
	if n > uint32(fr.max) {
		return Frame{}, fmt.Errorf("frame %d claims %d bytes, over the limit of %d: %w", fr.n+1, n, fr.max, capture.ErrTooLarge)
	}
	if n < 4 {
		return Frame{}, fmt.Errorf("frame %d has %d bytes, too short for a JPEG: %w", fr.n+1, n, capture.ErrMalformed)
	}
	if soi, err := fr.r.Peek(2); err == nil && (soi[0] != 0xFF || soi[1] != 0xD8) {
		return Frame{}, fmt.Errorf("frame %d is not a JPEG (starts %#x, want 0xffd8): %w", fr.n+1, soi, capture.ErrMalformed)
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(int(n), firstAlloc)))
	if _, err := io.CopyN(buf, fr.r, int64(n)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, fmt.Errorf("frame %d: the connection ended within its %d bytes: %w", fr.n+1, n, err)
	}
	fr.n++
	f := Frame{JPEG: buf.Bytes()}
	if us > 0 {
		f.At = time.UnixMicro(us)
	}
	return f, nil
}

// AppendFrame appends one frame (header and payload) to b, for a pusher.
func AppendFrame(b, jpeg []byte, at time.Time) []byte {
	var us int64
	if !at.IsZero() {
		us = at.UnixMicro()
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(jpeg)))
	b = binary.BigEndian.AppendUint64(b, uint64(us))
	return append(b, jpeg...)
}
