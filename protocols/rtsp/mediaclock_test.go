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
		pts, dts, err := c.times(tc.ts, nil, time.Time{})
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
		pts, dts, err := c.times(ts, [][]byte{p264}, time.Time{})
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
	if _, _, err := c.times(3600*5, [][]byte{sps264, pps264, idr264}, time.Time{}); err != nil {
		t.Fatalf("IDR after the parameter sets: %v", err)
	}
}

// TestMediaClockJump: a camera whose RTP timestamps jump (a restarted encoder, a clock
// set by NTP, a relay switching sources) by more than maxClockStep, back or forward. The
// media clock goes on from where it was by the time that passed between arrivals: going
// back must not freeze PTS at the last value for as long as the jump (an hour here), and
// going forward must not make one frame last hours.
func TestMediaClockJump(t *testing.T) {
	const frame = 3000 // 30 fps at 90 kHz
	t0 := time.Unix(1_700_000_000, 0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second / 30) }
	for _, jump := range []int64{-90000 * 3600, +90000 * 7200, -90000 * 11, 1 << 31} {
		c := newMediaClock(capture.CodecJPEG, 90000)
		ts := uint32(0x7ffff000)
		var prev time.Duration
		for i := 0; i < 60; i++ {
			if i == 30 {
				ts += uint32(jump)
			}
			pts, dts, _ := c.times(ts, nil, at(i))
			if i > 0 {
				step := pts - prev
				if step <= 0 || step > 200*time.Millisecond {
					t.Fatalf("jump %d ticks, unit %d: PTS %v after %v (step %v), want about 33ms", jump, i, pts, prev, step)
				}
			}
			if dts != pts {
				t.Fatalf("JPEG unit %d: DTS %v PTS %v", i, dts, pts)
			}
			prev = pts
			ts += frame
		}
		if c.jumps != 1 {
			t.Fatalf("jump %d ticks: %d jumps counted, want 1", jump, c.jumps)
		}
	}
}

// TestMediaClockNoFalseJump: the steps a sound stream makes are not jumps: B-frames a
// few frames back, a UDP gap of some seconds, 1 fps.
func TestMediaClockNoFalseJump(t *testing.T) {
	c := newMediaClock(capture.CodecJPEG, 90000)
	t0 := time.Unix(1_700_000_000, 0)
	var tick, top int64
	for i, step := range []int64{0, 9000, -6000, 3000, 90000 * 5, 90000, 90000, -2 * 90000, 3 * 90000} {
		tick += step
		pts, _, _ := c.times(uint32(tick), nil, t0.Add(time.Duration(i)*time.Second))
		if tick > top { // JPEG's PTS never goes back, so only new highs are checked
			top = tick
			if want := c.duration(tick); pts != want {
				t.Fatalf("unit %d: PTS %v, want %v", i, pts, want)
			}
		}
	}
	if c.jumps != 0 {
		t.Fatalf("%d jumps counted in a sound stream", c.jumps)
	}
}

// FuzzMediaClock: whatever NAL units, timestamps and arrival times a camera gives, the
// clock keeps DTS non-decreasing and ≤ PTS, and does not panic.
func FuzzMediaClock(f *testing.F) {
	f.Add(true, uint32(0), annexB(sps264, pps264, idr264), uint32(3600), annexB(p264), int64(40e6))
	f.Add(false, uint32(1), annexB(vps265, sps265, pps265, cra265), uint32(0xffffffff), annexB(trl265), int64(0))
	f.Add(true, uint32(9000), annexB(p264), uint32(0), annexB(idr264), int64(-1))
	f.Add(true, uint32(0), annexB(sps264, pps264, idr264), uint32(0x80000000), annexB(p264), int64(1<<62))
	f.Fuzz(func(t *testing.T, h264 bool, ts1 uint32, au1 []byte, ts2 uint32, au2 []byte, gap int64) {
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
			// Arrivals gap apart (any value: a clock stepping back, a stall of years).
			pts, dts, _ := c.times(u.ts, splitTestNALUs(u.au), time.Unix(0, 0).Add(time.Duration(gap)*time.Duration(i)))
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
