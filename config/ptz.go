package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// PTZ is a camera's pan-tilt-zoom controller:
//
//	ptz:
//	  kind: rcp            # rcp (Bosch RCP+), onvif, or milestone
//	  url: rcp://192.168.1.30/
//	  user: service
//	  password: …
//	  profile: Profile_1   # onvif only: the media profile whose PTZ node moves
//
// A milestone camera's PTZ goes through its site and needs no url. The password is
// never logged or shown in an error.
type PTZ struct {
	Kind     string `mapstructure:"kind" yaml:"kind,omitempty"`
	URL      string `mapstructure:"url" yaml:"url,omitempty"`
	User     string `mapstructure:"user" yaml:"user,omitempty"`
	Password string `mapstructure:"password" yaml:"password,omitempty"`
	Profile  string `mapstructure:"profile" yaml:"profile,omitempty"`
}

// PTZKinds are the values ptz.kind takes, with the URL schemes each accepts.
var PTZKinds = map[string][]string{
	"rcp":       {"rcp", "rcps"},
	"onvif":     {"onvif", "onvifs"},
	"milestone": {"milestone", "milestones"},
}

// ptzKindNames lists PTZKinds for messages, in a fixed order.
var ptzKindNames = []string{"rcp", "onvif", "milestone"}

// Enabled reports whether the camera has a PTZ controller.
func (p PTZ) Enabled() bool { return p.Kind != "" }

type ptzProblem struct{ key, value, msg string }

// validate returns what is wrong with a ptz block (none when it is empty).
func (p PTZ) validate() []ptzProblem {
	if p == (PTZ{}) {
		return nil
	}
	var out []ptzProblem
	schemes, ok := PTZKinds[p.Kind]
	if !ok {
		return append(out, ptzProblem{"kind", p.Kind, "unknown PTZ kind (want " + strings.Join(ptzKindNames, ", ") + ")"})
	}
	if p.Profile != "" && p.Kind != "onvif" {
		out = append(out, ptzProblem{"profile", p.Profile, "only an onvif PTZ has a profile"})
	}
	if p.URL == "" {
		if p.Kind != "milestone" {
			out = append(out, ptzProblem{"url", "", "empty (want " + schemes[0] + "://HOST[:PORT]/)"})
		}
		return out
	}
	if msg := checkPTZURL(p.URL, schemes); msg != "" {
		out = append(out, ptzProblem{"url", redactURL(p.URL), msg})
	}
	return out
}

// checkPTZURL checks a ptz URL: one of schemes, no credentials, and the protocol's own
// checks when a protocol is registered for it.
func checkPTZURL(raw string, schemes []string) string {
	if len(raw) > maxURLLen {
		return "longer than " + strconv.Itoa(maxURLLen) + " bytes"
	}
	u, err := capture.ParseURL(raw)
	if err != nil {
		return badURLMessage(err)
	}
	if !slices.Contains(schemes, u.Scheme) {
		return "scheme " + strconv.Quote(u.Scheme) + " does not match the kind (want " + strings.Join(schemes, ":// or ") + "://)"
	}
	if u.User != nil {
		return "put credentials in ptz user/password, not in the URL"
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "port must be 1 to 65535"
		}
	}
	if p, ok := Protocols().Lookup(u.Scheme); ok && p.CheckURL != nil {
		return p.CheckURL(u)
	}
	if u.Hostname() == "" {
		return "missing host (want " + u.Scheme + "://HOST/)"
	}
	return ""
}
