package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	gsoap "github.com/hooklift/gowsdl/soap"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/recordercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/servercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// faultSeeds are the shapes the tests and milestone.md §1.7 know, plus broken ones.
var faultSeeds = []string{
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Token invalid</faultstring><detail><ErrorNumber>20001</ErrorNumber><SubErrorNumber>2</SubErrorNumber></detail></s:Fault></s:Body></s:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>No token supplied</faultstring><detail><ErrorNumber>20001</ErrorNumber><SubErrorNumber>1</SubErrorNumber></detail></soap:Fault></soap:Body></soap:Envelope>`,
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode><faultstring xml:lang="en-US">The message with Action 'x' cannot be processed</faultstring></s:Fault></s:Body></s:Envelope>`,
	`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text>bad</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
	`<s:Envelope><s:Body><s:Fault><faultstring>echo TOKEN#b41f9558-1#desktop//ServerConnector# here</faultstring></s:Fault></s:Body></s:Envelope>`,
	`<s:Envelope><s:Body><s:Fault><faultstring>unterminated`,
	`not xml at all`,
	``,
}

func TestParseFaultTable(t *testing.T) {
	want := []struct {
		ok       bool
		num, sub int
		code     string
	}{{true, 20001, 2, "s:Client"}, {true, 20001, 1, "soap:Client"}, {true, 0, 0, "a:ActionNotSupported"}, {true, 0, 0, "env:Sender"}, {true, 0, 0, ""}, {true, 0, 0, ""}, {false, 0, 0, ""}, {false, 0, 0, ""}}
	for i, s := range faultSeeds {
		f, ok := ParseFault([]byte(s))
		if ok != want[i].ok || ok && (f.ErrorNumber != want[i].num || f.SubErrorNumber != want[i].sub || f.Code != want[i].code) {
			t.Errorf("seed %d: %+v %v", i, f, ok)
		}
	}
	f, _ := ParseFault([]byte(faultSeeds[4]))
	f.Op, f.Host = "GetConfiguration", "127.0.0.1:1"
	if strings.Contains(f.Error(), "b41f9558") || !strings.Contains(f.Error(), "TOKEN#…#") {
		t.Fatalf("token shown: %s", f.Error())
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range faultSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		flt, ok := ParseFault(body)
		if !ok {
			return
		}
		if len(flt.String) > maxFaultText+4 || len(flt.Code) > maxFaultText+4 {
			t.Fatalf("unbounded fault text: %d", len(flt.String))
		}
		if msg := flt.Error(); strings.Contains(RedactTokens(msg), "TOKEN#") && strings.Count(msg, "TOKEN#") != strings.Count(msg, "TOKEN#…#") {
			t.Fatalf("token in %q", msg)
		}
	})
}

// configurationResponse is the element a GetConfiguration answer must be.
var configurationResponse = xml.Name{Space: "http://videoos.net/2/XProtectCSServerCommand", Local: "GetConfigurationResponse"}

