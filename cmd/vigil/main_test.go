package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// vigil runs the command in-process and returns its exit code and output.
func vigil(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

type probeJSON struct {
	URL         string   `json:"url"`
	Protocol    string   `json:"protocol"`
	Transport   string   `json:"transport"`
	Auth        string   `json:"auth"`
	AuthOffered []string `json:"auth_offered"`
	Codec       string   `json:"codec"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	Frames      int      `json:"frames"`
	FPS         float64  `json:"fps"`
	Bitrate     float64  `json:"bitrate_kbps"`
	FirstFrame  float64  `json:"first_frame_ms"`
	Error       string   `json:"error"`
	ErrorKind   string   `json:"error_kind"`
	Advice      string   `json:"advice"`
	ContentType string   `json:"content_type"`
	Snapshot    string   `json:"snapshot"`
}

func decodeProbe(t *testing.T, out string) probeJSON {
	t.Helper()
	var p probeJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("probe --json printed %q: %v", out, err)
	}
	return p
}

const secret = "s3cr3t-pa55"

var quiet = slog.New(slog.DiscardHandler)

func noSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) || strings.Contains(s, "s3cr3t") {
			t.Fatalf("the password was printed: %q", s)
		}
	}
}

func TestProbeDigestCameraJSON(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 20, Auth: mjpegtest.AuthDigest, User: "viewer", Password: secret,
		Frames: mjpegtest.MakeFrames(10, 640, 360)})
	defer srv.Close()
	url := strings.Replace(srv.URL(), "http://", "http://viewer:"+strings.ReplaceAll(secret, "-", "%2D")+"@", 1)
	snap := filepath.Join(t.TempDir(), "snap.jpg")
	code, out, errOut := vigil(t, "probe", url, "--json", "--duration", "1s", "--snapshot", snap)
	noSecret(t, out, errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	p := decodeProbe(t, out)
	if p.Protocol != "mjpeg" || p.Transport != "http" || p.Auth != "digest" || len(p.AuthOffered) == 0 || p.AuthOffered[0] != "digest" {
		t.Errorf("protocol/auth: %+v", p)
	}
	if p.Codec != "jpeg" || p.Width != 640 || p.Height != 360 || p.Frames < 5 || p.Bitrate <= 0 || p.FirstFrame <= 0 || p.Error != "" {
		t.Errorf("stream facts: %+v", p)
	}
	if p.FPS < 8 || p.FPS > 40 { // a 20 fps camera, generous bounds for a loaded machine
		t.Errorf("fps %.1f", p.FPS)
	}
	if p.URL != srv.URL() || p.Snapshot != snap {
		t.Errorf("url %q snapshot %q", p.URL, p.Snapshot)
	}
	f, err := os.Open(snap)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := jpeg.DecodeConfig(f); err != nil || cfg.Width != 640 {
		t.Fatalf("snapshot: %v %+v", err, cfg)
	}
}

func TestProbeWrongPasswordSaysWhichScheme(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{Auth: mjpegtest.AuthDigest, User: "viewer", Password: "right"})
	defer srv.Close()
	t.Setenv("VIGIL_PASSWORD", secret)
	code, out, errOut := vigil(t, "probe", srv.URL(), "--user", "viewer", "--timeout", "5s")
	noSecret(t, out, errOut)
	if code != exitFailed || !strings.Contains(out, "401") || !strings.Contains(strings.ToLower(out), "digest") || !strings.Contains(out, "(unauthorized)") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestProbeFailuresNameTheCause(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{})
	srv.Down() // the port is known and now refuses
	defer srv.Close()
	code, out, _ := vigil(t, "probe", "--json", srv.URL())
	if p := decodeProbe(t, out); code != exitFailed || p.ErrorKind != "refused" || p.Error == "" || p.Frames != 0 {
		t.Fatalf("exit %d: %+v", code, p)
	}

	html := mjpegtest.NewServer(mjpegtest.Options{})
	defer html.Close()
	code, out, _ = vigil(t, "probe", "--json", "http://"+html.Addr()+"/")
	if p := decodeProbe(t, out); code != exitFailed || p.ErrorKind != "not_video" || !strings.Contains(p.Error, "text/html") {
		t.Fatalf("exit %d: %+v", code, p)
	}
}

func TestProbeUsage(t *testing.T) {
	for _, args := range [][]string{{"probe"}, {"probe", "a", "b"}, {"probe", "htp://x"}, {"probe", "--bogus", "http://x"}, {"nosuchcommand"}} {
		if code, _, _ := vigil(t, args...); code != exitUsage {
			t.Errorf("vigil %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestProbeFFmpegPeer probes ffmpeg's own MJPEG server (a third-party implementation),
// with the multipart content type and with ffmpeg's default application/octet-stream.
func TestProbeFFmpegPeer(t *testing.T) {
	for _, multipart := range []bool{true, false} {
		ff, err := mjpegtest.StartFFmpeg("320x240", 15, multipart)
		if errors.Is(err, mjpegtest.ErrNoFFmpeg) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var p probeJSON
		deadline := time.Now().Add(30 * time.Second)
		for { // until ffmpeg listens: refusals do not use up its one client
			_, out, _ := vigil(t, "probe", "--json", "--duration", "2s", ff.URL)
			p = decodeProbe(t, out)
			if p.ErrorKind != "refused" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		ff.Close()
		if p.Error != "" || p.Width != 320 || p.Height != 240 || p.Protocol != "mjpeg" {
			t.Fatalf("multipart=%v: %+v", multipart, p)
		}
		if p.FPS < 10 || p.FPS > 20 {
			t.Errorf("multipart=%v: %.1f fps from a 15 fps source", multipart, p.FPS)
		}
	}
}

func TestCamsimServesDemoCameras(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errOut lockedBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"camsim", "--json", "--mjpeg", "2", "--size", "320x180", "--fps", "10", "--duration", "8s"}, &out, &errOut)
	}()
	var urls []string
	deadline := time.Now().Add(60 * time.Second)
	for len(urls) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		var msg struct{ URLs []string }
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			if err := json.Unmarshal([]byte(line), &msg); err != nil {
				t.Fatal(err)
			}
			urls = msg.URLs
		}
	}
	if len(urls) != 2 {
		t.Fatalf("camsim printed %q / %q", out.String(), errOut.String())
	}
	code, pout, _ := vigil(t, "probe", "--json", "--duration", "1s", urls[1])
	if p := decodeProbe(t, pout); code != 0 || p.Width != 320 || p.Height != 180 {
		t.Fatalf("probe of camsim camera: exit %d %+v", code, p)
	}
	// camsim stops by itself at --duration; do not leave it running past the test.
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("camsim did not stop at --duration")
	}
}

// lockedBuffer is a buffer safe to read while a command writes it.
type lockedBuffer = capturetest.LockedBuffer

// TestProbeMilestone probes a simulated XProtect site: login over HTTPS with a self-signed
// certificate accepted by --insecure, the camera list, and frames from the named camera.
func TestProbeMilestone(t *testing.T) {
	srv := milestonetest.NewServer(milestonetest.Options{User: "admin", Password: secret})
	defer srv.Close()
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{FPS: 15, ValidToken: srv.ValidToken,
		Cameras: map[string][][]byte{"0d5e1a2b-0000-4000-8000-000000000001": mjpegtest.MakeFrames(5, 320, 240)}})
	defer rec.Close()
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 1", WebServerURI: "http://" + rec.Addr() + "/",
		Cameras: []milestonetest.CameraConfig{{ID: "0d5e1a2b-0000-4000-8000-000000000001", Name: "Gate"}}})

	t.Setenv("VIGIL_PASSWORD", secret)
	code, out, errOut := vigil(t, "probe", "--json", "--insecure", "--user", "admin", "--duration", "1s", "milestones://"+srv.Addr()+"/Gate")
	noSecret(t, out, errOut)
	if strings.Contains(out, "TOKEN#") {
		t.Fatal("a token was printed")
	}
	var p struct {
		probeJSON
		Cameras     []struct{ Name, ID, Recorder string } `json:"cameras"`
		Fingerprint string                                `json:"fingerprint"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != exitOK || p.Protocol != "milestone" || p.Width != 320 || p.Frames < 3 {
		t.Fatalf("exit %d: %s", code, out)
	}
	if len(p.Cameras) != 1 || p.Cameras[0].Name != "Gate" || p.Cameras[0].Recorder != "Recorder 1" || p.Fingerprint == "" {
		t.Fatalf("cameras %+v fingerprint %q", p.Cameras, p.Fingerprint)
	}
	// Without --insecure the self-signed certificate is refused, with its fingerprint.
	code, out, _ = vigil(t, "probe", "--user", "admin", "milestones://"+srv.Addr()+"/Gate")
	if code != exitFailed || !strings.Contains(out, "fingerprint") {
		t.Fatalf("untrusted certificate: exit %d\n%s", code, out)
	}
}

// TestCamsimServesAMilestoneSite: `vigil camsim --milestone N` serves a simulated XProtect
// site that `vigil probe` logs in to and plays.
func TestCamsimServesAMilestoneSite(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errOut lockedBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"camsim", "--json", "--mjpeg", "0", "--milestone", "2", "--size", "320x180", "--fps", "10", "--duration", "10s"}, &out, &errOut)
	}()
	var msg struct {
		Milestone struct {
			URLs           []string `json:"urls"`
			User, Password string
		} `json:"milestone"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(msg.Milestone.URLs) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			if err := json.Unmarshal([]byte(line), &msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(msg.Milestone.URLs) != 2 {
		t.Fatalf("camsim printed %q / %q", out.String(), errOut.String())
	}
	t.Setenv("VIGIL_PASSWORD", msg.Milestone.Password)
	code, pout, _ := vigil(t, "probe", "--json", "--insecure", "--user", msg.Milestone.User, "--duration", "1s", msg.Milestone.URLs[1])
	var p probeJSON
	if err := json.Unmarshal([]byte(pout), &p); err != nil || code != exitOK || p.Protocol != "milestone" || p.Width != 320 {
		t.Fatalf("probe of the simulated site: exit %d %s", code, pout)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("camsim did not stop at --duration")
	}
}
