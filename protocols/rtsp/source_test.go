package rtsp_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
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

// Test streams, encoded once per process (and cached on disk) by ffmpeg.
var (
	encOnce  sync.Once
	h264AUs  [][]byte
	jpegPics [][]byte
	bH264    rtsptest.Reordered // with B-frames
	bH265    rtsptest.Reordered
	encErr   error
)

func streams(t *testing.T) (h264 [][]byte, jpg [][]byte) {
	t.Helper()
	encOnce.Do(func() {
		h264AUs, encErr = rtsptest.EncodeH264(320, 240, 25, 2)
		if encErr == nil {
			jpegPics, encErr = rtsptest.EncodeJPEG(320, 240, 25, 1)
		}
		if encErr == nil {
			bH264, encErr = rtsptest.EncodeH264BFrames(320, 240, 25, 2)
		}
		if encErr == nil {
			bH265, encErr = rtsptest.EncodeH265BFrames(320, 240, 25, 2)
		}
	})
	if errors.Is(encErr, rtsptest.ErrNoFFmpeg) {
		t.Skip(encErr)
	}
	if encErr != nil {
		t.Fatal(encErr)
	}
	return h264AUs, jpegPics
}

func server(t *testing.T, opts rtsptest.Options) *rtsptest.Server {
	t.Helper()
	h, j := streams(t)
	if opts.Streams == nil {
		opts.Streams = map[string]rtsptest.Stream{
			"h264":  {H264: h, FPS: 25},
			"mjpeg": {JPEG: j, FPS: 25},
		}
	}
	return rtsptest.Start(t, opts)
}

func source(url string) *rtsp.Source {
	return &rtsp.Source{URL: url, Logger: quiet, Timeout: 5 * time.Second, UDPFallbackAfter: time.Second}
}

// nalTypes lists the H.264 NAL unit types of an Annex-B access unit.
func nalTypes(au []byte) []int {
	var out []int
	for _, n := range rtsptest.SplitNALUs(au) {
		out = append(out, int(n[0]&0x1f))
	}
	return out
}

// checkH264 checks the stream contract: Connected once, Annex-B units, the first one a
// key frame carrying SPS and PPS before its IDR, the right size.
func checkH264(t *testing.T, k *capturetest.Sink, transport string) {
	t.Helper()
	infos := k.Infos()
	if len(infos) != 1 {
		t.Fatalf("Connected %d times", len(infos))
	}
	if i := infos[0]; i.Protocol != "rtsp" || i.Transport != transport || i.Codec != capture.CodecH264 {
		t.Errorf("StreamInfo %+v, want rtsp/%s/h264", i, transport)
	}
	pkts := k.Packets()
	keys := 0
	for n, p := range pkts {
		if p.Codec != capture.CodecH264 || !bytes.HasPrefix(p.Data, []byte{0, 0, 0, 1}) {
			t.Fatalf("packet %d: codec %s, starts % x", n, p.Codec, p.Data[:min(8, len(p.Data))])
		}
		if p.Width != 320 || p.Height != 240 {
			t.Fatalf("packet %d: size %dx%d, want 320x240", n, p.Width, p.Height)
		}
		if p.ReceiveTime.IsZero() {
			t.Fatalf("packet %d: no receive time", n)
		}
		types := nalTypes(p.Data)
		if p.Key != slices.Contains(types, 5) {
			t.Fatalf("packet %d: Key %v with NAL types %v", n, p.Key, types)
		}
		if p.Key {
			keys++
			sps, pps, idr := slices.Index(types, 7), slices.Index(types, 8), slices.Index(types, 5)
			if sps < 0 || pps < sps || idr < pps {
				t.Fatalf("packet %d: key frame NAL types %v lack SPS, PPS before IDR", n, types)
			}
		}
	}
	if !pkts[0].Key {
		t.Fatalf("first packet is not a key frame: %v", nalTypes(pkts[0].Data))
	}
}

func TestH264OverTCP(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("h264"))
	src.Transport = "tcp"
	k := capturetest.Received(t, src, 30)
	checkH264(t, k, "tcp")
	if got := k.Infos()[0]; got.Auth != "none" || len(got.AuthOffered) != 0 {
		t.Errorf("auth %q offered %v, want none", got.Auth, got.AuthOffered)
	}
	if src.UsedTransport() != "tcp" {
		t.Errorf("UsedTransport %q", src.UsedTransport())
	}
	tracks := src.Tracks()
	if len(tracks) != 1 || !tracks[0].Playing || tracks[0].Codec != "h264" || tracks[0].Width != 320 ||
		tracks[0].Height != 240 || tracks[0].ClockRate != 90000 || tracks[0].Profile == "" {
		t.Errorf("tracks %+v", tracks)
	}
	t.Logf("tracks %+v", tracks)
}

