// Package onviftest is a simulated ONVIF PTZ camera on 127.0.0.1, like net/http/httptest:
// device, media and PTZ services on one HTTP port (SOAP 1.2), WS-Security UsernameToken
// PasswordDigest checked against the camera's OWN clock (Options.ClockOffset from the
// real one, as real cameras drift), a head that integrates pan, tilt and zoom from the
// velocity of ContinuousMove until Stop, presets, and a JPEG snapshot whose picture is
// the view of a synthetic panorama at the head's position (so it moves with PTZ). The
// stream URI it hands out is Options.StreamURI (an rtsptest server's, in tests). Every
// request is recorded, its body's XML kept as sent, for tests.
//
// Paths: /onvif/device_service, /onvif/media_service, /onvif/ptz_service, /snapshot.jpg,
// /mjpeg (the same view as a 10 fps multipart stream: a picture that pans on a wall tile).
// GetCapabilities reports them on Options.ReportHost (a camera behind NAT reports its
// inside address), so a client must use the paths on the host it was given.
package onviftest

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // the UsernameToken profile defines SHA-1
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Options configure a simulated camera.
type Options struct {
	// User and Password are the ONVIF user the camera accepts ("": no authentication).
	User, Password string
	// ClockOffset is the camera's clock minus the real one. Tokens are accepted when
	// their Created is within MaxSkew of the camera's clock.
	ClockOffset time.Duration
	// MaxSkew defaults to 5 s (a strict camera).
	MaxSkew time.Duration
	// StreamURI is what GetStreamUri answers ("": rtsp://<ReportHost>/stream).
	StreamURI string
	// StreamMJPEG makes GetStreamUri answer the camera's own moving MJPEG view (the demo
	// wall's ONVIF camera, whose picture then follows the head).
	StreamMJPEG bool
	// ReportHost is the host GetCapabilities puts in the service addresses ("": the
	// server's own address).
	ReportHost string
	// NoPTZ serves a fixed camera: no PTZ service, no PTZ configuration.
	NoPTZ bool
	// Speed is how far the head turns per second at velocity 1, in the generic
	// position space (−1…+1 across the whole pan range); default 0.5.
	Speed float64
	// Width and Height of the snapshot (default 320×240).
	Width, Height int
	// NoCapabilities refuses GetCapabilities (ActionNotSupported), as cameras that
	// only answer GetServices do.
	NoCapabilities bool
	// NoFOV leaves the field-of-view translation space out of GetConfigurationOptions
	// and refuses RelativeMove in it: a camera without click-to-centre.
	NoFOV bool
	// TLS serves HTTPS with a self-signed certificate (onvifs://).
	TLS bool
	// HTTPDigest also demands HTTP Digest authentication of every signed request, as
	// some cameras do on top of (or instead of) WS-Security.
	HTTPDigest bool
}

// Command is one request the camera received.
type Command struct {
	// Op is the operation (the Body's element local name: "ContinuousMove").
	Op string
	// Body is the Body's content as sent.
	Body string
	// User is the authenticated user, "" for an unsigned request.
	User string
	// Time is when it arrived (real clock).
	Time time.Time
}

// Fault is a SOAP fault the camera answers to an operation (SetFault).
type Fault struct {
	// Code is "Sender" or "Receiver"; Subcode the ONVIF subcode without prefix
	// ("ActionNotSupported").
	Code, Subcode, Reason string
}

// Server is a running simulated camera.
type Server struct {
	opts Options
	ln   net.Listener
	srv  *http.Server
	addr string
	cert *tls.Certificate

	mu       sync.Mutex
	commands []Command
	faults   map[string]Fault
	nonces   map[string]time.Time
	pos      [3]float64 // pan, tilt (−1…+1), zoom (0…1)
	vel      [3]float64
	since    time.Time // when vel took effect
	until    time.Time // when a RelativeMove's travel ends (zero: none)
	presets  []preset
	nextID   int
}

type preset struct {
	token, name string
	pos         [3]float64
}

