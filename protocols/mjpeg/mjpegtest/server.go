// Package mjpegtest is an in-process fake MJPEG camera, like net/http/httptest: it serves
// one or several cameras over HTTP on 127.0.0.1 as multipart streams or snapshot
// endpoints, and can misbehave the way real cameras do (see bosch.md §6: missing
// Content-Length, dashed or quoted boundaries, webcamXP framing, stalls, garbage, huge
// parts, Basic and Digest auth). Frames are pre-encoded and each part goes out in one
// vectored write, so it also backs `vigil camsim --mjpeg N`.
//
// Paths: /cam/<n> is camera n's stream (or snapshot, in Snapshot mode), /cam/<n>/snap.jpg
// always a snapshot, / an HTML page (a camera's web interface), anything else 404.
package mjpegtest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/tcpserve"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Mode selects what /cam/<n> serves.
type Mode int

// Modes of a camera path.
const (
	// Stream serves multipart/x-mixed-replace (or the quirk's variant).
	Stream Mode = iota
	// Snapshot serves one JPEG per request, on a kept-alive connection.
	Snapshot
)

// Auth selects the authentication a camera demands.
type Auth int

// Authentication kinds.
const (
	AuthNone Auth = iota
	AuthBasic
	AuthDigest
)

// Quirks switch on the deviations from RFC 2046 that cameras show (bosch.md §6.2).
type Quirks struct {
	// NoContentLength omits the per-part Content-Length (Mobotix, EvoCam); in Snapshot
	// mode it omits the response's and closes the connection after the JPEG.
	NoContentLength bool
	// DashedBoundary declares "boundary=--B" and delimits with "--B" (Panasonic, Sony).
	DashedBoundary bool
	// QuotedBoundary declares boundary="B".
	QuotedBoundary bool
	// SpacedBoundary declares "boundary = B" (Panasonic BL-VT164P).
	SpacedBoundary bool
	// NoInitialBoundary sends the delimiter only after each part (Tasmota, esp32cam).
	NoInitialBoundary bool
	// ExtraHeaders adds X-Status, X-Tags, Motion-Event headers to each part (D-Link, Motion).
	ExtraHeaders bool
	// DuplicateContentLength sends a wrong Content-Length first and the right one last.
	DuplicateContentLength bool
	// NonNumericContentLength sends "Content-Length: unknown" (forces scanning).
	NonNumericContentLength bool
	// SplitHeaders writes each part header in two TCP segments a few ms apart.
	SplitHeaders bool
	// Chunked wraps the body in Transfer-Encoding: chunked, one chunk per part.
	Chunked bool
	// BogusContentLength declares a top-level "Content-Length: 9999999" on the endless
	// stream (webcamXP), which http.Client would truncate.
	BogusContentLength bool
	// OctetStream declares application/octet-stream instead of multipart (ffmpeg mpjpeg).
	OctetStream bool
	// WebcamXP uses mjpg-streamer's webcamXP framing: 50-byte "mjpeg %07d12345" headers,
	// no delimiters, a bogus top-level Content-Length.
	WebcamXP bool
	// MultipartMixed declares multipart/mixed.
	MultipartMixed bool
	// HTTP10 answers HTTP/1.0 with Connection: close (mjpg-streamer).
	HTTP10 bool
	// NoTimestamp omits X-Timestamp.
	NoTimestamp bool
}

