package onvif

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Limits on what a camera's answer may hold.
const (
	// MaxResponseBytes caps a SOAP response: a camera with many profiles answers
	// GetProfiles in tens of KiB.
	MaxResponseBytes = 1 << 20
	// maxItems caps the profiles, presets or services kept from one answer.
	maxItems = 1024
)

// Fault is a SOAP 1.2 fault the camera answered, its text cleaned (capture.CleanText).
type Fault struct {
	// Code is env:Sender or env:Receiver; Subcodes the ONVIF subcodes from the outside
	// in (ter:NotAuthorized, ter:ActionNotSupported, ter:InvalidArgVal, …), prefixes
	// kept as sent.
	Code     string
	Subcodes []string
	Reason   string
	// Op is the operation refused.
	Op string
	// Kind is the capture kind the fault means, or nil.
	Kind error
}

func (f *Fault) Error() string {
	codes := f.Code
	if len(f.Subcodes) > 0 {
		codes += " " + strings.Join(f.Subcodes, "/")
	}
	msg := fmt.Sprintf("the camera refused %s (%s", f.Op, codes)
	if f.Reason != "" {
		msg += ": " + f.Reason
	}
	msg += ")"
	switch f.Kind {
	case capture.ErrUnauthorized:
		msg += ": wrong user or password, or the camera's clock could not be read; check the camera's ONVIF user (ONVIF users are often separate from the web users)"
	case capture.ErrForbidden:
		msg += ": this user may not do that; give it the operator or administrator role on the camera"
	case capture.ErrUnsupported:
		msg += ": the camera does not offer this"
	case capture.ErrNotFound:
		msg += ": the camera does not know that profile or preset; check the settings' profile"
	}
	return msg
}

func (f *Fault) Unwrap() error { return f.Kind }

// kindOf translates a fault's codes to a capture kind.
func kindOf(code string, subcodes []string) error {
	for _, s := range subcodes {
		switch local(s) {
		case "NotAuthorized", "FailedAuthentication", "InvalidSecurityToken", "InvalidSecurity", "MessageExpired":
			return capture.ErrUnauthorized
		case "OperationProhibited":
			return capture.ErrForbidden
		case "ActionNotSupported", "NoPTZProfile", "NotSupported", "NoSuchService", "NoImagingForSource",
			"InvalidOperation", "TimeoutNotSupported", "NoStatus":
			return capture.ErrUnsupported
		case "NoProfile", "NoToken", "NoEntity", "NoConfig":
			return capture.ErrNotFound
		case "TooManyPresets", "MaxNVTProfiles", "TooManyScopes":
			return capture.ErrBusy
		}
	}
	if local(code) == "Receiver" {
		return capture.ErrServerError
	}
	return nil
}

