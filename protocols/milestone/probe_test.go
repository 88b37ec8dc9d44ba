package milestone_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestProbeSilentManagementServer: a management server that accepts and never answers, or
// one that answers far too late, is named by the login it did not answer.
func TestProbeSilentManagementServer(t *testing.T) {
	addr := capturetest.SilentListener(t)
	src := &milestone.Source{URL: "milestone://" + addr + "/Gate", User: "admin", Password: "secret", Logger: quiet}
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 300 * time.Millisecond})
	want := "the management server " + addr + " did not answer the login within 300ms"
	if r.OK() || r.ErrorKind != capture.CauseTimeout || r.Error != want {
		t.Fatalf("silent: %q (%s), want %q", r.Error, r.ErrorKind, want)
	}

	slow := milestonetest.NewServer(milestonetest.Options{PlainHTTP: true, Delay: time.Minute})
	defer slow.Close()
	src = &milestone.Source{URL: "milestone://" + slow.Addr() + "/Gate", User: "admin", Password: "secret", Logger: quiet}
	r = capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 300 * time.Millisecond})
	if want := "the management server " + slow.Addr() + " did not answer the login within 300ms"; r.OK() || r.Error != want {
		t.Fatalf("stalling: %q (%s), want %q", r.Error, r.ErrorKind, want)
	}
}

// TestProbeSilentImageServer: a recording server whose Image Server port accepts and never
// answers.
func TestProbeSilentImageServer(t *testing.T) {
	addr := capturetest.SilentListener(t)
	srv := milestonetest.NewServer(milestonetest.Options{PlainHTTP: true})
	defer srv.Close()
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 1", WebServerURI: "http://" + addr + "/",
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate"}}})
	src := &milestone.Source{URL: "milestone://" + srv.Addr() + "/Gate", User: "admin", Password: "secret", Logger: quiet}
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: time.Second})
	want := "the recording server " + addr + " did not answer the Image Server connect request within 1s"
	if r.OK() || r.ErrorKind != capture.CauseTimeout || r.Error != want {
		t.Fatalf("%q (%s), want %q", r.Error, r.ErrorKind, want)
	}
}

// TestProbeUntrustedCertificateIsTLS: an https management server with a self-signed
// certificate, neither pinned nor accepted, fails with kind tls.
func TestProbeUntrustedCertificateIsTLS(t *testing.T) {
	srv := milestonetest.NewServer(milestonetest.Options{})
	defer srv.Close()
	src := &milestone.Source{URL: "milestones://" + srv.Addr() + "/Gate", User: "admin", Password: "secret", Logger: quiet}
	r := capture.Probe(context.Background(), src, capture.ProbeOptions{Timeout: 5 * time.Second})
	if r.OK() || r.ErrorKind != capture.CauseTLS {
		t.Fatalf("%q (%s), want kind tls", r.Error, r.ErrorKind)
	}
}
