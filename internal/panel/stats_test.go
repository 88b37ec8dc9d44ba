package panel_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/internal/panel"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/demo"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

func TestStatsLinesPerTilePerSecond(t *testing.T) {
	src := &demo.Source{Name: "Gate", Frames: mjpegtest.MakeFrames(5, 320, 240), FPS: 20}
	s := capture.NewStream("Gate", src, capture.StreamOptions{Decoders: panel.NewDecoder})
	defer s.Close()
	v := s.Watch(160, 120)
	var drawn atomic.Uint64
	done := make(chan struct{})
	go func() { // a stand-in for the tile: take every frame, count it as drawn
		for {
			select {
			case <-done:
				return
			case <-v.Ready():
				if f := v.Take(); f != nil {
					f.Release()
					drawn.Add(1)
				}
			}
		}
	}()
	defer func() { close(done); v.Close() }()

	var out bytes.Buffer // WriteStats writes on this goroutine until ctx ends
	ctx, cancel := context.WithTimeout(context.Background(), 3500*time.Millisecond)
	defer cancel()
	panel.WriteStats(ctx, &out, func() []panel.ShownTile {
		return []panel.ShownTile{{Stream: s, Drawn: drawn.Load}, {Stream: nil}}
	}, &panel.CPUMeter{})

	sc := bufio.NewScanner(strings.NewReader(out.String()))
	var lines []panel.TileStats
	for sc.Scan() {
		var l panel.TileStats
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) < 2 || len(lines) > 4 { // one per second for the one tile with a camera
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	l := lines[len(lines)-1]
	if l.Camera != "Gate" || l.State != "live" || l.FPSIn <= 0 || l.FPSDrawn <= 0 || l.DecodeW != 160 || l.DecodeH != 120 || l.Width != 320 {
		t.Fatalf("last line %+v", l)
	}
}
