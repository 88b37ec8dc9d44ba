package rtsptest_test

import (
	"bytes"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func encode(t *testing.T) (h264, jpg [][]byte) {
	t.Helper()
	h264, err := rtsptest.EncodeH264(160, 128, 10, 1)
	capturetest.Made(t, err, rtsptest.ErrNoFFmpeg)
	jpg, err = rtsptest.EncodeJPEG(160, 128, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	return h264, jpg
}

func TestEncode(t *testing.T) {
	h264, jpg := encode(t)
	if len(h264) != 10 || len(jpg) != 10 {
		t.Fatalf("%d access units, %d JPEGs; want 10 each", len(h264), len(jpg))
	}
	for i, au := range h264 {
		nalus := rtsptest.SplitNALUs(au)
		if len(nalus) == 0 || nalus[0][0]&0x1f != 9 {
			t.Fatalf("access unit %d does not start with an AUD", i)
		}
		idr := slices.ContainsFunc(nalus, func(n []byte) bool { return n[0]&0x1f == 5 })
		if idr != (i == 0) {
			t.Fatalf("access unit %d: IDR %v (want only the first, -g 10)", i, idr)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(jpg[3]))
	if err != nil || img.Bounds().Dx() != 160 || img.Bounds().Dy() != 128 {
		t.Fatalf("JPEG: %v %v", err, img)
	}
	// A second call is served from the cache, identical.
	again, err := rtsptest.EncodeH264(160, 128, 10, 1)
	if err != nil || len(again) != len(h264) || !bytes.Equal(again[0], h264[0]) {
		t.Fatalf("cached: %v", err)
	}
	if _, err := rtsptest.EncodeJPEG(150, 128, 10, 1); err == nil {
		t.Fatal("JPEG size not a multiple of 16 accepted")
	}
	if _, err := rtsptest.EncodeH264(0, 128, 10, 1); err == nil {
		t.Fatal("zero width accepted")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	h264, _ := encode(t)
	for _, o := range []rtsptest.Options{
		{},
		{Streams: map[string]rtsptest.Stream{"a": {}}},
		{Streams: map[string]rtsptest.Stream{"a": {H264: h264, JPEG: h264}}},
		{Streams: map[string]rtsptest.Stream{"a": {H264: [][]byte{{0, 0, 0, 1, 0x65, 1}}}}}, // no SPS/PPS
		{Streams: map[string]rtsptest.Stream{"a": {H264: h264}}, Auth: "ntlm"},
	} {
		if s, err := rtsptest.New(o); err == nil {
			s.Close()
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestServer plays both kinds of path, checks the counters, and kills and restarts the
// server on the same ports.
func TestServer(t *testing.T) {
	h264, jpg := encode(t)
	srv := rtsptest.Start(t, rtsptest.Options{UDP: true, Streams: map[string]rtsptest.Stream{
		"a": {H264: h264, FPS: 20}, "/b/": {JPEG: jpg, FPS: 20},
	}})
	if srv.RTPPort()%2 != 0 || srv.RTPPort() == 0 {
		t.Fatalf("RTP port %d is not even", srv.RTPPort())
	}
	play := func(path, transport string, want capture.Codec) {
		t.Helper()
		src := &rtsp.Source{URL: srv.URL(path), Transport: transport, Logger: quiet, Timeout: 5 * time.Second}
		k, err := capturetest.Run(t, src, 3)
		if err != nil {
			t.Fatalf("%s over %s: %v", path, transport, err)
		}
		if i := k.Infos()[0]; i.Codec != want || i.Transport != transport {
			t.Fatalf("%s: %+v", path, i)
		}
		if p := k.Packets()[0]; p.Width != 160 || p.Height != 128 {
			t.Fatalf("%s: %dx%d", path, p.Width, p.Height)
		}
	}
	play("a", "udp", capture.CodecH264)
	play("b", "tcp", capture.CodecJPEG)
	if got := srv.Setups(); !slices.Equal(got, []string{"udp", "tcp"}) {
		t.Errorf("setups %v", got)
	}
	if srv.Plays() != 2 || srv.Sessions() != 2 || srv.Connections() < 2 {
		t.Errorf("plays %d sessions %d connections %d", srv.Plays(), srv.Sessions(), srv.Connections())
	}

	srv.Kill()
	if c, err := net.Dial("tcp", srv.Addr()); err == nil {
		c.Close()
		t.Fatal("connection accepted after Kill")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	play("a", "udp", capture.CodecH264)
}

func TestSplitAccessUnits(t *testing.T) {
	sps := []byte{0x67, 1, 2}
	pps := []byte{0x68, 3}
	aud := []byte{0x09, 0xf0}
	idr := []byte{0x65, 0x88, 0, 0, 0} // trailing zeros belong to the next start code
	p := []byte{0x41, 0x9a}
	stream := []byte{0xff} // junk before the first start code
	for _, n := range [][]byte{aud, sps, pps, idr, aud, p, aud, p} {
		stream = append(stream, 0, 0, 1)
		stream = append(stream, n...)
	}
	aus, err := rtsptest.SplitAccessUnits(stream)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{
		{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 0x88},
		{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a},
		{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a},
	}
	if len(aus) != len(want) {
		t.Fatalf("%d access units", len(aus))
	}
	for i := range want {
		if !bytes.Equal(aus[i], want[i]) {
			t.Fatalf("AU %d: % x", i, aus[i])
		}
	}
}

func FuzzSplitAccessUnits(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x09, 0, 0, 1, 0x41})
	f.Add([]byte{0, 0, 1})
	f.Add([]byte{0, 0, 1, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		aus, err := rtsptest.SplitAccessUnits(b)
		if err != nil {
			return
		}
		total := 0
		for _, au := range aus {
			if !bytes.HasPrefix(au, []byte{0, 0, 0, 1}) || len(au) < 5 {
				t.Fatalf("bad access unit % x", au)
			}
			total += len(au)
		}
		if total > 2*len(b)+4 {
			t.Fatalf("%d bytes out of %d", total, len(b))
		}
	})
}

// TestEncodeLoopH264: a JPEG loop becomes one H.264 access unit per picture, the first
// a key frame, and the second call comes from the cache.
func TestEncodeLoopH264(t *testing.T) {
	jpg, err := rtsptest.EncodeJPEG(160, 128, 10, 1)
	capturetest.Made(t, err, rtsptest.ErrNoFFmpeg)
	aus, err := rtsptest.EncodeLoopH264(jpg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(aus) != len(jpg) {
		t.Fatalf("%d access units from %d pictures", len(aus), len(jpg))
	}
	key := false
	for _, n := range rtsptest.SplitNALUs(aus[0]) {
		key = key || n[0]&0x1f == 5
	}
	if !key {
		t.Fatal("first access unit holds no IDR")
	}
	again, err := rtsptest.EncodeLoopH264(jpg, 10)
	if err != nil || len(again) != len(aus) || !bytes.Equal(again[0], aus[0]) {
		t.Fatalf("second encode differs: %v", err)
	}
}
