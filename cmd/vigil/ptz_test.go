package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
)

func ptzCamera(t *testing.T, o rcptest.Options) (*rcptest.Camera, string) {
	t.Helper()
	o.User, o.Password = "service", secret
	cam, err := rcptest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	return cam, "rcp://service:" + secret + "@" + cam.Addr() + "/"
}

func payloads(cam *rcptest.Camera) []string {
	var out []string
	for _, c := range cam.Commands() {
		out = append(out, fmt.Sprintf("%04x:%x", c.Command, c.Payload))
	}
	return out
}

// TestPTZEndToEnd runs `vigil ptz` against the simulated Bosch camera, by URL and by the
// name of a camera whose ptz block points at it, and checks exit codes, output and what
// the camera received.
func TestPTZEndToEnd(t *testing.T) {
	cam, url := ptzCamera(t, rcptest.Options{})
	cfg := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`demo: {mjpeg: 0, rtsp: 0}
cameras:
  - name: Dome
    streams:
      - url: %s
    ptz:
      kind: rcp
      url: rcp://%s/
      user: service
      password: %s
`, cam.StreamURL(), cam.Addr(), secret)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		out  string
		sent string // the last command the camera got
	}{
		{[]string{url, "right", "--speed", "1"}, 0, "ok: right", "09a5:8000060110858f0000"},
		{[]string{url, "stop"}, 0, "ok: stop", "09a5:800006011085000000"},
		{[]string{"--config", cfg, "Dome", "zoom-in", "--for", "300ms"}, 0, "ok: zoom-in", "09a5:800006011085000000"},
		{[]string{"--config", cfg, "Dome", "preset", "3"}, 0, "ok: preset", "09a5:800006202081"},
		{[]string{"--config", cfg, "Dome", "store", "9"}, 0, "ok: store", "09a5:800006208080"},
		{[]string{url, "presets"}, 0, "1\n2\n3\n9\n", "09a5:850006200084"},
		{[]string{url, "info"}, 0, "firmware\t9.40.0029", "0a51:"},
		{[]string{url, "up", "--speed", "0.01"}, 0, "ok: up", "09a5:800006011085008100"},
	} {
		code, out, errOut := vigil(t, append([]string{"ptz"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("vigil ptz %v: exit %d, out %q, err %q", tc.args, code, out, errOut)
		}
		got := payloads(cam)
		if len(got) == 0 || got[len(got)-1] != tc.sent {
			t.Errorf("vigil ptz %v: the camera's last command %v, want %s", tc.args, got[max(len(got)-3, 0):], tc.sent)
		}
		noSecret(t, out, errOut)
	}
	// --for moves, renews and stops: the zoom-in above ended with its stop.
	var sawStopAfterZoom bool
	got := payloads(cam)
	for i := 1; i < len(got); i++ {
		if got[i-1] == "09a5:800006011085000084" && got[i] == "09a5:800006011085000000" {
			sawStopAfterZoom = true
		}
	}
	if !sawStopAfterZoom {
		t.Errorf("no stop after the --for zoom: %v", got)
	}
}

func TestPTZFailures(t *testing.T) {
	cam, url := ptzCamera(t, rcptest.Options{Auth: rcptest.AuthBasic})
	wrong := strings.Replace(url, secret, "nope-"+secret[:3], 1)
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"wrong password", []string{wrong, "left"}, 1, "wrong user or password"},
		{"unreachable", []string{"rcp://service:x@127.0.0.1:1/", "stop"}, 1, "refused"},
		{"no such camera", []string{"Nowhere", "stop"}, 2, "no camera"},
		{"bad action", []string{url, "spin"}, 2, "unknown action"},
		{"bad speed", []string{url, "left", "--speed", "2"}, 2, "want 0 < S"},
		{"preset without N", []string{url, "preset"}, 2, "preset N"},
		{"video URL", []string{"http://127.0.0.1:1/", "stop"}, 1, "no protocol drives PTZ"},
	} {
		code, out, errOut := vigil(t, append([]string{"ptz"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.says) {
			t.Errorf("%s: exit %d (want %d), out %q, err %q", tc.name, code, tc.code, out, errOut)
		}
		noSecret(t, out, errOut)
	}
	cam.SetError(0xa0)
	code, _, errOut := vigil(t, "ptz", url, "down")
	if code != 1 || !strings.Contains(errOut, "level is too low") {
		t.Errorf("err 0xa0: exit %d, %q", code, errOut)
	}
}

// TestCamsimServesPTZ: `camsim --ptz 1` serves a PTZ camera `vigil ptz` drives and whose
// picture probes.
func TestCamsimServesPTZ(t *testing.T) {
	var out, errOut lockedBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"camsim", "--json", "--mjpeg", "0", "--ptz", "1", "--duration", "4s"}, &out, &errOut)
	}()
	var msg struct {
		PTZ []struct{ URL, Stream, User, Password string }
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(msg.PTZ) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			if err := json.Unmarshal([]byte(line), &msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(msg.PTZ) != 1 {
		t.Fatalf("camsim printed %q / %q", out.String(), errOut.String())
	}
	c := msg.PTZ[0]
	u := strings.Replace(c.URL, "rcp://", "rcp://"+c.User+":"+c.Password+"@", 1)
	if code, o, e := vigil(t, "ptz", u, "info"); code != 0 || !strings.Contains(o, "PTZ 1") {
		t.Errorf("ptz info: exit %d %q %q", code, o, e)
	}
	if code, pout, _ := vigil(t, "probe", "--json", "--duration", "1s", c.Stream); code != 0 || decodeProbe(t, pout).Width != 640 {
		t.Errorf("probe of the PTZ picture: exit %d %s", code, pout)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("camsim did not stop at --duration")
	}
}
