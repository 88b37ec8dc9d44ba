package mjpeg

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Defaults of Source.
const (
	DefaultFPS         = 2.0
	DefaultTimeout     = 10 * time.Second
	DefaultReadTimeout = 10 * time.Second
	readBufferSize     = 64 << 10
	maxAuthRounds      = 4
)

// Source reads an MJPEG camera over HTTP(S): a multipart/x-mixed-replace (or
// multipart/mixed, or raw concatenated JPEG) stream, or a single-JPEG snapshot endpoint
// polled at FPS. It implements capture.Source.
//
// It speaks HTTP/1.1 itself on top of net/http's pieces (request line, chunked decoding,
// header canonicalisation) rather than through http.Client, because net/http trusts a
// response's Content-Length: webcamXP-style servers declare "Content-Length: 9999999" on
// an endless stream, and http.Client would cut the stream there. Owning the connection
// also gives exact read deadlines (capture.ErrStalled) and a close on cancel.
type Source struct {
	// URL is http:// or https://, optionally with user:pass@ (percent-decoded) used when
	// User is empty.
	URL string
	// User and Password are sent with Basic or Digest auth, only after the camera asks
	// with a 401 (so a password never goes to a camera that does not want it).
	User, Password string
	// FPS is the poll rate for a single-JPEG (snapshot) endpoint. It defaults to 2.
	FPS float64
	// Pins gives the SHA-256 fingerprint pinned for an https camera (host:port), the
	// settings' trust list: its certificate is accepted when an authority the system
	// trusts vouches for it or it matches the pin (package trust). It may be nil.
	Pins func(hostPort string) string
	// Insecure accepts any TLS certificate (`vigil probe --insecure`, which shows Seen's
	// fingerprint to be compared and pinned). It defaults to false.
	Insecure bool
	// Seen, when set, receives the SHA-256 fingerprint of every certificate an https
	// camera presents, accepted or not.
	Seen func(fingerprint string)
	// Limits bound part and header sizes. They default to DefaultMaxPartSize and
	// DefaultMaxHeaderBytes.
	Limits Limits
	// Timeout bounds connecting, the TLS handshake and the response header. It defaults
	// to 10 s.
	Timeout time.Duration
	// ReadTimeout is how long a connected stream may send no bytes before Run fails with
	// an error wrapping capture.ErrStalled. It defaults to 10 s.
	ReadTimeout time.Duration
	// Dial opens TCP connections. It defaults to a net.Dialer's DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ capture.Source = (*Source)(nil)

// Run connects, reports StreamInfo, and delivers one Packet per JPEG until ctx is
// cancelled (it then returns nil) or the stream fails. It returns only after the
// goroutine it starts (closing the connection on cancel) has exited.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	r, err := s.newRun()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			r.conns.cancel()
		case <-done:
		}
	}()
	r.sink = sink
	err = r.run(ctx, sink)
	close(done)
	wg.Wait()
	r.conns.close()
	if ctx.Err() != nil {
		return nil
	}
	if err != nil && (len(r.offered) > 0 || r.lastCT != "") {
		// What the camera said before failing (a 401's schemes, a 404 page's type) is
		// part of the diagnosis: the probe reports it as auth_offered and content_type.
		tr := "http"
		if r.tls {
			tr = "https"
		}
		err = capture.WithInfo(err, capture.StreamInfo{Transport: tr, AuthOffered: r.offered, ContentType: r.lastCT, Codec: capture.CodecJPEG})
	}
	return capture.CleanError(err) // the last line before a screen: no camera text raw
}

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

type run struct {
	s        *Source
	u        *url.URL
	hostport string
	where    string // host for messages
	tls      bool
	lim      Limits
	fps      float64
	timeout  time.Duration
	rtimeout time.Duration
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)

	auth     digest.Client
	hasCreds bool
	offered  []string

	conns    connHolder
	conn     net.Conn // current, plain or TLS
	dr       *deadlineReader
	br       *bufio.Reader
	reusable bool
	frames   int
	// sink hears the phases (capture.ReportPhase); lastCT is the last answer's Content-Type.
	sink   capture.Sink
	lastCT string
}