// Start starts a Server and closes it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("onviftest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a Server on 127.0.0.1 at a free port.
func New(opts Options) (*Server, error) {
	opts.MaxSkew = capture.OrDefault(opts.MaxSkew, 5*time.Second)
	opts.Speed = capture.OrDefault(opts.Speed, 0.5)
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 320, 240
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, ln: ln, addr: ln.Addr().String(), faults: map[string]Fault{}, nonces: map[string]time.Time{},
		since: time.Now(), nextID: 3,
		presets: []preset{{"1", "Home", [3]float64{}}, {"2", "Gate", [3]float64{0.5, -0.2, 0.3}}}}
	mux := http.NewServeMux()
	for _, p := range []string{"/onvif/device_service", "/onvif/media_service", "/onvif/ptz_service"} {
		mux.HandleFunc(p, s.soap)
	}
	mux.HandleFunc("/snapshot.jpg", s.snapshot)
	mux.HandleFunc("/mjpeg", s.mjpeg)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if opts.TLS {
		cert, err := trust.SelfSigned("Vigil simulated ONVIF camera")
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.cert = &cert
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server and its connections.
func (s *Server) Close() { _ = s.srv.Close() }

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the camera's onvif:// (with TLS onvifs://) address, without credentials.
func (s *Server) URL() string {
	if s.cert != nil {
		return "onvifs://" + s.addr + "/"
	}
	return "onvif://" + s.addr + "/"
}

func (s *Server) web() string {
	if s.cert != nil {
		return "https://" + s.addr
	}
	return "http://" + s.addr
}

// MJPEGURL is the live view's multipart URL (no authentication).
func (s *Server) MJPEGURL() string { return s.web() + "/mjpeg" }

// SnapshotURL is the snapshot's URL.
func (s *Server) SnapshotURL() string { return s.web() + "/snapshot.jpg" }

// Fingerprint is the SHA-256 fingerprint of the TLS certificate ("AB:CD:…"), "" without TLS.
func (s *Server) Fingerprint() string {
	if s.cert == nil {
		return ""
	}
	return trust.Fingerprint(s.cert.Leaf)
}

// Now is the camera's clock.
func (s *Server) Now() time.Time { return time.Now().Add(s.opts.ClockOffset) }

// Commands returns a copy of the requests received so far.
func (s *Server) Commands() []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands...)
}

// Ops returns the operations received so far, in order.
func (s *Server) Ops() []string {
	var out []string
	for _, c := range s.Commands() {
		out = append(out, c.Op)
	}
	return out
}

// SetFault makes the camera answer op with f (a zero Fault clears it).
func (s *Server) SetFault(op string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, op)
		return
	}
	s.faults[op] = f
}

// Position is the head's pan and tilt (−1…+1) and zoom (0…1) now.
func (s *Server) Position() (pan, tilt, zoom float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.positionLocked(time.Now())
	return p[0], p[1], p[2]
}

// Moving reports whether any axis has a velocity.
func (s *Server) Moving() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vel != [3]float64{} && (s.until.IsZero() || time.Now().Before(s.until))
}

func (s *Server) positionLocked(now time.Time) [3]float64 {
	if !s.until.IsZero() && now.After(s.until) {
		now = s.until
	}
	dt := now.Sub(s.since).Seconds()
	var p [3]float64
	for i := range p {
		lo := -1.0
		if i == 2 {
			lo = 0
		}
		p[i] = max(lo, min(1, s.pos[i]+s.vel[i]*s.opts.Speed*dt))
	}
	return p
}

// setVelocity integrates the old velocity up to now and starts the new one.
func (s *Server) setVelocityLocked(v [3]float64) {
	now := time.Now()
	s.pos = s.positionLocked(now)
	s.vel, s.since, s.until = v, now, time.Time{}
}

// travelLocked moves the head to pan, tilt at full speed, both axes arriving together.
func (s *Server) travelLocked(pan, tilt float64) {
	s.setVelocityLocked([3]float64{})
	pan, tilt = max(-1, min(1, pan)), max(-1, min(1, tilt))
	dx, dy := pan-s.pos[0], tilt-s.pos[1]
	d := max(math.Abs(dx), math.Abs(dy))
	if d == 0 {
		return
	}
	secs := d / s.opts.Speed
	s.vel = [3]float64{dx / d, dy / d, 0}
	s.until = s.since.Add(time.Duration(secs * float64(time.Second)))
}

// FOV is the view's width and height in the generic pan/tilt space at zoom (what View
// renders).
func (s *Server) FOV(zoom float64) (w, h float64) {
	w = 0.5 / (1 + 3*zoom)
	return w, w * float64(s.opts.Height) / float64(s.opts.Width)
}

// request is what the camera reads of an envelope.
type request struct {
	Header struct {
		Token *struct {
			Username string `xml:"Username"`
			Password struct {
				Type  string `xml:"Type,attr"`
				Value string `xml:",chardata"`
			} `xml:"Password"`
			Nonce   string `xml:"Nonce"`
			Created string `xml:"Created"`
		} `xml:"Security>UsernameToken"`
	} `xml:"Header"`
	Body struct {
		Inner []byte `xml:",innerxml"`
	} `xml:"Body"`
}