// TestParameterSetsOnlyInSDP: the camera sends SPS/PPS only in the SDP; every key
// packet must still carry them.
func TestParameterSetsOnlyInSDP(t *testing.T) {
	h, _ := streams(t)
	srv := server(t, rtsptest.Options{Streams: map[string]rtsptest.Stream{"cam": {H264: h, FPS: 25, OutOfBandParams: true}}})
	src := source(srv.URL("cam"))
	src.Transport = "tcp"
	k := capturetest.Received(t, src, 30) // 30 at 25 fps with a key every 25: at least one more key
	checkH264(t, k, "tcp")
}

// TestSourceTimeFromSenderReports: after the first RTCP sender report, packets carry
// the sender's wall clock (the server's, here the same machine's), close to arrival.
func TestSourceTimeFromSenderReports(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("h264"))
	src.Transport = "tcp"
	k := capturetest.Received(t, src, 10)
	with := 0
	for _, p := range k.Packets() {
		if p.SourceTime.IsZero() {
			continue
		}
		with++
		if d := p.ReceiveTime.Sub(p.SourceTime); d < -time.Second || d > 2*time.Second {
			t.Errorf("source time %v off receive time by %v", p.SourceTime, d)
		}
	}
	if with == 0 {
		t.Fatal("no packet carried a source time")
	}
}

func TestMJPEGOverUDP(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	src := source(srv.URL("mjpeg"))
	src.Transport = "udp"
	k := capturetest.Received(t, src, 10)
	if i := k.Infos()[0]; i.Transport != "udp" || i.Codec != capture.CodecJPEG {
		t.Errorf("StreamInfo %+v", i)
	}
	for n, p := range k.Packets() {
		if !p.Key || p.Width != 320 || p.Height != 240 || p.Codec != capture.CodecJPEG {
			t.Fatalf("packet %d: key %v %dx%d %s", n, p.Key, p.Width, p.Height, p.Codec)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(k.Packets()[0].Data))
	if err != nil {
		t.Fatalf("first JPEG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Fatalf("decoded %v", b)
	}
	if got := srv.Setups(); !slices.Equal(got, []string{"udp"}) {
		t.Errorf("setups %v", got)
	}
}

func TestAutoPrefersUDP(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	src := source(srv.URL("h264"))
	k := capturetest.Received(t, src, 10)
	checkH264(t, k, "udp")
	if src.UsedTransport() != "udp" {
		t.Errorf("UsedTransport %q", src.UsedTransport())
	}
}

// TestAutoFallsBackToTCPWhenUDPIsBlocked: UDP is set up but nothing arrives (a
// firewall); auto moves to TCP and remembers it for the next run.
func TestAutoFallsBackToTCPWhenUDPIsBlocked(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	srv.DropUDP(true)
	src := source(srv.URL("h264"))
	start := time.Now()
	k := capturetest.Received(t, src, 5)
	t.Logf("first 5 packets after %v", time.Since(start).Round(time.Millisecond))
	checkH264(t, k, "tcp")
	if src.UsedTransport() != "tcp" {
		t.Errorf("UsedTransport %q", src.UsedTransport())
	}
	if got := srv.Setups(); !slices.Equal(got, []string{"udp", "tcp"}) {
		t.Errorf("setups %v, want udp then tcp", got)
	}
	// The next run goes straight to TCP.
	k = capturetest.Received(t, src, 5)
	checkH264(t, k, "tcp")
	if got := srv.Setups(); !slices.Equal(got, []string{"udp", "tcp", "tcp"}) {
		t.Errorf("setups %v, want a direct tcp on the second run", got)
	}
}

// TestAutoTCPWhenServerRefusesUDP: a server without UDP answers 461; auto retries TCP
// at once.
func TestAutoTCPWhenServerRefusesUDP(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("mjpeg"))
	k := capturetest.Received(t, src, 3)
	if i := k.Infos()[0]; i.Transport != "tcp" {
		t.Errorf("transport %q", i.Transport)
	}
}

func TestFixedTransportRefused(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true, RejectTCP: true})
	src := source(srv.URL("mjpeg"))
	src.Transport = "tcp"
	_, err := capturetest.Run(t, src, 3)
	if err == nil || !strings.Contains(err.Error(), "461") || !strings.Contains(capture.Explain(err).Advice, "auto or udp") || !errors.Is(err, capture.ErrUnsupportedTransport) {
		t.Fatalf("err %v, want 461 with advice", err)
	}
	// auto still works there, over UDP.
	src.Transport = ""
	k, err := capturetest.Run(t, src, 3)
	if err != nil || k.Infos()[0].Transport != "udp" {
		t.Fatalf("auto: %v %+v", err, k.Infos())
	}
}

