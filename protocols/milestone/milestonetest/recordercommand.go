package milestonetest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/internal/trust"
)

// RecorderCommandPath is where the simulated RecorderCommandService answers, on the
// recorder's own port (milestone.md §1.8): ASMX, SOAP 1.1, the XProtect token in the
// body, no HTTP authentication.
const RecorderCommandPath = "/RecorderCommandService/RecorderCommandService.asmx"

const recorderNS = "http://videoos.net/2/XProtectCSRecorderCommand"

// recorderRequest is the body of JPEGGetLive, JPEGGetAt, SequencesGetTypes or
// SequencesGet (and the start of a PTZ operation's), read by local name.
type recorderRequest struct {
	Body struct {
		Op struct {
			XMLName   xml.Name
			Token     string `xml:"token"`
			DeviceID  string `xml:"deviceId"`
			MaxWidth  int    `xml:"maxWidth"`
			MaxHeight int    `xml:"maxHeight"`
			Time      string `xml:"time"`
			SeqType   string `xml:"sequenceType"`
			MinTime   string `xml:"minTime"`
			MaxTime   string `xml:"maxTime"`
			MaxCount  string `xml:"maxCount"`
		} `xml:",any"`
	} `xml:"Body"`
}

func (r *Recorder) serveHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != RecorderCommandPath {
		http.NotFound(w, req)
		return
	}
	if !allowPOST(w, req) {
		return
	}
	body, ok := readSOAP(w, req)
	if !ok {
		return
	}
	var rr recorderRequest
	if err := xml.Unmarshal(body, &rr); err != nil {
		recorderFault(w, "soap:Client", "Server was unable to read request.", 0, 0)
		return
	}
	op := rr.Body.Op
	action := strings.Trim(req.Header.Get("SOAPAction"), `"`)
	if op.XMLName.Space != recorderNS || action != recorderNS+"/"+op.XMLName.Local {
		recorderFault(w, "soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: "+action+".", 0, 0)
		return
	}
	if op.XMLName.Local != "JPEGGetLive" && op.XMLName.Local != "JPEGGetAt" && !isPTZOp(op.XMLName.Local) && !isSequenceOp(op.XMLName.Local) ||
		slices.Contains(r.opts.Unsupported, op.XMLName.Local) {
		recorderFault(w, "soap:Client", "Method '"+op.XMLName.Local+"' not supported", 40000, 0)
		return
	}
	switch {
	case op.Token == "":
		recorderFault(w, "soap:Client", "No token supplied", 20001, 1)
		return
	case !r.tokenOK(op.Token):
		recorderFault(w, "soap:Client", "Token invalid", 20001, 2)
		return
	}
	cam := ""
	for id := range r.opts.Cameras {
		if strings.EqualFold(id, strings.TrimSpace(op.DeviceID)) {
			cam = id
		}
	}
	if cam == "" {
		recorderFault(w, "soap:Client", "Unknown device", 0, 0) // the real fault's numbers are unknown [I]
		return
	}
	if isPTZOp(op.XMLName.Local) {
		r.servePTZ(w, op.XMLName.Local, cam, body)
		return
	}
	if isSequenceOp(op.XMLName.Local) {
		r.serveSequences(w, op.XMLName.Local, op.SeqType, op.MinTime, op.MaxTime, op.MaxCount)
		return
	}
	var pic []byte
	var at time.Time
	if op.XMLName.Local == "JPEGGetLive" {
		frames := r.opts.Cameras[cam]
		at = time.Now()
		pic = r.scaled(cam, int(at.UnixNano()/int64(r.interval))%len(frames), op.MaxWidth, op.MaxHeight)
	} else {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(op.Time))
		if err != nil {
			recorderFault(w, "soap:Client", "Server was unable to read request.", 0, 0)
			return
		}
		if i, ok := r.rec.atOrBefore(t); ok {
			at = r.rec.time(i)
			pic = r.recordedPicture(cam, i, 0, 0)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResult>`, op.XMLName.Local)
	if pic != nil {
		r.snapshots.Add(1)
		fmt.Fprintf(&b, `<Time>%s</Time><Data>%s</Data>`, at.UTC().Format("2006-01-02T15:04:05.000Z"), base64.StdEncoding.EncodeToString(pic))
	}
	fmt.Fprintf(&b, `</%sResult>`, op.XMLName.Local)
	recorderReply(w, op.XMLName.Local, b.String())
}

// SequenceTypes are the sequence types the recorder lists for every camera, as a 2025
// server does (milestone.md §1.8 [C]): Id and Name.
var SequenceTypes = [][2]string{
	{"f9c62604-d0c5-4050-ae25-72de51639b14", "RecordingSequence"},
	{"53cb5e33-2183-44bd-9491-8364d2457480", "MotionSequence"},
	{"0601d294-b7e5-4d93-9614-9658561ad5e4", "RecordingWithTriggerSequence"},
}

func isSequenceOp(op string) bool { return op == "SequencesGetTypes" || op == "SequencesGet" }

// serveSequences answers SequencesGetTypes (SequenceTypes) or SequencesGet for an
// authorised token and a known camera: the recorded database's spans (RecordingSequence
// and RecordingWithTriggerSequence; no motion is simulated, so MotionSequence has none)
// touching [minTime, maxTime], oldest first, whole (not clipped), at most maxCount.
// Their begin and trigger time are the span's start. A time that does not parse, a
// maxCount that is not a number or an unknown type is a fault [I].
func (r *Recorder) serveSequences(w http.ResponseWriter, op, typ, minTime, maxTime, maxCount string) {
	r.sequenceCalls.Add(1)
	var b strings.Builder
	b.WriteString(`<` + op + `Result>`)
	if op == "SequencesGetTypes" {
		for _, t := range SequenceTypes {
			b.WriteString(`<SequenceType><Id>` + t[0] + `</Id><Name>` + t[1] + `</Name></SequenceType>`)
		}
		b.WriteString(`</` + op + `Result>`)
		recorderReply(w, op, b.String())
		return
	}
	from, err1 := time.Parse(time.RFC3339Nano, strings.TrimSpace(minTime))
	to, err2 := time.Parse(time.RFC3339Nano, strings.TrimSpace(maxTime))
	n, err3 := strconv.Atoi(strings.TrimSpace(maxCount))
	known := -1
	for i, t := range SequenceTypes {
		if strings.EqualFold(t[0], strings.TrimSpace(typ)) {
			known = i
		}
	}
	if err1 != nil || err2 != nil || err3 != nil || known < 0 {
		recorderFault(w, "soap:Client", "Server was unable to read request.", 0, 0)
		return
	}
	if known != 1 {
		for _, s := range r.rec.spans() {
			if n <= 0 {
				break
			}
			if s.To.Before(from) || s.From.After(to) {
				continue
			}
			n--
			begin := s.From.UTC().Format(time.RFC3339Nano)
			b.WriteString(`<SequenceEntry><TimeBegin>` + begin + `</TimeBegin><TimeTrigged>` + begin + `</TimeTrigged><TimeEnd>` + s.To.UTC().Format(time.RFC3339Nano) + `</TimeEnd></SequenceEntry>`)
		}
	}
	b.WriteString(`</` + op + `Result>`)
	recorderReply(w, op, b.String())
}

// recorderReply writes the ASMX answer to op: <opResponse> holding inner.
func recorderReply(w http.ResponseWriter, op, inner string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>`+
		`<`+op+`Response xmlns="`+recorderNS+`">`+inner+`</`+op+`Response></soap:Body></soap:Envelope>`)
}

