package capture

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// NALRole is what a NAL unit of an H.264 or H.265 access unit is to the code that keeps
// parameter sets and finds where decoding may start, whichever the codec: the unit
// types come from mediacommon's tables (ITU-T H.264 Table 7-1, H.265 Table 7-1).
type NALRole int

const (
	NALOther NALRole = iota
	NALVPS           // H.265 only
	NALSPS
	NALPPS
	NALAUD // access unit delimiter
	// NALKey: an H.264 IDR slice or an H.265 IRAP one (BLA, IDR, CRA), where decoding
	// may start.
	NALKey
)

// NALRoleOf classifies the non-empty NAL unit n of an access unit of codec (H.265 for
// CodecH265, H.264 otherwise): the one reading of NAL unit types for the RTSP source,
// the recorder and the RTSP simulator.
func NALRoleOf(codec Codec, n []byte) NALRole {
	if codec == CodecH265 {
		switch typ := h265.NALUType(n[0] >> 1 & 0x3f); {
		case typ == h265.NALUType_VPS_NUT:
			return NALVPS
		case typ == h265.NALUType_SPS_NUT:
			return NALSPS
		case typ == h265.NALUType_PPS_NUT:
			return NALPPS
		case typ == h265.NALUType_AUD_NUT:
			return NALAUD
		case typ >= h265.NALUType_BLA_W_LP && typ <= h265.NALUType_CRA_NUT:
			return NALKey
		}
		return NALOther
	}
	switch h264.NALUType(n[0] & 0x1f) {
	case h264.NALUTypeSPS:
		return NALSPS
	case h264.NALUTypePPS:
		return NALPPS
	case h264.NALUTypeAccessUnitDelimiter:
		return NALAUD
	case h264.NALUTypeIDR:
		return NALKey
	}
	return NALOther
}
