package rtsp

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
)

// MaxAUSize bounds one emitted access unit or JPEG (Annex-B bytes, parameter sets
// included). gortsplib already refuses H.264/H.265 access units over 8 MiB and 50/21 NAL
// units (mediacommon's MaxAccessUnitSize, MaxNALUsPerAccessUnit), and an RFC 2435 JPEG
// cannot outgrow its 24-bit fragment offset (16 MiB); this is the backstop behind both.
const MaxAUSize = 16 << 20

// maxParamSetSize bounds a stored VPS/SPS/PPS: real ones are tens of bytes; a camera
// sending kilobytes as a "parameter set" is broken, and each copy goes into every key
// frame.
const maxParamSetSize = 4 << 10

var startCode = []byte{0, 0, 0, 1}

// nalRole and its values are paramSets' names for capture's NAL unit roles.
type nalRole = capture.NALRole

const (
	roleOther = capture.NALOther
	roleVPS   = capture.NALVPS
	roleSPS   = capture.NALSPS
	rolePPS   = capture.NALPPS
	roleAUD   = capture.NALAUD
	roleKey   = capture.NALKey
)

// paramSets remembers the latest parameter sets of one H.264/H.265 track (first from the
// SDP's sprop-parameter-sets, then from the stream itself) and what its SPS says.
type paramSets struct {
	codec         capture.Codec
	vps, sps, pps []byte

	parsedSPS     []byte // the SPS the fields below come from
	width, height int
	profile       string
	fps           float64
}

// role classifies a non-empty NAL unit of p's codec.
func (p *paramSets) role(n []byte) nalRole { return capture.NALRoleOf(p.codec, n) }

// set stores a parameter set NAL unit (copied: gortsplib's buffers are reused) when it
// is within maxParamSetSize.
func (p *paramSets) set(r nalRole, n []byte) {
	if len(n) == 0 || len(n) > maxParamSetSize {
		return
	}
	var dst *[]byte
	switch {
	case r == roleVPS && p.codec == capture.CodecH265:
		dst = &p.vps
	case r == roleSPS:
		dst = &p.sps
	case r == rolePPS:
		dst = &p.pps
	default:
		return
	}
	if !bytes.Equal(*dst, n) {
		*dst = bytes.Clone(n)
	}
}

// isParamSet reports whether n is a VPS (H.265), SPS or PPS.
func (p *paramSets) isParamSet(n []byte) bool {
	switch p.role(n) {
	case roleSPS, rolePPS:
		return true
	case roleVPS:
		return p.codec == capture.CodecH265
	}
	return false
}

// complete reports whether every parameter set a key frame needs is known.
func (p *paramSets) complete() bool {
	if p.codec == capture.CodecH265 {
		return p.vps != nil && p.sps != nil && p.pps != nil
	}
	return p.sps != nil && p.pps != nil
}

// parse fills size, profile and fps from the current SPS (once per distinct SPS).
func (p *paramSets) parse() {
	if p.sps == nil || bytes.Equal(p.sps, p.parsedSPS) {
		return
	}
	p.parsedSPS = p.sps
	p.width, p.height, p.profile, p.fps = 0, 0, "", 0
	var sps interface {
		Unmarshal([]byte) error
		Width() int
		Height() int
		FPS() float64
	}
	var profile func() string
	switch p.codec {
	case capture.CodecH264:
		s := &h264.SPS{}
		sps, profile = s, func() string { return h264Profile(s) }
	case capture.CodecH265:
		s := &h265.SPS{}
		sps, profile = s, func() string { return h265Profile(s) }
	default:
		return
	}
	if sps.Unmarshal(p.sps) != nil {
		return
	}
	p.width, p.height, p.fps, p.profile = sps.Width(), sps.Height(), sps.FPS(), profile()
	if p.width <= 0 || p.height <= 0 || p.width > 16384 || p.height > 16384 {
		p.width, p.height = 0, 0
	}
}

