package capture

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Settings are what a camera's settings give a protocol besides its URL: the same for
// every protocol, each reading what it needs.
type Settings struct {
	// User and Password are the camera's credentials. Credentials in the URL are used
	// when User is empty (Registry.NewSource fills them in).
	User, Password string
	// FPS is the expected frame rate; snapshot protocols poll at it (0: the protocol's
	// default).
	FPS float64
	// Transport is the RTSP transport: auto, tcp or udp ("": auto).
	Transport string
	// Insecure accepts any TLS certificate (`vigil probe --insecure`).
	Insecure bool
	// Pins looks up a server's pinned certificate fingerprint (the settings' trust list):
	// every TLS source trusts a certificate no authority vouches for when it matches.
	Pins func(hostPort string) string
	// Seen receives the fingerprint of every certificate a TLS camera presents (a source
	// that knows its server's certificate itself reports it through Fingerprinter).
	Seen func(fingerprint string)
	// Logger defaults to the protocol's default (slog.Default()).
	Logger *slog.Logger
	// Profile is the ONVIF media profile whose PTZ node a PTZ controller moves (a camera's
	// ptz block's profile); "" takes the first profile with PTZ.
	Profile string
	// Pictures makes a synthetic camera's looping JPEG pictures (demo:// URLs): the app's
	// cached encoder. Nil where no synthetic camera is opened.
	Pictures func(name string, w, h int, fps float64) ([][]byte, error)
	// Registry is the table the Source is built through (Registry.NewSource and NewPTZ
	// fill it): a protocol that learns its stream's URL from the camera (ONVIF's
	// GetStreamUri) opens that URL through the same table instead of importing another
	// protocol.
	Registry *Registry
}

// Protocol is one way of reaching cameras, as it registers itself (each protocol's
// register.go): the URL schemes it answers, how it checks a URL in the settings, and how
// it makes a Source. What a protocol's Sources can do besides Run is told by the optional
// interfaces below (Directory, Fingerprinter, TrackLister, Player, Snapshotter, …), never
// by their concrete type.
type Protocol struct {
	// Name is for people ("RTSP", "MJPEG over HTTP").
	Name string
	// Schemes are the lower-case URL schemes, in the order error messages list them.
	Schemes []string
	// Transports are the values a camera's transport setting may take for this protocol
	// (Settings.Transport), the default first; nil when it has no choice.
	Transports []string
	// NeedsHost says the protocol's URLs name a server: Register puts CheckHost before
	// CheckURL (or makes it CheckURL when there is none), so the CheckURL Lookup returns
	// refuses a URL without a host and a registration states only its own checks.
	NeedsHost bool
	// CheckURL returns what is wrong with a URL of one of Schemes beyond what every URL
	// is checked for (parse, scheme, credentials, port, a host with NeedsHost), or "". It
	// never repeats the URL's userinfo. Nil: nothing more.
	CheckURL func(u *url.URL) string
	// New makes a Source for rawURL (one of Schemes; credentials already moved into s).
	New func(rawURL string, s Settings) (Source, error)
	// Discover logs in to a site (a VMS's management server) and lists its recording
	// servers and cameras, each with the URL that plays it. Nil: the protocol has no
	// sites. A server whose certificate is not trusted fails with an error wrapping
	// *trust.CertError.
	Discover func(ctx context.Context, req SiteRequest) (*SiteDirectory, error)
	// NewPTZ makes a PTZ controller for rawURL (rcp://, onvif://, …; credentials already
	// moved into s). Nil: the protocol has no PTZ of its own address. A protocol whose
	// URLs are only PTZ targets (rcp://) registers NewPTZ without New.
	NewPTZ func(rawURL string, s Settings) (PTZ, error)
	// Listen opens a listener its cameras connect to (push://HOST:PORT: frame pushers),
	// reference-counted per address in the process, until the Closer is closed. Nil: the
	// protocol's cameras are only reached by the panel.
	Listen func(rawURL string, o ListenOptions) (io.Closer, error)
	// Push sends frames to a panel at rawURL (push://HOST:PORT) until ctx ends or
	// o.Next says io.EOF, reconnecting when the panel goes away. Nil: not a push protocol.
	Push func(ctx context.Context, rawURL string, o PushOptions) error
}

// SiteRequest says which site to list and how to trust it.
type SiteRequest struct {
	// URL is the site's management server (milestones://host[:port]).
	URL            string
	User, Password string
	// PinSHA256 accepts exactly the management server's certificate with this
	// fingerprint (just accepted by the user); Pins gives the trust list's pins, for the
	// management server when PinSHA256 is empty and for TLS recording servers.
	PinSHA256 string
	Pins      func(hostPort string) string
	Logger    *slog.Logger
}

