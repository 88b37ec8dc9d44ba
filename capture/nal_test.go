package capture_test

import (
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

func TestNALRoleOf(t *testing.T) {
	for _, tc := range []struct {
		codec capture.Codec
		first byte
		want  capture.NALRole
	}{
		{capture.CodecH264, 0x67, capture.NALSPS},
		{capture.CodecH264, 0x68, capture.NALPPS},
		{capture.CodecH264, 0x09, capture.NALAUD},
		{capture.CodecH264, 0x65, capture.NALKey},
		{capture.CodecH264, 0x41, capture.NALOther},
		{capture.CodecH264, 0x40, capture.NALOther}, // an H.265 VPS header byte means nothing to H.264
		{capture.CodecH265, 0x40, capture.NALVPS},
		{capture.CodecH265, 0x42, capture.NALSPS},
		{capture.CodecH265, 0x44, capture.NALPPS},
		{capture.CodecH265, 0x46, capture.NALAUD},
		{capture.CodecH265, 0x26, capture.NALKey}, // IDR_W_RADL
		{capture.CodecH265, 0x2a, capture.NALKey}, // CRA
		{capture.CodecH265, 0x02, capture.NALOther},
	} {
		if got := capture.NALRoleOf(tc.codec, []byte{tc.first, 0x01}); got != tc.want {
			t.Errorf("%s NAL unit 0x%02x: role %d, want %d", tc.codec, tc.first, got, tc.want)
		}
	}
}
