package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"
)

// ProbeDecodeBox is the box the probe decodes the first picture into (its long side at
// most this many pixels): proof that the stream decodes, without paying for the size a
// header claims (a 477-byte JPEG may claim 8192×8192). The size reported is the encoded
// one, from the packet, the header or the decoder.
const ProbeDecodeBox = 1920

// ProbeOptions tunes Probe.
type ProbeOptions struct {
	// Timeout bounds the time to the first frame, connecting included. It defaults to 10 s.
	// When it runs out the report names what the server did not do (see PhaseSink).
	Timeout time.Duration
	// Duration is how long to measure once the first packet arrived. It defaults to 3 s.
	// Frames must keep arriving for all of it: the measurement ends with the first packet
	// at or after Duration, and a gap longer than StallAfter, or the stream failing or
	// ending, fails the probe.
	Duration time.Duration
	// MaxFrames ends the measurement early after this many packets (0: no limit), once a
	// picture has decoded.
	MaxFrames int
	// Decoders, when set, decodes the stream from its first key packet until a picture
	// comes (an inter-frame decoder may need several packets), bounded by the
	// measurement: a stream that gives no picture fails, and the picture's source size
	// fills the report when the packets did not carry one.
	Decoders NewFrameDecoder
	// FrameInterval is the expected time between frames when known (a snapshot URL's
	// poll rate); it lengthens StallAfter's default.
	FrameInterval time.Duration
	// StallAfter is the longest gap between two packets the measurement accepts. It
	// defaults to the Supervisor's rule, max(3 s, 3 × FrameInterval), and grows to three
	// times the mean interval seen so far for a slow camera.
	StallAfter time.Duration
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
	// Frames is how many packets arrived, during the measurement or, on a failure,
	// before it.
	Frames      int     `json:"frames"`
	FPS         float64 `json:"fps"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	// FirstFrameMS is from the start of the probe to the first decoded frame (to the
	// first packet when no decoder was given).
	FirstFrameMS float64 `json:"first_frame_ms"`
	// Error is empty when frames kept arriving for the whole measurement. ErrorKind is a Cause, Advice what to try.
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
	// Picture is the first decoded picture, at most ProbeDecodeBox on its long side; nil
	// when no decoder was given or none decoded.
	Picture *image.RGBA `json:"-"`
	// Err is the error behind Error, for callers that branch on it.
	Err error `json:"-"`
}

// OK reports whether frames kept arriving for the whole measurement.
func (r *ProbeReport) OK() bool { return r.Frames > 0 && r.Err == nil }

// errProbeDone is the cancel cause of a measurement that completed.
var errProbeDone = errors.New("probe complete")

// probeTimeout is the error of a server that did not do what the probe waited for in time.
// It is a net.Error with Timeout() true, so Classify names it a timeout, without the words
// "context deadline exceeded".
type probeTimeout struct{ msg string }

func (e *probeTimeout) Error() string   { return e.msg }
func (e *probeTimeout) Timeout() bool   { return true }
func (e *probeTimeout) Temporary() bool { return true }

// Probe runs src once and measures it: what answered, how it authenticated, codec, size,
// frame rate, bitrate and time to the first frame. It never retries: a field engineer
// wants the first failure, named. The report is OK only when frames kept arriving for the
// whole measurement; a stream that stalls, breaks or ends within it fails, with the cause
// and the number of frames that came first.
func Probe(ctx context.Context, src Source, opts ProbeOptions) ProbeReport {
	opts.Timeout = OrDefault(opts.Timeout, 10*time.Second)
	opts.Duration = OrDefault(opts.Duration, 3*time.Second)
	opts.StallAfter = OrDefault(opts.StallAfter, max(3*time.Second, 3*opts.FrameInterval))
	start := time.Now()
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ps := &probeSink{start: start, opts: opts, cancel: cancel}
	ps.mu.Lock()
	ps.firstTimer = time.AfterFunc(opts.Timeout, ps.timedOut)
	ps.mu.Unlock()
	runErr := src.Run(runCtx, ps)

	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.ended = true
	ps.stopTimers()
	if ps.dec != nil {
		_ = ps.dec.Close()
		ps.dec = nil
	}
	r := ps.report
	n := r.Frames
	switch {
	case ps.outcome != nil:
		if ps.outcome != errProbeDone {
			r.Err = ps.outcome
		}
	case ctx.Err() != nil:
		r.Err = fmt.Errorf("the probe was interrupted after %d frames: %w", n, context.Cause(ctx))
	case n == 0 && runErr != nil:
		r.Err = runErr
	case n == 0:
		r.Err = errors.New("the stream ended before any frame arrived")
	case runErr != nil:
		r.Err = fmt.Errorf("the stream broke %s: %w", ps.progress(), runErr)
	default:
		r.Err = fmt.Errorf("the stream ended %s", ps.progress())
	}
	if info, ok := InfoOf(runErr); ok {
		if r.ContentType == "" {
			r.ContentType = info.ContentType
		}
		if len(r.AuthOffered) == 0 {
			r.AuthOffered = append([]string(nil), info.AuthOffered...)
		}
		if r.Transport == "" {
			r.Transport = info.Transport
		}
		if r.Protocol == "" {
			r.Protocol = info.Protocol
		}
	}
	if n > 1 {
		span := ps.last.Sub(ps.first).Seconds()
		if span > 0 {
			r.FPS = float64(n-1) / span
			r.BitrateKbps = float64(ps.bytes-ps.firstBytes) * 8 / 1000 / span
		}
	}
	r.Clean()
	if r.Err != nil {
		r.Explain()
	}
	if r.AuthOffered == nil {
		r.AuthOffered = []string{}
	}
	return r
}

type probeSink struct {
	start  time.Time
	opts   ProbeOptions
	cancel context.CancelCauseFunc

	mu          sync.Mutex
	report      ProbeReport
	connected   bool
	phase       string
	first, last time.Time
	bytes       int
	firstBytes  int
	// dec decodes from the first key packet until a picture comes; decoded is set then
	// (or at once without Decoders), fed counts the packets it took.
	dec     FrameDecoder
	decoded bool
	fed     int
	// outcome, once set, is how the probe ended: errProbeDone or the failure. ended is
	// set when the outcome is settled or Run returned; no timer acts after it.
	outcome    error
	ended      bool
	firstTimer *time.Timer
	stallTimer *time.Timer
	stallGen   int
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

// Phase notes what the source waits for (PhaseSink).
func (k *probeSink) Phase(failure string) {
	k.mu.Lock()
	k.phase = failure
	k.mu.Unlock()
}

func (k *probeSink) Packet(p Packet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ended {
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
	if p.Width > 0 && p.Height > 0 {
		r.Width, r.Height = p.Width, p.Height
	}
	if p.Key {
		r.Snapshot = p.Data
	}
	if r.Frames == 1 {
		k.first, k.firstBytes = now, len(p.Data)
		k.firstTimer.Stop()
	}
	if !k.decoded {
		k.decode(p)
		if k.ended {
			return
		}
	}
	elapsed := now.Sub(k.first)
	switch {
	case k.decoded && (elapsed >= k.opts.Duration || (k.opts.MaxFrames > 0 && r.Frames >= k.opts.MaxFrames)):
		k.finish(errProbeDone)
		return
	case !k.decoded && elapsed >= k.opts.Duration:
		k.finish(fmt.Errorf("no picture decoded from %d %s packets in %s (%d from the first key frame); the stream may be broken or not what it declares: %w",
			r.Frames, r.Codec, k.opts.Duration, k.fed, ErrMalformed))
		return
	}
	k.armStall()
}

// decode feeds p to the decoder until the first picture comes.
func (k *probeSink) decode(p Packet) {
	r := &k.report
	if k.opts.Decoders == nil {
		k.decoded = true
		r.FirstFrameMS = float64(time.Since(k.start).Microseconds()) / 1000
		return
	}
	if k.dec == nil {
		if !p.Key {
			return // an inter-frame decoder starts at a key unit
		}
		fd, err := k.opts.Decoders(p.Codec)
		if err != nil {
			k.finish(err)
			return
		}
		k.dec = fd
	}
	k.fed++
	img, err := k.dec.Decode(p, ProbeDecodeBox, ProbeDecodeBox, nil)
	if err != nil {
		what := "the first frame"
		if k.fed > 1 {
			what = fmt.Sprintf("frame %d from the first key frame", k.fed)
		}
		k.finish(fmt.Errorf("%s (%d bytes) does not decode: %w", what, len(p.Data), err))
		return
	}
	if img == nil {
		return // decoder delay (B-frames): the picture comes with a later packet
	}
	k.decoded = true
	r.Picture = img
	r.FirstFrameMS = float64(time.Since(k.start).Microseconds()) / 1000
	if r.Width == 0 || r.Height == 0 {
		r.Width, r.Height = img.Rect.Dx(), img.Rect.Dy()
		if s, ok := k.dec.(interface{ SourceSize() (int, int) }); ok {
			if w, h := s.SourceSize(); w > 0 && h > 0 {
				r.Width, r.Height = w, h
			}
		}
	}
	_ = k.dec.Close()
	k.dec = nil
}

// stallAfter is the longest gap the measurement accepts now.
func (k *probeSink) stallAfter() time.Duration {
	d := k.opts.StallAfter
	if n := k.report.Frames; n > 1 {
		d = max(d, 3*k.last.Sub(k.first)/time.Duration(n-1))
	}
	return d
}

// armStall restarts the wait for the next packet.
func (k *probeSink) armStall() {
	if k.stallTimer != nil {
		k.stallTimer.Stop()
	}
	k.stallGen++
	gen, after := k.stallGen, k.stallAfter()
	k.stallTimer = time.AfterFunc(after, func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.ended || gen != k.stallGen {
			return
		}
		k.finish(fmt.Errorf("frames stopped %s: nothing for %s; the camera or the network stalled: %w",
			k.progress(), after.Round(100*time.Millisecond), ErrStalled))
	})
}

// timedOut fails a probe that got no packet within Timeout, naming what the server did not do.
func (k *probeSink) timedOut() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ended || k.report.Frames > 0 {
		return
	}
	within := k.opts.Timeout.Round(100 * time.Millisecond)
	switch {
	case k.phase != "" && k.connected:
		k.finish(fmt.Errorf("%s within %s: %w", k.phase, within, ErrStalled))
	case k.phase != "":
		k.finish(&probeTimeout{fmt.Sprintf("%s within %s", k.phase, within)})
	case k.connected:
		k.finish(fmt.Errorf("connected, but no frame arrived within %s: %w", within, ErrStalled))
	default:
		k.finish(&probeTimeout{fmt.Sprintf("no answer within %s", within)})
	}
}

// progress says how far the measurement got, for a failure message.
func (k *probeSink) progress() string {
	n := k.report.Frames
	if n == 0 {
		return "before any frame"
	}
	return fmt.Sprintf("after %d frames (%.1f s into the %s measurement)", n, k.last.Sub(k.first).Seconds(), k.opts.Duration)
}

// finish settles the outcome and stops the source. Called with mu held.
func (k *probeSink) finish(outcome error) {
	if k.ended {
		return
	}
	k.ended, k.outcome = true, outcome
	k.stopTimers()
	k.cancel(outcome)
}

func (k *probeSink) stopTimers() {
	if k.firstTimer != nil {
		k.firstTimer.Stop()
	}
	if k.stallTimer != nil {
		k.stallTimer.Stop()
	}
	k.stallGen++
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
