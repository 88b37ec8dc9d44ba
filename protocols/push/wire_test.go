package push

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// handshakes drive the parse test, the round trip and the fuzz seeds.
var handshakes = []struct {
	line string
	want Handshake
	ok   bool
}{
	{"VIGIL-PUSH/1 cam1\n", Handshake{Name: "cam1"}, true},
	{"VIGIL-PUSH/1 front.door_2-b token=s3cret\n", Handshake{Name: "front.door_2-b", Token: "s3cret"}, true},
	{"VIGIL-PUSH/1 cam\r\n", Handshake{Name: "cam"}, true},
	{"VIGIL-PUSH/1 " + strings.Repeat("a", 64) + "\n", Handshake{Name: strings.Repeat("a", 64)}, true},
	{"VIGIL-PUSH/1 " + strings.Repeat("a", 65) + "\n", Handshake{}, false},
	{"VIGIL-PUSH/1 \n", Handshake{}, false},
	{"VIGIL-PUSH/1 bad/name\n", Handshake{}, false},
	{"VIGIL-PUSH/1 cam token=\n", Handshake{}, false},
	{"VIGIL-PUSH/1 cam secret=x\n", Handshake{}, false},
	{"VIGIL-PUSH/2 cam\n", Handshake{}, false},
	{"GET / HTTP/1.1\r\n", Handshake{}, false},
	{"VIGIL-PUSH/1 cam\x1b[31m\n", Handshake{}, false},
}

func TestParseHandshake(t *testing.T) {
	for _, c := range handshakes {
		h, err := ParseHandshake(c.line)
		if c.ok != (err == nil) || h != c.want {
			t.Errorf("ParseHandshake(%q) = %+v, %v; want %+v ok=%v", c.line, h, err, c.want, c.ok)
		}
		if err != nil {
			if !errors.Is(err, ErrHandshake) || strings.Contains(err.Error(), "\x1b") {
				t.Errorf("error %q: not ErrHandshake or not cleaned", err)
			}
			continue
		}
		if back, err := ParseHandshake(h.Line()); err != nil || back != h {
			t.Errorf("round trip of %+v: %+v, %v", h, back, err)
		}
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	_, err := ParseHandshake("VIGIL-PUSH/1 cam token=hunter2 extra\n")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err %v", err)
	}
}

// testJPEG is a small valid-looking JPEG marked by n (the reader checks only FF D8).
func testJPEG(n int) []byte {
	return append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, 4, byte(n >> 8), byte(n)}, 0xFF, 0xD9)
}

func TestFrameReader(t *testing.T) {
	at := time.UnixMicro(1_700_000_000_123_456)
	var b []byte
	b = AppendFrame(b, testJPEG(1), at)
	b = AppendFrame(b, testJPEG(2), time.Time{})
	fr := NewFrameReader(bufio.NewReader(bytes.NewReader(b)), 0)
	f, err := fr.Next()
	if err != nil || !bytes.Equal(f.JPEG, testJPEG(1)) || !f.At.Equal(at) {
		t.Fatalf("frame 1: %v %x %v", err, f.JPEG, f.At)
	}
	f, err = fr.Next()
	if err != nil || !bytes.Equal(f.JPEG, testJPEG(2)) || !f.At.IsZero() {
		t.Fatalf("frame 2: %v %x %v", err, f.JPEG, f.At)
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}

	bad := []struct {
		name string
		b    []byte
		kind error
	}{
		{"oversized", []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0}, capture.ErrTooLarge},
		{"not a jpeg", AppendFrame(nil, []byte("hello world"), time.Time{}), capture.ErrMalformed},
		{"too short", AppendFrame(nil, []byte{0xFF}, time.Time{}), capture.ErrMalformed},
		{"cut", AppendFrame(nil, testJPEG(3), time.Time{})[:15], io.ErrUnexpectedEOF},
		{"cut header", []byte{0, 0, 0}, io.ErrUnexpectedEOF},
	}
	for _, c := range bad {
		_, err := NewFrameReader(bufio.NewReader(bytes.NewReader(c.b)), 1<<20).Next()
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
}

func TestFrameReaderAllocatesWhatArrives(t *testing.T) {
	// A frame claiming 8 MiB that sends 10 bytes makes the reader hold about firstAlloc.
	b := []byte{0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xD8, 1, 2, 3, 4, 5, 6, 7, 8}
	allocs := testing.AllocsPerRun(10, func() {
		NewFrameReader(bufio.NewReader(bytes.NewReader(b)), 0).Next()
	})
	if allocs > 20 {
		t.Fatalf("%v allocations", allocs)
	}
}

var sniffs = []struct {
	in       string
	kind     Kind
	boundary string
	ok       bool
}{
	{"VIGIL-PUSH/1 cam\n", KindHandshake, "", true},
	{"--ffmpeg\r\nContent-type: image/jpeg\r\n", KindMultipart, "ffmpeg", true},
	{"--myboundary\n", KindMultipart, "myboundary", true},
	{"\xff\xd8\xff\xe0", KindRawJPEG, "", true},
	{"GET / HTTP/1.1\r\n", KindUnknown, "", false},
	{"VIGIL-PUSX", KindUnknown, "", false},
	{"--" + strings.Repeat("x", 200) + "\r\n", KindMultipart, "", false},
	{"--\r\n", KindMultipart, "--", true}, // mjpeg.NormalizeBoundary keeps a boundary of dashes
	{"-", KindUnknown, "", false},
}

func TestSniff(t *testing.T) {
	for _, c := range sniffs {
		br := bufio.NewReader(strings.NewReader(c.in))
		k, b, err := Sniff(br)
		if k != c.kind || b != c.boundary || c.ok != (err == nil) {
			t.Errorf("Sniff(%q) = %v %q %v; want %v %q ok=%v", c.in, k, b, err, c.kind, c.boundary, c.ok)
		}
		if n := br.Buffered(); err == nil && n != len(c.in) {
			t.Errorf("Sniff(%q) consumed bytes: %d left", c.in, n)
		}
	}
}
