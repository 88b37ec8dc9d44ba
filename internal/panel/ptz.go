package panel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

// StartPTZSim serves n simulated Bosch PTZ cameras on 127.0.0.1 (`vigil camsim --ptz`,
// the demo wall's "PTZ n"): RCP+ with Digest, a w×h MJPEG picture at fps.
func StartPTZSim(n, w, h int, fps float64) ([]*rcptest.Camera, error) {
	var cams []*rcptest.Camera
	for i := 1; i <= n; i++ {
		c, err := rcptest.Start(rcptest.Options{Name: fmt.Sprintf("PTZ %d", i), Width: w, Height: h, FPS: fps})
		if err != nil {
			for _, c := range cams {
				c.Close()
			}
			return nil, err
		}
		cams = append(cams, c)
	}
	return cams, nil
}

// simPTZ is a simulated PTZ camera's ptz block, as a configured camera's would be.
func simPTZ(c *rcptest.Camera) config.PTZ {
	return config.PTZ{Kind: "rcp", URL: c.URL(), User: c.User(), Password: c.Password()}
}

// PTZTarget is what a PTZ controller is made from: a camera's ptz block and, for a
// milestone block without a URL, the camera's own stream and login.
func PTZTarget(cam config.Camera) (url string, s capture.Settings, err error) {
	p := cam.PTZ
	if !p.Enabled() {
		return "", s, fmt.Errorf("camera %q has no ptz block in the settings: %w", cam.Name, capture.ErrUnsupported)
	}
	url, s = p.URL, capture.Settings{User: p.User, Password: p.Password, Profile: p.Profile}
	if url == "" && len(cam.Streams) > 0 { // milestone: the camera's own address
		url, s.User, s.Password = cam.Streams[0].URL, cam.User, cam.Password
	}
	return url, s, nil
}

// OpenPTZ makes the PTZ controller `vigil ptz` drives: target is a camera's name in the
// settings (its ptz block) or a PTZ URL (rcp://user:pass@host/, rcps://, onvif://…),
// built through the protocol table. The settings' trust list pins TLS cameras.
func OpenPTZ(cfg *config.Config, target string, log *slog.Logger) (capture.PTZ, error) {
	var rawURL string
	var s capture.Settings
	if cam, ok := cfg.Camera(target); ok {
		var err error
		if rawURL, s, err = PTZTarget(cam); err != nil {
			return nil, err
		}
	} else if slices.Contains(cfg.Demo.PTZNames(), target) {
		return nil, &UsageError{fmt.Errorf("%q is a demo camera that lives inside the wall; run `vigil camsim --ptz 1` and give the rcp:// address it prints", target)}
	} else if !strings.Contains(target, "://") {
		return nil, &UsageError{fmt.Errorf("no camera %q in the settings (give its name as in the settings, or a URL such as rcp://user:pass@host/)", capture.CleanText(target, 80))}
	} else {
		rawURL = target
	}
	s.Pins, s.Logger = cfg.Pin, log
	p, err := config.Protocols().NewPTZ(rawURL, s)
	if err != nil {
		var ue *capture.URLError
		if errors.As(err, &ue) || errors.Is(err, capture.ErrBadURL) {
			return nil, &UsageError{err}
		}
		return nil, err
	}
	return p, nil
}

// PTZ makes the PTZ controller of a camera on the wall, nil and false when it has none:
// a configured camera's ptz block, or a demo PTZ camera's simulator. The caller closes
// it (after a stop).
func (p *Panel) PTZ(name string) (capture.PTZ, bool, error) {
	cam, ok := p.cfg.Camera(name)
	if d, demo := p.demoPTZ[name]; demo {
		cam, ok = config.Camera{Name: name, PTZ: d}, true
	}
	if !ok || !cam.PTZ.Enabled() {
		// A camera whose own connection knows a PTZ head: Milestone's PtzSettings, an
		// ONVIF camera's PTZ service (known once its stream has connected).
		i := slices.IndexFunc(p.streams, func(s *capture.Stream) bool { return s.Name() == name })
		if i >= 0 {
			if ps, is := p.streams[i].Source().(capture.PTZSource); is {
				if c, has := ps.PTZ(); has {
					return p.an.heldPTZ(name, c), true, nil
				}
			}
		}
		return nil, false, nil
	}
	url, s, err := PTZTarget(cam)
	if err != nil {
		return nil, false, err
	}
	s.Pins, s.Logger = p.pins.Pin, p.log
	c, err := config.Protocols().NewPTZ(url, s)
	if err != nil {
		return nil, false, err
	}
	return p.an.heldPTZ(name, c), true, nil
}

// ReadPTZ is the camera dialog's Test PTZ: it makes cam's PTZ controller from its ptz
// block (as typed, not yet saved) through the protocol table, reads the device's
// identity and its presets (capture.ReadPTZ), and closes it. It moves nothing.
func (p *Panel) ReadPTZ(ctx context.Context, cam config.Camera) (capture.PTZInfo, []capture.Preset, error) {
	url, s, err := PTZTarget(cam)
	if err != nil {
		return capture.PTZInfo{}, nil, err
	}
	s.Pins, s.Logger = p.pins.Pin, p.log
	c, err := config.Protocols().NewPTZ(url, s)
	if err != nil {
		return capture.PTZInfo{}, nil, err
	}
	defer c.Close()
	return capture.ReadPTZ(ctx, c)
}
