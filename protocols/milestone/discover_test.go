package milestone_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone"
)

func TestDiscoverAsksToTrustThenListsCamerasByRecorder(t *testing.T) {
	srv, rec := site(t, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := "milestones://" + srv.Addr()

	// First contact: the self-signed certificate is refused, with its fingerprint.
	_, err := milestone.Discover(ctx, milestone.DiscoverOptions{URL: url, User: "admin", Password: "secret"})
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Fingerprint != srv.Fingerprint() {
		t.Fatalf("untrusted server: err = %v, want a certificate error with fingerprint %s", err, srv.Fingerprint())
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatal("error shows the password")
	}

	// Accepted: cameras grouped under their recorder.
	s, err := milestone.Discover(ctx, milestone.DiscoverOptions{URL: url, User: "admin", Password: "secret", PinSHA256: ce.Fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != srv.Addr() || len(s.Recorders) != 1 {
		t.Fatalf("site %+v", s)
	}
	r := s.Recorders[0]
	if r.Name != "Recorder 1" || r.Addr != rec.Addr() || r.TLS || r.Untrusted != "" || len(r.Cameras) != 2 ||
		r.Cameras[0] != (milestone.SiteCamera{ID: gateID, Name: "Gate"}) {
		t.Fatalf("recorder %+v", r)
	}
	if got := s.Cameras(); len(got) != 2 || got[1] != (capture.ProbeCamera{Name: "Yard", ID: yardID, Recorder: "Recorder 1"}) {
		t.Fatalf("cameras %+v", got)
	}
	if got := milestone.CameraURL(url+"/", gateID); got != url+"/"+gateID {
		t.Fatalf("camera URL %q", got)
	}
	if srv.Logins() < 1 {
		t.Fatalf("logins = %d", srv.Logins())
	}

	// Wrong password: refused as such.
	_, err = milestone.Discover(ctx, milestone.DiscoverOptions{URL: url, User: "admin", Password: "n0t-the-pa55",
		Pins: func(string) string { return ce.Fingerprint }})
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "n0t-the-pa55") {
		t.Fatalf("wrong password: %v", err)
	}
}