// Options configure a Server. The zero value serves one camera of generated frames at
// 10 fps as a plain mjpg-streamer-like stream.
type Options struct {
	// Frames are the JPEGs served, looped. They default to MakeFrames(10, 320, 240).
	Frames [][]byte
	// CameraFrames, when set, gives camera n (from 1) its own frames; else every camera
	// serves Frames.
	CameraFrames func(n int) [][]byte
	// Cameras is the number of cameras (/cam/1 … /cam/N). It defaults to 1.
	Cameras int
	// FPS is the frame rate of a stream. It defaults to 10.
	FPS float64
	// Mode selects stream or snapshot for /cam/<n>. It defaults to Stream.
	Mode Mode
	// Boundary is the multipart boundary. It defaults to "boundarydonotcross".
	Boundary string
	Quirks   Quirks

	// Auth, User and Password protect every path. DigestAlgorithms lists the Digest
	// challenges offered, strongest first; it defaults to {"MD5"}. StaleAfter, when > 0,
	// declares a nonce stale (stale=true) after that many uses.
	Auth             Auth
	User, Password   string
	DigestAlgorithms []string
	StaleAfter       int

	// StallAfter, when > 0, sends that many frames, then half of the next, and holds the
	// connection open without sending.
	StallAfter int
	// Garbage sends random bytes instead of parts (with a multipart Content-Type).
	Garbage bool
	// HugePart announces a first part of 10 GB, sends a few bytes of it and holds.
	HugePart bool
	// Silent accepts connections and never answers.
	Silent bool
	// Reply, when set, is the answer to every request: a status line and header lines,
	// each ending in CRLF ("HTTP/1.1 503 Busy\r\nRetry-After: 5\r\n"), then an empty
	// body. It plays a camera that refuses, redirects, or writes hostile text.
	Reply string
	// TLS serves https with a self-signed certificate made at start (package trust's
	// SelfSigned), as cameras ship: no authority vouches for it; Fingerprint says what
	// to pin.
	TLS bool
	// Jitter, when > 0, delays each frame of a stream by a random 0…Jitter after its
	// instant (as a congested network does), in order; X-Timestamp still says the
	// instant, as a camera stamps when it captured.
	Jitter time.Duration
}

// Server is a fake MJPEG camera on 127.0.0.1.
type Server struct {
	opts Options
	addr string
	cams [][][]byte
	page []byte

	conns tcpserve.Conns

	cert tls.Certificate // with TLS

	nonceMu sync.Mutex
	nonces  map[string]*nonceState

	connections, requests, frames, snaps atomic.Int64
}

type nonceState struct {
	uses   int
	lastNC uint64
}

// NewServer starts a server on 127.0.0.1 at a free port. It panics if it cannot listen,
// as httptest.NewServer does.
func NewServer(opts Options) *Server {
	opts.Cameras = capture.OrDefault(opts.Cameras, 1)
	opts.FPS = capture.OrDefault(opts.FPS, 10)
	if opts.Boundary == "" {
		opts.Boundary = "boundarydonotcross"
	}
	if len(opts.DigestAlgorithms) == 0 {
		opts.DigestAlgorithms = []string{"MD5"}
	}
	if len(opts.Frames) == 0 && opts.CameraFrames == nil {
		opts.Frames = MakeFrames(10, 320, 240)
	}
	s := &Server{opts: opts, nonces: map[string]*nonceState{}}
	for n := 1; n <= opts.Cameras; n++ {
		f := opts.Frames
		if opts.CameraFrames != nil {
			f = opts.CameraFrames(n)
		}
		s.cams = append(s.cams, f)
	}
	if opts.TLS {
		cert, err := trust.SelfSigned("Vigil test MJPEG camera")
		if err != nil {
			panic(fmt.Sprintf("mjpegtest: %v", err))
		}
		s.cert = cert
	}
	s.page = []byte("<!DOCTYPE html>\n<html><head><title>IP Camera</title></head><body>Live view</body></html>\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("mjpegtest: listen: %v", err))
	}
	s.addr = ln.Addr().String()
	s.start(ln)
	return s
}

func (s *Server) start(ln net.Listener) {
	if s.opts.TLS {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12})
	}
	s.conns.Start(ln, func(c net.Conn) bool {
		s.connections.Add(1)
		s.serve(c)
		return false
	})
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is camera 1's URL.
func (s *Server) URL() string { return s.CameraURL(1) }

// CameraURL is camera n's URL (from 1), https:// with TLS.
func (s *Server) CameraURL(n int) string {
	scheme := "http"
	if s.opts.TLS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/cam/%d", scheme, s.addr, n)
}

// Fingerprint is the SHA-256 fingerprint of the TLS certificate ("AB:CD:…", what the
// settings' trust list pins), "" without TLS.
func (s *Server) Fingerprint() string {
	if !s.opts.TLS {
		return ""
	}
	return trust.Fingerprint(s.cert.Leaf)
}

// Connections counts accepted TCP connections, Requests HTTP requests, Frames parts or
// snapshots sent.
func (s *Server) Connections() int64 { return s.connections.Load() }

// Requests counts HTTP requests read.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Frames counts JPEGs sent (parts and snapshots).
func (s *Server) Frames() int64 { return s.frames.Load() }

// Down closes the listener and every connection, so the camera looks gone (connections
// are refused) until Up. It waits for the server's goroutines to exit.
func (s *Server) Down() {
	s.conns.Stop()
}

