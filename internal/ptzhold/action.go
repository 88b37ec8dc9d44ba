package ptzhold

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Action is one `vigil ptz` command: a move (left right up down zoom-in zoom-out), stop,
// preset N (recall), store N, presets (list), info.
type Action struct {
	Name string
	// Preset is the N of preset and store.
	Preset string
	// Speed is 0 < Speed ≤ 1 (DefaultSpeed when 0).
	Speed float64
	// For, when > 0, moves that long through a Controller (renewed, then released);
	// else a move is sent once and latches until a stop.
	For time.Duration
}

// DefaultSpeed is the speed of a move when none is given.
const DefaultSpeed = 0.5

// moves are the directions of the move actions, at speed 1.
var moves = map[string]capture.Velocity{
	"left": {Pan: -1}, "right": {Pan: 1}, "up": {Tilt: 1}, "down": {Tilt: -1},
	"zoom-in": {Zoom: 1}, "zoom-out": {Zoom: -1},
}

// Actions lists the action names for usage text.
const Actions = "left right up down zoom-in zoom-out stop, preset N, store N, presets, info"

// ParseAction reads ACTION [N] from args with the speed and duration flags.
func ParseAction(args []string, speed float64, dur time.Duration) (Action, error) {
	if len(args) == 0 {
		return Action{}, errors.New("name an action: " + Actions)
	}
	a := Action{Name: args[0], Speed: speed, For: dur}
	if math.IsNaN(speed) || speed <= 0 || speed > 1 {
		return a, fmt.Errorf("--speed %v: want 0 < S ≤ 1", speed)
	}
	if dur < 0 {
		return a, errors.New("--for takes a duration that is not negative, e.g. 2s")
	}
	_, isMove := moves[a.Name]
	want := 1
	switch {
	case isMove, a.Name == "stop", a.Name == "presets", a.Name == "info":
	case a.Name == "preset", a.Name == "store":
		want = 2
		if len(args) < 2 {
			return a, fmt.Errorf("%s takes the preset's number: %s N", a.Name, a.Name)
		}
		a.Preset = args[1]
	default:
		return a, fmt.Errorf("unknown action %q (want %s)", capture.CleanText(a.Name, 40), Actions)
	}
	if len(args) > want {
		return a, fmt.Errorf("unexpected %q after %s", capture.CleanText(args[want], 40), a.Name)
	}
	if dur > 0 && !isMove {
		return a, fmt.Errorf("--for goes with a move, not %s", a.Name)
	}
	return a, nil
}

// Result is what an action brought back.
type Result struct {
	Presets []capture.Preset
	Info    *capture.PTZInfo
	// Sent counts the commands sent (a held move's renewals and its stop included).
	Sent int
}

// Do runs a on p. It fails when the camera refused or did not take any command.
func Do(ctx context.Context, p capture.PTZ, a Action) (Result, error) {
	var r Result
	if a.Speed == 0 {
		a.Speed = DefaultSpeed
	}
	if v, ok := moves[a.Name]; ok {
		v = capture.Velocity{Pan: v.Pan * a.Speed, Tilt: v.Tilt * a.Speed, Zoom: v.Zoom * a.Speed}
		if a.For <= 0 {
			r.Sent = 1
			return r, p.Move(ctx, v)
		}
		return holdFor(ctx, p, v, a.For)
	}
	var err error
	r.Sent = 1
	switch a.Name {
	case "stop":
		err = p.Stop(ctx)
	case "preset":
		err = p.GotoPreset(ctx, a.Preset)
	case "store":
		err = p.StorePreset(ctx, a.Preset, "")
	case "presets":
		r.Presets, err = p.Presets(ctx)
	case "info":
		var info capture.PTZInfo
		if info, err = p.Info(ctx); err == nil {
			r.Info = &info
		}
	default:
		err = fmt.Errorf("unknown action %q", capture.CleanText(a.Name, 40))
	}
	return r, err
}

// holdFor moves with v for d through a Controller renewed every half second, then
// releases: the stop is sent even when ctx ends first (Ctrl-C).
func holdFor(ctx context.Context, p capture.PTZ, v capture.Velocity, d time.Duration) (Result, error) {
	var mu sync.Mutex
	var errs []error
	c := New(p, Options{OnError: func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}})
	end := time.NewTimer(d)
	defer end.Stop()
	renew := time.NewTicker(DefaultDeadMan / 3)
	defer renew.Stop()
	c.Hold(v)
loop:
	for {
		select {
		case <-end.C:
			break loop
		case <-ctx.Done():
			break loop
		case <-renew.C:
			mu.Lock()
			failed := len(errs) > 0
			mu.Unlock()
			if failed {
				break loop
			}
			c.Hold(v)
		}
	}
	c.Close() // releases and sends the stop
	st := c.Stats()
	mu.Lock()
	defer mu.Unlock()
	r := Result{Sent: st.Moves + st.Stops + st.Failures}
	if len(errs) > 0 {
		return r, errors.Join(errs...)
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("interrupted after the move; the camera was told to stop: %w", ctx.Err())
	}
	return r, nil
}

// PresetLine formats a preset for a listing.
func PresetLine(p capture.Preset) string {
	if p.Name == "" || p.Name == "Preset "+p.ID {
		return p.ID
	}
	return p.ID + "\t" + strconv.Quote(p.Name)
}
