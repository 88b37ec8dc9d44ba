package jpegdec

import (
	"fmt"

	"github.com/vigil-cctv/vigil/capture"
)

// Header returns the picture size declared by the JPEG's start-of-frame marker without
// decoding anything: it walks the marker segments (ITU-T T.81 §B.1.1) up to the first SOFn.
// It needs no cgo and reads only data. Errors wrap capture.ErrMalformed for bytes that are not
// a JPEG header and capture.ErrTooLarge (with w and h set) for a picture over MaxSide,
// MaxPixels or, when progressive, MaxProgressivePixels.
func Header(data []byte) (w, h int, err error) {
	w, h, _, err = headerInfo(data)
	return w, h, err
}

// headerInfo is Header that also reports whether the frame is progressive (SOF2, SOF6,
// SOF10, SOF14), which is held to the tighter MaxProgressivePixels.
func headerInfo(data []byte) (w, h int, progressive bool, err error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0, 0, false, fmt.Errorf("read jpeg header: no start-of-image marker at the beginning of %d bytes: %w", len(data), capture.ErrMalformed)
	}
	i := 2
	for {
		// Like libjpeg, skip stray bytes before a marker and any 0xFF fill bytes.
		for i < len(data) && data[i] != 0xFF {
			i++
		}
		for i < len(data) && data[i] == 0xFF {
			i++
		}
		if i >= len(data) {
			return 0, 0, false, fmt.Errorf("read jpeg header: data ends before a frame header (%d bytes): %w", len(data), capture.ErrMalformed)
		}
		m := data[i]
		i++
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD8): // TEM, RSTn, SOI: no length
			continue
		case m == 0xD9:
			return 0, 0, false, fmt.Errorf("read jpeg header: end of image before a frame header: %w", capture.ErrMalformed)
		case m == 0xDA:
			return 0, 0, false, fmt.Errorf("read jpeg header: scan data before a frame header: %w", capture.ErrMalformed)
		}
		if i+2 > len(data) {
			return 0, 0, false, fmt.Errorf("read jpeg header: data ends inside marker 0x%02X: %w", m, capture.ErrMalformed)
		}
		n := int(data[i])<<8 | int(data[i+1])
		if n < 2 || i+n > len(data) {
			return 0, 0, false, fmt.Errorf("read jpeg header: marker 0x%02X has length %d, %d bytes left: %w", m, n, len(data)-i, capture.ErrMalformed)
		}
		// SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if n < 8 {
				return 0, 0, false, fmt.Errorf("read jpeg header: frame header is %d bytes long: %w", n, capture.ErrMalformed)
			}
			h = int(data[i+3])<<8 | int(data[i+4])
			w = int(data[i+5])<<8 | int(data[i+6])
			progressive = m&0x03 == 0x02
			if err := checkSize(w, h); err != nil {
				return w, h, progressive, err
			}
			if progressive && w*h > MaxProgressivePixels {
				return w, h, progressive, fmt.Errorf("jpeg picture is progressive and %d×%d, over the %d-Mpixel limit for progressive frames: %w",
					w, h, MaxProgressivePixels>>20, capture.ErrTooLarge)
			}
			return w, h, progressive, nil
		}
		i += n
	}
}
