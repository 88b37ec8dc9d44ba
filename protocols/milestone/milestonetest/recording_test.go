package milestonetest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRecordingModel(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := func(sec float64) time.Time { return start.Add(time.Duration(sec * float64(time.Second))) }
	d := &recording{start: start, interval: 500 * time.Millisecond, frames: 40, // 0 … 19.5 s
		gaps: []Gap{{From: s(2), To: s(5)}, {From: s(5), To: s(6.2)}, {From: s(19), To: s(30)}}}
	for _, tc := range []struct {
		at       float64
		want     int
		ok       bool
		after    int
		afterOK  bool
		before   int
		beforeOK bool
	}{
		{at: -1, ok: false},
		{at: 0, want: 0, ok: true, after: 1, afterOK: true},
		{at: 1.7, want: 3, ok: true, after: 13, afterOK: true, before: 2, beforeOK: true}, // next frame after both gaps: 6.5 s
		{at: 3, want: 3, ok: true, after: 13, afterOK: true, before: 2, beforeOK: true},   // inside a gap: the frame before it
		{at: 6.5, want: 13, ok: true, after: 14, afterOK: true, before: 3, beforeOK: true},
		{at: 100, want: 37, ok: true, after: 0, afterOK: false, before: 36, beforeOK: true}, // the end: 18.5 s, then a gap
	} {
		i, ok := d.atOrBefore(s(tc.at))
		if ok != tc.ok || ok && i != tc.want {
			t.Errorf("atOrBefore(%v s) = %d %v, want %d %v", tc.at, i, ok, tc.want, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if j, ok := d.after(i); ok != tc.afterOK || ok && j != tc.after {
			t.Errorf("after(%d) = %d %v, want %d %v", i, j, ok, tc.after, tc.afterOK)
		}
		if j, ok := d.before(i); ok != tc.beforeOK || ok && j != tc.before {
			t.Errorf("before(%d) = %d %v, want %d %v", i, j, ok, tc.before, tc.beforeOK)
		}
	}
	if j, ok := d.firstAtOrAfter(s(-3)); !ok || j != 0 {
		t.Errorf("firstAtOrAfter(before start) = %d %v", j, ok)
	}
	// A growing recording ends at now and gets longer.
	now := s(10.2)
	g := &recording{start: start, interval: time.Second, growing: true, now: func() time.Time { return now }}
	if i, ok := g.atOrBefore(s(3600)); !ok || i != 10 {
		t.Errorf("growing: newest frame %d %v, want 10", i, ok)
	}
	if _, ok := g.after(10); ok {
		t.Error("growing: a frame after now")
	}
	now = s(11)
	if j, ok := g.after(10); !ok || j != 11 {
		t.Errorf("growing: after a second, after(10) = %d %v", j, ok)
	}
}

// TestRecordingSpans: the database's spans are its frames' time minus the gaps (gaps
// overlapping, touching, out of order or outside it), up to the end of the last frame, or
// now when growing.
func TestRecordingSpans(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := func(sec float64) time.Time { return start.Add(time.Duration(sec * float64(time.Second))) }
	d := &recording{start: start, interval: 500 * time.Millisecond, frames: 40, // 0 … 19.5 s, ends at 20 s
		gaps: []Gap{{From: s(15), To: s(16)}, {From: s(2), To: s(5)}, {From: s(5), To: s(6.2)}, {From: s(-5), To: s(0.5)}, {From: s(19), To: s(30)}}}
	want := []Gap{{s(0.5), s(2)}, {s(6.2), s(15)}, {s(16), s(19)}}
	if got := d.spans(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans %v, want %v", got, want)
	}
	now := s(10.2)
	g := &recording{start: start, interval: time.Second, growing: true, now: func() time.Time { return now }}
	if got := g.spans(); len(got) != 1 || !got[0].From.Equal(start) || !got[0].To.Equal(now) {
		t.Errorf("growing: %v", got)
	}
	now = s(-1)
	if got := g.spans(); len(got) != 0 {
		t.Errorf("before the first frame: %v", got)
	}
}

// TestRecorderSharesThePort: one TLS port answers the Image Server protocol and
// RecorderCommandService's HTTP, told apart by the first bytes; recorded frames carry
// their time, and goto then next walk the recording.
func TestRecorderSharesThePort(t *testing.T) {
	r := NewRecorder(RecorderOptions{Cameras: map[string][][]byte{"CAM": recorderFrames()}, FPS: 10,
		RecordedHistory: time.Minute, StampTime: true, TLS: true,
		ValidToken: func(tok string) bool { return tok == "TOKEN#ok#" }})
	defer r.Close()
	conf := &tls.Config{InsecureSkipVerify: true}
	send, br := dialImageServer(t, r.Addr(), conf)
	send(`<requestid>1</requestid><methodname>connect</methodname><connectparam>id=CAM&amp;connectiontoken=TOKEN#ok#</connectparam>`)
	if h, _ := recorderBlock(t, br); !strings.Contains(h, "<connected>yes</connected>") {
		t.Fatalf("connect: %s", h)
	}
	at := r.RecordedTime(100)
	send(fmt.Sprintf(`<requestid>2</requestid><methodname>goto</methodname><time>%d</time>`, at.UnixMilli()+30))
	h, p := recorderBlock(t, br)
	if !strings.Contains(h, fmt.Sprintf("Current: %d\r\n", at.UnixMilli())) || !strings.Contains(h, fmt.Sprintf("Next: %d\r\n", at.UnixMilli()+100)) {
		t.Fatalf("goto: %q", h)
	}
	if !bytes.Contains(p[:80], []byte("vigil recorded "+at.UTC().Format(time.RFC3339Nano))) {
		t.Fatalf("recorded frame does not carry its time: %q", p[:80])
	}
	if _, err := jpeg.Decode(bytes.NewReader(p)); err != nil {
		t.Fatalf("stamped frame: %v", err)
	}
	send(`<requestid>3</requestid><methodname>next</methodname>`)
	if h, p2 := recorderBlock(t, br); !strings.Contains(h, fmt.Sprintf("Current: %d\r\n", at.UnixMilli()+100)) || bytes.Equal(p, p2) {
		t.Fatalf("next: %q", h)
	}

	// The same port speaks HTTP: a JPEGGetLive without a token is refused as a real
	// recorder does.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
	defer hc.CloseIdleConnections()
	body := `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><JPEGGetLive xmlns="` + recorderNS + `"><deviceId>CAM</deviceId><maxWidth>32</maxWidth><maxHeight>32</maxHeight></JPEGGetLive></soap:Body></soap:Envelope>`
	req, _ := http.NewRequest("POST", "https://"+r.Addr()+RecorderCommandPath, strings.NewReader(body))
	req.Header.Set("SOAPAction", recorderNS+"/JPEGGetLive")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), "<ErrorNumber>20001</ErrorNumber><SubErrorNumber>1</SubErrorNumber>") {
		t.Fatalf("no token: %d %s", resp.StatusCode, b)
	}
	if r.Connections() != 1 {
		t.Errorf("%d Image Server connections, want 1 (HTTP is not one)", r.Connections())
	}
	// A plain TCP client on a TLS recorder gets nowhere.
	pc, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	pc.Write([]byte("<?xml version=\"1.0\"?><methodcall><requestid>1</requestid></methodcall>\r\n\r\n"))
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, _ := io.ReadAll(pc); bytes.Contains(b, []byte("methodresponse")) {
		t.Error("a TLS recorder answered plain text")
	}
	pc.Close()
}
