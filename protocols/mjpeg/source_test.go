package mjpeg_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sink records what a Source reports (capturetest.Sink).
type sink = capturetest.Sink

// run runs src until want packets arrived (capturetest.Run).
func run(t *testing.T, src *mjpeg.Source, want int) (*sink, error) {
	return capturetest.Run(t, src, want)
}

// frames are small distinct JPEGs.
var frames = mjpegtest.MakeFrames(3, 64, 48)

// bigFrames are ~1 MB JPEGs (padded with COM segments), to stream past a bogus
// top-level Content-Length of 9999999 within a few frames.
var bigFrames = func() [][]byte {
	var out [][]byte
	for _, f := range frames {
		var b bytes.Buffer
		b.Write(f[:2])
		pad := bytes.Repeat([]byte{'x'}, 65533)
		for range 16 {
			b.Write([]byte{0xFF, 0xFE, 0xFF, 0xFF})
			b.Write(pad)
		}
		b.Write(f[2:])
		out = append(out, b.Bytes())
	}
	return out
}()

func checkStream(t *testing.T, k *sink, fr [][]byte, w, h int, proto string, wantTS bool) {
	t.Helper()
	if len(k.Infos()) != 1 {
		t.Fatalf("Connected called %d times", len(k.Infos()))
	}
	if got := k.Infos()[0]; got.Protocol != proto || got.Codec != capture.CodecJPEG || got.Transport != "http" {
		t.Errorf("StreamInfo %+v", got)
	}
	// The stream may start at any frame of the loop; after that they come in order.
	start := -1
	for i, f := range fr {
		if bytes.Equal(k.Packets()[0].Data, f) {
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("first packet (%d bytes) is none of the frames", len(k.Packets()[0].Data))
	}
	for i, p := range k.Packets() {
		if !bytes.Equal(p.Data, fr[(start+i)%len(fr)]) {
			t.Fatalf("packet %d: %d bytes, not frame %d", i, len(p.Data), (start+i)%len(fr))
		}
		if p.Width != w || p.Height != h || !p.Key || p.Codec != capture.CodecJPEG || p.ReceiveTime.IsZero() {
			t.Fatalf("packet %d: %dx%d key %v codec %v", i, p.Width, p.Height, p.Key, p.Codec)
		}
		if wantTS && (p.SourceTime.IsZero() || time.Since(p.SourceTime) > time.Minute) {
			t.Fatalf("packet %d: SourceTime %v", i, p.SourceTime)
		}
	}
}

func TestStreamQuirks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		q      mjpegtest.Quirks
		big    bool
		noTS   bool
		expect string
	}{
		{name: "mjpg-streamer", q: mjpegtest.Quirks{HTTP10: true}},
		{name: "plain HTTP/1.1"},
		{name: "no content-length", q: mjpegtest.Quirks{NoContentLength: true}},
		{name: "dashed boundary", q: mjpegtest.Quirks{DashedBoundary: true}},
		{name: "quoted boundary", q: mjpegtest.Quirks{QuotedBoundary: true}},
		{name: "spaces around =", q: mjpegtest.Quirks{SpacedBoundary: true, DashedBoundary: true}},
		{name: "no initial boundary", q: mjpegtest.Quirks{NoInitialBoundary: true}},
		{name: "no initial boundary, no content-length", q: mjpegtest.Quirks{NoInitialBoundary: true, NoContentLength: true}},
		{name: "extra headers", q: mjpegtest.Quirks{ExtraHeaders: true}},
		{name: "duplicate content-length", q: mjpegtest.Quirks{DuplicateContentLength: true}},
		{name: "non-numeric content-length", q: mjpegtest.Quirks{NonNumericContentLength: true}},
		{name: "headers split across reads", q: mjpegtest.Quirks{SplitHeaders: true}},
		{name: "chunked", q: mjpegtest.Quirks{Chunked: true}},
		{name: "chunked, no content-length", q: mjpegtest.Quirks{Chunked: true, NoContentLength: true, SplitHeaders: true}},
		{name: "octet-stream", q: mjpegtest.Quirks{OctetStream: true}},
		{name: "multipart/mixed", q: mjpegtest.Quirks{MultipartMixed: true}},
		{name: "bogus top-level content-length", q: mjpegtest.Quirks{BogusContentLength: true}, big: true},
		{name: "webcamXP", q: mjpegtest.Quirks{WebcamXP: true}, big: true, noTS: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fr, want := frames, 8
			if tc.big {
				fr, want = bigFrames, 15 // > 9999999 bytes
			}
			srv := mjpegtest.NewServer(mjpegtest.Options{Frames: fr, FPS: 100, Quirks: tc.q})
			defer srv.Close()
			k, err := run(t, &mjpeg.Source{URL: srv.URL()}, want)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkStream(t, k, fr, 64, 48, "mjpeg", !tc.noTS)
			if k.Infos()[0].Auth != "none" || len(k.Infos()[0].AuthOffered) != 0 {
				t.Errorf("auth %+v", k.Infos()[0])
			}
			if srv.Connections() != 1 {
				t.Errorf("%d connections, want 1", srv.Connections())
			}
		})
	}
}

