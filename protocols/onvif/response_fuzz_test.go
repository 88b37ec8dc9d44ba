package onvif

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-cctv/vigil/capture"
)

func TestPasswordDigest(t *testing.T) {
	nonce := make([]byte, 16)
	for i := range nonce {
		nonce[i] = byte(i)
	}
	// Computed independently: base64(sha1(nonce ‖ created ‖ password)) in Python's hashlib.
	if got := PasswordDigest(nonce, "2026-12-02T03:40:00.000Z", "pw-ptz"); got != "BBdktop7DymGT8YIzhCRzZtBTR0=" {
		t.Errorf("PasswordDigest = %s", got)
	}
	b, err := marshalRequest(getProfiles{}, "op", "pw-ptz", time.Date(2026, 12, 2, 3, 40, 0, 0, time.UTC), nonce)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<wsse:Password Type="` + typeDigest + `">BBdktop7DymGT8YIzhCRzZtBTR0=</wsse:Password>`,
		`<wsu:Created>2026-12-02T03:40:00.000Z</wsu:Created>`, `<s:Body><trt:GetProfiles></trt:GetProfiles></s:Body>`,
		`xmlns:s="http://www.w3.org/2003/05/soap-envelope"`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("request lacks %s:\n%s", w, b)
		}
	}
	if strings.Contains(string(b), "pw-ptz") {
		t.Error("the password travels in clear")
	}
}

func TestParseResponseLimitsAndFaults(t *testing.T) {
	if _, err := parseResponse[presetsResponse]("GetPresets", make([]byte, MaxResponseBytes+1)); !errors.Is(err, capture.ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
	if _, err := parseResponse[presetsResponse]("GetPresets", []byte("<html>login</html>")); !errors.Is(err, capture.ErrMalformed) {
		t.Errorf("not SOAP: %v", err)
	}
	soap11 := `<Envelope><Body><Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></Fault></Body></Envelope>`
	_, err := parseResponse[presetsResponse]("GetPresets", []byte(soap11))
	var f *Fault
	if !errors.As(err, &f) || f.Code != "s:Client" || f.Reason != "bad" {
		t.Errorf("SOAP 1.1 fault: %v", err)
	}
	nested := `<e:Envelope xmlns:e="x"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>ter:InvalidArgVal</e:Value>` +
		`<e:Subcode><e:Value>ter:NoProfile</e:Value></e:Subcode></e:Subcode></e:Code><e:Reason><e:Text>no</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`
	_, err = parseResponse[presetsResponse]("GetPresets", []byte(nested))
	if !errors.Is(err, capture.ErrNotFound) {
		t.Errorf("nested subcode: %v", err)
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		`<Envelope><Body><GetPresetsResponse><Preset token="1"><Name>Home</Name></Preset></GetPresetsResponse></Body></Envelope>`,
		`<Envelope><Body><GetProfilesResponse><Profiles token="p"><PTZConfiguration token="z"/></Profiles></GetProfilesResponse></Body></Envelope>`,
		`<Envelope><Body><GetSystemDateAndTimeResponse><SystemDateAndTime><UTCDateTime><Date><Year>2026</Year><Month>1</Month><Day>2</Day></Date><Time><Hour>3</Hour><Minute>4</Minute><Second>5</Second></Time></UTCDateTime></SystemDateAndTime></GetSystemDateAndTimeResponse></Body></Envelope>`,
		`<Envelope><Body><Fault><Code><Value>Sender</Value><Subcode><Value>ter:NotAuthorized</Value></Subcode></Code><Reason><Text>x` + "\x1b[2J" + `</Text></Reason></Fault></Body></Envelope>`,
		`<Envelope><Body></Body></Envelope>`,
		`<Envelope><Body><GetServicesResponse><Service><Namespace>http://www.onvif.org/ver20/ptz/wsdl</Namespace><XAddr>http://h/p</XAddr></Service></GetServicesResponse></Body></Envelope>`,
		`<Envelope><Body><GetConfigurationOptionsResponse><PTZConfigurationOptions><Spaces><RelativePanTiltTranslationSpace><URI>u</URI></RelativePanTiltTranslationSpace></Spaces></PTZConfigurationOptions></GetConfigurationOptionsResponse></Body></Envelope>`,
		`<a><b>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(err error) {
			if err == nil {
				return
			}
			msg := err.Error()
			if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\x1b\x07\u202e") || len(msg) > 2*capture.MaxErrorText {
				t.Fatalf("unclean or overlong error %q", msg)
			}
		}
		_, err := parseResponse[presetsResponse]("GetPresets", b)
		check(err)
		_, err = parseResponse[profilesResponse]("GetProfiles", b)
		check(err)
		_, err = parseResponse[servicesResponse]("GetServices", b)
		check(err)
		_, err = parseResponse[configurationOptionsResponse]("GetConfigurationOptions", b)
		check(err)
		r, err := parseResponse[systemDateAndTimeResponse]("GetSystemDateAndTime", b)
		check(err)
		if err == nil {
			_, _ = r.cameraTime()
		}
	})
}