// TestUDPOnlyFailsWhenBlocked: a fixed "udp" does not fall back; it fails as stalled
// and says to try TCP.
func TestUDPOnlyFailsWhenBlocked(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	srv.DropUDP(true)
	src := source(srv.URL("h264"))
	src.Transport = "udp"
	src.Timeout = 2 * time.Second
	_, err := capturetest.Run(t, src, 3)
	if capture.Classify(err) != capture.CauseStalled || !strings.Contains(capture.Explain(err).Advice, "tcp") {
		t.Fatalf("err %v (%s), want stalled with a hint to try tcp", err, capture.Classify(err))
	}
}

func TestAuth(t *testing.T) {
	for _, scheme := range []string{"digest", "basic"} {
		t.Run(scheme, func(t *testing.T) {
			srv := server(t, rtsptest.Options{User: "admin", Password: "s3cr3t!", Auth: scheme})

			src := source(srv.URL("h264"))
			src.User, src.Password, src.Transport = "admin", "s3cr3t!", "tcp"
			k := capturetest.Received(t, src, 3)
			if i := k.Infos()[0]; i.Auth != scheme || !slices.Equal(i.AuthOffered, []string{scheme}) {
				t.Errorf("auth %q offered %v, want %s", i.Auth, i.AuthOffered, scheme)
			}

			// Credentials in the URL work too.
			src = source(strings.Replace(srv.URL("h264"), "rtsp://", "rtsp://admin:s3cr3t%21@", 1))
			src.Transport = "tcp"
			if _, err := capturetest.Run(t, src, 3); err != nil {
				t.Fatalf("credentials in URL: %v", err)
			}

			// Wrong password: unauthorized, and the password appears nowhere.
			src = source(strings.Replace(srv.URL("h264"), "rtsp://", "rtsp://admin:hunter2@", 1))
			_, err := capturetest.Run(t, src, 3)
			if !errors.Is(err, capture.ErrUnauthorized) || !strings.Contains(err.Error(), "wrong user or password") {
				t.Fatalf("wrong password: %v", err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "admin") {
				t.Fatalf("error leaks credentials: %v", err)
			}

			// None at all.
			_, err = capturetest.Run(t, source(srv.URL("h264")), 3)
			if !errors.Is(err, capture.ErrUnauthorized) || !strings.Contains(err.Error(), "no credentials") ||
				!strings.Contains(strings.ToLower(err.Error()), scheme) {
				t.Fatalf("no credentials: %v", err)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	_, err := capturetest.Run(t, source(srv.URL("nope")), 1)
	if !errors.Is(err, capture.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
}

func TestRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = capturetest.Run(t, source("rtsp://"+addr+"/cam"), 1)
	if capture.Classify(err) != capture.CauseRefused {
		t.Fatalf("err %v (%s)", err, capture.Classify(err))
	}
}

// TestInjectedDialer: unreachable hosts are tested through Dial, never real traffic.
func TestInjectedDialer(t *testing.T) {
	src := source("rtsp://camera.invalid/cam")
	src.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != "camera.invalid:554" {
			t.Errorf("dialled %q", addr)
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.EHOSTUNREACH}
	}
	_, err := capturetest.Run(t, src, 1)
	if capture.Classify(err) != capture.CauseUnreachable {
		t.Fatalf("err %v (%s)", err, capture.Classify(err))
	}
}

func TestBadConfig(t *testing.T) {
	for _, src := range []*rtsp.Source{
		{URL: "http://127.0.0.1/x"},
		{URL: "rtsp://127.0.0.1/x", Transport: "quic"},
	} {
		if err := src.Run(context.Background(), &capturetest.Sink{}); err == nil {
			t.Errorf("%+v: no error", src)
		}
	}
}

// TestStall: the camera keeps the session but stops sending: stalled after Timeout.
func TestStall(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("h264"))
	src.Transport, src.Timeout = "tcp", 1500*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	k := &capturetest.Sink{}
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, k) }()
	capturetest.WaitFor(t, "packets", func() bool { return k.Len() >= 3 || len(errc) > 0 })
	if k.Len() < 3 {
		t.Fatalf("no packets: %v", <-errc)
	}
	srv.Stall("h264", true)
	start := time.Now()
	err := <-errc
	t.Logf("stalled after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if !errors.Is(err, capture.ErrStalled) {
		t.Fatalf("err %v, want stalled", err)
	}
}

// TestCancelWhileConnecting: a port that accepts and never answers; cancel returns nil
// at once.
func TestCancelWhileConnecting(t *testing.T) {
	silent := capturetest.NewSilent(t)
	ctx, cancel := context.WithCancel(context.Background())
	src := source("rtsp://" + silent.Addr + "/cam")
	src.Timeout = time.Minute
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, &capturetest.Sink{}) }()
	capturetest.WaitFor(t, "the connection", func() bool { return silent.Accepted() > 0 })
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("cancel took %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestCancelWhileStreaming on both transports: Run returns nil, nothing leaks (TestMain).
func TestCancelWhileStreaming(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	for _, tr := range []string{"udp", "tcp"} {
		src := source(srv.URL("mjpeg"))
		src.Transport = tr
		ctx, cancel := context.WithCancel(context.Background())
		k := &capturetest.Sink{}
		errc := make(chan error, 1)
		go func() { errc <- src.Run(ctx, k) }()
		capturetest.WaitFor(t, "packets over "+tr, func() bool { return k.Len() >= 3 })
		cancel()
		if err := <-errc; err != nil {
			t.Fatalf("%s: Run returned %v after cancel", tr, err)
		}
		n := k.Len()
		time.Sleep(100 * time.Millisecond)
		if k.Len() != n {
			t.Fatalf("%s: packets after Run returned", tr)
		}
	}
}

// TestSupervisedKillRestart drives the Source through capture.Stream: live, the camera
// dies (offline, refused), comes back (live again).
func TestSupervisedKillRestart(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true})
	t.Logf("states %v", killRestart(t, source(srv.URL("h264")), srv.Kill, srv.Restart))
}

