package push

import (
	"bufio"
	"bytes"
	"testing"
	"time"
)

func FuzzFrameReader(f *testing.F) {
	f.Add(AppendFrame(AppendFrame(nil, testJPEG(1), time.UnixMicro(1)), testJPEG(2), time.Time{}))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(AppendFrame(nil, []byte("not a jpeg"), time.Time{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := NewFrameReader(bufio.NewReader(bytes.NewReader(b)), 1<<16)
		for range 100 {
			fr2, err := fr.Next()
			if err != nil {
				return
			}
			if len(fr2.JPEG) > 1<<16 || fr2.JPEG[0] != 0xFF || fr2.JPEG[1] != 0xD8 {
				t.Fatalf("frame of %d bytes starting %x", len(fr2.JPEG), fr2.JPEG[:2])
			}
		}
	})
}

// FuzzSniff runs the first bytes of a connection through the sniffer and, for a
// handshake, the line reader and parser, as the listener does.
func FuzzSniff(f *testing.F) {
	for _, c := range sniffs {
		f.Add([]byte(c.in))
	}
	for _, c := range handshakes {
		f.Add([]byte(c.line))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(b), readBuffer)
		k, boundary, err := Sniff(br)
		if err != nil {
			return
		}
		switch k {
		case KindMultipart:
			if boundary == "" || len(boundary) > maxBoundary {
				t.Fatalf("boundary %q", boundary)
			}
		case KindHandshake:
			line, err := readLine(br)
			if err != nil {
				return
			}
			if len(line) > MaxHandshake {
				t.Fatalf("line of %d bytes", len(line))
			}
			if h, err := ParseHandshake(line); err == nil && !ValidName(h.Name) {
				t.Fatalf("accepted name %q", h.Name)
			}
		}
	})
}
