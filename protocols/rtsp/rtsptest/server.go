// Package rtsptest is an in-process RTSP camera for tests, like net/http/httptest: a
// gortsplib server on 127.0.0.1 serving looped, pre-encoded H.264, H.265 or M-JPEG streams at
// their frame rate, with RTCP sender reports (so clients get the sender's wall clock),
// Basic or Digest auth, optional UDP on an even port pair picked free at run time, and
// switches to misbehave at run time: Stall a path, DropUDP, Kill and Restart. It also
// backs `vigil camsim --rtsp N`.
package rtsptest

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/auth"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
	"github.com/pion/rtp"

	"github.com/vigil-cctv/vigil/internal/trust"
)

// Stream is one path's looped video: H.264 or H.265 access units or JPEG pictures, and
// optionally an audio track.
type Stream struct {
	// H264 are Annex-B access units (see EncodeH264). The SPS and PPS of the first
	// access unit that has them go into the SDP's sprop-parameter-sets.
	H264 [][]byte
	// H265 are Annex-B access units (see EncodeH265); VPS, SPS and PPS go into the SDP.
	H265 [][]byte
	// JPEG are baseline JPEGs with standard Huffman tables (see EncodeJPEG).
	JPEG [][]byte
	// PTS, for H264 or H265 with B-frames, is each access unit's place in presentation
	// order in frame intervals (see Reordered): units go out in the order given, one per
	// interval, each with the RTP timestamp of its presentation time, as a camera sends
	// them. Nil means units are presented in the order sent.
	PTS []int
	// FPS is the send rate. It defaults to 15.
	FPS float64
	// OutOfBandParams strips the parameter sets from the access units sent, so they
	// exist only in the SDP, as many cameras do.
	OutOfBandParams bool
	// Audio lists a G.711 µ-law track before the video in the SDP (it sends nothing).
	// With no frames at all the path is audio only: not a video stream.
	Audio bool
}

// Options configure a Server.
type Options struct {
	// Streams are served by path ("cam" is rtsp://host:port/cam).
	Streams map[string]Stream
	// User and Password, when User is set, protect DESCRIBE and SETUP.
	User, Password string
	// Auth is "basic", "digest" (MD5) or "" for both, as gortsplib offers by default.
	Auth string
	// UDP enables RTP over UDP on an even port (RTCP on the next) picked free at run
	// time. Without it SETUP over UDP is answered 461 Unsupported Transport.
	UDP bool
	// RejectTCP answers SETUP over TCP with 461, like VLC's RTSP server.
	RejectTCP bool
	// Refuse, when its StatusCode is set, answers every DESCRIBE with it, status text
	// and headers included: a camera that is busy, forbids, or writes hostile text.
	Refuse base.Response
	// TLS serves rtsps with a self-signed certificate made at start (package trust's
	// SelfSigned), as cameras ship: no authority vouches for it; Fingerprint says what
	// to pin. Media is then SRTP (gortsplib's RTP/SAVP).
	TLS bool
}

// Server is a fake RTSP camera on 127.0.0.1.
type Server struct {
	opts  Options
	addr  string
	rtpP  int // 0 without UDP
	paths map[string]*path

	dropUDP atomic.Bool

	mu     sync.Mutex
	srv    *gortsplib.Server
	up     bool
	stop   chan struct{}
	wg     sync.WaitGroup
	preTCP net.Listener
	preUDP [2]*net.UDPConn
	setups []string
	cert   *tls.Certificate // with TLS

	plays, conns, session atomic.Int64 // counts, read by Plays, Connections, Sessions
}

type path struct {
	name          string
	s             Stream
	h265          bool
	nalus         [][][]byte // H.264/H.265 access units split into NAL units
	pts           []int      // presentation index of each of nalus (Stream.PTS), nil if none
	lead          int        // how many intervals the furthest unit is sent ahead of its turn
	vps, sps, pps []byte
	stall         atomic.Bool
	stream        *gortsplib.ServerStream // under Server.mu
	media         *description.Media
}

