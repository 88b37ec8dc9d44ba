// Package recordercommand holds the wire types of ../recordercommand.wsdl, first generated
// by gowsdl v0.5.0, now kept by hand: a request is its operation's arguments (package
// soap's callOp wraps them in a wire.Request named after it) beginning with Camera, an
// answer is a wire.Response of its result (JPEGData, ArrayOfString) or, without content,
// a wire.Ack, and the generated per-operation service wrappers were dropped for one
// generic call (callOp). Edit by hand, keeping to the WSDL; the requests' bytes are
// pinned by soap's TestRequestBytes.
package recordercommand

import "github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"

// Camera begins every request of the service: the XProtect token and the camera.
// PTZMoveStop and PresetGetList are Camera alone.
type Camera struct {
	Token    string     `xml:"token,omitempty"`
	DeviceId *wire.Guid `xml:"deviceId,omitempty"`
}

type JPEGGetLive struct {
	Camera
	MaxWidth  int32 `xml:"maxWidth,omitempty"`
	MaxHeight int32 `xml:"maxHeight,omitempty"`
}

type JPEGGetAt struct {
	Camera
	Time string `xml:"time,omitempty"`
}

type PTZMoveStart struct {
	Camera
	PtzArgs *PTZArgs `xml:"ptzArgs,omitempty"`
}

type PTZCenter struct {
	Camera
	RefWidth  string `xml:"refWidth,omitempty"`
	RefHeight string `xml:"refHeight,omitempty"`
	CenterX   string `xml:"centerX,omitempty"`
	CenterY   string `xml:"centerY,omitempty"`
	Zoom      string `xml:"zoom,omitempty"`
}

type PresetMoveTo struct {
	Camera
	PresetName string `xml:"presetName,omitempty"`
}

type JPEGData struct {
	Time string `xml:"Time,omitempty" json:"Time,omitempty"`

	Data string `xml:"Data,omitempty" json:"Data,omitempty"`
}

type PTZArgs struct {
	Movement *ArrayOfPTZPairDouble `xml:"movement,omitempty" json:"movement,omitempty"`

	Speed *ArrayOfPTZPairDouble `xml:"speed,omitempty" json:"speed,omitempty"`

	Automatic *ArrayOfPTZPairBoolean `xml:"automatic,omitempty" json:"automatic,omitempty"`

	Normalized string `xml:"Normalized,omitempty" json:"Normalized,omitempty"`
}

type ArrayOfPTZPairDouble struct {
	PTZPairDouble []*PTZPairDouble `xml:"PTZPairDouble,omitempty" json:"PTZPairDouble,omitempty"`
}

// PTZPair is the WSDL's two pairs, alike but for the value's type: PTZPairDouble (a
// double as .NET writes it) and PTZPairBoolean.
type PTZPair[V string | bool] struct {
	Name string `xml:"name,omitempty" json:"name,omitempty"`

	Value V `xml:"value,omitempty" json:"value,omitempty"`
}

type PTZPairDouble = PTZPair[string]

type ArrayOfPTZPairBoolean struct {
	PTZPairBoolean []*PTZPairBoolean `xml:"PTZPairBoolean,omitempty" json:"PTZPairBoolean,omitempty"`
}

type PTZPairBoolean = PTZPair[bool]

type ArrayOfString struct {
	Astring []*string `xml:"string,omitempty" json:"string,omitempty"`
}
