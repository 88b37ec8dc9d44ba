package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/recorder"
)

// tlsCameras are an https MJPEG camera and an rtsps H.264 camera, each with a
// self-signed certificate made at run time.
func tlsCameras(t *testing.T) (*mjpegtest.Server, *rtsptest.Server) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (make test-deps installs it): it encodes the test stream")
	}
	aus, err := rtsptest.EncodeH264(320, 240, 15, 2)
	if err != nil {
		t.Fatal(err)
	}
	rs := rtsptest.Start(t, rtsptest.Options{TLS: true, Streams: map[string]rtsptest.Stream{"cam": {H264: aus, FPS: 15}}})
	ms := mjpegtest.NewServer(mjpegtest.Options{Frames: mjpegtest.MakeFrames(4, 320, 240), FPS: 15, TLS: true})
	t.Cleanup(ms.Close)
	return ms, rs
}

// `vigil probe --insecure` prints the certificate's fingerprint for an https and an
// rtsps camera (text and JSON); without it the camera is refused, kind tls, with the
// fingerprint in the error.
func TestProbeInsecurePrintsFingerprint(t *testing.T) {
	ms, rs := tlsCameras(t)
	for _, c := range []struct{ url, fp string }{{ms.URL(), ms.Fingerprint()}, {rs.URL("cam"), rs.Fingerprint()}} {
		code, out, errOut := vigil(t, "probe", "--insecure", "--json", "--duration", "1s", c.url)
		var p struct {
			probeJSON
			Fingerprint string `json:"fingerprint"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%s: %v: %s %s", c.url, err, out, errOut)
		}
		if code != exitOK || p.Frames == 0 || p.Fingerprint != c.fp {
			t.Fatalf("%s --insecure: exit %d, fingerprint %q want %q\n%s", c.url, code, p.Fingerprint, c.fp, out)
		}
		code, out, _ = vigil(t, "probe", "--insecure", "--duration", "1s", c.url)
		if code != exitOK || !strings.Contains(out, c.fp) {
			t.Fatalf("%s --insecure, text: exit %d\n%s", c.url, code, out)
		}
		code, out, _ = vigil(t, "probe", "--json", "--timeout", "5s", c.url)
		p.probeJSON = decodeProbe(t, out)
		if code != exitFailed || p.ErrorKind != string(capture.CauseTLS) || !strings.Contains(p.Error, c.fp) ||
			!strings.Contains(p.Advice, "trust:") {
			t.Fatalf("%s without --insecure: exit %d\n%s", c.url, code, out)
		}
	}
	// Pinned in the settings, the same cameras probe without --insecure.
	settings := filepath.Join(t.TempDir(), "settings.yaml")
	yaml := fmt.Sprintf("trust:\n  - host: %q\n    sha256: %q\n  - host: %q\n    sha256: %q\n",
		ms.Addr(), ms.Fingerprint(), rs.Addr(), rs.Fingerprint())
	if err := os.WriteFile(settings, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{ms.URL(), rs.URL("cam")} {
		code, out, errOut := vigil(t, "probe", "--config", settings, "--json", "--duration", "1s", u)
		if p := decodeProbe(t, out); code != exitOK || p.Frames == 0 {
			t.Fatalf("%s pinned by --config: exit %d\n%s%s", u, code, out, errOut)
		}
	}
}

// `vigil record` of an https and an rtsps camera whose certificates the settings' trust
// list pins writes files ffprobe reads as their codec and size.
func TestRecordTLSCamerasTrustedBySettings(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not installed (make test-deps installs ffmpeg)")
	}
	ms, rs := tlsCameras(t)
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Trust: []config.Trusted{
		{Host: ms.Addr(), SHA256: ms.Fingerprint()},
		{Host: rs.Addr(), SHA256: strings.ToLower(strings.ReplaceAll(rs.Fingerprint(), ":", ""))},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	if code, err := record(ctx, cfg, recordRequest{Cameras: []string{ms.URL(), rs.URL("cam")}, Out: out}, quiet, &stdout); code != exitOK || err != nil {
		t.Fatalf("record: %d %v\n%s", code, err, stdout.String())
	}
	clips, err := recorder.List(out)
	if err != nil || len(clips) != 2 {
		t.Fatalf("clips %+v, %v\n%s", clips, err, stdout.String())
	}
	codecs := map[string]bool{}
	for _, c := range clips {
		s := ffprobeVideo(t, c.Path)
		if s.Width != 320 || s.Height != 240 || s.Frames < 10 || s.Duration < 1 {
			t.Fatalf("%s: ffprobe %+v, %.2f s", c.Path, s, s.Duration)
		}
		codecs[s.Codec] = true
	}
	if !codecs["mjpeg"] || !codecs["h264"] {
		t.Fatalf("codecs %v, want mjpeg and h264", codecs)
	}
}
