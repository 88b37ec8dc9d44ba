package avdec

import (
	"errors"

	"github.com/bluenviron/mediacommon/v2/pkg/bits"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Reorder cap (issue 10). libavcodec holds back as many pictures as the sequence parameter
// set declares (H.264 max_num_reorder_frames, H.265 sps_max_num_reorder_pics), whatever
// the codec context is opened with: measured, AV_CODEC_FLAG_LOW_DELAY and a smaller
// has_b_frames change nothing once the SPS says more. A camera declaring 16 at 1 fps would
// so keep its tile 16 s behind. The decoder therefore rewrites a larger declaration down to
// maxReorder before libavcodec sees it.

// maxReorder is the most pictures the decoder holds back for reordering. Encoders of live
// video declare 1 or 2 (x264 and x265: 2 with B-pyramid, 1 without; NVENC and Quick Sync
// likewise, up to 3 with deep hierarchies), so no real stream is touched; at 4 a hostile or
// broken declaration costs at most 4 frame intervals of delay (160 ms at 25 fps). A stream
// that truly reorders deeper loses the pictures that would come out late (H.264) or shows
// them a little out of order (H.265): a live tile prefers that to lagging.
const maxReorder = 4

var errSPS = errors.New("sps does not parse")

// rbspReader reads an SPS's RBSP (emulation prevention removed), remembering where
// fields start so that some can be rewritten.
type rbspReader struct {
	buf []byte
	pos int
	err error
}

// u reads n bits; above 32 only the last 32 are returned (the fields skipped whole).
func (r *rbspReader) u(n int) uint64 {
	var v uint64
	for ; n > 0 && r.err == nil; n -= 32 {
		v, r.err = bits.ReadBits(r.buf, &r.pos, min(n, 32))
	}
	if r.err != nil {
		return 0
	}
	return v
}

func (r *rbspReader) flag() bool { return r.u(1) == 1 }

func (r *rbspReader) ue() uint32 {
	if r.err != nil {
		return 0
	}
	v, err := bits.ReadGolombUnsigned(r.buf, &r.pos)
	r.err = err
	return v
}

func (r *rbspReader) se() {
	if r.err == nil {
		_, r.err = bits.ReadGolombSigned(r.buf, &r.pos)
	}
}

// edit replaces the Exp-Golomb field at bits [start, end) of the RBSP by the value v.
type edit struct {
	start, end int
	v          uint32
}

// cappedH264SPS returns the H.264 SPS NAL unit nal (header included) with a
// max_num_reorder_frames above max lowered to max, or nil when it needs no change or does
// not parse (libavcodec then judges it as it is).
func cappedH264SPS(nal []byte, max uint32) []byte {
	return setH264Reorder(nal, func(v uint32) uint32 { return min(v, max) })
}

// setH264Reorder returns nal with max_num_reorder_frames v replaced by to(v), or nil when
// that changes nothing or the SPS does not parse or has no bitstream_restriction.
func setH264Reorder(nal []byte, to func(v uint32) uint32) []byte {
	if len(nal) < 4 || len(nal) > 4096 {
		return nil
	}
	r := &rbspReader{buf: h264.EmulationPreventionRemove(nal[1:])}
	profile := r.u(8)
	r.u(16) // constraint flags, level_idc
	r.ue()  // seq_parameter_set_id
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		chroma := r.ue()
		if chroma == 3 {
			r.u(1) // separate_colour_plane_flag
		}
		r.ue()        // bit_depth_luma_minus8
		r.ue()        // bit_depth_chroma_minus8
		r.u(1)        // qpprime_y_zero_transform_bypass_flag
		if r.flag() { // seq_scaling_matrix_present_flag
			lists := 8
			if chroma == 3 {
				lists = 12
			}
			for i := 0; i < lists && r.err == nil; i++ {
				if !r.flag() {
					continue
				}
				size := 16
				if i >= 6 {
					size = 64
				}
				last, next := int32(8), int32(8)
				for j := 0; j < size && r.err == nil; j++ {
					if next != 0 {
						d, err := bits.ReadGolombSigned(r.buf, &r.pos)
						r.err = err
						next = (last + d + 256) % 256
					}
					if next != 0 {
						last = next
					}
				}
			}
		}
	}
	r.ue()          // log2_max_frame_num_minus4
	switch r.ue() { // pic_order_cnt_type
	case 0:
		r.ue()
	case 1:
		r.u(1)
		r.se()
		r.se()
		n := r.ue()
		if n > 255 {
			return nil
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			r.se()
		}
	}
	r.ue()         // max_num_ref_frames
	r.u(1)         // gaps_in_frame_num_value_allowed_flag
	r.ue()         // pic_width_in_mbs_minus1
	r.ue()         // pic_height_in_map_units_minus1
	if !r.flag() { // frame_mbs_only_flag
		r.u(1)
	}
	r.u(1)        // direct_8x8_inference_flag
	if r.flag() { // frame_cropping_flag
		r.ue()
		r.ue()
		r.ue()
		r.ue()
	}
	if !r.flag() || r.err != nil { // vui_parameters_present_flag
		return nil
	}
	if r.flag() { // aspect_ratio_info_present_flag
		if r.u(8) == 255 {
			r.u(32)
		}
	}
	if r.flag() { // overscan_info_present_flag
		r.u(1)
	}
	if r.flag() { // video_signal_type_present_flag
		r.u(4)
		if r.flag() {
			r.u(24)
		}
	}
	if r.flag() { // chroma_loc_info_present_flag
		r.ue()
		r.ue()
	}
	if r.flag() { // timing_info_present_flag
		r.u(32)
		r.u(32)
		r.u(1)
	}
	nalHRD := r.flag()
	if nalHRD {
		r.hrd()
	}
	vclHRD := r.flag()
	if vclHRD {
		r.hrd()
	}
	if nalHRD || vclHRD {
		r.u(1) // low_delay_hrd_flag
	}
	r.u(1)                         // pic_struct_present_flag
	if !r.flag() || r.err != nil { // bitstream_restriction_flag
		return nil
	}
	r.u(1) // motion_vectors_over_pic_boundaries_flag
	r.ue() // max_bytes_per_pic_denom
	r.ue() // max_bits_per_mb_denom
	r.ue() // log2_max_mv_length_horizontal
	r.ue() // log2_max_mv_length_vertical
	start := r.pos
	v := r.ue()
	if r.err != nil || to(v) == v {
		return nil
	}
	return rewrite(nal[:1], r.buf, []edit{{start, r.pos, to(v)}})
}

