package capture

import "image"

// FrameDecoder turns Packets of one codec into RGBA pictures. Implementations live in
// capture/jpegdec and capture/avdec, the only places cgo is allowed. A FrameDecoder is used
// by one goroutine at a time.
type FrameDecoder interface {
	// Decode decodes p to the largest size that keeps the picture's aspect ratio and fits
	// in a w×h box, never larger than the encoded picture (w or h of 0: full size). A
	// decoder may return a picture up to 10 % smaller when that spares it a resize (a
	// JPEG DCT scale landing just under the box); viewers scale the rest. It decodes into
	// dst when dst is non-nil and already has exactly the output size, and returns the
	// picture it wrote. Errors wrap ErrMalformed for bytes that do not decode.
	// A decoder of inter-frame codecs may return (nil, nil): the packet was consumed but
	// gives no picture yet (decoder delay, a skipped non-reference frame).
	Decode(p Packet, w, h int, dst *image.RGBA) (*image.RGBA, error)
	// Close frees what the decoder holds outside Go's heap.
	Close() error
}

// LagSkipper is implemented by a FrameDecoder of an inter-frame codec that can catch up
// when it falls behind. The Decoder calls SetBehind(true) while packets wait in its queue
// behind the one being decoded, and SetBehind(false) once it has caught up; while behind,
// the FrameDecoder skips frames no later picture refers to (non-reference frames) and
// counts them in Skipped, so the picture stays correct and only loses smoothness. A
// Packet marked Seeking is never skipped: it is there to reach a picture asked for.
type LagSkipper interface {
	SetBehind(behind bool)
	Skipped() uint64
}

// PictureSource is implemented by a FrameDecoder whose pictures may come out in another
// order than the packets went in (H.264/H.265 B-frames: decode order is not presentation
// order, and a picture leaves the decoder some packets after its own). After a Decode that
// returned a picture, PictureOf reports the Packet (times and size; Data nil) whose picture
// it is, so the Frame carries that packet's times; ok false means it is not known, and the
// Decoder then uses the packet just fed.
type PictureSource interface {
	PictureOf() (p Packet, ok bool)
}

// Drainer is implemented by a FrameDecoder that may hold pictures back for reordering.
// Drain ends the stream fed so far and returns the newest picture held back (nil when
// none), as Decode would; the decoder then waits for a key unit. A caller with a lone key
// unit (a probe's snapshot) drains when Decode gave no picture: in a stream with B-frames
// a key picture leaves the decoder only after the pictures shown before it arrived.
type Drainer interface {
	Drain(w, h int, dst *image.RGBA) (*image.RGBA, error)
}

// NewFrameDecoder makes a FrameDecoder for a codec; cmd wires the real ones in.
type NewFrameDecoder func(Codec) (FrameDecoder, error)

// FitSize returns the size Decode produces for a srcW×srcH picture asked into a w×h box:
// the largest size with the source's aspect ratio inside the box, never larger than the
// source, at least 1×1. A zero w or h means full size.
func FitSize(srcW, srcH, w, h int) (int, int) {
	if srcW <= 0 || srcH <= 0 {
		return 0, 0
	}
	if w <= 0 || h <= 0 || (w >= srcW && h >= srcH) {
		return srcW, srcH
	}
	// Scale by the tighter of the two ratios, in integers to stay exact.
	if w*srcH <= h*srcW { // width is the limit
		oh := (srcH*w + srcW/2) / srcW
		return max(w, 1), max(oh, 1)
	}
	ow := (srcW*h + srcH/2) / srcH
	return max(ow, 1), max(h, 1)
}