func (s *Server) soap(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST SOAP here", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	var req request
	if err := xml.Unmarshal(raw, &req); err != nil {
		s.fault(w, Fault{Code: "Sender", Subcode: "WellFormed", Reason: "not a SOAP envelope"})
		return
	}
	op, args := firstElement(req.Body.Inner)
	cmd := Command{Op: op, Body: strings.TrimSpace(string(req.Body.Inner)), Time: time.Now()}
	if tok := req.Header.Token; tok != nil {
		cmd.User = tok.Username
	}
	s.mu.Lock()
	s.commands = append(s.commands, cmd)
	f, faulted := s.faults[op]
	s.mu.Unlock()
	if op != "GetSystemDateAndTime" && s.opts.HTTPDigest && !s.httpDigestOK(r) {
		w.Header().Set("WWW-Authenticate", `Digest realm="onvif-sim", qop="auth", nonce="`+httpNonce+`"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if op != "GetSystemDateAndTime" && s.opts.User != "" {
		if reason := s.checkToken(req); reason != "" {
			s.fault(w, Fault{Code: "Sender", Subcode: "NotAuthorized", Reason: reason})
			return
		}
	}
	if faulted {
		s.fault(w, f)
		return
	}
	body, fault := s.answer(op, args)
	if fault != nil {
		s.fault(w, *fault)
		return
	}
	s.reply(w, http.StatusOK, body)
}

// httpNonce is the simulator's one HTTP Digest nonce (it checks responses, not replays).
const httpNonce = "6f6e7669662d73696d"

// httpDigestOK checks an HTTP Digest (qop=auth, MD5) Authorization.
func (s *Server) httpDigestOK(r *http.Request) bool {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Digest ")
	if !ok {
		return false
	}
	p := digest.ParseAuthorization(v)
	return p["username"] == s.opts.User && p["nonce"] == httpNonce && p["uri"] == r.URL.RequestURI() &&
		p["response"] == digest.Response(p["algorithm"], s.opts.User, "onvif-sim", s.opts.Password, r.Method, p["uri"], httpNonce, p["nc"], p["cnonce"], "auth")
}

// checkToken verifies the UsernameToken against the camera's clock: "" when accepted,
// else why not (for the fault's reason).
func (s *Server) checkToken(req request) string {
	tok := req.Header.Token
	if tok == nil {
		return "Sender not Authorized: no UsernameToken"
	}
	if tok.Username != s.opts.User || !strings.HasSuffix(tok.Password.Type, "#PasswordDigest") {
		return "Sender not Authorized"
	}
	created, err := time.Parse(time.RFC3339Nano, tok.Created)
	if err != nil {
		return "Sender not Authorized: bad Created"
	}
	camNow := s.Now()
	if d := created.Sub(camNow); d > s.opts.MaxSkew || d < -s.opts.MaxSkew {
		return fmt.Sprintf("Sender not Authorized: Created is %s from the camera's clock", d.Round(time.Second))
	}
	n, err := base64.StdEncoding.DecodeString(tok.Nonce)
	if err != nil || len(n) == 0 {
		return "Sender not Authorized: bad Nonce"
	}
	h := sha1.New() //nolint:gosec // the UsernameToken profile defines SHA-1
	h.Write(n)
	h.Write([]byte(tok.Created))
	h.Write([]byte(s.opts.Password))
	if base64.StdEncoding.EncodeToString(h.Sum(nil)) != strings.TrimSpace(tok.Password.Value) {
		return "Sender not Authorized"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, seen := s.nonces[tok.Nonce]; seen {
		return "Sender not Authorized: nonce replayed"
	}
	for k, t := range s.nonces {
		if time.Since(t) > time.Minute {
			delete(s.nonces, k)
		}
	}
	s.nonces[tok.Nonce] = time.Now()
	return ""
}

// firstElement returns the local name of the first element in b and b.
func firstElement(b []byte) (string, []byte) {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		t, err := d.Token()
		if err != nil {
			return "", b
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Local, b
		}
	}
}

// args of the operations, by local name.
type args struct {
	Profile string `xml:"ProfileToken"`
	// ContinuousMove
	Velocity *struct {
		PanTilt *struct {
			X *float64 `xml:"x,attr"`
			Y *float64 `xml:"y,attr"`
		} `xml:"PanTilt"`
		Zoom *struct {
			X *float64 `xml:"x,attr"`
		} `xml:"Zoom"`
	} `xml:"Velocity"`
	Timeout string `xml:"Timeout"`
	// RelativeMove
	Translation *struct {
		PanTilt *struct {
			X     float64 `xml:"x,attr"`
			Y     float64 `xml:"y,attr"`
			Space string  `xml:"space,attr"`
		} `xml:"PanTilt"`
	} `xml:"Translation"`
	// GetConfigurationOptions
	ConfigurationToken string
	// Stop
	PanTilt, Zoom string
	// presets
	PresetToken, PresetName string
}

const profileToken = "prof1"

const fovSpace = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov"

func (s *Server) answer(op string, raw []byte) (string, *Fault) {
	var a args
	_ = xml.Unmarshal(raw, &a)
	host := s.opts.ReportHost
	if host == "" {
		host = s.addr
	}
	web := "http://"
	if s.cert != nil {
		web = "https://"
	}
	ptzOp := map[string]bool{"ContinuousMove": true, "Stop": true, "GetPresets": true, "GotoPreset": true,
		"SetPreset": true, "GetNodes": true, "RelativeMove": true, "GetConfigurationOptions": true}[op]
	if ptzOp && s.opts.NoPTZ {
		return "", &Fault{Code: "Receiver", Subcode: "ActionNotSupported", Reason: "PTZ is not supported"}
	}
	if ptzOp && op != "GetNodes" && op != "GetConfigurationOptions" || op == "GetStreamUri" || op == "GetSnapshotUri" {
		if a.Profile != profileToken {
			return "", &Fault{Code: "Sender", Subcode: "NoProfile", Reason: "no such profile " + a.Profile}
		}
	}
	switch op {
	case "GetSystemDateAndTime":
		t := s.Now().UTC()
		return fmt.Sprintf(`<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>`+
			`<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>%d</tt:Hour><tt:Minute>%d</tt:Minute>`+
			`<tt:Second>%d</tt:Second></tt:Time><tt:Date><tt:Year>%d</tt:Year><tt:Month>%d</tt:Month><tt:Day>%d</tt:Day></tt:Date>`+
			`</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
			t.Hour(), t.Minute(), t.Second(), t.Year(), int(t.Month()), t.Day()), nil
	case "GetServices":
		ptz := ""
		if !s.opts.NoPTZ {
			ptz = `<tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace><tds:XAddr>` + web + host + `/onvif/ptz_service</tds:XAddr></tds:Service>`
		}
		return `<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>` + web + host + `/onvif/device_service</tds:XAddr></tds:Service>` +
			`<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>` + web + host + `/onvif/media_service</tds:XAddr></tds:Service>` +
			ptz + `</tds:GetServicesResponse>`, nil
	case "GetCapabilities":
		if s.opts.NoCapabilities {
			return "", &Fault{Code: "Sender", Subcode: "ActionNotSupported", Reason: "use GetServices"}
		}
		ptz := ""
		if !s.opts.NoPTZ {
			ptz = `<tt:PTZ><tt:XAddr>` + web + host + `/onvif/ptz_service</tt:XAddr></tt:PTZ>`
		}
		return `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>` + web + host + `/onvif/device_service</tt:XAddr></tt:Device>` +
			`<tt:Media><tt:XAddr>` + web + host + `/onvif/media_service</tt:XAddr></tt:Media>` + ptz +
			`</tds:Capabilities></tds:GetCapabilitiesResponse>`, nil
	case "GetDeviceInformation":
		return `<tds:GetDeviceInformationResponse><tds:Manufacturer>Vigil</tds:Manufacturer><tds:Model>Simulated PTZ</tds:Model>` +
			`<tds:FirmwareVersion>1.0-sim</tds:FirmwareVersion><tds:SerialNumber>0001</tds:SerialNumber>` +
			`<tds:HardwareId>sim</tds:HardwareId></tds:GetDeviceInformationResponse>`, nil
	case "GetProfiles":
		ptz := ""
		if !s.opts.NoPTZ {
			ptz = `<tt:PTZConfiguration token="ptz0"><tt:Name>ptz</tt:Name><tt:NodeToken>node0</tt:NodeToken></tt:PTZConfiguration>`
		}
		return `<trt:GetProfilesResponse><trt:Profiles token="sub0" fixed="true"><tt:Name>sub</tt:Name></trt:Profiles>` +
			`<trt:Profiles token="` + profileToken + `" fixed="true"><tt:Name>main</tt:Name>` + ptz + `</trt:Profiles></trt:GetProfilesResponse>`, nil
	case "GetStreamUri":
		uri := s.opts.StreamURI
		if s.opts.StreamMJPEG {
			uri = s.MJPEGURL()
		}
		if uri == "" {
			uri = "rtsp://" + host + "/stream"
		}
		return `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>` + escape(uri) + `</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
			`<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`, nil
	case "GetSnapshotUri":
		return `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>` + escape(s.SnapshotURL()) + `</tt:Uri></trt:MediaUri></trt:GetSnapshotUriResponse>`, nil
	case "GetNodes":
		return `<tptz:GetNodesResponse><tptz:PTZNode token="node0"><tt:Name>head</tt:Name><tt:MaximumNumberOfPresets>64</tt:MaximumNumberOfPresets>` +
			`</tptz:PTZNode></tptz:GetNodesResponse>`, nil
	case "GetConfigurationOptions":
		if a.ConfigurationToken != "ptz0" {
			return "", &Fault{Code: "Sender", Subcode: "NoConfig", Reason: "no such configuration"}
		}
		fov := ""
		if !s.opts.NoFOV {
			fov = `<tt:RelativePanTiltTranslationSpace><tt:URI>` + fovSpace + `</tt:URI><tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange>` +
				`<tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:RelativePanTiltTranslationSpace>`
		}
		return `<tptz:GetConfigurationOptionsResponse><tptz:PTZConfigurationOptions><tt:Spaces>` +
			`<tt:RelativePanTiltTranslationSpace><tt:URI>http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationGenericSpace</tt:URI></tt:RelativePanTiltTranslationSpace>` +
			fov + `</tt:Spaces></tptz:PTZConfigurationOptions></tptz:GetConfigurationOptionsResponse>`, nil
	case "RelativeMove":
		tr := a.Translation
		if tr == nil || tr.PanTilt == nil || tr.PanTilt.Space != fovSpace || s.opts.NoFOV {
			return "", &Fault{Code: "Sender", Subcode: "InvalidArgVal", Reason: "only the field-of-view translation space is simulated"}
		}
		s.mu.Lock()
		p := s.positionLocked(time.Now())
		fw, fh := s.FOV(p[2])
		s.travelLocked(p[0]+tr.PanTilt.X*fw/2, p[1]+tr.PanTilt.Y*fh/2)
		s.mu.Unlock()
		return `<tptz:RelativeMoveResponse/>`, nil
	case "ContinuousMove":
		if a.Timeout != "" {
			return "", &Fault{Code: "Sender", Subcode: "InvalidArgVal", Reason: "timeout is an unsupported field"}
		}
		v, ok := velocity(a)
		if !ok {
			return "", &Fault{Code: "Sender", Subcode: "InvalidArgVal", Reason: "every velocity attribute must be given"}
		}
		s.mu.Lock()
		s.setVelocityLocked(v)
		s.mu.Unlock()
		return `<tptz:ContinuousMoveResponse/>`, nil
	case "Stop":
		s.mu.Lock()
		v := s.vel
		if a.PanTilt != "false" {
			v[0], v[1] = 0, 0
		}
		if a.Zoom != "false" {
			v[2] = 0
		}
		s.setVelocityLocked(v)
		s.mu.Unlock()
		return `<tptz:StopResponse/>`, nil
	case "GetPresets":
		s.mu.Lock()
		var b strings.Builder
		b.WriteString(`<tptz:GetPresetsResponse>`)
		for _, p := range s.presets {
			fmt.Fprintf(&b, `<tptz:Preset token="%s"><tt:Name>%s</tt:Name></tptz:Preset>`, escape(p.token), escape(p.name))
		}
		b.WriteString(`</tptz:GetPresetsResponse>`)
		s.mu.Unlock()
		return b.String(), nil
	case "GotoPreset":
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, p := range s.presets {
			if p.token == a.PresetToken {
				s.setVelocityLocked([3]float64{})
				s.pos = p.pos
				return `<tptz:GotoPresetResponse/>`, nil
			}
		}
		return "", &Fault{Code: "Sender", Subcode: "NoToken", Reason: "no such preset"}
	case "SetPreset":
		s.mu.Lock()
		defer s.mu.Unlock()
		pos := s.positionLocked(time.Now())
		if a.PresetToken != "" {
			for i, p := range s.presets {
				if p.token == a.PresetToken {
					s.presets[i].pos = pos
					if a.PresetName != "" {
						s.presets[i].name = a.PresetName
					}
					return `<tptz:SetPresetResponse><tptz:PresetToken>` + escape(p.token) + `</tptz:PresetToken></tptz:SetPresetResponse>`, nil
				}
			}
			return "", &Fault{Code: "Sender", Subcode: "NoToken", Reason: "no such preset"}
		}
		tok := strconv.Itoa(s.nextID)
		s.nextID++
		s.presets = append(s.presets, preset{token: tok, name: a.PresetName, pos: pos})
		return `<tptz:SetPresetResponse><tptz:PresetToken>` + tok + `</tptz:PresetToken></tptz:SetPresetResponse>`, nil
	}
	return "", &Fault{Code: "Sender", Subcode: "ActionNotSupported", Reason: "unknown operation " + op}
}

// velocity reads a ContinuousMove's velocity; ok is false when an axis's attribute is
// missing (the simulator is strict, as cameras that keep the old speed effectively are).
func velocity(a args) ([3]float64, bool) {
	v := a.Velocity
	if v == nil || v.PanTilt == nil || v.PanTilt.X == nil || v.PanTilt.Y == nil || v.Zoom == nil || v.Zoom.X == nil {
		return [3]float64{}, false
	}
	c := func(x float64) float64 { return max(-1, min(1, x)) }
	return [3]float64{c(*v.PanTilt.X), c(*v.PanTilt.Y), c(*v.Zoom.X)}, true
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ` +
	`xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" ` +
	`xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>`

func (s *Server) reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, envelopeStart+body+`</env:Body></env:Envelope>`)
}

