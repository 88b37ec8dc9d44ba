package mjpeg_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/internal/trust/trusttest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// pinsFor pins fp for addr only, in the lower-case colon-less form a user may paste.
func pinsFor(addr, fp string) func(string) string {
	return func(hostPort string) string {
		if hostPort == addr {
			return strings.ToLower(strings.ReplaceAll(fp, ":", ""))
		}
		return ""
	}
}

// An https camera with a self-signed certificate (made at run time by the fake) is
// refused until its fingerprint is pinned, with the fingerprint and how to trust it in
// the error, kind tls; with the pin it streams and polls snapshots; a wrong pin is
// refused naming both fingerprints.
func TestHTTPSSelfSigned(t *testing.T) {
	other, err := trust.SelfSigned("another camera")
	if err != nil {
		t.Fatal(err)
	}
	otherFP := trust.Fingerprint(other.Leaf)
	for _, mode := range []mjpegtest.Mode{mjpegtest.Stream, mjpegtest.Snapshot} {
		name, proto := "stream", "mjpeg"
		if mode == mjpegtest.Snapshot {
			name, proto = "snapshot", "jpeg"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := mjpegtest.NewServer(mjpegtest.Options{Frames: frames, FPS: 100, Mode: mode, TLS: true})
			defer srv.Close()
			fp := srv.Fingerprint()
			if !strings.HasPrefix(srv.URL(), "https://") || fp == "" {
				t.Fatalf("fake: %s %q", srv.URL(), fp)
			}

			_, err := run(t, &mjpeg.Source{URL: srv.URL(), FPS: 50}, 3)
			trusttest.CheckRefused(t, err, srv.Addr(), fp, "")
			_, err = run(t, &mjpeg.Source{URL: srv.URL(), FPS: 50, Pins: pinsFor(srv.Addr(), otherFP)}, 3)
			trusttest.CheckRefused(t, err, srv.Addr(), fp, otherFP)

			k, err := run(t, &mjpeg.Source{URL: srv.URL(), FPS: 50, Pins: pinsFor(srv.Addr(), fp)}, 3)
			if err != nil {
				t.Fatalf("pinned: %v", err)
			}
			if info := k.Infos()[0]; info.Transport != "https" || info.Protocol != proto || k.Len() < 3 {
				t.Errorf("pinned: %+v, %d packets", info, k.Len())
			}
			for i, p := range k.Packets() {
				if p.Codec != capture.CodecJPEG || len(p.Data) == 0 {
					t.Fatalf("packet %d: %+v", i, p)
				}
			}

			var mu sync.Mutex
			var seen []string
			k, err = run(t, &mjpeg.Source{URL: srv.URL(), FPS: 50, Insecure: true, Seen: func(s string) {
				mu.Lock()
				seen = append(seen, s)
				mu.Unlock()
			}}, 3)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || k.Len() < 3 || len(seen) == 0 || seen[0] != fp {
				t.Fatalf("insecure: %v, %d packets, saw %q", err, k.Len(), seen)
			}
		})
	}
}
