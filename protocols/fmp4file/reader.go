package fmp4file

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"

	"github.com/vigil-cctv/vigil/capture"
)

// Size limits on what a file may declare: a box over its limit is an error, never an
// allocation. Our recorder writes an init of a few hundred bytes and fragments of at
// most 1 s; the limits leave room for 4K M-JPEG at 30 fps.
const (
	maxInit      = 1 << 20   // ftyp + moov
	maxMoof      = 4 << 20   // one moof
	maxMdat      = 192 << 20 // one mdat
	maxFragments = 1 << 20   // fragments indexed in one file
	maxSamples   = 1 << 16   // samples in one fragment
	maxReorder   = 4         // pictures a decoder holds back at most (capture/avdec's cap)
)

// errMalformed is wrapped by every error about a file's bytes.
var errMalformed = capture.ErrMalformed

// box is one top-level box: where it starts, its header length and total size.
type box struct {
	typ       string
	off, size int64
	hdr       int64
}

// readBox reads the header of the box at off. A box that claims to extend past the end
// of the file is reported with io.ErrUnexpectedEOF (a torn tail).
func readBox(r io.ReaderAt, off, fileSize int64) (box, error) {
	var h [16]byte
	if fileSize-off < 8 {
		return box{}, io.ErrUnexpectedEOF
	}
	if _, err := r.ReadAt(h[:8], off); err != nil {
		return box{}, err
	}
	b := box{typ: string(h[4:8]), off: off, size: int64(binary.BigEndian.Uint32(h[:4])), hdr: 8}
	switch b.size {
	case 0: // to the end of the file
		b.size = fileSize - off
	case 1: // 64-bit size
		if fileSize-off < 16 {
			return box{}, io.ErrUnexpectedEOF
		}
		if _, err := r.ReadAt(h[8:16], off+8); err != nil {
			return box{}, err
		}
		s := binary.BigEndian.Uint64(h[8:16])
		if s > 1<<62 {
			return box{}, fmt.Errorf("%w: box %q of %d bytes", errMalformed, printable(b.typ), s)
		}
		b.size, b.hdr = int64(s), 16
	}
	if b.size < b.hdr {
		return box{}, fmt.Errorf("%w: box %q shorter than its header", errMalformed, printable(b.typ))
	}
	if b.size > fileSize-off {
		return box{}, io.ErrUnexpectedEOF
	}
	return b, nil
}

// printable keeps a box type readable in an error (a corrupt file has any bytes there).
func printable(t string) string {
	return string(bytes.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, []byte(t)))
}

// fragRef is where one moof+mdat pair lies in a file.
type fragRef struct{ off, size int64 }

// track is what a file's init segment says of its video.
type track struct {
	id            int
	timeScale     uint32
	codec         capture.Codec
	width, height int
	// ps are the parameter sets a key sample needs in front (Annex-B NAL units):
	// VPS, SPS, PPS.
	ps [][]byte
	// reorder is the number of pictures the SPS says a decoder holds back (0 when it
	// does not say): the depth libavcodec is set to (capture/avdec), at most 4.
	reorder int
}

// index is a recording file's layout: its track and its complete fragments. A torn last
// fragment (a crash's leftover) is left out; torn reports it.
type index struct {
	track track
	frags []fragRef
	torn  bool
}

// readIndex walks the top-level boxes of a file of size bytes: ftyp and moov first
// (read whole, within maxInit), then moof+mdat pairs, each within its limit.
func readIndex(r io.ReaderAt, size int64) (*index, error) {
	var off int64
	var moov *box
	for moov == nil {
		b, err := readBox(r, off, size)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("%w: the file ends before its header (moov) is complete", errMalformed)
			}
			return nil, err
		}
		switch b.typ {
		case "ftyp", "free", "skip":
		case "moov":
			moov = &b
		default:
			return nil, fmt.Errorf("%w: box %q before the header (moov): not a recording", errMalformed, printable(b.typ))
		}
		off += b.size
		if off > maxInit {
			return nil, fmt.Errorf("%w: header over %d bytes", capture.ErrTooLarge, maxInit)
		}
	}
	head := make([]byte, off)
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, err
	}
	tr, err := parseInit(head)
	if err != nil {
		return nil, err
	}
	ix := &index{track: tr}
	for off < size {
		b, err := readBox(r, off, size)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			ix.torn = true
			break
		}
		if err != nil {
			return nil, err
		}
		switch b.typ {
		case "moof":
			if b.size > maxMoof {
				return nil, fmt.Errorf("%w: fragment header (moof) of %d bytes", capture.ErrTooLarge, b.size)
			}
			m, err := readBox(r, off+b.size, size)
			if errors.Is(err, io.ErrUnexpectedEOF) {
				ix.torn = true
				off = size
				continue
			}
			if err != nil {
				return nil, err
			}
			if m.typ != "mdat" {
				return nil, fmt.Errorf("%w: fragment without its media (%q after moof)", errMalformed, printable(m.typ))
			}
			if m.size > maxMdat {
				return nil, fmt.Errorf("%w: fragment media (mdat) of %d bytes", capture.ErrTooLarge, m.size)
			}
			if len(ix.frags) == maxFragments {
				return nil, fmt.Errorf("%w: over %d fragments in one file", capture.ErrTooLarge, maxFragments)
			}
			ix.frags = append(ix.frags, fragRef{off: off, size: b.size + m.size})
			off += b.size + m.size
		default: // mfra, free, a stray box: skipped
			off += b.size
		}
	}
	return ix, nil
}

