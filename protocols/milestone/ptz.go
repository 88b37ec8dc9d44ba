package milestone

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

// PTZ drives a Milestone camera's head through its recording server's
// RecorderCommandService (milestone.md §1.8) with the site's token: PTZMoveStart and
// PTZMoveStop, PresetGetList and PresetMoveTo (presets by name), PTZCenter. It logs in on
// its own on first use (so it outlives the Source's Run) and keeps the session, renewed in
// the background, until Close. Commands are serialised; a move in another direction is
// preceded by PTZMoveStop, and a zero Velocity is PTZMoveStop. Fault 40295 (a user with
// higher PTZ priority holds the camera) is capture.ErrBusy.
type PTZ struct {
	src *Source // settings only: a copy of the Source's

	mu     sync.Mutex // one command at a time
	st     *site
	rc     *soap.RecorderClient
	moving bool
	last   capture.Velocity
	closed bool
}

// centeringPTZ is a PTZ whose camera centres on a clicked point (PtzSettings'
// IsCenterOnPositionInViewSupported): capture.PTZCenterer.
type centeringPTZ struct{ *PTZ }

// Center implements capture.PTZCenterer with PTZCenter.
func (p centeringPTZ) Center(ctx context.Context, x, y float64) error {
	return p.do(ctx, func(rc *soap.RecorderClient, token, cam string) error {
		p.moving = false
		return rc.PTZCenter(ctx, token, cam, x, y)
	})
}

var (
	_ capture.PTZ         = (*PTZ)(nil)
	_ capture.PTZCenterer = centeringPTZ{}
	_ capture.PTZSource   = (*Source)(nil)
)

// PTZ implements capture.PTZSource: a controller of the camera once a Run has found it
// and its PtzSettings say PtzEnabled (ok is false before, and for a fixed camera). It is
// a capture.PTZCenterer when the camera centres on a point. The caller closes it.
func (s *Source) PTZ() (capture.PTZ, bool) {
	s.mu.Lock()
	enabled, center := s.ptzEnabled, s.ptzCenter
	s.mu.Unlock()
	if !enabled {
		return nil, false
	}
	p := &PTZ{src: &Source{URL: s.URL, User: s.User, Password: s.Password, PinSHA256: s.PinSHA256, Insecure: s.Insecure,
		Pins: s.Pins, Dial: s.Dial, Logger: s.Logger}}
	if center {
		return centeringPTZ{p}, true
	}
	return p, true
}

// do runs one command with the login, opening it on first use.
func (p *PTZ) do(ctx context.Context, f func(rc *soap.RecorderClient, token, cam string) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("milestone PTZ: closed")
	}
	if p.st == nil {
		log := p.src.Logger
		if log == nil {
			log = slog.Default()
		}
		st, err := p.src.open(ctx, log, nil)
		if err != nil {
			return err
		}
		if !st.cam.PTZ {
			st.close()
			return fmt.Errorf("camera %q has no PTZ enabled in XProtect (PtzSettings): %w", st.cam.Name, capture.ErrUnsupported)
		}
		rc, err := st.recorderClient(p.src.Dial)
		if err != nil {
			st.close()
			return err
		}
		p.st, p.rc = st, rc
	}
	return f(p.rc, p.st.session.Token(), p.st.cam.ID)
}

// Move implements capture.PTZ.
func (p *PTZ) Move(ctx context.Context, v capture.Velocity) error {
	v = v.Clamp()
	if v.IsZero() {
		return p.Stop(ctx)
	}
	return p.do(ctx, func(rc *soap.RecorderClient, token, cam string) error {
		if p.moving && !p.last.SameDirection(v) {
			if err := rc.PTZMoveStop(ctx, token, cam); err != nil {
				return err
			}
			p.moving = false
		}
		p.moving, p.last = true, v
		return rc.PTZMoveStart(ctx, token, cam, v)
	})
}

// Stop implements capture.PTZ.
func (p *PTZ) Stop(ctx context.Context) error {
	return p.do(ctx, func(rc *soap.RecorderClient, token, cam string) error {
		err := rc.PTZMoveStop(ctx, token, cam)
		if err == nil {
			p.moving = false
		}
		return err
	})
}

// Presets implements capture.PTZ: Milestone names presets, and recalls them by name, so
// the ID is the name.
func (p *PTZ) Presets(ctx context.Context) ([]capture.Preset, error) {
	var out []capture.Preset
	err := p.do(ctx, func(rc *soap.RecorderClient, token, cam string) error {
		names, err := rc.PresetGetList(ctx, token, cam)
		for _, n := range names {
			out = append(out, capture.Preset{ID: n, Name: capture.CleanText(n, 64)})
		}
		return err
	})
	return out, err
}

// GotoPreset implements capture.PTZ with PresetMoveTo.
func (p *PTZ) GotoPreset(ctx context.Context, id string) error {
	return p.do(ctx, func(rc *soap.RecorderClient, token, cam string) error {
		p.moving = false
		return rc.PresetMoveTo(ctx, token, cam, id)
	})
}

// StorePreset implements capture.PTZ: presets of a Milestone camera are kept by the
// site (the Management Client), not stored from a viewer.
func (p *PTZ) StorePreset(context.Context, string, string) error {
	return fmt.Errorf("presets of a Milestone camera are defined in the XProtect Management Client, not from Vigil: %w", capture.ErrUnsupported)
}

// Info implements capture.PTZ: the camera's name and recorder, and whether PTZ is
// enabled, from the site's configuration. It moves nothing.
func (p *PTZ) Info(ctx context.Context) (capture.PTZInfo, error) {
	var info capture.PTZInfo
	err := p.do(ctx, func(*soap.RecorderClient, string, string) error {
		info = capture.PTZInfo{Name: capture.CleanText(p.st.cam.Name, 0), Model: "Milestone XProtect camera on " + capture.CleanText(p.st.rec.Name, 64), PTZ: p.st.cam.PTZ}
		return nil
	})
	return info, err
}

// Close implements capture.PTZ: it logs out. It does not stop a move.
func (p *PTZ) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.st != nil {
		p.st.close()
		p.st, p.rc = nil, nil
	}
	return nil
}
