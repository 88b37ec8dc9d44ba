package onvif

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-cctv/vigil/capture"
)

// Camera is an ONVIF camera's media profile and PTZ head: capture.PTZ over the PTZ
// service, and the stream and snapshot URIs of the media service. Commands are
// serialised; a move in another direction than the last one is preceded by an explicit
// Stop (cameras that blend a reversal into the running move overshoot, and some ignore
// the new move), and a zero Velocity is a Stop, never a ContinuousMove that stops.
type Camera struct {
	c *Client
	// want is the profile token the settings name ("": the first with PTZ).
	want string

	cmd     sync.Mutex // one command at a time
	profile string     // chosen token, "" before the first command
	hasPTZ  bool       // the chosen profile has a PTZ configuration
	ptzConf string     // its token
	fov     int        // 0 not asked yet, 1 the camera has SpaceFOV, -1 not
	moving  bool
	last    capture.Velocity
}

// NewCamera makes a Camera of the client's device using profile token want ("": the
// first profile with a PTZ configuration, else the first profile).
func NewCamera(c *Client, want string) *Camera { return &Camera{c: c, want: want} }

// Client is the camera's SOAP client.
func (cam *Camera) Client() *Client { return cam.c }

// ensure connects and picks the profile; cam.cmd is held.
func (cam *Camera) ensure(ctx context.Context) error {
	if cam.profile != "" {
		return nil
	}
	if err := cam.c.connect(ctx); err != nil {
		return err
	}
	media := cam.c.paths().media
	if media == "" {
		return fmt.Errorf("camera %s reports no ONVIF media service: %w", cam.c.Host(), capture.ErrUnsupported)
	}
	r, err := call[profilesResponse](ctx, cam.c, media, getProfiles{}, true)
	if err != nil {
		return err
	}
	ps := r.Profiles[:min(len(r.Profiles), maxItems)]
	pick := -1
	for i, p := range ps {
		switch {
		case cam.want != "" && p.Token == cam.want:
			pick = i
		case cam.want == "" && pick < 0 && p.PTZ != nil:
			pick = i
		}
	}
	if pick < 0 && cam.want == "" && len(ps) > 0 {
		pick = 0
	}
	if pick < 0 || ps[pick].Token == "" {
		if cam.want != "" {
			var have []string
			for _, p := range ps[:min(len(ps), 8)] {
				have = append(have, capture.CleanText(p.Token, 64))
			}
			return fmt.Errorf("camera %s has no media profile %q (it has %q); fix the profile in the camera's ptz settings: %w",
				cam.c.Host(), cam.want, have, capture.ErrNotFound)
		}
		return fmt.Errorf("camera %s reports no media profile; configure one on the camera: %w", cam.c.Host(), capture.ErrNotFound)
	}
	cam.profile = ps[pick].Token
	cam.hasPTZ = ps[pick].PTZ != nil
	if cam.hasPTZ {
		cam.ptzConf = ps[pick].PTZ.Token
	}
	return nil
}

// Profile is the profile token in use, "" before the first command.
func (cam *Camera) Profile() string {
	cam.cmd.Lock()
	defer cam.cmd.Unlock()
	return cam.profile
}

// ptzReady is ensure and the PTZ service's path; cam.cmd is held.
func (cam *Camera) ptzReady(ctx context.Context) (string, error) {
	if err := cam.ensure(ctx); err != nil {
		return "", err
	}
	path := cam.c.paths().ptz
	if path == "" || !cam.hasPTZ {
		return "", fmt.Errorf("camera %s has no ONVIF PTZ (profile %q has no PTZ configuration): %w",
			cam.c.Host(), capture.CleanText(cam.profile, 64), capture.ErrUnsupported)
	}
	return path, nil
}

// ptzCommand runs cmd with the PTZ service's path under cam.cmd, once the camera is
// ready for PTZ: the start of every PTZ command.
func (cam *Camera) ptzCommand(ctx context.Context, cmd func(path string) error) error {
	cam.cmd.Lock()
	defer cam.cmd.Unlock()
	path, err := cam.ptzReady(ctx)
	if err != nil {
		return err
	}
	return cmd(path)
}

