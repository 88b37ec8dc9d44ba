package rtsp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph265"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtpmjpeg"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
	"github.com/pion/rtp"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Defaults of Source.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultUDPFallbackAfter = 2500 * time.Millisecond
	lossLogInterval         = 10 * time.Second
	watchdogTick            = 250 * time.Millisecond
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
	// Timeout bounds connecting and each RTSP request, and is how long a playing stream
	// may deliver no picture before Run fails with capture.ErrStalled. It defaults to 10 s.
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

// Track is one media of the server's SDP, as `vigil probe` lists them.
type Track struct {
	// Media is "video", "audio" or "application".
	Media string `json:"media"`
	// Codec is "h264", "h265", "jpeg" for the video Vigil plays, else the SDP's name
	// in lower case ("mpeg-4 audio", "opus", …).
	Codec string `json:"codec"`
	// Profile is the H.264/H.265 profile and level from the SPS ("High 4.0",
	// "Main 4.1"), empty when unknown.
	Profile string `json:"profile,omitempty"`
	// Width and Height come from the SPS (H.264/H.265) or the first JPEG, 0 if unknown.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// FPS is what the SPS's timing information declares, 0 if it declares none.
	FPS       float64 `json:"fps,omitempty"`
	ClockRate int     `json:"clock_rate,omitempty"`
	// Playing marks the track Run chose.
	Playing bool `json:"playing"`
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

type run struct {
	s        *Source
	sink     capture.Sink
	u        *base.URL
	where    string // host:port for messages
	redacted string
	timeout  time.Duration
	udpAfter time.Duration
	mode     string
	hasCreds bool
	log      *slog.Logger

	c     *gortsplib.Client
	media *description.Media
	codec capture.Codec

	// set by the client's goroutines
	mu           sync.Mutex
	offered      []string
	authUsed     string
	setupProto   string // transport SETUP agreed on
	switched     bool   // gortsplib moved the session to TCP after UDP stayed silent
	connected    bool
	frames       int
	lastActivity time.Time
	failed       bool
	lost         uint64
	lastLossLog  time.Time
	decodeErrs   uint64
	lastDecErr   string
	step         string // the RTSP step under way: DESCRIBE, SETUP, PLAY
	errc         chan error

	// decoding state, used under mu
	ps       paramSets
	sawKey   bool
	prevTS   uint32
	prevMark bool
	havePrev bool
	clock    *mediaClock
	clockErr bool // a DTS fallback was logged on this run
	extNALUs [][]byte
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
	r.timeout = s.Timeout
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	r.udpAfter = s.UDPFallbackAfter
	if r.udpAfter <= 0 {
		r.udpAfter = DefaultUDPFallbackAfter
	}
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

func (r *run) run(ctx context.Context) error {
	c := &gortsplib.Client{
		Scheme:                r.u.Scheme,
		Host:                  r.u.Host,
		ReadTimeout:           r.timeout,
		WriteTimeout:          r.timeout,
		InitialUDPReadTimeout: r.udpAfter,
		DialContext:           r.s.Dial,
		OnRequest:             r.onRequest,
		OnResponse:            r.onResponse,
		OnTransportSwitch:     r.onTransportSwitch,
		OnPacketsLost:         r.onPacketsLost,
		OnDecodeError:         r.onDecodeError,
	}
	if r.u.Scheme == "rtsps" {
		o := trust.Options{Host: r.where, ServerName: r.u.Hostname(), Insecure: r.s.Insecure, Seen: r.s.Seen}
		if r.s.Pins != nil {
			o.Pin = r.s.Pins(r.where)
		}
		var err error
		if c.TLSConfig, err = trust.Config(o); err != nil {
			return fmt.Errorf("rtsp: %w", err)
		}
	}
	mode := r.mode
	if mode == TransportAuto && r.s.UsedTransport() == TransportTCP {
		mode = TransportTCP // learned on an earlier run
	}
	switch mode {
	case TransportTCP:
		p := gortsplib.ProtocolTCP
		c.Protocol = &p
	case TransportUDP:
		p := gortsplib.ProtocolUDP
		c.Protocol = &p
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("rtsp: starting the client for %s: %w", r.redacted, err)
	}
	r.c = c
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			c.Close()
		case <-stop:
		}
	}()
	defer func() {
		close(stop)
		c.Close()
		wg.Wait()
	}()

	r.setStep("DESCRIBE")
	capture.ReportPhase(r.sink, r.where+" did not accept a connection")
	desc, _, err := c.Describe(r.u)
	if err != nil {
		return r.requestErr(ctx, err, "DESCRIBE")
	}
	medi, forma, err := r.chooseTrack(desc)
	if err != nil {
		return err
	}
	r.media = medi
	r.setStep("SETUP")
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		return r.requestErr(ctx, err, "SETUP")
	}
	proto := TransportUDP
	if tr := c.Transport(); tr.Session != nil && tr.Session.Protocol == gortsplib.ProtocolTCP {
		proto = TransportTCP
	}
	r.mu.Lock()
	r.setupProto = proto
	r.mu.Unlock()
	onRTP, err := r.packetHandler(forma)
	if err != nil {
		return err
	}
	r.clock = newMediaClock(r.codec, forma.ClockRate())
	c.OnPacketRTP(medi, forma, onRTP)
	r.setStep("PLAY")
	if _, err := c.Play(nil); err != nil {
		return r.requestErr(ctx, err, "PLAY")
	}
	capture.ReportPhase(r.sink, r.where+" answered PLAY but sent no picture")
	r.mu.Lock()
	r.lastActivity = time.Now()
	// With UDP in auto mode the transport is settled by the first packet (gortsplib
	// may still move to TCP); otherwise it is known now.
	if !(proto == TransportUDP && c.Protocol == nil) {
		r.connectLocked()
	}
	r.mu.Unlock()
	return r.stream(ctx)
}

