package milestone_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	gateID = "0d5e1a2b-0000-4000-8000-000000000001"
	yardID = "0d5e1a2b-0000-4000-8000-000000000002"
)

// site is a management server with one recording server of two cameras.
func site(t *testing.T, ttl time.Duration) (*milestonetest.Server, *milestonetest.Recorder) {
	t.Helper()
	srv := milestonetest.NewServer(milestonetest.Options{TokenTTL: ttl})
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{FPS: 20, ValidToken: srv.ValidToken,
		Cameras: map[string][][]byte{gateID: mjpegtest.MakeFrames(5, 320, 240), yardID: mjpegtest.MakeFrames(5, 320, 240)}})
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 1", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate"}, {ID: yardID, Name: "Yard"}}})
	t.Cleanup(func() { rec.Close(); srv.Close() })
	return srv, rec
}

// labSite is a plain-HTTP management server with one recording server of one camera,
// Gate, that shows frames.
func labSite(t *testing.T, frames [][]byte) (*milestonetest.Server, *milestonetest.Recorder) {
	t.Helper()
	srv := milestonetest.NewServer(milestonetest.Options{PlainHTTP: true})
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{FPS: 20, ValidToken: srv.ValidToken,
		Cameras: map[string][][]byte{gateID: frames}})
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Lab recorder", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate"}}})
	t.Cleanup(func() { rec.Close(); srv.Close() })
	return srv, rec
}

// lastWidth is the width of the last packet k received, 0 before any.
func lastWidth(k *capturetest.Sink) int {
	p, _, _ := k.Last()
	return p.Width
}

// logCapture collects everything logged, to check that no token ever appears.
type logCapture = capturetest.LockedBuffer