// parseInit reads ftyp+moov with mediacommon and keeps the first video track.
func parseInit(head []byte) (track, error) {
	var init fmp4.Init
	if err := safeUnmarshal(func() error { return init.Unmarshal(bytes.NewReader(head)) }); err != nil {
		return track{}, fmt.Errorf("%w: reading the header: %v", errMalformed, err)
	}
	for _, t := range init.Tracks {
		tr := track{id: t.ID, timeScale: t.TimeScale}
		switch c := t.Codec.(type) {
		case *codecs.H264:
			tr.codec, tr.ps = capture.CodecH264, [][]byte{c.SPS, c.PPS}
			var sps h264.SPS
			if safeUnmarshal(func() error { return sps.Unmarshal(c.SPS) }) == nil && sps.VUI != nil && sps.VUI.BitstreamRestriction != nil {
				r := sps.VUI.BitstreamRestriction
				tr.reorder = int(min(r.MaxNumReorderFrames, r.MaxDecFrameBuffering, maxReorder))
			}
		case *codecs.H265:
			tr.codec, tr.ps = capture.CodecH265, [][]byte{c.VPS, c.SPS, c.PPS}
			var sps h265.SPS
			if safeUnmarshal(func() error { return sps.Unmarshal(c.SPS) }) == nil {
				if n := len(sps.MaxNumReorderPics); n > 0 {
					tr.reorder = int(min(sps.MaxNumReorderPics[n-1], maxReorder))
				}
			}
		case *codecs.MJPEG:
			tr.codec, tr.width, tr.height = capture.CodecJPEG, c.Width, c.Height
		default:
			continue
		}
		if tr.timeScale == 0 {
			return track{}, fmt.Errorf("%w: video track with a time scale of 0", errMalformed)
		}
		return tr, nil
	}
	return track{}, fmt.Errorf("%w: no H.264, H.265 or M-JPEG track", capture.ErrUnsupported)
}

// safeUnmarshal runs a mediacommon parse, turning a panic on hostile bytes into an error.
func safeUnmarshal(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parser failed: %v", r)
		}
	}()
	return f()
}

// sample is one picture of a fragment in decode order: its times in the track's ticks
// and its data as a Packet carries it (Annex-B with parameter sets on key units, or a
// JPEG).
type sample struct {
	dts, pts int64
	key      bool
	data     []byte
}

// readFragment reads fragment i of ix from r and returns its samples of the video track.
func readFragment(r io.ReaderAt, ix *index, i int) ([]sample, error) {
	f := ix.frags[i]
	buf := make([]byte, f.size)
	if _, err := r.ReadAt(buf, f.off); err != nil {
		return nil, err
	}
	return parseFragment(buf, ix.track)
}

// parseFragment parses one moof+mdat with mediacommon.
func parseFragment(buf []byte, tr track) ([]sample, error) {
	var parts fmp4.Parts
	if err := safeUnmarshal(func() error { return parts.Unmarshal(buf) }); err != nil {
		return nil, fmt.Errorf("%w: reading a fragment: %v", errMalformed, err)
	}
	var out []sample
	for _, p := range parts {
		for _, pt := range p.Tracks {
			if pt.ID != tr.id {
				continue
			}
			if len(out)+len(pt.Samples) > maxSamples {
				return nil, fmt.Errorf("%w: over %d samples in a fragment", capture.ErrTooLarge, maxSamples)
			}
			dts := int64(pt.BaseTime)
			if dts < 0 {
				return nil, fmt.Errorf("%w: fragment time out of range", errMalformed)
			}
			for _, s := range pt.Samples {
				data, err := packetData(s, tr)
				if err != nil {
					return nil, err
				}
				out = append(out, sample{dts: dts, pts: dts + int64(s.PTSOffset), key: !s.IsNonSyncSample || tr.codec == capture.CodecJPEG, data: data})
				dts += int64(s.Duration)
			}
		}
	}
	return out, nil
}

// packetData turns a sample's payload into a Packet's Data.
func packetData(s *fmp4.Sample, tr track) ([]byte, error) {
	if tr.codec == capture.CodecJPEG {
		return s.Payload, nil
	}
	var avcc h264.AVCC // length-prefixed NAL units, H.264 and H.265 alike
	if err := avcc.Unmarshal(s.Payload); err != nil {
		return nil, fmt.Errorf("%w: an access unit: %v", errMalformed, err)
	}
	au := [][]byte(avcc)
	if !s.IsNonSyncSample {
		au = append(slices.Clip(tr.ps), au...)
	}
	out, err := h264.AnnexB(au).Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: an access unit: %v", errMalformed, err)
	}
	return out, nil
}

// reorderDepth is the most pictures of samples (decode order) that come before one in
// decode order and after it in display order: how many pictures a decoder holds back.
func reorderDepth(samples []sample) int {
	depth := 0
	for i, s := range samples {
		n := 0
		for j := max(0, i-16); j < i; j++ {
			if samples[j].pts > s.pts {
				n++
			}
		}
		depth = max(depth, n)
	}
	return depth
}

// ticks converts a duration of the track's ticks.
func (tr track) duration(ticks int64) time.Duration {
	return time.Duration(float64(ticks) / float64(tr.timeScale) * float64(time.Second))
}