// stream waits for the end: cancel, the client failing, a fatal packet, or the watchdog.
func (r *run) stream(ctx context.Context) error {
	waitc := make(chan error, 1)
	go func() { waitc <- r.c.Wait() }()
	defer func() {
		r.c.Close()
		<-waitc
	}()
	tick := time.NewTicker(watchdogTick)
	defer tick.Stop()
	for {
		select {
		case err := <-waitc:
			waitc <- err
			if ctx.Err() != nil {
				return nil
			}
			return r.streamErr(err)
		case err := <-r.errc:
			return err
		case now := <-tick.C:
			if err := r.checkStall(now); err != nil {
				return err
			}
		}
	}
}

func (r *run) checkStall(now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	idle := now.Sub(r.lastActivity)
	if idle < r.timeout {
		return nil
	}
	r.failed = true
	if r.frames == 0 {
		hint := ""
		if r.transportLocked() == TransportUDP {
			hint = "; UDP may be blocked by a firewall or NAT: try transport tcp"
		}
		return fmt.Errorf("%s accepted PLAY over %s but sent no %s picture within %v%s: %w",
			r.where, r.transportLocked(), r.codec, r.timeout, hint, capture.ErrStalled)
	}
	return fmt.Errorf("%s stopped sending pictures for %v (over %s, after %d frames): %w",
		r.where, r.timeout, r.transportLocked(), r.frames, capture.ErrStalled)
}

