package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// `vigil probe rtsp://…` reports the tracks, codec and profile, size, transport and the
// auth offered and used, and saves a JPEG snapshot decoded from an H.264 key frame.
func TestProbeRTSP(t *testing.T) {
	srv := rtsptest.StartCamera(t)
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