// SiteDirectory is what a login showed of a site.
type SiteDirectory struct {
	// Host is the management server's host:port, as its certificate is pinned.
	Host      string
	Recorders []SiteRecorder
}

// SiteRecorder is one recording server of a site.
type SiteRecorder struct {
	Name string
	// Addr is the recorder's host:port.
	Addr string
	// Untrusted is the fingerprint of a TLS recorder's certificate nobody vouches for yet
	// ("" when trusted or plain).
	Untrusted string
	Cameras   []SiteCamera
}

// SiteCamera is one camera of a site and the URL (without credentials) that plays it.
type SiteCamera struct {
	Name, URL string
}

// Registry is the table of protocols: the settings' validation and the building of
// sources both read it, so a URL the settings accept is one a Source is built for. It is
// filled once, before it is read (Register is not safe alongside the readers).
type Registry struct {
	protocols []Protocol
}

// Register adds p, its CheckURL checking the host first when p.NeedsHost. A scheme
// registered twice or a Protocol without New is a programming error: it panics, so the
// registration file fails its first test.
func (r *Registry) Register(p Protocol) {
	if (p.New == nil && p.NewPTZ == nil) || len(p.Schemes) == 0 {
		panic("capture: protocol " + p.Name + " registered without schemes, New or NewPTZ")
	}
	for _, s := range p.Schemes {
		if _, dup := r.Lookup(s); dup {
			panic("capture: scheme " + s + " registered twice")
		}
	}
	if p.NeedsHost {
		p.CheckURL = hostFirst(p.CheckURL)
	}
	r.protocols = append(r.protocols, p)
}

// hostFirst is the CheckURL of a protocol whose URLs name a server: CheckHost, then the
// protocol's own check (nil: none).
func hostFirst(check func(u *url.URL) string) func(u *url.URL) string {
	if check == nil {
		return CheckHost
	}
	return func(u *url.URL) string {
		if msg := CheckHost(u); msg != "" {
			return msg
		}
		return check(u)
	}
}

// Lookup returns the protocol of a scheme (case-insensitive).
func (r *Registry) Lookup(scheme string) (Protocol, bool) {
	scheme = strings.ToLower(scheme)
	for _, p := range r.protocols {
		if slices.Contains(p.Schemes, scheme) {
			return p, true
		}
	}
	return Protocol{}, false
}

// Schemes lists every registered scheme in registration order.
func (r *Registry) Schemes() []string {
	var out []string
	for _, p := range r.protocols {
		out = append(out, p.Schemes...)
	}
	return out
}

// NewSource is the one place that maps a URL's scheme to a protocol (DESIGN.md "Sources
// by URL"). Credentials in the URL (user:pass@, percent-decoded) are used when s carries
// none; the returned Source never prints them, nor does an error.
func (r *Registry) NewSource(rawURL string, s Settings) (Source, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err // names the URL redacted, never url.Parse's text (it quotes the password)
	}
	if u.User != nil && s.User == "" {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if u.Scheme == "" {
		return nil, fmt.Errorf("%q is not a URL: write it with its scheme, e.g. http://%s", RedactURL(rawURL), RedactURL(rawURL))
	}
	p, ok := r.Lookup(u.Scheme)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported scheme %q (want %s)", RedactURL(rawURL), u.Scheme, r.SchemeList())
	}
	if p.New == nil {
		return nil, fmt.Errorf("%s: %s URLs name a PTZ controller, not a video stream", RedactURL(rawURL), u.Scheme)
	}
	if s.Registry == nil {
		s.Registry = r
	}
	return p.New(rawURL, s)
}

