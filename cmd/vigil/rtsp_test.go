package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

func rtspServer(t *testing.T) *rtsptest.Server {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (make test-deps installs it): it encodes the test stream")
	}
	aus, err := rtsptest.EncodeH264(320, 240, 15, 2)
	if err != nil {
		t.Fatal(err)
	}
	return rtsptest.Start(t, rtsptest.Options{UDP: true, User: "viewer", Password: "pw-42", Auth: "digest",
		Streams: map[string]rtsptest.Stream{"cam": {H264: aus, FPS: 15}}})
}

// `vigil probe rtsp://…` reports the tracks, codec and profile, size, transport and the
// auth offered and used, and saves a JPEG snapshot decoded from an H.264 key frame.
func TestProbeRTSP(t *testing.T) {
	srv := rtspServer(t)
	snap := filepath.Join(t.TempDir(), "snap.jpg")
	var stdout, stderr bytes.Buffer
	t.Setenv("VIGIL_PASSWORD", "pw-42")
	code := run([]string{"probe", srv.URL("cam"), "--user", "viewer", "--json", "--duration", "1s", "--snapshot", snap}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var r struct {
		capture.ProbeReport
		Snapshot string `json:"snapshot"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Protocol != "rtsp" || r.Codec != capture.CodecH264 || r.Width != 320 || r.Height != 240 || r.Auth != "digest" ||
		len(r.AuthOffered) == 0 || (r.Transport != "udp" && r.Transport != "tcp") {
		t.Fatalf("report %+v", r.ProbeReport)
	}
	if len(r.Tracks) == 0 || r.Tracks[0].Codec != "h264" || r.Tracks[0].Profile == "" || !r.Tracks[0].Playing {
		t.Fatalf("tracks %+v", r.Tracks)
	}
	if w, h := jpegFileSize(t, snap); w != 320 || h != 240 {
		t.Fatalf("snapshot %dx%d", w, h)
	}
	if bytes.Contains(stdout.Bytes(), []byte("pw-42")) || bytes.Contains(stderr.Bytes(), []byte("pw-42")) {
		t.Fatal("the password was printed")
	}
}

// A camera whose RTSP server dies shows its fallback snapshots, and RTSP again once the
// server is back.
func TestRTSPFallsBackToSnapshotsAndBack(t *testing.T) {
	srv := rtspServer(t)
	snaps := mjpegtest.NewServer(mjpegtest.Options{Cameras: 1, FPS: 5, Mode: mjpegtest.Snapshot, Auth: mjpegtest.AuthBasic, User: "viewer", Password: "pw-42"})
	defer snaps.Close()
	cam := config.Camera{Name: "Dock", Streams: []config.Stream{{URL: srv.URL("cam")}}, User: "viewer", Password: "pw-42",
		Fallback: snaps.CameraURL(1), Transport: "tcp"}
	s, err := newCameraStream(cam, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub := s.Watch(160, 120)
	defer sub.Close()
	waitState := func(what string, want capture.State, codec capture.Codec) {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for {
			if f := sub.Take(); f != nil {
				ok := s.Status().State == want && f.Codec == codec
				f.Release()
				if ok {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (state %v)", what, s.Status().State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitState("live RTSP pictures", capture.StateLive, capture.CodecH264)
	srv.Kill()
	waitState("fallback snapshots", capture.StateFallback, capture.CodecJPEG)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	waitState("RTSP pictures again", capture.StateLive, capture.CodecH264)
}

// The demo wall's RTSP cameras: the demo pictures encoded once as H.264 and served over
// RTSP on loopback, played through the real pipeline.
func TestDemoRTSPCameras(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (make test-deps installs it)")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{RTSP: 1, Size: "320x180", FPS: 10}}
	streams, stopDemo, _, err := buildStreams(cfg, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer stopDemo()
	defer func() {
		for _, s := range streams {
			s.Close()
		}
	}()
	if len(streams) != 1 || streams[0].Name() != "RTSP 1" {
		t.Fatalf("streams %d", len(streams))
	}
	sub := streams[0].Watch(160, 90)
	defer sub.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if f := sub.Take(); f != nil {
			ok := f.Codec == capture.CodecH264 && f.SrcWidth == 320 && f.SrcHeight == 180 && f.Image.Rect.Dx() == 160
			f.Release()
			if ok {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no H.264 picture from the demo RTSP camera: %v", streams[0].Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := streams[0].Status(); st.State != capture.StateLive || st.Info.Protocol != "rtsp" {
		t.Fatalf("status %+v", st)
	}
}
