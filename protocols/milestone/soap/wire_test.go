package soap_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

// wireServer answers every operation with a minimal answer and keeps what each request
// carried, so the bytes a call sends are pinned (the wire types are hand-maintained).
type wireServer struct {
	mu       sync.Mutex
	bodies   map[string]string // op → request body
	actions  map[string]string // op → SOAPAction
	wrongFor string            // an op answered with another element's name
}

func (ws *wireServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
	op := action[strings.LastIndex(action, "/")+1:]
	ws.mu.Lock()
	ws.bodies[op], ws.actions[op] = string(b), action
	wrong := ws.wrongFor == op
	ws.mu.Unlock()
	ns := "http://videoos.net/2/XProtectCSRecorderCommand"
	if strings.Contains(action, "ServerCommand") {
		ns = "http://videoos.net/2/XProtectCSServerCommand"
	}
	inner := map[string]string{
		"Login":             `<LoginResult><Token>TOKEN#x#</Token><TimeToLive><MicroSeconds>60000000</MicroSeconds></TimeToLive></LoginResult>`,
		"GetConfiguration":  `<GetConfigurationResult><ServerName>S</ServerName></GetConfigurationResult>`,
		"QueryRecorderInfo": `<QueryRecorderInfoResult><Name>R</Name></QueryRecorderInfoResult>`,
		"JPEGGetLive":       `<JPEGGetLiveResult><Data>/9j/4AAQ</Data></JPEGGetLiveResult>`,
		"JPEGGetAt":         `<JPEGGetAtResult><Data>/9j/4AAQ</Data></JPEGGetAtResult>`,
		"PresetGetList":     `<PresetGetListResult><string>Gate</string></PresetGetListResult>`,
		"SequencesGetTypes": `<SequencesGetTypesResult><SequenceType><Id>0601d294-b7e5-4d93-9614-9658561ad5e4</Id><Name>RecordingWithTriggerSequence</Name></SequenceType><SequenceType><Id>F9C62604-D0C5-4050-AE25-72DE51639B14</Id><Name>RecordingSequence</Name></SequenceType></SequencesGetTypesResult>`,
		"SequencesGet":      `<SequencesGetResult><SequenceEntry><TimeBegin>2026-11-21T14:00:00Z</TimeBegin><TimeTrigged>2026-11-21T14:00:00Z</TimeTrigged><TimeEnd>2026-11-21T14:05:00.5Z</TimeEnd></SequenceEntry></SequencesGetResult>`,
	}[op]
	name := op + "Response"
	if wrong {
		name = "SomethingElseResponse"
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><`+
		name+` xmlns="`+ns+`">`+inner+`</`+name+`></s:Body></s:Envelope>`)
}

func newWireServer(t *testing.T) (*wireServer, *soap.Client, *soap.RecorderClient) {
	ws := &wireServer{bodies: map[string]string{}, actions: map[string]string{}}
	srv := httptest.NewServer(ws)
	t.Cleanup(srv.Close)
	c, err := soap.NewClient(soap.Options{URL: srv.URL, User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	rc, err := soap.NewRecorderClient(soap.Options{URL: srv.URL}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Close)
	return ws, c, rc
}

const (
	envOpen  = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envClose = `</soap:Body></soap:Envelope>`
	recNS    = `xmlns="http://videoos.net/2/XProtectCSRecorderCommand"`
	srvNS    = `xmlns="http://videoos.net/2/XProtectCSServerCommand"`
)

// TestRequestBytes pins the request of every operation, byte for byte, and its SOAPAction.
func TestRequestBytes(t *testing.T) {
	ws, c, rc := newWireServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const tok, cam = "TOKEN#t#", "CAM-1"
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Login(ctx, "inst-1", "")
	check(err)
	check(c.Logout(ctx, "inst-1", tok))
	_, err = c.GetConfiguration(ctx, tok)
	check(err)
	_, err = c.QueryRecorderInfo(ctx, tok, "rec-1")
	check(err)
	_, err = rc.JPEGGetLive(ctx, tok, cam, 640, 480)
	check(err)
	_, err = rc.JPEGGetAt(ctx, tok, cam, time.Date(2026, 11, 21, 14, 3, 7, 123e6, time.UTC))
	check(err)
	check(rc.PTZMoveStart(ctx, tok, cam, capture.Velocity{Pan: 0.5, Tilt: -0.25}))
	check(rc.PTZMoveStop(ctx, tok, cam))
	check(rc.PTZCenter(ctx, tok, cam, 0.25, 0.75))
	presets, err := rc.PresetGetList(ctx, tok, cam)
	check(err)
	if len(presets) != 1 || presets[0] != "Gate" {
		t.Errorf("presets %q", presets)
	}
	check(rc.PresetMoveTo(ctx, tok, cam, "Gate"))
	types, err := rc.SequenceTypes(ctx, tok, cam)
	check(err)
	if id := soap.RecordingSequenceID(types); len(types) != 2 || id != "F9C62604-D0C5-4050-AE25-72DE51639B14" {
		t.Errorf("sequence types %+v: recording type %q", types, id)
	}
	seqs, err := rc.Sequences(ctx, tok, cam, soap.RecordingSequenceType, time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 15, 0, 0, 0, time.Local), 0)
	check(err)
	if len(seqs) != 1 || !seqs[0].End.Equal(time.Date(2026, 11, 21, 14, 5, 0, 5e8, time.UTC)) {
		t.Errorf("sequences %+v", seqs)
	}

	want := map[string]string{
		"Login":             `<Login ` + srvNS + `><instanceId>inst-1</instanceId></Login>`,
		"Logout":            `<Logout ` + srvNS + `><instanceId>inst-1</instanceId><currentToken>TOKEN#t#</currentToken></Logout>`,
		"GetConfiguration":  `<GetConfiguration ` + srvNS + `><token>TOKEN#t#</token></GetConfiguration>`,
		"QueryRecorderInfo": `<QueryRecorderInfo ` + srvNS + `><token>TOKEN#t#</token><recorderId>rec-1</recorderId></QueryRecorderInfo>`,
		"JPEGGetLive":       `<JPEGGetLive ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><maxWidth>640</maxWidth><maxHeight>480</maxHeight></JPEGGetLive>`,
		"JPEGGetAt":         `<JPEGGetAt ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><time>2026-11-21T14:03:07.123Z</time></JPEGGetAt>`,
		"PTZMoveStart": `<PTZMoveStart ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><ptzArgs><movement><PTZPairDouble><name>pan</name><value>1</value></PTZPairDouble><PTZPairDouble><name>tilt</name><value>-1</value></PTZPairDouble></movement>` +
			`<speed><PTZPairDouble><name>pan</name><value>0.5</value></PTZPairDouble><PTZPairDouble><name>tilt</name><value>0.25</value></PTZPairDouble></speed><Normalized>false</Normalized></ptzArgs></PTZMoveStart>`,
		"PTZMoveStop":       `<PTZMoveStop ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId></PTZMoveStop>`,
		"PTZCenter":         `<PTZCenter ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><refWidth>10000</refWidth><refHeight>10000</refHeight><centerX>2500</centerX><centerY>7500</centerY><zoom>0</zoom></PTZCenter>`,
		"PresetGetList":     `<PresetGetList ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId></PresetGetList>`,
		"PresetMoveTo":      `<PresetMoveTo ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><presetName>Gate</presetName></PresetMoveTo>`,
		"SequencesGetTypes": `<SequencesGetTypes ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId></SequencesGetTypes>`,
		"SequencesGet": `<SequencesGet ` + recNS + `><token>TOKEN#t#</token><deviceId>CAM-1</deviceId><sequenceType>f9c62604-d0c5-4050-ae25-72de51639b14</sequenceType>` +
			`<minTime>2026-11-21T13:00:00.000Z</minTime><maxTime>` + time.Date(2026, 11, 21, 15, 0, 0, 0, time.Local).UTC().Format("2006-01-02T15:04:05.000Z") + `</maxTime><maxCount>1000</maxCount></SequencesGet>`,
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for op, body := range want {
		if got := ws.bodies[op]; got != envOpen+body+envClose {
			t.Errorf("%s sent\n%s\nwant\n%s", op, got, envOpen+body+envClose)
		}
		prefix := "http://videoos.net/2/XProtectCSRecorderCommand/"
		if strings.Contains(body, srvNS) {
			prefix = "http://videoos.net/2/XProtectCSServerCommand/IServerCommandService/"
		}
		if got := ws.actions[op]; got != prefix+op {
			t.Errorf("%s: SOAPAction %q", op, got)
		}
	}
}

// TestAnswerElementChecked: an answer named after another operation is refused, also for
// the operations whose answer is empty.
func TestAnswerElementChecked(t *testing.T) {
	ws, c, rc := newWireServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for op, call := range map[string]func() error{
		"PTZMoveStop": func() error { return rc.PTZMoveStop(ctx, "TOKEN#t#", "CAM-1") },
		"Logout":      func() error { return c.Logout(ctx, "inst-1", "TOKEN#t#") },
		"JPEGGetLive": func() error { _, err := rc.JPEGGetLive(ctx, "TOKEN#t#", "CAM-1", 0, 0); return err },
		"SequencesGet": func() error {
			_, err := rc.Sequences(ctx, "TOKEN#t#", "CAM-1", soap.RecordingSequenceType, time.Unix(0, 0), time.Now(), 10)
			return err
		},
	} {
		ws.mu.Lock()
		ws.wrongFor = op
		ws.mu.Unlock()
		if err := call(); !errors.Is(err, capture.ErrMalformed) {
			t.Errorf("%s answered with another element: %v", op, err)
		}
	}
}