// StartCamera is the usual test camera: one path "cam" of 2 s of 320×240 H.264 at 15 fps
// over UDP and TCP, protected by Digest for viewer / pw-42. It skips t when ffmpeg, which
// encodes the stream once, is not installed.
func StartCamera(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (make test-deps installs it): it encodes the test stream")
	}
	aus, err := EncodeH264(320, 240, 15, 2)
	if err != nil {
		t.Fatal(err)
	}
	return Start(t, Options{UDP: true, User: "viewer", Password: "pw-42", Auth: "digest",
		Streams: map[string]Stream{"cam": {H264: aus, FPS: 15}}})
}

// Start starts a Server and closes it when the test ends. It fails the test if the
// server cannot start.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("rtsptest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a Server on 127.0.0.1 at a free port (for `vigil camsim`).
func New(opts Options) (*Server, error) {
	if len(opts.Streams) == 0 {
		return nil, errors.New("rtsptest: no streams")
	}
	switch opts.Auth {
	case "", "basic", "digest":
	default:
		return nil, fmt.Errorf("rtsptest: unknown auth %q; use basic, digest or empty", opts.Auth)
	}
	s := &Server{opts: opts, paths: map[string]*path{}}
	for name, st := range opts.Streams {
		p, err := newPath(name, st)
		if err != nil {
			return nil, err
		}
		s.paths[p.name] = p
	}
	if opts.TLS {
		cert, err := trust.SelfSigned("Vigil test RTSP camera")
		if err != nil {
			return nil, fmt.Errorf("rtsptest: %w", err)
		}
		s.cert = &cert
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.preTCP = ln
	if opts.UDP {
		a, b, err := evenUDPPair()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.preUDP = [2]*net.UDPConn{a, b}
		s.rtpP = a.LocalAddr().(*net.UDPAddr).Port
	}
	if err := s.Restart(); err != nil {
		ln.Close()
		for _, c := range s.preUDP {
			if c != nil {
				c.Close()
			}
		}
		return nil, err
	}
	return s, nil
}

func newPath(name string, st Stream) (*path, error) {
	name = strings.Trim(name, "/")
	p := &path{name: name, s: st}
	p.s.FPS = capture.OrDefault(p.s.FPS, 15)
	kinds := 0
	for _, f := range [][][]byte{st.H264, st.H265, st.JPEG} {
		if len(f) > 0 {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return nil, fmt.Errorf("rtsptest: path %q has frames of several codecs", name)
	case kinds == 0 && !st.Audio:
		return nil, fmt.Errorf("rtsptest: path %q has no frames", name)
	case len(st.H264) > 0 || len(st.H265) > 0:
		aus := st.H264
		if len(st.H265) > 0 {
			aus, p.h265 = st.H265, true
		}
		if st.PTS != nil {
			if len(st.PTS) != len(aus) {
				return nil, fmt.Errorf("rtsptest: path %q: %d presentation indices for %d access units", name, len(st.PTS), len(aus))
			}
			if err := checkPTS(st.PTS); err != nil {
				return nil, fmt.Errorf("rtsptest: path %q: %w", name, err)
			}
		}
		for i, au := range aus {
			var nalus [][]byte
			for _, n := range SplitNALUs(au) {
				if ps := p.paramSet(n); ps != nil {
					if *ps == nil {
						*ps = n
					}
					if st.OutOfBandParams {
						continue
					}
				}
				nalus = append(nalus, n)
			}
			if len(nalus) > 0 {
				p.nalus = append(p.nalus, nalus)
				if st.PTS != nil {
					p.pts = append(p.pts, st.PTS[i])
					p.lead = max(p.lead, st.PTS[i]-(len(p.nalus)-1))
				}
			}
		}
		if p.pts != nil && len(p.pts) != len(aus) {
			return nil, fmt.Errorf("rtsptest: path %q: with PTS every access unit must hold more than parameter sets", name)
		}
		if p.sps == nil || p.pps == nil || (p.h265 && p.vps == nil) {
			return nil, fmt.Errorf("rtsptest: path %q: the stream has no parameter sets", name)
		}
	}
	return p, nil
}

// paramSet returns where a parameter set NAL unit is kept, nil for other NAL units.
func (p *path) paramSet(n []byte) *[]byte {
	codec := capture.CodecH264
	if p.h265 {
		codec = capture.CodecH265
	}
	switch capture.NALRoleOf(codec, n) {
	case capture.NALVPS:
		return &p.vps
	case capture.NALSPS:
		return &p.sps
	case capture.NALPPS:
		return &p.pps
	}
	return nil
}

// evenUDPPair binds 127.0.0.1:P and :P+1 with P even, as RTP/RTCP want.
func evenUDPPair() (*net.UDPConn, *net.UDPConn, error) {
	for range 100 {
		a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return nil, nil, err
		}
		p := a.LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 || p >= 65535 {
			a.Close()
			continue
		}
		b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1})
		if err != nil {
			a.Close()
			continue
		}
		return a, b, nil
	}
	return nil, nil, errors.New("rtsptest: no free even UDP port pair on 127.0.0.1")
}

