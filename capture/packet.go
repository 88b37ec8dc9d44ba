// Package capture owns the life of a camera stream between the wire and the screen: the
// Packet a protocol emits, the Supervisor that keeps a Source connected, the Hub that fans
// packets out, the Decoder that turns them into Frames at the size consumers need, and the
// health statistics shown on a tile. It knows lifecycles, not wire formats, and links no cgo.
package capture

import (
	"context"
	"image"
	"time"
)

// Codec names the encoding of a Packet.
type Codec string

// Codecs a Source may emit.
const (
	CodecJPEG Codec = "jpeg"
	CodecH264 Codec = "h264"
	CodecH265 Codec = "h265"
)

// Packet is one encoded unit as it came off the wire: one JPEG, or one H.264/H.265 access
// unit. Data is shared between every consumer of the Hub and must never be modified.
//
// H.264 and H.265 access units are in Annex-B form (each NAL unit behind a 00 00 00 01 start
// code), and every key access unit carries the parameter sets it needs (SPS and PPS, plus
// VPS for H.265) in front of its IDR slices — the Source inserts them when the camera sent
// them out of band (in the SDP). So a decoder or recorder can start at any key Packet with
// nothing else.
type Packet struct {
	Codec Codec
	Data  []byte
	// Key is true for a unit that decodes on its own (every JPEG; IDR access units).
	Key bool
	// Width and Height are the encoded picture size when the source knows it, else 0.
	Width, Height int
	// SourceTime is when the source says the picture was taken or sent (an X-Timestamp
	// header, an RTCP sender report), zero when it gives none. It is not trusted blindly:
	// see Stats. A review source sends units without it that are to be decoded, not
	// shown (see FrameSub).
	SourceTime time.Time
	// ReceiveTime is when the last byte of the unit was read, on this machine's clock.
	ReceiveTime time.Time
	// PTS and DTS are the unit's presentation and decode times on the source's own media
	// clock (RTP timestamps for RTSP, the recorded time for a VMS), as durations from an
	// origin that holds for one connection (until the Supervisor's next Discontinuity).
	// DTS never decreases and DTS ≤ PTS; the two differ only in streams that reorder
	// pictures (H.264/H.265 B-frames), where units arrive in decode order. HasPTS is false
	// when the source has no media clock of its own (MJPEG over HTTP): consumers then use
	// SourceTime when set, else ReceiveTime.
	PTS, DTS time.Duration
	HasPTS   bool
	// Discontinuity marks the first Packet after a break in the sequence this consumer
	// sees: the first of a new connection (set by the Supervisor) or the first after the
	// Hub dropped packets from this consumer's queue (set per consumer). A recorder starts
	// a new fragment or segment there instead of bridging the gap.
	Discontinuity bool
	// Seeking marks a unit a review source feeds to reach a sought picture, the sought
	// one, and those after it that let it out of a reordering decoder: a decoder behind
	// must decode it, not skip it as a non-reference frame (see LagSkipper).
	Seeking bool
}

// Frame is a decoded picture at the size its consumer asked for, carrying the timestamps
// of the Packet it came from. Frames are reference counted and their pixels recycled:
// call Release once the pixels have been copied or are no longer needed.
type Frame struct {
	Image *image.RGBA
	// SrcWidth and SrcHeight are the size of the encoded picture.
	SrcWidth, SrcHeight int
	Codec               Codec
	SourceTime          time.Time
	ReceiveTime         time.Time
	// PTS is the Packet's presentation time on the source's media clock, valid when
	// HasPTS (see Packet). Frames of one connection leave the Decoder in increasing PTS
	// even when the stream reorders pictures: with B-frames a Frame carries the times of
	// the earlier Packet whose picture it is (PictureSource), not of the one that was fed
	// last.
	PTS    time.Duration
	HasPTS bool
	// Decoded is when decoding finished.
	Decoded time.Time

	refs    int32
	release func(*Frame)
}

// StreamInfo is what a Source learned while connecting: the facts a field engineer
// wants from `vigil probe` and a technician from the health overlay.
type StreamInfo struct {
	// Protocol is "mjpeg" (multipart stream), "jpeg" (snapshot polling), "rtsp", ….
	Protocol string
	// Transport is "http", "https", "tcp", "udp", ….
	Transport string
	// AuthOffered lists the schemes the server asked for ("basic", "digest"), empty when
	// it asked for none. Auth is the one used, "none" when no credentials were needed.
	AuthOffered []string
	Auth        string
	// ContentType is what the server declared, for HTTP sources.
	ContentType string
	Codec       Codec
}

// Sink receives what a Source reports while it runs. A Source calls it from one goroutine
// at a time. Packet must not block for long: the Supervisor's implementation never does.
type Sink interface {
	// Connected is called once per Run, when the stream is established and before the
	// first Packet.
	Connected(StreamInfo)
	// Packet delivers one encoded unit. The Sink takes ownership of p.Data.
	Packet(Packet)
}

// KeepAlive is implemented by the Supervisor's Sink: a Source that is well but has
// nothing to send for a while (a paused playback, the end of the recordings reached)
// calls Alive about once a second, so the watchdog does not judge it stalled.
type KeepAlive interface {
	Alive()
}

// Source is one way of reaching one camera stream. Run connects, delivers packets to sink
// until ctx is cancelled or the stream fails, and returns only after every goroutine it
// started has exited. It returns nil when ctx was cancelled and an error saying what went
// wrong otherwise (see the Err* kinds). The Supervisor calls Run again to reconnect, so a
// Source keeps no state between runs beyond what it learned (the transport that worked).
type Source interface {
	Run(ctx context.Context, sink Sink) error
}

// SizeHinter is implemented by a Source that can ask its server for pictures of a given
// size (a VMS that transcodes, such as Milestone's Image Server). A Stream tells it the
// largest box its viewers want; the Source uses the latest hint from its next connection
// on, so a resize never forces a reconnect (the decoder scales in between).
type SizeHinter interface {
	HintSize(w, h int)
}
