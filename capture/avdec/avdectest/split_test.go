package avdectest

import (
	"bytes"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// TestSplitMatchesEncoder splits ffmpeg's streams, with and without access unit delimiters,
// into exactly the pictures encoded, with key units where the GOP puts them.
func TestSplitMatchesEncoder(t *testing.T) {
	for _, c := range []capture.Codec{capture.CodecH264, capture.CodecH265} {
		for _, aud := range []bool{false, true} {
			for _, bf := range []int{0, 2} {
				s := Stream{Codec: c, Width: 64, Height: 48, Frames: 12, GOP: 5, BFrames: bf, AUD: aud}
				pkts := Encode(t, s)
				if len(pkts) != s.Frames {
					t.Errorf("%+v: %d access units, want %d", s, len(pkts), s.Frames)
					continue
				}
				for i, p := range pkts {
					if want := i%s.GOP == 0; p.Key != want {
						t.Errorf("%+v: unit %d key %v, want %v", s, i, p.Key, want)
					}
					if p.Codec != c || p.Width != 64 || p.Height != 48 {
						t.Errorf("%+v: unit %d is %+v", s, i, p)
					}
				}
				if aud {
					audByte := map[capture.Codec][]byte{capture.CodecH264: {0x09}, capture.CodecH265: {0x46, 0x01}}[c]
					for i, p := range pkts {
						rest := bytes.TrimLeft(p.Data, "\x00")
						if !bytes.HasPrefix(rest, append([]byte{1}, audByte...)) {
							t.Errorf("%+v: unit %d does not start with its delimiter: % x", s, i, p.Data[:min(8, len(p.Data))])
						}
					}
				}
			}
		}
	}
}

// splitCases drive the table test and seed the fuzzers.
var splitCases = []struct {
	name   string
	h265   bool
	stream []byte
	aus    int
	keys   []bool
}{
	{"empty", false, nil, 0, nil},
	{"no start code", false, []byte{1, 2, 3}, 0, nil},
	{"garbage then SPS only", false, []byte{9, 9, 0, 0, 1, 0x67, 1}, 1, []bool{false}},
	{"IDR then P", false, []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 1, 0x65, 0x88, 0, 0, 0, 1, 0x41, 0x9a}, 2, []bool{true, false}},
	{"two slices of one picture", false, []byte{0, 0, 1, 0x65, 0x88, 0, 0, 1, 0x65, 0x40, 0, 0, 1, 0x41, 0x80}, 2, []bool{true, false}},
	{"AUD starts units", false, []byte{0, 0, 1, 9, 0xf0, 0, 0, 1, 0x41, 0x80, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x01, 0x80}, 2, []bool{false, false}},
	{"trailing zeros", false, []byte{0, 0, 1, 0x41, 0x80, 0, 0, 0, 0, 0, 1, 0x41, 0x80, 0, 0}, 2, []bool{false, false}},
	{"empty NAL units", false, []byte{0, 0, 1, 0, 0, 1, 0x41, 0x80, 0, 0, 1}, 1, []bool{false}},
	{"hevc IDR then TRAIL", true, []byte{0, 0, 0, 1, 0x40, 1, 0xc, 0, 0, 1, 0x42, 1, 1, 0, 0, 1, 0x26, 1, 0xaf, 0, 0, 1, 0x02, 1, 0xd0}, 2, []bool{true, false}},
	{"hevc CRA and slice segments", true, []byte{0, 0, 1, 0x2a, 1, 0x80, 0, 0, 1, 0x2a, 1, 0x40, 0, 0, 1, 0x00, 1, 0x80}, 2, []bool{true, false}},
}

func TestSplit(t *testing.T) {
	for _, tc := range splitCases {
		split := SplitAnnexB
		if tc.h265 {
			split = SplitAnnexBH265
		}
		aus, keys := split(tc.stream)
		if len(aus) != tc.aus || !equalBools(keys, tc.keys) {
			t.Errorf("%s: %d units, keys %v; want %d, %v", tc.name, len(aus), keys, tc.aus, tc.keys)
		}
		checkSplit(t, tc.stream, aus, keys)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkSplit holds for every input: the units are stream from its first start code on, cut
// in order, each beginning with a start code.
func checkSplit(t *testing.T, stream []byte, aus [][]byte, keys []bool) {
	t.Helper()
	if len(aus) != len(keys) {
		t.Fatalf("%d units, %d key flags", len(aus), len(keys))
	}
	first := bytes.Index(stream, []byte{0, 0, 1})
	if first < 0 {
		if len(aus) != 0 {
			t.Fatalf("%d units from a stream without a start code", len(aus))
		}
		return
	}
	if first > 0 && stream[first-1] == 0 {
		first--
	}
	if joined := bytes.Join(aus, nil); !bytes.Equal(joined, stream[first:]) {
		t.Fatalf("units joined (%d bytes) are not the stream from its first start code (%d bytes)", len(joined), len(stream)-first)
	}
	for i, au := range aus {
		if !bytes.HasPrefix(au, []byte{0, 0, 1}) && !bytes.HasPrefix(au, []byte{0, 0, 0, 1}) {
			t.Fatalf("unit %d starts % x", i, au[:min(4, len(au))])
		}
		if cap(au) != len(au) {
			t.Fatalf("unit %d has spare capacity: appending to it would overwrite the next", i)
		}
	}
}

func FuzzSplitAnnexB(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.h265, tc.stream)
	}
	f.Fuzz(func(t *testing.T, h265 bool, stream []byte) {
		split := SplitAnnexB
		if h265 {
			split = SplitAnnexBH265
		}
		aus, keys := split(stream)
		checkSplit(t, stream, aus, keys)
	})
}
