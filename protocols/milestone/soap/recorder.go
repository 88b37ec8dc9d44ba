package soap

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/recordercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// RecorderCommandPath is where a recording server serves RecorderCommandService, on the
// port of its WebServerUri (milestone.md §1.8 [C]).
const RecorderCommandPath = "/RecorderCommandService/RecorderCommandService.asmx"

// DefaultMaxJPEGBytes caps a picture from JPEGGetLive or JPEGGetAt, decoded.
const DefaultMaxJPEGBytes = 8 << 20

// Default picture box of JPEGGetLive when the caller gives none: the recorder fits the
// picture inside it.
const (
	DefaultSnapshotWidth  = 1920
	DefaultSnapshotHeight = 1080
)

// RecorderClient calls a recording server's RecorderCommandService: single JPEGs now (PTZ
// later). The XProtect token travels in each request's body; there is no HTTP
// authentication [C, milestone.md §1.8]. It shares the management client's transport
// habits: kept-alive connections, per-call timeout, response cap, pinning, SOAP faults.
type RecorderClient struct {
	c       *Client
	maxJPEG int
}

// NewRecorderClient builds a client for the recorder whose WebServerUri is o.URL
// ("http://rec:7563/", "https://…"; the service path is added), trusting its certificate
// by o.PinSHA256 or the system's roots. maxJPEGBytes caps a decoded picture (0:
// DefaultMaxJPEGBytes) and, unless o.MaxResponseBytes is set, the response to its base64
// size plus 64 KiB. It does not touch the network. Credentials in o are refused: the
// recorder takes the token.
func NewRecorderClient(o Options, maxJPEGBytes int) (*RecorderClient, error) {
	if o.User != "" || o.Password != "" {
		return nil, errors.New("milestone recorder: RecorderCommandService takes the XProtect token, not a user and password")
	}
	maxJPEGBytes = capture.OrDefault(maxJPEGBytes, DefaultMaxJPEGBytes)
	o.MaxResponseBytes = capture.OrDefault(o.MaxResponseBytes, int64(base64.StdEncoding.EncodedLen(maxJPEGBytes))+64<<10)
	c, err := newClient(o, RecorderCommandPath, "RecorderCommandService", "recording server", "http://videoos.net/2/XProtectCSRecorderCommand", "/")
	if err != nil {
		return nil, err
	}
	return &RecorderClient{c: c, maxJPEG: maxJPEGBytes}, nil
}

// Host is the recorder's host:port.
func (rc *RecorderClient) Host() string { return rc.c.Host() }

// Close drops idle connections.
func (rc *RecorderClient) Close() { rc.c.Close() }

// JPEG is one picture from the recorder and the time it was taken.
type JPEG struct {
	Time time.Time
	Data []byte
}

// JPEGGetLive fetches the camera's current picture fitted into maxWidth×maxHeight
// (DefaultSnapshotWidth×Height when either is ≤ 0) [C, milestone.md §1.8].
func (rc *RecorderClient) JPEGGetLive(ctx context.Context, token, deviceID string, maxWidth, maxHeight int) (JPEG, error) {
	if maxWidth <= 0 || maxHeight <= 0 {
		maxWidth, maxHeight = DefaultSnapshotWidth, DefaultSnapshotHeight
	}
	resp, err := callOp[wire.Response[recordercommand.JPEGData]](ctx, rc.c, "JPEGGetLive", &recordercommand.JPEGGetLive{Camera: camera(token, deviceID),
		MaxWidth: int32(min(maxWidth, 1<<15)), MaxHeight: int32(min(maxHeight, 1<<15))})
	if err != nil {
		return JPEG{}, rc.explain(err, deviceID)
	}
	return rc.decode("JPEGGetLive", deviceID, resp.Result)
}

// JPEGGetAt fetches the recorded picture of the camera at t (the recorder picks the
// frame; which one near t is its choice [I]).
func (rc *RecorderClient) JPEGGetAt(ctx context.Context, token, deviceID string, t time.Time) (JPEG, error) {
	resp, err := callOp[wire.Response[recordercommand.JPEGData]](ctx, rc.c, "JPEGGetAt", &recordercommand.JPEGGetAt{Camera: camera(token, deviceID),
		Time: t.UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil {
		return JPEG{}, rc.explain(err, deviceID)
	}
	return rc.decode("JPEGGetAt", deviceID, resp.Result)
}

// camera is the start of every recorder request: the token and the camera.
func camera(token, deviceID string) recordercommand.Camera {
	id := wire.Guid(deviceID)
	return recordercommand.Camera{Token: token, DeviceId: &id}
}

// explain adds what the recorder's faults mean for a picture request.
func (rc *RecorderClient) explain(err error, deviceID string) error {
	var f *Fault
	if errors.As(err, &f) && strings.Contains(strings.ToLower(f.String), "unknown device") {
		return &capture.Error{Kind: capture.ErrNotFound, Where: rc.c.Host(), What: "the recorder does not know camera " + deviceID,
			Hint: "reload the camera list (Connect to Milestone…): the camera may have moved to another recording server", Err: err}
	}
	return err
}

func (rc *RecorderClient) decode(op, deviceID string, d *recordercommand.JPEGData) (JPEG, error) {
	j, err := DecodeJPEGData(d, rc.maxJPEG)
	if err != nil {
		return JPEG{}, fmt.Errorf("milestone %s at %s, camera %s: %w", op, rc.c.Host(), deviceID, err)
	}
	return j, nil
}

// DecodeJPEGData checks and decodes a JPEGData answer: the base64 picture is refused
// before decoding when it would exceed maxBytes (capture.ErrTooLarge), must be a JPEG
// (capture.ErrNotVideo otherwise) and an empty answer is capture.ErrNotFound (no picture
// there). Time is parsed as xs:dateTime, UTC when it has no zone; zero if unparseable.
func DecodeJPEGData(d *recordercommand.JPEGData, maxBytes int) (JPEG, error) {
	if d == nil || strings.TrimSpace(d.Data) == "" {
		return JPEG{}, fmt.Errorf("the recorder has no picture there: %w", capture.ErrNotFound)
	}
	raw := d.Data
	if strings.ContainsAny(raw, " \t\r\n") {
		raw = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, raw)
	}
	if len(raw) > base64.StdEncoding.EncodedLen(maxBytes) {
		return JPEG{}, fmt.Errorf("picture of about %d bytes is over the %d-byte limit: %w", base64.StdEncoding.DecodedLen(len(raw)), maxBytes, capture.ErrTooLarge)
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return JPEG{}, fmt.Errorf("the picture is not valid base64: %w", capture.ErrMalformed)
	}
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return JPEG{}, fmt.Errorf("the recorder's picture is not a JPEG: %w", capture.ErrNotVideo)
	}
	return JPEG{Time: parseDateTime(d.Time), Data: data}, nil
}

// parseDateTime reads xs:dateTime as .NET writes it (with or without a zone, up to 7
// fractional digits); UTC when no zone is given.
func parseDateTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", s, time.UTC); err == nil {
		return t
	}
	return time.Time{}
}
