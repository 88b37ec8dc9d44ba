package soap

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/recordercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// maxPresets caps the preset names kept from PresetGetList.
const maxPresets = 1024

// PTZMoveStart starts a continuous move of the camera (milestone.md §1.8, as vgrid does
// it [S]): for each moving axis a movement of ±1 ("pan" > 0 right, "tilt" > 0 up, "zoom"
// > 0 tele) and a speed of |v| in 0…1, not normalised. Axes at zero are left out. It
// latches until PTZMoveStop.
func (rc *RecorderClient) PTZMoveStart(ctx context.Context, token, deviceID string, v capture.Velocity) error {
	args := &recordercommand.PTZArgs{Movement: &recordercommand.ArrayOfPTZPairDouble{},
		Speed: &recordercommand.ArrayOfPTZPairDouble{}, Normalized: "false"}
	for _, a := range []struct {
		name string
		v    float64
	}{{"pan", v.Pan}, {"tilt", v.Tilt}, {"zoom", v.Zoom}} {
		if a.v == 0 {
			continue
		}
		args.Movement.PTZPairDouble = append(args.Movement.PTZPairDouble, &recordercommand.PTZPairDouble{Name: a.name, Value: num(math.Copysign(1, a.v))})
		args.Speed.PTZPairDouble = append(args.Speed.PTZPairDouble, &recordercommand.PTZPairDouble{Name: a.name, Value: num(math.Abs(a.v))})
	}
	_, err := ptzCall[wire.Ack](ctx, rc, "PTZMoveStart", deviceID, &recordercommand.PTZMoveStart{Camera: camera(token, deviceID), PtzArgs: args})
	return err
}

// PTZMoveStop stops every axis.
func (rc *RecorderClient) PTZMoveStop(ctx context.Context, token, deviceID string) error {
	cam := camera(token, deviceID)
	_, err := ptzCall[wire.Ack](ctx, rc, "PTZMoveStop", deviceID, &cam)
	return err
}

// PTZCenter centres the camera on the point x, y (0…1 from the top-left corner) of its
// picture, given in a 10000×10000 reference frame; zoom 0 keeps the zoom [I].
func (rc *RecorderClient) PTZCenter(ctx context.Context, token, deviceID string, x, y float64) error {
	const ref = 10000
	c := func(f float64) float64 { return math.Round(max(0, min(1, f)) * ref) }
	_, err := ptzCall[wire.Ack](ctx, rc, "PTZCenter", deviceID, &recordercommand.PTZCenter{Camera: camera(token, deviceID),
		RefWidth: num(ref), RefHeight: num(ref), CenterX: num(c(x)), CenterY: num(c(y)), Zoom: "0"})
	return err
}

// PresetGetList lists the camera's preset names (cleaned; at most 1024).
func (rc *RecorderClient) PresetGetList(ctx context.Context, token, deviceID string) ([]string, error) {
	cam := camera(token, deviceID)
	resp, err := ptzCall[wire.Response[recordercommand.ArrayOfString]](ctx, rc, "PresetGetList", deviceID, &cam)
	if err != nil {
		return nil, err
	}
	var out []string
	if resp != nil && resp.Result != nil {
		for _, s := range resp.Result.Astring {
			if s != nil && *s != "" && len(out) < maxPresets && len(*s) <= 256 {
				out = append(out, *s)
			}
		}
	}
	return out, nil
}

// PresetMoveTo recalls a preset by its name.
func (rc *RecorderClient) PresetMoveTo(ctx context.Context, token, deviceID, name string) error {
	_, err := ptzCall[wire.Ack](ctx, rc, "PresetMoveTo", deviceID, &recordercommand.PresetMoveTo{Camera: camera(token, deviceID), PresetName: name})
	return err
}

// ptzCall is callOp for a PTZ operation on a camera, its failures naming the camera.
func ptzCall[Resp any](ctx context.Context, rc *RecorderClient, op, deviceID string, req any) (*Resp, error) {
	resp, err := callOp[Resp](ctx, rc.c, op, req)
	if err != nil {
		return nil, fmt.Errorf("PTZ of camera %s: %w", deviceID, rc.explain(err, deviceID))
	}
	return resp, nil
}

// num writes a double as .NET reads it.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
