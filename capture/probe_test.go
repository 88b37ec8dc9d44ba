package capture

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestProbeMeasuresFrames(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	var calls atomic.Int64
	r := Probe(context.Background(), src, ProbeOptions{Duration: 300 * time.Millisecond,
		Decoders: sizeDecoders(&calls)})
	if !r.OK() || r.Error != "" {
		t.Fatalf("probe failed: %+v", r)
	}
	if r.Protocol != "script" || r.Codec != CodecJPEG || r.Width != 64 || r.Height != 48 {
		t.Fatalf("report %+v", r)
	}
	// The script sends a packet every 5 ms: between 20 and 200 fps on any machine.
	if r.Frames < 5 || r.FPS < 20 || r.FPS > 200 || r.BitrateKbps <= 0 || r.FirstFrameMS <= 0 {
		t.Fatalf("frames %d fps %.1f kbps %.1f first %.1f ms", r.Frames, r.FPS, r.BitrateKbps, r.FirstFrameMS)
	}
	if len(r.Snapshot) == 0 || calls.Load() != 1 {
		t.Fatalf("snapshot %d bytes, %d decodes", len(r.Snapshot), calls.Load())
	}
}

func TestProbeMaxFrames(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Duration: time.Minute, MaxFrames: 3})
	if r.Frames != 3 {
		t.Fatalf("frames %d, want 3", r.Frames)
	}
}

func TestProbeReportsFailure(t *testing.T) {
	src := &scriptSource{steps: []step{{err: errors.New("401 from 127.0.0.1:8080: wrong user or password (camera wants Digest): unauthorized")}}}
	r := Probe(context.Background(), src, ProbeOptions{})
	if r.OK() || !strings.Contains(r.Error, "Digest") || r.AuthOffered == nil {
		t.Fatalf("report %+v", r)
	}
}

func TestProbeConnectedButSilentIsStalled(t *testing.T) {
	src := &scriptSource{steps: []step{{hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Timeout: 200 * time.Millisecond})
	if r.OK() || r.ErrorKind != CauseStalled || r.Advice == "" {
		t.Fatalf("report %+v", r)
	}
}

type failDecoder struct{}

func (failDecoder) Decode(Packet, int, int, *image.RGBA) (*image.RGBA, error) {
	return nil, errors.New("bad huffman code: malformed stream")
}
func (failDecoder) Close() error { return nil }

func TestProbeUndecodableFrameFails(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Decoders: func(Codec) (FrameDecoder, error) { return failDecoder{}, nil }})
	if r.OK() || !strings.Contains(r.Error, "does not decode") {
		t.Fatalf("report %+v", r)
	}
}

// TestProbeStallWithinMeasurementFails: a camera that sends a few frames and then holds the
// connection silently fails the probe, with the cause and the frame count.
func TestProbeStallWithinMeasurementFails(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 5, hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Duration: time.Minute, StallAfter: 300 * time.Millisecond})
	if r.OK() || r.ErrorKind != CauseStalled || r.Frames != 5 || !strings.Contains(r.Error, "after 5 frames") {
		t.Fatalf("report %+v", r)
	}
	t.Log(r.Error)
}

// TestProbeResetWithinMeasurementFails: a connection reset after a few frames fails the
// probe with the reset in the chain and the frame count.
func TestProbeResetWithinMeasurementFails(t *testing.T) {
	reset := fmt.Errorf("connection to 127.0.0.1:1 lost while streaming: %w", syscall.ECONNRESET)
	src := &scriptSource{steps: []step{{packets: 4, err: reset}}}
	r := Probe(context.Background(), src, ProbeOptions{Duration: time.Minute})
	if r.OK() || !errors.Is(r.Err, syscall.ECONNRESET) || r.Frames != 4 || !strings.Contains(r.Error, "broke after 4 frames") {
		t.Fatalf("report %+v", r)
	}
	// A stream that simply ends before the measurement does fails too.
	src = &scriptSource{steps: []step{{packets: 3}}}
	r = Probe(context.Background(), src, ProbeOptions{Duration: time.Minute})
	if r.OK() || r.Frames != 3 || !strings.Contains(r.Error, "ended after 3 frames") {
		t.Fatalf("report %+v", r)
	}
}

