package avdec

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
)

// auInfo is what the decoder needs to know about an access unit before it feeds it to
// libavcodec. It comes from the NAL unit headers (one or two bytes each) and, only when the
// unit carries one, from its sequence parameter set.
type auInfo struct {
	// key: the unit holds an IDR slice (H.264) or an IRAP slice (H.265: IDR, CRA, BLA), so
	// decoding can start here.
	key bool
	// vcl: the unit holds at least one slice.
	vcl bool
	// ref: some slice may be used as a reference by a later picture (H.264 nal_ref_idc ≠ 0;
	// H.265 a type that is not a sub-layer non-reference one, or a lower temporal layer).
	ref bool
	// codedW, codedH: the coded picture size of the last SPS in the unit (0 when none or
	// unparsable). Coded sizes include the padding to whole macroblocks/coding blocks.
	codedW, codedH uint64
	// sps: the unit carries an SPS that parsed; reorder is how many pictures it says may
	// precede another in decode order and follow it in output order (H.264 VUI
	// max_num_reorder_frames, 0 for the Baseline profiles, which have no B slices; H.265
	// sps_max_num_reorder_pics of the highest sub-layer), -1 when it does not say.
	sps     bool
	reorder int
	// deep: an SPS in the unit declares more reordering than maxReorder; the decoder
	// rewrites it (see spscap.go) before libavcodec sees it.
	deep bool
}

// nalUnits calls fn with every NAL unit of an Annex-B byte stream (without its start code
// and without trailing zero bytes, which belong to the next start code or are padding).
// Bytes before the first start code are ignored. It allocates nothing: it runs on every
// access unit the decoder is given, where mediacommon's h264.AnnexB.Unmarshal would
// allocate the unit list, and would refuse units that do not open with a start code or
// exceed its RTP-side limits (8 MiB, 50 NAL units), which capture.Packet does not impose.
func nalUnits(b []byte, fn func(nal []byte)) {
	start := -1 // first byte of the current NAL unit
	zeros := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == 0 {
			zeros++
			continue
		}
		if c == 1 && zeros >= 2 {
			if start >= 0 {
				emit(b[start:i-zeros], fn)
			}
			start = i + 1
		}
		zeros = 0
	}
	if start >= 0 {
		emit(b[start:], fn)
	}
}

func emit(nal []byte, fn func([]byte)) {
	for len(nal) > 0 && nal[len(nal)-1] == 0 {
		nal = nal[:len(nal)-1]
	}
	if len(nal) > 0 {
		fn(nal)
	}
}

// scanAU classifies one Annex-B access unit. maxTid is the highest H.265 temporal layer
// seen so far on the stream (updated here), used to decide which sub-layer non-reference
// pictures nothing refers to.
func scanAU(codec capture.Codec, data []byte, maxTid *int) auInfo {
	var in auInfo
	nalUnits(data, func(nal []byte) {
		switch codec {
		case capture.CodecH264:
			scanH264(nal, &in)
		case capture.CodecH265:
			scanH265(nal, &in, maxTid)
		}
	})
	return in
}

// scanH264 and scanH265 read NAL unit types from mediacommon's tables (ITU-T H.264 and
// H.265 table 7-1).
func scanH264(nal []byte, in *auInfo) {
	if nal[0]&0x80 != 0 { // forbidden_zero_bit
		return
	}
	typ, refIdc := h264.NALUType(nal[0]&0x1f), nal[0]>>5&3
	switch typ {
	case h264.NALUTypeNonIDR, h264.NALUTypeDataPartitionA, h264.NALUTypeIDR:
		in.vcl = true
		in.ref = in.ref || refIdc != 0
		in.key = in.key || typ == h264.NALUTypeIDR
	case h264.NALUTypeSPS:
		var sps h264.SPS
		if sps.Unmarshal(nal) != nil {
			return
		}
		in.codedW = (uint64(sps.PicWidthInMbsMinus1) + 1) * 16
		in.codedH = (uint64(sps.PicHeightInMapUnitsMinus1) + 1) * 16
		if !sps.FrameMbsOnlyFlag {
			in.codedH *= 2
		}
		in.sps, in.reorder = true, h264Reorder(&sps)
		if v := sps.VUI; v != nil && v.BitstreamRestriction != nil && v.BitstreamRestriction.MaxNumReorderFrames > maxReorder {
			in.deep = true
		}
	}
}

func scanH265(nal []byte, in *auInfo, maxTid *int) {
	if len(nal) < 2 || nal[0]&0x80 != 0 {
		return
	}
	typ := h265.NALUType(nal[0] >> 1 & 0x3f)
	tid := int(nal[1]&7) - 1 // nuh_temporal_id_plus1
	if tid < 0 {
		return // forbidden value
	}
	switch {
	case typ < h265.NALUType_VPS_NUT: // types 0–31 are slices (VCL)
		in.vcl = true
		*maxTid = max(*maxTid, tid)
		// A sub-layer non-reference picture (even types up to 14) is never referenced by
		// pictures of its own temporal layer, but may be by higher layers: only on the
		// highest layer seen is it safe to leave out (H.265 clause 3.132).
		nonRef := typ <= h265.NALUType_RSV_VCL_N14 && typ%2 == 0 && tid >= *maxTid
		in.ref = in.ref || !nonRef
		in.key = in.key || (typ >= h265.NALUType_BLA_W_LP && typ <= h265.NALUType_RSV_IRAP_VCL23)
	case typ == h265.NALUType_SPS_NUT:
		var sps h265.SPS
		if sps.Unmarshal(nal) != nil {
			return
		}
		in.codedW, in.codedH = uint64(sps.PicWidthInLumaSamples), uint64(sps.PicHeightInLumaSamples)
		in.sps, in.reorder = true, -1
		if n := len(sps.MaxNumReorderPics); n > 0 {
			in.reorder = int(min(sps.MaxNumReorderPics[n-1], maxReorder))
		}
		for _, r := range sps.MaxNumReorderPics {
			in.deep = in.deep || r > maxReorder
		}
	}
}

// h264Reorder is the reorder depth an H.264 SPS declares: none for the Baseline and
// Constrained Baseline profiles (66: no B slices) and for the intra-only profiles
// (constraint_set3 with High 10/4:2:2/4:4:4, or CAVLC 4:4:4 Intra); else the VUI's
// max_num_reorder_frames, bounded by max_dec_frame_buffering; -1 when there is no
// bitstream_restriction (libavcodec then infers it as it goes).
func h264Reorder(sps *h264.SPS) int {
	switch {
	case sps.ProfileIdc == 66, sps.ProfileIdc == 44,
		sps.ConstraintSet3Flag && (sps.ProfileIdc == 110 || sps.ProfileIdc == 122 || sps.ProfileIdc == 244):
		return 0
	}
	if sps.VUI == nil || sps.VUI.BitstreamRestriction == nil {
		return -1
	}
	r := sps.VUI.BitstreamRestriction
	return int(min(r.MaxNumReorderFrames, r.MaxDecFrameBuffering, maxReorder))
}
