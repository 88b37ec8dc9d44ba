package mjpeg

import (
	"bytes"
	"errors"
)

// maxSegments bounds how many marker segments JPEGSize walks before giving up.
const maxSegments = 1024

// JPEGSize returns the picture size from a JPEG's SOFn header, walking the marker segments
// from SOI (ITU T.81 §B.2) without decoding anything. It reads only inside b and at most
// maxSegments segments; ok is false when b is not a JPEG or has no SOF before SOS.
func JPEGSize(b []byte) (width, height int, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, 0, false
	}
	i := 2
	for n := 0; n < maxSegments; n++ {
		// Skip fill bytes (FF FF …) before a marker.
		for i+1 < len(b) && b[i] == 0xFF && b[i+1] == 0xFF {
			i++
		}
		if i+4 > len(b) || b[i] != 0xFF {
			return 0, 0, false
		}
		m := b[i+1]
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) { // standalone markers
			i += 2
			continue
		}
		if m == 0xD9 || m == 0xDA || m == 0xD8 {
			return 0, 0, false // EOI or SOS before any SOF
		}
		l := int(b[i+2])<<8 | int(b[i+3])
		if l < 2 {
			return 0, 0, false
		}
		if isSOF(m) {
			// Lf(2) P(1) Y(2) X(2)
			if l < 7 || i+9 > len(b) {
				return 0, 0, false
			}
			h := int(b[i+5])<<8 | int(b[i+6])
			w := int(b[i+7])<<8 | int(b[i+8])
			if w == 0 || h == 0 {
				return 0, 0, false
			}
			return w, h, true
		}
		i += 2 + l
	}
	return 0, 0, false
}

// isSOF reports the start-of-frame markers C0–CF except DHT (C4), JPG (C8) and DAC (CC).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

var (
	errNoMarker  = errors.New("expected a JPEG marker")
	errBadLength = errors.New("JPEG segment length under 2")
	errNestedSOI = errors.New("JPEG start (FF D8) inside a JPEG")
)

// jpegScan finds where a JPEG ends in bytes that arrive piecewise: it walks marker
// segments by their lengths and, after SOS, the entropy-coded data up to a marker that is
// not a stuffed byte (FF 00) or a restart (FF D0–D7). So an FF D9 inside an EXIF thumbnail
// or a segment payload does not end the picture. The zero value starts at SOI.
type jpegScan struct {
	pos     int
	entropy bool
}

// step continues over b, the JPEG's bytes so far (b[0:2] is SOI), and returns the length
// of the JPEG once its EOI is in b, or -1 when it needs more bytes.
func (s *jpegScan) step(b []byte) (int, error) {
	if s.pos == 0 {
		if len(b) < 2 {
			return -1, nil
		}
		s.pos = 2
	}
	for {
		if s.pos >= len(b) {
			return -1, nil
		}
		if s.entropy {
			j := bytes.IndexByte(b[s.pos:], 0xFF)
			if j < 0 {
				s.pos = len(b)
				return -1, nil
			}
			i := s.pos + j
			if i+1 >= len(b) {
				s.pos = i
				return -1, nil
			}
			switch m := b[i+1]; {
			case m == 0x00 || (m >= 0xD0 && m <= 0xD7):
				s.pos = i + 2
				continue
			case m == 0xFF:
				s.pos = i + 1
				continue
			}
			s.entropy = false
			s.pos = i
		}
		if s.pos+2 > len(b) {
			return -1, nil
		}
		if b[s.pos] != 0xFF {
			return -1, errNoMarker
		}
		m := b[s.pos+1]
		switch {
		case m == 0xFF:
			s.pos++
			continue
		case m == 0xD9:
			return s.pos + 2, nil
		case m == 0xD8:
			return -1, errNestedSOI
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			s.pos += 2
			continue
		}
		if s.pos+4 > len(b) {
			return -1, nil
		}
		l := int(b[s.pos+2])<<8 | int(b[s.pos+3])
		if l < 2 {
			return -1, errBadLength
		}
		s.pos += 2 + l
		if m == 0xDA {
			s.entropy = true
		}
	}
}