// recorderFault is the ASMX fault shape captured from a recorder (milestone.md §1.7).
func recorderFault(w http.ResponseWriter, code, msg string, num, sub int) {
	writeFault(w, asmxFault, code, msg, num, sub)
}

// chanListener is a net.Listener fed with connections the recorder has already told
// apart as HTTP, so one port serves both protocols.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

// hand gives c to the HTTP server; false (and c untouched) once the listener is closed.
func (l *chanListener) hand(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// peekedConn replays the bytes peeked to classify the connection.
type peekedConn struct {
	net.Conn
	br *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.br.Read(p) }

// RotateCertificate gives the recorder a new self-signed certificate (for 127.0.0.1,
// ::1 and localhost), as a renewed certificate looks to a client that pinned the old
// one. The recorder must have been started with TLS.
func (r *Recorder) RotateCertificate() {
	cert, err := trust.SelfSigned("Vigil simulated recording server")
	if err != nil {
		panic(fmt.Sprintf("milestonetest: %v", err))
	}
	r.mu.Lock()
	r.cert = &cert
	r.mu.Unlock()
}

func (r *Recorder) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cert == nil {
		return nil, errors.New("no certificate")
	}
	return r.cert, nil
}

// Fingerprint is the SHA-256 fingerprint of the recorder's current certificate in
// "AB:CD:…" form, "" without TLS.
func (r *Recorder) Fingerprint() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cert == nil {
		return ""
	}
	return trust.Fingerprint(r.cert.Leaf)
}
