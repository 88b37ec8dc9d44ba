// Package recordercommand holds the wire types of ../recordercommand.wsdl, as gowsdl v0.5.0 generated
// them; the generated per-operation service wrappers were dropped for one generic call in
// package soap (callOp). Edit by hand, keeping to the WSDL.
package recordercommand

import "encoding/xml"

type AnyType struct {
	InnerXML string `xml:",innerxml"`
}

type AnyURI string

type NCName string

type Guid string

type JPEGGetLive struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand JPEGGetLive"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`

	MaxWidth int32 `xml:"maxWidth,omitempty" json:"maxWidth,omitempty"`

	MaxHeight int32 `xml:"maxHeight,omitempty" json:"maxHeight,omitempty"`
}

type JPEGGetLiveResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand JPEGGetLiveResponse"`

	JPEGGetLiveResult *JPEGData `xml:"JPEGGetLiveResult,omitempty" json:"JPEGGetLiveResult,omitempty"`
}

type JPEGGetAt struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand JPEGGetAt"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`

	Time string `xml:"time,omitempty" json:"time,omitempty"`
}

type JPEGGetAtResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand JPEGGetAtResponse"`

	JPEGGetAtResult *JPEGData `xml:"JPEGGetAtResult,omitempty" json:"JPEGGetAtResult,omitempty"`
}

type PTZMoveStart struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZMoveStart"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`

	PtzArgs *PTZArgs `xml:"ptzArgs,omitempty" json:"ptzArgs,omitempty"`
}

type PTZMoveStartResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZMoveStartResponse"`
}

type PTZMoveStop struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZMoveStop"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`
}

type PTZMoveStopResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZMoveStopResponse"`
}

type PTZCenter struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZCenter"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`

	RefWidth string `xml:"refWidth,omitempty" json:"refWidth,omitempty"`

	RefHeight string `xml:"refHeight,omitempty" json:"refHeight,omitempty"`

	CenterX string `xml:"centerX,omitempty" json:"centerX,omitempty"`

	CenterY string `xml:"centerY,omitempty" json:"centerY,omitempty"`

	Zoom string `xml:"zoom,omitempty" json:"zoom,omitempty"`
}

type PTZCenterResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PTZCenterResponse"`
}

type PresetGetList struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PresetGetList"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`
}

type PresetGetListResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PresetGetListResponse"`

	PresetGetListResult *ArrayOfString `xml:"PresetGetListResult,omitempty" json:"PresetGetListResult,omitempty"`
}

type PresetMoveTo struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PresetMoveTo"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	DeviceId *Guid `xml:"deviceId,omitempty" json:"deviceId,omitempty"`

	PresetName string `xml:"presetName,omitempty" json:"presetName,omitempty"`
}

type PresetMoveToResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSRecorderCommand PresetMoveToResponse"`
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

type PTZPairDouble struct {
	Name string `xml:"name,omitempty" json:"name,omitempty"`

	Value string `xml:"value,omitempty" json:"value,omitempty"`
}

type ArrayOfPTZPairBoolean struct {
	PTZPairBoolean []*PTZPairBoolean `xml:"PTZPairBoolean,omitempty" json:"PTZPairBoolean,omitempty"`
}

type PTZPairBoolean struct {
	Name string `xml:"name,omitempty" json:"name,omitempty"`

	Value bool `xml:"value,omitempty" json:"value,omitempty"`
}

type ArrayOfString struct {
	Astring []*string `xml:"string,omitempty" json:"string,omitempty"`
}
