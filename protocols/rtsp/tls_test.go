package rtsp_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/internal/trust/trusttest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// An rtsps camera with a self-signed certificate (made at run time by the fake) is
// refused until its fingerprint is pinned, with the fingerprint and how to trust it in
// the error, kind tls; with the pin H.264 plays (over TCP, SRTP inside); a wrong pin is
// refused naming both fingerprints; Insecure plays and reports what it saw.
func TestRTSPSSelfSigned(t *testing.T) {
	srv := server(t, rtsptest.Options{TLS: true})
	fp := srv.Fingerprint()
	if !strings.HasPrefix(srv.URL("h264"), "rtsps://") || fp == "" {
		t.Fatalf("fake: %s %q", srv.URL("h264"), fp)
	}
	other, err := trust.SelfSigned("another camera")
	if err != nil {
		t.Fatal(err)
	}
	otherFP := trust.Fingerprint(other.Leaf)
	pins := func(want string) func(string) string {
		return func(hostPort string) string {
			if hostPort == srv.Addr() {
				return want
			}
			return ""
		}
	}

	src := source(srv.URL("h264"))
	_, err = capturetest.Run(t, src, 5)
	t.Logf("refused: %v", err)
	trusttest.CheckRefused(t, err, srv.Addr(), fp, "")

	src = source(srv.URL("h264"))
	src.Pins = pins(otherFP)
	_, err = capturetest.Run(t, src, 5)
	trusttest.CheckRefused(t, err, srv.Addr(), fp, otherFP)
	if srv.Plays() != 0 {
		t.Errorf("%d PLAYs answered to refused clients", srv.Plays())
	}

	src = source(srv.URL("h264"))
	src.Pins = pins(strings.ToLower(fp))
	k, err := capturetest.Run(t, src, 30)
	if err != nil {
		t.Fatalf("pinned: %v", err)
	}
	checkH264(t, k, "tcp")

	var mu sync.Mutex
	var seen []string
	src = source(srv.URL("h264"))
	src.Insecure = true
	src.Seen = func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	k, err = capturetest.Run(t, src, 5)
	mu.Lock()
	defer mu.Unlock()
	if err != nil || k.Len() < 5 || len(seen) == 0 || seen[0] != fp {
		t.Fatalf("insecure: %v, %d packets, saw %q", err, k.Len(), seen)
	}
}
