package mjpeg_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestFFmpegPeer reads ffmpeg's mpjpeg muxer served by ffmpeg's own HTTP server, a
// third-party implementation of the wire format: once declaring the multipart type, once
// with ffmpeg's default application/octet-stream (the boundary is then sniffed).
func TestFFmpegPeer(t *testing.T) {
	for _, multipart := range []bool{true, false} {
		t.Run(fmt.Sprintf("multipart=%v", multipart), func(t *testing.T) {
			ff, err := mjpegtest.StartFFmpeg("320x240", 15, multipart)
			if errors.Is(err, mjpegtest.ErrNoFFmpeg) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ff.Close()
			url := ff.URL
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			// ffmpeg needs a moment to listen: retry refusals.
			const want = 45
			var k *sink
			var start time.Time
			for {
				rctx, rcancel := context.WithCancel(ctx)
				k = &sink{Want: want, Cancel: rcancel}
				start = time.Now()
				err = (&mjpeg.Source{URL: url}).Run(rctx, k)
				rcancel()
				if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || ctx.Err() != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil || len(k.Packets()) < want {
				t.Fatalf("Run: %v after %d packets", err, len(k.Packets()))
			}
			info := k.Infos()[0]
			if info.Protocol != "mjpeg" || info.ContentType != ff.ContentType || info.Codec != capture.CodecJPEG {
				t.Errorf("StreamInfo %+v", info)
			}
			for i, p := range k.Packets() {
				if p.Width != 320 || p.Height != 240 || !p.Key || len(p.Data) < 1000 {
					t.Fatalf("packet %d: %dx%d, %d bytes", i, p.Width, p.Height, len(p.Data))
				}
			}
			// Rate over the last 30 frames (the first ones may arrive in a burst).
			a, b := k.Packets()[want-31].ReceiveTime, k.Packets()[want-1].ReceiveTime
			fps := 30 / b.Sub(a).Seconds()
			t.Logf("%.1f fps measured, %v to connect and read %d frames", fps, time.Since(start), want)
			if fps < 5 || fps > 40 {
				t.Errorf("%.1f fps from a 15 fps source", fps)
			}
		})
	}
}
