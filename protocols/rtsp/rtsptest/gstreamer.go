package rtsptest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// gstScript is GStreamer's RTSP server (Debian's gir1.2-gst-rtsp-server-1.0) serving test
// patterns at 320x240, 15 fps:
//
//	/mjpeg  jpegenc
//	/h264   x264enc tune=zerolatency ultrafast (Constrained Baseline, no B-frames)
//	/h264b  x264enc as it comes (preset medium, High profile) with bframes=2, no
//	        zerolatency tune: B-frames in decode order, as x264-based cameras send
//	/h265b  x265enc with bframes=2, closed GOPs
//
// With a user and password it demands Digest auth. Debian ships no test-launch binary,
// hence Python. (Notes from research/deps.md §6: format=I420 before jpegenc, or DESCRIBE
// hangs.)
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
    "/h264b": "( " + raw + " ! x264enc bframes=2 key-int-max=15 ! video/x-h264,profile=high ! rtph264pay name=pay0 pt=96 config-interval=1 )",
    "/h265b": "( " + raw + " ! x265enc option-string=bframes=2:open-gop=0 key-int-max=15 ! rtph265pay name=pay0 pt=96 config-interval=1 )",
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

// gstPython is Debian's python3, which has python3-gi (a pyenv or venv python may not).
const gstPython = "/usr/bin/python3"

var (
	gstOnce sync.Once
	gstErr  error
)

// GStreamer is GStreamer's RTSP server in a process of its own on 127.0.0.1, a third-party
// peer for tests (see gstScript for its paths).
type GStreamer struct {
	t      testing.TB
	script string
	port   int
	args   []string
	cmd    *exec.Cmd
}

// StartGStreamer starts the server on a free port and kills it when the test ends; with
// user set it demands Digest auth. It skips t when python3 cannot import GstRtspServer.
func StartGStreamer(t testing.TB, user, password string) *GStreamer {
	t.Helper()
	gstOnce.Do(func() {
		out, err := exec.Command(gstPython, "-c",
			`import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer`).CombinedOutput()
		if err != nil {
			gstErr = fmt.Errorf("%s cannot import gi's GstRtspServer (install python3-gi gir1.2-gst-rtsp-server-1.0): %v: %s",
				gstPython, err, bytes.TrimSpace(out))
		}
	})
	if gstErr != nil {
		t.Skip(gstErr)
	}
	script := filepath.Join(t.TempDir(), "rtsp_server.py")
	if err := os.WriteFile(script, []byte(gstScript), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &GStreamer{t: t, script: script, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	if user != "" {
		g.args = []string{user, password}
	}
	g.Start()
	t.Cleanup(g.Kill)
	return g
}

// URL is the rtsp:// URL of path.
func (g *GStreamer) URL(path string) string {
	return fmt.Sprintf("rtsp://127.0.0.1:%d/%s", g.port, path)
}

// Start runs the script and waits for "ready" (it prints it once listening); after Kill it
// brings the server back on the same port.
func (g *GStreamer) Start() {
	g.t.Helper()
	cmd := exec.Command(gstPython, append([]string{g.script, fmt.Sprint(g.port)}, g.args...)...)
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
			g.Kill()
			g.t.Fatalf("GStreamer RTSP server did not start: %s", stderr.String())
		}
	case <-time.After(15 * time.Second):
		g.Kill()
		g.t.Fatalf("GStreamer RTSP server not ready after 15 s: %s", stderr.String())
	}
}

// Kill ends the server process (the camera is gone).
func (g *GStreamer) Kill() {
	if g.cmd == nil {
		return
	}
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
	g.cmd = nil
}
