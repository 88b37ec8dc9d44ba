package imageserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Defaults of Options, after Milestone's sample: 10 s read and 2 s write timeouts [C, MS-TVV].
const (
	DefaultPort            = 7563
	DefaultTimeout         = 10 * time.Second
	DefaultReadTimeout     = 10 * time.Second
	DefaultWriteTimeout    = 2 * time.Second
	DefaultCompressionRate = 90
	readBufferSize         = 64 << 10
)

// Options configure a Conn.
type Options struct {
	// TLSConfig, when set, wraps the connection in TLS before any XML (the recorder's
	// WebServerUri is https). ServerName defaults to the host of addr. It defaults to nil:
	// plain TCP.
	TLSConfig *tls.Config
	// Dial opens the TCP connection. It defaults to a net.Dialer's DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds dialling, the TLS handshake and waiting for a reply. It defaults to
	// 10 s.
	Timeout time.Duration
	// ReadTimeout is how long a live stream may stay silent before reads fail with
	// capture.ErrStalled. It defaults to 10 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a request. It defaults to 2 s.
	WriteTimeout time.Duration
	// Limits bound the response parser; see Limits.
	Limits Limits
	// Logger receives status packets and unmatched replies at debug level. It defaults
	// to slog.Default(); a "component" attribute is added.
	Logger *slog.Logger
}

// ConnectParams are the choices a connect request makes besides the token and camera.
type ConnectParams struct {
	// StreamID selects one of the camera's streams (StreamInfo.StreamId), "" for the
	// default one [C, MS-DOC-IS].
	StreamID string
	// Native asks for the camera's own codec as GenericByteData (alwaysstdjpeg=no).
	// It defaults to false: the recorder sends standard JPEG for every frame
	// (alwaysstdjpeg=yes, transcode/allframes=yes) [C].
	Native bool
	// Width and Height ask the recorder to transcode to that size (transcode/width,
	// height). An [S] fact: check the size that arrives. 0 leaves the size alone.
	Width, Height int
}

// ParseWebServerURI turns a RecorderInfo.WebServerUri ("http://rec:7563/",
// "https://rec:7563/") into the Image Server's host:port and whether to use TLS
// [C, MS-DOC-PROT: the port must come from the configuration; 7563 when none is given].
func ParseWebServerURI(uri string) (addr string, useTLS bool, err error) {
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil || u.Hostname() == "" {
		return "", false, fmt.Errorf("recorder address %q is not a URL like http://host:7563/", capture.RedactURL(uri))
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "https":
		useTLS = true
	default:
		return "", false, fmt.Errorf("recorder address %s has scheme %q; expected http or https", capture.RedactURL(uri), u.Scheme)
	}
	port := u.Port()
	if port == "" {
		port = strconv.Itoa(DefaultPort)
	}
	return net.JoinHostPort(u.Hostname(), port), useTLS, nil
}

// Conn is one Image Server socket for one camera session. Requests may be written from
// several goroutines (a token renewal's ConnectUpdate while a reader streams); reading —
// Connect, Goto, Step, ReadImage — is for one goroutine at a time. Each request gets the
// next requestid and replies are matched to requests by it.
type Conn struct {
	addr   string
	nc     net.Conn
	br     *bufio.Reader
	dr     *deadlineReader
	opts   Options
	log    *slog.Logger
	camera string

	wmu     sync.Mutex // serialises writes [C, MS-TVV locks the live socket]
	mu      sync.Mutex // guards the fields below
	nextID  int
	pending map[int]string // requestid → method awaiting a methodresponse
	secrets []string       // tokens sent on this socket, removed from any text shown
}

// deadlineReader arms a read deadline before every Read.
type deadlineReader struct {
	c       net.Conn
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if err := d.c.SetReadDeadline(time.Now().Add(d.timeout)); err != nil {
		return 0, err
	}
	return d.c.Read(p)
}

// Dial connects to an Image Server at addr (host:port), over TLS when opts.TLSConfig is
// set. Cancelling ctx aborts dialling and the handshake.
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	opts.Timeout = capture.OrDefault(opts.Timeout, DefaultTimeout)
	opts.ReadTimeout = capture.OrDefault(opts.ReadTimeout, DefaultReadTimeout)
	opts.WriteTimeout = capture.OrDefault(opts.WriteTimeout, DefaultWriteTimeout)
	opts.Limits = opts.Limits.withDefaults()
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dial := opts.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	dctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	nc, err := dial(dctx, "tcp", addr)
	if err != nil {
		return nil, dialErr(ctx, addr, opts.Timeout, err)
	}
	if opts.TLSConfig != nil {
		cfg := opts.TLSConfig.Clone()
		if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
			host, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = host
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			nc.Close()
			return nil, dialErr(ctx, addr, opts.Timeout, fmt.Errorf("TLS handshake: %w", err))
		}
		nc = tc
	}
	c := &Conn{
		addr:    addr,
		nc:      nc,
		opts:    opts,
		log:     opts.Logger.With("component", "milestone-imageserver", "recorder", addr),
		pending: map[int]string{},
		nextID:  1,
	}
	c.dr = &deadlineReader{c: nc, timeout: opts.Timeout}
	c.br = bufio.NewReaderSize(c.dr, readBufferSize)
	return c, nil
}