// chooseTrack picks the first H.264 video track, else H.265, else M-JPEG, and records
// every track for Tracks.
func (r *run) chooseTrack(desc *description.Session) (*description.Media, format.Format, error) {
	var tracks []Track
	type cand struct {
		m    *description.Media
		f    format.Format
		rank int
		idx  int
	}
	var best *cand
	var found []string
	for _, m := range desc.Medias {
		for _, f := range m.Formats {
			t := Track{Media: string(m.Type), Codec: strings.ToLower(f.Codec()), ClockRate: f.ClockRate()}
			rank := 0
			switch f := f.(type) {
			case *format.H264:
				t.Codec, rank = string(capture.CodecH264), 3
				sps, _ := f.SafeParams()
				ps := paramSets{codec: capture.CodecH264}
				ps.set(h264SPS, sps)
				ps.parse()
				t.Profile, t.Width, t.Height, t.FPS = ps.profile, ps.width, ps.height, ps.fps
			case *format.H265:
				t.Codec, rank = string(capture.CodecH265), 2
				_, sps, _ := f.SafeParams()
				ps := paramSets{codec: capture.CodecH265}
				ps.set(h265SPS, sps)
				ps.parse()
				t.Profile, t.Width, t.Height, t.FPS = ps.profile, ps.width, ps.height, ps.fps
			case *format.MJPEG:
				t.Codec, rank = string(capture.CodecJPEG), 1
			}
			found = append(found, t.Media+" "+t.Codec)
			tracks = append(tracks, t)
			if rank > 0 && (best == nil || rank > best.rank) {
				best = &cand{m: m, f: f, rank: rank, idx: len(tracks) - 1}
			}
		}
	}
	if best != nil {
		tracks[best.idx].Playing = true
	}
	r.s.setTracks(tracks)
	if best == nil {
		what := "no tracks"
		if len(found) > 0 {
			what = "only " + strings.Join(found, ", ")
		}
		return nil, nil, fmt.Errorf("%s offers %s at %s; Vigil plays H.264, H.265 and M-JPEG video: set the camera's stream to one of them or use another stream path: %w",
			r.where, what, r.redacted, capture.ErrNotVideo)
	}
	r.codec = capture.Codec(tracks[best.idx].Codec)
	return best.m, best.f, nil
}

// packetHandler builds the RTP callback for the chosen format.
func (r *run) packetHandler(forma format.Format) (func(*rtp.Packet), error) {
	switch f := forma.(type) {
	case *format.H264:
		dec, err := f.CreateDecoder()
		if err != nil {
			return nil, fmt.Errorf("%s: H.264 track: %v: %w", r.where, err, capture.ErrNotVideo)
		}
		r.ps = paramSets{codec: capture.CodecH264}
		sps, pps := f.SafeParams()
		r.ps.set(h264SPS, sps)
		r.ps.set(h264PPS, pps)
		return func(pkt *rtp.Packet) {
			r.onNALUs(pkt, func() ([][]byte, error) {
				au, err := dec.Decode(pkt)
				if errors.Is(err, rtph264.ErrMorePacketsNeeded) || errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) {
					return nil, nil
				}
				return au, err
			})
		}, nil
	case *format.H265:
		dec, err := f.CreateDecoder()
		if err != nil {
			return nil, fmt.Errorf("%s: H.265 track: %v: %w", r.where, err, capture.ErrNotVideo)
		}
		r.ps = paramSets{codec: capture.CodecH265}
		vps, sps, pps := f.SafeParams()
		r.ps.set(h265VPS, vps)
		r.ps.set(h265SPS, sps)
		r.ps.set(h265PPS, pps)
		return func(pkt *rtp.Packet) {
			r.onNALUs(pkt, func() ([][]byte, error) {
				au, err := dec.Decode(pkt)
				if errors.Is(err, rtph265.ErrMorePacketsNeeded) || errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious) {
					return nil, nil
				}
				return au, err
			})
		}, nil
	case *format.MJPEG:
		dec, err := f.CreateDecoder()
		if err != nil {
			return nil, fmt.Errorf("%s: M-JPEG track: %v: %w", r.where, err, capture.ErrNotVideo)
		}
		return func(pkt *rtp.Packet) { r.onJPEG(pkt, dec) }, nil
	}
	return nil, fmt.Errorf("%s: unsupported format %s: %w", r.where, forma.Codec(), capture.ErrNotVideo)
}

// auTimestamp is the RTP timestamp of the access unit the current packet completed:
// gortsplib's H.264/H.265 decoders also end an access unit when the timestamp changes
// without a marker bit, and then return the previous one.
func (r *run) auTimestamp(pkt *rtp.Packet) uint32 {
	ts := pkt.Timestamp
	if r.havePrev && !r.prevMark && r.prevTS != pkt.Timestamp {
		ts = r.prevTS
	}
	return ts
}

