package milestonetest

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PTZCommand is one PTZ request the recorder's RecorderCommandService received.
type PTZCommand struct {
	// Op is PTZMoveStart, PTZMoveStop, PTZCenter, PresetGetList or PresetMoveTo.
	Op     string
	Camera string // deviceId
	// Movement and Speed are PTZMoveStart's pairs by name ("pan", "tilt", "zoom"), as
	// sent; Normalized its flag as sent.
	Movement, Speed map[string]float64
	Normalized      string
	// CenterX, CenterY, RefWidth, RefHeight and Zoom are PTZCenter's arguments.
	CenterX, CenterY, RefWidth, RefHeight, Zoom float64
	// Preset is PresetMoveTo's name.
	Preset string
	Time   time.Time
	// Refused is true when the recorder answered the priority fault.
	Refused bool
}

// PTZPresets are the preset names every simulated PTZ camera has.
var PTZPresets = []string{"Home", "Gate", "Car park"}

// ptzState is the recorder's PTZ bookkeeping.
type ptzState struct {
	mu       sync.Mutex
	commands []PTZCommand
	busy     bool
}

// PTZCommands returns a copy of the PTZ requests received so far.
func (r *Recorder) PTZCommands() []PTZCommand {
	r.ptz.mu.Lock()
	defer r.ptz.mu.Unlock()
	return append([]PTZCommand(nil), r.ptz.commands...)
}

// SetPTZBusy makes every PTZ command (presets listing aside) answer fault 40295/20: a
// user with higher PTZ priority holds the camera (milestone.md §1.7).
func (r *Recorder) SetPTZBusy(on bool) {
	r.ptz.mu.Lock()
	defer r.ptz.mu.Unlock()
	r.ptz.busy = on
}

type ptzRequest struct {
	Body struct {
		Op struct {
			Args struct {
				Movement   []ptzPair `xml:"movement>PTZPairDouble"`
				Speed      []ptzPair `xml:"speed>PTZPairDouble"`
				Normalized string    `xml:"Normalized"`
			} `xml:"ptzArgs"`
			RefWidth   string `xml:"refWidth"`
			RefHeight  string `xml:"refHeight"`
			CenterX    string `xml:"centerX"`
			CenterY    string `xml:"centerY"`
			Zoom       string `xml:"zoom"`
			PresetName string `xml:"presetName"`
		} `xml:",any"`
	} `xml:"Body"`
}

type ptzPair struct {
	Name  string `xml:"name"`
	Value string `xml:"value"`
}

func pairs(ps []ptzPair) map[string]float64 {
	m := map[string]float64{}
	for _, p := range ps {
		m[p.Name], _ = strconv.ParseFloat(strings.TrimSpace(p.Value), 64)
	}
	return m
}

func float(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f
}

func isPTZOp(op string) bool {
	switch op {
	case "PTZMoveStart", "PTZMoveStop", "PTZCenter", "PresetGetList", "PresetMoveTo":
		return true
	}
	return false
}

// servePTZ answers a PTZ operation of an authorised token for a known camera.
func (r *Recorder) servePTZ(w http.ResponseWriter, op, cam string, body []byte) {
	var req ptzRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		recorderFault(w, "soap:Client", "Server was unable to read request.", 0, 0)
		return
	}
	o := req.Body.Op
	c := PTZCommand{Op: op, Camera: cam, Time: time.Now(), Preset: o.PresetName}
	switch op {
	case "PTZMoveStart":
		c.Movement, c.Speed, c.Normalized = pairs(o.Args.Movement), pairs(o.Args.Speed), o.Args.Normalized
	case "PTZCenter":
		c.RefWidth, c.RefHeight, c.CenterX, c.CenterY, c.Zoom = float(o.RefWidth), float(o.RefHeight), float(o.CenterX), float(o.CenterY), float(o.Zoom)
	}
	r.ptz.mu.Lock()
	c.Refused = r.ptz.busy && op != "PresetGetList"
	r.ptz.commands = append(r.ptz.commands, c)
	r.ptz.mu.Unlock()
	if c.Refused {
		recorderFault(w, "soap:Client", "PTZ is locked by a user with higher priority", 40295, 20)
		return
	}
	switch op {
	case "PresetGetList":
		var b strings.Builder
		b.WriteString(`<PresetGetListResult>`)
		for _, p := range PTZPresets {
			b.WriteString(`<string>`)
			_ = xml.EscapeText(&b, []byte(p))
			b.WriteString(`</string>`)
		}
		b.WriteString(`</PresetGetListResult>`)
		recorderReply(w, op, b.String())
	case "PresetMoveTo":
		for _, p := range PTZPresets {
			if p == o.PresetName {
				recorderReply(w, op, "")
				return
			}
		}
		recorderFault(w, "soap:Client", "Unknown preset", 0, 0) // the real fault's numbers are unknown [I]
	case "PTZCenter":
		if c.RefWidth <= 0 || c.RefHeight <= 0 || c.CenterX < 0 || c.CenterX > c.RefWidth || c.CenterY < 0 || c.CenterY > c.RefHeight {
			recorderFault(w, "soap:Client", "Invalid arguments", 0, 0)
			return
		}
		recorderReply(w, op, "")
	default:
		recorderReply(w, op, "")
	}
}
