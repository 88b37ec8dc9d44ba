package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

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

// decodeRecorderAnswer reads a recorder's answer to op as callOp does: gowsdl's envelope,
// the wire types, the element check. The result is nil when the answer holds none.
func decodeRecorderAnswer[T any](body []byte, op string) (*T, error) {
	resp := new(wire.Response[T])
	env := &gsoap.SOAPEnvelopeResponse{Body: gsoap.SOAPBodyResponse{Content: resp, Fault: &gsoap.SOAPFault{}}}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(env); err != nil {
		return nil, err
	}
	if err := resp.Check(xml.Name{Space: "http://videoos.net/2/XProtectCSRecorderCommand", Local: op + "Response"}); err != nil {
		return nil, err
	}
	return resp.Result, nil
}

func decodeJPEGResponse(body []byte, maxBytes int) (JPEG, error) {
	d, err := decodeRecorderAnswer[recordercommand.JPEGData](body, "JPEGGetLive")
	if err != nil {
		return JPEG{}, err
	}
	return DecodeJPEGData(d, maxBytes)
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

// seqFrom and seqTo are the span the sequence seeds are decoded for.
var (
	seqFrom = time.Date(2025, 10, 27, 9, 0, 0, 0, time.UTC)
	seqTo   = time.Date(2025, 10, 27, 12, 0, 0, 0, time.UTC)
)

func seqEnvelope(op, inner string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><` + op + `Response xmlns="http://videoos.net/2/XProtectCSRecorderCommand"><` +
		op + `Result>` + inner + `</` + op + `Result></` + op + `Response></soap:Body></soap:Envelope>`
}

func seqEntry(begin, end string) string {
	return `<SequenceEntry><TimeBegin>` + begin + `</TimeBegin><TimeTrigged>` + begin + `</TimeTrigged><TimeEnd>` + end + `</TimeEnd></SequenceEntry>`
}

var sequenceResponseSeeds = []string{
	// 0: two entries, newest first, one with fractions and one without a zone (UTC).
	seqEnvelope("SequencesGet", seqEntry("2025-10-27T11:00:00.1234567Z", "2025-10-27T11:30:00Z")+seqEntry("2025-10-27T10:00:00", "2025-10-27T10:15:00.5")),
	// 1: clipped at both ends, and one wholly before from.
	seqEnvelope("SequencesGet", seqEntry("2025-10-27T08:00:00Z", "2025-10-27T09:30:00Z")+seqEntry("2025-10-27T11:50:00+01:00", "2025-10-27T13:00:00Z")+seqEntry("2025-10-27T07:00:00Z", "2025-10-27T08:00:00Z")),
	// 2: malformed entries: end before begin, unparsable, missing end; one good.
	seqEnvelope("SequencesGet", seqEntry("2025-10-27T10:00:00Z", "2025-10-27T09:59:00Z")+seqEntry("yesterday", "2025-10-27T10:00:00Z")+`<SequenceEntry><TimeBegin>2025-10-27T10:00:00Z</TimeBegin></SequenceEntry>`+seqEntry("2025-10-27T09:10:00Z", "2025-10-27T09:20:00Z")),
	// 3: more entries than MaxSequences: cut while decoding.
	seqEnvelope("SequencesGet", strings.Repeat(seqEntry("2025-10-27T10:00:00Z", "2025-10-27T10:00:01Z"), recordercommand.MaxSequenceEntries+5)),
	// 4: empty result, then a truncated answer.
	seqEnvelope("SequencesGet", ""),
	seqEnvelope("SequencesGet", seqEntry("2025-10-27T10:00:00Z", "2025-10-27T10:00:01Z"))[:300],
}

// sequenceSeedWant is how many sequences each seed gives, and the first one's span.
var sequenceSeedWant = []struct {
	n          int
	begin, end string
}{
	{2, "2025-10-27T10:00:00Z", "2025-10-27T10:15:00.5Z"},
	{2, "2025-10-27T09:00:00Z", "2025-10-27T09:30:00Z"},
	{1, "2025-10-27T09:10:00Z", "2025-10-27T09:20:00Z"},
	{MaxSequences, "2025-10-27T10:00:00Z", "2025-10-27T10:00:01Z"},
	{0, "", ""},
	{-1, "", ""},
}

func decodeSequencesResponse(body []byte, from, to time.Time, max int) ([]Sequence, error) {
	a, err := decodeRecorderAnswer[recordercommand.ArrayOfSequenceEntry](body, "SequencesGet")
	if err != nil {
		return nil, err
	}
	return sequences(a, from, to, max), nil
}

func TestSequenceResponseSeeds(t *testing.T) {
	for i, s := range sequenceResponseSeeds {
		seqs, err := decodeSequencesResponse([]byte(s), seqFrom, seqTo, MaxSequences)
		want := sequenceSeedWant[i]
		if want.n < 0 {
			if err == nil {
				t.Errorf("seed %d: a truncated answer decoded to %+v", i, seqs)
			}
			continue
		}
		if err != nil || len(seqs) != want.n {
			t.Errorf("seed %d: %d sequences (%v), want %d", i, len(seqs), err, want.n)
			continue
		}
		if want.n > 0 && (seqs[0].Begin.Format(time.RFC3339Nano) != want.begin || seqs[0].End.UTC().Format(time.RFC3339Nano) != want.end) {
			t.Errorf("seed %d: first %v – %v, want %s – %s", i, seqs[0].Begin, seqs[0].End, want.begin, want.end)
		}
	}
	// The clipped end of seed 1's second entry, and the cut to max.
	if seqs, _ := decodeSequencesResponse([]byte(sequenceResponseSeeds[1]), seqFrom, seqTo, 0); len(seqs) != 2 || !seqs[1].Begin.Equal(seqFrom.Add(110*time.Minute)) || !seqs[1].End.Equal(seqTo) {
		t.Errorf("clipping: %+v", seqs)
	}
	if seqs, _ := decodeSequencesResponse([]byte(sequenceResponseSeeds[0]), seqFrom, seqTo, 1); len(seqs) != 1 || seqs[0].Begin.Hour() != 10 {
		t.Errorf("max 1: %+v", seqs)
	}
}

// FuzzSequencesResponse runs a SequencesGet answer through gowsdl's envelope, the wire
// types (entries capped while decoding) with callOp's element check and the conversion:
// at most max sequences, sorted, each a non-negative span inside [from, to).
func FuzzSequencesResponse(f *testing.F) {
	for _, s := range sequenceResponseSeeds {
		f.Add([]byte(s), 7)
	}
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		seqs, err := decodeSequencesResponse(body, seqFrom, seqTo, max)
		if err != nil {
			return
		}
		if max > 0 && len(seqs) > max || len(seqs) > MaxSequences {
			t.Fatalf("%d sequences for max %d", len(seqs), max)
		}
		for i, q := range seqs {
			if q.Begin.Before(seqFrom) || !q.Begin.Before(seqTo) || q.End.Before(q.Begin) || q.End.After(seqTo) || i > 0 && q.Begin.Before(seqs[i-1].Begin) {
				t.Fatalf("sequence %d: %v – %v", i, q.Begin, q.End)
			}
		}
	})
}

var sequenceTypeSeeds = []string{
	seqEnvelope("SequencesGetTypes", `<SequenceType><Id>f9c62604-d0c5-4050-ae25-72de51639b14</Id><Name>RecordingSequence</Name></SequenceType><SequenceType><Id>53cb5e33-2183-44bd-9491-8364d2457480</Id><Name>MotionSequence</Name></SequenceType>`),
	seqEnvelope("SequencesGetTypes", `<SequenceType><Id> </Id><Name>no id</Name></SequenceType><SequenceType><Id>1</Id><Name>Recording`+"\t\u202e"+strings.Repeat("x", 300)+`</Name></SequenceType>`),
	seqEnvelope("SequencesGetTypes", strings.Repeat(`<SequenceType><Id>1</Id></SequenceType>`, recordercommand.MaxSequenceTypes+1)),
}

func decodeSequenceTypes(body []byte) ([]SequenceType, error) {
	a, err := decodeRecorderAnswer[recordercommand.ArrayOfSequenceType](body, "SequencesGetTypes")
	return sequenceTypes(a), err
}

func TestSequenceTypeSeeds(t *testing.T) {
	for i, want := range []struct {
		n    int
		name string
	}{{2, "RecordingSequence"}, {1, "Recording " + strings.Repeat("x", 53) + "…"}, {recordercommand.MaxSequenceTypes, ""}} {
		types, err := decodeSequenceTypes([]byte(sequenceTypeSeeds[i]))
		if err != nil || len(types) != want.n || types[0].Name != want.name {
			t.Errorf("seed %d: %+v %v", i, types, err)
		}
	}
}

// FuzzSequenceTypes runs a SequencesGetTypes answer through the decoding path: at most
// MaxSequenceTypes types, each with an Id, names short and without control characters.
func FuzzSequenceTypes(f *testing.F) {
	for _, s := range sequenceTypeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		types, err := decodeSequenceTypes(body)
		if err != nil {
			return
		}
		if len(types) > recordercommand.MaxSequenceTypes {
			t.Fatalf("%d types", len(types))
		}
		for _, ty := range types {
			if ty.ID == "" || len(ty.ID) > 64 || capture.CleanText(ty.Name, 64) != ty.Name {
				t.Fatalf("type %+v", ty)
			}
		}
		RecordingSequenceID(types)
	})
}
