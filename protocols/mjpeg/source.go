package mjpeg

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
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
	stop := capture.OnCancel(ctx, r.conns.cancel)
	r.sink = sink
	err = r.run(ctx, sink)
	stop()
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
	r.fps = capture.OrDefault(s.FPS, DefaultFPS)
	r.timeout = capture.OrDefault(s.Timeout, DefaultTimeout)
	r.rtimeout = capture.OrDefault(s.ReadTimeout, DefaultReadTimeout)
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
	capture.ReportPhase(sink, r.where+": sent HTTP headers but no frame")
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
