// Package milestonetest is an in-process Milestone XProtect simulator for tests and demos, like
// net/http/httptest. server.go and mgmt.go are the management server half (ServerCommandService
// over HTTPS with Basic auth); recorder*.go the recording server half (Image Server protocol).
// Compose them by giving a Recorder the management server's ValidToken and listing the
// recorder's address with AddRecorder.
package milestonetest

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/vigil-cctv/vigil/internal/trust"
)

// Options configure a management Server.
type Options struct {
	// User and Password of the one XProtect Basic user. They default to "admin" / "secret".
	User, Password string
	// TokenTTL is the lifetime of issued tokens; they really expire. It defaults to 4 h,
	// what a 2025 server returned (milestone.md §1.3).
	TokenTTL time.Duration
	// Recorders are returned by GetConfiguration; AddRecorder adds more later.
	Recorders []RecorderConfig
	// PlainHTTP serves http:// instead of https:// (the milestone:// lab scheme).
	PlainHTTP bool
	// Padding adds this many bytes of whitespace inside GetConfiguration's answer, to test
	// response size limits. It defaults to 0.
	Padding int
	// ActionPrefix is the SOAPAction every operation must carry, minus the operation name. It
	// defaults to the .svc form "http://videoos.net/2/XProtectCSServerCommand/IServerCommandService/";
	// "http://videoos.net/2/XProtectCSServerCommand/" simulates the ASMX contract (milestone.md §1.1).
	ActionPrefix string
	// Delay holds every answer this long (or until the client gives up). It defaults to 0.
	Delay time.Duration
	// Refuse, when set, answers every request with this HTTP status and RefuseBody as it
	// is, unescaped: a busy (503) or forbidding (403) server, or a SOAP fault (500) with
	// hostile text.
	Refuse     int
	RefuseBody string
}

// RecorderConfig is one recording server as GetConfiguration describes it.
type RecorderConfig struct {
	ID           string // RecorderId GUID; generated when empty
	Name         string
	HostName     string
	WebServerURI string // e.g. "http://127.0.0.1:PORT/" from a Recorder's Addr()
	Cameras      []CameraConfig
}

// CameraConfig is one camera of a recorder.
type CameraConfig struct {
	ID   string // DeviceId GUID; generated when empty
	Name string
	// PTZ sends PtzSettings with PtzEnabled; Center adds IsCenterOnPositionInViewSupported.
	PTZ, Center bool
}

// Server is a running management server simulator.
type Server struct {
	opts Options
	srv  *httptest.Server

	mu        sync.Mutex
	recorders []RecorderConfig
	tokens    map[string]tokenState

	logins, renewals, logouts, faults, conns atomic.Int64
	calls                                    sync.Map // op → *atomic.Int64
}

type tokenState struct {
	instance string
	expires  time.Time
}

// NewServer starts a Server on 127.0.0.1 with a port picked at run time.
func NewServer(o Options) *Server {
	if o.User == "" && o.Password == "" {
		o.User, o.Password = "admin", "secret"
	}
	if o.ActionPrefix == "" {
		o.ActionPrefix = actionPrefix
	}
	o.TokenTTL = capture.OrDefault(o.TokenTTL, 4*time.Hour)
	s := &Server{opts: o, tokens: map[string]tokenState{}}
	for _, r := range o.Recorders {
		s.AddRecorder(r)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if o.PlainHTTP {
		s.srv.Start()
	} else {
		s.srv.StartTLS()
	}
	return s
}

// URL is the server's base URL, "https://127.0.0.1:PORT" (the client adds the service path).
func (s *Server) URL() string { return s.srv.URL }

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// Close shuts the server down, closing open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Certificate is the server's TLS certificate (self-signed), nil for PlainHTTP.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Fingerprint is the SHA-256 fingerprint of Certificate in "AB:CD:…" form, "" for PlainHTTP.
func (s *Server) Fingerprint() string {
	c := s.srv.Certificate()
	if c == nil {
		return ""
	}
	return trust.Fingerprint(c)
}

// AddRecorder adds a recording server (and its cameras) to GetConfiguration's answer and
// returns it with generated GUIDs filled in.
func (s *Server) AddRecorder(r RecorderConfig) RecorderConfig {
	if r.ID == "" {
		r.ID = newGUID()
	}
	cams := make([]CameraConfig, len(r.Cameras))
	for i, c := range r.Cameras {
		if c.ID == "" {
			c.ID = newGUID()
		}
		cams[i] = c
	}
	r.Cameras = cams
	s.mu.Lock()
	s.recorders = append(s.recorders, r)
	s.mu.Unlock()
	return r
}

// Recorders is what GetConfiguration currently returns.
func (s *Server) Recorders() []RecorderConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecorderConfig(nil), s.recorders...)
}

// ValidToken reports whether token was issued by this server and has not expired: pass it to
// a Recorder so the Image Server half checks the same tokens.
func (s *Server) ValidToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tokens[token]
	return ok && time.Now().Before(st.expires)
}

// ExpireAll makes every issued token expire now.
func (s *Server) ExpireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.tokens {
		st.expires = time.Now().Add(-time.Second)
		s.tokens[k] = st
	}
}

// Logins counts first logins (empty or unknown currentToken).
func (s *Server) Logins() int { return int(s.logins.Load()) }

// Renewals counts logins that presented a valid current token.
func (s *Server) Renewals() int { return int(s.renewals.Load()) }

// Logouts counts successful Logout calls.
func (s *Server) Logouts() int { return int(s.logouts.Load()) }

// Faults counts SOAP faults and 401s sent.
func (s *Server) Faults() int { return int(s.faults.Load()) }

// Connections counts TCP connections accepted.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Calls counts calls of op ("Login", "GetConfiguration", …) that reached the dispatcher.
func (s *Server) Calls(op string) int {
	v, ok := s.calls.Load(op)
	if !ok {
		return 0
	}
	return int(v.(*atomic.Int64).Load())
}

func (s *Server) count(op string) {
	v, _ := s.calls.LoadOrStore(op, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}
