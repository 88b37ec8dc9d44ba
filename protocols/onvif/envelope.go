package onvif

import (
	"crypto/sha1" //nolint:gosec // WS-Security UsernameToken PasswordDigest is defined with SHA-1
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"strings"
	"time"
)

// Namespaces of the SOAP 1.2 envelope, WS-Security and the ONVIF services Vigil calls
// (bosch.md §5). Requests carry the prefixes every ONVIF client uses, declared once on
// the Envelope; responses are matched by local name, whatever prefixes the camera uses.
const (
	nsEnv    = "http://www.w3.org/2003/05/soap-envelope"
	nsWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsDevice = "http://www.onvif.org/ver10/device/wsdl"
	nsMedia  = "http://www.onvif.org/ver10/media/wsdl"
	nsPTZ    = "http://www.onvif.org/ver20/ptz/wsdl"
	nsSchema = "http://www.onvif.org/ver10/schema"

	typeDigest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
	typeBase64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// envelope is one request. Body is the operation's typed struct.
type envelope struct {
	XMLName xml.Name `xml:"s:Envelope"`
	S       string   `xml:"xmlns:s,attr"`
	TDS     string   `xml:"xmlns:tds,attr"`
	TRT     string   `xml:"xmlns:trt,attr"`
	TPTZ    string   `xml:"xmlns:tptz,attr"`
	TT      string   `xml:"xmlns:tt,attr"`
	Header  *header  `xml:"s:Header,omitempty"`
	Body    struct {
		Op any
	} `xml:"s:Body"`
}

type header struct {
	Security security `xml:"wsse:Security"`
}

type security struct {
	WSSE           string        `xml:"xmlns:wsse,attr"`
	WSU            string        `xml:"xmlns:wsu,attr"`
	MustUnderstand string        `xml:"s:mustUnderstand,attr"`
	Token          usernameToken `xml:"wsse:UsernameToken"`
}

type usernameToken struct {
	Username string   `xml:"wsse:Username"`
	Password password `xml:"wsse:Password"`
	Nonce    nonce    `xml:"wsse:Nonce"`
	Created  string   `xml:"wsu:Created"`
}

type password struct {
	Type  string `xml:"Type,attr"`
	Value string `xml:",chardata"`
}

type nonce struct {
	EncodingType string `xml:"EncodingType,attr"`
	Value        string `xml:",chardata"`
}

// createdLayout is the WS-Security timestamp: UTC, milliseconds, Z.
const createdLayout = "2006-01-02T15:04:05.000Z"

// PasswordDigest is WS-Security's Base64(SHA-1(nonce ‖ created ‖ password)), nonce raw
// (not its Base64), created exactly as sent.
func PasswordDigest(rawNonce []byte, created, pass string) string {
	h := sha1.New() //nolint:gosec // the UsernameToken profile defines SHA-1
	h.Write(rawNonce)
	h.Write([]byte(created))
	h.Write([]byte(pass))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// marshalRequest writes the envelope of op, signed for user at the camera's time now
// with rawNonce when user is not empty.
func marshalRequest(op any, user, pass string, now time.Time, rawNonce []byte) ([]byte, error) {
	e := envelope{S: nsEnv, TDS: nsDevice, TRT: nsMedia, TPTZ: nsPTZ, TT: nsSchema}
	e.Body.Op = op
	if user != "" {
		created := now.UTC().Format(createdLayout)
		e.Header = &header{Security: security{WSSE: nsWSSE, WSU: nsWSU, MustUnderstand: "1",
			Token: usernameToken{
				Username: user,
				Password: password{Type: typeDigest, Value: PasswordDigest(rawNonce, created, pass)},
				Nonce:    nonce{EncodingType: typeBase64, Value: base64.StdEncoding.EncodeToString(rawNonce)},
				Created:  created,
			}}}
	}
	b, err := xml.Marshal(e)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// The requests, one struct per operation, with the prefixes declared on the Envelope.
type (
	getSystemDateAndTime struct {
		XMLName xml.Name `xml:"tds:GetSystemDateAndTime"`
	}
	getCapabilities struct {
		XMLName  xml.Name `xml:"tds:GetCapabilities"`
		Category string   `xml:"tds:Category"`
	}
	getServices struct {
		XMLName xml.Name `xml:"tds:GetServices"`
		Include bool     `xml:"tds:IncludeCapability"`
	}
	getDeviceInformation struct {
		XMLName xml.Name `xml:"tds:GetDeviceInformation"`
	}
	getProfiles struct {
		XMLName xml.Name `xml:"trt:GetProfiles"`
	}
	getStreamURI struct {
		XMLName xml.Name `xml:"trt:GetStreamUri"`
		Stream  string   `xml:"trt:StreamSetup>tt:Stream"`
		Proto   string   `xml:"trt:StreamSetup>tt:Transport>tt:Protocol"`
		Profile string   `xml:"trt:ProfileToken"`
	}
	getSnapshotURI struct {
		XMLName xml.Name `xml:"trt:GetSnapshotUri"`
		Profile string   `xml:"trt:ProfileToken"`
	}
	getNodes struct {
		XMLName xml.Name `xml:"tptz:GetNodes"`
	}
	continuousMove struct {
		XMLName xml.Name `xml:"tptz:ContinuousMove"`
		Profile string   `xml:"tptz:ProfileToken"`
		// Every axis is written, zeros included (x="0" y="0"): cameras that read a
		// missing attribute as "keep the last speed" keep turning. No Timeout: Bosch
		// refuses it, and the stop is always explicit (bosch.md §5.3).
		Velocity struct {
			PanTilt vector2 `xml:"tt:PanTilt"`
			Zoom    vector1 `xml:"tt:Zoom"`
		} `xml:"tptz:Velocity"`
	}
	getConfigurationOptions struct {
		XMLName xml.Name `xml:"tptz:GetConfigurationOptions"`
		Token   string   `xml:"tptz:ConfigurationToken"`
	}
	relativeMove struct {
		XMLName     xml.Name `xml:"tptz:RelativeMove"`
		Profile     string   `xml:"tptz:ProfileToken"`
		Translation struct {
			PanTilt spaceVector2 `xml:"tt:PanTilt"`
		} `xml:"tptz:Translation"`
	}
	stop struct {
		XMLName xml.Name `xml:"tptz:Stop"`
		Profile string   `xml:"tptz:ProfileToken"`
		PanTilt bool     `xml:"tptz:PanTilt"`
		Zoom    bool     `xml:"tptz:Zoom"`
	}
	getPresets struct {
		XMLName xml.Name `xml:"tptz:GetPresets"`
		Profile string   `xml:"tptz:ProfileToken"`
	}
	gotoPreset struct {
		XMLName xml.Name `xml:"tptz:GotoPreset"`
		Profile string   `xml:"tptz:ProfileToken"`
		Preset  string   `xml:"tptz:PresetToken"`
	}
	setPreset struct {
		XMLName xml.Name `xml:"tptz:SetPreset"`
		Profile string   `xml:"tptz:ProfileToken"`
		Name    string   `xml:"tptz:PresetName,omitempty"`
		Preset  string   `xml:"tptz:PresetToken,omitempty"`
	}
)

type vector2 struct {
	X float64 `xml:"x,attr"`
	Y float64 `xml:"y,attr"`
}

type spaceVector2 struct {
	X     float64 `xml:"x,attr"`
	Y     float64 `xml:"y,attr"`
	Space string  `xml:"space,attr"`
}

// SpaceFOV is the relative pan/tilt translation space in the camera's field of view,
// which click-to-centre needs; cameras that have it list it in GetConfigurationOptions.
const SpaceFOV = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov"

type vector1 struct {
	X float64 `xml:"x,attr"`
}

// services are the namespaces of the services' prefixes the Envelope declares.
var services = map[string]string{"tds": nsDevice, "trt": nsMedia, "tptz": nsPTZ}

// action is the SOAP 1.2 action of a request, sent in the Content-Type: its service's
// namespace and its operation, both read from the request's element name
// (`xml:"tds:GetServices"` → nsDevice + "/GetServices"); "" for anything else.
func action(op any) string {
	prefix, name := opName(op)
	if ns, ok := services[prefix]; ok {
		return ns + "/" + name
	}
	return ""
}

// opName splits the element name in the XMLName tag of the request op into its prefix
// and its local name, the operation's name; "", "" when op has none.
func opName(op any) (prefix, name string) {
	t := reflect.TypeOf(op)
	if t == nil || t.Kind() != reflect.Struct {
		return "", ""
	}
	f, ok := t.FieldByName("XMLName")
	if !ok {
		return "", ""
	}
	tag := f.Tag.Get("xml")
	if prefix, name, ok := strings.Cut(tag, ":"); ok {
		return prefix, name
	}
	return "", tag
}