func (s *Source) newRun() (*run, error) {
	u, err := capture.ParseURL(s.URL) // its error never quotes the password
	if err != nil {
		return nil, fmt.Errorf("mjpeg: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("mjpeg: %q is not a valid URL; expected http://host[:port]/path", capture.RedactURL(s.URL))
	}
	r := &run{s: s, u: u, where: u.Host}
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "https":
		r.tls = true
	default:
		return nil, fmt.Errorf("mjpeg: unsupported scheme %q in %s; use http:// or https://", u.Scheme, capture.RedactURL(s.URL))
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if r.tls {
			port = "443"
		}
	}
	r.hostport = net.JoinHostPort(u.Hostname(), port)
	r.auth.User, r.auth.Password = s.User, s.Password
	if s.User == "" && u.User != nil {
		r.auth.User = u.User.Username()
		r.auth.Password, _ = u.User.Password()
	}
	u.User = nil
	r.hasCreds = r.auth.User != "" || r.auth.Password != ""
	r.lim = s.Limits.withDefaults()
	r.fps = s.FPS
	if r.fps <= 0 {
		r.fps = DefaultFPS
	}
	r.timeout = s.Timeout
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	r.rtimeout = s.ReadTimeout
	if r.rtimeout <= 0 {
		r.rtimeout = DefaultReadTimeout
	}
	r.dial = s.Dial
	if r.dial == nil {
		var d net.Dialer
		r.dial = d.DialContext
	}
	return r, nil
}

func (r *run) run(ctx context.Context, sink capture.Sink) error {
	h, err := r.request(ctx)
	if err != nil {
		return err
	}
	info := capture.StreamInfo{
		Transport:   "http",
		AuthOffered: r.offered,
		Auth:        "none",
		ContentType: capture.CleanText(h.header.Get("Content-Type"), capture.MaxFieldText),
		Codec:       capture.CodecJPEG,
	}
	ct := h.header.Get("Content-Type") // parsed raw; info.ContentType is for people
	if r.tls {
		info.Transport = "https"
	}
	if r.auth.Scheme() != "" {
		info.Auth = r.auth.Scheme()
	}
	capture.ReportPhase(sink, r.where+" sent HTTP headers but no frame")
	body := r.body(h)
	boundary, multi := BoundaryFromContentType(ct)
	mt := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	isJPEG := mt == "image/jpeg" || mt == "image/jpg" || mt == "image/pjpeg"
	if boundary == "" && !isJPEG {
		// No boundary declared (application/octet-stream from ffmpeg's mpjpeg muxer,
		// a missing type, multipart without a boundary): look at the bytes.
		n := 256
		if cl := h.contentLength(); cl >= 0 && cl < int64(n) && !h.chunked() {
			n = int(cl) // a short page on a kept-alive connection: do not wait for more
		}
		head, perr := body.Peek(n)
		if len(head) == 0 && perr != nil && perr != io.EOF {
			return r.readErr(perr, "reading the first bytes")
		}
		switch kind, b := Sniff(head); kind {
		case SniffMultipart:
			boundary, multi = b, true
		case SniffJPEG:
			isJPEG = true
		default:
			return r.notVideo(info.ContentType, head, kind)
		}
	}
	if multi && boundary != "" {
		info.Protocol = "mjpeg"
		sink.Connected(info)
		return r.stream(ctx, sink, NewPartReader(body, boundary, r.lim), nil)
	}
	if !isJPEG {
		head, _ := body.Peek(64)
		return r.notVideo(info.ContentType, head, SniffUnknown)
	}
	// A JPEG: a snapshot when its length is known, else read one and see whether
	// another follows (a raw concatenated stream) or the body ends (a snapshot).
	if n := h.contentLength(); n >= 0 && !h.chunked() {
		p, err := r.readSnapshot(h, body)
		if err != nil {
			return err
		}
		info.Protocol = "jpeg"
		sink.Connected(info)
		sink.Packet(p)
		return r.poll(ctx, sink)
	}
	pr := NewPartReader(body, "", r.lim)
	first, err := pr.Next()
	if err != nil {
		return r.partErr(err)
	}
	firstPkt := r.packet(first.JPEG, first.Timestamp)
	if first.Timestamp.IsZero() {
		firstPkt.SourceTime = ParseTimestamp([]byte(h.header.Get("X-Timestamp")))
	}
	second, err := pr.Next()
	if err == io.EOF {
		r.reusable = h.keepAlive() && h.chunked()
		info.Protocol = "jpeg"
		sink.Connected(info)
		sink.Packet(firstPkt)
		return r.poll(ctx, sink)
	}
	info.Protocol = "mjpeg"
	sink.Connected(info)
	sink.Packet(firstPkt)
	r.frames++
	if err != nil {
		return r.partErr(err)
	}
	return r.stream(ctx, sink, pr, &second)
}

