package panel_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/recorder"
)

// TestURLCameraNames: a URL camera's name keeps host, port, path and query apart, is safe
// as a folder name, and never carries credentials.
func TestURLCameraNames(t *testing.T) {
	a := panel.URLCameraName("rtsp://user:pw@10.0.0.5:554/Streaming/Channels/101")
	if a != panel.URLCameraName("rtsp://10.0.0.5/Streaming/Channels/101") || !strings.HasPrefix(a, "10.0.0.5_Streaming_Channels_101-") {
		t.Errorf("default port: %q", a)
	}
	names := map[string]bool{}
	for _, u := range []string{
		"rtsp://10.0.0.5:554/live?channel=1", "rtsp://10.0.0.5:554/live?channel=2",
		"rtsp://10.0.0.5:8554/live?channel=1", "http://10.0.0.5/live?channel=1",
		"rtsp://10.0.0.5/live/channel=1", "rtsp://[fe80::1]:8554/cam", "rtsp://10.0.0.5/a_b", "rtsp://10.0.0.5/a/b",
	} {
		n := panel.URLCameraName(u)
		if names[n] {
			t.Errorf("%s: name %q already taken", u, n)
		}
		names[n] = true
		if n != recorder.SafeName(n) || strings.ContainsAny(n, "/\\:?*\"<>|") {
			t.Errorf("%s: %q is not a safe folder name", u, n)
		}
	}
	if n := panel.URLCameraName("rtsp://10.0.0.5:8554/live?channel=2"); !strings.HasPrefix(n, "10.0.0.5-8554_live_channel=2-") {
		t.Errorf("readable part: %q", n)
	}
	for _, u := range []string{"http://admin:hunter2@cam/x?password=hunter2&user=admin", "http://cam/snap.jpg?pwd=hunter2", "http://ad min:hunter2@cam:x/"} {
		if n := panel.URLCameraName(u); strings.Contains(n, "hunter2") {
			t.Errorf("%s: name %q carries the password", u, n)
		}
	}
}

// TestRecordEndedWhileConnecting: a camera that accepts and never answers, recorded for
// less time than it takes to give up, is said to have been still connecting (not
// "stopped", which it only became when the recording ended).
func TestRecordEndedWhileConnecting(t *testing.T) {
	silent := capturetest.SilentListener(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var stdout bytes.Buffer
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}}
	err := panel.Record(ctx, cfg, panel.RecordRequest{Cameras: []string{"http://" + silent + "/video"}, Out: t.TempDir(), GiveUp: time.Minute},
		slog.New(slog.NewTextHandler(io.Discard, nil)), &stdout)
	if err == nil || !strings.Contains(err.Error(), "still connecting") || !strings.Contains(err.Error(), "--duration") ||
		strings.Contains(err.Error(), "stopped") {
		t.Fatalf("err %v\n%s", err, stdout.String())
	}
	t.Log(err)
}