func (r *run) notePacket(pkt *rtp.Packet) {
	r.prevTS, r.prevMark, r.havePrev = pkt.Timestamp, pkt.Marker, true
}

func (r *run) onNALUs(pkt *rtp.Packet, decode func() ([][]byte, error)) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return
	}
	ts := r.auTimestamp(pkt)
	au, err := decode()
	r.notePacket(pkt)
	if err != nil {
		r.decodeErrorLocked(err)
		return
	}
	if au == nil {
		return
	}
	data, key, err := r.ps.accessUnit(au)
	if err != nil {
		r.failLocked(fmt.Errorf("%s sent an %s: %w", r.where, err.Error(), capture.ErrTooLarge))
		return
	}
	if data == nil {
		return
	}
	if !r.sawKey {
		if !key {
			return // a decoder can only start at a key frame
		}
		r.sawKey = true
		r.s.updatePlaying(r.ps.profile, r.ps.width, r.ps.height, r.ps.fps)
	} else if key {
		r.s.updatePlaying(r.ps.profile, r.ps.width, r.ps.height, r.ps.fps)
	}
	pts, dts := r.timesLocked(ts, au, key)
	r.emitLocked(capture.Packet{
		Codec:       r.codec,
		Data:        data,
		Key:         key,
		Width:       r.ps.width,
		Height:      r.ps.height,
		SourceTime:  r.packetNTP(pkt, ts),
		ReceiveTime: now,
		PTS:         pts,
		DTS:         dts,
		HasPTS:      true,
	})
}

// timesLocked is the PTS and DTS of an access unit with RTP timestamp ts. The DTS
// extractor gets the unit's slices and, in front of a key unit, the stored parameter
// sets (copies that stay put, unlike gortsplib's buffers, and present even when the
// camera sends them only in the SDP). A stream it cannot follow is logged once per run
// and played on with a fallback DTS.
func (r *run) timesLocked(ts uint32, au [][]byte, key bool) (pts, dts time.Duration) {
	n := r.extNALUs[:0]
	if key {
		for _, ps := range [][]byte{r.ps.vps, r.ps.sps, r.ps.pps} {
			if ps != nil {
				n = append(n, ps)
			}
		}
	}
	for _, nalu := range au {
		if len(nalu) > 0 && !isParamSet(r.codec, nalType(r.codec, nalu)) {
			n = append(n, nalu)
		}
	}
	pts, dts, err := r.clock.times(ts, n)
	clear(n)
	r.extNALUs = n[:0]
	if err != nil && !r.clockErr {
		r.clockErr = true
		r.log.Warn("decode times guessed from presentation times (shown order may stutter); reported once per connection",
			"err", err, "after_frames", r.frames)
	}
	return pts, dts
}

func (r *run) onJPEG(pkt *rtp.Packet, dec *rtpmjpeg.Decoder) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return
	}
	img, err := dec.Decode(pkt)
	if err != nil {
		if !errors.Is(err, rtpmjpeg.ErrMorePacketsNeeded) && !errors.Is(err, rtpmjpeg.ErrNonStartingPacketAndNoPrevious) {
			r.decodeErrorLocked(err)
		}
		return
	}
	if len(img) > MaxAUSize {
		r.failLocked(fmt.Errorf("%s sent a JPEG of %d bytes, over the %d-byte limit: %w", r.where, len(img), MaxAUSize, capture.ErrTooLarge))
		return
	}
	w, h := 0, 0
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(img)); err == nil {
		w, h = cfg.Width, cfg.Height
	}
	if r.frames == 0 {
		r.s.updatePlaying("", w, h, 0)
	}
	pts, _, _ := r.clock.times(pkt.Timestamp, nil)
	r.emitLocked(capture.Packet{
		Codec:       capture.CodecJPEG,
		Data:        img,
		Key:         true,
		Width:       w,
		Height:      h,
		SourceTime:  r.packetNTP(pkt, pkt.Timestamp),
		ReceiveTime: now,
		PTS:         pts,
		DTS:         pts, // JPEGs are never reordered
		HasPTS:      true,
	})
}

