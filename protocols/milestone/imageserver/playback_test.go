package imageserver_test

import (
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/protocols/milestone/imageserver"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
)

// TestPlaybackRunsAgainFromItsPosition: the Source alone plays from From in order, and
// run again (a reconnect) continues after the last frame it delivered.
func TestPlaybackRunsAgainFromItsPosition(t *testing.T) {
	for _, step := range []imageserver.Stepping{imageserver.StepGoto, imageserver.StepNext} {
		t.Run(step.String(), func(t *testing.T) {
			r := newRecorder(t, milestonetest.RecorderOptions{RecordedHistory: time.Hour, RecordedInterval: 50 * time.Millisecond})
			src := newSource(r, 0, 0)
			src.From, src.Speed, src.Stepping = r.RecordedTime(50), 4, step
			k, err := run(t, src, 8)
			if err != nil {
				t.Fatal(err)
			}
			ps := k.Packets()
			if !ps[0].SourceTime.Equal(r.RecordedTime(50)) {
				t.Fatalf("first frame at %v, want %v", ps[0].SourceTime, r.RecordedTime(50))
			}
			for i := 1; i < len(ps); i++ {
				if !ps[i].SourceTime.After(ps[i-1].SourceTime) {
					t.Fatalf("frame %d not after frame %d", i, i-1)
				}
			}
			pos := src.Position()
			if !pos.Equal(ps[len(ps)-1].SourceTime) {
				t.Fatalf("Position %v, last packet %v", pos, ps[len(ps)-1].SourceTime)
			}
			k2, err := run(t, src, 1)
			if err != nil {
				t.Fatal(err)
			}
			if first := k2.Packets()[0].SourceTime; !first.After(pos) || first.Sub(pos) > time.Second {
				t.Fatalf("run again started at %v, last delivered %v", first, pos)
			}
		})
	}
}
