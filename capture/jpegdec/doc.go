// Package jpegdec decodes camera JPEGs straight to the size a tile needs. It is the hottest
// path of the product (16 cameras × 15 fps on two cores), so with cgo it drives
// libjpeg-turbo through the TurboJPEG API and lets the decoder's DCT scaling do most of the
// shrinking. Decode picks the smallest DCT scale (M/8) at least as large as the tile:
//
//   - When that scale is the tile's size (1920×1080 into 480×270 at 1/4) it is one
//     TurboJPEG call, straight into the tile's pixels, with no allocation.
//   - Otherwise (1280×720 into 400×225: 3/8 gives 480×270) the picture is decoded at that
//     scale to YUV planes, without libjpeg's colour conversion; libswscale resizes the planes
//     to the tile's size as 4:4:4 (chroma upsampled and resized in the same filter, SWS_AREA,
//     one cached context per Decoder); then TurboJPEG converts the 4:4:4 planes to RGBA into
//     the tile, at the tile's size. The planes and the scaler live in C memory owned by the
//     Decoder, so a frame allocates nothing. This serves 4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1
//     and grayscale YCbCr pictures with tiles at least minYUVResize on a side.
//   - Anything else (RGB, CMYK or YCCK JPEGs, icon-sized tiles) is decoded to RGBA at the DCT
//     scale and reduced with the pure-Go area average (see downscaleOpaque).
//
// Why planes: libswscale resizing RGBA to RGBA converts to YUV and back internally and ran
// no faster than the Go area average (480×270→400×225: 0.8-1.2 ms, Go ~0.9 ms), while
// resizing 4:2:0 planes took 0.08-0.09 ms with any of SWS_AREA, SWS_BILINEAR or
// SWS_FAST_BILINEAR. Converting the planes with swscale's own YUV→RGBA in the same call was
// 0.2 ms with horizontally subsampled chroma, or 1.3 ms with full chroma; libjpeg-turbo's
// SIMD converter at the small tile size is cheaper than either, and it is the same colour
// maths as every other decode. The price is chroma detail: a 4:2:0 frame decoded to planes
// keeps its chroma at half the DCT scale, where the RGBA decode rebuilds it at full scale in
// the IDCT. On the benchmark frame (busy, colourful detail: a worst case for chroma) the mean
// absolute error against an area average of the lossless source, in levels
// (TestResizeQuality):
//
//	                   YUV+SWS_AREA  YUV+SWS_BILINEAR  YUV+SWS_FAST_BILINEAR  RGBA+Go area
//	1080p → 400×225        4.00          4.15               5.82                 2.76
//	1080p → 640×360        4.15          4.23               5.59                 3.17
//	1080p → 320×180        3.31          3.77               6.07                 2.09
//	720p  → 400×225        2.86          3.01               4.43                 2.38
//
// A whole Decode on the same frames (ms, loaded 2-core machine, BenchmarkDecode*): 720p →
// 400×225 3.07 before (RGBA + Go) and about 2.0-2.5 now; 1080p → 640×360 7.5 before and about
// 4.7-5.1 now, the same as the exact-scale 480×270 decode. The resize now costs less than
// libjpeg's colour conversion it replaces at the larger DCT size.
//
// Without cgo (CGO_ENABLED=0) the same API is backed by image/jpeg: a full-size decode followed
// by the Go downscaler. It is several times slower and meant for builds and tests, not for a
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
