// Package avdectest makes H.264 and H.265 test streams with Debian's ffmpeg and splits
// Annex-B byte streams into access units, for the tests of anything that carries or decodes
// video (avdec, RTSP, the recorder). It needs no cgo; encoding needs ffmpeg on PATH (with
// libx265 for H.265).
package avdectest

// SplitAnnexB splits an H.264 Annex-B byte stream into access units, and reports which hold
// an IDR picture. It follows ITU-T H.264 clause 7.4.1.2.3: after a unit's first slice, an
// access unit delimiter, SPS, PPS, SEI, NAL types 14–18, or a slice with first_mb_in_slice 0
// starts the next unit, so it needs no delimiters in the stream (though ffmpeg's
// `-bsf:v h264_metadata=aud=insert` output splits the same way).
//
// Every unit is a sub-slice of stream starting at a start code (with its leading zero_byte
// when the code has four bytes), and the units joined give stream back from its first start
// code on. Bytes before the first start code are dropped; a stream without one gives none.
func SplitAnnexB(stream []byte) (aus [][]byte, keys []bool) {
	return split(stream, h264NAL)
}

// SplitAnnexBH265 is SplitAnnexB for H.265 (ITU-T H.265 clause 7.4.2.4.4): the next unit
// starts at an access unit delimiter, VPS, SPS, PPS, prefix SEI, NAL types 41–44 and 48–55,
// or a slice with first_slice_segment_in_pic_flag set. Key units hold an IRAP picture (IDR,
// CRA or BLA).
func SplitAnnexBH265(stream []byte) (aus [][]byte, keys []bool) {
	return split(stream, h265NAL)
}

// nalKind classifies a NAL unit (without start code): whether, after a slice, it starts a
// new access unit; whether it is a slice; whether it makes its unit a key unit.
type nalKind func(nal []byte) (first, vcl, key bool)

func h264NAL(nal []byte) (first, vcl, key bool) {
	switch typ := nal[0] & 0x1f; {
	case typ == 1 || typ == 2 || typ == 5: // slice, data partition A, IDR slice
		// first_mb_in_slice is ue(v): 0 is the single bit 1.
		return len(nal) > 1 && nal[1]&0x80 != 0, true, typ == 5
	case typ == 6 || typ == 7 || typ == 8 || typ == 9 || (typ >= 14 && typ <= 18):
		return true, false, false
	}
	return false, false, false
}

func h265NAL(nal []byte) (first, vcl, key bool) {
	if len(nal) < 2 {
		return false, false, false
	}
	switch typ := nal[0] >> 1 & 0x3f; {
	case typ <= 31:
		return len(nal) > 2 && nal[2]&0x80 != 0, true, typ >= 16 && typ <= 23
	case (typ >= 32 && typ <= 35) || typ == 39 || (typ >= 41 && typ <= 44) || (typ >= 48 && typ <= 55):
		return true, false, false
	}
	return false, false, false
}

func split(b []byte, kind nalKind) (aus [][]byte, keys []bool) {
	auStart := -1 // where the current access unit starts
	sawVCL := false
	key := false
	// nal visits the NAL unit whose start code begins at sc and whose bytes are nal.
	nal := func(sc int, nal []byte) {
		if len(nal) == 0 {
			return
		}
		first, vcl, k := kind(nal)
		if first && sawVCL {
			aus = append(aus, b[auStart:sc:sc])
			keys = append(keys, key)
			auStart, sawVCL, key = sc, false, false
		}
		sawVCL = sawVCL || vcl
		key = key || k
	}
	eachNAL(b, func(sc int, n []byte) {
		if auStart < 0 {
			auStart = sc
		}
		nal(sc, n)
	})
	if auStart >= 0 {
		aus = append(aus, b[auStart:len(b):len(b)])
		keys = append(keys, key)
	}
	return aus, keys
}

// eachNAL calls fn with every NAL unit of the Annex-B stream b: where its start code
// begins (with the zero_byte of a four-byte code) and its bytes up to the next start code
// (trailing zeros included, empty units too). Bytes before the first start code are
// skipped.
func eachNAL(b []byte, fn func(sc int, nal []byte)) {
	sc, payload := -1, -1 // the current NAL unit's start code and first byte
	zeros := 0
	for i, c := range b {
		if c == 0 {
			zeros++
			continue
		}
		if c == 1 && zeros >= 2 {
			next := i - 2
			if zeros >= 3 {
				next-- // the zero_byte of a four-byte start code goes with the next unit
			}
			if payload >= 0 {
				fn(sc, b[payload:next])
			}
			sc, payload = next, i+1
		}
		zeros = 0
	}
	if payload >= 0 {
		fn(sc, b[payload:])
	}
}

// SplitNALUs splits an Annex-B byte stream into NAL units (without start codes). Bytes
// before the first start code are dropped, and so are empty NAL units; trailing zero
// bytes of a NAL unit (trailing_zero_8bits) are trimmed.
func SplitNALUs(b []byte) [][]byte {
	var out [][]byte
	eachNAL(b, func(_ int, n []byte) {
		for len(n) > 0 && n[len(n)-1] == 0 {
			n = n[:len(n)-1]
		}
		if len(n) > 0 {
			out = append(out, n)
		}
	})
	return out
}
