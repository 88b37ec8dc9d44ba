package main

import (
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/config"
)

// A demo Milestone camera plays its recordings from a picked time at 4×; an MJPEG camera
// offers no playback.
func TestPlaybackOfAMilestoneCamera(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Demo: config.Demo{MJPEG: 1, Milestone: 1, Size: "320x180", FPS: 10}}
	pins := newPinStore(nil)
	streams, stopDemo, site, err := buildStreams(cfg, pins.Pin, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer stopDemo()
	ws := &wallSettings{cfg: cfg, log: quiet, streams: streams, pins: pins, demoSite: site}
	defer ws.closeAll()
	ms, mj := cfg.Demo.MilestoneNames()[0], cfg.Demo.MJPEGNames()[0]
	if ws.playbackSource(mj) != nil || ws.playbackSource(ms) == nil {
		t.Fatal("playback offered to the wrong cameras")
	}
	if _, err := ws.playback(mj, time.Now(), 1); err == nil {
		t.Fatal("playback of an MJPEG camera accepted")
	}
	from := time.Now().Add(-time.Hour).Truncate(time.Second)
	pb, err := ws.playback(ms, from, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	sub := pb.Watch(160, 90)
	defer sub.Close()
	var first, last time.Time
	n := 0
	deadline := time.Now().Add(20 * time.Second)
	for n < 12 && time.Now().Before(deadline) {
		if f := sub.Take(); f != nil {
			if first.IsZero() {
				first = f.SourceTime
			}
			last = f.SourceTime
			n++
			f.Release()
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n < 12 {
		t.Fatalf("%d recorded pictures in 20 s", n)
	}
	if first.Before(from.Add(-time.Second)) || first.After(from.Add(2*time.Second)) || !last.After(first) {
		t.Fatalf("recorded times %v … %v, want from %v onwards", first, last, from)
	}
}
