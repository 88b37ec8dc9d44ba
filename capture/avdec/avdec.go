//go:build cgo

package avdec

/*
#cgo pkg-config: libavcodec libavutil libswscale
#cgo noescape vigil_av_decode
#cgo nocallback vigil_av_decode
#cgo noescape vigil_av_scale
#cgo nocallback vigil_av_scale
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

// vigil_av is one Decoder's C side: the codec context, the packet and frames it reuses, the
// cached scaler, and where the last call reports. It lives in C memory so Go passes one
// pointer per call and libavcodec's log callback can find it from the codec context.
typedef struct {
	unsigned magic;
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame[2]; // the newest picture is frame[cur]; the other receives the next one
	int cur;

	// What the codec context was opened with (vigil_av_configure).
	const AVCodec *codec;
	int threads, max_side;

	// The picture of the last successful vigil_av_decode, and the pts of the packet it
	// came from (the caller's sequence number; -1 when libavcodec gave none).
	int width, height, format;
	int64_t pts;

	// The cached scaler and what it was built for.
	struct SwsContext *sws;
	int sw, sh, sfmt, scs, srange, dw, dh, sflags;

	char msg[256]; // the first libavcodec error of the current call
} vigil_av;

#define VIGIL_MAGIC 0x76696731u

// vigil_av_log keeps libavcodec's complaints about our own streams out of stderr: the first
// error of a call is stored for the Go error, the rest dropped. Other contexts go to the
// default logger.
static void vigil_av_log(void *avcl, int level, const char *fmt, va_list vl) {
	if (avcl != NULL && *(const AVClass **)avcl == avcodec_get_class()) {
		vigil_av *st = ((AVCodecContext *)avcl)->opaque;
		if (st != NULL && st->magic == VIGIL_MAGIC) {
			// A broken SEI message (camera vendors' own ones) leaves the picture intact.
			if (level <= AV_LOG_ERROR && st->msg[0] == 0 && strstr(fmt, "SEI") == NULL) {
				vsnprintf(st->msg, sizeof st->msg, fmt, vl);
				size_t n = strlen(st->msg);
				while (n > 0 && (st->msg[n-1] == '\n' || st->msg[n-1] == ' ')) {
					st->msg[--n] = 0;
				}
			}
			return;
		}
	}
	av_log_default_callback(avcl, level, fmt, vl);
}

static void vigil_av_install_log(void) {
	av_log_set_callback(vigil_av_log);
}

static void vigil_av_close(vigil_av *st) {
	if (st == NULL) {
		return;
	}
	avcodec_free_context(&st->ctx);
	av_packet_free(&st->pkt);
	av_frame_free(&st->frame[0]);
	av_frame_free(&st->frame[1]);
	sws_freeContext(st->sws);
	st->magic = 0;
	free(st);
}

// vigil_av_configure (re)opens st's codec context for a stream that reorders pictures by
// up to reorder places: 0 is AV_CODEC_FLAG_LOW_DELAY (every picture out as soon as it is
// decoded), more holds that many pictures back (has_b_frames) so they come out in
// presentation order, and -1 (the stream does not say) leaves the delay to libavcodec,
// which starts at none and grows it when it sees pictures out of order. Returns 0, or -1
// with the reason in err.
static int vigil_av_configure(vigil_av *st, int reorder, char *err, size_t errlen) {
	avcodec_free_context(&st->ctx);
	av_frame_unref(st->frame[0]);
	av_frame_unref(st->frame[1]);
	st->ctx = avcodec_alloc_context3(st->codec);
	if (st->ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	AVCodecContext *c = st->ctx;
	c->opaque = st;
	c->thread_count = st->threads;
	c->thread_type = FF_THREAD_SLICE;
	if (reorder == 0) {
		c->flags |= AV_CODEC_FLAG_LOW_DELAY;
	} else if (reorder > 0) {
		c->has_b_frames = reorder;
	}
	c->flags &= ~AV_CODEC_FLAG_OUTPUT_CORRUPT;
	c->flags2 &= ~AV_CODEC_FLAG2_SHOW_ALL;
	c->max_pixels = (int64_t)st->max_side * st->max_side;
	int rc = avcodec_open2(c, st->codec, NULL);
	if (rc < 0) {
		char buf[AV_ERROR_MAX_STRING_SIZE];
		av_strerror(rc, buf, sizeof buf);
		snprintf(err, errlen, "opening the %s decoder: %s", st->codec->name, buf);
		avcodec_free_context(&st->ctx);
		return -1;
	}
	return 0;
}

// vigil_av_open makes a decoder for codec_id, opened for a stream without reordering until
// vigil_av_configure says otherwise, or returns NULL with the reason in err.
static vigil_av *vigil_av_open(int codec_id, int threads, int max_side, char *err, size_t errlen) {
	const AVCodec *codec = avcodec_find_decoder(codec_id);
	if (codec == NULL) {
		snprintf(err, errlen, "this libavcodec has no %s decoder", avcodec_get_name(codec_id));
		return NULL;
	}
	vigil_av *st = calloc(1, sizeof *st);
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->magic = VIGIL_MAGIC;
	st->codec = codec;
	st->threads = threads;
	st->max_side = max_side;
	st->pkt = av_packet_alloc();
	st->frame[0] = av_frame_alloc();
	st->frame[1] = av_frame_alloc();
	if (st->pkt == NULL || st->frame[0] == NULL || st->frame[1] == NULL) {
		vigil_av_close(st);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (vigil_av_configure(st, 0, err, errlen) != 0) {
		vigil_av_close(st);
		return NULL;
	}
	return st;
}

// Results of vigil_av_decode besides 0 (no picture) and 1 (a picture).
#define VIGIL_CORRUPT (-1000)

// vigil_av_drain receives every picture ready, keeping the newest in frame[cur].
static int vigil_av_drain(vigil_av *st, int *got) {
	for (;;) {
		int next = st->cur ^ 1;
		av_frame_unref(st->frame[next]);
		int r = avcodec_receive_frame(st->ctx, st->frame[next]);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) {
			return 0;
		}
		if (r < 0) {
			return r;
		}
		st->cur = next;
		*got = 1;
	}
}

// vigil_av_decode feeds one access unit and keeps the newest picture it yields. It returns
// 1 with st->width/height/format set when there is a new picture, 0 when there is none yet,
// VIGIL_CORRUPT when libavcodec concealed or logged errors, or a negative AVERROR.
// data is only read during the call (libavcodec copies an unreferenced packet). pts goes
// with the packet through libavcodec's reordering and comes back in st->pts with the
// picture decoded from it.
static int vigil_av_decode(vigil_av *st, const uint8_t *data, int size, int64_t pts, int behind) {
	int got = 0, rc;
	st->msg[0] = 0;
	if (st->ctx == NULL) {
		return AVERROR(EINVAL); // a failed vigil_av_configure; the Go side stops before this
	}
	st->ctx->skip_frame = behind ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
	st->pkt->data = (uint8_t *)data;
	st->pkt->size = size;
	st->pkt->pts = pts;
	st->pkt->dts = AV_NOPTS_VALUE;
	// No data ends the stream: every picture held back for reordering comes out.
	AVPacket *in = data != NULL ? st->pkt : NULL;
	rc = avcodec_send_packet(st->ctx, in);
	if (rc == AVERROR(EAGAIN)) {
		// Output was pending (not expected: every call drains); drain, then feed again.
		rc = vigil_av_drain(st, &got);
		if (rc == 0) {
			rc = avcodec_send_packet(st->ctx, in);
		}
	}
	st->pkt->data = NULL;
	st->pkt->size = 0;
	if (rc < 0) {
		return rc;
	}
	rc = vigil_av_drain(st, &got);
	if (rc < 0) {
		return rc;
	}
	if (!got) {
		return 0;
	}
	AVFrame *f = st->frame[st->cur];
	// The H.264 decoder flags pictures it concealed. The HEVC one conceals and flags nothing
	// but logs what it detects. (H.264 also logs stream quirks that some cameras send on
	// every GOP and that decode fine, "mmco: unref short failure"; taking its log as damage
	// would freeze such a camera for good.)
	if ((f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags ||
			(st->msg[0] != 0 && st->ctx->codec_id == AV_CODEC_ID_HEVC)) {
		return VIGIL_CORRUPT;
	}
	st->width = f->width;
	st->height = f->height;
	st->format = f->format;
	st->pts = f->pts == AV_NOPTS_VALUE ? -1 : f->pts;
	return 1;
}

static void vigil_av_flush(vigil_av *st) {
	if (st->ctx != NULL) {
		avcodec_flush_buffers(st->ctx);
	}
	av_frame_unref(st->frame[0]);
	av_frame_unref(st->frame[1]);
}

// vigil_unjpeg maps the deprecated full-range yuvj formats to their plain twins (swscale
// warns about the former); the range is passed separately.
static enum AVPixelFormat vigil_unjpeg(enum AVPixelFormat f, int *full) {
	switch (f) {
	case AV_PIX_FMT_YUVJ420P: *full = 1; return AV_PIX_FMT_YUV420P;
	case AV_PIX_FMT_YUVJ422P: *full = 1; return AV_PIX_FMT_YUV422P;
	case AV_PIX_FMT_YUVJ444P: *full = 1; return AV_PIX_FMT_YUV444P;
	case AV_PIX_FMT_YUVJ440P: *full = 1; return AV_PIX_FMT_YUV440P;
	case AV_PIX_FMT_YUVJ411P: *full = 1; return AV_PIX_FMT_YUV411P;
	default: return f;
	}
}

// vigil_sws_colorspace maps a frame's matrix to swscale's; unspecified is BT.601, as ffmpeg
// itself assumes.
static int vigil_sws_colorspace(enum AVColorSpace cs) {
	switch (cs) {
	case AVCOL_SPC_BT709: return SWS_CS_ITU709;
	case AVCOL_SPC_FCC: return SWS_CS_FCC;
	case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
	case AVCOL_SPC_BT2020_NCL:
	case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
	default: return SWS_CS_ITU601;
	}
}

// vigil_av_scale converts the newest picture to dw×dh RGBA at dst (stride bytes a row),
// rebuilding the cached scaler only when something it depends on changed. Returns 0, or -1
// with st->msg set.
static int vigil_av_scale(vigil_av *st, uint8_t *dst, int stride, int dw, int dh, int flags) {
	AVFrame *f = st->frame[st->cur];
	int full = f->color_range == AVCOL_RANGE_JPEG;
	enum AVPixelFormat fmt = vigil_unjpeg(f->format, &full);
	int cs = vigil_sws_colorspace(f->colorspace);
	if (st->sws == NULL || st->sw != f->width || st->sh != f->height || st->sfmt != fmt ||
			st->scs != cs || st->srange != full || st->dw != dw || st->dh != dh || st->sflags != flags) {
		sws_freeContext(st->sws);
		st->sws = sws_getContext(f->width, f->height, fmt, dw, dh, AV_PIX_FMT_RGBA, flags, NULL, NULL, NULL);
		if (st->sws == NULL) {
			const char *name = av_get_pix_fmt_name(fmt);
			snprintf(st->msg, sizeof st->msg, "libswscale cannot convert %s %dx%d to RGBA %dx%d",
				name ? name : "an unknown pixel format", f->width, f->height, dw, dh);
			return -1;
		}
		int *inv, *tbl, srcRange, dstRange, bri, con, sat;
		sws_getColorspaceDetails(st->sws, &inv, &srcRange, &tbl, &dstRange, &bri, &con, &sat);
		sws_setColorspaceDetails(st->sws, sws_getCoefficients(cs), full, tbl, dstRange, bri, con, sat);
		st->sw = f->width;
		st->sh = f->height;
		st->sfmt = fmt;
		st->scs = cs;
		st->srange = full;
		st->dw = dw;
		st->dh = dh;
		st->sflags = flags;
	}
	uint8_t *planes[4] = {dst, NULL, NULL, NULL};
	int strides[4] = {stride, 0, 0, 0};
	int rows = sws_scale(st->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, planes, strides);
	if (rows != dh) {
		snprintf(st->msg, sizeof st->msg, "libswscale wrote %d of %d rows", rows, dh);
		return -1;
	}
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
)

// scaleFlags is the libswscale filter used (see the package doc for the measurement).
const scaleFlags = C.SWS_AREA

var installLog sync.Once

// Decoder decodes one stream's H.264 or H.265 access units. It implements
// capture.FrameDecoder, capture.LagSkipper, capture.PictureSource and capture.Drainer. Use it from one
// goroutine at a time.
type Decoder struct {
	codec   capture.Codec
	st      *C.vigil_av
	synced  bool // a key unit was fed since the start or the last error
	behind  bool
	maxTid  int   // highest H.265 temporal layer seen
	scale   C.int // libswscale flags; scaleFlags except in benchmarks
	srcW    int   // size of the last decoded picture
	srcH    int
	skipped atomic.Uint64

	// reorder is what the codec context is opened for (see Reorder); broken holds why
	// reopening it failed, for good.
	reorder int
	broken  error

	// Every packet fed gets the next seq; its times wait in sent until its picture comes
	// out (picSeq), however late reordering makes that.
	seq    int64
	picSeq int64
	sent   [sentRing]capture.Packet

	deepBuf []byte // a unit whose SPS capReorder rewrote
}

// sentRing bounds how many packets back a picture may be matched to its packet: more than
// any decoded picture buffer (16 frames) plus the packets that give no picture.
const sentRing = 64

var (
	_ capture.FrameDecoder  = (*Decoder)(nil)
	_ capture.LagSkipper    = (*Decoder)(nil)
	_ capture.PictureSource = (*Decoder)(nil)
	_ capture.Drainer       = (*Decoder)(nil)
)

// New makes a Decoder for capture.CodecH264 or capture.CodecH265 with the default Options.
func New(codec capture.Codec) (*Decoder, error) { return NewWithOptions(codec, Options{}) }

// NewWithOptions makes a Decoder for capture.CodecH264 or capture.CodecH265. Any other codec
// is refused with an error wrapping capture.ErrNotVideo.
func NewWithOptions(codec capture.Codec, o Options) (*Decoder, error) {
	var id C.int
	switch codec {
	case capture.CodecH264:
		id = C.AV_CODEC_ID_H264
	case capture.CodecH265:
		id = C.AV_CODEC_ID_HEVC
	default:
		return nil, fmt.Errorf("avdec: unsupported codec %q (H.264 and H.265 only): %w", codec, capture.ErrNotVideo)
	}
	threads := min(max(o.Threads, 1), MaxThreads)
	installLog.Do(func() { C.vigil_av_install_log() })
	var msg [256]C.char
	st := C.vigil_av_open(id, C.int(threads), MaxSide, &msg[0], C.size_t(len(msg)))
	if st == nil {
		return nil, fmt.Errorf("avdec: %s (is libavcodec built with it?)", C.GoString(&msg[0]))
	}
	return &Decoder{codec: codec, st: st, scale: scaleFlags}, nil
}

// Close frees the decoder's C memory. It is safe to call more than once.
func (d *Decoder) Close() error {
	if d.st != nil {
		C.vigil_av_close(d.st)
		d.st = nil
	}
	return nil
}

// SourceSize is the encoded size of the last picture decoded (0×0 before the first). H.264
// and H.265 Packets often carry no size; a caller can fill Frame.SrcWidth/SrcHeight from it.
func (d *Decoder) SourceSize() (w, h int) { return d.srcW, d.srcH }

// SetBehind tells the decoder whether packets are waiting behind the current one: while
// behind, pictures nothing refers to are skipped and counted in Skipped.
func (d *Decoder) SetBehind(behind bool) { d.behind = behind }

// Skipped counts the pictures skipped while behind.
func (d *Decoder) Skipped() uint64 { return d.skipped.Load() }

// Reorder is the decoder delay in use, in pictures, chosen from what the stream's last
// sequence parameter set declares: 0 (libavcodec's low-delay mode) for a stream that never
// reorders, the declared depth (at most maxReorder, 4) for one with B-frames, and -1 when the stream does not say
// (libavcodec then grows the delay when it meets reordering). See the package doc.
func (d *Decoder) Reorder() int { return d.reorder }

// PictureOf returns the packet (without its Data) whose picture the last Decode returned:
// with B-frames that is an earlier packet than the one just fed. ok is false before any
// picture, or when the packet is out of the decoder's memory.
func (d *Decoder) PictureOf() (p capture.Packet, ok bool) {
	if d.picSeq <= 0 || d.seq-d.picSeq >= sentRing {
		return capture.Packet{}, false
	}
	return d.sent[d.picSeq%sentRing], true
}

var errClosed = errors.New("avdec: decoder used after Close")

// Decode feeds one access unit and returns the newest picture it yields, scaled to
// capture.FitSize of the picture into the w×h box, in dst when dst has exactly that size.
// It returns (nil, nil) when the unit gives no picture: before the first key unit (or the
// first after an error), a skipped unit, or decoder delay. Errors wrap capture.ErrMalformed
// (the decoder then waits for the next key unit) or capture.ErrTooLarge.
func (d *Decoder) Decode(p capture.Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	if d.st == nil {
		return nil, errClosed
	}
	if len(p.Data) > MaxPacket {
		return nil, fmt.Errorf("%s access unit of %d bytes is over the %d MiB limit: %w",
			d.codec, len(p.Data), MaxPacket>>20, capture.ErrTooLarge)
	}
	in := scanAU(d.codec, p.Data, &d.maxTid)
	if in.codedW > MaxSide+16 || in.codedH > MaxSide+16 {
		d.resync()
		return nil, fmt.Errorf("%s stream declares a %d×%d picture, over the %d-pixel limit: %w",
			d.codec, in.codedW, in.codedH, MaxSide, capture.ErrTooLarge)
	}
	if d.broken != nil {
		return nil, d.broken
	}
	if !d.synced {
		if !in.key && !p.Key {
			return nil, nil // nothing decodes before a key unit; libavcodec would draw grey
		}
		d.synced = true
	}
	if in.key && in.sps && in.reorder != d.reorder {
		if err := d.configure(in.reorder); err != nil {
			return nil, err
		}
	}
	if d.behind && in.vcl && !in.ref && !in.key {
		d.skipped.Add(1)
		return nil, nil
	}
	if len(p.Data) == 0 {
		return nil, nil // an empty packet would flush the decoder (end of stream)
	}
	d.seq++
	meta := p
	meta.Data = nil // the ring keeps times and sizes, not the bytes
	d.sent[d.seq%sentRing] = meta
	data := p.Data
	if in.deep {
		data = d.capReorder(data)
	}
	rc := C.vigil_av_decode(d.st, (*C.uint8_t)(unsafe.Pointer(&data[0])), C.int(len(data)), C.int64_t(d.seq), cbool(d.behind))
	return d.picture(rc, len(p.Data), w, h, dst)
}

// capReorder returns the Annex-B unit data with every SPS declaring more than maxReorder
// pictures of reordering rewritten to declare maxReorder (spscap.go), in d.deepBuf. An
// SPS that cannot be rewritten goes through as it is.
func (d *Decoder) capReorder(data []byte) []byte {
	out := d.deepBuf[:0]
	nalUnits(data, func(nal []byte) {
		var fixed []byte
		switch {
		case d.codec == capture.CodecH264 && h264.NALUType(nal[0]&0x1f) == h264.NALUTypeSPS:
			fixed = cappedH264SPS(nal, maxReorder)
		case d.codec == capture.CodecH265 && len(nal) > 1 && h265.NALUType(nal[0]>>1&0x3f) == h265.NALUType_SPS_NUT:
			fixed = cappedH265SPS(nal, maxReorder)
		}
		if fixed != nil {
			nal = fixed
		}
		out = append(append(out, 0, 0, 0, 1), nal...)
	})
	if len(out) == 0 {
		return data
	}
	d.deepBuf = out
	return out
}

// Drain ends the stream fed so far and returns the newest of the pictures libavcodec held
// back for reordering (nil when there are none), like Decode's result; the decoder then
// waits for a key unit again. A single key unit of a stream with B-frames gives no picture
// from Decode (it waits for the pictures shown before it): `vigil probe` drains to get it.
func (d *Decoder) Drain(w, h int, dst *image.RGBA) (*image.RGBA, error) {
	if d.st == nil {
		return nil, errClosed
	}
	if d.broken != nil || !d.synced {
		return nil, d.broken
	}
	rc := C.vigil_av_decode(d.st, nil, 0, 0, 0)
	img, err := d.picture(rc, 0, w, h, dst)
	d.resync() // libavcodec takes no more packets after the end of a stream until flushed
	return img, err
}

// picture turns the result of vigil_av_decode on size bytes into Decode's result.
func (d *Decoder) picture(rc C.int, size, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	switch {
	case rc == 0:
		return nil, nil
	case rc == C.VIGIL_CORRUPT:
		d.resync()
		return nil, fmt.Errorf("%s picture damaged (%s); waiting for the next key frame: %w",
			d.codec, d.message("errors concealed"), capture.ErrMalformed)
	case rc < 0:
		d.resync()
		return nil, fmt.Errorf("%s access unit of %d bytes does not decode (%s); waiting for the next key frame: %w",
			d.codec, size, d.message(averror(rc)), capture.ErrMalformed)
	}
	sw, sh := int(d.st.width), int(d.st.height)
	if sw <= 0 || sh <= 0 || sw > MaxSide || sh > MaxSide {
		d.resync()
		return nil, fmt.Errorf("%s picture is %d×%d, outside 1…%d pixels a side: %w",
			d.codec, sw, sh, MaxSide, capture.ErrTooLarge)
	}
	d.srcW, d.srcH = sw, sh
	d.picSeq = int64(d.st.pts) // -1 (no pts) makes PictureOf report nothing
	ow, oh := capture.FitSize(sw, sh, w, h)
	out := dst
	if !fits(out, ow, oh) {
		out = image.NewRGBA(image.Rect(0, 0, ow, oh))
	}
	pix := unsafe.Pointer(&out.Pix[out.PixOffset(out.Rect.Min.X, out.Rect.Min.Y)])
	if C.vigil_av_scale(d.st, (*C.uint8_t)(pix), C.int(out.Stride), C.int(ow), C.int(oh), d.scale) != 0 {
		return nil, fmt.Errorf("%s: %s", d.codec, d.message("scaling failed"))
	}
	return out, nil
}

// fits reports whether img is exactly w×h with room for every row.
func fits(img *image.RGBA, w, h int) bool {
	return img != nil && img.Rect.Dx() == w && img.Rect.Dy() == h && img.Stride >= 4*w &&
		len(img.Pix) >= img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y)+(h-1)*img.Stride+4*w
}

// configure reopens the codec context for a stream that reorders by up to reorder
// pictures. It happens at a key unit, where nothing held by the old context is needed.
func (d *Decoder) configure(reorder int) error {
	var msg [256]C.char
	if C.vigil_av_configure(d.st, C.int(reorder), &msg[0], C.size_t(len(msg))) != 0 {
		d.broken = fmt.Errorf("avdec: %s decoder for a stream reordering %d pictures: %s", d.codec, reorder, C.GoString(&msg[0]))
		return d.broken
	}
	d.reorder = reorder
	d.picSeq = 0
	return nil
}

// resync drops the decoder's pictures and waits for the next key unit.
func (d *Decoder) resync() {
	d.synced = false
	C.vigil_av_flush(d.st)
}

// message is libavcodec's first error of the last call, or fallback.
func (d *Decoder) message(fallback string) string {
	if m := C.GoString(&d.st.msg[0]); m != "" {
		return m
	}
	return fallback
}

func averror(rc C.int) string {
	var buf [C.AV_ERROR_MAX_STRING_SIZE]C.char
	C.av_strerror(rc, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Scaler names for setScaler (benchmarks compare them).
const (
	scaleArea         = C.SWS_AREA
	scaleBilinear     = C.SWS_BILINEAR
	scaleFastBilinear = C.SWS_FAST_BILINEAR
)

func (d *Decoder) setScaler(flags C.int) { d.scale = flags }

// rescale converts the last picture again into dst (benchmarks).
func (d *Decoder) rescale(dst *image.RGBA) error {
	pix := unsafe.Pointer(&dst.Pix[0])
	if C.vigil_av_scale(d.st, (*C.uint8_t)(pix), C.int(dst.Stride), C.int(dst.Rect.Dx()), C.int(dst.Rect.Dy()), d.scale) != 0 {
		return errors.New(d.message("scaling failed"))
	}
	return nil
}