// killRestart runs src through a capture.Stream until it is live, kills the camera and
// waits for offline (refused), restarts it and waits for live again. It returns the
// states the stream went through.
func killRestart(t *testing.T, src capture.Source, kill func(), restart func() error) []capture.State {
	t.Helper()
	var mu sync.Mutex
	var last capture.Status
	var states []capture.State
	s := capture.NewStream("gate", src, capture.StreamOptions{
		StallAfter: 2 * time.Second, DropAfter: 4 * time.Second,
		Backoff: []capture.BackoffTier{{Delay: 100 * time.Millisecond}}, Logger: quiet,
		OnStatus: func(st capture.Status) {
			mu.Lock()
			defer mu.Unlock()
			last = st
			if n := len(states); n == 0 || states[n-1] != st.State {
				states = append(states, st.State)
			}
		},
	})
	defer s.Close()
	_, unsubscribe := s.Subscribe("recorder", 100)
	defer unsubscribe()
	status := func() capture.Status { mu.Lock(); defer mu.Unlock(); return last }

	capturetest.WaitFor(t, "live", func() bool { return status().State == capture.StateLive })
	kill()
	capturetest.WaitFor(t, "offline, refused", func() bool {
		st := status()
		return st.State == capture.StateOffline && capture.Classify(st.Err) == capture.CauseRefused
	})
	if err := restart(); err != nil {
		t.Fatal(err)
	}
	capturetest.WaitFor(t, "live again", func() bool { return status().State == capture.StateLive })
	mu.Lock()
	defer mu.Unlock()
	return states
}