func TestSeveralCameras(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Cameras: 3, FPS: 50, CameraFrames: func(n int) [][]byte {
		return mjpegtest.MakeFrames(2, 16*n, 16)
	}})
	defer srv.Close()
	for n := 1; n <= 3; n++ {
		k, err := run(t, &mjpeg.Source{URL: srv.CameraURL(n)}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if p := k.Packets()[0]; p.Width != 16*n || p.Height != 16 {
			t.Errorf("camera %d: %dx%d", n, p.Width, p.Height)
		}
	}
}

func TestSnapshotPolling(t *testing.T) {
	for _, tc := range []struct {
		name      string
		q         mjpegtest.Quirks
		keepAlive bool
	}{
		{name: "content-length, kept alive", keepAlive: true},
		{name: "no content-length, close", q: mjpegtest.Quirks{NoContentLength: true}},
		{name: "HTTP/1.0", q: mjpegtest.Quirks{HTTP10: true}},
		{name: "octet-stream", q: mjpegtest.Quirks{OctetStream: true}, keepAlive: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, Mode: mjpegtest.Snapshot, Quirks: tc.q})
			defer srv.Close()
			start := time.Now()
			k, err := run(t, &mjpeg.Source{URL: srv.URL(), FPS: 20}, 6)
			if err != nil {
				t.Fatal(err)
			}
			// 5 waits of 50 ms at least; the upper bound is left to benchmarks.
			if el := time.Since(start); el < 200*time.Millisecond {
				t.Errorf("6 snapshots in %v: polled faster than 20 fps", el)
			}
			checkStream(t, k, frames, 64, 48, "jpeg", !tc.q.NoTimestamp)
			if tc.keepAlive && srv.Connections() != 1 {
				t.Errorf("%d connections for %d requests, want one kept alive", srv.Connections(), srv.Requests())
			}
			if !tc.keepAlive && srv.Connections() != srv.Requests() {
				t.Errorf("%d connections for %d requests", srv.Connections(), srv.Requests())
			}
		})
	}
}

