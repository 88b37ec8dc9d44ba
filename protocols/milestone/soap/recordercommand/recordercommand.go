// Package recordercommand holds the wire types of ../recordercommand.wsdl, first generated
// by gowsdl v0.5.0, now kept by hand: a request is its operation's arguments (package
// soap's callOp wraps them in a wire.Request named after it) beginning with Camera, an
// answer is a wire.Response of its result (JPEGData, ArrayOfString, ArrayOfSequenceType,
// ArrayOfSequenceEntry) or, without content,
// a wire.Ack, and the generated per-operation service wrappers were dropped for one
// generic call (callOp). Edit by hand, keeping to the WSDL; the requests' bytes are
// pinned by soap's TestRequestBytes.
package recordercommand

import (
	"encoding/xml"

	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// Camera begins every request of the service: the XProtect token and the camera.
// PTZMoveStop, PresetGetList and SequencesGetTypes are Camera alone.
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

// SequencesGet asks for the camera's sequences of one type (a SequenceType's Id) that
// touch [MinTime, MaxTime], at most MaxCount of them.
type SequencesGet struct {
	Camera
	SequenceType *wire.Guid `xml:"sequenceType,omitempty"`
	MinTime      string     `xml:"minTime,omitempty"`
	MaxTime      string     `xml:"maxTime,omitempty"`
	MaxCount     int32      `xml:"maxCount"`
}

// SequenceType is one kind of sequence the recorder keeps (RecordingSequence,
// MotionSequence, …), the answer of SequencesGetTypes.
type SequenceType struct {
	Id   string `xml:"Id,omitempty" json:"Id,omitempty"`
	Name string `xml:"Name,omitempty" json:"Name,omitempty"`
}

// MaxSequenceTypes caps the types kept from a SequencesGetTypes answer.
const MaxSequenceTypes = 64

// ArrayOfSequenceType is SequencesGetTypes' result.
type ArrayOfSequenceType = Capped[SequenceType]

// SequenceEntry is one sequence: when it began, when it was triggered, when it ended
// (xs:dateTime as strings; package soap parses them).
type SequenceEntry struct {
	TimeBegin   string `xml:"TimeBegin,omitempty" json:"TimeBegin,omitempty"`
	TimeTrigged string `xml:"TimeTrigged,omitempty" json:"TimeTrigged,omitempty"`
	TimeEnd     string `xml:"TimeEnd,omitempty" json:"TimeEnd,omitempty"`
}

// MaxSequenceEntries caps the entries kept from a SequencesGet answer (the most a
// request asks for).
const MaxSequenceEntries = 1000

// ArrayOfSequenceEntry is SequencesGet's result: the entries directly under it.
type ArrayOfSequenceEntry = Capped[SequenceEntry]

// element is what Capped needs of its entries' type: their element name and how many
// are kept.
func (SequenceType) element() (string, int)  { return "SequenceType", MaxSequenceTypes }
func (SequenceEntry) element() (string, int) { return "SequenceEntry", MaxSequenceEntries }

// Capped is a WSDL ArrayOfT whose entries an answer could hold without end: Items are
// its T elements, at most T's cap of them; other children and those beyond the cap are
// skipped unread.
type Capped[T interface{ element() (string, int) }] struct {
	Items []*T
}

// UnmarshalXML reads the entries of the array element just started.
func (a *Capped[T]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var zero T
	name, max := zero.element()
	a.Items = nil
	return wire.EachChild(d, func(t xml.StartElement) error {
		if t.Name.Local != name || len(a.Items) >= max {
			return d.Skip()
		}
		v := new(T)
		if err := d.DecodeElement(v, &t); err != nil {
			return err
		}
		a.Items = append(a.Items, v)
		return nil
	})
}