// packetNTP is the sender's wall clock for RTP timestamp ts, known once an RTCP sender
// report arrived; zero before.
func (r *run) packetNTP(pkt *rtp.Packet, ts uint32) time.Time {
	q := &rtp.Packet{Header: rtp.Header{PayloadType: pkt.PayloadType, Timestamp: ts}}
	t, ok := r.c.PacketNTP(r.media, q)
	if !ok {
		return time.Time{}
	}
	return t
}

func (r *run) emitLocked(p capture.Packet) {
	r.connectLocked()
	if r.frames == 0 {
		r.s.learn(r.transportLocked())
	}
	r.frames++
	r.lastActivity = p.ReceiveTime
	r.sink.Packet(p)
}

// transportLocked is the transport in use now.
func (r *run) transportLocked() string {
	if r.switched {
		return TransportTCP
	}
	return r.setupProto
}

// connectLocked reports StreamInfo once.
func (r *run) connectLocked() {
	if r.connected {
		return
	}
	r.connected = true
	auth := r.authUsed
	if auth == "" {
		auth = "none"
	}
	r.sink.Connected(capture.StreamInfo{
		Protocol:    "rtsp",
		Transport:   r.transportLocked(),
		AuthOffered: append([]string(nil), r.offered...),
		Auth:        auth,
		Codec:       r.codec,
	})
}

func (r *run) failLocked(err error) {
	r.failed = true
	select {
	case r.errc <- err:
	default:
	}
}

func (r *run) decodeErrorLocked(err error) {
	msg := err.Error()
	if strings.Contains(msg, "too big") || strings.Contains(msg, "exceeds maximum") {
		// gortsplib's own limits (mediacommon's MaxAccessUnitSize / MaxNALUsPerAccessUnit).
		r.failLocked(fmt.Errorf("%s sent an access unit gortsplib refuses (%s); lower the camera's resolution or bitrate: %w",
			r.where, msg, capture.ErrTooLarge))
		return
	}
	r.decodeErrs++
	r.lastDecErr = msg
}

// setStep names the request under way, for the probe's phase (see onRequest).
func (r *run) setStep(method string) {
	r.mu.Lock()
	r.step = method
	r.mu.Unlock()
}

// onRequest notes the scheme of the Authorization gortsplib sent, and tells the probe the
// server now owes an answer (the connection is up): "did not answer DESCRIBE" covers the
// OPTIONS gortsplib sends first.
func (r *run) onRequest(req *base.Request) {
	r.mu.Lock()
	step := r.step
	r.mu.Unlock()
	if step != "" {
		capture.ReportPhase(r.sink, r.where+" accepted the connection but did not answer "+step)
	}
	if v := req.Header["Authorization"]; len(v) > 0 {
		scheme, _, _ := strings.Cut(strings.TrimSpace(v[0]), " ")
		r.mu.Lock()
		r.authUsed = strings.ToLower(scheme)
		r.mu.Unlock()
	}
}

// onResponse notes the schemes of a 401's WWW-Authenticate.
func (r *run) onResponse(res *base.Response) {
	if res.StatusCode != base.StatusUnauthorized {
		return
	}
	schemes := digest.Schemes(digest.ParseChallenges(res.Header["WWW-Authenticate"]))
	r.mu.Lock()
	if len(r.offered) == 0 {
		r.offered = schemes
		r.s.mu.Lock()
		r.s.offered = append([]string(nil), schemes...)
		r.s.mu.Unlock()
	}
	r.mu.Unlock()
}

func (r *run) onTransportSwitch(err error) {
	r.mu.Lock()
	if r.setupProto != "" { // after SETUP: UDP stayed silent, the session moves to TCP
		r.switched = true
		r.lastActivity = time.Now()
	}
	r.mu.Unlock()
	r.log.Info("switching to TCP", "reason", err.Error())
}