func (r *rbspReader) hrd() {
	n := r.ue() // cpb_cnt_minus1
	if n > 31 {
		r.err = errSPS
		return
	}
	r.u(8) // bit_rate_scale, cpb_size_scale
	for i := uint32(0); i <= n && r.err == nil; i++ {
		r.ue()
		r.ue()
		r.u(1)
	}
	r.u(20) // four 5-bit lengths
}

// cappedH265SPS returns the H.265 SPS NAL unit nal (header included) with every
// sps_max_num_reorder_pics above max lowered to max, or nil when it needs no change or
// does not parse.
func cappedH265SPS(nal []byte, max uint32) []byte {
	return setH265Reorder(nal, func(v uint32) uint32 { return min(v, max) })
}

// setH265Reorder returns nal with every sps_max_num_reorder_pics v replaced by to(v), or
// nil when that changes nothing or the SPS does not parse.
func setH265Reorder(nal []byte, to func(v uint32) uint32) []byte {
	if len(nal) < 5 || len(nal) > 4096 {
		return nil
	}
	r := &rbspReader{buf: h264.EmulationPreventionRemove(nal[2:])} // the same rule in H.265 (7.4.2)
	r.u(4)                                                         // sps_video_parameter_set_id
	subLayers := int(r.u(3))                                       // sps_max_sub_layers_minus1
	r.u(1)                                                         // sps_temporal_id_nesting_flag
	r.u(88)                                                        // general profile: space, tier, idc, compatibility, constraint flags
	r.u(8)                                                         // general_level_idc
	var profile, level [8]bool
	for i := 0; i < subLayers; i++ {
		profile[i], level[i] = r.flag(), r.flag()
	}
	if subLayers > 0 {
		r.u(2 * (8 - subLayers)) // reserved_zero_2bits
	}
	for i := 0; i < subLayers; i++ {
		if profile[i] {
			r.u(88)
		}
		if level[i] {
			r.u(8)
		}
	}
	r.ue()           // sps_seq_parameter_set_id
	if r.ue() == 3 { // chroma_format_idc
		r.u(1)
	}
	r.ue()        // pic_width_in_luma_samples
	r.ue()        // pic_height_in_luma_samples
	if r.flag() { // conformance_window_flag
		r.ue()
		r.ue()
		r.ue()
		r.ue()
	}
	r.ue() // bit_depth_luma_minus8
	r.ue() // bit_depth_chroma_minus8
	r.ue() // log2_max_pic_order_cnt_lsb_minus4
	first := subLayers
	if r.flag() { // sps_sub_layer_ordering_info_present_flag
		first = 0
	}
	var edits []edit
	for i := first; i <= subLayers && r.err == nil; i++ {
		bufStart := r.pos
		buf := r.ue() // sps_max_dec_pic_buffering_minus1
		bufEnd := r.pos
		v := r.ue()
		if r.err == nil && to(v) != v {
			if to(v) > buf { // the buffer must hold what reordering keeps (7.4.3.2.1)
				edits = append(edits, edit{bufStart, bufEnd, to(v)})
			}
			edits = append(edits, edit{bufEnd, r.pos, to(v)})
		}
		r.ue() // sps_max_latency_increase_plus1
	}
	if r.err != nil || len(edits) == 0 {
		return nil
	}
	return rewrite(nal[:2], r.buf, edits)
}

