//go:build cgo

package avdec

import (
	"reflect"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
)

// firstSPS is the first SPS NAL unit of pkts.
func firstSPS(t *testing.T, codec capture.Codec, pkts []capture.Packet) []byte {
	t.Helper()
	for _, p := range pkts {
		var sps []byte
		nalUnits(p.Data, func(nal []byte) {
			if sps == nil && (codec == capture.CodecH264 && h264.NALUType(nal[0]&0x1f) == h264.NALUTypeSPS ||
				codec == capture.CodecH265 && h265.NALUType(nal[0]>>1&0x3f) == h265.NALUType_SPS_NUT) {
				sps = nal
			}
		})
		if sps != nil {
			return sps
		}
	}
	t.Fatal("no SPS in the stream")
	return nil
}

// TestSetReorderKeepsTheRest: rewriting the declared reorder depth of encoders' SPSs
// (with scaling lists, cropping, VUI timing and HRD where x264/x265 write them) changes
// that field only; everything else parses back the same.
func TestSetReorderKeepsTheRest(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    avdectest.Stream
	}{
		{"h264-high-b2", avdectest.Stream{Codec: capture.CodecH264, BFrames: 2, Extra: []string{"-profile:v", "high"}}},
		{"h264-high-b2-hrd", avdectest.Stream{Codec: capture.CodecH264, BFrames: 2, Extra: []string{"-x264-params", "nal-hrd=vbr:vbv-maxrate=500:vbv-bufsize=500:cqm=jvt"}}},
		{"h264-crop", avdectest.Stream{Codec: capture.CodecH264, BFrames: 1, Width: 170, Height: 98}},
		{"h265-b2", avdectest.Stream{Codec: capture.CodecH265, BFrames: 2}},
		{"h265-crop", avdectest.Stream{Codec: capture.CodecH265, BFrames: 3, Width: 170, Height: 98}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			if s.Width == 0 {
				s.Width, s.Height = 160, 120
			}
			s.Frames = 4
			sps := firstSPS(t, s.Codec, avdectest.Encode(t, s))
			for _, v := range []uint32{0, 1, 7, 16, 300} {
				if s.Codec == capture.CodecH264 {
					out := setH264Reorder(sps, func(uint32) uint32 { return v })
					var a, b h264.SPS
					if err := a.Unmarshal(sps); err != nil {
						t.Fatal(err)
					}
					if out == nil && a.VUI.BitstreamRestriction.MaxNumReorderFrames == v {
						continue // nothing to change
					}
					if err := b.Unmarshal(out); err != nil {
						t.Fatalf("reorder %d: rewritten SPS does not parse: %v", v, err)
					}
					if got := b.VUI.BitstreamRestriction.MaxNumReorderFrames; got != v {
						t.Fatalf("reorder %d: parses back as %d", v, got)
					}
					b.VUI.BitstreamRestriction.MaxNumReorderFrames = a.VUI.BitstreamRestriction.MaxNumReorderFrames
					if !reflect.DeepEqual(a, b) {
						t.Fatalf("reorder %d: other fields changed:\n%+v\n%+v", v, a, b)
					}
					continue
				}
				out := setH265Reorder(sps, func(uint32) uint32 { return v })
				var a, b h265.SPS
				if err := a.Unmarshal(sps); err != nil {
					t.Fatal(err)
				}
				if out == nil && reflect.DeepEqual(a.MaxNumReorderPics, []uint32{v}) {
					continue // nothing to change
				}
				if err := b.Unmarshal(out); err != nil {
					t.Fatalf("reorder %d: rewritten SPS does not parse: %v", v, err)
				}
				for i, got := range b.MaxNumReorderPics {
					if got != v {
						t.Fatalf("reorder %d: sub-layer %d parses back as %d", v, i, got)
					}
				}
				b.MaxNumReorderPics = a.MaxNumReorderPics
				for i := range b.MaxDecPicBufferingMinus1 {
					if v > a.MaxDecPicBufferingMinus1[i] && b.MaxDecPicBufferingMinus1[i] == v {
						b.MaxDecPicBufferingMinus1[i] = a.MaxDecPicBufferingMinus1[i] // raised to hold v
					}
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("reorder %d: other fields changed:\n%+v\n%+v", v, a, b)
				}
			}
			if cappedSPS(s.Codec, sps) != nil {
				t.Fatal("an SPS declaring no more than maxReorder was rewritten")
			}
		})
	}
}