func TestAuth(t *testing.T) {
	const user, pass = "admin", "s3cr:t@pw"
	for _, tc := range []struct {
		name     string
		opts     mjpegtest.Options
		src      mjpeg.Source
		scheme   string
		offered  string
		errText  []string
		snapshot bool
	}{
		{name: "basic", opts: mjpegtest.Options{Auth: mjpegtest.AuthBasic}, src: mjpeg.Source{User: user, Password: pass}, scheme: "basic", offered: "basic"},
		{name: "basic wrong", opts: mjpegtest.Options{Auth: mjpegtest.AuthBasic}, src: mjpeg.Source{User: user, Password: "nope"},
			errText: []string{"wrong user or password", "Basic"}},
		{name: "basic none sent", opts: mjpegtest.Options{Auth: mjpegtest.AuthBasic},
			errText: []string{"no credentials were sent", "Basic"}},
		{name: "digest md5", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest}, src: mjpeg.Source{User: user, Password: pass}, scheme: "digest", offered: "digest"},
		{name: "digest sha-256 preferred", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest, DigestAlgorithms: []string{"MD5", "SHA-256"}},
			src: mjpeg.Source{User: user, Password: pass}, scheme: "digest", offered: "digest"},
		{name: "digest wrong", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest}, src: mjpeg.Source{User: user, Password: "nope"},
			errText: []string{"wrong user or password", "Digest"}},
		{name: "digest none sent", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest},
			errText: []string{"no credentials were sent", "Digest"}},
		{name: "digest snapshots, stale nonces", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest, Mode: mjpegtest.Snapshot, StaleAfter: 2},
			src: mjpeg.Source{User: user, Password: pass, FPS: 50}, scheme: "digest", offered: "digest", snapshot: true},
		{name: "basic snapshots", opts: mjpegtest.Options{Auth: mjpegtest.AuthBasic, Mode: mjpegtest.Snapshot},
			src: mjpeg.Source{User: user, Password: pass, FPS: 50}, scheme: "basic", offered: "basic", snapshot: true},
		{name: "credentials in URL", opts: mjpegtest.Options{Auth: mjpegtest.AuthDigest}, scheme: "digest", offered: "digest",
			src: mjpeg.Source{URL: "userinfo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := tc.opts
			o.Frames, o.FPS, o.User, o.Password = frames, 100, user, pass
			srv := mjpegtest.NewServer(o)
			defer srv.Close()
			src := tc.src
			if src.URL == "userinfo" {
				u, _ := url.Parse(srv.URL())
				u.User = url.UserPassword(user, pass)
				src.URL = u.String()
			} else {
				src.URL = srv.URL()
			}
			k, err := run(t, &src, 6)
			if tc.errText != nil {
				if !errors.Is(err, capture.ErrUnauthorized) {
					t.Fatalf("error %v, want ErrUnauthorized", err)
				}
				for _, s := range tc.errText {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				if strings.Contains(err.Error(), pass) || strings.Contains(err.Error(), "nope") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			info := k.Infos()[0]
			if info.Auth != tc.scheme || strings.Join(info.AuthOffered, ",") != tc.offered {
				t.Errorf("Auth %q offered %v", info.Auth, info.AuthOffered)
			}
			proto := "mjpeg"
			if tc.snapshot {
				proto = "jpeg"
			}
			checkStream(t, k, frames, 64, 48, proto, true)
			if tc.snapshot && srv.Requests() > 6+3+6/2 {
				t.Errorf("%d requests for 6 snapshots: the challenge is not reused", srv.Requests())
			}
		})
	}
}

func TestCancelWhileConnecting(t *testing.T) {
	t.Run("server never answers", func(t *testing.T) {
		srv := mjpegtest.NewServer(mjpegtest.Options{Silent: true})
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := (&mjpeg.Source{URL: srv.URL(), Timeout: time.Minute}).Run(ctx, &sink{})
		if err != nil || time.Since(start) > 10*time.Second {
			t.Fatalf("Run = %v after %v, want nil soon after cancel", err, time.Since(start))
		}
	})
	t.Run("dial blocks", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		err := (&mjpeg.Source{URL: "http://camera.test/video", Timeout: time.Minute, Dial: dial}).Run(ctx, &sink{})
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := (&mjpeg.Source{URL: "http://camera.test/"}).Run(ctx, &sink{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCancelWhileStreaming(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: 5})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	k := &sink{Want: 1, Cancel: cancel} // cancels while waiting for the second frame
	if err := (&mjpeg.Source{URL: srv.URL()}).Run(ctx, k); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	// Snapshot polling: cancelled while waiting for the next poll.
	snap := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, Mode: mjpegtest.Snapshot})
	defer snap.Close()
	ctx, cancel = context.WithCancel(context.Background())
	k = &sink{Want: 1, Cancel: cancel}
	if err := (&mjpeg.Source{URL: snap.URL(), FPS: 0.1}).Run(ctx, k); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestStallMidFrame(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: 50, StallAfter: 3})
	defer srv.Close()
	k, err := run(t, &mjpeg.Source{URL: srv.URL(), ReadTimeout: 300 * time.Millisecond}, 0)
	if !errors.Is(err, capture.ErrStalled) {
		t.Fatalf("error %v, want ErrStalled", err)
	}
	if len(k.Packets()) != 3 {
		t.Errorf("%d packets before the stall, want 3", len(k.Packets()))
	}
	if since := time.Since(k.Packets()[len(k.Packets())-1].ReceiveTime); since > 10*time.Second {
		t.Errorf("stall reported %v after the last frame", since)
	}
}

