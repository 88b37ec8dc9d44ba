package capture

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ProbeOptions tunes Probe.
type ProbeOptions struct {
	// Timeout bounds the whole probe, connecting included. It defaults to 10 s.
	Timeout time.Duration
	// Duration is how long to measure once the first packet arrived. It defaults to 3 s.
	Duration time.Duration
	// MaxFrames ends the measurement early after this many packets (0: no limit).
	MaxFrames int
	// Decoders, when set, decodes the first packet: a frame that does not decode is a
	// failure, and its size fills the report when the packet did not carry one.
	Decoders NewFrameDecoder
}

// ProbeCamera is one camera of a source that lists several (a VMS).
type ProbeCamera struct {
	Name     string `json:"name"`
	ID       string `json:"id,omitempty"`
	Recorder string `json:"recorder,omitempty"`
}

// ProbeTrack is one media track a camera described.
type ProbeTrack struct {
	Media   string  `json:"media"`
	Codec   string  `json:"codec"`
	Profile string  `json:"profile,omitempty"`
	Width   int     `json:"width,omitempty"`
	Height  int     `json:"height,omitempty"`
	FPS     float64 `json:"fps,omitempty"`
	// Playing is true for the track Vigil plays.
	Playing bool `json:"playing,omitempty"`
}

// ProbeReport is what `vigil probe` prints; its JSON form is documented in the README.
type ProbeReport struct {
	URL         string   `json:"url"`
	Protocol    string   `json:"protocol"`
	Transport   string   `json:"transport"`
	Auth        string   `json:"auth"`
	AuthOffered []string `json:"auth_offered"`
	ContentType string   `json:"content_type,omitempty"`
	Codec       Codec    `json:"codec"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	// Frames is how many packets arrived during the measurement.
	Frames      int     `json:"frames"`
	FPS         float64 `json:"fps"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	// FirstFrameMS is from the start of the probe to the first decoded frame (to the
	// first packet when no decoder was given).
	FirstFrameMS float64 `json:"first_frame_ms"`
	// Error is empty when frames arrived. ErrorKind is a Cause, Advice what to try.
	Error     string        `json:"error"`
	ErrorKind Cause         `json:"error_kind,omitempty"`
	Advice    string        `json:"advice,omitempty"`
	Cameras   []ProbeCamera `json:"cameras,omitempty"`
	// Tracks are the media an RTSP camera described (video and audio), with codec,
	// profile, size and declared frame rate.
	Tracks []ProbeTrack `json:"tracks,omitempty"`
	// Fingerprint is the server certificate's SHA-256 fingerprint, when it was accepted
	// without being trusted (--insecure): pin it to trust that server from then on.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Snapshot is the last key packet's encoded bytes (a JPEG for JPEG sources).
	Snapshot []byte `json:"-"`
	// Err is the error behind Error, for callers that branch on it.
	Err error `json:"-"`
}

// OK reports whether frames arrived.
func (r *ProbeReport) OK() bool { return r.Frames > 0 && r.Err == nil }

// Probe runs src once and measures it: what answered, how it authenticated, codec, size,
// frame rate, bitrate and time to the first frame. It never retries: a field engineer
// wants the first failure, named.
func Probe(ctx context.Context, src Source, opts ProbeOptions) ProbeReport {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Duration <= 0 {
		opts.Duration = 3 * time.Second
	}
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout,
		fmt.Errorf("%w: no frame within %s", context.DeadlineExceeded, opts.Timeout))
	defer cancel()
	ps := &probeSink{start: start, opts: opts, done: cancel}
	runErr := src.Run(ctx, ps)

	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.deadline != nil {
		ps.deadline.Stop()
	}
	r := ps.report
	if ps.decodeErr != nil {
		r.Err = ps.decodeErr
	} else if r.Frames == 0 {
		switch {
		case runErr != nil:
			r.Err = runErr
		case ctx.Err() != nil && context.Cause(ctx) != context.Canceled:
			r.Err = context.Cause(ctx)
			if ps.connected {
				r.Err = fmt.Errorf("%w: connected, but no frame arrived within %s", ErrStalled, opts.Timeout)
			}
		default:
			r.Err = errors.New("the stream ended before any frame arrived")
		}
	}
	if n := r.Frames; n > 1 {
		span := ps.last.Sub(ps.first).Seconds()
		if span > 0 {
			r.FPS = float64(n-1) / span
			r.BitrateKbps = float64(ps.bytes-ps.firstBytes) * 8 / 1000 / span
		}
	}
	if r.Err != nil {
		r.Error = r.Err.Error()
		r.ErrorKind = Classify(r.Err)
		r.Advice = Advice(r.ErrorKind)
	}
	if r.AuthOffered == nil {
		r.AuthOffered = []string{}
	}
	return r
}