// rewrite builds a NAL unit from header and the RBSP rbsp with edits applied: the bits
// between them copied, each edited field written as Exp-Golomb, the RBSP trailing bits
// redone, emulation prevention added back. nil when rbsp has no stop bit.
func rewrite(header, rbsp []byte, edits []edit) []byte {
	stop := len(rbsp)*8 - 1 // rbsp_stop_one_bit: the last bit set
	for stop >= 0 && rbsp[stop/8]&(0x80>>(stop%8)) == 0 {
		stop--
	}
	if stop < 0 || edits[len(edits)-1].end > stop {
		return nil
	}
	size := stop + 1
	for _, e := range edits {
		size += ueBits(e.v) - (e.end - e.start)
	}
	out := make([]byte, size/8+1)
	pos := 0
	copyBits := func(from, to int) {
		for i := from; i < to; i++ {
			bits.WriteFlagUnsafe(out, &pos, rbsp[i/8]&(0x80>>(i%8)) != 0)
		}
	}
	at := 0
	for _, e := range edits {
		copyBits(at, e.start)
		writeUE(out, &pos, e.v)
		at = e.end
	}
	copyBits(at, stop)
	bits.WriteFlagUnsafe(out, &pos, true)
	out = out[:(pos+7)/8]
	return append(append([]byte(nil), header...), addEmulationPrevention(out)...)
}

// ueBits is the length of v's unsigned Exp-Golomb code.
func ueBits(v uint32) int {
	n := 0
	for t := uint64(v) + 1; t > 1; t >>= 1 {
		n++
	}
	return 2*n + 1
}

// writeUE writes v as an unsigned Exp-Golomb code.
func writeUE(buf []byte, pos *int, v uint32) {
	x := uint64(v) + 1
	n := 0
	for t := x; t > 1; t >>= 1 {
		n++
	}
	bits.WriteBitsUnsafe(buf, pos, 0, n)
	bits.WriteBitsUnsafe(buf, pos, x, n+1)
}

// addEmulationPrevention inserts 0x03 after two zero bytes followed by 0–3 (H.264 7.4.1,
// H.265 7.4.2).
func addEmulationPrevention(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/2+1)
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}
