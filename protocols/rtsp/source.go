package rtsp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"

	"github.com/vigil-cctv/vigil/capture"
)

// Defaults of Source.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultUDPFallbackAfter = 2500 * time.Millisecond
	lossLogInterval         = 10 * time.Second
)

// Transports a Source accepts.
const (
	TransportAuto = "auto"
	TransportTCP  = "tcp"
	TransportUDP  = "udp"
)

// Source plays the first video track of an rtsp:// or rtsps:// URL through gortsplib's
// client and emits one capture.Packet per H.264/H.265 access unit (Annex-B, parameter
// sets in front of every key frame) or per M-JPEG (RFC 2435) picture. It implements
// capture.Source. A Source may be Run again and again (the Supervisor reconnects); it
// remembers the transport that worked.
type Source struct {
	// URL is rtsp://host[:port]/path or rtsps://…, optionally with user:pass@ (used when
	// User is empty). It is never logged or shown unredacted.
	URL string
	// User and Password are sent with Basic or Digest auth, whichever the server asks
	// for, only after it answers 401.
	User, Password string
	// Transport is "auto", "tcp" or "udp". It defaults to "auto": RTP over UDP first,
	// then RTP interleaved in the RTSP connection (TCP) when SETUP is refused with 461
	// or no UDP packet arrives within UDPFallbackAfter. Once TCP was needed, later runs
	// of this Source go straight to TCP.
	Transport string
	// Timeout bounds connecting and each RTSP request, and is gortsplib's read timeout:
	// a playing session over which nothing (RTP or RTCP) arrives for it fails with
	// capture.ErrStalled. It defaults to 10 s. A session that stays up but delivers no
	// picture is left to the one no-frame watchdog, capture.Supervisor's (and the
	// probe's): this Source runs none of its own.
	Timeout time.Duration
	// UDPFallbackAfter is how long "auto" waits for the first UDP packet. It defaults
	// to 2.5 s.
	UDPFallbackAfter time.Duration
	// Pins gives the SHA-256 fingerprint pinned for an rtsps camera (host:port, port 322
	// when the URL has none), the settings' trust list: its certificate is accepted when
	// an authority the system trusts vouches for it or it matches the pin (package
	// trust). It may be nil.
	Pins func(hostPort string) string
	// Insecure accepts any TLS certificate for rtsps:// (`vigil probe --insecure`, which
	// shows Seen's fingerprint to be compared and pinned). It defaults to false.
	Insecure bool
	// Seen, when set, receives the SHA-256 fingerprint of every certificate an rtsps
	// camera presents, accepted or not.
	Seen func(fingerprint string)
	// Logger receives transport switches and rate-limited packet-loss warnings. It
	// defaults to slog.Default(); every line carries component=rtsp.
	Logger *slog.Logger
	// Dial opens the RTSP (TCP) connection. It defaults to a net.Dialer's DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu      sync.Mutex
	learned string
	tracks  []Track
	offered []string
}

var _ capture.Source = (*Source)(nil)

// Track is one media of the server's SDP, as `vigil probe` lists them: Media is "video",
// "audio" or "application"; Codec "h264", "h265", "jpeg" for the video Vigil plays, else
// the SDP's name in lower case ("mpeg-4 audio", "opus", …); Profile the H.264/H.265
// profile and level from the SPS ("High 4.0"), empty when unknown; Width and Height from
// the SPS or the first JPEG; FPS what the SPS's timing information declares (0: none);
// Playing marks the track Run chose.
type Track struct {
	capture.ProbeTrack
	ClockRate int `json:"clock_rate,omitempty"`
}

// UsedTransport reports the transport that last delivered pictures ("udp" or "tcp"),
// or "" before any did. (It is not named Transport: that is the configured field.)
func (s *Source) UsedTransport() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.learned
}

// Tracks returns the tracks of the last DESCRIBE, the played one completed with what
// its stream revealed (in-band SPS, first JPEG). It is nil before any DESCRIBE succeeded.
func (s *Source) Tracks() []Track {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Track(nil), s.tracks...)
}

// AuthOffered returns the schemes ("basic", "digest") the server's last 401 offered,
// lower case; nil when the last run met no 401. Unlike StreamInfo it is known after a
// failed run too, for `vigil probe` to show what a refusing camera wants.
func (s *Source) AuthOffered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.offered...)
}

func (s *Source) setTracks(t []Track) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracks = t
}

func (s *Source) updatePlaying(profile string, w, h int, fps float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.tracks {
		if t := &s.tracks[i]; t.Playing {
			if profile != "" {
				t.Profile = profile
			}
			if w > 0 && h > 0 {
				t.Width, t.Height = w, h
			}
			if fps > 0 {
				t.FPS = fps
			}
		}
	}
}

func (s *Source) learn(transport string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learned = transport
}

// Run connects, reports StreamInfo, and delivers packets until ctx is cancelled (it then
// returns nil) or the stream fails. It returns only after every goroutine it and the
// gortsplib client started has exited.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	r, err := s.newRun(sink)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	err = r.run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return capture.CleanError(err) // gortsplib's errors quote the server's headers and status text
}

func (s *Source) newRun(sink capture.Sink) (*run, error) {
	if _, err := capture.ParseURL(s.URL); err != nil { // its error never quotes the password
		return nil, fmt.Errorf("rtsp: %w", err)
	}
	u, err := base.ParseURL(s.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("rtsp: %q is not a valid URL; expected rtsp://host[:port]/path or rtsps://…", capture.RedactURL(s.URL))
	}
	r := &run{s: s, sink: sink, u: u, errc: make(chan error, 1)}
	s.mu.Lock()
	s.offered = nil
	s.mu.Unlock()
	r.where = u.Host
	if u.Port() == "" {
		port := "554"
		if u.Scheme == "rtsps" {
			port = "322"
		}
		r.where = net.JoinHostPort(u.Hostname(), port)
	}
	if s.User != "" || s.Password != "" {
		u.User = url.UserPassword(s.User, s.Password)
	}
	r.hasCreds = u.User != nil && (u.User.Username() != "" || hasPassword(u.User))
	if !r.hasCreds {
		u.User = nil
	}
	r.redacted = capture.RedactURL(s.URL)
	r.timeout = capture.OrDefault(s.Timeout, DefaultTimeout)
	r.udpAfter = capture.OrDefault(s.UDPFallbackAfter, DefaultUDPFallbackAfter)
	r.mode = strings.ToLower(strings.TrimSpace(s.Transport))
	switch r.mode {
	case "":
		r.mode = TransportAuto
	case TransportAuto, TransportTCP, TransportUDP:
	default:
		return nil, fmt.Errorf("rtsp: unknown transport %q for %s; use auto, tcp or udp", s.Transport, r.redacted)
	}
	r.log = s.Logger
	if r.log == nil {
		r.log = slog.Default()
	}
	r.log = r.log.With("component", "rtsp", "url", r.redacted)
	return r, nil
}

func hasPassword(u *url.Userinfo) bool {
	p, ok := u.Password()
	return ok && p != ""
}
