package imageserver

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// GenericByteData data types (offset 0 of a packet) [C offset; S values, milestone.md §2.4].
const (
	GBDVideo    uint16 = 0x0010
	GBDAudio    uint16 = 0x0020
	GBDMetadata uint16 = 0x0030
	// GBDMulti wraps several packets behind a 16-byte header [S, GO-UNID].
	GBDMulti uint16 = 0xFEF0
)

const (
	gbdHeaderLen      = 32
	gbdMultiHeaderLen = 16
	maxGBDPackets     = 4096
)

// GBDCodecs maps GenericByteData codec numbers (offset 6) to capture codecs. The values
// are [S] facts (vgrid, GO-UNID, PYMS agree): check them against a real recorder and
// change them here.
var GBDCodecs = map[uint16]capture.Codec{
	0x0001: capture.CodecJPEG,
	0x000A: capture.CodecH264,
	0x000E: capture.CodecH265,
}

// GBDPacket is one GenericByteData "video stream packet" (or audio/metadata packet):
// Milestone's 32-byte big-endian header and the coded data after it. Data aliases the
// parsed buffer.
type GBDPacket struct {
	DataType uint16
	Codec    uint16
	Seq      uint16
	Flags    uint16
	// SyncTime is the time of the latest SYNC picture, PictureTime this picture's (ms
	// since the epoch [S unit]); zero when 0.
	SyncTime, PictureTime time.Time
	Data                  []byte
}

// Key reports a SYNC picture (flags bit 0) [C, MS-TVV isKeyFrame].
func (p GBDPacket) Key() bool { return p.Flags&1 != 0 }

// ParseGenericByteData splits a GenericByteData payload into its packets, unwrapping
// multi-packet containers. A legacy "video block" (first uint16 a small codec value)
// is refused with an error wrapping capture.ErrNotVideo; anything inconsistent (a length
// past the end, under the header size) wraps capture.ErrMalformed. It allocates only
// the returned slice.
func ParseGenericByteData(b []byte) ([]GBDPacket, error) {
	var out []GBDPacket
	off := 0
	for off < len(b) {
		if len(out) >= maxGBDPackets {
			return nil, fmt.Errorf("GenericByteData holds over %d packets: %w", maxGBDPackets, capture.ErrMalformed)
		}
		if off+2 > len(b) {
			return nil, fmt.Errorf("GenericByteData: %d stray bytes at offset %d: %w", len(b)-off, off, capture.ErrMalformed)
		}
		dt := binary.BigEndian.Uint16(b[off:])
		switch {
		case dt == GBDMulti:
			if off+gbdMultiHeaderLen > len(b) {
				return nil, fmt.Errorf("GenericByteData multi-packet header cut short at offset %d: %w", off, capture.ErrMalformed)
			}
			off += gbdMultiHeaderLen
			continue
		case dt == GBDVideo || dt == GBDAudio || dt == GBDMetadata:
		case dt > 0 && dt < 0x0100:
			return nil, fmt.Errorf("GenericByteData is a legacy video block (codec 0x%04x), which Vigil does not read; ask the recorder for JPEG: %w", dt, capture.ErrNotVideo)
		default:
			return nil, fmt.Errorf("GenericByteData data type 0x%04x at offset %d is unknown: %w", dt, off, capture.ErrMalformed)
		}
		if off+gbdHeaderLen > len(b) {
			return nil, fmt.Errorf("GenericByteData header cut short at offset %d: %w", off, capture.ErrMalformed)
		}
		h := b[off:]
		total := int64(binary.BigEndian.Uint32(h[2:]))
		if total < gbdHeaderLen || int64(off)+total > int64(len(b)) {
			return nil, fmt.Errorf("GenericByteData packet at offset %d claims %d bytes, %d left: %w", off, total, len(b)-off, capture.ErrMalformed)
		}
		out = append(out, GBDPacket{
			DataType:    dt,
			Codec:       binary.BigEndian.Uint16(h[6:]),
			Seq:         binary.BigEndian.Uint16(h[8:]),
			Flags:       binary.BigEndian.Uint16(h[10:]),
			SyncTime:    gbdTime(binary.BigEndian.Uint64(h[12:])),
			PictureTime: gbdTime(binary.BigEndian.Uint64(h[20:])),
			Data:        h[gbdHeaderLen:total:total],
		})
		off += int(total)
	}
	return out, nil
}

func gbdTime(ms uint64) time.Time {
	if ms == 0 || ms > 1<<62 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

// AppendGenericByteData appends one packet in GenericByteData form (the simulator and
// tests build payloads with it).
func AppendGenericByteData(dst []byte, p GBDPacket) []byte {
	var h [gbdHeaderLen]byte
	binary.BigEndian.PutUint16(h[0:], p.DataType)
	binary.BigEndian.PutUint32(h[2:], uint32(gbdHeaderLen+len(p.Data)))
	binary.BigEndian.PutUint16(h[6:], p.Codec)
	binary.BigEndian.PutUint16(h[8:], p.Seq)
	binary.BigEndian.PutUint16(h[10:], p.Flags)
	if !p.SyncTime.IsZero() {
		binary.BigEndian.PutUint64(h[12:], uint64(p.SyncTime.UnixMilli()))
	}
	if !p.PictureTime.IsZero() {
		binary.BigEndian.PutUint64(h[20:], uint64(p.PictureTime.UnixMilli()))
	}
	return append(append(dst, h[:]...), p.Data...)
}