// delayDecoder gives no picture for its first delay packets (an H.264 decoder with
// B-frames), then pictures; it knows the source size as avdec does.
type delayDecoder struct {
	delay, calls int
}

func (d *delayDecoder) Decode(p Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	d.calls++
	if d.calls <= d.delay {
		return nil, nil
	}
	fw, fh := FitSize(4000, 3000, w, h)
	return image.NewRGBA(image.Rect(0, 0, fw, fh)), nil
}
func (d *delayDecoder) Close() error           { return nil }
func (d *delayDecoder) SourceSize() (int, int) { return 4000, 3000 }

// sizelessSource sends key packets without a size, as an H.264 source without SPS would.
type sizelessSource struct{ n int }

func (s sizelessSource) Run(ctx context.Context, sink Sink) error {
	sink.Connected(StreamInfo{Protocol: "script", Codec: CodecH264})
	paced(ctx, s.n, func(i int) { sink.Packet(Packet{Codec: CodecH264, Data: []byte{0, 0, 0, 1, 0x65}, Key: i == 0}) })
	<-ctx.Done() // at once when it ended while sending
	return nil
}

// TestProbeDecoderDelay: a decoder that returns (nil, nil) at first is fed until a
// picture comes; the report has the source size, the picture is bounded.
func TestProbeDecoderDelay(t *testing.T) {
	dec := &delayDecoder{delay: 3}
	r := Probe(context.Background(), sizelessSource{n: 1 << 30}, ProbeOptions{Duration: 200 * time.Millisecond,
		Decoders: func(Codec) (FrameDecoder, error) { return dec, nil }})
	if !r.OK() || r.Width != 4000 || r.Height != 3000 || r.Picture == nil || dec.calls != 4 {
		t.Fatalf("report %+v, %d decodes", r, dec.calls)
	}
	if b := r.Picture.Rect; b.Dx() > ProbeDecodeBox || b.Dy() > ProbeDecodeBox {
		t.Fatalf("picture %v, over the %d box", b, ProbeDecodeBox)
	}
	// A decoder that never gives a picture fails the probe at the end of the measurement.
	r = Probe(context.Background(), sizelessSource{n: 1 << 30}, ProbeOptions{Duration: 200 * time.Millisecond,
		Decoders: func(Codec) (FrameDecoder, error) { return &delayDecoder{delay: 1 << 30}, nil }})
	if r.OK() || r.ErrorKind != CauseMalformed || !strings.Contains(r.Error, "no picture") {
		t.Fatalf("report %+v", r)
	}
}

// phaseSource reports what it waits for and then waits forever, as a source talking to a
// server that accepted the connection and never answered.
type phaseSource struct {
	phase     string
	connected bool
}

func (s phaseSource) Run(ctx context.Context, sink Sink) error {
	if s.connected {
		sink.Connected(StreamInfo{Protocol: "mjpeg", Transport: "http"})
	}
	ReportPhase(sink, s.phase)
	<-ctx.Done()
	return nil
}

// TestProbeTimeoutNamesThePhase: the probe's own deadline names what the server did not do.
func TestProbeTimeoutNamesThePhase(t *testing.T) {
	r := Probe(context.Background(), phaseSource{phase: "127.0.0.1:554 did not answer DESCRIBE"}, ProbeOptions{Timeout: 200 * time.Millisecond})
	if r.OK() || r.ErrorKind != CauseTimeout || r.Error != "127.0.0.1:554 did not answer DESCRIBE within 200ms" {
		t.Fatalf("report %+v", r)
	}
	r = Probe(context.Background(), phaseSource{phase: "127.0.0.1:80 sent HTTP headers but no frame", connected: true}, ProbeOptions{Timeout: 200 * time.Millisecond})
	if r.OK() || r.ErrorKind != CauseStalled || !strings.HasPrefix(r.Error, "127.0.0.1:80 sent HTTP headers but no frame within 200ms") ||
		strings.Contains(r.Error, "deadline") {
		t.Fatalf("report %+v", r)
	}
}