// lossyConn drops every outgoing datagram while drop is set (DropUDP).
type lossyConn struct {
	*net.UDPConn
	drop *atomic.Bool
}

func (c *lossyConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if c.drop.Load() {
		return len(b), nil
	}
	return c.UDPConn.WriteTo(b, addr)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the rtsp:// (with TLS rtsps://) URL of path, without credentials.
func (s *Server) URL(path string) string {
	scheme := "rtsp://"
	if s.cert != nil {
		scheme = "rtsps://"
	}
	return scheme + s.addr + "/" + strings.Trim(path, "/")
}

// Fingerprint is the SHA-256 fingerprint of the TLS certificate ("AB:CD:…", what the
// settings' trust list pins), "" without TLS.
func (s *Server) Fingerprint() string {
	if s.cert == nil {
		return ""
	}
	return trust.Fingerprint(s.cert.Leaf)
}

// RTPPort is the UDP port RTP goes out from (RTCP is the next), 0 without UDP.
func (s *Server) RTPPort() int { return s.rtpP }

// Stall stops (on) or resumes sending path's packets; sessions stay open and RTCP
// sender reports keep coming, as from a camera whose encoder hung.
func (s *Server) Stall(path string, on bool) {
	if p := s.paths[strings.Trim(path, "/")]; p != nil {
		p.stall.Store(on)
	}
}

// DropUDP silently drops (on) every UDP datagram the server sends, as a firewall
// would; RTP interleaved in TCP still flows.
func (s *Server) DropUDP(on bool) { s.dropUDP.Store(on) }

// Setups lists the transport ("udp" or "tcp") of every SETUP answered 200, in order.
func (s *Server) Setups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.setups)
}

// Plays counts PLAY requests answered 200.
func (s *Server) Plays() int { return int(s.plays.Load()) }

// Sessions counts RTSP sessions opened.
func (s *Server) Sessions() int { return int(s.session.Load()) }

// Connections counts TCP connections accepted.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Kill closes the listener, every session and the UDP sockets: the camera is gone and
// connections are refused until Restart. It waits for the server's goroutines.
func (s *Server) Kill() {
	s.mu.Lock()
	if !s.up {
		s.mu.Unlock()
		return
	}
	s.up = false
	close(s.stop)
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	s.wg.Wait()
	srv.Close()
	s.mu.Lock()
	for _, p := range s.paths {
		if p.stream != nil {
			p.stream.Close()
			p.stream = nil
		}
	}
	s.mu.Unlock()
}

