package mjpeg_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestFFmpegPeer reads ffmpeg's mpjpeg muxer served by ffmpeg's own HTTP server, a
// third-party implementation of the wire format: once declaring the multipart type, once
// with ffmpeg's default application/octet-stream (the boundary is then sniffed).
func TestFFmpegPeer(t *testing.T) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not on PATH")
	}
	for _, tc := range []struct {
		name  string
		extra []string
		ct    string
	}{
		{"multipart content type", []string{"-boundary_tag", "camframe", "-content_type", "multipart/x-mixed-replace;boundary=camframe"}, "multipart/x-mixed-replace;boundary=camframe"},
		{"octet-stream", nil, "application/octet-stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t)
			url := fmt.Sprintf("http://127.0.0.1:%d/", port)
			args := []string{"-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15",
				"-f", "mpjpeg", "-q:v", "5"}
			args = append(args, tc.extra...)
			args = append(args, "-listen", "1", url)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}()

			// ffmpeg needs a moment to listen: retry refusals.
			const want = 45
			var k *sink
			var start time.Time
			for {
				rctx, rcancel := context.WithCancel(ctx)
				k = &sink{want: want, cancel: rcancel}
				start = time.Now()
				err = (&mjpeg.Source{URL: url}).Run(rctx, k)
				rcancel()
				if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || ctx.Err() != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil || len(k.pkts) < want {
				t.Fatalf("Run: %v after %d packets", err, len(k.pkts))
			}
			info := k.infos[0]
			if info.Protocol != "mjpeg" || info.ContentType != tc.ct || info.Codec != capture.CodecJPEG {
				t.Errorf("StreamInfo %+v", info)
			}
			for i, p := range k.pkts {
				if p.Width != 320 || p.Height != 240 || !p.Key || len(p.Data) < 1000 {
					t.Fatalf("packet %d: %dx%d, %d bytes", i, p.Width, p.Height, len(p.Data))
				}
			}
			// Rate over the last 30 frames (the first ones may arrive in a burst).
			a, b := k.pkts[want-31].ReceiveTime, k.pkts[want-1].ReceiveTime
			fps := 30 / b.Sub(a).Seconds()
			t.Logf("%.1f fps measured, %v to connect and read %d frames", fps, time.Since(start), want)
			if fps < 5 || fps > 40 {
				t.Errorf("%.1f fps from a 15 fps source", fps)
			}
		})
	}
}
