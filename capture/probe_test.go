package capture

import (
	"context"
	"errors"
	"image"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestProbeMeasuresFrames(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	var calls atomic.Int64
	r := Probe(context.Background(), src, ProbeOptions{Duration: 300 * time.Millisecond,
		Decoders: func(Codec) (FrameDecoder, error) { return sizeDecoder{&calls}, nil }})
	if !r.OK() || r.Error != "" {
		t.Fatalf("probe failed: %+v", r)
	}
	if r.Protocol != "script" || r.Codec != CodecJPEG || r.Width != 64 || r.Height != 48 {
		t.Fatalf("report %+v", r)
	}
	// The script sends a packet every 5 ms: between 20 and 200 fps on any machine.
	if r.Frames < 5 || r.FPS < 20 || r.FPS > 200 || r.BitrateKbps <= 0 || r.FirstFrameMS <= 0 {
		t.Fatalf("frames %d fps %.1f kbps %.1f first %.1f ms", r.Frames, r.FPS, r.BitrateKbps, r.FirstFrameMS)
	}
	if len(r.Snapshot) == 0 || calls.Load() != 1 {
		t.Fatalf("snapshot %d bytes, %d decodes", len(r.Snapshot), calls.Load())
	}
}

func TestProbeMaxFrames(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Duration: time.Minute, MaxFrames: 3})
	if r.Frames != 3 {
		t.Fatalf("frames %d, want 3", r.Frames)
	}
}

func TestProbeReportsFailure(t *testing.T) {
	src := &scriptSource{steps: []step{{err: errors.New("401 from 127.0.0.1:8080: wrong user or password (camera wants Digest): unauthorized")}}}
	r := Probe(context.Background(), src, ProbeOptions{})
	if r.OK() || !strings.Contains(r.Error, "Digest") || r.AuthOffered == nil {
		t.Fatalf("report %+v", r)
	}
}

func TestProbeConnectedButSilentIsStalled(t *testing.T) {
	src := &scriptSource{steps: []step{{hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Timeout: 200 * time.Millisecond})
	if r.OK() || r.ErrorKind != CauseStalled || r.Advice == "" {
		t.Fatalf("report %+v", r)
	}
}

type failDecoder struct{}

func (failDecoder) Decode(Packet, int, int, *image.RGBA) (*image.RGBA, error) {
	return nil, errors.New("bad huffman code: malformed stream")
}
func (failDecoder) Close() error { return nil }

func TestProbeUndecodableFrameFails(t *testing.T) {
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	r := Probe(context.Background(), src, ProbeOptions{Decoders: func(Codec) (FrameDecoder, error) { return failDecoder{}, nil }})
	if r.OK() || !strings.Contains(r.Error, "does not decode") {
		t.Fatalf("report %+v", r)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://admin:s3cr%40t@10.0.0.5/mjpeg":        "http://10.0.0.5/mjpeg",
		"rtsp://user@cam/stream":                      "rtsp://cam/stream",
		"http://cam/snap.jpg?user=a&password=hunter2": "http://cam/snap.jpg?password=REDACTED&user=a",
		"milestones://srv/cam?token=TOKEN%23abc%23":   "milestones://srv/cam?token=REDACTED",
		"http://cam/x":                   "http://cam/x",
		"::not a url//admin:hunter2@cam": "(unparseable URL)",
		// Passwords with reserved characters: only the scheme and the host after the last '@'.
		"http://admin:ab/cd@10.0.0.5/video":       "http://…@10.0.0.5/…",
		"http://admin:12/34@10.0.0.5:8080/video":  "http://…@10.0.0.5:8080/…",
		"rtsp://admin:p%zzw@[fe80::1]:554/live":   "rtsp://…@[fe80::1]:554/…",
		"http://admin:hunter2":                    "http://…",
		"milestones://vms/Front@Door":             "milestones://vms/Front@Door",
		"rtsp://u:p@c@cam:554/x":                  "rtsp://cam:554/x",
		"http://cam/x#frag@ment":                  "http://cam/x",
		"http://cam/a?Password=p":                 "http://cam/a?Password=REDACTED",
		"http://cam/\x1b[2Jx":                     "http://cam/…",
		"http://cam\x1b[2J/x":                     "http://…",
		"http://admin:s3cret@cam\u202e/x":         "http://cam%E2%80%AE/x",
		"rtsp://admin:pass@10.0.0.5/a?b@c":        "rtsp://10.0.0.5/a?b@c",
		"javascript\x00://admin:pass@cam/":        "(unparseable URL)",
		"http://admin:pass@cam:99999999999999/x/": "http://cam:99999999999999/x/",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
