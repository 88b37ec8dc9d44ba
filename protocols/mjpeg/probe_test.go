package mjpeg

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// rawCamera is a loopback TCP peer that plays script on every connection, for the
// misbehaviours mjpegtest does not have (headers then silence, a reset mid-stream).
type rawCamera struct {
	ln net.Listener
	wg sync.WaitGroup
}

func startRaw(t *testing.T, script func(c *net.TCPConn)) *rawCamera {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc := &rawCamera{ln: ln}
	rc.wg.Add(1)
	go func() {
		defer rc.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rc.wg.Add(1)
			go func() {
				defer rc.wg.Done()
				defer c.Close()
				script(c.(*net.TCPConn))
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); rc.wg.Wait() })
	return rc
}

func (rc *rawCamera) url() string { return "http://" + rc.ln.Addr().String() + "/video" }

// drain reads the request and then whatever comes, until the client closes.
func drain(c net.Conn) {
	var b [512]byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return
		}
	}
}

const multipartHead = "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=b\r\n\r\n"

// TestProbeSilentServer: a port that accepts and never answers is named by what it failed
// to do, whether the probe's deadline or the source's own runs out first.
func TestProbeSilentServer(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Silent: true})
	defer srv.Close()
	probeBothDeadlines(t, srv.URL(), capture.CauseTimeout, srv.Addr()+": accepted the connection but sent no HTTP answer within",
		func(s *Source) { s.Timeout = 200 * time.Millisecond })
}

// probeBothDeadlines probes url twice, cut once by the probe's deadline (300 ms) and once
// by the source's own (200 ms, which set sets), and checks that both failures have the
// kind and open with want and the time, without "deadline". It returns the first report.
func probeBothDeadlines(t *testing.T, url string, kind capture.Cause, want string, set func(*Source)) capture.ProbeReport {
	t.Helper()
	first := capture.Probe(context.Background(), &Source{URL: url}, capture.ProbeOptions{Timeout: 300 * time.Millisecond})
	src := &Source{URL: url}
	set(src)
	second := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 10 * time.Second})
	for _, c := range []struct {
		name   string
		r      capture.ProbeReport
		within string
	}{{"probe deadline", first, " 300ms"}, {"source deadline", second, " 200ms"}} {
		if c.r.OK() || c.r.ErrorKind != kind || !strings.HasPrefix(c.r.Error, want+c.within) || strings.Contains(c.r.Error, "deadline") {
			t.Fatalf("%s: %+v", c.name, c.r)
		}
	}
	t.Log(second.Error)
	return first
}

// TestProbeHeadersButNoFrame: a camera that answers 200 with a multipart type and then
// sends nothing.
func TestProbeHeadersButNoFrame(t *testing.T) {
	rc := startRaw(t, func(c *net.TCPConn) {
		c.Write([]byte(multipartHead))
		drain(c)
	})
	r := probeBothDeadlines(t, rc.url(), capture.CauseStalled, rc.ln.Addr().String()+": sent HTTP headers but no frame within",
		func(s *Source) { s.ReadTimeout = 200 * time.Millisecond })
	if !strings.HasPrefix(r.ContentType, "multipart/x-mixed-replace") {
		t.Fatalf("probe deadline: %+v", r)
	}
}

// TestProbeStallAndReset: a stream that stalls, or is reset, after a few frames fails the
// probe with the cause and how many frames came first.
func TestProbeStallAndReset(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{StallAfter: 3, FPS: 25})
	defer srv.Close()
	r := capture.Probe(context.Background(), &Source{URL: srv.URL()}, capture.ProbeOptions{Duration: time.Minute, StallAfter: 500 * time.Millisecond})
	if r.OK() || r.ErrorKind != capture.CauseStalled || r.Frames != 3 || !strings.Contains(r.Error, "after 3 frames") {
		t.Fatalf("stall: frames %d, kind %s, error %q", r.Frames, r.ErrorKind, r.Error)
	}
	t.Log(r.Error)

	frames := mjpegtest.MakeFrames(3, 64, 48)
	rc := startRaw(t, func(c *net.TCPConn) {
		c.Write([]byte(multipartHead))
		for _, f := range frames {
			fmt.Fprintf(c, "--b\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(f))
			c.Write(f)
			c.Write([]byte("\r\n"))
		}
		time.Sleep(50 * time.Millisecond)
		c.SetLinger(0) // close with RST
	})
	r = capture.Probe(context.Background(), &Source{URL: rc.url()}, capture.ProbeOptions{Duration: time.Minute})
	// The reset may reach the reader as ECONNRESET or as the end of the stream.
	if r.OK() || r.Frames != 3 || !strings.Contains(r.Error, "broke after 3 frames") {
		t.Fatalf("reset: frames %d, error %q", r.Frames, r.Error)
	}
	t.Log(r.Error)
}

// TestProbeFailureReportsWhatTheCameraSaid: a 401 reports the schemes it offered and the
// Content-Type of its answer, a 404 its Content-Type, as a success would.
func TestProbeFailureReportsWhatTheCameraSaid(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Auth: mjpegtest.AuthDigest, User: "u", Password: "p"})
	defer srv.Close()
	r := capture.Probe(context.Background(), &Source{URL: srv.URL()}, capture.ProbeOptions{})
	if r.OK() || r.ErrorKind != capture.CauseUnauthorized || !slices.Equal(r.AuthOffered, []string{"digest"}) ||
		r.ContentType != "text/plain" || r.Transport != "http" {
		t.Fatalf("401: %+v", r)
	}
	r = capture.Probe(context.Background(), &Source{URL: srv.CameraURL(9), User: "u", Password: "p"}, capture.ProbeOptions{})
	if r.OK() || r.ErrorKind != capture.CauseNotFound || r.ContentType != "text/plain" {
		t.Fatalf("404: %+v", r)
	}
}
