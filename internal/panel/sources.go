package panel

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/config"
)

// NewSource makes a URL's Source through the protocol table (config.Protocols), the one
// that validated the settings; demo:// cameras get the app's cached demo pictures.
func NewSource(rawURL string, o capture.Settings) (capture.Source, error) {
	if o.Pictures == nil {
		o.Pictures = DemoLoop
	}
	return config.Protocols().NewSource(rawURL, o)
}

// demoSource is newSource for the URL of a simulator the app started itself: always
// one a protocol builds.
func mustSource(rawURL string, o capture.Settings) capture.Source {
	src, err := NewSource(rawURL, o)
	if err != nil {
		panic("demo source " + capture.RedactURL(rawURL) + ": " + err.Error())
	}
	return src
}

// NewDecoder makes the real frame decoders (TurboJPEG for JPEG, libavcodec for H.264/H.265).
func NewDecoder(c capture.Codec) (capture.FrameDecoder, error) {
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
		return Prober.Probe(ctx, req)
	})
}

// Prober probes any URL the app knows how to open: what the camera dialog's Test button
// and `vigil probe` both run.
var Prober = capture.ProberFunc(func(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
	r := capture.ProbeReport{URL: capture.RedactURL(req.URL), AuthOffered: []string{}}
	var seen atomic.Value // the last certificate fingerprint the source saw (a string, set from its goroutines)
	src, err := NewSource(req.URL, capture.Settings{User: req.User, Password: req.Password, FPS: req.FPS, Insecure: req.Insecure,
		Pins: req.Pins, Seen: func(fp string) { seen.Store(fp) }})
	if err != nil {
		r.Err = err
		r.Explain()
		r.Clean()
		return r
	}
	opts := req.Options
	if opts.Decoders == nil {
		opts.Decoders = NewDecoder
	}
	if opts.FrameInterval == 0 {
		opts.FrameInterval = frameInterval(req.FPS) // a slow snapshot rate is not a stall
	}
	r = capture.Probe(ctx, src, opts)
	r.URL = capture.RedactURL(req.URL)
	// A VMS lists its cameras; a server whose certificate --insecure accepted says which.
	if l, ok := src.(capture.Directory); ok {
		r.Cameras = l.Cameras()
	}
	if f, ok := src.(capture.Fingerprinter); ok {
		r.Fingerprint = f.Fingerprint()
	}
	if r.Fingerprint == "" && req.Insecure {
		r.Fingerprint, _ = seen.Load().(string) // https and rtsps: what --insecure accepted, to pin
	}
	if tl, ok := src.(capture.TrackLister); ok {
		r.Tracks = append(r.Tracks, tl.ProbeTracks()...)
	}
	if al, ok := src.(capture.AuthLister); ok && len(r.AuthOffered) == 0 {
		if offered := al.AuthOffered(); len(offered) > 0 {
			r.AuthOffered = offered
		}
	}
	if tr, ok := src.(capture.TransportReporter); ok && r.Transport == "" {
		r.Transport = tr.UsedTransport()
	}
	r.Clean()
	return r
})