func dialErr(ctx context.Context, addr string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	host, port, _ := net.SplitHostPort(addr)
	e := capture.DialError(err, capture.DialPlace{Host: host, Where: addr, Op: "recorder", Timeout: timeout,
		Listener: "that the recording server is running and its Image Server port " + port + " is open",
		Plain:    "http://", Secure: "https://"})
	var pinErr *trust.CertError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &pinErr): // it names the fingerprint and how to trust it
	case errors.As(err, &certErr):
		e.What = "its TLS certificate is not trusted"
		e.Hint = "trust it by its SHA-256 fingerprint (Connect to Milestone…, or trust: in settings.yaml)"
	case errors.As(err, &recErr):
		e.Hint = "check the recorder's WebServerUri in XProtect (http vs https)"
	}
	return e
}

// Addr is the recorder's host:port.
func (c *Conn) Addr() string { return c.addr }

// Close closes the socket; a blocked read or write returns.
func (c *Conn) Close() error { return c.nc.Close() }

// watch closes the socket if ctx ends before the returned stop is called, and stop
// waits for that close to finish so no goroutine outlives the call.
func (c *Conn) watch(ctx context.Context) (stop func()) {
	return capture.OnCancel(ctx, func() { c.nc.Close() })
}

// send writes one request: the XML declaration, <methodcall> with requestid and
// methodname, body, and CR LF CR LF [C, MS-DOC-IS]. A reply is awaited for methods in
// awaitReply.
func (c *Conn) send(method, body string, awaitReply bool) (int, error) {
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	if awaitReply {
		c.pending[id] = method
	}
	c.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><methodcall><requestid>`)
	b.WriteString(strconv.Itoa(id))
	b.WriteString("</requestid><methodname>")
	b.WriteString(method)
	b.WriteString("</methodname>")
	b.WriteString(body)
	b.WriteString("</methodcall>\r\n\r\n")
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	if _, err := io.WriteString(c.nc, b.String()); err != nil {
		return id, fmt.Errorf("sending %s to recorder %s: %w", method, c.addr, err)
	}
	return id, nil
}

func (c *Conn) addSecret(token string) {
	c.mu.Lock()
	c.secrets = append(c.secrets, token)
	c.mu.Unlock()
}

// redact removes every token sent on this socket, and anything shaped like an XProtect
// token, from text the recorder sent back (its errorreason may echo the request).
func (c *Conn) redact(s string) string {
	c.mu.Lock()
	for _, t := range c.secrets {
		if t != "" {
			s = strings.ReplaceAll(s, t, "[token]")
		}
	}
	c.mu.Unlock()
	return RedactTokens(s)
}

// RedactTokens hides XProtect tokens ("TOKEN#…#…#") and connectiontoken= values in s.
func RedactTokens(s string) string {
	for {
		i := strings.Index(s, "TOKEN#")
		if i < 0 {
			break
		}
		end := len(s)
		if j := strings.IndexAny(s[i:], " \t\r\n<&\"'"); j >= 0 {
			end = i + j
		}
		s = s[:i] + "[token]" + s[end:]
	}
	const key = "connectiontoken="
	for off := 0; ; {
		i := strings.Index(s[off:], key)
		if i < 0 {
			return s
		}
		i += off + len(key)
		end := len(s)
		if j := strings.IndexAny(s[i:], " \t\r\n<&\"'"); j >= 0 {
			end = i + j
		}
		s = s[:i] + "[token]" + s[end:]
		off = i + len("[token]")
	}
}

// escape writes text for an XML element with no line breaks; with ascii, characters
// above 127 become &#NNN; as Milestone's sample does for user names and passwords
// [C, MS-TVV].
func escape(s string, ascii bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r < 0x20 || (ascii && r > 127):
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func connectParam(camera, streamID, token string) string {
	p := "id=" + camera
	if streamID != "" {
		p += "&streamid=" + streamID
	}
	return escape(p+"&connectiontoken="+token, false)
}

// Connect sends the connect request — the first on a socket [C, MS-DOC-IS] — with the
// token in connectparam (username and password are ignored with a token: "dummy", as
// Milestone's docs send) and waits for the reply. A refusal is an error wrapping
// capture.ErrUnauthorized, or capture.ErrNotFound for an unknown camera; the token is
// never part of any message.
func (c *Conn) Connect(ctx context.Context, token, cameraGUID string, p ConnectParams) (*MethodResponse, error) {
	c.mu.Lock()
	c.camera = cameraGUID
	c.mu.Unlock()
	c.addSecret(token)
	var b strings.Builder
	b.WriteString("<username>dummy</username><password>dummy</password><cameraid>" + escape(cameraGUID, true) + "</cameraid>")
	if p.Native {
		b.WriteString("<alwaysstdjpeg>no</alwaysstdjpeg>")
	} else {
		b.WriteString("<alwaysstdjpeg>yes</alwaysstdjpeg><transcode><allframes>yes</allframes>")
		if p.Width > 0 && p.Height > 0 {
			fmt.Fprintf(&b, "<width>%d</width><height>%d</height><keepaspectratio>yes</keepaspectratio><allowupsizing>no</allowupsizing>", p.Width, p.Height)
		}
		b.WriteString("</transcode>")
	}
	b.WriteString("<connectparam>" + connectParam(cameraGUID, p.StreamID, token) + "</connectparam>")
	stop := c.watch(ctx)
	defer stop()
	id, err := c.send("connect", b.String(), true)
	if err != nil {
		return nil, c.ctxErr(ctx, err)
	}
	r, err := c.await(ctx, id, "connect")
	if err != nil {
		return nil, err
	}
	if !r.Method.OK() {
		return r.Method, c.refused("connect", r.Method)
	}
	return r.Method, nil
}

func (c *Conn) refused(method string, m *MethodResponse) error {
	reason := capture.CleanText(c.redact(m.ErrorReason), capture.MaxFieldText) // the recorder's words
	if reason == "" {
		reason = "no reason given"
	}
	if strings.Contains(strings.ToLower(reason), "unknown device") {
		return &capture.Error{Kind: capture.ErrNotFound, Op: "recorder " + method, Where: c.addr, Text: reason,
			What: "the recorder does not know camera " + c.camera + "; the camera may have moved to another recording server",
			Hint: "reload the camera list (Connect to Milestone…)"}
	}
	return &capture.Error{Kind: capture.ErrUnauthorized, Op: "recorder " + method, Where: c.addr, Text: reason,
		What: "token rejected for camera " + c.camera + ": the login may have expired, or the user may not view this camera",
		Hint: "log in again, and check that the user may view this camera in XProtect"}
}

// ConnectUpdate hands the recorder a renewed token for this session [C, milestone.md
// §1.4]. It only writes, so it may be called while another goroutine streams; the reply
// is checked by whichever call reads next (a refusal fails it with capture.ErrUnauthorized).
func (c *Conn) ConnectUpdate(token string) error {
	c.addSecret(token)
	c.mu.Lock()
	camera := c.camera
	c.mu.Unlock()
	_, err := c.send("connectupdate", "<connectparam>"+connectParam(camera, "", token)+"</connectparam>", true)
	return err
}

// Live starts the server push of frames until Stop [C]. compressionRate is the JPEG
// quality when transcoding: 1–104 except 100, else 90, as the sample does [C, MS-TVV].
// Read the frames with ReadImage.
func (c *Conn) Live(compressionRate int) error {
	if compressionRate < 1 || compressionRate > 104 || compressionRate == 100 {
		compressionRate = DefaultCompressionRate
	}
	_, err := c.send("live", "<compressionrate>"+strconv.Itoa(compressionRate)+"</compressionrate>", false)
	return err
}

// Stop ends a live push. The exact form is an [I] fact (milestone.md §2.2); closing the
// socket is an acceptable stop too.
func (c *Conn) Stop() error {
	_, err := c.send("stop", "", false)
	return err
}

// Goto fetches the recorded frame at t (playback) [C]: one ImageResponse whose Current,
// Prev and Next give the frame's and its neighbours' times. An empty payload means no
// image there (before the database starts) [S].
func (c *Conn) Goto(ctx context.Context, t time.Time) (*Image, error) {
	return c.fetch(ctx, "goto", "<time>"+strconv.FormatInt(Millis(t), 10)+"</time><compressionrate>"+
		strconv.Itoa(DefaultCompressionRate)+"</compressionrate><keyframesonly>no</keyframesonly>")
}

// Next fetches the recorded frame after the one this socket last received (the next
// method) [S: GO-UNID's fixtures are "goto, then one per next" from a 2025 R3 recorder;
// PY-IS]. The reply has the same shape as goto's [I]. At the end of the database a
// recorder answers the last frame again (Next equal to Current) or an empty image.
func (c *Conn) Next(ctx context.Context) (*Image, error) {
	return c.fetch(ctx, "next", "<compressionrate>"+strconv.Itoa(DefaultCompressionRate)+"</compressionrate>")
}

// fetch sends method with body and waits for the recorded image it answers with: goto
// and next.
func (c *Conn) fetch(ctx context.Context, method, body string) (*Image, error) {
	stop := c.watch(ctx)
	defer stop()
	id, err := c.send(method, body, true)
	if err != nil {
		return nil, c.ctxErr(ctx, err)
	}
	r, err := c.await(ctx, id, method)
	if err != nil {
		return nil, err
	}
	if r.Image == nil {
		return nil, c.refused(method, r.Method)
	}
	return r.Image, nil
}

// Step fetches the frame after prev by going to prev.Next, as Milestone's sample plays
// back [C, MS-TVV]. ok is false at the end of the database (Next missing or equal to
// Current), with no request sent.
func (c *Conn) Step(ctx context.Context, prev *Image) (im *Image, ok bool, err error) {
	if prev.Next.IsZero() || !prev.Next.After(prev.Current) {
		return nil, false, nil
	}
	im, err = c.Goto(ctx, prev.Next)
	return im, err == nil, err
}

// ReadImage returns the next image of a live push, handling the XML in between:
// status packets are logged, a refused connectupdate fails with capture.ErrUnauthorized.
// A silence over ReadTimeout fails with capture.ErrStalled. If ctx ends, the socket is
// closed and ctx's error returned.
func (c *Conn) ReadImage(ctx context.Context) (*Image, error) {
	stop := c.watch(ctx)
	defer stop()
	c.dr.timeout = c.opts.ReadTimeout
	for {
		r, err := c.read(ctx, "streaming")
		if err != nil {
			return nil, err
		}
		if r.Image != nil {
			return r.Image, nil
		}
		if err := c.aside(r); err != nil {
			return nil, err
		}
	}
}

// await reads until the reply to request id arrives: a methodresponse with that id
// (or, lacking one, that method name), or for goto an image block.
func (c *Conn) await(ctx context.Context, id int, method string) (*Response, error) {
	c.dr.timeout = c.opts.Timeout
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	for {
		r, err := c.read(ctx, "waiting for the "+method+" reply")
		if err != nil {
			return nil, err
		}
		switch {
		case r.Image != nil && (method == "goto" || method == "next") && (r.Image.RequestID == id || r.Image.RequestID < 0):
			return r, nil
		case r.Method != nil && (r.Method.ID() == id || r.Method.ID() < 0 && strings.EqualFold(r.Method.MethodName, method)):
			return r, nil
		case r.Image != nil:
			c.log.Debug("image block while waiting for a reply; skipped", "method", method, "requestid", r.Image.RequestID)
			continue
		}
		if err := c.aside(r); err != nil {
			return nil, err
		}
	}
}

// aside handles an XML block that is not what the reader waits for.
func (c *Conn) aside(r *Response) error {
	switch {
	case r.Status != nil:
		c.log.Debug("status", "camera", c.camera, "time", r.Status.StatusTime, "items", r.Status.String())
	case r.Method != nil:
		c.mu.Lock()
		method, ok := c.pending[r.Method.ID()]
		delete(c.pending, r.Method.ID())
		c.mu.Unlock()
		if !ok {
			method = strings.ToLower(strings.TrimSpace(r.Method.MethodName))
		}
		if method == "connectupdate" {
			if !r.Method.OK() {
				return c.refused("connectupdate", r.Method)
			}
			c.log.Debug("token update accepted", "camera", c.camera)
			return nil
		}
		c.log.Debug("unmatched reply", "method", method, "requestid", r.Method.RequestID)
	default:
		c.log.Debug("unknown XML block", "root", r.Root)
	}
	return nil
}

// read parses one block and explains failures with where they happened.
func (c *Conn) read(ctx context.Context, doing string) (*Response, error) {
	r, err := ReadResponse(c.br, c.opts.Limits)
	if err == nil {
		return r, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var ne net.Error
	switch {
	case errors.Is(err, capture.ErrMalformed), errors.Is(err, capture.ErrTooLarge), errors.Is(err, capture.ErrNotVideo):
		return nil, fmt.Errorf("recorder %s, camera %s, while %s: %w", c.addr, c.camera, doing, err)
	case errors.As(err, &ne) && ne.Timeout():
		return nil, fmt.Errorf("recorder %s sent nothing for %v while %s (camera %s); the recorder or the network stalled: %w: %w",
			c.addr, c.dr.timeout, doing, c.camera, capture.ErrStalled, err)
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("recorder %s closed the connection while %s (camera %s): %w", c.addr, doing, c.camera, io.ErrUnexpectedEOF)
	}
	return nil, fmt.Errorf("connection to recorder %s lost while %s: %w", c.addr, doing, err)
}

func (c *Conn) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