func (s *Server) fault(w http.ResponseWriter, f Fault) {
	status := http.StatusBadRequest
	if f.Code == "Receiver" {
		status = http.StatusInternalServerError
	}
	sub := ""
	if f.Subcode != "" {
		sub = `<env:Subcode><env:Value>ter:` + escape(f.Subcode) + `</env:Value></env:Subcode>`
	}
	s.reply(w, status, `<env:Fault><env:Code><env:Value>env:`+escape(f.Code)+`</env:Value>`+sub+`</env:Code>`+
		`<env:Reason><env:Text xml:lang="en">`+escape(f.Reason)+`</env:Text></env:Reason></env:Fault>`)
}

// snapshot serves the view of the panorama at the head's position as a JPEG.
func (s *Server) snapshot(w http.ResponseWriter, _ *http.Request) {
	pan, tilt, zoom := s.Position()
	w.Header().Set("Content-Type", "image/jpeg")
	_ = jpeg.Encode(w, View(pan, tilt, zoom, s.opts.Width, s.opts.Height), &jpeg.Options{Quality: 85})
}

// mjpeg streams the view at 10 fps until the client leaves or the server closes.
func (s *Server) mjpeg(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=vigilframe")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var buf bytes.Buffer
	for {
		pan, tilt, zoom := s.Position()
		buf.Reset()
		_ = jpeg.Encode(&buf, View(pan, tilt, zoom, s.opts.Width, s.opts.Height), &jpeg.Options{Quality: 80})
		if _, err := fmt.Fprintf(w, "--vigilframe\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", buf.Len()); err != nil {
			return
		}
		if _, err := w.Write(append(buf.Bytes(), '\r', '\n')); err != nil {
			return
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// View renders the head's view of the synthetic panorama: red grows with the world's x
// (pan right), green with its y (tilt up), blue marks a grid; zoom narrows the view (at
// zoom 0 a quarter of the pan range is in view, at zoom 1 a sixteenth). The centre
// pixel's red and green therefore follow pan and tilt, which tests read.
func View(pan, tilt, zoom float64, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fov := 0.5 / (1 + 3*zoom) // in generic units, across the picture (Server.FOV)
	for y := range h {
		wy := tilt - (float64(y)/float64(h)-0.5)*fov*float64(h)/float64(w)
		for x := range w {
			wx := pan + (float64(x)/float64(w)-0.5)*fov
			r := uint8(math.Round((max(-1.5, min(1.5, wx)) + 1.5) / 3 * 255))
			g := uint8(math.Round((max(-1.5, min(1.5, wy)) + 1.5) / 3 * 255))
			var b uint8
			if math.Abs(wx*20-math.Round(wx*20)) < 0.05 || math.Abs(wy*20-math.Round(wy*20)) < 0.05 {
				b = 255
			}
			img.SetRGBA(x, y, color.RGBA{R: r, G: g, B: b, A: 255})
		}
	}
	return img
}
