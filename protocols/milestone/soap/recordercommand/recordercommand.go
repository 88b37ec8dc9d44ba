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

type JPEGData struct {
	Time string `xml:"Time,omitempty" json:"Time,omitempty"`

	Data string `xml:"Data,omitempty" json:"Data,omitempty"`
}
