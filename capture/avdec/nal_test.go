package avdec

import (
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"github.com/vigil-cctv/vigil/capture"
)

// TestScanAU checks the NAL unit classification the skip and key decisions rest on, on
// hand-made units (the cgo tests check it against real encoders' streams).
func TestScanAU(t *testing.T) {
	cases := []struct {
		name  string
		codec capture.Codec
		data  []byte
		want  auInfo
	}{
		{"h264 IDR", capture.CodecH264, []byte{0, 0, 0, 1, 0x65, 0x88}, auInfo{key: true, vcl: true, ref: true}},
		{"h264 P ref", capture.CodecH264, []byte{0, 0, 1, 0x41, 0x9a}, auInfo{vcl: true, ref: true}},
		{"h264 b nonref", capture.CodecH264, []byte{0, 0, 1, 0x09, 0x10, 0, 0, 1, 0x01, 0x9e}, auInfo{vcl: true}},
		{"h264 SEI only", capture.CodecH264, []byte{0, 0, 1, 0x06, 0x05, 0x01}, auInfo{}},
		{"h264 forbidden bit", capture.CodecH264, []byte{0, 0, 1, 0xe5, 0x88}, auInfo{}},
		{"h265 IDR", capture.CodecH265, []byte{0, 0, 1, 0x26, 0x01, 0xaf}, auInfo{key: true, vcl: true, ref: true}},
		{"h265 CRA", capture.CodecH265, []byte{0, 0, 1, 0x2a, 0x01, 0xaf}, auInfo{key: true, vcl: true, ref: true}},
		{"h265 TRAIL_R", capture.CodecH265, []byte{0, 0, 1, 0x02, 0x01, 0xd0}, auInfo{vcl: true, ref: true}},
		{"h265 TRAIL_N", capture.CodecH265, []byte{0, 0, 1, 0x00, 0x01, 0xd0}, auInfo{vcl: true}},
		{"h265 bad tid", capture.CodecH265, []byte{0, 0, 1, 0x00, 0x00, 0xd0}, auInfo{}},
		{"garbage", capture.CodecH264, []byte{1, 2, 3, 4}, auInfo{}},
	}
	for _, tc := range cases {
		maxTid := 0
		if got := scanAU(tc.codec, tc.data, &maxTid); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// A TRAIL_N below the highest temporal layer seen may be referenced from above.
	maxTid := 0
	scanAU(capture.CodecH265, []byte{0, 0, 1, 0x00, 0x02, 0xd0}, &maxTid) // tid 1
	if got := scanAU(capture.CodecH265, []byte{0, 0, 1, 0x00, 0x01, 0xd0}, &maxTid); !got.ref {
		t.Errorf("TRAIL_N on layer 0 under layer 1: %+v, want ref", got)
	}
}

// TestH264Reorder: the decoder delay an H.264 SPS declares (the cgo tests check the whole
// choice on real encoders' streams; this covers what they cannot make, such as an SPS
// without bitstream_restriction).
func TestH264Reorder(t *testing.T) {
	restrict := func(reorder, buffering uint32) *h264.SPS_VUI {
		return &h264.SPS_VUI{BitstreamRestriction: &h264.SPS_BitstreamRestriction{
			MaxNumReorderFrames: reorder, MaxDecFrameBuffering: buffering}}
	}
	for _, tc := range []struct {
		name string
		sps  h264.SPS
		want int
	}{
		{"baseline without VUI", h264.SPS{ProfileIdc: 66}, 0},
		{"constrained baseline", h264.SPS{ProfileIdc: 66, ConstraintSet1Flag: true, VUI: restrict(3, 4)}, 0},
		{"high 10 intra", h264.SPS{ProfileIdc: 110, ConstraintSet3Flag: true}, 0},
		{"main without VUI", h264.SPS{ProfileIdc: 77}, -1},
		{"high, VUI without restriction", h264.SPS{ProfileIdc: 100, VUI: &h264.SPS_VUI{}}, -1},
		{"high, two B-frames", h264.SPS{ProfileIdc: 100, VUI: restrict(2, 4)}, 2},
		{"high, none", h264.SPS{ProfileIdc: 100, VUI: restrict(0, 1)}, 0},
		{"reorder over buffering", h264.SPS{ProfileIdc: 100, VUI: restrict(5, 2)}, 2},
		{"absurd", h264.SPS{ProfileIdc: 100, VUI: restrict(1000, 1000)}, maxReorder},
	} {
		if got := h264Reorder(&tc.sps); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// FuzzScanAU: any bytes classify without panicking, every NAL unit nalUnits gives lies
// inside the input and is non-empty, and a declared reorder depth stays in range.
func FuzzScanAU(f *testing.F) {
	f.Add(true, []byte{0, 0, 0, 1, 0x65, 0x88})
	f.Add(true, []byte{0xff, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 0, 1, 0x41})
	f.Add(false, []byte{0, 0, 1, 0x40, 0x01, 0, 0, 1, 0x26, 0x01, 0xaf})
	f.Add(false, []byte{0, 0, 1})
	f.Fuzz(func(t *testing.T, isH264 bool, b []byte) {
		codec := capture.CodecH265
		if isH264 {
			codec = capture.CodecH264
		}
		total := 0
		nalUnits(b, func(nal []byte) {
			if len(nal) == 0 || nal[len(nal)-1] == 0 {
				t.Fatalf("bad unit % x", nal)
			}
			total += len(nal)
		})
		if total > len(b) {
			t.Fatalf("%d unit bytes from %d", total, len(b))
		}
		maxTid := 0
		in := scanAU(codec, b, &maxTid)
		if in.sps && (in.reorder < -1 || in.reorder > maxReorder) {
			t.Fatalf("reorder %d", in.reorder)
		}
	})
}