func (r *run) onPacketsLost(n uint64) {
	r.mu.Lock()
	r.lost += n
	now := time.Now()
	if now.Sub(r.lastLossLog) < lossLogInterval {
		r.mu.Unlock()
		return
	}
	lost := r.lost
	r.lost, r.lastLossLog = 0, now
	r.mu.Unlock()
	r.log.Warn("RTP packets lost", "count", lost, "since", lossLogInterval.String())
}

func (r *run) onDecodeError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decodeErrs++
	r.lastDecErr = err.Error()
}

// requestErr explains a failed RTSP request (or the connection under it).
func (r *run) requestErr(ctx context.Context, err error, method string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var bad liberrors.ErrClientBadStatusCode
	if errors.As(err, &bad) {
		return r.statusErr(bad, method)
	}
	var ctErr liberrors.ErrClientContentTypeUnsupported
	var sdpErr liberrors.ErrClientSDPInvalid
	switch {
	case errors.As(err, &ctErr):
		return fmt.Errorf("%s answered DESCRIBE with %s instead of an SDP; check the URL path: %w", r.where, capture.CleanText(fmt.Sprint(ctErr.CT), capture.MaxFieldText), capture.ErrNotVideo)
	case errors.As(err, &liberrors.ErrClientContentTypeMissing{}):
		return fmt.Errorf("%s answered DESCRIBE without a Content-Type; check the URL path: %w", r.where, capture.ErrNotVideo)
	case errors.As(err, &sdpErr):
		return fmt.Errorf("%s sent an SDP gortsplib cannot read (%v); try the camera's other stream URL or update its firmware: %w",
			r.where, capture.CleanText(fmt.Sprint(sdpErr.Err), capture.MaxFieldText), capture.ErrMalformed)
	case errors.As(err, &liberrors.ErrClientAuthSetup{}):
		r.mu.Lock()
		offered := r.offered
		r.mu.Unlock()
		wants := "gives no challenge Vigil can read"
		if len(offered) > 0 {
			var names []string
			for _, o := range offered {
				names = append(names, digest.SchemeName(o))
			}
			wants = "wants " + strings.Join(names, " or ") + " in a form"
		}
		return fmt.Errorf("401 from %s on %s: the camera %s, which Vigil cannot answer; check the camera's authentication settings (Basic or Digest): %w",
			r.where, method, wants, capture.ErrUnauthorized)
	case errors.As(err, &liberrors.ErrClientRequestTimedOut{}):
		return fmt.Errorf("%s accepted the connection but did not answer %s within %v; check that this port serves RTSP: %w",
			r.where, method, r.timeout, os.ErrDeadlineExceeded)
	}
	return r.connErr(err, method)
}