var responseSeeds = []string{
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfigurationResponse xmlns="http://videoos.net/2/XProtectCSServerCommand"><GetConfigurationResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><Recorders><RecorderInfo><Cameras><CameraInfo><Description i:nil="true"/><DeviceId>0a</DeviceId><Name>Gate</Name><RecorderId>1b</RecorderId><Streams><StreamInfo><Default>true</Default><Name>s</Name><StreamId>2c</StreamId></StreamInfo></Streams></CameraInfo></Cameras><HostName>rec</HostName><Name>R</Name><RecorderId>1b</RecorderId><WebServerUri>http://rec:7563/</WebServerUri></RecorderInfo></Recorders><ServerName>S</ServerName></GetConfigurationResult></GetConfigurationResponse></s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfigurationResponse xmlns="http://videoos.net/2/XProtectCSServerCommand"><GetConfigurationResult><Recorders><RecorderInfo><WebServerUri>https://[::1]:x/</WebServerUri></RecorderInfo></Recorders></GetConfigurationResult></GetConfigurationResponse></s:Body></s:Envelope>`,
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfigurationResponse xmlns="http://videoos.net/2/XProtectCSServerCommand"><GetConfigurationResult><Recorders><RecorderInfo><Cameras><CameraInfo>`,
}

// FuzzConfigurationResponse runs the decoding path of a GetConfiguration answer (gowsdl's
// envelope, the wire types with callOp's element check, our conversion and
// ImageServerAddr) on arbitrary bytes.
func FuzzConfigurationResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := new(wire.Response[servercommand.ConfigurationInfo])
		env := &gsoap.SOAPEnvelopeResponse{Body: gsoap.SOAPBodyResponse{Content: resp, Fault: &gsoap.SOAPFault{}}}
		if err := xml.NewDecoder(bytes.NewReader(body)).Decode(env); err != nil || resp.Check(configurationResponse) != nil || resp.Result == nil {
			return
		}
		cfg := convertConfiguration(resp.Result)
		for _, r := range cfg.Recorders {
			r.ImageServerAddr()
		}
		cfg.FindCamera("Gate")
	})
}

func TestConfigurationSeed(t *testing.T) {
	resp := new(wire.Response[servercommand.ConfigurationInfo])
	env := &gsoap.SOAPEnvelopeResponse{Body: gsoap.SOAPBodyResponse{Content: resp, Fault: &gsoap.SOAPFault{}}}
	if err := xml.Unmarshal([]byte(responseSeeds[0]), env); err != nil {
		t.Fatal(err)
	}
	if err := resp.Check(configurationResponse); err != nil {
		t.Fatal(err)
	}
	cfg := convertConfiguration(resp.Result)
	if c, ok := cfg.FindCamera("0A"); !ok || c.Name != "Gate" || c.RecorderName != "R" || len(c.Streams) != 1 {
		t.Fatalf("%+v", cfg)
	}
}

var jpegResponseSeeds = []string{
	`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult><Time>2026-11-21T14:03:07.123Z</Time><Data>/9j/4AAQSkZJRgABAQ==</Data></JPEGGetLiveResult></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult><Time>2026-11-21T14:03:07.1234567</Time><Data>/9j/
4AAQ SkZJ RgAB AQ==</Data></JPEGGetLiveResult></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult/></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult><Data>iVBORw0KGgo=</Data></JPEGGetLiveResult></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult><Data>!!!not base64</Data></JPEGGetLiveResult></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLiveResponse xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><JPEGGetLiveResult><Data>` + strings.Repeat("/9j/", 200) + `</Data></JPEGGetLiveResult></JPEGGetLiveResponse></soap:Body></soap:Envelope>`,
}

// jpegSeedWant is what each jpegResponseSeeds entry decodes to with a 256-byte cap: the
// error kind, or nil.
var jpegSeedWant = []error{nil, nil, capture.ErrNotFound, capture.ErrNotVideo, capture.ErrMalformed, capture.ErrTooLarge}

func decodeJPEGResponse(body []byte, maxBytes int) (JPEG, error) {
	resp := new(wire.Response[recordercommand.JPEGData])
	env := &gsoap.SOAPEnvelopeResponse{Body: gsoap.SOAPBodyResponse{Content: resp, Fault: &gsoap.SOAPFault{}}}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(env); err != nil {
		return JPEG{}, err
	}
	if err := resp.Check(xml.Name{Space: "http://videoos.net/2/XProtectCSRecorderCommand", Local: "JPEGGetLiveResponse"}); err != nil {
		return JPEG{}, err
	}
	return DecodeJPEGData(resp.Result, maxBytes)
}

func TestJPEGResponseSeeds(t *testing.T) {
	for i, s := range jpegResponseSeeds {
		j, err := decodeJPEGResponse([]byte(s), 256)
		if want := jpegSeedWant[i]; want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("seed %d: %v, want %v", i, err, want)
		}
		if i < 2 && (len(j.Data) != 13 || j.Time.UnixMilli()%1000 != 123) {
			t.Errorf("seed %d: %d bytes at %v", i, len(j.Data), j.Time)
		}
	}
}

// FuzzJPEGResponse runs a JPEGGetLive answer through gowsdl's envelope, the wire types
// with callOp's element check and DecodeJPEGData: never more than the cap, only JPEGs.
func FuzzJPEGResponse(f *testing.F) {
	for _, s := range jpegResponseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		j, err := decodeJPEGResponse(body, 256)
		if err != nil {
			return
		}
		if len(j.Data) > 256 || j.Data[0] != 0xFF || j.Data[1] != 0xD8 {
			t.Fatalf("accepted %d bytes starting % x", len(j.Data), j.Data[:2])
		}
	})
}
