//go:build cgo

package jpegdec

/*
#cgo pkg-config: libturbojpeg libswscale libavutil
#cgo noescape vigil_tj_header
#cgo nocallback vigil_tj_header
#cgo noescape vigil_tj_decompress
#cgo nocallback vigil_tj_decompress
#cgo noescape vigil_tj_decompress_yuv
#cgo nocallback vigil_tj_decompress_yuv
#cgo noescape vigil_yuv_resize
#cgo nocallback vigil_yuv_resize
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <libswscale/swscale.h>
#include <libavutil/pixfmt.h>

// vigil_tj_state is where the helpers report. It lives in C memory, so passing it costs no
// Go allocation, and the error text is copied out in the same C call that failed: TurboJPEG
// keeps some messages in a thread-local buffer, and a goroutine may change threads between
// two cgo calls.
//
// It also owns the resize path's C memory: the YUV planes of the DCT-scaled picture and of
// the target size, in one buffer, and the cached libswscale context. Keeping them in C means
// swscale's SIMD may read and write a little past a row (each plane has padding after it)
// without touching Go memory, and Go passes no pointer arrays.
typedef struct {
	int width, height, code, subsamp, colorspace;
	char msg[200]; // JMSG_LENGTH_MAX in jpeglib.h

	struct SwsContext *sws;
	unsigned char *yuv;
	size_t yuvcap;
	int planes;       // 1 (grayscale) or 3 (Y, Cb, Cr)
	int sw, sh, dw, dh; // the sizes the planes below are laid out for
	unsigned char *sp[3], *dp[3];
	int ss[3], ds[3];
} vigil_tj_state;

static void vigil_state_free(vigil_tj_state *st) {
	if (st != NULL) {
		sws_freeContext(st->sws);
		free(st->yuv);
		free(st);
	}
}

static void vigil_tj_fail(tjhandle h, vigil_tj_state *st) {
	st->code = tjGetErrorCode(h);
	snprintf(st->msg, sizeof st->msg, "%s", tjGetErrorStr2(h));
}

static int vigil_tj_header(tjhandle h, const unsigned char *buf, unsigned long n, vigil_tj_state *st) {
	int subsamp, colorspace;
	st->code = -1;
	st->msg[0] = 0;
	// A tables-only stream (SOI, tables, EOI) "succeeds" without setting the size.
	st->width = 0;
	st->height = 0;
	subsamp = -1;
	colorspace = -1;
	if (tjDecompressHeader3(h, buf, n, &st->width, &st->height, &subsamp, &colorspace) != 0) {
		vigil_tj_fail(h, st);
		st->subsamp = subsamp;
		st->colorspace = colorspace;
		return -1;
	}
	st->subsamp = subsamp;
	st->colorspace = colorspace;
	return 0;
}

// vigil_cmyk_to_rgba converts, in place, the CMYK pixels libjpeg decoded from a CMYK or
// YCCK JPEG to opaque RGBA. libjpeg does no colour management for CMYK (TurboJPEG refuses
// TJPF_RGBA for such pictures: "Unsupported color conversion request"), and the samples
// are as stored: Adobe applications, ImageMagick and the cameras that follow them write
// CMYK inverted (255 = no ink), so R = C·K/255 and likewise for G and B. This matches Go's
// image/jpeg (which inverts when decoding) followed by color.CMYK's conversion.
static void vigil_cmyk_to_rgba(unsigned char *dst, int width, int pitch, int height) {
	int x, y;
	for (y = 0; y < height; y++) {
		unsigned char *p = dst + (size_t)y * pitch;
		for (x = 0; x < width; x++, p += 4) {
			unsigned k = p[3];
			p[0] = (unsigned char)((p[0] * k + 127) / 255);
			p[1] = (unsigned char)((p[1] * k + 127) / 255);
			p[2] = (unsigned char)((p[2] * k + 127) / 255);
			p[3] = 255;
		}
	}
}

// vigil_tj_decompress decodes to RGBA; a CMYK or YCCK picture (st->colorspace, from the
// header just read) is decoded to CMYK and converted.
static int vigil_tj_decompress(tjhandle h, const unsigned char *buf, unsigned long n,
		unsigned char *dst, int width, int pitch, int height, int flags, vigil_tj_state *st) {
	int cmyk = st->colorspace == TJCS_CMYK || st->colorspace == TJCS_YCCK;
	int r;
	st->code = -1;
	st->msg[0] = 0;
	r = tjDecompress2(h, buf, n, dst, width, pitch, height, cmyk ? TJPF_CMYK : TJPF_RGBA, flags);
	if (r != 0) {
		vigil_tj_fail(h, st);
	}
	if (cmyk && (r == 0 || st->code == TJERR_WARNING)) {
		vigil_cmyk_to_rgba(dst, width, pitch, height);
	}
	return r != 0 ? -1 : 0;
}

// vigil_yuv_format is the swscale layout of TurboJPEG's planes for a subsampling, or
// AV_PIX_FMT_NONE when there is none.
static enum AVPixelFormat vigil_yuv_format(int subsamp) {
	switch (subsamp) {
	case TJSAMP_444: return AV_PIX_FMT_YUV444P;
	case TJSAMP_422: return AV_PIX_FMT_YUV422P;
	case TJSAMP_420: return AV_PIX_FMT_YUV420P;
	case TJSAMP_GRAY: return AV_PIX_FMT_GRAY8;
	case TJSAMP_440: return AV_PIX_FMT_YUV440P;
	case TJSAMP_411: return AV_PIX_FMT_YUV411P;
	}
	return AV_PIX_FMT_NONE;
}

#define VIGIL_ALIGN(v, a) (((v) + (a) - 1) / (a) * (a))

// vigil_yuv_layout places the planes of a sw×sh and a dw×dh picture in st->yuv, growing it
// when needed. Strides are multiples of 32 and every plane starts 64-byte aligned with at
// least 64 spare bytes after it. Returns 0, or -1 when out of memory.
static int vigil_yuv_layout(vigil_tj_state *st, int subsamp, int sw, int sh, int dw, int dh) {
	size_t total = 0, off[6];
	int i, k;
	st->planes = subsamp == TJSAMP_GRAY ? 1 : 3;
	for (k = 0; k < 2; k++) {
		int w = k == 0 ? sw : dw, h = k == 0 ? sh : dh;
		int *strides = k == 0 ? st->ss : st->ds;
		for (i = 0; i < st->planes; i++) {
			// The target planes are 4:4:4: chroma at the tile's full resolution.
			int ss = k == 0 ? subsamp : (subsamp == TJSAMP_GRAY ? TJSAMP_GRAY : TJSAMP_444);
			int pw = tjPlaneWidth(i, w, ss), ph = tjPlaneHeight(i, h, ss);
			if (pw <= 0 || ph <= 0) {
				return -1;
			}
			strides[i] = VIGIL_ALIGN(pw, 32);
			off[k * 3 + i] = total;
			total += VIGIL_ALIGN((size_t)strides[i] * ph + 64, 64);
		}
	}
	if (total > st->yuvcap) {
		void *p = NULL;
		if (posix_memalign(&p, 64, total) != 0) {
			return -1;
		}
		free(st->yuv);
		st->yuv = p;
		st->yuvcap = total;
	}
	for (i = 0; i < 3; i++) {
		st->sp[i] = i < st->planes ? st->yuv + off[i] : NULL;
		st->dp[i] = i < st->planes ? st->yuv + off[3 + i] : NULL;
		if (i >= st->planes) {
			st->ss[i] = st->ds[i] = 0;
		}
	}
	st->sw = sw, st->sh = sh, st->dw = dw, st->dh = dh;
	return 0;
}

// vigil_tj_decompress_yuv decodes the JPEG at the DCT scale that gives sw×sh into the YUV
// planes in st, with no colour conversion. subsamp is the one the header reported.
static int vigil_tj_decompress_yuv(tjhandle h, const unsigned char *buf, unsigned long n,
		int subsamp, int sw, int sh, int dw, int dh, int flags, vigil_tj_state *st) {
	st->code = -1;
	st->msg[0] = 0;
	if (vigil_yuv_layout(st, subsamp, sw, sh, dw, dh) != 0) {
		snprintf(st->msg, sizeof st->msg, "out of memory for %dx%d YUV planes", sw, sh);
		return -2;
	}
	if (tjDecompressToYUVPlanes(h, buf, n, st->sp, sw, st->ss, sh, flags) != 0) {
		vigil_tj_fail(h, st);
		return -1;
	}
	return 0;
}

// vigil_yuv_resize scales the planes vigil_tj_decompress_yuv filled to the target size with
// libswscale (plane by plane, no colour conversion; the context is rebuilt only when a size,
// the subsampling or the flags change), then has libjpeg-turbo convert them to RGBA into dst
// (rows pitch bytes apart), with the same upsampling and colour maths as a normal decode.
static int vigil_yuv_resize(tjhandle h, int subsamp, unsigned char *dst, int pitch, int swsflags,
		int flags, vigil_tj_state *st) {
	enum AVPixelFormat f = vigil_yuv_format(subsamp);
	int dsub = subsamp == TJSAMP_GRAY ? TJSAMP_GRAY : TJSAMP_444;
	st->code = -1;
	st->msg[0] = 0;
	if (f == AV_PIX_FMT_NONE) {
		snprintf(st->msg, sizeof st->msg, "no swscale format for subsampling %d", subsamp);
		return -2;
	}
	st->sws = sws_getCachedContext(st->sws, st->sw, st->sh, f, st->dw, st->dh, vigil_yuv_format(dsub), swsflags,
		NULL, NULL, NULL);
	if (st->sws == NULL) {
		snprintf(st->msg, sizeof st->msg, "cannot build a %dx%d to %dx%d scaler", st->sw, st->sh, st->dw, st->dh);
		return -2;
	}
	if (sws_scale(st->sws, (const uint8_t *const *)st->sp, st->ss, 0, st->sh, st->dp, st->ds) != st->dh) {
		snprintf(st->msg, sizeof st->msg, "scaling %dx%d to %dx%d failed", st->sw, st->sh, st->dw, st->dh);
		return -2;
	}
	if (tjDecodeYUVPlanes(h, (const unsigned char **)st->dp, st->ds, dsub, dst, st->dw, pitch, st->dh,
			TJPF_RGBA, flags) != 0) {
		vigil_tj_fail(h, st);
		return -1;
	}
	return 0;
}

// vigil_tj_compress encodes one packed picture with a short-lived compressor. On success
// *out is a tjAlloc'ed buffer the caller frees with tjFree.
static int vigil_tj_compress(const unsigned char *src, int width, int pitch, int height, int pf,
		int subsamp, int quality, unsigned char **out, unsigned long *outLen, vigil_tj_state *st) {
	tjhandle h = tjInitCompress();
	int r;
	if (h == NULL) {
		st->code = TJERR_FATAL;
		snprintf(st->msg, sizeof st->msg, "%s", tjGetErrorStr2(NULL));
		return -1;
	}
	*out = NULL;
	*outLen = 0;
	r = tjCompress2(h, src, width, pitch, height, pf, out, outLen, subsamp, quality, 0);
	if (r != 0) {
		vigil_tj_fail(h, st);
		tjFree(*out);
		*out = NULL;
	}
	tjDestroy(h);
	return r;
}
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"unsafe"

	"github.com/vigil-cctv/vigil/capture"
)

// turbo reports that this build decodes with libjpeg-turbo (DCT scaling, no allocation).
const turbo = true

// decodeFlags are the TurboJPEG flags every decode uses.
//
// TJFLAG_LIMITSCANS makes a progressive JPEG with an absurd number of scans an error instead
// of minutes of CPU (libjpeg-turbo's answer to the "JPEG bomb" report).
//
// TJFLAG_FASTDCT is deliberately not set. It only swaps the full-size 8×8 inverse DCT (the
// 1/2, 1/4 and 1/8 scales have one implementation each): measured on the benchmark frame, the
// 1/4-scale tile decode is bit-identical with or without it, and the full-size decode gets
// worse (mean error against the source 3.28 instead of 3.08 levels) with no speed gain that
// stood out of the noise on a loaded 2-core machine (entropy decoding dominates a busy frame).
// TJFLAG_FASTUPSAMPLE behaves the same way (3.31). See TestDCTFlagsQuality and
// BenchmarkDCTFlags.
const decodeFlags = C.TJFLAG_LIMITSCANS

// resizeFlags are the libswscale flags of the resize after a DCT-scaled decode. The resize
// runs on the YUV planes, where swscale's SIMD scalers are about ten times faster than on
// RGBA, and there SWS_AREA, SWS_BILINEAR and SWS_FAST_BILINEAR cost the same within the
// noise; SWS_AREA lands closest to an area average of the source (TestResizeQuality,
// BenchmarkResize and the table in doc.go). SWS_FAST_BILINEAR point-samples when shrinking by
// more than two and its error is half as large again.
const resizeFlags = C.SWS_AREA

// libswscale flags the tests compare.
const (
	swsArea         = C.SWS_AREA
	swsBilinear     = C.SWS_BILINEAR
	swsFastBilinear = C.SWS_FAST_BILINEAR
)

// TurboJPEG flags the tests compare against the default.
const (
	flagFastDCT      = C.TJFLAG_FASTDCT
	flagFastUpsample = C.TJFLAG_FASTUPSAMPLE
)

// scalingFactors is libjpeg-turbo's list of DCT scales (M/8 for M = 1..16, largest first).
var scalingFactors = func() []scale {
	var n C.int
	p := C.tjGetScalingFactors(&n)
	if p == nil || n <= 0 {
		return []scale{{1, 1}}
	}
	fs := unsafe.Slice(p, int(n))
	out := make([]scale, len(fs))
	for i, f := range fs {
		out[i] = scale{int(f.num), int(f.denom)}
	}
	return out
}()

// Decoder decodes JPEGs with one TurboJPEG decompressor. It implements capture.FrameDecoder
// and, like every FrameDecoder, is used by one goroutine at a time.
type Decoder struct {
	h     C.tjhandle
	st    *C.vigil_tj_state
	flags int // decodeFlags; tests flip TJFLAG_FASTDCT and TJFLAG_FASTUPSAMPLE
	// swsFlags are resizeFlags; tests compare other libswscale filters.
	swsFlags int
	// rgbaResize makes every resize take the fallback path; tests compare the two.
	rgbaResize bool
	// scratch is an RGBA picture at the DCT scale waiting for the Go resizer: the fallback
	// for pictures that are not YCbCr or grayscale (CMYK, YCCK, RGB JPEGs).
	scratch []byte
	ds      downscaler
	warn    warnings
}

// New makes a Decoder. Close it to free the decompressor.
func New() (*Decoder, error) {
	h := C.tjInitDecompress()
	if h == nil {
		return nil, fmt.Errorf("start jpeg decoder: %s", C.GoString(C.tjGetErrorStr2(nil)))
	}
	st := (*C.vigil_tj_state)(C.calloc(1, C.size_t(unsafe.Sizeof(C.vigil_tj_state{}))))
	if st == nil {
		C.tjDestroy(h)
		return nil, errors.New("start jpeg decoder: out of memory")
	}
	return &Decoder{h: h, st: st, flags: decodeFlags, swsFlags: resizeFlags}, nil
}

// Close frees the decompressor. It is safe to call more than once; the Decoder is unusable
// afterwards.
func (d *Decoder) Close() error {
	if d.h != nil {
		C.tjDestroy(d.h)
		d.h = nil
	}
	if d.st != nil {
		C.vigil_state_free(d.st)
		d.st = nil
	}
	d.scratch = nil
	return nil
}

var errClosed = errors.New("jpeg decoder used after Close")

// Decode decodes p.Data to capture.FitSize of the picture into a w×h box (see
// capture.FrameDecoder). It decodes at the smallest DCT scale that is at least that size and,
// when the scale does not land on it exactly, resizes the rest of the way with libswscale
// (see resizeFlags). When dst already has the target size the picture is written into it and
// dst is returned; then, after the Decoder's scratch buffer and scaler match the sizes in
// use, Decode allocates nothing.
//
// Bytes that do not decode give an error wrapping capture.ErrMalformed (dst may have been
// partly written); a picture over MaxSide or MaxPixels gives capture.ErrTooLarge before
// anything is allocated. Damage libjpeg only warns about (a truncated frame, stray bytes
// between markers, a bad Huffman code) still returns the picture, with the damaged part grey
// or smeared; Warnings counts those.
func (d *Decoder) Decode(p capture.Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	sw, sh, err := d.header(p.Data)
	if err != nil {
		return nil, err
	}
	tw, th := OutputSize(sw, sh, w, h)
	out := dst
	if out == nil || !fitsInto(out.Pix, out.Stride, out.Rect.Dx(), out.Rect.Dy(), tw, th) {
		out = image.NewRGBA(image.Rect(0, 0, tw, th))
	}
	ssw, ssh := scaledSize(scalingFactors, sw, sh, tw, th)
	if ssw == tw && ssh == th {
		if err := d.decompress(p.Data, out.Pix, out.Stride, tw, th); err != nil {
			return nil, err
		}
		return out, nil
	}
	if !d.rgbaResize && tw >= minYUVResize && th >= minYUVResize && d.yuvResizable() {
		ok, err := d.decodeResizeYUV(p.Data, out, ssw, ssh, tw, th)
		if err != nil {
			return nil, err
		}
		if ok {
			return out, nil
		}
	}
	d.scratch = grow(d.scratch, ssw*ssh*4)
	if err := d.decompress(p.Data, d.scratch, ssw*4, ssw, ssh); err != nil {
		return nil, err
	}
	d.ds.downscaleOpaque(out.Pix, out.Stride, tw, th, d.scratch, ssw*4, ssw, ssh)
	return out, nil
}

// minYUVResize is the smallest tile side the YUV resize path serves. Below it a chroma plane
// can be a handful of samples wide, where libswscale is fragile (SWS_FAST_BILINEAR divided by
// zero scaling a 4:1:1 picture's 6-sample chroma rows to 2) and where scaling the subsampled
// chroma plane on its own grid visibly misplaces colour edges. Such tiles are icons: the
// RGBA path costs next to nothing there.
const minYUVResize = 32

// yuvResizable reports whether the picture whose header was just read can take the YUV
// resize path: YCbCr or grayscale (not RGB, CMYK or YCCK) with a subsampling swscale knows.
func (d *Decoder) yuvResizable() bool {
	cs := d.st.colorspace
	return (cs == C.TJCS_YCbCr || cs == C.TJCS_GRAY) && C.vigil_yuv_format(d.st.subsamp) != C.AV_PIX_FMT_NONE
}

// decodeResizeYUV decodes data at the DCT scale that gives sw×sh to YUV planes, resizes the
// planes to tw×th and converts them to RGBA into out. ok is false, with no error, when
// libswscale could not do its part (out of memory): the caller then takes the RGBA path.
func (d *Decoder) decodeResizeYUV(data []byte, out *image.RGBA, sw, sh, tw, th int) (ok bool, err error) {
	r := C.vigil_tj_decompress_yuv(d.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
		d.st.subsamp, C.int(sw), C.int(sh), C.int(tw), C.int(th), C.int(d.flags), d.st)
	if r == -2 {
		return false, nil
	}
	if err := d.result(r, data, sw, sh); err != nil {
		return false, err
	}
	if len(out.Pix) < (th-1)*out.Stride+4*tw {
		return false, fmt.Errorf("decode jpeg at %d×%d: destination holds %d bytes", tw, th, len(out.Pix))
	}
	r = C.vigil_yuv_resize(d.h, d.st.subsamp, (*C.uchar)(unsafe.Pointer(&out.Pix[0])), C.int(out.Stride),
		C.int(d.swsFlags), C.int(d.flags), d.st)
	return r == 0, nil
}

// DecodeScaledInto is the benchmark floor: libjpeg-turbo decoding data at the DCT scale that
// gives exactly w×h, straight into dst as tightly packed RGBA (len(dst) >= w*h*4), with no
// downscaling, no image.RGBA and no allocation. w×h must be one of the picture's DCT-scaled
// sizes: ScaledSize of the picture's Header gives the one Decode would use.
func (d *Decoder) DecodeScaledInto(data []byte, w, h int, dst []byte) error {
	sw, sh, err := d.header(data)
	if err != nil {
		return err
	}
	exact := false
	for _, f := range scalingFactors {
		if f.apply(sw) == w && f.apply(sh) == h {
			exact = true
			break
		}
	}
	if !exact {
		return fmt.Errorf("decode jpeg at %d×%d: no DCT scale of the %d×%d picture gives that size (ScaledSize gives one that does)", w, h, sw, sh)
	}
	if len(dst) < w*h*4 {
		return fmt.Errorf("decode jpeg at %d×%d: destination holds %d bytes, needs %d", w, h, len(dst), w*h*4)
	}
	return d.decompress(data, dst, w*4, w, h)
}

// ScaledSize is the size Decode decodes a srcW×srcH picture at before any downscaling when it
// is asked into a w×h box: the smallest DCT scale (M/8) at least capture.FitSize in both
// directions.
func ScaledSize(srcW, srcH, w, h int) (int, int) {
	tw, th := capture.FitSize(srcW, srcH, w, h)
	return scaledSize(scalingFactors, srcW, srcH, tw, th)
}

// SourceSize is the picture size the last header Decode read declared, 0×0 before any.
// Decode may have produced a much smaller picture (into a box, at a DCT scale): the probe
// reports this, the encoded size, without decoding at it.
func (d *Decoder) SourceSize() (w, h int) {
	if d.st == nil {
		return 0, 0
	}
	return int(d.st.width), int(d.st.height)
}

// Warnings reports how many pictures decoded with damage that libjpeg only warned about, and
// the text of the latest such warning.
func (d *Decoder) Warnings() (count uint64, last string) { return d.warn.count, d.warn.text() }

func (d *Decoder) header(data []byte) (int, int, error) {
	if d.h == nil {
		return 0, 0, errClosed
	}
	if len(data) == 0 {
		return 0, 0, fmt.Errorf("decode jpeg: empty frame: %w", capture.ErrMalformed)
	}
	if C.vigil_tj_header(d.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), d.st) != 0 {
		// Stray bytes between header segments only warn, and the size is read.
		if msg := d.message(); d.st.code != C.TJERR_WARNING || !isWarningText(msg) || d.st.width <= 0 {
			d.reset()
			return 0, 0, fmt.Errorf("decode jpeg header (%d bytes): %s: %w", len(data), msg, failureKind(msg))
		}
	}
	w, h := int(d.st.width), int(d.st.height)
	if err := checkSize(w, h); err != nil {
		return w, h, err
	}
	// libjpeg read the header; this walk, over a few markers, adds the progressive limit.
	if _, _, _, err := headerInfo(data); err != nil {
		return w, h, err
	}
	return w, h, nil
}

// decompress decodes data at the DCT scale that gives w×h into dst (rows pitch bytes apart).
func (d *Decoder) decompress(data, dst []byte, pitch, w, h int) error {
	if len(dst) < (h-1)*pitch+4*w {
		return fmt.Errorf("decode jpeg at %d×%d: destination holds %d bytes", w, h, len(dst))
	}
	r := C.vigil_tj_decompress(d.h, (*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
		(*C.uchar)(unsafe.Pointer(&dst[0])), C.int(w), C.int(pitch), C.int(h), C.int(d.flags), d.st)
	return d.result(r, data, w, h)
}

// result turns a TurboJPEG helper's return into an error: none for success or damage libjpeg
// only warned about (counted in Warnings), ErrMalformed otherwise, after which the
// decompressor is replaced.
func (d *Decoder) result(r C.int, data []byte, w, h int) error {
	if r == 0 {
		return nil
	}
	msg := d.message()
	if d.st.code == C.TJERR_WARNING && isWarningText(msg) {
		d.warn.note(msg)
		return nil
	}
	d.reset()
	return fmt.Errorf("decode jpeg (%d bytes) at %d×%d: %s: %w", len(data), w, h, msg, failureKind(msg))
}

// failureKind tells a JPEG libjpeg cannot decode by design (12-bit samples, a coding
// process or colour conversion it lacks: capture.ErrUnsupported) from a broken one
// (capture.ErrMalformed), so neither is reported as the other.
func failureKind(msg []byte) error {
	for _, s := range []string{"Unsupported JPEG data precision", "Unsupported JPEG process", "Unsupported color conversion", "Unsupported color space",
		"Could not determine subsampling type"} { // TurboJPEG 2 and a sampling it has no name for
		if bytes.Contains(msg, []byte(s)) {
			return capture.ErrUnsupported
		}
	}
	return capture.ErrMalformed
}

// message is the text of the last failure, without copying it out of C memory.
func (d *Decoder) message() []byte {
	msg := unsafe.Slice((*byte)(unsafe.Pointer(&d.st.msg[0])), len(d.st.msg))
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// reset replaces the decompressor after a fatal error. libjpeg-turbo 2.1 can keep state from
// a failed stream: after SOI followed by garbage, a later valid frame failed with
// "Unsupported marker type" on the same handle (found by TestDecodeBadInput). A fresh handle
// costs a few microseconds, paid only for broken frames.
func (d *Decoder) reset() {
	C.tjDestroy(d.h)
	d.h = C.tjInitDecompress() // nil makes the next call fail with errClosed
}

// isWarningText tells libjpeg's warnings (JWRN_* in jerror.h) from its errors. TurboJPEG 2.1
// reports TJERR_WARNING for a fatal error that followed a warning, but the message is always
// the fatal one in that case, so the text is the reliable signal.
func isWarningText(msg []byte) bool {
	for _, prefix := range [...]string{
		"Corrupt JPEG data",          // extraneous bytes, premature end of segment, bad Huffman/arithmetic code, RST mismatch, bad ICC
		"Premature end of JPEG file", // truncated frame
		"Invalid SOS parameters for sequential JPEG",
		"Inconsistent progression sequence",
		"Warning: unknown JFIF revision",
		"Unknown Adobe color transform code",
	} {
		if len(msg) >= len(prefix) && string(msg[:len(prefix)]) == prefix { // compiles to a compare, no allocation
			return true
		}
	}
	return false
}

// Encode compresses img as a baseline JPEG with 4:2:0 chroma (grayscale for *image.Gray) at
// quality 1..100 (clamped). *image.RGBA and *image.Gray are encoded in place; other images are
// converted to RGBA first.
func Encode(img image.Image, quality int) ([]byte, error) {
	quality = min(max(quality, 1), 100)
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("encode jpeg: empty %v picture", b)
	}
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	var (
		pix     []byte
		stride  int
		pf      C.int = C.TJPF_RGBA
		subsamp C.int = C.TJSAMP_420
	)
	switch m := img.(type) {
	case *image.RGBA:
		pix, stride = m.Pix, m.Stride
	case *image.Gray:
		pix, stride, pf, subsamp = m.Pix, m.Stride, C.TJPF_GRAY, C.TJSAMP_GRAY
	default:
		rgba := image.NewRGBA(b)
		draw.Draw(rgba, b, img, b.Min, draw.Src)
		pix, stride = rgba.Pix, rgba.Stride
	}
	var st C.vigil_tj_state
	var out *C.uchar
	var n C.ulong
	if C.vigil_tj_compress((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(b.Dx()), C.int(stride), C.int(b.Dy()),
		pf, subsamp, C.int(quality), &out, &n, &st) != 0 {
		return nil, fmt.Errorf("encode jpeg %d×%d: %s", b.Dx(), b.Dy(), C.GoString(&st.msg[0]))
	}
	defer C.tjFree(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// OutputSize is the size Decode produces for a srcW×srcH picture asked into a w×h box:
// capture.FitSize, or a DCT scale up to 10 % smaller when one lands there (no resize).
func OutputSize(srcW, srcH, w, h int) (int, int) {
	tw, th := capture.FitSize(srcW, srcH, w, h)
	return nearScale(scalingFactors, srcW, srcH, tw, th)
}
