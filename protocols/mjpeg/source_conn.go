package mjpeg

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// connHolder holds the current connection so cancellation can close it from the
// watcher goroutine.
type connHolder struct {
	mu        sync.Mutex
	c         net.Conn
	cancelled bool
}

func (h *connHolder) set(c net.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancelled {
		c.Close()
		return false
	}
	h.c = c
	return true
}

func (h *connHolder) cancel() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancelled = true
	if h.c != nil {
		h.c.Close()
	}
}

func (h *connHolder) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.c != nil {
		h.c.Close()
		h.c = nil
	}
}

// deadlineReader arms a read deadline before every Read while timeout is set, so a
// connection that goes quiet fails instead of hanging.
type deadlineReader struct {
	c       net.Conn
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if d.timeout > 0 {
		if err := d.c.SetReadDeadline(time.Now().Add(d.timeout)); err != nil {
			return 0, err
		}
	}
	return d.c.Read(p)
}

// body returns the response body as a buffered reader: the connection's own reader
// (ignoring any Content-Length, see Source) or a de-chunking one.
func (r *run) body(h *respHead) *bufio.Reader {
	if h.chunked() {
		return bufio.NewReaderSize(httputil.NewChunkedReader(r.br), readBufferSize)
	}
	return r.br
}

// request sends GET and reads the response head, answering 401 challenges with the
// credentials (once, and again for a stale Digest nonce). Any status but 200 is an error.
func (r *run) request(ctx context.Context) (*respHead, error) {
	tried := false
	for round := 0; round < maxAuthRounds; round++ {
		h, err := r.roundTrip(ctx)
		if err != nil {
			return nil, err
		}
		switch {
		case h.status == http.StatusOK:
			return h, nil
		case h.status == http.StatusUnauthorized:
			cs := digest.ParseChallenges(h.header.Values("Www-Authenticate"))
			if len(r.offered) == 0 {
				r.offered = schemes(cs)
			}
			r.dropConn()
			stale := false
			for _, c := range cs {
				stale = stale || (c.Stale() && r.auth.Scheme() == "digest")
			}
			if !r.hasCreds || (tried && !stale) || !r.auth.Choose(cs) {
				return nil, r.unauthorized(cs, tried)
			}
			tried = true
		default:
			r.dropConn()
			return nil, r.statusErr(h)
		}
	}
	return nil, r.staleNonces()
}

func (r *run) dropConn() {
	r.conns.close()
	r.conn, r.br, r.dr = nil, nil, nil
	r.reusable = false
}

// connect dials (and for https shakes hands) within the Timeout.
func (r *run) connect(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	capture.ReportPhase(r.sink, r.hostport+": did not accept a connection")
	raw, err := r.dial(dctx, "tcp", r.hostport)
	if err != nil {
		return r.dialErr(err)
	}
	if !r.conns.set(raw) {
		return context.Canceled
	}
	c := raw
	_ = raw.SetDeadline(time.Now().Add(r.timeout))
	if r.tls {
		conf, err := r.tlsConfig()
		if err != nil {
			r.conns.close()
			return err
		}
		tc := tls.Client(raw, conf)
		capture.ReportPhase(r.sink, r.where+": accepted the connection but did not complete the TLS handshake")
		if err := tc.HandshakeContext(dctx); err != nil {
			r.conns.close()
			return r.dialErr(err)
		}
		c = tc
	}
	r.conn = c
	r.dr = &deadlineReader{c: c}
	r.br = bufio.NewReaderSize(r.dr, readBufferSize)
	return nil
}

// tlsConfig trusts the camera by the system's authorities, else its pin (package trust).
func (r *run) tlsConfig() (*tls.Config, error) {
	o := trust.Options{Host: r.hostport, ServerName: r.u.Hostname(), Insecure: r.s.Insecure, Seen: r.s.Seen,
		NextProtos: []string{"http/1.1"}}
	if r.s.Pins != nil {
		o.Pin = r.s.Pins(r.hostport)
	}
	return trust.Config(o)
}

// roundTrip writes a GET on the current connection (or a new one) and reads the head.
func (r *run) roundTrip(ctx context.Context) (*respHead, error) {
	if !r.reusable || r.conn == nil {
		r.dropConn()
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	r.reusable = false
	uri := r.u.RequestURI()
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vigil\r\nAccept: */*\r\n", uri, r.u.Host)
	if a := r.auth.Header("GET", uri); a != "" {
		b.WriteString("Authorization: " + a + "\r\n")
	}
	b.WriteString("\r\n")
	_ = r.conn.SetDeadline(time.Now().Add(r.timeout))
	r.dr.timeout = 0
	if _, err := r.conn.Write(b.Bytes()); err != nil {
		return nil, r.headErr(ctx, err)
	}
	capture.ReportPhase(r.sink, r.where+": accepted the connection but sent no HTTP answer")
	h, err := readHead(r.br, r.lim.MaxHeaderBytes)
	if err != nil {
		return nil, r.headErr(ctx, err)
	}
	r.lastCT = h.header.Get("Content-Type")
	_ = r.conn.SetWriteDeadline(time.Time{})
	r.dr.timeout = r.rtimeout
	return h, nil
}