// stream delivers parts until the stream fails.
func (r *run) stream(ctx context.Context, sink capture.Sink, pr *PartReader, pending *Part) error {
	if pending != nil {
		sink.Packet(r.packet(pending.JPEG, pending.Timestamp))
		r.frames++
	}
	for {
		p, err := pr.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if err == io.EOF {
				return fmt.Errorf("%s ended the stream after %d frames: %w", r.where, r.frames, io.EOF)
			}
			return r.partErr(err)
		}
		sink.Packet(r.packet(p.JPEG, p.Timestamp))
		r.frames++
	}
}

// poll fetches the snapshot again at FPS, on the kept-alive connection when possible.
func (r *run) poll(ctx context.Context, sink capture.Sink) error {
	interval := time.Duration(float64(time.Second) / r.fps)
	next := time.Now()
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		next = next.Add(interval)
		if now := time.Now(); next.Before(now) {
			next = now
		}
		t.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		h, err := r.request(ctx)
		if err != nil {
			return err
		}
		p, err := r.readSnapshot(h, r.body(h))
		if err != nil {
			return err
		}
		sink.Packet(p)
	}
}

// readSnapshot reads one whole JPEG response body.
func (r *run) readSnapshot(h *respHead, body *bufio.Reader) (capture.Packet, error) {
	var data []byte
	n := h.contentLength()
	switch {
	case n > int64(r.lim.MaxPartSize) && !h.chunked():
		return capture.Packet{}, fmt.Errorf("snapshot from %s declares %d bytes, over the %d-byte limit: %w",
			r.where, n, r.lim.MaxPartSize, capture.ErrTooLarge)
	case n >= 0 && !h.chunked():
		data = make([]byte, n)
		if _, err := io.ReadFull(body, data); err != nil {
			return capture.Packet{}, r.readErr(err, "reading a snapshot")
		}
		r.reusable = h.keepAlive()
	default:
		var err error
		data, err = io.ReadAll(io.LimitReader(body, int64(r.lim.MaxPartSize)+1))
		if err != nil {
			return capture.Packet{}, r.readErr(err, "reading a snapshot")
		}
		if len(data) > r.lim.MaxPartSize {
			return capture.Packet{}, fmt.Errorf("snapshot from %s is over the %d-byte limit: %w",
				r.where, r.lim.MaxPartSize, capture.ErrTooLarge)
		}
		r.reusable = h.chunked() && h.keepAlive()
	}
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		kind, _ := Sniff(data)
		return capture.Packet{}, r.notVideo(h.header.Get("Content-Type"), data[:min(len(data), 64)], kind)
	}
	return r.packet(data, ParseTimestamp([]byte(h.header.Get("X-Timestamp")))), nil
}

func (r *run) packet(data []byte, ts time.Time) capture.Packet {
	w, h, _ := JPEGSize(data)
	return capture.Packet{
		Codec:       capture.CodecJPEG,
		Data:        data,
		Key:         true,
		Width:       w,
		Height:      h,
		SourceTime:  ts,
		ReceiveTime: time.Now(),
	}
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
	return nil, fmt.Errorf("401 from %s: the camera keeps rejecting fresh Digest nonces; check the user and password: %w",
		r.where, capture.ErrUnauthorized)
}

func (r *run) unauthorized(cs []digest.Challenge, sent bool) error {
	var names []string
	for _, s := range schemes(cs) {
		names = append(names, digest.SchemeName(s))
	}
	wants := "gives no WWW-Authenticate scheme"
	if len(names) > 0 {
		wants = "wants " + strings.Join(names, " or ")
	}
	switch {
	case !r.hasCreds:
		return fmt.Errorf("401 from %s: the camera %s and no credentials were sent; set the camera's user and password: %w",
			r.where, wants, capture.ErrUnauthorized)
	case !sent:
		return fmt.Errorf("401 from %s: the camera %s, which Vigil does not support; credentials were not sent: %w",
			r.where, wants, capture.ErrUnauthorized)
	}
	return fmt.Errorf("401 from %s: wrong user or password (camera %s, sent %s for user %q): %w",
		r.where, wants, digest.SchemeName(r.auth.Scheme()), r.auth.User, capture.ErrUnauthorized)
}