func (r *run) statusErr(bad liberrors.ErrClientBadStatusCode, method string) error {
	r.mu.Lock()
	offered, used := r.offered, r.authUsed
	r.mu.Unlock()
	reason := capture.CleanText(bad.Message, 64) // the server's words: never raw on a terminal
	code := fmt.Sprintf("%d %s", bad.Code, reason)
	switch bad.Code {
	case base.StatusUnauthorized:
		var names []string
		for _, s := range offered {
			names = append(names, digest.SchemeName(s))
		}
		wants := "gives no WWW-Authenticate scheme"
		if len(names) > 0 {
			wants = "wants " + strings.Join(names, " or ")
		}
		if !r.hasCreds {
			return fmt.Errorf("401 from %s on %s: the camera %s and no credentials were set; set the camera's user and password: %w",
				r.where, method, wants, capture.ErrUnauthorized)
		}
		if used == "" {
			return fmt.Errorf("401 from %s on %s: the camera %s, which Vigil cannot answer; check the camera's authentication settings: %w",
				r.where, method, wants, capture.ErrUnauthorized)
		}
		return fmt.Errorf("401 from %s on %s: wrong user or password (camera %s, sent %s); check the user and password: %w",
			r.where, method, wants, digest.SchemeName(used), capture.ErrUnauthorized)
	case base.StatusForbidden:
		return fmt.Errorf("403 Forbidden from %s on %s: the user may not view this stream, or the camera blocks this client; check the user's permissions: %w",
			r.where, method, capture.ErrForbidden)
	case base.StatusNotFound:
		return fmt.Errorf("404 from %s: no stream at %s; check the URL path against the camera's documentation: %w",
			r.where, r.redacted, capture.ErrNotFound)
	case base.StatusUnsupportedTransport:
		switch r.mode {
		case TransportUDP:
			return fmt.Errorf("461 Unsupported Transport from %s: the server refuses RTP over UDP; set the camera's transport to auto or tcp: %w", r.where, capture.ErrUnsupportedTransport)
		case TransportTCP:
			return fmt.Errorf("461 Unsupported Transport from %s: the server refuses RTP over TCP (interleaved); set the camera's transport to auto or udp: %w", r.where, capture.ErrUnsupportedTransport)
		}
		return fmt.Errorf("461 Unsupported Transport from %s: the server refuses both UDP and TCP for this stream; check its RTSP settings: %w", r.where, capture.ErrUnsupportedTransport)
	case base.StatusServiceUnavailable:
		return fmt.Errorf("503 %s from %s on %s: the camera is busy (too many viewers?); close other viewers or wait: %w", reason, r.where, method, capture.ErrBusy)
	}
	if bad.Code >= 500 && bad.Code <= 599 {
		return fmt.Errorf("RTSP %s from %s on %s: the camera reports an internal error; it may need a restart: %w", code, r.where, method, capture.ErrServerError)
	}
	return fmt.Errorf("RTSP %s from %s on %s for %s; check the URL", code, r.where, method, r.redacted)
}

// connErr explains a transport failure, keeping the net error in the chain so
// capture.Classify names it.
func (r *run) connErr(err error, doing string) error {
	var dnsErr *net.DNSError
	var ne net.Error
	var certErr *trust.CertError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Errorf("cannot find host %q: no such name in DNS; check the camera address for typos: %w", r.u.Hostname(), err)
		}
		return fmt.Errorf("cannot look up host %q: DNS did not answer; check this computer's network and DNS server: %w", r.u.Hostname(), err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection to %s refused: nothing listens on that port; check the port (RTSP is usually 554) and that the camera's RTSP service is enabled: %w", r.where, err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%s is unreachable (no route to host); check that the camera is powered and on this network or VPN: %w", r.where, err)
	case errors.As(err, &certErr):
		return fmt.Errorf("rtsps %s: %w", doing, certErr) // it names the camera, its fingerprint and how to trust it
	case errors.As(err, &recErr):
		return fmt.Errorf("%s does not speak TLS on this port; try rtsp:// instead of rtsps://: %w", r.where, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no answer from %s within %v; check the address, that the camera is on, and that no firewall drops the traffic: %w", r.where, r.timeout, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%s closed the connection during %s; check that this port serves RTSP and the camera accepts another viewer: %w", r.where, doing, err)
	}
	return fmt.Errorf("RTSP %s to %s failed: %w", doing, r.where, err)
}

// streamErr explains why a playing session ended.
func (r *run) streamErr(err error) error {
	r.mu.Lock()
	frames, transport := r.frames, r.transportLocked()
	r.mu.Unlock()
	switch {
	case errors.As(err, &liberrors.ErrClientUDPTimeout{}):
		hint := "try transport tcp (a firewall or NAT may block UDP)"
		if frames > 0 {
			hint = "the camera or the network stalled"
		}
		return fmt.Errorf("UDP packets from %s stopped arriving (after %d frames); %s: %w", r.where, frames, hint, capture.ErrStalled)
	case errors.As(err, &liberrors.ErrClientTCPTimeout{}):
		return fmt.Errorf("%s sent nothing over TCP for %v after %d frames; the camera or the network stalled: %w", r.where, r.timeout, frames, capture.ErrStalled)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the RTSP connection after %d frames (over %s): %w", r.where, frames, transport, err)
	}
	return fmt.Errorf("RTSP session with %s ended after %d frames (over %s): %w", r.where, frames, transport, err)
}
