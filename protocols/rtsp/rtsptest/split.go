package rtsptest

import (
	"fmt"

	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
)

// Limits of SplitAccessUnits: it reads ffmpeg's output (or a test's bytes), never a
// camera's, but it is a parser all the same.
const (
	maxStreamBytes  = 256 << 20
	maxNALUsPerAU   = 64
	maxAccessUnits  = 1 << 16
	annexBStartCode = "\x00\x00\x00\x01"
)

// SplitNALUs splits an Annex-B byte stream into NAL units (without start codes): bytes
// before the first start code, empty NAL units and trailing zero bytes are dropped
// (avdectest.SplitNALUs, the one test-side splitter).
func SplitNALUs(b []byte) [][]byte { return avdectest.SplitNALUs(b) }

// SplitAccessUnits splits an H.264 Annex-B stream into access units
// (avdectest.SplitAnnexB, ITU-T H.264 clause 7.4.1.2.3, so delimiters such as ffmpeg's
// h264_metadata=aud=insert are welcome but not needed), each rewritten in Annex-B form
// with 4-byte start codes and without empty or padding bytes.
func SplitAccessUnits(stream []byte) ([][]byte, error) {
	return splitAccessUnits(stream, false)
}

// SplitAccessUnitsH265 is SplitAccessUnits for H.265 (avdectest.SplitAnnexBH265).
func SplitAccessUnitsH265(stream []byte) ([][]byte, error) {
	return splitAccessUnits(stream, true)
}

func splitAccessUnits(stream []byte, h265 bool) ([][]byte, error) {
	if len(stream) > maxStreamBytes {
		return nil, fmt.Errorf("rtsptest: stream of %d bytes is over the %d-byte limit", len(stream), maxStreamBytes)
	}
	split := avdectest.SplitAnnexB
	if h265 {
		split = avdectest.SplitAnnexBH265
	}
	units, _ := split(stream)
	var aus [][]byte
	for _, u := range units {
		nalus := SplitNALUs(u)
		if len(nalus) == 0 {
			continue
		}
		if len(nalus) > maxNALUsPerAU {
			return nil, fmt.Errorf("rtsptest: access unit %d has more than %d NAL units", len(aus), maxNALUsPerAU)
		}
		if len(aus) >= maxAccessUnits {
			return nil, fmt.Errorf("rtsptest: more than %d access units", maxAccessUnits)
		}
		aus = append(aus, joinAnnexB(nalus))
	}
	return aus, nil
}

func joinAnnexB(nalus [][]byte) []byte {
	size := 0
	for _, n := range nalus {
		size += len(annexBStartCode) + len(n)
	}
	out := make([]byte, 0, size)
	for _, n := range nalus {
		out = append(out, annexBStartCode...)
		out = append(out, n...)
	}
	return out
}