func TestHugePart(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, HugePart: true})
	defer srv.Close()
	capturetest.RefusedBeforeAllocating(t, 8<<20, func() error { // a part claiming 10 GB
		_, err := run(t, &mjpeg.Source{URL: srv.URL()}, 0)
		return err
	})
}

func TestGarbage(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Garbage: true, FPS: 100})
	defer srv.Close()
	_, err := run(t, &mjpeg.Source{URL: srv.URL()}, 0)
	if !errors.Is(err, capture.ErrMalformed) || !strings.Contains(err.Error(), "byte") {
		t.Fatalf("error %v, want ErrMalformed saying where", err)
	}
	t.Log(err)
}

func TestHTTPErrors(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames})
	defer srv.Close()
	base := "http://" + srv.Addr()
	_, err := run(t, &mjpeg.Source{URL: base + "/cam/99"}, 0)
	if !errors.Is(err, capture.ErrNotFound) || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	_, err = run(t, &mjpeg.Source{URL: base + "/"}, 0)
	if !errors.Is(err, capture.ErrNotVideo) || !strings.Contains(err.Error(), "HTML page") || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("HTML page: %v", err)
	}
}

func TestStatusErrors(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/403":
			http.Error(w, "forbidden", http.StatusForbidden)
		case "/503":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "Error: stream disabled")
		case "/snap":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(frames[0])
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, want := range map[string]string{"/403": "403", "/503": "503", "/text": `text "Error: stream disabled"`} {
		_, err := run(t, &mjpeg.Source{URL: srv.URL + path}, 0)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", path, err)
		}
	}
	// net/http's server: a snapshot with Content-Length on kept-alive connections.
	k, err := run(t, &mjpeg.Source{URL: srv.URL + "/snap", FPS: 50}, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkStream(t, k, frames[:1], 64, 48, "jpeg", false)
}

func TestDialErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		is   error
		text string
	}{
		{"dns", &net.DNSError{Err: "no such host", Name: "cam.invalid", IsNotFound: true}, nil, "cannot find host"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, syscall.ECONNREFUSED, "refused"},
		{"unreachable", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, syscall.EHOSTUNREACH, "unreachable"},
		{"timeout", context.DeadlineExceeded, context.DeadlineExceeded, "no answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dial := func(context.Context, string, string) (net.Conn, error) { return nil, tc.err }
			_, err := run(t, &mjpeg.Source{URL: "http://admin:hunter2@cam.invalid:8080/video?pwd=hunter2", Dial: dial}, 0)
			if err == nil || !strings.Contains(err.Error(), tc.text) || strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %v", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not wrap %v", err, tc.is)
			}
			var dnsErr *net.DNSError
			if tc.name == "dns" && !errors.As(err, &dnsErr) {
				t.Errorf("%v does not wrap *net.DNSError", err)
			}
		})
	}
	// A real refusal on loopback: a server that went down.
	srv := mjpegtest.NewServer(mjpegtest.Options{})
	srv.Down()
	_, err := run(t, &mjpeg.Source{URL: srv.URL()}, 0)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("down server: %v", err)
	}
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := run(t, &mjpeg.Source{URL: srv.URL()}, 2); err != nil {
		t.Errorf("after Up: %v", err)
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"rtsp://cam/stream", "http://", "http://user:pw@[::1"} {
		err := (&mjpeg.Source{URL: u}).Run(context.Background(), &sink{})
		if err == nil || strings.Contains(err.Error(), ":pw@") {
			t.Errorf("%q: %v", u, err)
		}
	}
}

func TestServerClosesStream(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: 100})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	k := &sink{}
	errc := make(chan error, 1)
	go func() { errc <- (&mjpeg.Source{URL: srv.URL()}).Run(ctx, k) }()
	for {
		n := k.Len()
		if n >= 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.DropConnections()
	err := <-errc
	if err == nil || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		t.Fatalf("dropped connection: %v", err)
	}
}