// accessUnit turns the NAL units of one access unit into a Packet's Annex-B bytes. It
// learns in-band parameter sets first; a key access unit (H.264 IDR, H.265 IRAP) that
// lacks any of them gets the known ones put in front (after an access unit delimiter),
// in VPS, SPS, PPS order, as capture.Packet requires. key is false for an IRAP access
// unit whose parameter sets are still unknown, since it cannot be decoded alone.
func (p *paramSets) accessUnit(nalus [][]byte) (data []byte, key bool, err error) {
	var hasVPS, hasSPS, hasPPS, irap bool
	size := 0
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		size += len(startCode) + len(n)
		r := p.role(n)
		p.set(r, n)
		switch r {
		case roleVPS:
			hasVPS = true
		case roleSPS:
			hasSPS = true
		case rolePPS:
			hasPPS = true
		case roleKey:
			irap = true
		}
	}
	p.parse()
	if p.codec != capture.CodecH265 {
		hasVPS = true
	}
	insert := irap && !(hasVPS && hasSPS && hasPPS)
	if insert && !p.complete() {
		insert, irap = false, false
	}
	if insert {
		size += 3*len(startCode) + len(p.vps) + len(p.sps) + len(p.pps)
	}
	if size > MaxAUSize {
		return nil, false, fmt.Errorf("access unit of %d bytes is over the %d-byte limit: %w", size, MaxAUSize, capture.ErrTooLarge)
	}
	data = make([]byte, 0, size)
	inserted := !insert
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		if !inserted && p.role(n) != roleAUD {
			for _, ps := range [][]byte{p.vps, p.sps, p.pps} {
				if ps != nil {
					data = append(data, startCode...)
					data = append(data, ps...)
				}
			}
			inserted = true
		}
		if insert && p.isParamSet(n) {
			continue // replaced by the stored copies, in order, above
		}
		data = append(data, startCode...)
		data = append(data, n...)
	}
	if len(data) == 0 {
		return nil, false, nil
	}
	return data, irap, nil
}

// Profile names by profile_idc (ITU-T H.264 and H.265 Annex A).
var (
	h264Profiles = map[uint8]string{66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10",
		122: "High 4:2:2", 244: "High 4:4:4 Predictive", 44: "CAVLC 4:4:4"}
	h265Profiles = map[uint8]string{1: "Main", 2: "Main 10", 3: "Main Still Picture", 4: "Range Extensions"}
)

// profileName is the name of profile idc in names, or "profile <idc>".
func profileName(names map[uint8]string, idc uint8) string {
	if n, ok := names[idc]; ok {
		return n
	}
	return "profile " + strconv.Itoa(int(idc))
}

// h264Profile names an H.264 profile and level the way ffprobe and camera menus do
// ("High 4.0", "Constrained Baseline 3.1"; ITU-T H.264 Annex A).
func h264Profile(s *h264.SPS) string {
	name := profileName(h264Profiles, s.ProfileIdc)
	if s.ProfileIdc == 66 && s.ConstraintSet1Flag {
		name = "Constrained Baseline"
	}
	level := strconv.FormatFloat(float64(s.LevelIdc)/10, 'f', 1, 64)
	if s.LevelIdc == 9 || (s.LevelIdc == 11 && s.ConstraintSet3Flag && s.ProfileIdc < 100) {
		level = "1b"
	}
	return name + " " + level
}

// h265Profile names an H.265 profile and level ("Main 4.1"; ITU-T H.265 Annex A, where
// general_level_idc is 30 × the level).
func h265Profile(s *h265.SPS) string {
	ptl := &s.ProfileTierLevel
	name := profileName(h265Profiles, ptl.GeneralProfileIdc)
	level := float64(ptl.GeneralLevelIdc) / 30
	return name + " " + strconv.FormatFloat(level, 'f', -1, 64)
}