// Up listens again on the same address after Down ("the camera comes back").
func (s *Server) Up() error {
	if s.conns.Serving() {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("mjpegtest: listen again on %s: %w", s.addr, err)
	}
	s.start(ln)
	return nil
}

// DropConnections closes every open connection but keeps listening.
func (s *Server) DropConnections() {
	s.conns.Drop()
}

// Close shuts the server down and waits for its goroutines.
func (s *Server) Close() { s.Down() }

// hold blocks until the peer or the server closes c.
func hold(c net.Conn) {
	var b [512]byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return
		}
	}
}

func (s *Server) serve(c net.Conn) {
	if s.opts.Silent {
		hold(c)
		return
	}
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		s.requests.Add(1)
		if !s.serveOne(c, req) {
			return
		}
	}
}

// serveOne answers one request and says whether the connection stays open for more.
func (s *Server) serveOne(c net.Conn, req *http.Request) bool {
	if s.opts.Reply != "" {
		_, err := fmt.Fprintf(c, "%sContent-Length: 0\r\n\r\n", s.opts.Reply)
		return err == nil
	}
	if ok, hdr := s.authorize(req); !ok {
		body := "401 Unauthorized\n"
		fmt.Fprintf(c, "HTTP/1.1 401 Unauthorized\r\n%sContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", hdr, len(body), body)
		return true
	}
	path := req.URL.Path
	if path == "/" || path == "/index.html" {
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n", len(s.page))
		c.Write(s.page)
		return true
	}
	cam, snap := 0, s.opts.Mode == Snapshot
	if rest, ok := strings.CutPrefix(path, "/cam/"); ok {
		if r, ok := strings.CutSuffix(rest, "/snap.jpg"); ok {
			rest, snap = r, true
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= len(s.cams) {
			cam = n
		}
	}
	if cam == 0 {
		body := "404 Not Found\n"
		fmt.Fprintf(c, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return true
	}
	if snap {
		return s.snapshot(c, cam)
	}
	s.stream(c, cam)
	return false
}

func (s *Server) snapshot(c net.Conn, cam int) bool {
	frames := s.cams[cam-1]
	f := frames[int(s.snaps.Add(1)-1)%len(frames)]
	var h bytes.Buffer
	q := s.opts.Quirks
	proto := "HTTP/1.1"
	if q.HTTP10 {
		proto = "HTTP/1.0"
	}
	fmt.Fprintf(&h, "%s 200 OK\r\nContent-Type: image/jpeg\r\n", proto)
	if !q.NoTimestamp {
		h.WriteString("X-Timestamp: ")
		h.Write(appendTimestamp(nil, time.Now()))
		h.WriteString("\r\n")
	}
	keep := !q.NoContentLength && !q.HTTP10
	if q.NoContentLength || q.HTTP10 {
		h.WriteString("Connection: close\r\n")
	}
	if !q.NoContentLength {
		fmt.Fprintf(&h, "Content-Length: %d\r\n", len(f))
	}
	h.WriteString("\r\n")
	s.frames.Add(1) // before the write, so a client that got it sees it counted
	bufs := net.Buffers{h.Bytes(), f}
	if _, err := bufs.WriteTo(c); err != nil {
		return false
	}
	return keep
}

func appendTimestamp(b []byte, t time.Time) []byte {
	b = strconv.AppendInt(b, t.Unix(), 10)
	b = append(b, '.')
	us := t.Nanosecond() / 1000
	s := strconv.Itoa(us)
	for i := len(s); i < 6; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// delimiter is the delimiter line's text, and the Content-Type declared.
func (s *Server) framing() (delim, contentType string) {
	q := s.opts.Quirks
	b := s.opts.Boundary
	delim = "--" + b
	param := "boundary=" + b
	switch {
	case q.WebcamXP:
		return "", "multipart/x-mixed-replace; boundary=--myboundary"
	case q.DashedBoundary:
		delim = "--" + b
		param = "boundary=--" + b
	case q.QuotedBoundary:
		param = `boundary="` + b + `"`
	}
	if q.SpacedBoundary {
		param = strings.Replace(param, "=", " = ", 1)
	}
	mt := "multipart/x-mixed-replace"
	if q.MultipartMixed {
		mt = "multipart/mixed"
	}
	contentType = mt + ";" + param
	if q.OctetStream {
		contentType = "application/octet-stream"
	}
	return delim, contentType
}

func (s *Server) stream(c net.Conn, cam int) {
	q := s.opts.Quirks
	delim, ct := s.framing()
	var h bytes.Buffer
	proto := "HTTP/1.1"
	if q.HTTP10 {
		proto = "HTTP/1.0"
	}
	fmt.Fprintf(&h, "%s 200 OK\r\nContent-Type: %s\r\nCache-Control: no-cache, private\r\nPragma: no-cache\r\n", proto, ct)
	if q.HTTP10 {
		h.WriteString("Connection: close\r\n")
	}
	if q.BogusContentLength || q.WebcamXP {
		h.WriteString("Content-Length: 9999999\r\n")
	}
	chunked := q.Chunked && !q.HTTP10
	if chunked {
		h.WriteString("Transfer-Encoding: chunked\r\n")
	}
	h.WriteString("\r\n")
	if _, err := c.Write(h.Bytes()); err != nil {
		return
	}

	frames := s.cams[cam-1]
	// Each camera's sensor runs on its own clock: after the first frame (sent at once, as
	// cameras send their newest picture on connect), frames leave at instants fixed per
	// camera and spread evenly across the frame interval, whoever is connected — like
	// independent real cameras, not sixteen cameras in lockstep.
	interval := time.Duration(float64(time.Second) / s.opts.FPS)
	phase := int64(interval) * int64(cam-1) / int64(len(s.cams))
	untilNext := func() time.Duration {
		k := (time.Now().UnixNano() - phase) % int64(interval)
		return time.Duration(int64(interval) - k)
	}
	t := time.NewTimer(untilNext())
	defer t.Stop()
	shot := time.Now() // the instant of the frame being sent, with Jitter
	var hdr, tail, chunk []byte
	var rnd []byte
	for i := 0; ; i++ {
		f := frames[i%len(frames)]
		hdr, tail = hdr[:0], tail[:0]
		switch {
		case s.opts.Garbage:
			if rnd == nil {
				rnd = make([]byte, 4096)
			}
			_, _ = rand.Read(rnd)
			for j, c := range rnd {
				if c == 0xFF { // never a JPEG marker, so the reader cannot resync on it
					rnd[j] = 0xFE
				}
			}
			f = rnd
		case s.opts.HugePart && i == 0:
			hdr = fmt.Appendf(hdr, "%s\r\nContent-Type: image/jpeg\r\nContent-Length: 10737418240\r\n\r\n", delim)
			f = f[:min(len(f), 1000)]
		case q.WebcamXP:
			hdr = append(hdr, make([]byte, 50)...)
			copy(hdr, fmt.Sprintf("mjpeg %07d12345", len(f)))
		default:
			if !q.NoInitialBoundary {
				hdr = append(hdr, delim...)
				hdr = append(hdr, "\r\n"...)
			}
			hdr = append(hdr, "Content-Type: image/jpeg\r\n"...)
			if q.DuplicateContentLength {
				hdr = fmt.Appendf(hdr, "Content-Length: %d\r\n", len(f)/2)
			}
			switch {
			case q.NonNumericContentLength:
				hdr = append(hdr, "Content-Length: unknown\r\n"...)
			case !q.NoContentLength:
				hdr = fmt.Appendf(hdr, "Content-Length: %d\r\n", len(f))
			}
			if !q.NoTimestamp {
				hdr = append(hdr, "X-Timestamp: "...)
				stamp := time.Now()
				if s.opts.Jitter > 0 {
					stamp = shot
				}
				hdr = appendTimestamp(hdr, stamp)
				hdr = append(hdr, "\r\n"...)
			}
			if q.ExtraHeaders {
				hdr = append(hdr, "X-Status: 0\r\nX-Tags: 0\r\nX-Flags: 0\r\nMotion-Event: 0\r\n"...)
			}
			hdr = append(hdr, "\r\n"...)
			tail = append(tail, "\r\n"...)
			if q.NoInitialBoundary {
				tail = append(tail, delim...)
				tail = append(tail, "\r\n"...)
			}
		}
		if s.opts.StallAfter > 0 && i == s.opts.StallAfter {
			f, tail = f[:len(f)/2], nil
		}
		chunk = chunk[:0]
		if chunked {
			chunk = strconv.AppendInt(chunk, int64(len(hdr)+len(f)+len(tail)), 16)
			chunk = append(chunk, "\r\n"...)
			tail = append(tail, "\r\n"...)
		}
		if q.SplitHeaders && len(hdr) > 2 {
			if _, err := (&net.Buffers{chunk, hdr[:len(hdr)/2]}).WriteTo(c); err != nil {
				return
			}
			time.Sleep(3 * time.Millisecond)
			chunk, hdr = chunk[:0], hdr[len(hdr)/2:]
		}
		partial := (s.opts.StallAfter > 0 && i == s.opts.StallAfter) || (s.opts.HugePart && i == 0)
		if !partial && !s.opts.Garbage {
			s.frames.Add(1)
		}
		bufs := net.Buffers{chunk, hdr, f, tail}
		if _, err := bufs.WriteTo(c); err != nil {
			return
		}
		if partial {
			hold(c)
			return
		}
		if s.opts.Jitter > 0 {
			shot = shot.Add(interval)
			time.Sleep(time.Until(shot.Add(mrand.N(s.opts.Jitter))))
			continue
		}
		<-t.C
		t.Reset(untilNext())
	}
}

// authorize checks req against Options.Auth and returns the WWW-Authenticate header lines
// to send with a 401.
func (s *Server) authorize(req *http.Request) (bool, string) {
	o := s.opts
	got := req.Header.Get("Authorization")
	switch o.Auth {
	case AuthNone:
		return true, ""
	case AuthBasic:
		if v, ok := strings.CutPrefix(got, "Basic "); ok {
			want := base64.StdEncoding.EncodeToString([]byte(o.User + ":" + o.Password))
			if v == want {
				return true, ""
			}
		}
		return false, "WWW-Authenticate: Basic realm=\"MJPG-Streamer\"\r\n"
	}
	stale := false
	if v, ok := strings.CutPrefix(got, "Digest "); ok {
		ok, st := s.checkDigest(req.Method, digest.ParseAuthorization(v))
		if ok {
			return true, ""
		}
		stale = st
	}
	var b strings.Builder
	nonce := s.newNonce()
	for _, a := range o.DigestAlgorithms {
		fmt.Fprintf(&b, "WWW-Authenticate: Digest realm=\"vigil-test\", qop=\"auth\", algorithm=%s, nonce=\"%s\", opaque=\"5ccc069c403ebaf9\"", a, nonce)
		if stale {
			b.WriteString(", stale=true")
		}
		b.WriteString("\r\n")
	}
	return false, b.String()
}

func (s *Server) newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	n := hex.EncodeToString(b[:])
	s.nonceMu.Lock()
	s.nonces[n] = &nonceState{}
	s.nonceMu.Unlock()
	return n
}

// checkDigest verifies an RFC 7616 qop=auth response; stale reports a known nonce that
// is used up (StaleAfter) with otherwise right credentials.
func (s *Server) checkDigest(method string, p map[string]string) (ok, stale bool) {
	o := s.opts
	switch strings.ToUpper(p["algorithm"]) {
	case "", "MD5", "SHA-256":
	default:
		return false, false
	}
	if p["username"] != o.User || p["realm"] != "vigil-test" || p["qop"] != "auth" || p["opaque"] != "5ccc069c403ebaf9" {
		return false, false
	}
	want := digest.Response(p["algorithm"], o.User, "vigil-test", o.Password, method, p["uri"], p["nonce"], p["nc"], p["cnonce"], "auth")
	if want != p["response"] {
		return false, false
	}
	nc, err := strconv.ParseUint(p["nc"], 16, 64)
	if err != nil {
		return false, false
	}
	s.nonceMu.Lock()
	defer s.nonceMu.Unlock()
	st := s.nonces[p["nonce"]]
	if st == nil {
		return false, true
	}
	if nc <= st.lastNC { // replayed
		return false, false
	}
	st.lastNC = nc
	st.uses++
	if o.StaleAfter > 0 && st.uses > o.StaleAfter {
		delete(s.nonces, p["nonce"])
		return false, true
	}
	return true, false
}

// MakeFrames encodes n distinct w×h test-pattern JPEGs (quality 75): a gradient with a
// bar that moves from frame to frame, so consecutive frames differ.
func MakeFrames(n, w, h int) [][]byte {
	out := make([][]byte, 0, n)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < n; i++ {
		bar := (i * w / max(n, 1)) % max(w, 1)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.RGBA{uint8(x * 255 / max(w, 1)), uint8(y * 255 / max(h, 1)), 128, 255}
				if x >= bar && x < bar+w/10+1 {
					c = color.RGBA{255, 255, 255, 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
			panic(err) // encoding to memory cannot fail
		}
		out = append(out, b.Bytes())
	}
	return out
}
