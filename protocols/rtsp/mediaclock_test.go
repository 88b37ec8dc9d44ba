package rtsp

import (
	"bytes"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// TestMediaClockUnwrap: RTP timestamps wrap at 2³² and step back for B-frames; PTS keeps
// counting from the first unit, and JPEG's DTS equals its PTS.
func TestMediaClockUnwrap(t *testing.T) {
	c := newMediaClock(capture.CodecJPEG, 90000)
	for i, tc := range []struct {
		ts   uint32
		want time.Duration
	}{
		{0xffffd8f0, 0}, // 10000 ticks before the wrap
		{0x00000000, 10000 * time.Second / 90000}, // across it
		{0x00001770, 16000 * time.Second / 90000},
	} {
		pts, dts, err := c.times(tc.ts, nil)
		if err != nil || pts != tc.want || dts != pts {
			t.Fatalf("%d: ts %#x gave PTS %v DTS %v err %v, want %v", i, tc.ts, pts, dts, err, tc.want)
		}
	}
	// A day of 90 kHz ticks does not overflow.
	if d := c.duration(90000 * 86400 * 3); d != 72*time.Hour {
		t.Fatalf("3 days of ticks: %v", d)
	}
}

// TestMediaClockFallback: units the DTS extractor cannot follow (before any SPS here) get
// a DTS all the same, non-decreasing and never after the PTS, with the reason reported.
func TestMediaClockFallback(t *testing.T) {
	c := newMediaClock(capture.CodecH264, 90000)
	var prev time.Duration
	for i, ts := range []uint32{0, 3600 * 3, 3600, 3600 * 2, 100, 3600 * 4} {
		pts, dts, err := c.times(ts, [][]byte{p264})
		if err == nil {
			t.Fatalf("%d: no error from a unit without SPS", i)
		}
		if dts > pts || (i > 0 && dts < prev) {
			t.Fatalf("%d: PTS %v DTS %v after DTS %v", i, pts, dts, prev)
		}
		prev = dts
	}
	if c.fallbacks != 6 {
		t.Fatalf("fallbacks %d", c.fallbacks)
	}
	// With parameter sets and an IDR the extractor takes over.
	if _, _, err := c.times(3600*5, [][]byte{sps264, pps264, idr264}); err != nil {
		t.Fatalf("IDR after the parameter sets: %v", err)
	}
}

// FuzzMediaClock: whatever NAL units and timestamps a camera sends, the clock keeps DTS
// non-decreasing and ≤ PTS, and does not panic.
func FuzzMediaClock(f *testing.F) {
	f.Add(true, uint32(0), annexB(sps264, pps264, idr264), uint32(3600), annexB(p264))
	f.Add(false, uint32(1), annexB(vps265, sps265, pps265, cra265), uint32(0xffffffff), annexB(trl265))
	f.Add(true, uint32(9000), annexB(p264), uint32(0), annexB(idr264))
	f.Fuzz(func(t *testing.T, h264 bool, ts1 uint32, au1 []byte, ts2 uint32, au2 []byte) {
		codec := capture.CodecH265
		if h264 {
			codec = capture.CodecH264
		}
		if len(au1)+len(au2) > 1<<16 {
			return
		}
		c := newMediaClock(codec, 90000)
		var prev time.Duration
		for i, u := range []struct {
			ts uint32
			au []byte
		}{{ts1, au1}, {ts2, au2}, {ts1, au2}, {ts2, au1}} {
			pts, dts, _ := c.times(u.ts, splitTestNALUs(u.au))
			if dts > pts || (i > 0 && dts < prev) {
				t.Fatalf("unit %d: PTS %v DTS %v after DTS %v", i, pts, dts, prev)
			}
			prev = dts
		}
	})
}

// splitTestNALUs splits Annex-B bytes at 4-byte start codes (as annexB writes them),
// dropping empty NAL units, which gortsplib never hands over.
func splitTestNALUs(b []byte) [][]byte {
	var out [][]byte
	for _, part := range bytes.Split(b, startCode) {
		if len(part) > 0 {
			out = append(out, part)
		}
	}
	return out
}
