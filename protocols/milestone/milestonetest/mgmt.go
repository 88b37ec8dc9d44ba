package milestonetest

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// What the simulated ServerCommandService speaks (milestone.md §1.1, §1.3, §1.5, §1.7).
const (
	ServicePath  = "/ManagementServer/ServerCommandService.svc"
	ns           = "http://videoos.net/2/XProtectCSServerCommand"
	actionPrefix = ns + "/IServerCommandService/"
	maxRequest   = 64 << 10
)

func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// request is the body of any of the operations, read by local name.
type request struct {
	Body struct {
		Op struct {
			XMLName      xml.Name
			InstanceID   string `xml:"instanceId"`
			CurrentToken string `xml:"currentToken"`
			Token        string `xml:"token"`
			RecorderID   string `xml:"recorderId"`
		} `xml:",any"`
	} `xml:"Body"`
}

// allowPOST answers anything but POST with 405, as IIS does for a SOAP endpoint; it
// reports whether the request is a POST.
func allowPOST(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", "POST")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// readSOAP reads a SOAP request body of at most maxRequest bytes, answering 413 to a
// larger one; ok is false when it answered.
func readSOAP(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil || len(body) > maxRequest {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	return body, true
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != ServicePath {
		http.NotFound(w, r)
		return
	}
	if s.opts.Refuse != 0 {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(s.opts.Refuse)
		io.WriteString(w, s.opts.RefuseBody)
		return
	}
	if !allowPOST(w, r) {
		return
	}
	// HTTP Basic is checked by IIS/WCF before any SOAP processing: a bare 401 [I, milestone.md §1.7].
	u, p, ok := r.BasicAuth()
	if !ok || u != s.opts.User || p != s.opts.Password {
		s.faults.Add(1)
		w.Header().Set("WWW-Authenticate", `Basic realm="127.0.0.1"`)
		http.Error(w, "401 - Unauthorized: Access is denied due to invalid credentials.", http.StatusUnauthorized)
		return
	}
	body, ok := readSOAP(w, r)
	if !ok {
		return
	}
	if s.opts.Delay > 0 { // after the body is read, so a client hang-up cancels r.Context()
		select {
		case <-time.After(s.opts.Delay):
		case <-r.Context().Done():
			return
		}
	}
	var req request
	if err := xml.Unmarshal(body, &req); err != nil {
		s.fault(w, "s:Client", "The formatter threw an exception while trying to deserialize the message.", 0, 0)
		return
	}
	op := req.Body.Op.XMLName.Local
	action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
	if action != s.opts.ActionPrefix+op || req.Body.Op.XMLName.Space != ns {
		s.actionNotSupported(w, action)
		return
	}
	s.count(op)
	a := req.Body.Op
	switch op {
	case "Login":
		s.login(w, a.InstanceID, a.CurrentToken)
	case "Logout":
		s.mu.Lock()
		st, ok := s.tokens[a.CurrentToken]
		if ok && st.instance == a.InstanceID {
			delete(s.tokens, a.CurrentToken)
		}
		s.mu.Unlock()
		if !ok {
			s.tokenFault(w, a.CurrentToken)
			return
		}
		s.logouts.Add(1)
		s.reply(w, `<LogoutResponse xmlns="`+ns+`"/>`)
	case "GetConfiguration":
		if !s.ValidToken(a.Token) {
			s.tokenFault(w, a.Token)
			return
		}
		s.reply(w, s.configuration())
	case "QueryRecorderInfo":
		if !s.ValidToken(a.Token) {
			s.tokenFault(w, a.Token)
			return
		}
		for _, rec := range s.Recorders() {
			if strings.EqualFold(rec.ID, a.RecorderID) {
				var b bytes.Buffer
				b.WriteString(`<QueryRecorderInfoResponse xmlns="` + ns + `"><QueryRecorderInfoResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance">`)
				writeRecorderBody(&b, rec)
				b.WriteString(`</QueryRecorderInfoResult></QueryRecorderInfoResponse>`)
				s.reply(w, b.String())
				return
			}
		}
		s.fault(w, "s:Client", "Recorder not found", 20000, 0)
	default:
		s.actionNotSupported(w, action)
	}
}

func (s *Server) login(w http.ResponseWriter, instance, current string) {
	if instance == "" {
		s.fault(w, "s:Client", "instanceId missing", 0, 0)
		return
	}
	now := time.Now()
	s.mu.Lock()
	st, renewing := s.tokens[current]
	renewing = renewing && st.instance == instance && now.Before(st.expires)
	token := "TOKEN#" + newGUID() + "#127.0.0.1//ServerConnector#"
	s.tokens[token] = tokenState{instance: instance, expires: now.Add(s.opts.TokenTTL)}
	for k, v := range s.tokens { // forget long-dead tokens
		if now.Sub(v.expires) > time.Minute {
			delete(s.tokens, k)
		}
	}
	s.mu.Unlock()
	if renewing {
		s.renewals.Add(1)
	} else {
		s.logins.Add(1)
	}
	// WCF answers members alphabetically (milestone.md §1.3, CNS capture).
	s.reply(w, fmt.Sprintf(`<LoginResponse xmlns="%s"><LoginResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance">`+
		`<RegistrationTime>%s</RegistrationTime><TimeToLive><MicroSeconds>%d</MicroSeconds></TimeToLive>`+
		`<TimeToLiveLimited>false</TimeToLiveLimited><Token>%s</Token></LoginResult></LoginResponse>`,
		ns, now.UTC().Format("2006-01-02T15:04:05.9999999Z"), s.opts.TokenTTL.Microseconds(), token))
}

func (s *Server) configuration() string {
	var b bytes.Buffer
	b.WriteString(`<GetConfigurationResponse xmlns="` + ns + `"><GetConfigurationResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance">`)
	b.WriteString(`<Recorders>`)
	for _, rec := range s.Recorders() {
		b.WriteString(`<RecorderInfo>`)
		writeRecorderBody(&b, rec)
		b.WriteString(`</RecorderInfo>`)
	}
	b.WriteString(`</Recorders>`)
	if s.opts.Padding > 0 {
		b.Write(bytes.Repeat([]byte(" "), s.opts.Padding))
	}
	b.WriteString(`<ServerDescription/><ServerId>00000000-0000-0000-0000-00000000c0de</ServerId><ServerName>Vigil simulator</ServerName>`)
	b.WriteString(`</GetConfigurationResult></GetConfigurationResponse>`)
	return b.String()
}

// writeRecorderBody writes RecorderInfo's members, alphabetical as WCF sends them.
func writeRecorderBody(b *bytes.Buffer, rec RecorderConfig) {
	b.WriteString(`<Cameras>`)
	for _, c := range rec.Cameras {
		b.WriteString(`<CameraInfo><Description i:nil="true"/><DeviceId>` + c.ID + `</DeviceId><Name>`)
		xml.EscapeText(b, []byte(c.Name))
		b.WriteString(`</Name>`)
		if c.PTZ {
			fmt.Fprintf(b, `<PtzSettings><IsCenterOnPositionInViewSupported>%t</IsCenterOnPositionInViewSupported><PtzEnabled>true</PtzEnabled></PtzSettings>`, c.Center)
		}
		b.WriteString(`<RecorderId>` + rec.ID + `</RecorderId><Streams><StreamInfo><Default>true</Default><Name>Video stream 1</Name><StreamId>28dc44c3-079e-4c94-8ec9-60363451eb40</StreamId></StreamInfo></Streams></CameraInfo>`)
	}
	b.WriteString(`</Cameras><HostName>`)
	xml.EscapeText(b, []byte(rec.HostName))
	b.WriteString(`</HostName><Name>`)
	xml.EscapeText(b, []byte(rec.Name))
	b.WriteString(`</Name><RecorderId>` + rec.ID + `</RecorderId><WebServerUri>`)
	xml.EscapeText(b, []byte(rec.WebServerURI))
	b.WriteString(`</WebServerUri>`)
}

func (s *Server) reply(w http.ResponseWriter, inner string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`+inner+`</s:Body></s:Envelope>`)
}

// tokenFault is 20001/1 for a missing token, 20001/2 for an unknown or expired one
// (milestone.md §1.7; whether a real server tells expiry apart is unknown [I]).
func (s *Server) tokenFault(w http.ResponseWriter, token string) {
	if token == "" {
		s.fault(w, "s:Client", "No token supplied", 20001, 1)
		return
	}
	s.fault(w, "s:Client", "Token invalid", 20001, 2)
}

// actionNotSupported is WCF's answer to an unknown SOAPAction [S: standard WCF behaviour].
func (s *Server) actionNotSupported(w http.ResponseWriter, action string) {
	s.faults.Add(1)
	var esc bytes.Buffer
	xml.EscapeText(&esc, []byte(action))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>`+
		`<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>`+
		`<faultstring xml:lang="en-US">The message with Action '`+esc.String()+`' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).</faultstring>`+
		`</s:Fault></s:Body></s:Envelope>`)
}

// fault sends the captured fault shape with HTTP 500 (milestone.md §1.7).
func (s *Server) fault(w http.ResponseWriter, code, msg string, num, sub int) {
	s.faults.Add(1)
	var esc bytes.Buffer
	xml.EscapeText(&esc, []byte(msg))
	detail := ""
	if num != 0 {
		detail = fmt.Sprintf(`<detail><ErrorNumber>%d</ErrorNumber><SubErrorNumber>%d</SubErrorNumber></detail>`, num, sub)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>`+
		`<faultcode>`+code+`</faultcode><faultstring>`+esc.String()+`</faultstring>`+detail+`</s:Fault></s:Body></s:Envelope>`)
}