func cappedSPS(codec capture.Codec, sps []byte) []byte {
	if codec == capture.CodecH264 {
		return cappedH264SPS(sps, maxReorder)
	}
	return cappedH265SPS(sps, maxReorder)
}

// TestDeepReorderDeclarationIsCapped: a camera whose SPS declares the most reordering the
// codec allows (16 pictures in H.264, 15 in H.265, whose DPB is 16) for a stream that has
// none (hostile or broken firmware). libavcodec alone holds that many pictures back —
// 16 s of lag at 1 fps; the decoder holds at most maxReorder.
func TestDeepReorderDeclarationIsCapped(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			s := avdectest.Stream{Codec: c, Width: 160, Height: 120, FPS: 15, Frames: 40, GOP: 40, Times: true}
			if c == capture.CodecH264 {
				s.Extra = []string{"-profile:v", "high"}
			}
			pkts := avdectest.Encode(t, s)
			declare := uint32(16)
			if c == capture.CodecH265 {
				declare = 15
			}
			deep := 0
			for i, p := range pkts {
				var out []byte
				nalUnits(p.Data, func(nal []byte) {
					switch {
					case c == capture.CodecH264 && h264.NALUType(nal[0]&0x1f) == h264.NALUTypeSPS:
						if n := setH264Reorder(nal, func(uint32) uint32 { return declare }); n != nil {
							nal, deep = n, deep+1
						}
					case c == capture.CodecH265 && h265.NALUType(nal[0]>>1&0x3f) == h265.NALUType_SPS_NUT:
						if n := setH265Reorder(nal, func(uint32) uint32 { return declare }); n != nil {
							nal, deep = n, deep+1
						}
					}
					out = append(append(out, 0, 0, 0, 1), nal...)
				})
				pkts[i].Data = out
			}
			if deep == 0 {
				t.Fatalf("no SPS rewritten to declare %d", declare)
			}
			d := newDecoder(t, c)
			shownPTS, maxHeld := decodeHeld(t, d, pkts, nil)
			shown := len(shownPTS)
			if maxHeld > maxReorder {
				t.Fatalf("a picture left the decoder %d packets after its own (declared %d, cap %d)", maxHeld, declare, maxReorder)
			}
			if shown < len(pkts)-maxReorder {
				t.Fatalf("%d pictures from %d packets", shown, len(pkts))
			}
			t.Logf("declared %d: %d pictures from %d packets, held at most %d", declare, shown, len(pkts), maxHeld)
		})
	}
}

// FuzzCapReorder: whatever SPS bytes a camera sends, rewriting its reorder depth does not
// panic, stays small, and capping is done in one pass (a capped SPS needs no more capping).
func FuzzCapReorder(f *testing.F) {
	for _, c := range codecs {
		s := avdectest.Stream{Codec: c, Width: 160, Height: 120, Frames: 2, BFrames: 1}
		sps := firstSPS(&testing.T{}, c, avdectest.Encode(f, s))
		f.Add(c == capture.CodecH264, sps)
	}
	f.Fuzz(func(t *testing.T, h264 bool, nal []byte) {
		set, capped := setH265Reorder, cappedH265SPS
		if h264 {
			set, capped = setH264Reorder, cappedH264SPS
		}
		for _, v := range []uint32{0, 16, 1 << 20} {
			// Up to 16 fields (8 H.265 sub-layers × 2) grow by a few bytes each.
			if out := set(nal, func(uint32) uint32 { return v }); v <= 16 && len(out) > 2*len(nal)+64 {
				t.Fatalf("%d bytes from %d", len(out), len(nal))
			}
		}
		if out := capped(nal, maxReorder); out != nil {
			if again := capped(out, maxReorder); again != nil {
				t.Fatalf("capped twice: % x → % x → % x", nal, out, again)
			}
		}
	})
}