// Move implements capture.PTZ.
func (cam *Camera) Move(ctx context.Context, v capture.Velocity) error {
	v = v.Clamp()
	if v.IsZero() {
		return cam.Stop(ctx)
	}
	return cam.ptzCommand(ctx, func(path string) error {
		if cam.moving && !cam.last.SameDirection(v) {
			if err := cam.stopLocked(ctx, path); err != nil {
				return err
			}
		}
		m := continuousMove{Profile: cam.profile}
		m.Velocity.PanTilt = vector2{X: round3(v.Pan), Y: round3(v.Tilt)}
		m.Velocity.Zoom = vector1{X: round3(v.Zoom)}
		cam.moving, cam.last = true, v // whether or not it arrived: the next reversal stops first
		_, err := call[emptyResponse](ctx, cam.c, path, m, true)
		return err
	})
}

// Stop implements capture.PTZ: Stop with PanTilt and Zoom true, always sent.
func (cam *Camera) Stop(ctx context.Context) error {
	return cam.ptzCommand(ctx, func(path string) error { return cam.stopLocked(ctx, path) })
}

func (cam *Camera) stopLocked(ctx context.Context, path string) error {
	_, err := call[emptyResponse](ctx, cam.c, path, stop{Profile: cam.profile, PanTilt: true, Zoom: true}, true)
	if err == nil {
		cam.moving, cam.last = false, capture.Velocity{}
	}
	return err
}

// Center implements capture.PTZCenterer with a RelativeMove in the field-of-view
// translation space, where the camera lists it (GetConfigurationOptions, asked once):
// the point x, y (0…1 from the top-left corner) becomes a translation of 2x−1, 1−2y, the
// picture's edges being ±1 [I: the space's scale is read from the ONVIF space's name and
// the simulator; verify on a camera]. Other cameras answer capture.ErrUnsupported.
func (cam *Camera) Center(ctx context.Context, x, y float64) error {
	return cam.ptzCommand(ctx, func(path string) error {
		if cam.fov == 0 {
			cam.fov = -1
			r, err := call[configurationOptionsResponse](ctx, cam.c, path, getConfigurationOptions{Token: cam.ptzConf}, true)
			if err != nil && !errors.Is(err, capture.ErrUnsupported) && !errors.Is(err, capture.ErrNotFound) {
				cam.fov = 0
				return err
			}
			if err == nil && slices.ContainsFunc(r.Spaces[:min(len(r.Spaces), maxItems)], func(s string) bool { return strings.TrimSpace(s) == SpaceFOV }) {
				cam.fov = 1
			}
		}
		if cam.fov < 0 {
			return fmt.Errorf("camera %s cannot centre on a point (no field-of-view translation space): %w", cam.c.Host(), capture.ErrUnsupported)
		}
		c := func(f float64) float64 { return round3(max(-1, min(1, f))) }
		m := relativeMove{Profile: cam.profile}
		m.Translation.PanTilt = spaceVector2{X: c(2*x - 1), Y: c(1 - 2*y), Space: SpaceFOV}
		cam.moving = false
		_, err := call[emptyResponse](ctx, cam.c, path, m, true)
		return err
	})
}