func (r *run) statusErr(h *respHead) error {
	path := capture.RedactURL(r.u.String())
	reason := capture.CleanText(h.reason, 64) // the camera's words: never raw on a terminal
	switch h.status {
	case http.StatusForbidden:
		return fmt.Errorf("403 Forbidden from %s for %s: the user may lack the right to view this stream, or the camera blocks this client; check the user's permissions: %w",
			r.where, path, capture.ErrForbidden)
	case http.StatusNotFound:
		return fmt.Errorf("404 from %s: no stream at %s; check the URL path (the camera's manual lists its MJPEG or snapshot path): %w",
			r.where, path, capture.ErrNotFound)
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return fmt.Errorf("HTTP %d from %s: redirected to %s; use that URL instead", h.status, r.where, capture.RedactURL(h.header.Get("Location")))
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return fmt.Errorf("HTTP %d %s from %s: the camera is busy (too many viewers?) or starting; close other viewers or wait: %w",
			h.status, reason, r.where, capture.ErrBusy)
	}
	if h.status >= 500 && h.status <= 599 {
		return fmt.Errorf("HTTP %d %s from %s: the camera reports an internal error; it may need a restart: %w", h.status, reason, r.where, capture.StatusError(h.status))
	}
	return fmt.Errorf("HTTP %d %s from %s for %s: not a stream; check the URL", h.status, reason, r.where, path)
}

func (r *run) notVideo(ct string, head []byte, kind SniffKind) error {
	looks := fmt.Sprintf("bytes % x", head[:min(len(head), 16)])
	switch kind {
	case SniffHTML:
		looks = "an HTML page (probably the camera's web interface or a login page, not its stream)"
	case SniffText:
		t := capture.CleanText(string(head[:min(len(head), 60)]), 60)
		looks = fmt.Sprintf("text %q", t)
	}
	if len(head) == 0 {
		looks = "an empty body"
	}
	ct = capture.CleanText(ct, capture.MaxFieldText)
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("%s did not send MJPEG or JPEG (Content-Type %s, body is %s); check the URL path: %w",
		r.where, ct, looks, capture.ErrNotVideo)
}

func (r *run) partErr(err error) error {
	switch {
	case errors.Is(err, capture.ErrMalformed), errors.Is(err, capture.ErrTooLarge):
		return fmt.Errorf("stream from %s: %w", r.where, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("stream from %s ended mid-frame after %d frames: %w", r.where, r.frames, err)
	}
	return r.readErr(err, "streaming")
}

// readErr explains a read failure after the response head.
func (r *run) readErr(err error, doing string) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && r.frames == 0 && doing != "reading a snapshot" {
		return fmt.Errorf("%s sent HTTP headers but no frame within %v; the camera or the network stalled: %w: %w",
			r.where, r.rtimeout, capture.ErrStalled, err)
	}
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%s sent nothing for %v while %s; the camera or the network stalled: %w: %w",
			r.where, r.rtimeout, doing, capture.ErrStalled, err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s closed the connection while %s: %w", r.where, doing, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("connection to %s lost while %s: %w", r.where, doing, err)
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
	capture.ReportPhase(r.sink, r.hostport+" did not accept a connection")
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
		capture.ReportPhase(r.sink, r.where+" accepted the connection but did not complete the TLS handshake")
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
	capture.ReportPhase(r.sink, r.where+" accepted the connection but sent no HTTP answer")
	h, err := readHead(r.br, r.lim.MaxHeaderBytes)
	if err != nil {
		return nil, r.headErr(ctx, err)
	}
	r.lastCT = h.header.Get("Content-Type")
	_ = r.conn.SetWriteDeadline(time.Time{})
	r.dr.timeout = r.rtimeout
	return h, nil
}

func (r *run) headErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%s accepted the connection but sent no HTTP answer within %v; check that this port serves HTTP: %w",
			r.where, r.timeout, err)
	case errors.Is(err, capture.ErrNotVideo), errors.Is(err, capture.ErrTooLarge):
		return err
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the connection without an HTTP answer; check the port and scheme (http vs https): %w", r.where, err)
	}
	return fmt.Errorf("HTTP request to %s failed: %w", r.where, err)
}