// TestH265: libx265 access units with parameter sets only in the SDP; every key packet
// gets VPS, SPS and PPS in front of its IRAP picture.
func TestH265(t *testing.T) {
	streams(t)
	aus, err := rtsptest.EncodeH265(320, 240, 25, 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := server(t, rtsptest.Options{UDP: true, Streams: map[string]rtsptest.Stream{"cam": {H265: aus, FPS: 25, OutOfBandParams: true}}})
	src := source(srv.URL("cam"))
	k := capturetest.Received(t, src, 30)
	if i := k.Infos()[0]; i.Codec != capture.CodecH265 || i.Transport != "udp" {
		t.Errorf("StreamInfo %+v", i)
	}
	keys := 0
	for n, p := range k.Packets() {
		if p.Width != 320 || p.Height != 240 || p.Codec != capture.CodecH265 {
			t.Fatalf("packet %d: %dx%d %s", n, p.Width, p.Height, p.Codec)
		}
		var types []int
		for _, nal := range rtsptest.SplitNALUs(p.Data) {
			types = append(types, int(nal[0]>>1)&0x3f)
		}
		irap := slices.IndexFunc(types, func(t int) bool { return t >= 16 && t <= 21 })
		if p.Key != (irap >= 0) {
			t.Fatalf("packet %d: Key %v, NAL types %v", n, p.Key, types)
		}
		if p.Key {
			keys++
			vps, sps, pps := slices.Index(types, 32), slices.Index(types, 33), slices.Index(types, 34)
			if vps < 0 || sps < vps || pps < sps || irap < pps {
				t.Fatalf("packet %d: key NAL types %v lack VPS, SPS, PPS in front", n, types)
			}
		}
	}
	if keys < 2 || !k.Packets()[0].Key {
		t.Fatalf("%d key packets; first key %v", keys, k.Packets()[0].Key)
	}
	if tr := src.Tracks(); len(tr) != 1 || tr[0].Codec != "h265" || !strings.HasPrefix(tr[0].Profile, "Main") {
		t.Errorf("tracks %+v", tr)
	}
}

// TestVideoChosenOverAudio: the SDP lists audio first; the video track is played.
func TestVideoChosenOverAudio(t *testing.T) {
	_, j := streams(t)
	srv := server(t, rtsptest.Options{Streams: map[string]rtsptest.Stream{
		"av":    {JPEG: j, FPS: 25, Audio: true},
		"audio": {Audio: true},
	}})
	src := source(srv.URL("av"))
	k := capturetest.Received(t, src, 3)
	if k.Infos()[0].Codec != capture.CodecJPEG {
		t.Errorf("codec %s", k.Infos()[0].Codec)
	}
	tr := src.Tracks()
	if len(tr) != 2 || tr[0].Media != "audio" || tr[0].Playing || !tr[1].Playing || tr[1].Width != 320 {
		t.Errorf("tracks %+v", tr)
	}

	src = source(srv.URL("audio"))
	_, err := capturetest.Run(t, src, 1)
	if !errors.Is(err, capture.ErrNotVideo) || !strings.Contains(err.Error(), "audio") {
		t.Fatalf("audio only: %v", err)
	}
	t.Log(err)
}

// TestProbe: what `vigil probe rtsp://…` reports, from capture.Probe plus Tracks.
func TestProbe(t *testing.T) {
	srv := server(t, rtsptest.Options{UDP: true, User: "u", Password: "p", Auth: "digest"})
	src := source(srv.URL("h264"))
	src.User, src.Password = "u", "p"
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Duration: time.Second})
	if !r.OK() {
		t.Fatalf("probe failed: %s (%s)", r.Error, r.ErrorKind)
	}
	if r.Protocol != "rtsp" || r.Transport != "udp" || r.Codec != capture.CodecH264 || r.Width != 320 ||
		r.Height != 240 || r.Auth != "digest" || !slices.Equal(r.AuthOffered, []string{"digest"}) {
		t.Errorf("report %+v", r)
	}
	if r.FPS < 5 || r.FPS > 100 || r.FirstFrameMS <= 0 { // generous: a loaded machine bunches packets
		t.Errorf("fps %.1f, first frame %.0f ms", r.FPS, r.FirstFrameMS)
	}
	t.Logf("fps %.1f, first frame %.0f ms, %.0f kbit/s, tracks %+v", r.FPS, r.FirstFrameMS, r.BitrateKbps, src.Tracks())

	src = source(srv.URL("h264"))
	r = capture.Probe(context.Background(), src, capture.ProbeOptions{})
	if r.ErrorKind != capture.CauseUnauthorized || r.Advice == "" || !slices.Equal(r.AuthOffered, []string{}) {
		t.Errorf("report %+v", r)
	}
	if got := src.AuthOffered(); !slices.Equal(got, []string{"digest"}) {
		t.Errorf("AuthOffered %v", got)
	}
	t.Logf("401: %s; advice: %s", r.Error, r.Advice)
}