// NewPTZ makes the PTZ controller of rawURL through the protocol of its scheme, with the
// URL's credentials moved into s as NewSource does.
func (r *Registry) NewPTZ(rawURL string, s Settings) (PTZ, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if u.User != nil && s.User == "" {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	p, ok := r.Lookup(u.Scheme)
	if !ok || p.NewPTZ == nil {
		return nil, fmt.Errorf("%s: no protocol drives PTZ at %q URLs", RedactURL(rawURL), u.Scheme)
	}
	if s.Registry == nil {
		s.Registry = r
	}
	return p.NewPTZ(rawURL, s)
}

// Discover lists the site at req.URL through the protocol of its scheme.
func (r *Registry) Discover(ctx context.Context, req SiteRequest) (*SiteDirectory, error) {
	u, err := ParseURL(req.URL)
	if err != nil {
		return nil, err
	}
	p, ok := r.Lookup(u.Scheme)
	if !ok || p.Discover == nil {
		return nil, fmt.Errorf("%s: no protocol lists sites at %q URLs", RedactURL(req.URL), u.Scheme)
	}
	return p.Discover(ctx, req)
}

// Transports lists every registered protocol's transports, without repeats, in
// registration order.
func (r *Registry) Transports() []string {
	var out []string
	for _, p := range r.protocols {
		for _, t := range p.Transports {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// SchemeList is Schemes for a message: "http, https, rtsp or demo".
func (r *Registry) SchemeList() string {
	s := r.Schemes()
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// CheckHost is the check of a protocol whose URLs name a server (Protocol.NeedsHost):
// "" when u has a host.
func CheckHost(u *url.URL) string {
	if u.Opaque != "" || u.Hostname() == "" {
		return "missing host (want " + u.Scheme + "://HOST/…)"
	}
	return ""
}

// What a Source can do besides Run: each an optional interface a protocol's Source
// implements (SizeHinter, in packet.go, is another). Callers assert the interface,
// never a protocol's type.
// TimeSpan is a span of recorded time, [From, To).
type TimeSpan struct {
	From, To time.Time
}

// PartialSpans is RecordedSpans's error when the server holds more recorded spans in the
// range than are listed: the spans returned with it are right up to Until, and what lies
// after Until was not asked for. Its kind is ErrTooLarge.
type PartialSpans struct {
	Until time.Time
	// Limit is how many of the server's entries a listing asks for at most.
	Limit int
}

func (e *PartialSpans) Error() string {
	return fmt.Sprintf("the recorder holds more recorded sequences than the %d Vigil lists: listed up to %s",
		e.Limit, e.Until.Local().Format("2006-01-02 15:04:05"))
}

func (e *PartialSpans) Unwrap() error { return ErrTooLarge }

type (
	// Directory is implemented by a Source that lists the cameras behind its server
	// (a VMS), known after a connection.
	Directory interface {
		Cameras() []ProbeCamera
	}
	// Fingerprinter is implemented by a Source that knows its server's certificate
	// itself (a VMS logs in before it streams): its SHA-256 fingerprint, or "".
	Fingerprinter interface {
		Fingerprint() string
	}
	// TrackLister is implemented by a Source whose server describes its media (RTSP's
	// SDP): the tracks of the last description, for the probe.
	TrackLister interface {
		ProbeTracks() []ProbeTrack
	}
	// AuthLister is implemented by a Source that knows, even after a failed run, which
	// authentication schemes the server's last refusal offered.
	AuthLister interface {
		AuthOffered() []string
	}
	// TransportReporter is implemented by a Source that chooses its transport ("udp",
	// "tcp"): the one that last delivered pictures, or "".
	TransportReporter interface {
		UsedTransport() string
	}
	// Player is implemented by a Source whose server keeps recordings (a VMS). Playback
	// returns a new Source playing them from a time at a speed (1 = real time), with its
	// own connection, so the live Source (and a recording of it) is untouched.
	Player interface {
		Playback(from time.Time, speed float64) Source
	}
	// Seeker is implemented by a Source playing recordings: it moves to a time (zero:
	// live, for a VMS) and changes speed without a new Source.
	Seeker interface {
		Seek(t time.Time)
		SetSpeed(speed float64)
	}
	// RecordingLister is implemented by a Source whose server keeps recordings (a VMS):
	// RecordedSpans lists the spans of [from, to) it holds recorded video of, oldest
	// first, clipped to [from, to), for a timeline. It may log in for the call. When the
	// server holds more than it lists, it returns the spans listed with a *PartialSpans.
	RecordingLister interface {
		RecordedSpans(ctx context.Context, from, to time.Time) ([]TimeSpan, error)
	}
	// EndReporter is implemented by a Source playing recordings that can run out of
	// them: AtEnd reports that the newest recorded picture was sent and nothing newer is
	// recorded yet (a player says so, rather than leave a still picture unexplained).
	EndReporter interface {
		AtEnd() bool
	}
	// Stepper is implemented by a Source playing recordings that can hold a picture:
	// Pause stops sending (the picture shown stays), Resume goes on at the speed set, and
	// Step, while paused, moves one picture forward in display order. A Seek while paused
	// shows the picture at the time sought and stays paused.
	Stepper interface {
		Pause()
		Resume()
		Step()
		Paused() bool
	}
	// Snapshotter is implemented by a Source whose server hands out single pictures at
	// most maxWidth×maxHeight (0: any), with the time they were taken.
	Snapshotter interface {
		Snapshot(ctx context.Context, maxWidth, maxHeight int) ([]byte, time.Time, error)
	}
)
