package rtsp_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

// gstScript is GStreamer's RTSP server (Debian's gir1.2-gst-rtsp-server-1.0) serving
// /h264 and /mjpeg test patterns at 320x240, 15 fps; with a user and password it
// demands Digest auth. Debian ships no test-launch binary, hence Python.
// (Notes from research/deps.md §6: format=I420 before jpegenc, or DESCRIBE hangs.)
const gstScript = `import sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtsp, GstRtspServer, GLib

Gst.init(None)
port = sys.argv[1]
user = sys.argv[2] if len(sys.argv) > 2 else ""
password = sys.argv[3] if len(sys.argv) > 3 else ""
srv = GstRtspServer.RTSPServer(address="127.0.0.1", service=port)
raw = "videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=15/1"
launches = {
    "/mjpeg": "( " + raw + " ! jpegenc ! rtpjpegpay name=pay0 pt=26 )",
    "/h264": "( " + raw + " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96 config-interval=1 )",
}
if user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    auth.add_digest(user, password, token)
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    srv.set_auth(auth)
for path, launch in launches.items():
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(launch)
    f.set_shared(True)
    if user:
        f.add_role_from_structure(Gst.Structure.new_from_string(
            "viewer,media.factory.access=(boolean)true,media.factory.construct=(boolean)true"))
    srv.get_mount_points().add_factory(path, f)
if srv.attach(None) == 0:
    sys.exit("cannot listen on port " + port)
print("ready", flush=True)
GLib.MainLoop().run()
`

const python = "/usr/bin/python3"

var (
	gstOnce sync.Once
	gstErr  error
)

// needGStreamer skips the test when Debian's python3 cannot import GstRtspServer.
func needGStreamer(t *testing.T) {
	t.Helper()
	gstOnce.Do(func() {
		out, err := exec.Command(python, "-c",
			`import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer`).CombinedOutput()
		if err != nil {
			gstErr = fmt.Errorf("%s cannot import gi's GstRtspServer (install python3-gi gir1.2-gst-rtsp-server-1.0): %v: %s",
				python, err, bytes.TrimSpace(out))
		}
	})
	if gstErr != nil {
		t.Skip(gstErr)
	}
}

// gstServer is one GStreamer RTSP server process on 127.0.0.1.
type gstServer struct {
	t      *testing.T
	script string
	port   int
	args   []string
	cmd    *exec.Cmd
}

func startGStreamer(t *testing.T, user, password string) *gstServer {
	t.Helper()
	needGStreamer(t)
	script := filepath.Join(t.TempDir(), "rtsp_server.py")
	if err := os.WriteFile(script, []byte(gstScript), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gstServer{t: t, script: script, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	if user != "" {
		g.args = []string{user, password}
	}
	g.start()
	t.Cleanup(g.kill)
	return g
}

func (g *gstServer) url(path string) string {
	return fmt.Sprintf("rtsp://127.0.0.1:%d/%s", g.port, path)
}

// start runs the script and waits for "ready" (it prints it once listening).
func (g *gstServer) start() {
	g.t.Helper()
	cmd := exec.Command(python, append([]string{g.script, fmt.Sprint(g.port)}, g.args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		g.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	g.cmd = cmd
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ok := false
		for sc.Scan() {
			if sc.Text() == "ready" {
				ok = true
				break
			}
		}
		ready <- ok
	}()
	select {
	case ok := <-ready:
		if !ok {
			g.kill()
			g.t.Fatalf("GStreamer RTSP server did not start: %s", stderr.String())
		}
	case <-time.After(15 * time.Second):
		g.kill()
		g.t.Fatalf("GStreamer RTSP server not ready after 15 s: %s", stderr.String())
	}
}

func (g *gstServer) kill() {
	if g.cmd == nil {
		return
	}
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
	g.cmd = nil
}

func TestGStreamerH264(t *testing.T) {
	g := startGStreamer(t, "", "")
	for _, tr := range []string{"auto", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			src := source(g.url("h264"))
			src.Transport = tr
			start := time.Now()
			k, err := capturetest.Run(t, src, 20)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("20 packets in %v; tracks %+v", time.Since(start).Round(time.Millisecond), src.Tracks())
			want := map[string]string{"auto": "udp", "tcp": "tcp"}[tr]
			checkH264(t, k, want)
		})
	}
}

func TestGStreamerMJPEG(t *testing.T) {
	g := startGStreamer(t, "", "")
	src := source(g.url("mjpeg"))
	k, err := capturetest.Run(t, src, 10)
	if err != nil {
		t.Fatal(err)
	}
	if i := k.Infos()[0]; i.Codec != capture.CodecJPEG || i.Transport != "udp" {
		t.Errorf("StreamInfo %+v", i)
	}
	for n, p := range k.Packets() {
		if !p.Key || p.Width != 320 || p.Height != 240 {
			t.Fatalf("packet %d: key %v %dx%d", n, p.Key, p.Width, p.Height)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(k.Packets()[len(k.Packets())-1].Data))
	if err != nil {
		t.Fatalf("JPEG from GStreamer does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Fatalf("decoded %v", b)
	}
}

func TestGStreamerDigest(t *testing.T) {
	g := startGStreamer(t, "viewer", "pa55word")
	src := source(g.url("h264"))
	src.User, src.Password = "viewer", "pa55word"
	k, err := capturetest.Run(t, src, 5)
	if err != nil {
		t.Fatal(err)
	}
	if i := k.Infos()[0]; i.Auth != "digest" || strings.Join(i.AuthOffered, ",") != "digest" {
		t.Errorf("auth %q offered %v", i.Auth, i.AuthOffered)
	}
	src = source(g.url("h264"))
	src.User, src.Password = "viewer", "wrong"
	_, err = capturetest.Run(t, src, 5)
	if !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), "wrong\"") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestGStreamerKillRestart: the server process dies (offline, refused) and comes back
// on the same port (live again).
func TestGStreamerKillRestart(t *testing.T) {
	g := startGStreamer(t, "", "")
	var mu sync.Mutex
	var last capture.Status
	s := capture.NewStream("gst", source(g.url("mjpeg")), capture.StreamOptions{
		StallAfter: 2 * time.Second, DropAfter: 4 * time.Second, Logger: quiet,
		Backoff: []capture.BackoffTier{{Delay: 100 * time.Millisecond}},
		OnStatus: func(st capture.Status) {
			mu.Lock()
			defer mu.Unlock()
			last = st
		},
	})
	defer s.Close()
	_, unsubscribe := s.Subscribe("recorder", 100)
	defer unsubscribe()
	status := func() capture.Status { mu.Lock(); defer mu.Unlock(); return last }

	capturetest.WaitFor(t, "live", func() bool { return status().State == capture.StateLive })
	g.kill()
	capturetest.WaitFor(t, "offline, refused", func() bool {
		st := status()
		return st.State == capture.StateOffline && capture.Classify(st.Err) == capture.CauseRefused
	})
	g.start()
	capturetest.WaitFor(t, "live again", func() bool { return status().State == capture.StateLive })
}
