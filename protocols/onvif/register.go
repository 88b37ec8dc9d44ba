package onvif

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// Register adds ONVIF (onvif:// over HTTP, onvifs:// over HTTPS) to r: cameras added by
// their ONVIF address play the RTSP URI the camera gives, and the same URLs are PTZ
// targets. The one registration of this protocol (config/protocols.go calls it).
//
// A URL is onvif://HOST[:PORT][/DEVICE-SERVICE-PATH][?profile=TOKEN]: the path defaults
// to /onvif/device_service, the profile to the first with a PTZ configuration.
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:      "ONVIF",
		Schemes:   []string{"onvif", "onvifs"},
		NeedsHost: true,
		CheckURL: func(u *url.URL) string {
			for k := range u.Query() {
				if k != "profile" {
					return fmt.Sprintf("unknown parameter %q (an ONVIF URL takes only ?profile=TOKEN)", capture.CleanText(k, 32))
				}
			}
			return ""
		},
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			return NewSource(rawURL, s)
		},
		NewPTZ: func(rawURL string, s capture.Settings) (capture.PTZ, error) {
			return newCamera(rawURL, s)
		},
	})
}

// parseAddr splits an onvif(s):// URL into the device service URL the Client takes and
// the profile token.
func parseAddr(rawURL string) (string, string, error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return "", "", err
	}
	if s := strings.ToLower(u.Scheme); s != "onvif" && s != "onvifs" {
		return "", "", fmt.Errorf("%s: not an onvif:// or onvifs:// URL: %w", capture.RedactURL(rawURL), capture.ErrBadURL)
	}
	profile := u.Query().Get("profile")
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String(), profile, nil
}

// newCamera makes the Camera of an onvif(s):// URL with the settings' credentials and trust.
func newCamera(rawURL string, s capture.Settings) (*Camera, error) {
	addr, profile, err := parseAddr(rawURL)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(addr, ClientOptions{User: s.User, Password: s.Password, Insecure: s.Insecure, Pins: s.Pins, Seen: s.Seen})
	if err != nil {
		return nil, err
	}
	return NewCamera(c, profile), nil
}

// What a Source offers besides Run (capture's optional interfaces).
var (
	_ capture.PTZSource         = (*Source)(nil)
	_ capture.TrackLister       = (*Source)(nil)
	_ capture.TransportReporter = (*Source)(nil)
	_ capture.AuthLister        = (*Source)(nil)
)
