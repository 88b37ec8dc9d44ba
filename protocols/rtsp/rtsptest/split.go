package rtsptest

import "fmt"

// Limits of the Annex-B splitter: it reads ffmpeg's output (or a test's bytes), never a
// camera's, but it is a parser all the same.
const (
	maxStreamBytes  = 256 << 20
	maxNALUsPerAU   = 64
	maxAccessUnits  = 1 << 16
	h264NALTypeAUD  = 9
	h264NALTypeSPS  = 7
	h264NALTypePPS  = 8
	h264NALTypeIDR  = 5
	h265NALTypeAUD  = 35
	h265NALTypeVPS  = 32
	h265NALTypeSPS  = 33
	h265NALTypePPS  = 34
	annexBStartCode = "\x00\x00\x00\x01"
)

// SplitNALUs splits an Annex-B byte stream into NAL units (without start codes). Bytes
// before the first start code are dropped, and so are empty NAL units; trailing zero
// bytes of a NAL unit (trailing_zero_8bits) are trimmed.
func SplitNALUs(b []byte) [][]byte {
	var out [][]byte
	start := -1
	i := 0
	for i+2 < len(b) {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if start >= 0 {
				out = appendNALU(out, b[start:i])
			}
			i += 3
			start = i
			continue
		}
		i++
	}
	if start >= 0 {
		out = appendNALU(out, b[start:])
	}
	return out
}

func appendNALU(out [][]byte, n []byte) [][]byte {
	for len(n) > 0 && n[len(n)-1] == 0 {
		n = n[:len(n)-1]
	}
	if len(n) == 0 {
		return out
	}
	return append(out, n)
}

// SplitAccessUnits splits an H.264 Annex-B stream whose access units begin with an
// access unit delimiter (ffmpeg's h264_metadata=aud=insert) into access units, each in
// Annex-B form with 4-byte start codes. NAL units before the first delimiter join the
// first access unit.
func SplitAccessUnits(stream []byte) ([][]byte, error) {
	return splitAccessUnits(stream, false)
}

// SplitAccessUnitsH265 is SplitAccessUnits for H.265 (ffmpeg's hevc_metadata=aud=insert).
func SplitAccessUnitsH265(stream []byte) ([][]byte, error) {
	return splitAccessUnits(stream, true)
}

func splitAccessUnits(stream []byte, h265 bool) ([][]byte, error) {
	if len(stream) > maxStreamBytes {
		return nil, fmt.Errorf("rtsptest: stream of %d bytes is over the %d-byte limit", len(stream), maxStreamBytes)
	}
	var aus [][]byte
	var cur [][]byte
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		if len(aus) >= maxAccessUnits {
			return fmt.Errorf("rtsptest: more than %d access units", maxAccessUnits)
		}
		aus = append(aus, joinAnnexB(cur))
		cur = nil
		return nil
	}
	for _, n := range SplitNALUs(stream) {
		if isAUD(n, h265) && len(cur) > 0 && hasVCL(cur, h265) {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if len(cur) >= maxNALUsPerAU {
			return nil, fmt.Errorf("rtsptest: access unit %d has more than %d NAL units (no access unit delimiters? encode with -bsf:v h264_metadata=aud=insert)", len(aus), maxNALUsPerAU)
		}
		cur = append(cur, n)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return aus, nil
}

// hasVCL reports whether nalus hold a coded slice (H.264 types 1–5, H.265 types 0–31),
// so a delimiter right after leading parameter sets does not split them from their
// picture.
func hasVCL(nalus [][]byte, h265 bool) bool {
	for _, n := range nalus {
		if h265 {
			if (n[0]>>1)&0x3f < 32 {
				return true
			}
			continue
		}
		if t := n[0] & 0x1f; t >= 1 && t <= 5 {
			return true
		}
	}
	return false
}

func isAUD(n []byte, h265 bool) bool {
	if h265 {
		return (n[0]>>1)&0x3f == h265NALTypeAUD
	}
	return n[0]&0x1f == h264NALTypeAUD
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
