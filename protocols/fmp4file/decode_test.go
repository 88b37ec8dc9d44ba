//go:build cgo

package fmp4file

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
)

func decoders(c capture.Codec) (capture.FrameDecoder, error) {
	if c == capture.CodecJPEG {
		return jpegdec.New()
	}
	return avdec.NewFrameDecoder(c)
}

// viewer collects the decoded pictures' times from a Stream of src.
type viewer struct {
	st    *capture.Stream
	sub   *capture.FrameSub
	times chan time.Time
	done  chan struct{}
}

func watch(t *testing.T, src *Source) *viewer {
	t.Helper()
	v := &viewer{st: capture.NewStream("cam", src, capture.StreamOptions{Decoders: decoders, Logger: slog.New(slog.DiscardHandler)}),
		times: make(chan time.Time, 1000), done: make(chan struct{})}
	v.sub = v.st.Watch(0, 0)
	stop := make(chan struct{})
	go func() {
		defer close(v.done)
		for {
			select {
			case <-stop:
				return
			case <-v.sub.Ready():
			}
			if f := v.sub.Take(); f != nil {
				if !f.SourceTime.IsZero() {
					v.times <- f.SourceTime
				}
				f.Release()
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		v.sub.Close()
		v.st.Close()
		<-v.done
	})
	return v
}

// next waits for the next picture shown.
func (v *viewer) next(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-v.times:
		return at
	case <-time.After(30 * time.Second):
		t.Fatal("no picture")
	}
	return time.Time{}
}

// last waits for a picture, then drains them until none came for a second and returns
// the newest.
func (v *viewer) last(t *testing.T) time.Time {
	t.Helper()
	return v.settle(v.next(t))
}

// settle drains the pictures until none came for a second: the newest, or at.
func (v *viewer) settle(at time.Time) time.Time {
	for {
		select {
		case at = <-v.times:
		case <-time.After(time.Second):
			return at
		}
	}
}

// Through the real decoders, a recording plays its pictures in display order at the
// times recorded, for H.264 with B-frames, H.265 and M-JPEG.
func TestDecodedInDisplayOrder(t *testing.T) {
	for _, codec := range []string{"h264b", "h265", "jpeg"} {
		t.Run(codec, func(t *testing.T) {
			r := record(t, codec, 2, 0)
			t0 := r.starts[0]
			want := r.displayOrder()
			v := watch(t, New(r.dir, time.Time{}, 1))
			var got []time.Time
		collect:
			for len(got) < len(want)-3 { // a reordering decoder holds the last few back
				select {
				case at := <-v.times:
					got = append(got, at)
				case <-time.After(3 * time.Second):
					break collect // the end, some pictures skipped by a decoder behind
				}
			}
			for i, at := range got {
				if i > 0 && !at.After(got[i-1]) {
					t.Fatalf("picture %d at %v after one at %v", i, at.Sub(t0), got[i-1].Sub(t0))
				}
				if !slices.ContainsFunc(want, at.Equal) {
					t.Fatalf("picture %d at %v: no unit was recorded then", i, at.Sub(t0))
				}
			}
			// A decoder behind (a loaded machine) skips pictures by design (latest wins);
			// the order and the times are what this test holds to, so only a wall that
			// shows less than half of them fails.
			skipped := len(want) - 3 - countIn(want[:len(want)-3], got)
			t.Logf("%d of %d pictures shown at 1×", len(want)-3-skipped, len(want)-3)
			if skipped > len(want)/2 {
				t.Errorf("%d pictures not shown at 1×", skipped)
			}
		})
	}
}

func countIn(want, got []time.Time) int {
	n := 0
	for _, w := range want {
		if slices.ContainsFunc(got, w.Equal) {
			n++
		}
	}
	return n
}

// Paused, a seek shows exactly the picture at the time (B-frames decoded forward from
// the key frame), and each step the next one in display order. The time from the seek
// to that picture is the seek time reported.
func TestPausedSeekShowsThePicture(t *testing.T) {
	pausedSeek(t, 320, 240)
}

// The same at 1280×720: the seek time for the report (a 1 s GOP, decoded forward from
// its key frame at full size).
func TestPausedSeek720p(t *testing.T) {
	if testing.Short() {
		t.Skip("720p encode")
	}
	pausedSeek(t, 1280, 720)
}

func pausedSeek(t *testing.T, w, h int) {
	r := recordSized(t, "h264b", w, h, 3, 0)
	t0 := r.starts[0]
	shown := r.displayOrder()
	src := New(r.dir, time.Time{}, 1)
	src.Pause()
	v := watch(t, src)
	v.last(t)
	var took []time.Duration
	for _, goal := range []time.Duration{1700 * time.Millisecond, 900 * time.Millisecond, 2500 * time.Millisecond, 1020 * time.Millisecond} {
		i, _ := slices.BinarySearchFunc(shown, t0.Add(goal), time.Time.Compare)
		if i == len(shown) || shown[i].After(t0.Add(goal)) {
			i--
		}
		asked := time.Now()
		src.Seek(t0.Add(goal))
		var first []time.Duration
		for at := v.next(t); !at.Equal(shown[i]); at = v.next(t) {
			first = append(first, at.Sub(t0))
		}
		took = append(took, time.Since(asked))
		if at2 := v.settle(shown[i]); !at2.Equal(shown[i]) || len(first) > 0 {
			t.Fatalf("paused seek to %v shows %v (before it %v), want %v", goal, at2.Sub(t0), first, shown[i].Sub(t0))
		}
		for s := 1; s <= 3; s++ {
			src.Step()
			if at := v.last(t); !at.Equal(shown[i+s]) {
				t.Fatalf("step %d after %v shows %v, want %v", s, goal, at.Sub(t0), shown[i+s].Sub(t0))
			}
		}
	}
	t.Logf("seek → the sought picture shown (%d×%d H.264, B-frames, 1 s GOP): %v", w, h, took)
}
