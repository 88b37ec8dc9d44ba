// Package jpegdec decodes camera JPEGs straight to the size a tile needs. It is the hottest
// path of the product (16 cameras × 15 fps of 1080p frames on two cores), so with cgo it
// drives libjpeg-turbo through the TurboJPEG API and lets the decoder's DCT scaling do most of
// the shrinking: a 1920×1080 frame asked into a 480×270 tile is decoded at 1/4 scale, straight
// into the tile's pixels, in one call and with no allocation. When no DCT scale lands exactly
// on the asked size, the smallest scale that is at least as large is decoded into a scratch
// buffer and reduced with an area-average downscaler (see downscaleOpaque).
//
// Without cgo (CGO_ENABLED=0) the same API is backed by image/jpeg: a full-size decode followed
// by the same downscaler. It is several times slower and meant for builds and tests, not for a
// wall of cameras.
//
// Every picture is checked against MaxSide, MaxPixels and MaxProgressivePixels before anything is allocated for it,
// so a header that claims 65500×65500 costs nothing (capture.ErrTooLarge).
package jpegdec

import (
	"fmt"

	"github.com/vigil-cctv/vigil/capture"
)

// Limits on the encoded picture size. A JPEG header may claim up to 65500×65500; a frame that
// large is either hostile or not from a camera, and decoding it would allocate gigabytes.
const (
	// MaxSide is the largest width or height accepted.
	MaxSide = 16384
	// MaxPixels is the largest width×height accepted (64 Mpixel).
	MaxPixels = 64 << 20
	// MaxProgressivePixels is the largest width×height accepted for a progressive JPEG
	// (16 Mpixel). libjpeg keeps every DCT coefficient of a progressive frame in memory, 2 bytes
	// per sample (up to 6 bytes a pixel), and a few hundred bytes can claim a huge one; cameras
	// send baseline JPEGs.
	MaxProgressivePixels = 16 << 20
)

// checkSize refuses pictures outside the limits, before any buffer is sized from them.
func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("jpeg header declares a %d×%d picture: %w", w, h, capture.ErrMalformed)
	}
	if w > MaxSide || h > MaxSide || w*h > MaxPixels {
		return fmt.Errorf("jpeg picture is %d×%d, over the %d-pixel side or %d-Mpixel limit (is this really a camera frame?): %w",
			w, h, MaxSide, MaxPixels>>20, capture.ErrTooLarge)
	}
	return nil
}

// fitsInto reports whether dst can take a w×h picture in place: exactly that size, with the
// rows its stride promises actually present.
func fitsInto(dst []byte, stride, dw, dh, w, h int) bool {
	return dw == w && dh == h && stride >= 4*w && len(dst) >= (h-1)*stride+4*w
}
