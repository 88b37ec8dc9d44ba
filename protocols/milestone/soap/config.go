package soap

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/vigil-cctv/vigil/protocols/milestone/soap/servercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// Configuration is the part of GetConfiguration Vigil uses: recorders and their cameras.
type Configuration struct {
	ServerID   string
	ServerName string
	Recorders  []Recorder
}

// Recorder is a recording server: where its Image Server listens, and its cameras.
type Recorder struct {
	ID           string // RecorderId (GUID)
	Name         string
	HostName     string
	WebServerURI string // e.g. "http://rec01:7563/"; https means TLS on the Image Server socket
	Cameras      []Camera
}

// Camera is one camera of a recorder.
type Camera struct {
	ID           string // DeviceId (GUID): the Image Server's camera id
	Name         string
	ShortName    string
	RecorderID   string
	RecorderName string
	Streams      []Stream
	// PTZ is PtzSettings' PtzEnabled; Center its IsCenterOnPositionInViewSupported.
	PTZ, Center bool
}

// Stream is one of a camera's streams (StreamInfo).
type Stream struct {
	ID      string
	Name    string
	Default bool
}

// ImageServerAddr is host:port of the recorder's Image Server and whether it speaks TLS, from
// WebServerUri (milestone.md §1.5: port from the URI, TLS when the scheme is https; the host
// falls back to HostName when the URI has none).
func (r Recorder) ImageServerAddr() (addr string, useTLS bool, err error) {
	u, err := url.Parse(strings.TrimSpace(r.WebServerURI))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("recorder %q: WebServerUri %q is not an http(s) URL", r.Name, clip(r.WebServerURI))
	}
	host := u.Hostname()
	if host == "" {
		host = r.HostName
	}
	if host == "" {
		return "", false, fmt.Errorf("recorder %q: WebServerUri %q names no host", r.Name, clip(r.WebServerURI))
	}
	port := u.Port()
	if port == "" {
		port = "7563"
	}
	return net.JoinHostPort(host, port), u.Scheme == "https", nil
}

// Cameras lists every camera of every recorder, in the server's order.
func (c *Configuration) Cameras() []Camera {
	var out []Camera
	for _, r := range c.Recorders {
		out = append(out, r.Cameras...)
	}
	return out
}

// Recorder finds a recorder by its GUID (case-insensitive).
func (c *Configuration) Recorder(id string) (Recorder, bool) {
	for _, r := range c.Recorders {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return Recorder{}, false
}

// FindCamera finds a camera by GUID (case-insensitive) or else by exact name, as in
// milestones://host/<camera name or GUID>.
func (c *Configuration) FindCamera(nameOrID string) (Camera, bool) {
	cams := c.Cameras()
	for _, cam := range cams {
		if strings.EqualFold(cam.ID, nameOrID) {
			return cam, true
		}
	}
	for _, cam := range cams {
		if cam.Name == nameOrID {
			return cam, true
		}
	}
	return Camera{}, false
}

func guid(g *wire.Guid) string {
	if g == nil {
		return ""
	}
	return strings.TrimSpace(string(*g))
}

func convertConfiguration(ci *servercommand.ConfigurationInfo) *Configuration {
	out := &Configuration{ServerID: guid(ci.ServerId), ServerName: ci.ServerName}
	if ci.Recorders != nil {
		for _, r := range ci.Recorders.RecorderInfo {
			if r != nil {
				out.Recorders = append(out.Recorders, convertRecorder(r))
			}
		}
	}
	return out
}

func convertRecorder(r *servercommand.RecorderInfo) Recorder {
	rec := Recorder{ID: guid(r.RecorderId), Name: r.Name, HostName: r.HostName, WebServerURI: strings.TrimSpace(r.WebServerUri)}
	if r.Cameras == nil {
		return rec
	}
	for _, ci := range r.Cameras.CameraInfo {
		if ci == nil {
			continue
		}
		cam := Camera{ID: guid(ci.DeviceId), Name: ci.Name, ShortName: ci.ShortName, RecorderID: guid(ci.RecorderId), RecorderName: rec.Name}
		if cam.RecorderID == "" {
			cam.RecorderID = rec.ID
		}
		if p := ci.PtzSettings; p != nil {
			cam.PTZ, cam.Center = p.PtzEnabled, p.PtzEnabled && p.IsCenterOnPositionInViewSupported
		}
		if ci.Streams != nil {
			for _, s := range ci.Streams.StreamInfo {
				if s != nil {
					cam.Streams = append(cam.Streams, Stream{ID: guid(s.StreamId), Name: s.Name, Default: s.Default})
				}
			}
		}
		rec.Cameras = append(rec.Cameras, cam)
	}
	return rec
}
