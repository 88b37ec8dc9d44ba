package rtsp_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// bframeStreams returns the B-frame test streams (see streams).
func bframeStreams(t *testing.T) (h264, h265 rtsptest.Reordered) {
	t.Helper()
	streams(t)
	return bH264, bH265
}

// logBuffer collects a Source's log lines; Handler writes to it from gortsplib's goroutines.
type logBuffer = capturetest.LockedBuffer

// logged returns a logger recording into a logBuffer.
func logged() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

// checkNoGuess fails t when the Source had to guess a decode time: the DTS extractor
// must follow every stream the tests send.
func checkNoGuess(t *testing.T, log *logBuffer) {
	t.Helper()
	if s := log.String(); strings.Contains(s, "decode times guessed") {
		t.Fatalf("the Source fell back to guessed decode times:\n%s", s)
	}
}

// checkMediaTimes checks capture.Packet's media clock contract on packets of one run:
// HasPTS on all, DTS strictly increasing (a DTS only repeats when the source had to guess
// it), PTS ≥ DTS, PTS−DTS within a few frame intervals, every PTS distinct, and the PTS
// running backwards somewhere exactly when the stream reorders (B-frames).
func checkMediaTimes(t *testing.T, pkts []capture.Packet, fps float64, reorders bool) {
	t.Helper()
	interval := time.Duration(float64(time.Second) / fps)
	backwards := 0
	seen := map[time.Duration]bool{}
	for n, p := range pkts {
		if !p.HasPTS {
			t.Fatalf("packet %d: no PTS", n)
		}
		if p.PTS < p.DTS {
			t.Fatalf("packet %d: PTS %v before DTS %v", n, p.PTS, p.DTS)
		}
		if testing.Verbose() && n < 12 {
			t.Logf("packet %d key %v PTS %v DTS %v", n, p.Key, p.PTS, p.DTS)
		}
		if p.PTS-p.DTS > 8*interval {
			t.Fatalf("packet %d: PTS %v is %v after DTS %v, more than 8 frames", n, p.PTS, p.PTS-p.DTS, p.DTS)
		}
		if seen[p.PTS] {
			t.Fatalf("packet %d: PTS %v repeated", n, p.PTS)
		}
		seen[p.PTS] = true
		if n == 0 {
			continue
		}
		q := pkts[n-1]
		if p.DTS <= q.DTS {
			t.Fatalf("packet %d: DTS %v after %v: not increasing", n, p.DTS, q.DTS)
		}
		if p.PTS < q.PTS {
			backwards++
		}
	}
	if reorders && backwards == 0 {
		t.Fatalf("no PTS ran backwards in %d packets of a B-frame stream", len(pkts))
	}
	if !reorders && backwards > 0 {
		t.Fatalf("%d PTS ran backwards in a stream without B-frames", backwards)
	}
	t.Logf("%d packets, %d presented before their predecessor; first PTS %v DTS %v, last PTS %v DTS %v",
		len(pkts), backwards, pkts[0].PTS, pkts[0].DTS, pkts[len(pkts)-1].PTS, pkts[len(pkts)-1].DTS)
}

// TestBFramesMediaTimes: rtsptest sends High-profile H.264 and H.265 with B-frames in
// decode order with presentation timestamps; the Source's packets carry PTS and a DTS
// worked out from the slice headers. The stream without B-frames has PTS = DTS.
func TestBFramesMediaTimes(t *testing.T) {
	h264, h265 := bframeStreams(t)
	plain, _ := streams(t)
	srv := server(t, rtsptest.Options{UDP: true, Streams: map[string]rtsptest.Stream{
		"h264b":      {H264: h264.AUs, PTS: h264.PTS, FPS: 25},
		"h265b":      {H265: h265.AUs, PTS: h265.PTS, FPS: 25},
		"h264b-sdp":  {H264: h264.AUs, PTS: h264.PTS, FPS: 25, OutOfBandParams: true},
		"h264-plain": {H264: plain, FPS: 25},
	}})
	for _, tc := range []struct {
		path, transport string
		codec           capture.Codec
		reorders        bool
	}{
		{"h264b", "tcp", capture.CodecH264, true},
		{"h264b", "udp", capture.CodecH264, true},
		{"h265b", "tcp", capture.CodecH265, true},
		{"h264b-sdp", "tcp", capture.CodecH264, true},
		{"h264-plain", "tcp", capture.CodecH264, false},
	} {
		t.Run(tc.path+"/"+tc.transport, func(t *testing.T) {
			src := source(srv.URL(tc.path))
			src.Transport = tc.transport
			var log *logBuffer
			src.Logger, log = logged()
			k := capturetest.Received(t, src, 60) // more than two GOPs at 25 fps
			checkNoGuess(t, log)
			pkts := k.Packets()
			if pkts[0].Codec != tc.codec || !pkts[0].Key || pkts[0].Width != 320 || pkts[0].Height != 240 {
				t.Fatalf("first packet %s key %v %dx%d", pkts[0].Codec, pkts[0].Key, pkts[0].Width, pkts[0].Height)
			}
			checkMediaTimes(t, pkts, 25, tc.reorders)
			if tc.reorders && tc.codec == capture.CodecH264 {
				if tr := src.Tracks(); len(tr) != 1 || tr[0].Profile[:4] != "High" {
					t.Errorf("tracks %+v, want High profile", tr)
				}
			}
		})
	}
}

// TestMJPEGMediaTimes: M-JPEG packets carry PTS = DTS from the RTP clock, one frame
// interval apart.
func TestMJPEGMediaTimes(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("mjpeg"))
	src.Transport = "tcp"
	var log *logBuffer
	src.Logger, log = logged()
	k := capturetest.Received(t, src, 20)
	checkNoGuess(t, log)
	pkts := k.Packets()
	checkMediaTimes(t, pkts, 25, false)
	for n, p := range pkts {
		if p.PTS != p.DTS {
			t.Fatalf("packet %d: PTS %v DTS %v", n, p.PTS, p.DTS)
		}
		if n > 0 {
			if d := p.PTS - pkts[n-1].PTS; d < 39*time.Millisecond || d > 41*time.Millisecond {
				t.Fatalf("packet %d: %v after the previous, want 40 ms", n, d)
			}
		}
	}
}
