package panel_test

import (
	"strings"
	"testing"

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
