package capture

import (
	"context"
	"fmt"
)

// Velocity is a continuous pan-tilt-zoom move in the protocol-neutral space every PTZ
// protocol maps from: each axis in −1…+1, 0 holds that axis still. Pan > 0 turns right,
// Tilt > 0 turns up, Zoom > 0 zooms in (tele). Each protocol maps magnitude to its own
// range (RCP+: round(|v|×15) for pan/tilt, round(|v|×7) for zoom, at least 1 when not 0).
type Velocity struct {
	Pan, Tilt, Zoom float64
}

// IsZero reports whether v moves nothing.
func (v Velocity) IsZero() bool { return v.Pan == 0 && v.Tilt == 0 && v.Zoom == 0 }

// Clamp returns v with each axis bounded to −1…+1 (NaN becomes 0).
func (v Velocity) Clamp() Velocity {
	c := func(x float64) float64 {
		switch {
		case x != x: // NaN
			return 0
		case x > 1:
			return 1
		case x < -1:
			return -1
		}
		return x
	}
	return Velocity{Pan: c(v.Pan), Tilt: c(v.Tilt), Zoom: c(v.Zoom)}
}

// SameDirection reports whether o moves every axis the way v does (speeds may differ):
// a controller that sends an explicit stop before a move in another direction asks it.
func (v Velocity) SameDirection(o Velocity) bool {
	sign := func(x float64) int {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	return sign(v.Pan) == sign(o.Pan) && sign(v.Tilt) == sign(o.Tilt) && sign(v.Zoom) == sign(o.Zoom)
}

func (v Velocity) String() string {
	return fmt.Sprintf("pan %+.2f tilt %+.2f zoom %+.2f", v.Pan, v.Tilt, v.Zoom)
}

// Preset is one stored position of a PTZ camera. ID is what Goto and Store take (a
// number for RCP+ "1"…"256", the camera's token for ONVIF, Milestone's preset GUID);
// Name is for people ("" when the camera keeps none).
type Preset struct {
	ID, Name string
}

// PTZInfo is what a PTZ controller read of its device without moving it.
type PTZInfo struct {
	// Name, Model and Firmware as the device reports them (cleaned: CleanText).
	Name, Model, Firmware string
	// PTZ is false when the device answers but has no pan-tilt head (a fixed camera).
	PTZ bool
	// Presets is how many presets the device can hold (0: unknown).
	Presets int
}

// PTZ drives a pan-tilt-zoom head. Moves are latched on every protocol Vigil speaks: a
// camera keeps moving until Stop or another Move arrives, so the caller (the wall's PTZ
// pad, `vigil ptz`) must stop on release, focus loss, exit and connection loss; the
// PTZ controller in the core resends a held move and stops on its own when nobody
// refreshes it (a dead-man timer). Implementations are safe for concurrent use and
// serialise their commands (RCP+ cameras misbehave given commands < 100 ms apart).
//
// Errors carry the capture kinds (ErrUnauthorized, ErrForbidden, ErrBusy when another
// user with higher priority holds the camera — Milestone fault 40295 —, ErrUnsupported
// for an action the device lacks), so the caller explains them like a stream's.
type PTZ interface {
	// Move starts (or replaces) a continuous move; a zero Velocity is a stop.
	Move(ctx context.Context, v Velocity) error
	// Stop stops every axis. It is sent explicitly, never inferred from a timeout.
	Stop(ctx context.Context) error
	// Presets lists the stored presets, in the device's order.
	Presets(ctx context.Context) ([]Preset, error)
	// GotoPreset recalls a preset by its ID.
	GotoPreset(ctx context.Context, id string) error
	// StorePreset stores the current position as preset id (name where the protocol keeps
	// names; RCP+ ignores it).
	StorePreset(ctx context.Context, id, name string) error
	// Info reads the device's identity and whether it has PTZ, moving nothing.
	Info(ctx context.Context) (PTZInfo, error)
	// Close releases what the controller holds (sessions, idle connections). It does not
	// stop a move: callers Stop first.
	Close() error
}

// PTZCenterer is a PTZ that can centre the camera on a point of its picture (Milestone
// PTZCenter, ONVIF RelativeMove in the field-of-view space). x and y are the point in
// the picture, 0…1 from the top-left corner.
type PTZCenterer interface {
	Center(ctx context.Context, x, y float64) error
}

// PTZSource is a Source whose camera has a PTZ head reachable through the same
// connection settings (Milestone cameras whose PtzSettings say PtzEnabled, ONVIF
// cameras). ok is false when the camera has none. The PTZ stays valid after the
// Source's Run returns; the caller closes it.
type PTZSource interface {
	PTZ() (p PTZ, ok bool)
}

// ReadPTZ reads what a PTZ test shows, moving nothing: the device's identity, then its
// presets. A device whose presets cannot be listed still gives its Info, with the error.
func ReadPTZ(ctx context.Context, p PTZ) (PTZInfo, []Preset, error) {
	info, err := p.Info(ctx)
	if err != nil {
		return info, nil, err
	}
	presets, err := p.Presets(ctx)
	return info, presets, err
}