// Presets implements capture.PTZ.
func (cam *Camera) Presets(ctx context.Context) ([]capture.Preset, error) {
	var out []capture.Preset
	err := cam.ptzCommand(ctx, func(path string) error {
		r, err := call[presetsResponse](ctx, cam.c, path, getPresets{Profile: cam.profile}, true)
		if err != nil {
			return err
		}
		out = make([]capture.Preset, 0, min(len(r.Presets), maxItems))
		for _, p := range r.Presets[:min(len(r.Presets), maxItems)] {
			if p.Token == "" {
				continue
			}
			// The token is the ID sent back in GotoPreset: kept exact (capped), not cleaned.
			if len(p.Token) > 64 {
				continue
			}
			out = append(out, capture.Preset{ID: p.Token, Name: capture.CleanText(p.Name, 64)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GotoPreset implements capture.PTZ.
func (cam *Camera) GotoPreset(ctx context.Context, id string) error {
	return cam.ptzCommand(ctx, func(path string) error {
		_, err := call[emptyResponse](ctx, cam.c, path, gotoPreset{Profile: cam.profile, Preset: id}, true)
		if err == nil {
			cam.moving = false // a preset recall ends a continuous move
		}
		return err
	})
}

// StorePreset implements capture.PTZ: SetPreset overwriting the preset whose token is
// id (a new one when id is ""), named name.
func (cam *Camera) StorePreset(ctx context.Context, id, name string) error {
	return cam.ptzCommand(ctx, func(path string) error {
		_, err := call[setPresetResponse](ctx, cam.c, path, setPreset{Profile: cam.profile, Preset: id, Name: name}, true)
		return err
	})
}

// Info implements capture.PTZ: GetDeviceInformation, the profile's PTZ configuration and
// the PTZ node's preset count. It moves nothing.
func (cam *Camera) Info(ctx context.Context) (capture.PTZInfo, error) {
	cam.cmd.Lock()
	defer cam.cmd.Unlock()
	if err := cam.ensure(ctx); err != nil {
		return capture.PTZInfo{}, err
	}
	d, err := call[deviceInformationResponse](ctx, cam.c, cam.c.device, getDeviceInformation{}, true)
	if err != nil {
		return capture.PTZInfo{}, err
	}
	info := capture.PTZInfo{Name: capture.CleanText(d.Manufacturer, 0), Model: capture.CleanText(d.Model, 0),
		Firmware: capture.CleanText(d.FirmwareVersion, 0)}
	if path := cam.c.paths().ptz; path != "" && cam.hasPTZ {
		info.PTZ = true
		if n, err := call[nodesResponse](ctx, cam.c, path, getNodes{}, true); err == nil && len(n.Nodes) > 0 {
			info.Presets = max(0, min(n.Nodes[0].MaxPresets, 1<<16))
		}
	}
	return info, nil
}

// Close implements capture.PTZ.
func (cam *Camera) Close() error {
	cam.c.Close()
	return nil
}

// StreamURI asks the media service for the profile's RTSP URI (RTP unicast over RTSP).
func (cam *Camera) StreamURI(ctx context.Context) (string, error) {
	cam.cmd.Lock()
	defer cam.cmd.Unlock()
	if err := cam.ensure(ctx); err != nil {
		return "", err
	}
	r, err := call[streamURIResponse](ctx, cam.c, cam.c.paths().media, getStreamURI{Stream: "RTP-Unicast", Proto: "RTSP", Profile: cam.profile}, true)
	if err != nil {
		return "", err
	}
	// RTSP as asked; an HTTP URI is played as MJPEG over HTTP (cameras and encoders
	// that offer an MJPEG profile answer so): if it is not, that source says so.
	return checkURI(cam.c.Host(), "GetStreamUri", r.URI, "rtsp", "rtsps", "http", "https")
}

// SnapshotURI asks the media service for the profile's JPEG snapshot URI.
func (cam *Camera) SnapshotURI(ctx context.Context) (string, error) {
	cam.cmd.Lock()
	defer cam.cmd.Unlock()
	if err := cam.ensure(ctx); err != nil {
		return "", err
	}
	r, err := call[snapshotURIResponse](ctx, cam.c, cam.c.paths().media, getSnapshotURI{Profile: cam.profile}, true)
	if err != nil {
		return "", err
	}
	return checkURI(cam.c.Host(), "GetSnapshotUri", r.URI, "http", "https")
}

// checkURI accepts a URI the camera gave when it is one of schemes with a host.
func checkURI(host, op, uri string, schemes ...string) (string, error) {
	u, err := capture.ParseURL(uri)
	if err != nil || u.Host == "" || len(uri) > 2048 {
		return "", fmt.Errorf("camera %s answered %s with an unusable URI %q: %w", host, op, capture.CleanText(capture.RedactURL(uri), 0), capture.ErrMalformed)
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return uri, nil
		}
	}
	return "", fmt.Errorf("camera %s answered %s with a %s URI; Vigil expects %s: %w", host, op, capture.CleanText(u.Scheme, 16), schemes[0], capture.ErrUnsupported)
}

// round3 keeps three decimals, so no camera reads 1e-07 and a tiny speed is not zero.
func round3(x float64) float64 {
	r := math.Round(x*1000) / 1000
	if r == 0 && x != 0 {
		return math.Copysign(0.001, x)
	}
	return r
}

// servicePaths are the service paths GetCapabilities (or GetServices) reported; empty
// for a service the camera lacks.
type servicePaths struct{ media, ptz string }

func (c *Client) paths() servicePaths {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.svc
}

var (
	_ capture.PTZ         = (*Camera)(nil)
	_ capture.PTZCenterer = (*Camera)(nil)
)
