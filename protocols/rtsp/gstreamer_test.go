package rtsp_test

import (
	"bytes"
	"errors"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

func TestGStreamerH264(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "", "")
	for _, tr := range []string{"auto", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			src := source(g.URL("h264"))
			src.Transport = tr
			start := time.Now()
			k := capturetest.Received(t, src, 20)
			t.Logf("20 packets in %v; tracks %+v", time.Since(start).Round(time.Millisecond), src.Tracks())
			want := map[string]string{"auto": "udp", "tcp": "tcp"}[tr]
			checkH264(t, k, want)
		})
	}
}

func TestGStreamerMJPEG(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "", "")
	src := source(g.URL("mjpeg"))
	k := capturetest.Received(t, src, 10)
	if i := k.Infos()[0]; i.Codec != capture.CodecJPEG || i.Transport != "udp" {
		t.Errorf("StreamInfo %+v", i)
	}
	for n, p := range k.Packets() {
		if !p.Key || p.Width != 320 || p.Height != 240 {
			t.Fatalf("packet %d: key %v %dx%d", n, p.Key, p.Width, p.Height)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(k.Packets()[len(k.Packets())-1].Data))
	if err != nil {
		t.Fatalf("JPEG from GStreamer does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Fatalf("decoded %v", b)
	}
}

func TestGStreamerDigest(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "viewer", "pa55word")
	src := source(g.URL("h264"))
	src.User, src.Password = "viewer", "pa55word"
	k := capturetest.Received(t, src, 5)
	if i := k.Infos()[0]; i.Auth != "digest" || strings.Join(i.AuthOffered, ",") != "digest" {
		t.Errorf("auth %q offered %v", i.Auth, i.AuthOffered)
	}
	src = source(g.URL("h264"))
	src.User, src.Password = "viewer", "wrong"
	_, err := capturetest.Run(t, src, 5)
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "wrong\"") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestGStreamerKillRestart: the server process dies (offline, refused) and comes back
// on the same port (live again).
func TestGStreamerKillRestart(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "", "")
	killRestart(t, source(g.URL("mjpeg")), g.Kill, func() error { g.Start(); return nil })
}

// TestGStreamerBFrames: GStreamer's x264enc with bframes=2 and no zerolatency tune, and
// x265enc with bframes=2, send B-frames in decode order; the Source's packets carry a DTS
// that never decreases and a PTS at or after it that runs backwards where pictures are
// reordered.
func TestGStreamerBFrames(t *testing.T) {
	g := rtsptest.StartGStreamer(t, "", "")
	for _, tc := range []struct {
		path    string
		codec   capture.Codec
		profile string
	}{
		{"h264b", capture.CodecH264, "High"},
		{"h265b", capture.CodecH265, "Main"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			src := source(g.URL(tc.path))
			src.Transport = "tcp"
			var log *logBuffer
			src.Logger, log = logged()
			k := capturetest.Received(t, src, 45) // three GOPs at 15 fps
			checkNoGuess(t, log)
			pkts := k.Packets()
			if p := pkts[0]; p.Codec != tc.codec || !p.Key || p.Width != 320 || p.Height != 240 {
				t.Fatalf("first packet %s key %v %dx%d", p.Codec, p.Key, p.Width, p.Height)
			}
			checkMediaTimes(t, pkts, 15, true)
			if tr := src.Tracks(); len(tr) != 1 || !strings.HasPrefix(tr[0].Profile, tc.profile) {
				t.Errorf("tracks %+v, want %s profile", tr, tc.profile)
			}
		})
	}
}
