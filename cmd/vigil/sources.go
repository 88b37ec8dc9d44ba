package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/protocols/demo"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
)

// sourceOptions are the per-camera settings a Source may need besides its URL.
type sourceOptions struct {
	User, Password string
	// FPS is the snapshot polling rate for single-JPEG URLs (0: the protocol's default).
	FPS      float64
	Insecure bool
	// Transport is the RTSP transport: auto, tcp or udp.
	Transport string
	// Pins looks up a server's pinned certificate fingerprint (the settings' trust list):
	// every TLS source (https, rtsps, milestones) trusts a certificate no authority
	// vouches for when it matches.
	Pins func(hostPort string) string
	// Seen receives the fingerprint of every certificate an https or rtsps camera
	// presents (a Milestone source reports its own through Fingerprint).
	Seen func(fingerprint string)
}

// newSource is the one place that maps a URL's scheme to a protocol (DESIGN.md "Sources
// by URL"). Credentials in the URL (user:pass@, percent-decoded) are used when the
// options carry none; the returned Source never prints them.
func newSource(rawURL string, o sourceOptions) (capture.Source, error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return nil, err // names the URL redacted, never url.Parse's text (it quotes the password)
	}
	if u.User != nil && o.User == "" {
		o.User = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return &mjpeg.Source{URL: rawURL, User: o.User, Password: o.Password, FPS: o.FPS,
			Insecure: o.Insecure, Pins: o.Pins, Seen: o.Seen}, nil
	case "demo":
		name, w, h, fps, err := demo.Parse(rawURL)
		if err != nil {
			return nil, err
		}
		frames, err := demoLoop(name, w, h, fps)
		if err != nil {
			return nil, err
		}
		return &demo.Source{Name: name, Frames: frames, FPS: fps}, nil
	case "rtsp", "rtsps":
		return &rtsp.Source{URL: rawURL, User: o.User, Password: o.Password, Transport: o.Transport,
			Insecure: o.Insecure, Pins: o.Pins, Seen: o.Seen}, nil
	case "milestone", "milestones":
		return &milestone.Source{URL: rawURL, User: o.User, Password: o.Password, Insecure: o.Insecure, Pins: o.Pins}, nil
	case "":
		return nil, fmt.Errorf("%q is not a URL: write it with its scheme, e.g. http://%s", capture.RedactURL(rawURL), capture.RedactURL(rawURL))
	}
	return nil, fmt.Errorf("%s: unsupported scheme %q (want http, https, rtsp, rtsps, milestone, milestones or demo)", capture.RedactURL(rawURL), u.Scheme)
}

// newDecoder makes the real frame decoders (TurboJPEG for JPEG, libavcodec for H.264/H.265).
func newDecoder(c capture.Codec) (capture.FrameDecoder, error) {
	switch c {
	case capture.CodecJPEG:
		return jpegdec.New()
	case capture.CodecH264, capture.CodecH265:
		return avdec.NewFrameDecoder(c)
	}
	return nil, fmt.Errorf("no decoder for %s yet", c)
}

// frameInterval turns a configured fps into the watchdog's expected frame interval.
func frameInterval(fps float64) time.Duration {
	if fps <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / fps)
}

// proberWithPins is prober with the settings' trust list (pins) behind the request's
// own pins (the camera dialog's just-accepted certificates): the dialog's Test.
func proberWithPins(pins func(hostPort string) string) capture.Prober {
	return capture.ProberFunc(func(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
		own := req.Pins
		req.Pins = func(hostPort string) string {
			if own != nil {
				if p := own(hostPort); p != "" {
					return p
				}
			}
			return pins(hostPort)
		}
		return prober.Probe(ctx, req)
	})
}

// prober probes any URL the app knows how to open: what the camera dialog's Test button
// and `vigil probe` both run.
var prober = capture.ProberFunc(func(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
	r := capture.ProbeReport{URL: capture.RedactURL(req.URL), AuthOffered: []string{}}
	var seen lastFingerprint
	src, err := newSource(req.URL, sourceOptions{User: req.User, Password: req.Password, FPS: req.FPS, Insecure: req.Insecure,
		Pins: req.Pins, Seen: seen.set})
	if err != nil {
		r.Err, r.Error = err, err.Error()
		r.ErrorKind = capture.Classify(err)
		r.Advice = capture.Advice(r.ErrorKind)
		r.Clean()
		return r
	}
	opts := req.Options
	if opts.Decoders == nil {
		opts.Decoders = newDecoder
	}
	if opts.FrameInterval == 0 {
		opts.FrameInterval = frameInterval(req.FPS) // a slow snapshot rate is not a stall
	}
	r = capture.Probe(ctx, src, opts)
	r.URL = capture.RedactURL(req.URL)
	// A VMS lists its cameras; a server whose certificate --insecure accepted says which.
	if l, ok := src.(interface{ Cameras() []capture.ProbeCamera }); ok {
		r.Cameras = l.Cameras()
	}
	if f, ok := src.(interface{ Fingerprint() string }); ok {
		r.Fingerprint = f.Fingerprint()
	}
	if r.Fingerprint == "" && req.Insecure {
		r.Fingerprint = seen.get() // https and rtsps: what --insecure accepted, to pin
	}
	if rs, ok := src.(*rtsp.Source); ok {
		for _, t := range rs.Tracks() {
			r.Tracks = append(r.Tracks, capture.ProbeTrack{Media: t.Media, Codec: t.Codec, Profile: t.Profile,
				Width: t.Width, Height: t.Height, FPS: t.FPS, Playing: t.Playing})
		}
		if len(r.AuthOffered) == 0 {
			if offered := rs.AuthOffered(); len(offered) > 0 {
				r.AuthOffered = offered
			}
		}
		if r.Transport == "" {
			r.Transport = rs.UsedTransport()
		}
	}
	r.Clean()
	return r
})

// lastFingerprint keeps the last certificate fingerprint a source saw (set from the
// source's goroutines, read after the probe).
type lastFingerprint struct {
	mu sync.Mutex
	fp string
}

func (l *lastFingerprint) set(fp string) {
	l.mu.Lock()
	l.fp = fp
	l.mu.Unlock()
}

func (l *lastFingerprint) get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fp
}