// dialErr explains why a connection could not be made, wrapping the net error.
func (r *run) dialErr(err error) error {
	var dnsErr *net.DNSError
	var ne net.Error
	var certErr *trust.CertError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Errorf("cannot find host %q: no such name in DNS; check the camera address for typos: %w", r.u.Hostname(), err)
		}
		return fmt.Errorf("cannot look up host %q: DNS did not answer; check this computer's network and DNS server: %w", r.u.Hostname(), err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection to %s refused: nothing listens on that port; check the port number and that the camera's web server is enabled: %w", r.hostport, err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%s is unreachable (no route to host); check that the camera is powered and on this network or VPN, and its address: %w", r.hostport, err)
	case errors.As(err, &certErr):
		return fmt.Errorf("https camera: %w", err) // it names the camera, its fingerprint and how to trust it
	case errors.As(err, &recErr):
		return fmt.Errorf("%s does not speak TLS on this port; try http:// instead of https://: %w", r.where, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no answer from %s within %v; check the address, that the camera is on, and that no firewall drops the traffic: %w", r.hostport, r.timeout, err)
	}
	return fmt.Errorf("cannot connect to %s: %w", r.hostport, err)
}

// respHead is a parsed HTTP response status line and header.
type respHead struct {
	status  int
	reason  string
	proto11 bool
	header  http.Header
}

// contentLength is the last numeric Content-Length, -1 when absent or not a number.
func (h *respHead) contentLength() int64 {
	vs := h.header.Values("Content-Length")
	if len(vs) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(vs[len(vs)-1]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (h *respHead) chunked() bool {
	for _, v := range h.header.Values("Transfer-Encoding") {
		if hasToken(v, "chunked") {
			return true
		}
	}
	return false
}

func (h *respHead) keepAlive() bool {
	for _, v := range h.header.Values("Connection") {
		if hasToken(v, "close") {
			return false
		}
		if hasToken(v, "keep-alive") {
			return true
		}
	}
	return h.proto11
}

// maxInterim bounds the 1xx responses skipped before the real one: a server streaming
// "100 Continue" heads would otherwise keep the reader busy forever while every read
// deadline is met.
const maxInterim = 8

// readHead reads a status line and header block of at most max bytes. Up to maxInterim
// 1xx responses are skipped. A first line that is not HTTP is an error wrapping
// capture.ErrNotVideo.
func readHead(br *bufio.Reader, max int) (*respHead, error) {
	for i := 0; ; i++ {
		h, err := readOneHead(br, max)
		if err != nil || h.status >= 200 {
			return h, err
		}
		if i >= maxInterim {
			return nil, fmt.Errorf("the server sent more than %d interim (1xx) responses: %w", maxInterim, capture.ErrMalformed)
		}
	}
}

func readOneHead(br *bufio.Reader, max int) (*respHead, error) {
	total := 0
	readLine := func() ([]byte, error) {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if total > max || err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("HTTP response header over %d bytes: %w", max, capture.ErrTooLarge)
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
	line, err := readLine()
	if err != nil {
		return nil, err
	}
	proto, rest, _ := bytes.Cut(line, []byte(" "))
	code, reason, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	status, cerr := strconv.Atoi(string(code))
	if !bytes.HasPrefix(proto, []byte("HTTP/1.")) || cerr != nil || status < 100 || status > 999 {
		return nil, fmt.Errorf("the server did not answer with HTTP (first bytes % x); check the port and scheme: %w",
			line[:min(len(line), 16)], capture.ErrNotVideo)
	}
	h := &respHead{status: status, reason: string(reason), proto11: string(proto) != "HTTP/1.0", header: http.Header{}}
	var lastKey string
	for {
		line, err := readLine()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(line) == 0 {
			return h, nil
		}
		if (line[0] == ' ' || line[0] == '\t') && lastKey != "" { // obsolete line folding
			vs := h.header[lastKey]
			vs[len(vs)-1] += " " + string(bytes.TrimSpace(line))
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		lastKey = textprotoKey(bytes.TrimSpace(k))
		h.header[lastKey] = append(h.header[lastKey], string(bytes.TrimSpace(v)))
	}
}

func textprotoKey(k []byte) string { return http.CanonicalHeaderKey(string(k)) }

// hasToken reports whether the comma-separated list holds tok, case-insensitively
// (Connection, Transfer-Encoding).
func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}
