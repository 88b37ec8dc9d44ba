package rtsp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Parameter sets of a 320x240 libx264 (Constrained Baseline 1.3) and libx265 (Main)
// stream from ffmpeg's testsrc2.
var (
	sps264 = unhex("6742c00dda0507ec0440000003004000000ca3c50aa8")
	pps264 = unhex("68ce0fc8")
	idr264 = []byte{0x65, 0x88, 0x84, 0x00, 0x33}
	p264   = []byte{0x41, 0x9a, 0x02, 0x04}
	aud264 = []byte{0x09, 0xf0}
	sei264 = []byte{0x06, 0x05, 0x01, 0x80}

	vps265 = unhex("40010c01ffff01600000030090000003000003003c959409")
	sps265 = unhex("42010101600000030090000003000003003ca00a080f16595952930bc05a020000030002000003003210")
	pps265 = unhex("4401c073c189")
	cra265 = []byte{0x2a, 0x01, 0xaf, 0x00} // type 21
	trl265 = []byte{0x02, 0x01, 0xd0, 0x00} // type 1
)

func annexB(nalus ...[]byte) []byte {
	var b []byte
	for _, n := range nalus {
		b = append(b, 0, 0, 0, 1)
		b = append(b, n...)
	}
	return b
}

// auCases drive the table test and seed the fuzz target.
var auCases = []struct {
	name     string
	codec    capture.Codec
	sdp      [][]byte // parameter sets known beforehand (SDP)
	in       [][]byte
	want     []byte
	key      bool
	w, h     int
	hasParam bool
}{
	{"h264 IDR, params only in SDP", capture.CodecH264, [][]byte{sps264, pps264}, [][]byte{idr264},
		annexB(sps264, pps264, idr264), true, 320, 240, true},
	{"h264 IDR after AUD and SEI", capture.CodecH264, [][]byte{sps264, pps264}, [][]byte{aud264, sei264, idr264},
		annexB(aud264, sps264, pps264, sei264, idr264), true, 320, 240, true},
	{"h264 IDR with its own params", capture.CodecH264, nil, [][]byte{aud264, sps264, pps264, idr264},
		annexB(aud264, sps264, pps264, idr264), true, 320, 240, true},
	{"h264 IDR with SPS only, PPS from SDP", capture.CodecH264, [][]byte{pps264}, [][]byte{sps264, idr264},
		annexB(sps264, pps264, idr264), true, 320, 240, true},
	{"h264 P frame", capture.CodecH264, [][]byte{sps264, pps264}, [][]byte{p264},
		annexB(p264), false, 320, 240, true},
	{"h264 IDR with no params anywhere", capture.CodecH264, nil, [][]byte{idr264},
		annexB(idr264), false, 0, 0, false},
	{"h264 empty NAL units dropped", capture.CodecH264, nil, [][]byte{{}, p264, {}},
		annexB(p264), false, 0, 0, false},
	{"h265 CRA, params in SDP", capture.CodecH265, [][]byte{vps265, sps265, pps265}, [][]byte{cra265},
		annexB(vps265, sps265, pps265, cra265), true, 320, 240, true},
	{"h265 CRA with its own params", capture.CodecH265, nil, [][]byte{vps265, sps265, pps265, cra265},
		annexB(vps265, sps265, pps265, cra265), true, 320, 240, true},
	{"h265 trailing picture", capture.CodecH265, [][]byte{vps265, sps265, pps265}, [][]byte{trl265},
		annexB(trl265), false, 320, 240, true},
	{"h265 CRA without VPS", capture.CodecH265, [][]byte{sps265, pps265}, [][]byte{cra265},
		annexB(cra265), false, 320, 240, true},
}

func newParams(codec capture.Codec, sdp [][]byte) *paramSets {
	p := &paramSets{codec: codec}
	for _, n := range sdp {
		if len(n) > 0 {
			p.set(p.role(n), n)
		}
	}
	return p
}

func TestAccessUnit(t *testing.T) {
	for _, c := range auCases {
		t.Run(c.name, func(t *testing.T) {
			p := newParams(c.codec, c.sdp)
			got, key, err := p.accessUnit(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.want) || key != c.key {
				t.Fatalf("got key %v\n% x\nwant key %v\n% x", key, got, c.key, c.want)
			}
			if p.width != c.w || p.height != c.h {
				t.Fatalf("size %dx%d, want %dx%d", p.width, p.height, c.w, c.h)
			}
			if c.w > 0 && p.profile == "" {
				t.Fatalf("no profile")
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	p := newParams(capture.CodecH264, [][]byte{sps264})
	p.parse()
	if p.profile != "Constrained Baseline 1.3" || p.fps != 25 {
		t.Errorf("h264 profile %q fps %v", p.profile, p.fps)
	}
	p = newParams(capture.CodecH265, [][]byte{sps265})
	p.parse()
	if p.profile != "Main 2" {
		t.Errorf("h265 profile %q", p.profile)
	}
}

func TestAccessUnitTooLarge(t *testing.T) {
	p := newParams(capture.CodecH264, [][]byte{sps264, pps264})
	big := make([]byte, MaxAUSize)
	big[0] = 0x41
	if _, _, err := p.accessUnit([][]byte{big}); !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("err %v", err)
	}
}

// TestParamSetLimit: a "parameter set" of many kilobytes is not stored (it would be
// copied into every key frame).
func TestParamSetLimit(t *testing.T) {
	p := &paramSets{codec: capture.CodecH264}
	huge := append([]byte{0x67}, make([]byte, maxParamSetSize)...)
	p.set(roleSPS, huge)
	if p.sps != nil {
		t.Fatal("oversized SPS stored")
	}
}

// splitForFuzz cuts fuzz input into NAL units at 00 00 01.
func splitForFuzz(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.Index(b, []byte{0, 0, 1})
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i])
		b = b[i+3:]
	}
	return out
}

// FuzzAccessUnit: any NAL units, for either codec, twice in a row (so stored parameter
// sets are used): no panic, well-formed Annex-B, and a key unit carries its parameter
// sets before its first picture NAL unit.
func FuzzAccessUnit(f *testing.F) {
	for _, c := range auCases {
		var b []byte
		for _, n := range append(slices.Clone(c.sdp), c.in...) {
			b = append(b, 0, 0, 1)
			b = append(b, n...)
		}
		f.Add(c.codec == capture.CodecH265, b)
	}
	f.Fuzz(func(t *testing.T, h265 bool, data []byte) {
		codec := capture.CodecH264
		if h265 {
			codec = capture.CodecH265
		}
		p := &paramSets{codec: codec}
		nalus := splitForFuzz(data)
		for range 2 {
			out, key, err := p.accessUnit(nalus)
			if err != nil {
				if !errors.Is(err, capture.ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if out == nil {
				continue
			}
			if !bytes.HasPrefix(out, []byte{0, 0, 0, 1}) {
				t.Fatalf("no start code: % x", out[:min(8, len(out))])
			}
			if key {
				if !p.complete() {
					t.Fatal("key unit without known parameter sets")
				}
				for _, ps := range [][]byte{p.sps, p.pps} {
					if !bytes.Contains(out, ps) {
						t.Fatal("key unit lacks a parameter set")
					}
				}
			}
		}
	})
}