func TestPlaysACameraAcrossTokenRenewals(t *testing.T) {
	srv, rec := site(t, 2*time.Second)
	logs := &logCapture{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Gate", Insecure: true, Logger: log}
	ctx, cancel := context.WithCancel(context.Background())
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()

	// Three token lifetimes: the recorder drops a session whose token expired, so frames
	// still arriving at the end prove renewal and connectupdate work.
	time.Sleep(6500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := k.Len(); n < 40 {
		t.Fatalf("%d packets in 6.5 s at 20 fps", n)
	}
	if _, at, _ := k.Last(); time.Since(at) > time.Second {
		age := time.Since(at)
		t.Fatalf("last packet %v before the end: the stream died", age)
	}
	if srv.Renewals() < 3 || rec.ConnectUpdates() < 3 {
		t.Fatalf("renewals %d, connectupdates %d", srv.Renewals(), rec.ConnectUpdates())
	}
	if lastWidth(k) != 320 || k.Infos()[0].Protocol != "milestone" {
		t.Fatalf("width %d, info %+v", lastWidth(k), k.Infos())
	}
	if strings.Contains(logs.String(), "TOKEN#") || strings.Contains(logs.String(), "secret") {
		t.Fatalf("a token or the password was logged:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "level=") {
		t.Log("nothing was logged at debug level; the check above proves less")
	}
	cams := src.Cameras()
	if len(cams) != 2 || cams[0].Recorder != "Recorder 1" || (cams[0].Name != "Gate" && cams[1].Name != "Gate") {
		t.Fatalf("cameras %+v", cams)
	}
	if src.Fingerprint() == "" || !strings.EqualFold(strings.ReplaceAll(src.Fingerprint(), ":", ""), strings.ReplaceAll(srv.Fingerprint(), ":", "")) {
		t.Fatalf("fingerprint %q, server %q", src.Fingerprint(), srv.Fingerprint())
	}
}

func TestFailuresSayWhat(t *testing.T) {
	srv, _ := site(t, time.Hour)
	run := func(src *milestone.Source) error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return src.Run(ctx, &capturetest.Sink{})
	}
	err := run(&milestone.Source{URL: "milestones://" + srv.Addr() + "/Gate", User: "admin", Password: "wrong-pa55", Insecure: true})
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "wrong-pa55") {
		t.Errorf("wrong password: %v", err)
	}
	err = run(&milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Lobby", Insecure: true})
	if !errors.Is(err, capture.ErrNotFound) || !strings.Contains(err.Error(), "Gate") {
		t.Errorf("unknown camera: %v", err)
	}
	err = run(&milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Gate"})
	if err == nil || capture.Classify(err) != capture.CauseTLS && !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("self-signed certificate without a pin: %v", err)
	}
}

func TestCancelWhileStreaming(t *testing.T) {
	srv, _ := site(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() {
		done <- (&milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Yard", Insecure: true}).Run(ctx, k)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for k.Len() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestTrustedByPinnedFingerprint: a saved camera behind a self-signed certificate plays
// when the settings pin that certificate, and a wrong pin is refused naming both.
func TestTrustedByPinnedFingerprint(t *testing.T) {
	srv, _ := site(t, time.Hour)
	play := func(pin string) (*capturetest.Sink, error) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		k := &capturetest.Sink{}
		done := make(chan error, 1)
		src := &milestone.Source{URL: "milestones://" + srv.Addr() + "/Gate", User: "admin", Password: "secret",
			Pins: func(hostPort string) string {
				if hostPort == srv.Addr() {
					return pin
				}
				return ""
			}}
		go func() { done <- src.Run(ctx, k) }()
		deadline := time.After(10 * time.Second)
		for k.Len() < 3 {
			select {
			case err := <-done:
				return k, err
			case <-deadline:
				cancel()
				return k, <-done
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancel()
		return k, <-done
	}
	if k, err := play(strings.ToLower(strings.ReplaceAll(srv.Fingerprint(), ":", ""))); err != nil || k.Len() < 3 {
		t.Fatalf("pinned: %v after %d packets", err, k.Len())
	}
	wrong := strings.Repeat("00:", 31) + "00"
	_, err := play(wrong)
	if err == nil || !strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), srv.Fingerprint()) {
		t.Fatalf("wrong pin: %v", err)
	}
}

// TestPlainHTTPLabServer: milestone:// speaks plain HTTP to a lab management server.
func TestPlainHTTPLabServer(t *testing.T) {
	srv, _ := labSite(t, mjpegtest.MakeFrames(3, 160, 120))
	ctx, cancel := context.WithCancel(context.Background())
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() {
		done <- (&milestone.Source{URL: "milestone://admin:secret@" + srv.Addr() + "/" + gateID}).Run(ctx, k)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for k.Len() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil || k.Len() < 3 || lastWidth(k) != 160 {
		t.Fatalf("plain HTTP lab server: %v after %d packets of width %d", err, k.Len(), lastWidth(k))
	}
}

// TestAsksTheRecorderForTheTileSize: a size hint (what a Stream gives for its viewers'
// box) makes the recorder transcode to that size.
func TestAsksTheRecorderForTheTileSize(t *testing.T) {
	srv, rec := labSite(t, mjpegtest.MakeFrames(3, 320, 180))
	src := &milestone.Source{URL: "milestone://admin:secret@" + srv.Addr() + "/Gate"}
	src.HintSize(160, 90)
	ctx, cancel := context.WithCancel(context.Background())
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()
	deadline := time.Now().Add(10 * time.Second)
	for k.Len() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if lastWidth(k) != 160 {
		cancel()
		t.Fatalf("%v; width %d, want the hinted 160", <-done, lastWidth(k))
	}
	// The tile is maximised: a box twice as large re-opens the video at the new size,
	// keeping the login.
	src.HintSize(640, 360)
	deadline = time.Now().Add(10 * time.Second)
	for lastWidth(k) != 320 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil || lastWidth(k) != 320 || srv.Logins() != 1 || rec.Connections() != 2 {
		t.Fatalf("%v; width %d (want 320, the source's size), logins %d, video connections %d", err, lastWidth(k), srv.Logins(), rec.Connections())
	}
}
