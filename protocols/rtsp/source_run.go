package rtsp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

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
	mu          sync.Mutex
	offered     []string
	authUsed    string
	setupProto  string // transport SETUP agreed on
	switched    bool   // gortsplib moved the session to TCP after UDP stayed silent
	connected   bool
	frames      int
	failed      bool
	lost        uint64
	lastLossLog time.Time
	decodeErrs  uint64
	lastDecErr  string
	step        string // the RTSP step under way: DESCRIBE, SETUP, PLAY
	errc        chan error

	// decoding state, used under mu
	ps       paramSets
	sawKey   bool
	prevTS   uint32
	prevMark bool
	havePrev bool
	clock    *mediaClock
	clockErr bool // a DTS fallback was logged on this run
	jumpSeen bool // a jump of the camera's RTP clock was logged on this run
	extNALUs [][]byte
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
	stop := capture.OnCancel(ctx, c.Close)
	defer func() {
		stop()
		c.Close()
	}()

	r.setStep("DESCRIBE")
	capture.ReportPhase(r.sink, r.where+": did not accept a connection")
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
	capture.ReportPhase(r.sink, r.where+": answered PLAY but sent no picture")
	r.mu.Lock()
	// With UDP in auto mode the transport is settled by the first packet (gortsplib
	// may still move to TCP); otherwise it is known now.
	if !(proto == TransportUDP && c.Protocol == nil) {
		r.connectLocked()
	}
	r.mu.Unlock()
	return r.stream(ctx)
}

// stream waits for the end: cancel, the client failing (gortsplib's read timeouts
// included), or a fatal packet. Frames that stop while the session stays up are the
// Supervisor's watchdog's to catch; the UDP→TCP switch when no UDP packet comes within
// UDPFallbackAfter is gortsplib's (InitialUDPReadTimeout), not a watchdog.
func (r *run) stream(ctx context.Context) error {
	waitc := make(chan error, 1)
	go func() { waitc <- r.c.Wait() }()
	defer func() {
		r.c.Close()
		<-waitc
	}()
	select {
	case err := <-waitc:
		waitc <- err
		if ctx.Err() != nil {
			return nil
		}
		return r.streamErr(err)
	case err := <-r.errc:
		return err
	}
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
		capture.ReportPhase(r.sink, r.where+": accepted the connection but did not answer "+step)
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