// Restart listens again on the same ports after Kill ("the camera comes back"). It does
// nothing while the server is up.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		return nil
	}
	srv := &gortsplib.Server{
		Handler:      (*handler)(s),
		RTSPAddress:  s.addr,
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
		Listen: func(network, address string) (net.Listener, error) {
			if ln := s.preTCP; ln != nil {
				s.preTCP = nil
				return ln, nil
			}
			return net.Listen(network, address)
		},
		ListenPacket: func(network, address string) (net.PacketConn, error) {
			for i, c := range s.preUDP {
				if c != nil && c.LocalAddr().String() == address {
					s.preUDP[i] = nil
					return &lossyConn{UDPConn: c, drop: &s.dropUDP}, nil
				}
			}
			udpAddr, err := net.ResolveUDPAddr(network, address)
			if err != nil {
				return nil, err
			}
			c, err := net.ListenUDP(network, udpAddr)
			if err != nil {
				return nil, err
			}
			return &lossyConn{UDPConn: c, drop: &s.dropUDP}, nil
		},
	}
	switch s.opts.Auth {
	case "basic":
		srv.AuthMethods = []auth.VerifyMethod{auth.VerifyMethodBasic}
	case "digest":
		srv.AuthMethods = []auth.VerifyMethod{auth.VerifyMethodDigestMD5}
	}
	if s.cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*s.cert}, MinVersion: tls.VersionTLS12}
	}
	if s.opts.UDP {
		srv.UDPRTPAddress = fmt.Sprintf("127.0.0.1:%d", s.rtpP)
		srv.UDPRTCPAddress = fmt.Sprintf("127.0.0.1:%d", s.rtpP+1)
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("rtsptest: starting the server on %s: %w", s.addr, err)
	}
	for _, p := range s.paths {
		if err := p.open(srv); err != nil {
			for _, q := range s.paths {
				if q.stream != nil {
					q.stream.Close()
					q.stream = nil
				}
			}
			srv.Close()
			return err
		}
	}
	s.srv = srv
	s.up = true
	s.stop = make(chan struct{})
	for _, p := range s.paths {
		s.wg.Add(1)
		go s.feed(p, p.stream, s.stop)
	}
	return nil
}

// Close shuts the server down for good and waits for its goroutines.
func (s *Server) Close() {
	s.Kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.preTCP != nil {
		s.preTCP.Close()
		s.preTCP = nil
	}
	for i, c := range s.preUDP {
		if c != nil {
			c.Close()
			s.preUDP[i] = nil
		}
	}
}

func (p *path) open(srv *gortsplib.Server) error {
	var medias []*description.Media
	if p.s.Audio {
		medias = append(medias, &description.Media{Type: description.MediaTypeAudio,
			Formats: []format.Format{&format.G711{PayloadTyp: 0, MULaw: true, SampleRate: 8000, ChannelCount: 1}}})
	}
	var forma format.Format
	switch {
	case p.h265:
		forma = &format.H265{PayloadTyp: 96, VPS: p.vps, SPS: p.sps, PPS: p.pps}
	case p.nalus != nil:
		forma = &format.H264{PayloadTyp: 96, PacketizationMode: 1, SPS: p.sps, PPS: p.pps}
	case len(p.s.JPEG) > 0:
		forma = &format.MJPEG{}
	}
	p.media = nil
	if forma != nil {
		p.media = &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
		medias = append(medias, p.media)
	}
	st := &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: medias}}
	if err := st.Initialize(); err != nil {
		return fmt.Errorf("rtsptest: path %q: %w", p.name, err)
	}
	p.stream = st
	return nil
}

