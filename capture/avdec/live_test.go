//go:build cgo

package avdec_test

import (
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// shownFrame is what a test keeps of a Frame after releasing it.
type shownFrame struct {
	pts              time.Duration
	hasPTS           bool
	w, h, srcW, srcH int
	latency          time.Duration // Decoded − ReceiveTime of the frame's own packet
}

// watch plays url through the real capture.Stream with avdec, as a tile does (full size),
// and returns the first n frames the viewer takes.
func watch(t testing.TB, url string, n int) []shownFrame {
	t.Helper()
	src := &rtsp.Source{URL: url, Transport: "tcp", Logger: quiet, Timeout: 10 * time.Second}
	s := capture.NewStream("live", src, capture.StreamOptions{Decoders: avdec.NewFrameDecoder, Logger: quiet})
	defer s.Close()
	sub := s.Watch(0, 0)
	defer sub.Close()
	var out []shownFrame
	deadline := time.After(60 * time.Second)
	for len(out) < n {
		select {
		case <-sub.Ready():
		case <-deadline:
			t.Fatalf("%d of %d frames from %s within 60 s; status %+v", len(out), n, url, s.Status())
		}
		fr := sub.Take()
		if fr == nil {
			continue
		}
		b := fr.Image.Bounds()
		out = append(out, shownFrame{pts: fr.PTS, hasPTS: fr.HasPTS, w: b.Dx(), h: b.Dy(),
			srcW: fr.SrcWidth, srcH: fr.SrcHeight, latency: fr.Decoded.Sub(fr.ReceiveTime)})
		fr.Release()
	}
	return out
}

// checkShown: frames carry PTS, strictly increasing (presentation order), at the
// stream's picture size.
func checkShown(t *testing.T, frames []shownFrame, w, h int) {
	t.Helper()
	for i, f := range frames {
		if !f.hasPTS {
			t.Fatalf("frame %d: no PTS", i)
		}
		if f.w != w || f.h != h || f.srcW != w || f.srcH != h {
			t.Fatalf("frame %d: picture %dx%d of %dx%d, want %dx%d", i, f.w, f.h, f.srcW, f.srcH, w, h)
		}
		if i > 0 && f.pts <= frames[i-1].pts {
			t.Fatalf("frame %d: PTS %v after %v: not in presentation order", i, f.pts, frames[i-1].pts)
		}
	}
}

func reordered(t testing.TB, enc func(w, h, fps, seconds int) (rtsptest.Reordered, error), w, h, fps, seconds int) rtsptest.Reordered {
	t.Helper()
	r, err := enc(w, h, fps, seconds)
	capturetest.Made(t, err, rtsptest.ErrNoFFmpeg)
	return r
}

// TestLiveBFramesInPresentationOrder: H.264 High and H.265 with B-frames from rtsptest,
// through rtsp.Source, the Hub and the Decoder with avdec: the frames a viewer takes run
// in strictly increasing presentation time at the right size.
func TestLiveBFramesInPresentationOrder(t *testing.T) {
	h264 := reordered(t, rtsptest.EncodeH264BFrames, 320, 240, 25, 2)
	h265 := reordered(t, rtsptest.EncodeH265BFrames, 320, 240, 25, 2)
	srv := rtsptest.Start(t, rtsptest.Options{Streams: map[string]rtsptest.Stream{
		"h264b": {H264: h264.AUs, PTS: h264.PTS, FPS: 25},
		"h265b": {H265: h265.AUs, PTS: h265.PTS, FPS: 25},
	}})
	for _, path := range []string{"h264b", "h265b"} {
		t.Run(path, func(t *testing.T) {
			checkShown(t, watch(t, srv.URL(path), 50), 320, 240)
		})
	}
}

// TestLiveGStreamerBFrames is TestLiveBFramesInPresentationOrder against GStreamer's RTSP
// server: x264enc bframes=2 without the zerolatency tune, and x265enc bframes=2.
func TestLiveGStreamerBFrames(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "", "")
	for _, path := range []string{"h264b", "h265b"} {
		t.Run(path, func(t *testing.T) {
			checkShown(t, watch(t, g.URL(path), 40), 320, 240)
		})
	}
}

// BenchmarkReorderLatency measures what reordering costs a viewer: the time from a
// packet's arrival (ReceiveTime) to its picture leaving the decoder (Decoded), p50 and p99
// over 300 frames of 1280×720 25 fps H.264 from rtsptest, with B-frames (x264 High, two
// B-frames, no zerolatency) and without (x264 zerolatency, I and P only). Run it with
//
//	go test -run '^$' -bench ReorderLatency -benchtime 1x ./capture/avdec/
func BenchmarkReorderLatency(b *testing.B) {
	const w, h, fps, frames = 1280, 720, 25, 300
	bf := reordered(b, rtsptest.EncodeH264BFrames, w, h, fps, 4)
	plain, err := rtsptest.EncodeH264(w, h, fps, 4)
	if err != nil {
		b.Fatal(err)
	}
	srv := rtsptest.Start(b, rtsptest.Options{Streams: map[string]rtsptest.Stream{
		"bframes": {H264: bf.AUs, PTS: bf.PTS, FPS: fps},
		"plain":   {H264: plain, FPS: fps},
	}})
	for i := 0; i < b.N; i++ {
		for _, path := range []string{"plain", "bframes"} {
			got := watch(b, srv.URL(path), frames)
			lat := make([]time.Duration, 0, len(got))
			for _, f := range got[25:] { // the first second settles (connection, first GOP)
				lat = append(lat, f.latency)
			}
			slices.Sort(lat)
			p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
			b.ReportMetric(float64(p50)/1e6, path+"-p50-ms")
			b.ReportMetric(float64(p99)/1e6, path+"-p99-ms")
			b.Logf("%s: receive→decoded over %d frames: p50 %v, p99 %v, max %v", path, len(lat),
				p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
		}
	}
}
