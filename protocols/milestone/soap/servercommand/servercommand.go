// Package servercommand holds the wire types of ../servercommand.wsdl, as gowsdl v0.5.0 generated
// them; the generated per-operation service wrappers were dropped for one generic call in
// package soap (callOp). Edit by hand, keeping to the WSDL.
package servercommand

import "encoding/xml"

type AnyType struct {
	InnerXML string `xml:",innerxml"`
}

type AnyURI string

type NCName string

type Guid string

type Login struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand Login"`

	InstanceId *Guid `xml:"instanceId,omitempty" json:"instanceId,omitempty"`

	CurrentToken string `xml:"currentToken,omitempty" json:"currentToken,omitempty"`
}

type LoginResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand LoginResponse"`

	LoginResult *LoginInfo `xml:"LoginResult,omitempty" json:"LoginResult,omitempty"`
}

type Logout struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand Logout"`

	InstanceId *Guid `xml:"instanceId,omitempty" json:"instanceId,omitempty"`

	CurrentToken string `xml:"currentToken,omitempty" json:"currentToken,omitempty"`
}

type LogoutResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand LogoutResponse"`
}

type GetConfiguration struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand GetConfiguration"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`
}

type GetConfigurationResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand GetConfigurationResponse"`

	GetConfigurationResult *ConfigurationInfo `xml:"GetConfigurationResult,omitempty" json:"GetConfigurationResult,omitempty"`
}

type QueryRecorderInfo struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand QueryRecorderInfo"`

	Token string `xml:"token,omitempty" json:"token,omitempty"`

	RecorderId *Guid `xml:"recorderId,omitempty" json:"recorderId,omitempty"`
}

type QueryRecorderInfoResponse struct {
	XMLName xml.Name `xml:"http://videoos.net/2/XProtectCSServerCommand QueryRecorderInfoResponse"`

	QueryRecorderInfoResult *RecorderInfo `xml:"QueryRecorderInfoResult,omitempty" json:"QueryRecorderInfoResult,omitempty"`
}

type LoginInfo struct {
	Token string `xml:"Token,omitempty" json:"Token,omitempty"`

	RegistrationTime string `xml:"RegistrationTime,omitempty" json:"RegistrationTime,omitempty"`

	TimeToLive *TimeDuration `xml:"TimeToLive,omitempty" json:"TimeToLive,omitempty"`

	TimeToLiveLimited bool `xml:"TimeToLiveLimited,omitempty" json:"TimeToLiveLimited,omitempty"`
}

type TimeDuration struct {
	MicroSeconds int64 `xml:"MicroSeconds,omitempty" json:"MicroSeconds,omitempty"`
}

type ConfigurationInfo struct {
	ServerId *Guid `xml:"ServerId,omitempty" json:"ServerId,omitempty"`

	ServerName string `xml:"ServerName,omitempty" json:"ServerName,omitempty"`

	ServerDescription string `xml:"ServerDescription,omitempty" json:"ServerDescription,omitempty"`

	Recorders *ArrayOfRecorderInfo `xml:"Recorders,omitempty" json:"Recorders,omitempty"`
}

type ArrayOfRecorderInfo struct {
	RecorderInfo []*RecorderInfo `xml:"RecorderInfo,omitempty" json:"RecorderInfo,omitempty"`
}

type RecorderInfo struct {
	RecorderId *Guid `xml:"RecorderId,omitempty" json:"RecorderId,omitempty"`

	ServiceId *Guid `xml:"ServiceId,omitempty" json:"ServiceId,omitempty"`

	Name string `xml:"Name,omitempty" json:"Name,omitempty"`

	Description string `xml:"Description,omitempty" json:"Description,omitempty"`

	HostName string `xml:"HostName,omitempty" json:"HostName,omitempty"`

	WebServerUri string `xml:"WebServerUri,omitempty" json:"WebServerUri,omitempty"`

	TimeZoneName string `xml:"TimeZoneName,omitempty" json:"TimeZoneName,omitempty"`

	Cameras *ArrayOfCameraInfo `xml:"Cameras,omitempty" json:"Cameras,omitempty"`
}

type ArrayOfCameraInfo struct {
	CameraInfo []*CameraInfo `xml:"CameraInfo,omitempty" json:"CameraInfo,omitempty"`
}

type CameraInfo struct {
	RecorderId *Guid `xml:"RecorderId,omitempty" json:"RecorderId,omitempty"`

	HardwareId *Guid `xml:"HardwareId,omitempty" json:"HardwareId,omitempty"`

	DeviceId *Guid `xml:"DeviceId,omitempty" json:"DeviceId,omitempty"`

	Name string `xml:"Name,omitempty" json:"Name,omitempty"`

	ShortName string `xml:"ShortName,omitempty" json:"ShortName,omitempty"`

	Description string `xml:"Description,omitempty" json:"Description,omitempty"`

	Shortcut string `xml:"Shortcut,omitempty" json:"Shortcut,omitempty"`

	DeviceIndex int32 `xml:"DeviceIndex,omitempty" json:"DeviceIndex,omitempty"`

	Streams *ArrayOfStreamInfo `xml:"Streams,omitempty" json:"Streams,omitempty"`

	PtzSettings *PtzInfo `xml:"PtzSettings,omitempty" json:"PtzSettings,omitempty"`
}

type PtzInfo struct {
	PtzEnabled bool `xml:"PtzEnabled,omitempty" json:"PtzEnabled,omitempty"`

	IsCenterOnPositionInViewSupported bool `xml:"IsCenterOnPositionInViewSupported,omitempty" json:"IsCenterOnPositionInViewSupported,omitempty"`
}

type ArrayOfStreamInfo struct {
	StreamInfo []*StreamInfo `xml:"StreamInfo,omitempty" json:"StreamInfo,omitempty"`
}

type StreamInfo struct {
	StreamId *Guid `xml:"StreamId,omitempty" json:"StreamId,omitempty"`

	Name string `xml:"Name,omitempty" json:"Name,omitempty"`

	Default bool `xml:"Default,omitempty" json:"Default,omitempty"`
}
