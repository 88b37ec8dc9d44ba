package imageserver

import (
	"fmt"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Packets turns an image block into capture Packets: one JPEG, or the video packets of a
// GenericByteData payload whose codec Vigil reads (audio and metadata are skipped). The
// payload is sniffed, not trusted to its Content-type: old servers send JPEG with
// GenericByteData headers [C, MS-TVV comment]. SourceTime is the header's Current, or
// the GenericByteData picture time. An empty payload ("no image", milestone.md §2.3)
// gives no packets. Packet Data aliases the payload.
func (im *Image) Packets(receive time.Time) ([]capture.Packet, error) {
	if len(im.Payload) == 0 {
		return nil, nil
	}
	if im.IsJPEG() {
		return []capture.Packet{jpegPacket(im.Payload, im.Current, receive)}, nil
	}
	gbd, err := ParseGenericByteData(im.Payload)
	if err != nil {
		return nil, err
	}
	var out []capture.Packet
	for _, g := range gbd {
		if g.DataType != GBDVideo || len(g.Data) == 0 {
			continue
		}
		codec, ok := GBDCodecs[g.Codec]
		if !ok {
			return nil, fmt.Errorf("the recorder sends codec 0x%04x, which Vigil does not decode; leave \"native\" off so the recorder sends JPEG: %w", g.Codec, capture.ErrNotVideo)
		}
		ts := g.PictureTime
		if ts.IsZero() {
			ts = im.Current
		}
		if codec == capture.CodecJPEG {
			out = append(out, jpegPacket(g.Data, ts, receive))
			continue
		}
		out = append(out, capture.Packet{Codec: codec, Data: g.Data, Key: g.Key(), SourceTime: ts, ReceiveTime: receive})
	}
	return out, nil
}

func jpegPacket(b []byte, ts, receive time.Time) capture.Packet {
	w, h, _ := JPEGSize(b)
	return capture.Packet{Codec: capture.CodecJPEG, Data: b, Key: true, Width: w, Height: h, SourceTime: ts, ReceiveTime: receive}
}

// maxSegments bounds how many marker segments JPEGSize walks.
const maxSegments = 1024

// JPEGSize reads the picture size from a JPEG's SOFn segment by walking marker segments
// from SOI (ITU T.81 §B.2) without decoding; ok is false when b is not a JPEG or has no
// SOF before SOS. (The same idea as protocols/mjpeg's, kept here so the packages stay
// independent.)
func JPEGSize(b []byte) (width, height int, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, 0, false
	}
	i := 2
	for range maxSegments {
		for i+1 < len(b) && b[i] == 0xFF && b[i+1] == 0xFF {
			i++ // fill bytes
		}
		if i+4 > len(b) || b[i] != 0xFF {
			return 0, 0, false
		}
		m := b[i+1]
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			i += 2
			continue
		case m == 0xD8 || m == 0xD9 || m == 0xDA:
			return 0, 0, false
		}
		l := int(b[i+2])<<8 | int(b[i+3])
		if l < 2 {
			return 0, 0, false
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if l < 7 || i+9 > len(b) {
				return 0, 0, false
			}
			h := int(b[i+5])<<8 | int(b[i+6])
			w := int(b[i+7])<<8 | int(b[i+8])
			return w, h, w > 0 && h > 0
		}
		i += 2 + l
	}
	return 0, 0, false
}
