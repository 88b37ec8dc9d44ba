package milestone_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// hostileText holds what XML lets through and a terminal acts on: the C1 control
// sequence introducer (U+009B, "CSI 2 J" clears an 8-bit terminal), a bidi override, and
// an escape as a character reference, which XML 1.0 forbids but a server may send.
const hostileText = "\u009b2J\u009bHOK\u202e"

func assertCleanError(t *testing.T, err error) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\u009b", "\u202e", "&#x1b;"} {
		if strings.Contains(err.Error(), bad) {
			t.Fatalf("error holds %q: %q", bad, err)
		}
	}
}

// TestHostileServerTextNeverReachesTheScreenRaw: SOAP fault text, HTTP statuses, camera
// names and Image Server error reasons from a hostile VMS give errors of the right kind
// and no control characters.
func TestHostileServerTextNeverReachesTheScreenRaw(t *testing.T) {
	run := func(src *milestone.Source) error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return src.Run(ctx, &capturetest.Sink{})
	}
	fault := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>a:` + hostileText +
		`</faultcode><faultstring>` + hostileText + `</faultstring></s:Fault></s:Body></s:Envelope>`
	for _, c := range []struct {
		name   string
		status int
		body   string
		kind   error
	}{
		{"fault", 500, fault, nil},
		{"fault with an escape reference", 500, strings.Replace(fault, "</faultstring>", "&#x1b;[2J</faultstring>", 1), nil},
		{"fault code only", 500, strings.Replace(fault, "<faultstring>"+hostileText+"</faultstring>", "", 1), nil},
		{"busy", 503, hostileText, capture.ErrBusy},
		{"forbidden", 403, hostileText, capture.ErrForbidden},
		{"server error", 502, hostileText, capture.ErrServerError},
	} {
		srv := milestonetest.NewServer(milestonetest.Options{PlainHTTP: true, Refuse: c.status, RefuseBody: c.body})
		err := run(&milestone.Source{URL: "milestone://admin:secret@" + srv.Addr() + "/Gate"})
		srv.Close()
		if err == nil || (c.kind != nil && !errors.Is(err, c.kind)) {
			t.Fatalf("%s: error %v, want %v", c.name, err, c.kind)
		}
		t.Logf("%s: %v", c.name, err)
		assertCleanError(t, err)
	}

	// Camera names listed in an error, and a recorder's error reason.
	srv := milestonetest.NewServer(milestonetest.Options{PlainHTTP: true})
	defer srv.Close()
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{RefuseReason: "Unknown device \x1b[2J" + hostileText,
		Cameras: map[string][][]byte{gateID: mjpegtest.MakeFrames(1, 64, 48)}})
	defer rec.Close()
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Rec\u009b2J", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate\u009b2J\u202e"}}})
	// The sidebar lists what Discover returns: names cleaned, IDs kept for addressing.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	site, err := milestone.Discover(ctx, milestone.DiscoverOptions{URL: "milestone://" + srv.Addr(), User: "admin", Password: "secret"})
	if err != nil || len(site.Recorders) != 1 || len(site.Recorders[0].Cameras) != 1 {
		t.Fatalf("discover: %+v, %v", site, err)
	}
	if r := site.Recorders[0]; r.Name != "Rec" || r.Cameras[0] != (milestone.SiteCamera{ID: gateID, Name: "Gate"}) {
		t.Fatalf("listed names not cleaned: %q %+v", r.Name, r.Cameras)
	}
	err = run(&milestone.Source{URL: "milestone://admin:secret@" + srv.Addr() + "/Lobby"})
	if !errors.Is(err, capture.ErrNotFound) || !strings.Contains(err.Error(), "Gate") || strings.Contains(err.Error(), "2J") {
		t.Fatalf("unknown camera: %v", err)
	}
	assertCleanError(t, err)
	err = run(&milestone.Source{URL: "milestone://admin:secret@" + srv.Addr() + "/" + gateID})
	if err == nil {
		t.Fatal("a refusing recorder gave no error")
	}
	t.Logf("refused: %v", err)
	assertCleanError(t, err)
}