type probeSink struct {
	start time.Time
	opts  ProbeOptions
	done  context.CancelFunc

	mu          sync.Mutex
	report      ProbeReport
	connected   bool
	first, last time.Time
	bytes       int
	firstBytes  int
	decodeErr   error
	deadline    *time.Timer
}

func (k *probeSink) Connected(info StreamInfo) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.connected = true
	r := &k.report
	r.Protocol, r.Transport, r.Auth = info.Protocol, info.Transport, info.Auth
	r.AuthOffered = append([]string(nil), info.AuthOffered...)
	r.ContentType, r.Codec = info.ContentType, info.Codec
}

func (k *probeSink) Packet(p Packet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.decodeErr != nil {
		return
	}
	now := p.ReceiveTime
	if now.IsZero() {
		now = time.Now()
	}
	r := &k.report
	r.Frames++
	k.bytes += len(p.Data)
	k.last = now
	if p.Codec != "" {
		r.Codec = p.Codec
	}
	if p.Width > 0 {
		r.Width, r.Height = p.Width, p.Height
	}
	if p.Key {
		r.Snapshot = p.Data
	}
	if r.Frames == 1 {
		k.first, k.firstBytes = now, len(p.Data)
		k.decodeFirst(p)
		r.FirstFrameMS = float64(time.Since(k.start).Microseconds()) / 1000
		k.deadline = time.AfterFunc(k.opts.Duration, k.done)
	}
	if k.opts.MaxFrames > 0 && r.Frames >= k.opts.MaxFrames {
		k.done()
	}
}

// decodeFirst proves the stream decodes and learns its size.
func (k *probeSink) decodeFirst(p Packet) {
	if k.opts.Decoders == nil {
		return
	}
	fd, err := k.opts.Decoders(p.Codec)
	if err != nil {
		k.decodeErr = err
		k.done()
		return
	}
	defer fd.Close()
	img, err := fd.Decode(p, 0, 0, nil)
	if err != nil {
		k.decodeErr = fmt.Errorf("the first frame (%d bytes) does not decode: %w", len(p.Data), err)
		k.done()
		return
	}
	k.report.Width, k.report.Height = img.Rect.Dx(), img.Rect.Dy()
}

// ProbeRequest names a camera stream to probe, with its credentials kept apart from the URL.
type ProbeRequest struct {
	URL            string
	User, Password string
	// FPS is the polling rate for snapshot URLs (0: the protocol's default).
	FPS float64
	// Insecure accepts an untrusted TLS certificate.
	Insecure bool
	// Pins gives the certificate fingerprint trusted for a server (host:port), "" for
	// none: the settings' trust list and what the user just accepted. It may be nil.
	Pins    func(hostPort string) string
	Options ProbeOptions
}

// Prober tests a camera as `vigil probe` does. The UI's camera dialog calls it through
// this interface: cmd wires in the implementation that knows the protocols, so the UI
// never imports them.
type Prober interface {
	Probe(ctx context.Context, req ProbeRequest) ProbeReport
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, req ProbeRequest) ProbeReport

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, req ProbeRequest) ProbeReport { return f(ctx, req) }