// local is a QName's local part ("ter:NotAuthorized" → "NotAuthorized").
func local(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// wireFault is a SOAP 1.2 Fault as sent; Subcode nests.
type wireFault struct {
	Code struct {
		Value   string       `xml:"Value"`
		Subcode *wireSubcode `xml:"Subcode"`
	} `xml:"Code"`
	Reason struct {
		Text []string `xml:"Text"`
	} `xml:"Reason"`
	// SOAP 1.1 cameras send these instead.
	FaultCode   string `xml:"faultcode"`
	FaultString string `xml:"faultstring"`
}

type wireSubcode struct {
	Value   string       `xml:"Value"`
	Subcode *wireSubcode `xml:"Subcode"`
}

type responseEnvelope[T any] struct {
	XMLName xml.Name `xml:"Envelope"`
	Body    struct {
		Fault *wireFault `xml:"Fault"`
		Resp  *T         `xml:",any"`
	} `xml:"Body"`
}

// parseResponse decodes a SOAP response to op into a new T, or the Fault it carries.
// body must be at most MaxResponseBytes. Text a caller shows is cleaned.
func parseResponse[T any](op string, body []byte) (*T, error) {
	if len(body) > MaxResponseBytes {
		return nil, fmt.Errorf("the camera's answer to %s is over %d bytes: %w", op, MaxResponseBytes, capture.ErrTooLarge)
	}
	var env responseEnvelope[T]
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	if err := d.Decode(&env); err != nil {
		return nil, fmt.Errorf("the camera's answer to %s is not a SOAP envelope (%s): %w", op,
			capture.CleanText(err.Error(), capture.MaxFieldText), capture.ErrMalformed)
	}
	if wf := env.Body.Fault; wf != nil {
		return nil, wf.fault(op)
	}
	if env.Body.Resp == nil {
		return nil, fmt.Errorf("the camera's answer to %s has an empty body: %w", op, capture.ErrMalformed)
	}
	return env.Body.Resp, nil
}

func (wf *wireFault) fault(op string) *Fault {
	f := &Fault{Op: op, Code: capture.CleanText(wf.Code.Value, 80)}
	for s, n := wf.Code.Subcode, 0; s != nil && n < 4; s, n = s.Subcode, n+1 {
		f.Subcodes = append(f.Subcodes, capture.CleanText(s.Value, 80))
	}
	if len(wf.Reason.Text) > 0 {
		f.Reason = capture.CleanText(wf.Reason.Text[0], capture.MaxFieldText)
	}
	if f.Code == "" && wf.FaultCode != "" {
		f.Code = capture.CleanText(wf.FaultCode, 80)
		f.Reason = capture.CleanText(wf.FaultString, capture.MaxFieldText)
	}
	f.Kind = kindOf(f.Code, f.Subcodes)
	return f
}

// The responses, matched by local name.
type (
	systemDateAndTimeResponse struct {
		XMLName xml.Name `xml:"GetSystemDateAndTimeResponse"`
		UTC     struct {
			Date struct {
				Year, Month, Day int
			} `xml:"Date"`
			Time struct {
				Hour, Minute, Second int
			} `xml:"Time"`
		} `xml:"SystemDateAndTime>UTCDateTime"`
	}
	capabilitiesResponse struct {
		XMLName xml.Name `xml:"GetCapabilitiesResponse"`
		Media   string   `xml:"Capabilities>Media>XAddr"`
		PTZ     string   `xml:"Capabilities>PTZ>XAddr"`
	}
	servicesResponse struct {
		XMLName  xml.Name `xml:"GetServicesResponse"`
		Services []struct {
			Namespace string `xml:"Namespace"`
			XAddr     string `xml:"XAddr"`
		} `xml:"Service"`
	}
	deviceInformationResponse struct {
		XMLName         xml.Name `xml:"GetDeviceInformationResponse"`
		Manufacturer    string   `xml:"Manufacturer"`
		Model           string   `xml:"Model"`
		FirmwareVersion string   `xml:"FirmwareVersion"`
		SerialNumber    string   `xml:"SerialNumber"`
	}
	profilesResponse struct {
		XMLName  xml.Name `xml:"GetProfilesResponse"`
		Profiles []struct {
			Token string `xml:"token,attr"`
			Name  string `xml:"Name"`
			PTZ   *struct {
				Token string `xml:"token,attr"`
			} `xml:"PTZConfiguration"`
		} `xml:"Profiles"`
	}
	streamURIResponse struct {
		XMLName xml.Name `xml:"GetStreamUriResponse"`
		URI     string   `xml:"MediaUri>Uri"`
	}
	snapshotURIResponse struct {
		XMLName xml.Name `xml:"GetSnapshotUriResponse"`
		URI     string   `xml:"MediaUri>Uri"`
	}
	nodesResponse struct {
		XMLName xml.Name `xml:"GetNodesResponse"`
		Nodes   []struct {
			MaxPresets int `xml:"MaximumNumberOfPresets"`
		} `xml:"PTZNode"`
	}
	configurationOptionsResponse struct {
		XMLName xml.Name `xml:"GetConfigurationOptionsResponse"`
		Spaces  []string `xml:"PTZConfigurationOptions>Spaces>RelativePanTiltTranslationSpace>URI"`
	}
	presetsResponse struct {
		XMLName xml.Name `xml:"GetPresetsResponse"`
		Presets []struct {
			Token string `xml:"token,attr"`
			Name  string `xml:"Name"`
		} `xml:"Preset"`
	}
	setPresetResponse struct {
		XMLName xml.Name `xml:"SetPresetResponse"`
		Token   string   `xml:"PresetToken"`
	}
	// emptyResponse takes any answer without content (ContinuousMoveResponse,
	// StopResponse, GotoPresetResponse).
	emptyResponse struct{}
)

// cameraTime is the camera's UTC clock from its answer, or an error when it sent none.
func (r *systemDateAndTimeResponse) cameraTime() (time.Time, error) {
	d, t := r.UTC.Date, r.UTC.Time
	if d.Year < 1970 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 ||
		t.Hour < 0 || t.Hour > 23 || t.Minute < 0 || t.Minute > 59 || t.Second < 0 || t.Second > 60 {
		return time.Time{}, errors.New("the camera's GetSystemDateAndTime carried no valid UTC time")
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, t.Hour, t.Minute, t.Second, 0, time.UTC), nil
}
