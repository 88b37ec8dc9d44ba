package onvif

import (
	"bytes"
	"errors"
	"image/jpeg"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/onvif/onviftest"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// skew is how far the simulated camera's clock is off: well beyond any camera's
// tolerance, so only a client that signs with the camera's time gets in.
const skew = 10 * time.Minute

func registry() *capture.Registry {
	r := &capture.Registry{}
	Register(r)
	rtsp.Register(r)
	return r
}

func startCamera(t *testing.T, o onviftest.Options) (*onviftest.Server, capture.PTZ) {
	t.Helper()
	if o.User == "" {
		o.User, o.Password = "operator", "pw-ptz"
	}
	if o.ClockOffset == 0 {
		o.ClockOffset = skew
	}
	srv := onviftest.Start(t, o)
	p, err := registry().NewPTZ(srv.URL(), capture.Settings{User: o.User, Password: o.Password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return srv, p
}

// bodies returns the request bodies of op, in order.
func bodies(srv *onviftest.Server, op string) []string {
	var out []string
	for _, c := range srv.Commands() {
		if c.Op == op {
			out = append(out, c.Body)
		}
	}
	return out
}

func TestPTZInfoAndPresetsWithSkewedClock(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{})
	info, err := p.Info(capturetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	want := capture.PTZInfo{Name: "Vigil", Model: "Simulated PTZ", Firmware: "1.0-sim", PTZ: true, Presets: 64}
	if info != want {
		t.Errorf("Info = %+v, want %+v", info, want)
	}
	if off := p.(*Camera).Client().ClockOffset(); off < skew-2*time.Second || off > skew+2*time.Second {
		t.Errorf("clock offset %v, want about %v", off, skew)
	}
	ops := srv.Ops()
	if len(ops) < 2 || ops[0] != "GetSystemDateAndTime" || ops[1] != "GetCapabilities" {
		t.Errorf("first operations %q, want the clock first, then the capabilities", ops)
	}
	if c := srv.Commands()[0]; c.User != "" {
		t.Errorf("GetSystemDateAndTime was signed by %q; it must go unauthenticated (the clock is not known yet)", c.User)
	}
	for _, c := range srv.Commands()[1:] {
		if c.User != "operator" {
			t.Errorf("%s sent without the UsernameToken", c.Op)
		}
	}

	ps, err := p.Presets(capturetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := []capture.Preset{{ID: "1", Name: "Home"}, {ID: "2", Name: "Gate"}}; !slices.Equal(ps, want) {
		t.Errorf("Presets = %v, want %v", ps, want)
	}
	if err := p.GotoPreset(capturetest.Context(t), "2"); err != nil {
		t.Fatal(err)
	}
	if pan, tilt, zoom := srv.Position(); pan != 0.5 || tilt != -0.2 || zoom != 0.3 {
		t.Errorf("after GotoPreset 2 the head is at %v %v %v, want preset Gate's 0.5 -0.2 0.3", pan, tilt, zoom)
	}
	// Store overwrites the preset whose token is given, and creates one without.
	if err := p.StorePreset(capturetest.Context(t), "1", "Car park"); err != nil {
		t.Fatal(err)
	}
	if err := p.StorePreset(capturetest.Context(t), "", "New"); err != nil {
		t.Fatal(err)
	}
	sets := bodies(srv, "SetPreset")
	if len(sets) != 2 || !strings.Contains(sets[0], "<tptz:PresetName>Car park</tptz:PresetName><tptz:PresetToken>1</tptz:PresetToken>") ||
		strings.Contains(sets[1], "PresetToken") {
		t.Errorf("SetPreset bodies %q: want the token to overwrite, none for a new preset", sets)
	}
	ps, err = p.Presets(capturetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := []capture.Preset{{ID: "1", Name: "Car park"}, {ID: "2", Name: "Gate"}, {ID: "3", Name: "New"}}; !slices.Equal(ps, want) {
		t.Errorf("Presets after store = %v, want %v", ps, want)
	}
}

func TestPTZMoveExplicitZerosAndStopBeforeReversal(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{Speed: 1})
	c := capturetest.Context(t)
	if err := p.Move(c, capture.Velocity{Pan: 0.5}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if err := p.Move(c, capture.Velocity{Pan: 1}); err != nil { // faster, same way: no stop
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	right, _, _ := srv.Position()
	if right <= 0.1 {
		t.Errorf("after moving right the pan is %v, want > 0.1", right)
	}
	if err := p.Move(c, capture.Velocity{Pan: -1, Zoom: 0.25}); err != nil { // reversal: Stop first
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	left, _, zoom := srv.Position()
	if left >= right || zoom <= 0 {
		t.Errorf("after moving left and zooming in the head is at pan %v zoom %v, want pan < %v and zoom > 0", left, zoom, right)
	}
	if err := p.Move(c, capture.Velocity{}); err != nil { // a zero velocity is a Stop
		t.Fatal(err)
	}
	if srv.Moving() {
		t.Error("the head still moves after the stop")
	}

	var moves []string
	for _, cmd := range srv.Commands() {
		if cmd.Op == "ContinuousMove" || cmd.Op == "Stop" {
			moves = append(moves, cmd.Op)
		}
	}
	if want := []string{"ContinuousMove", "ContinuousMove", "Stop", "ContinuousMove", "Stop"}; !slices.Equal(moves, want) {
		t.Errorf("PTZ commands %q, want %q (a Stop before the reversal and at the end)", moves, want)
	}
	cm := bodies(srv, "ContinuousMove")
	wantXML := []string{
		`<tptz:ContinuousMove><tptz:ProfileToken>prof1</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="0.5" y="0"></tt:PanTilt><tt:Zoom x="0"></tt:Zoom></tptz:Velocity></tptz:ContinuousMove>`,
		`<tptz:ContinuousMove><tptz:ProfileToken>prof1</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="1" y="0"></tt:PanTilt><tt:Zoom x="0"></tt:Zoom></tptz:Velocity></tptz:ContinuousMove>`,
		`<tptz:ContinuousMove><tptz:ProfileToken>prof1</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="-1" y="0"></tt:PanTilt><tt:Zoom x="0.25"></tt:Zoom></tptz:Velocity></tptz:ContinuousMove>`,
	}
	if !slices.Equal(cm, wantXML) {
		t.Errorf("ContinuousMove bodies:\n%s\nwant:\n%s", strings.Join(cm, "\n"), strings.Join(wantXML, "\n"))
	}
	for _, b := range bodies(srv, "Stop") {
		if want := `<tptz:Stop><tptz:ProfileToken>prof1</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`; b != want {
			t.Errorf("Stop body %s, want %s", b, want)
		}
	}
}

func TestPTZSnapshotFollowsTheHead(t *testing.T) {
	_, p := startCamera(t, onviftest.Options{Speed: 2})
	uri, err := p.(*Camera).SnapshotURI(capturetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	red := func() (r, g uint32) {
		t.Helper()
		resp, err := http.Get(uri)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		img, err := jpeg.Decode(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		r, g, _, _ = img.At(b.Dx()/2, b.Dy()/2).RGBA()
		return r >> 8, g >> 8
	}
	r0, g0 := red()
	for _, v := range []capture.Velocity{{Pan: 1}, {Tilt: 1}} {
		if err := p.Move(capturetest.Context(t), v); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := p.Stop(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	r1, g1 := red()
	if r1 <= r0+10 || g1 <= g0+10 {
		t.Errorf("the picture's centre went from red %d green %d to %d %d: want both higher after turning right and up", r0, g0, r1, g1)
	}
}

func TestPTZLocalClockIsRefused(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{})
	cam := p.(*Camera)
	if err := cam.c.connect(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	cam.c.mu.Lock()
	cam.c.offset = 0 // sign with this computer's clock, as peers do
	cam.c.mu.Unlock()
	_, err := p.Info(capturetest.Context(t))
	t.Log(err)
	if !errors.Is(err, capture.ErrUnauthorized) {
		t.Fatalf("signing with the local clock: err %v, want ErrUnauthorized", err)
	}
	if ops := srv.Ops(); ops[len(ops)-1] != "GetProfiles" {
		t.Errorf("last operation %q, want the refused GetProfiles", ops[len(ops)-1])
	}
	for _, w := range []string{"wrong user or password", "NotAuthorized", "from the camera's clock"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if capture.Classify(err) != capture.CauseUnauthorized {
		t.Errorf("Classify = %v", capture.Classify(err))
	}
}

func TestPTZFaults(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		srv := onviftest.Start(t, onviftest.Options{User: "operator", Password: "right", ClockOffset: skew})
		p, err := registry().NewPTZ(srv.URL(), capture.Settings{User: "operator", Password: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		err = p.Stop(capturetest.Context(t))
		if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "wrong\"") {
			t.Fatalf("err %v, want ErrUnauthorized", err)
		}
	})
	t.Run("not supported, hostile text", func(t *testing.T) {
		srv, p := startCamera(t, onviftest.Options{})
		srv.SetFault("GotoPreset", onviftest.Fault{Code: "Receiver", Subcode: "ActionNotSupported", Reason: "\x1b[2Jno \u202epresets here"})
		err := p.GotoPreset(capturetest.Context(t), "1")
		if !errors.Is(err, capture.ErrUnsupported) {
			t.Fatalf("err %v, want ErrUnsupported", err)
		}
		msg := err.Error()
		t.Log(msg)
		if strings.ContainsAny(msg, "\x1b\u202e") || !strings.Contains(msg, "ActionNotSupported") || !strings.Contains(msg, "does not offer") {
			t.Errorf("message %q: want it cleaned, naming the subcode and saying what it means", msg)
		}
	})
	t.Run("unknown profile", func(t *testing.T) {
		srv := onviftest.Start(t, onviftest.Options{User: "u", Password: "p", ClockOffset: skew})
		p, err := registry().NewPTZ(srv.URL()+"?profile=nope", capture.Settings{User: "u", Password: "p"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		err = p.Stop(capturetest.Context(t))
		if !errors.Is(err, capture.ErrNotFound) || !strings.Contains(err.Error(), `"prof1"`) {
			t.Fatalf("err %v, want ErrNotFound naming the profiles the camera has", err)
		}
	})
	t.Run("fixed camera", func(t *testing.T) {
		_, p := startCamera(t, onviftest.Options{NoPTZ: true})
		info, err := p.Info(capturetest.Context(t))
		if err != nil || info.PTZ {
			t.Fatalf("Info = %+v, %v: want PTZ false", info, err)
		}
		if err := p.Move(capturetest.Context(t), capture.Velocity{Pan: 1}); !errors.Is(err, capture.ErrUnsupported) {
			t.Fatalf("Move on a fixed camera: %v, want ErrUnsupported", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		p, err := registry().NewPTZ("onvif://127.0.0.1:1/", capture.Settings{User: "u", Password: "p"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		err = p.Stop(capturetest.Context(t))
		t.Log(err)
		if capture.Classify(err) != capture.CauseRefused || !strings.Contains(err.Error(), "ONVIF") {
			t.Fatalf("err %v (%v), want refused with advice about the ONVIF port", err, capture.Classify(err))
		}
	})
}

func TestPTZStreamURIPlaysThroughRegistry(t *testing.T) {
	rts := rtsptest.StartCamera(t) // Digest, viewer / pw-42
	srv := onviftest.Start(t, onviftest.Options{User: "viewer", Password: "pw-42", ClockOffset: skew,
		StreamURI: rts.URL("cam"), ReportHost: "192.0.2.7"}) // service addresses behind NAT
	src, err := registry().NewSource("onvif://viewer:pw-42@"+srv.Addr()+"/", capture.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	k := capturetest.Received(t, src, 5)
	if k.Len() < 5 {
		t.Fatalf("%d packets", k.Len())
	}
	if infos := k.Infos(); len(infos) == 0 || infos[0].Codec != "h264" {
		t.Errorf("stream info %+v, want the RTSP camera's H.264", infos)
	}
	if got := src.(*Source).StreamURL(); got != rts.URL("cam") {
		t.Errorf("played %q, want the GetStreamUri answer %q", got, rts.URL("cam"))
	}
	if !slices.Contains(srv.Ops(), "GetStreamUri") {
		t.Errorf("operations %q lack GetStreamUri", srv.Ops())
	}
	ps, ok := src.(capture.PTZSource)
	if !ok {
		t.Fatal("the ONVIF Source is not a capture.PTZSource")
	}
	p, ok := ps.PTZ()
	if !ok {
		t.Fatal("PTZ() not ok for a PTZ camera")
	}
	defer p.Close()
	if err := p.Stop(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterCheckURL(t *testing.T) {
	r := registry()
	pr, ok := r.Lookup("onvifs")
	if !ok || pr.NewPTZ == nil || pr.New == nil {
		t.Fatal("onvifs not registered with New and NewPTZ")
	}
	for raw, want := range map[string]string{
		"onvif://cam/":             "",
		"onvif://cam/?profile=p1":  "",
		"onvif:///":                "missing host",
		"onvif://cam/?profle=typo": "unknown parameter",
	} {
		u, err := capture.ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := pr.CheckURL(u); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("CheckURL(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestPTZGetServicesAndHTTPDigest(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{NoCapabilities: true, HTTPDigest: true})
	if err := p.Move(capturetest.Context(t), capture.Velocity{Tilt: -1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	ops := srv.Ops()
	for _, w := range []string{"GetCapabilities", "GetServices", "ContinuousMove", "Stop"} {
		if !slices.Contains(ops, w) {
			t.Errorf("operations %q lack %s", ops, w)
		}
	}
	if _, tilt, _ := srv.Position(); tilt >= 0 {
		t.Errorf("tilt %v after moving down", tilt)
	}
}

// TestPTZStopLatency measures the time from Stop being called to the camera receiving it
// (the "release to stop request", target ≤ 50 ms), on a kept-alive connection.
func TestPTZStopLatency(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{})
	capturetest.StopLatency(t, "ONVIF Stop() → camera", p, func() time.Time {
		cmds := srv.Commands()
		last := cmds[len(cmds)-1]
		if last.Op != "Stop" {
			t.Fatalf("last command %s", last.Op)
		}
		return last.Time
	})
}

func TestPTZLiveViewPansOnAWallTile(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{Speed: 2})
	r := registry()
	mjpeg.Register(r)
	src, err := r.NewSource(srv.MJPEGURL(), capture.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	centre := func(k *capturetest.Sink) uint32 {
		t.Helper()
		pk, _, _ := k.Last()
		img, err := jpeg.Decode(bytes.NewReader(pk.Data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		r, _, _, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA()
		return r >> 8
	}
	k := capturetest.Received(t, src, 1)
	before := centre(k)
	if err := p.Move(capturetest.Context(t), capture.Velocity{Pan: 1}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := p.Stop(capturetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if k, err = capturetest.Run(t, src, 1); err != nil {
		t.Fatal(err)
	}
	if after := centre(k); after <= before+10 {
		t.Errorf("the live view's centre went from red %d to %d after panning right", before, after)
	}
}

func TestPTZOverHTTPSTrustedByPin(t *testing.T) {
	srv := onviftest.Start(t, onviftest.Options{User: "u", Password: "p", ClockOffset: skew, TLS: true})
	untrusted, err := registry().NewPTZ(srv.URL(), capture.Settings{User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer untrusted.Close()
	var ce *trust.CertError
	if _, err := untrusted.Info(capturetest.Context(t)); !errors.As(err, &ce) || capture.Classify(err) != capture.CauseTLS {
		t.Fatalf("an unpinned self-signed camera: %v, want a certificate refusal", err)
	}
	pinned, err := registry().NewPTZ(srv.URL(), capture.Settings{User: "u", Password: "p",
		Pins: func(host string) string {
			if host == srv.Addr() {
				return srv.Fingerprint()
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer pinned.Close()
	if info, err := pinned.Info(capturetest.Context(t)); err != nil || !info.PTZ {
		t.Fatalf("pinned: %+v, %v", info, err)
	}
}

// TestPTZCenterOnAPoint clicks a point of the picture and checks that the camera turns
// until that point is in the middle, and how long the picture takes to settle.
func TestPTZCenterOnAPoint(t *testing.T) {
	srv, p := startCamera(t, onviftest.Options{Width: 320, Height: 240})
	c, ok := p.(capture.PTZCenterer)
	if !ok {
		t.Fatal("the ONVIF PTZ is not a PTZCenterer")
	}
	pan0, tilt0, zoom0 := srv.Position()
	clicked := onviftest.View(pan0, tilt0, zoom0, 320, 240).RGBAAt(240, 60) // x 0.75, y 0.25
	t0 := time.Now()
	if err := c.Center(capturetest.Context(t), 0.75, 0.25); err != nil {
		t.Fatal(err)
	}
	capturetest.WaitFor(t, "the head to settle", func() bool { return !srv.Moving() })
	settled := time.Since(t0)
	pan, tilt, zoom := srv.Position()
	fw, fh := srv.FOV(zoom0)
	if d, e := pan-pan0, fw/4; d < e-0.01 || d > e+0.01 {
		t.Errorf("panned %v, want %v (a quarter of the view)", d, e)
	}
	if d, e := tilt-tilt0, fh/4; d < e-0.01 || d > e+0.01 {
		t.Errorf("tilted %v, want %v", d, e)
	}
	centre := onviftest.View(pan, tilt, zoom, 320, 240).RGBAAt(160, 120)
	if diff := int(centre.R) - int(clicked.R); diff < -3 || diff > 3 || int(centre.G)-int(clicked.G) < -3 || int(centre.G)-int(clicked.G) > 3 {
		t.Errorf("the picture's centre is %v, the clicked point was %v", centre, clicked)
	}
	t.Logf("click-to-centre: the simulated picture settled %v after the click", settled.Round(time.Millisecond))
	b := bodies(srv, "RelativeMove")
	if want := `<tt:PanTilt x="0.5" y="0.5" space="` + SpaceFOV + `"></tt:PanTilt>`; len(b) != 1 || !strings.Contains(b[0], want) {
		t.Errorf("RelativeMove %q, want %s", b, want)
	}

	_, fixed := startCamera(t, onviftest.Options{NoFOV: true})
	if err := fixed.(capture.PTZCenterer).Center(capturetest.Context(t), 0.5, 0.5); !errors.Is(err, capture.ErrUnsupported) {
		t.Errorf("Center without the FOV space: %v, want ErrUnsupported", err)
	}
}

// TestActions pins the SOAP action of every request, sent in its Content-Type.
func TestActions(t *testing.T) {
	const device, media, ptz = "http://www.onvif.org/ver10/device/wsdl/", "http://www.onvif.org/ver10/media/wsdl/", "http://www.onvif.org/ver20/ptz/wsdl/"
	for _, c := range []struct {
		op   any
		want string
	}{
		{getSystemDateAndTime{}, device + "GetSystemDateAndTime"},
		{getCapabilities{}, device + "GetCapabilities"},
		{getServices{}, device + "GetServices"},
		{getDeviceInformation{}, device + "GetDeviceInformation"},
		{getProfiles{}, media + "GetProfiles"},
		{getStreamURI{}, media + "GetStreamUri"},
		{getSnapshotURI{}, media + "GetSnapshotUri"},
		{getNodes{}, ptz + "GetNodes"},
		{continuousMove{}, ptz + "ContinuousMove"},
		{getConfigurationOptions{}, ptz + "GetConfigurationOptions"},
		{relativeMove{}, ptz + "RelativeMove"},
		{stop{}, ptz + "Stop"},
		{getPresets{}, ptz + "GetPresets"},
		{gotoPreset{}, ptz + "GotoPreset"},
		{setPreset{}, ptz + "SetPreset"},
		{emptyResponse{}, ""},
		{"GetProfiles", ""},
	} {
		if got := action(c.op); got != c.want {
			t.Errorf("action(%T) = %q, want %q", c.op, got, c.want)
		}
	}
}
