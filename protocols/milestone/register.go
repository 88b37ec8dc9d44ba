package milestone

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Register adds Milestone XProtect cameras (milestones:// over HTTPS, milestone:// over
// plain HTTP) to r: the one registration of this protocol (config/protocols.go calls it).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:      "Milestone XProtect",
		Schemes:   []string{"milestone", "milestones"},
		NeedsHost: true,
		CheckURL: func(u *url.URL) string {
			if strings.Trim(u.Path, "/") == "" {
				return "missing camera after the host (want " + u.Scheme + "://HOST/CAMERA-NAME-OR-GUID)"
			}
			return ""
		},
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			return &Source{URL: rawURL, User: s.User, Password: s.Password, Insecure: s.Insecure, Pins: s.Pins}, nil
		},
		Discover: discoverSite,
	})
}

// discoverSite is Discover for capture's registry: the site's cameras with the URLs that
// play them.
func discoverSite(ctx context.Context, req capture.SiteRequest) (*capture.SiteDirectory, error) {
	s, err := Discover(ctx, DiscoverOptions{URL: req.URL, User: req.User, Password: req.Password,
		PinSHA256: req.PinSHA256, Pins: req.Pins, Logger: req.Logger})
	if err != nil {
		return nil, err
	}
	d := &capture.SiteDirectory{Host: s.Host}
	for _, r := range s.Recorders {
		rd := capture.SiteRecorder{Name: r.Name, Addr: r.Addr, Untrusted: r.Untrusted}
		for _, c := range r.Cameras {
			rd.Cameras = append(rd.Cameras, capture.SiteCamera{Name: c.Name, URL: CameraURL(req.URL, c.ID)})
		}
		d.Recorders = append(d.Recorders, rd)
	}
	return d, nil
}

// What a Source offers besides Run (capture's optional interfaces).
var (
	_ capture.SizeHinter    = (*Source)(nil)
	_ capture.Directory     = (*Source)(nil)
	_ capture.Fingerprinter = (*Source)(nil)
	_ capture.Player        = (*Source)(nil)
	_ capture.Seeker        = (*Source)(nil)
	_ capture.Snapshotter   = (*Source)(nil)
)

// Playback is part of capture.Player: a copy of s (its settings, not its state) playing
// the camera's recordings from a time at a speed, with its own login and video
// connection.
func (s *Source) Playback(from time.Time, speed float64) capture.Source {
	return &Source{URL: s.URL, User: s.User, Password: s.Password, PinSHA256: s.PinSHA256, Insecure: s.Insecure,
		Pins: s.Pins, Width: s.Width, Height: s.Height, Dial: s.Dial, Logger: s.Logger,
		Stepping: s.Stepping, From: from, Speed: speed}
}