// TestProbeFailureCarriesInfo: what a source learned before failing (a 401's schemes, a
// 404 page's Content-Type) reaches the report.
func TestProbeFailureCarriesInfo(t *testing.T) {
	err := WithInfo(fmt.Errorf("401 from 127.0.0.1:80: %w", ErrUnauthorized),
		StreamInfo{Transport: "http", ContentType: "text/html", AuthOffered: []string{"digest", "basic"}})
	r := Probe(context.Background(), &scriptSource{steps: []step{{err: err}}}, ProbeOptions{})
	if r.OK() || r.ErrorKind != CauseUnauthorized || r.ContentType != "text/html" || r.Transport != "http" ||
		strings.Join(r.AuthOffered, ",") != "digest,basic" {
		t.Fatalf("report %+v", r)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://admin:s3cr%40t@10.0.0.5/mjpeg":        "http://10.0.0.5/mjpeg",
		"rtsp://user@cam/stream":                      "rtsp://cam/stream",
		"http://cam/snap.jpg?user=a&password=hunter2": "http://cam/snap.jpg?password=REDACTED&user=a",
		"milestones://srv/cam?token=TOKEN%23abc%23":   "milestones://srv/cam?token=REDACTED",
		"http://cam/x":                   "http://cam/x",
		"::not a url//admin:hunter2@cam": "(unparseable URL)",
		// Passwords with reserved characters: only the scheme and the host after the last '@'.
		"http://admin:ab/cd@10.0.0.5/video":       "http://…@10.0.0.5/…",
		"http://admin:12/34@10.0.0.5:8080/video":  "http://…@10.0.0.5:8080/…",
		"rtsp://admin:p%zzw@[fe80::1]:554/live":   "rtsp://…@[fe80::1]:554/…",
		"http://admin:hunter2":                    "http://…",
		"milestones://vms/Front@Door":             "milestones://vms/Front@Door",
		"rtsp://u:p@c@cam:554/x":                  "rtsp://cam:554/x",
		"http://cam/x#frag@ment":                  "http://cam/x",
		"http://cam/a?Password=p":                 "http://cam/a?Password=REDACTED",
		"http://cam/\x1b[2Jx":                     "http://cam/…",
		"http://cam\x1b[2J/x":                     "http://…",
		"http://admin:s3cret@cam\u202e/x":         "http://cam%E2%80%AE/x",
		"rtsp://admin:pass@10.0.0.5/a?b@c":        "rtsp://10.0.0.5/a?b@c",
		"javascript\x00://admin:pass@cam/":        "(unparseable URL)",
		"http://admin:pass@cam:99999999999999/x/": "http://cam:99999999999999/x/",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestClassifyTLS: a handshake refused for an untrusted certificate, or with a peer that
// does not speak TLS, is kind tls (real handshakes on loopback).
func TestClassifyTLS(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	for name, addr := range map[string]string{"untrusted": tlsSrv.Listener.Addr().String(), "not tls": plain.Listener.Addr().String()} {
		c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "127.0.0.1"})
		if err == nil {
			c.Close()
			t.Fatalf("%s: handshake succeeded", name)
		}
		wrapped := fmt.Errorf("cannot connect to %s: %w", addr, err)
		if got := Classify(wrapped); got != CauseTLS {
			t.Errorf("%s: Classify(%v) = %s, want tls", name, err, got)
		}
	}
}

// A failure prints what happened and, on its own line, what to try: both always, each
// once, whatever words the sentence holds (the probe once hid the advice when the
// sentence said "check" or "try").
func TestPrintProbeFailure(t *testing.T) {
	for _, err := range []error{
		&Error{Kind: ErrNotFound, Where: "cam:80", Status: 404, What: "no stream at http://cam/try-check", Hint: "check the URL path"},
		fmt.Errorf("try again: %w", syscall.ECONNREFUSED),
	} {
		r := ProbeReport{URL: "http://cam/", Err: err}
		r.Explain()
		var b strings.Builder
		r.WriteText(&b, "")
		x := Explain(err)
		want := fmt.Sprintf("FAILED (%s): %s\n  try: %s\n", x.Cause, x.Summary, x.Advice)
		if out := b.String(); !strings.HasSuffix(out, want) || x.Advice == "" || strings.Count(out, x.Advice) != 1 {
			t.Errorf("printed %q, want it to end %q", out, want)
		}
	}
}
