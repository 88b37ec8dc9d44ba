package rtsp_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// TestProbeSilentServer: an RTSP port that accepts and never answers is named by the
// request it did not answer, whether the probe's deadline or the source's runs out first.
func TestProbeSilentServer(t *testing.T) {
	addr := capturetest.SilentListener(t)
	want := addr + ": accepted the connection but did not answer DESCRIBE within"
	src := &rtsp.Source{URL: "rtsp://" + addr + "/cam", Logger: quiet}
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 300 * time.Millisecond})
	if r.OK() || r.ErrorKind != capture.CauseTimeout || !strings.HasPrefix(r.Error, want+" 300ms") || strings.Contains(r.Error, "deadline") {
		t.Fatalf("probe deadline: %s (%s)", r.Error, r.ErrorKind)
	}
	src = &rtsp.Source{URL: "rtsp://" + addr + "/cam", Logger: quiet, Timeout: 200 * time.Millisecond}
	r = capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 10 * time.Second})
	if r.OK() || r.ErrorKind != capture.CauseTimeout || !strings.HasPrefix(r.Error, want+" 200ms") || strings.Contains(r.Error, "context deadline") {
		t.Fatalf("source deadline: %s (%s)", r.Error, r.ErrorKind)
	}
	t.Log(r.Error)
}

// TestProbePlayButNoPicture: a camera that answers PLAY and sends nothing.
func TestProbePlayButNoPicture(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	srv.Stall("h264", true)
	src := source(srv.URL("h264"))
	src.Transport = rtsp.TransportTCP
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: time.Second})
	if r.OK() || r.ErrorKind != capture.CauseStalled || !strings.HasPrefix(r.Error, srv.Addr()+": answered PLAY but sent no picture within 1s") {
		t.Fatalf("%s (%s)", r.Error, r.ErrorKind)
	}
}

// afterPackets passes a source's packets on and calls then once after n of them: a test's
// way to make the real server stall or die mid-measurement.
type afterPackets struct {
	capture.Source
	n    int
	then func()
}

func (a *afterPackets) Run(ctx context.Context, sink capture.Sink) error {
	return a.Source.Run(ctx, &countingSink{Sink: sink, n: a.n, then: a.then})
}

type countingSink struct {
	capture.Sink
	n, seen int
	then    func()
}

func (s *countingSink) Packet(p capture.Packet) {
	s.Sink.Packet(p)
	if s.seen++; s.seen == s.n {
		s.then()
	}
}

// Phase passes the phases on (the wrapper must not hide them).
func (s *countingSink) Phase(f string) { capture.ReportPhase(s.Sink, f) }

// TestProbeStallAndReset: an RTSP camera that stalls, or goes away, after a few frames
// fails the probe with the cause and the frame count.
func TestProbeStallAndReset(t *testing.T) {
	srv := server(t, rtsptest.Options{})
	src := source(srv.URL("h264"))
	src.Transport = rtsp.TransportTCP
	r := capture.Probe(context.Background(), &afterPackets{Source: src, n: 5, then: func() { srv.Stall("h264", true) }},
		capture.ProbeOptions{Duration: time.Minute, StallAfter: 700 * time.Millisecond})
	if r.OK() || r.ErrorKind != capture.CauseStalled || r.Frames < 5 || !strings.Contains(r.Error, "frames stopped after") {
		t.Fatalf("stall: frames %d, %s (%s)", r.Frames, r.Error, r.ErrorKind)
	}
	t.Log(r.Error)
	srv.Stall("h264", false)

	src = source(srv.URL("h264"))
	src.Transport = rtsp.TransportTCP
	var kill sync.WaitGroup
	r = capture.Probe(context.Background(), &afterPackets{Source: src, n: 5, then: func() {
		kill.Add(1)
		go func() { defer kill.Done(); srv.Kill() }()
	}}, capture.ProbeOptions{Duration: time.Minute})
	kill.Wait()
	if r.OK() || r.Frames < 5 || !strings.Contains(r.Error, "the stream broke after") {
		t.Fatalf("reset: frames %d, %s (%s)", r.Frames, r.Error, r.ErrorKind)
	}
	t.Log(r.Error)
}
