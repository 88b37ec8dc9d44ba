// Package avdec decodes H.264 and H.265 access units to RGBA at the size a tile needs, with
// libavcodec and libswscale (issue 5). It is one of the two cgo corners of the program (with
// capture/jpegdec); without cgo, New returns an error and nothing else links.
//
// A Decoder is tuned for latency, like `ffmpeg -threads 1` on a live stream: one decoding
// thread unless Options.Threads asks for more (then slice threads only, never frame threads,
// which would add a frame of delay per thread), and every picture handed out as soon as
// libavcodec has it. Each Packet is one Annex-B access unit (capture.Packet); key units
// carry their parameter sets.
//
// Reordering (issue 10). A stream with B-frames sends pictures in decode order; to show
// them in presentation order a decoder must hold some back. How many is chosen per stream
// from what its sequence parameter set declares, at every key unit that carries one
// (Reorder reports it): H.264 Baseline and Constrained Baseline (no B slices) and the
// intra profiles hold none; otherwise the VUI's max_num_reorder_frames (bounded by
// max_dec_frame_buffering); H.265 its sps_max_num_reorder_pics. None is
// AV_CODEC_FLAG_LOW_DELAY, as before; a depth above zero opens libavcodec without it and
// with has_b_frames at that depth, so pictures come out in order with no more delay than
// the stream needs. An H.264 SPS without bitstream_restriction leaves the delay to
// libavcodec, which starts at none and grows it on the first picture out of order.
// Measured: once an SPS declares a depth, libavcodec holds that many pictures whatever the
// context is opened with (LOW_DELAY and a smaller has_b_frames change nothing), so the
// depth is bounded at maxReorder (4) by rewriting a deeper declaration in the SPS before
// libavcodec reads it (spscap.go): a camera declaring 16 at 1 fps would otherwise keep its
// tile 16 s behind. Real encoders declare 1 or 2. Each
// packet's times travel through libavcodec with it (AVPacket.pts set to a sequence number,
// read back from the AVFrame), so PictureOf names the packet a picture was decoded from and
// capture's Decoder stamps the Frame with that packet's PTS, SourceTime and ReceiveTime.
// Drain hands out what is still held back (a probe's lone key unit).
//
// What reordering costs, measured by BenchmarkReorderLatency (1280×720 25 fps H.264 from
// rtsptest through capture.Stream, time from a packet's arrival to its picture leaving the
// decoder, 275 frames, loaded 2-core machine): without B-frames p50 1.9 ms, p99 4.8 ms (the
// decode); x264 High with two B-frames p50 81.5 ms, p99 167 ms. That is the stream's own
// need: with b-pyramid, decode order I0 P3 B2 b1 is shown 0 1 2 3, so every picture is shown
// two frame intervals after its turn (80 ms at 25 fps) and a P-frame, sent two intervals
// early, waits four.
//
// What it guarantees a viewer:
//
//   - No grey garbage. Nothing is fed to libavcodec before the first key unit (an IDR, or an
//     IRAP for H.265, or a Packet the source flagged Key); libavcodec's
//     AV_CODEC_FLAG_OUTPUT_CORRUPT is off. After a decode error, or a picture libavcodec
//     flags as concealed, Decode returns an error wrapping capture.ErrMalformed, flushes, and
//     waits for the next key unit again: the tile keeps its last good picture rather than
//     smeared ones. A camera with very long GOPs freezes for up to one GOP after a loss; that
//     is the price of never drawing damage.
//   - Catching up. While capture.Decoder says it is behind (LagSkipper.SetBehind), access
//     units that no later picture refers to are not decoded at all (H.264 nal_ref_idc 0;
//     H.265 sub-layer non-reference pictures of the highest temporal layer), and libavcodec's
//     skip_frame is AVDISCARD_NONREF for the rest. Skipped counts them. The picture stays
//     correct; it only loses smoothness.
//   - Bounded memory. A packet over MaxPacket bytes, or a sequence parameter set declaring a
//     picture over MaxSide on a side, is refused with capture.ErrTooLarge before libavcodec
//     sees it; libavcodec's own max_pixels is set to the same bound for anything the Go-side
//     parse misses. AVPacket, AVFrame and the scaler are allocated once per Decoder.
//
// Scaling: the frame's YUV planes go through libswscale straight into the destination RGBA
// pixels (alpha 0xff), at capture.FitSize of the picture into the asked box. The scaler is
// cached and rebuilt only when the source size, pixel format, colour space or range, or the
// output size changes. Full-range (yuvj*) and limited-range pictures and BT.601/709/2020
// matrices are honoured from the frame. Downscaling uses SWS_AREA, measured on 1080p →
// 480×270 (BenchmarkScale1080pTo480x270, TestScalerQuality; the conversion alone, same
// decoded frame, loaded 2-core machine, best of 8):
//
//	                   ms per tile   mean error vs a 4×4 box average (levels)
//	SWS_AREA              0.53         1.13
//	SWS_BILINEAR          0.77         2.14
//	SWS_FAST_BILINEAR     0.46         5.18
//
// Area is cheaper than bilinear and closer to the true average; fast-bilinear saves 0.07 ms
// and aliases visibly on text and edges. The conversion is a tenth of the whole Decode:
// BenchmarkDecode1080pTo480x270 measured 5.1–5.3 ms CPU per H.264 frame and 10.7–12.0 ms per
// H.265 frame, where `ffmpeg -threads 1 -i f -vf scale=480:270:flags=area -pix_fmt rgba -f
// null -` on the same kind of stream (testsrc2, x264/x265 veryfast, no B-frames) took
// 5.4–6.0 ms and 12.0–12.5 ms of user time per frame.
//
// libavcodec's log lines about a Decoder's own stream (concealment, missing references) are
// not printed: the first error of each Decode call becomes that call's error text instead.
// Log lines from other users of the libraries go to libavutil's default logger. The log
// callback is process-wide; avdec installs it on the first New.
package avdec

import "github.com/vigil-cctv/vigil/capture"

// Limits on what a Decoder accepts (issue 5).
const (
	// MaxSide is the largest picture width or height decoded. 8K cameras send 7680×4320.
	MaxSide = 8192
	// MaxPacket is the largest access unit accepted, in bytes. An 8K intra frame at a high
	// bitrate is a few MiB.
	MaxPacket = 16 << 20
	// MaxThreads caps Options.Threads.
	MaxThreads = 16
)

// Options tune a Decoder. The zero value is the low-latency default.
type Options struct {
	// Threads is the number of slice-decoding threads. It defaults to 1, the cheapest per
	// frame and the lowest latency; more helps only a stream with several slices per
	// picture on an otherwise idle machine. Frame threading is never used: it adds a frame
	// of delay per thread.
	Threads int
}

// NewFrameDecoder is New as a capture.NewFrameDecoder, for wiring: on error it returns a nil
// interface, not a typed nil.
func NewFrameDecoder(codec capture.Codec) (capture.FrameDecoder, error) {
	d, err := New(codec)
	if err != nil {
		return nil, err
	}
	return d, nil
}
