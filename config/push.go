package config

import (
	"net"
	"strconv"
	"strings"
)

// MaxPush caps the push listeners.
const MaxPush = 16

// Push is one listener that frame pushers connect to (issue 14): every pusher becomes a
// camera push://LISTEN/NAME on the wall while it is connected.
type Push struct {
	// Listen is the HOST:PORT to listen on. Use a loopback address (127.0.0.1:9000)
	// unless pushers connect from other machines; 0.0.0.0:9000 opts into every interface.
	Listen string `mapstructure:"listen" yaml:"listen"`
	// Record is "continuous" to record every pusher while it is connected, each to its
	// own files, or "off" (the default, empty means off).
	Record string `mapstructure:"record" yaml:"record,omitempty"`
	// Token, when set, is required in every pusher's handshake; pushers without the
	// handshake (ffmpeg's multipart) are then refused. It is never logged or shown.
	Token string `mapstructure:"token" yaml:"token,omitempty"`
}

// URL is the listener as push://HOST:PORT.
func (p Push) URL() string { return "push://" + p.Listen }

// Continuous reports whether the listener's pushers are recorded while connected.
func (p Push) Continuous() bool { return p.Record == "continuous" }

// validatePush checks the push: listeners.
func (c *Config) validatePush() []error {
	var errs []error
	if len(c.Push) > MaxPush {
		errs = append(errs, fieldErr("push", "", "", "%d listeners, at most %d allowed", len(c.Push), MaxPush))
	}
	seen := map[string]int{}
	for i, p := range c.Push {
		path := "push[" + strconv.Itoa(i) + "]"
		if msg := checkListen(p.Listen); msg != "" {
			errs = append(errs, fieldErr(path+".listen", "", p.Listen, "%s", msg))
		} else if j, dup := seen[strings.ToLower(p.Listen)]; dup {
			errs = append(errs, fieldErr(path+".listen", "", p.Listen, "same address as push[%d]", j))
		} else {
			seen[strings.ToLower(p.Listen)] = i
		}
		if p.Record != "" && p.Record != "continuous" && p.Record != "off" {
			errs = append(errs, fieldErr(path+".record", "", p.Record, `want "continuous" or "off"`))
		}
		if p.Token != "" && (len(p.Token) > 128 || strings.ContainsFunc(p.Token, func(r rune) bool { return r <= ' ' || r >= 0x7F })) {
			errs = append(errs, fieldErr(path+".token", "", "", "want up to 128 printable ASCII characters without spaces"))
		}
	}
	return errs
}

// checkListen returns what is wrong with a listen address, or "".
func checkListen(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || strings.ContainsAny(addr, "/@ ") {
		return "want HOST:PORT, e.g. 127.0.0.1:9000"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "want a port from 1 to 65535"
	}
	if host == "" {
		return "name the address to bind: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
	}
	if net.ParseIP(host) == nil && host != "localhost" {
		return "want an IP address to bind (127.0.0.1, 0.0.0.0, or one of this machine's), or localhost"
	}
	return ""
}