// feed sends p's frames at its rate until stop, looping; the RTP clock runs on while
// stalled so a resumed stream has no timestamp jump backwards.
func (s *Server) feed(p *path, st *gortsplib.ServerStream, stop chan struct{}) {
	defer s.wg.Done()
	if p.media == nil {
		<-stop // audio only: nothing to send
		return
	}
	var encode func(i int) ([]*rtp.Packet, error)
	switch f := p.media.Formats[0].(type) {
	case *format.H265:
		enc, err := f.CreateEncoder()
		if err != nil {
			return
		}
		encode = func(i int) ([]*rtp.Packet, error) { return enc.Encode(p.nalus[i%len(p.nalus)]) }
	case *format.H264:
		enc, err := f.CreateEncoder()
		if err != nil {
			return
		}
		encode = func(i int) ([]*rtp.Packet, error) { return enc.Encode(p.nalus[i%len(p.nalus)]) }
	case *format.MJPEG:
		enc, err := f.CreateEncoder()
		if err != nil {
			return
		}
		encode = func(i int) ([]*rtp.Packet, error) { return enc.Encode(p.s.JPEG[i%len(p.s.JPEG)]) }
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	interval := time.Duration(float64(time.Second) / p.s.FPS)
	start := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		next := start.Add(time.Duration(i+1) * interval)
		t.Reset(time.Until(next))
		if p.stall.Load() {
			continue
		}
		pkts, err := encode(i)
		if err != nil {
			continue
		}
		// The RTP timestamp is the presentation time (RFC 6184 §5.1); with B-frames a unit
		// is sent up to lead intervals before its turn, so its picture was taken then.
		shown := i
		if n := len(p.pts); n > 0 {
			shown = i/n*n + p.pts[i%n] - p.lead
		}
		ts := base + uint32(int64(math.Round(float64(shown)*90000/p.s.FPS)))
		ntp := start.Add(time.Duration(shown) * interval)
		for _, pkt := range pkts {
			pkt.Timestamp = ts
			if err := st.WritePacketRTPWithNTP(p.media, pkt, ntp); err != nil {
				return
			}
		}
	}
}

// handler answers the server's callbacks.
type handler Server

func (h *handler) OnConnOpen(*gortsplib.ServerHandlerOnConnOpenCtx) {
	h.conns.Add(1)
}

func (h *handler) OnSessionOpen(*gortsplib.ServerHandlerOnSessionOpenCtx) {
	h.session.Add(1)
}

// authorized checks credentials; ok false comes with the 401 to send.
func (h *handler) authorized(conn *gortsplib.ServerConn, req *base.Request) bool {
	if h.opts.User == "" {
		return true
	}
	return conn.VerifyCredentials(req, h.opts.User, h.opts.Password)
}

func (h *handler) lookup(p string) (*path, *gortsplib.ServerStream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	pp := h.paths[strings.Trim(p, "/")]
	if pp == nil {
		return nil, nil
	}
	return pp, pp.stream
}

func (h *handler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if h.opts.Refuse.StatusCode != 0 {
		res := h.opts.Refuse
		res.Header = maps.Clone(res.Header)
		return &res, nil, nil
	}
	if !h.authorized(ctx.Conn, ctx.Request) {
		return &base.Response{StatusCode: base.StatusUnauthorized}, nil, liberrors.ErrServerAuth{}
	}
	_, st := h.lookup(ctx.Path)
	if st == nil {
		return &base.Response{StatusCode: base.StatusNotFound}, nil, nil
	}
	return &base.Response{StatusCode: base.StatusOK}, st, nil
}

func (h *handler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.authorized(ctx.Conn, ctx.Request) {
		return &base.Response{StatusCode: base.StatusUnauthorized}, nil, liberrors.ErrServerAuth{}
	}
	_, st := h.lookup(ctx.Path)
	if st == nil {
		return &base.Response{StatusCode: base.StatusNotFound}, nil, nil
	}
	tr := "udp"
	if ctx.Transport.Protocol == gortsplib.ProtocolTCP {
		tr = "tcp"
		if h.opts.RejectTCP {
			return &base.Response{StatusCode: base.StatusUnsupportedTransport}, nil, nil
		}
	}
	h.mu.Lock()
	h.setups = append(h.setups, tr)
	h.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, st, nil
}

func (h *handler) OnPlay(*gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	h.plays.Add(1)
	return &base.Response{StatusCode: base.StatusOK}, nil
}
