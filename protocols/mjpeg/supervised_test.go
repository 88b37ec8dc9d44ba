package mjpeg_test

import (
	"errors"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// stateLog records the distinct states a stream goes through.
type stateLog struct {
	mu     sync.Mutex
	states []capture.State
	last   capture.Status
}

func (l *stateLog) add(st capture.Status) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = st
	if n := len(l.states); n == 0 || l.states[n-1] != st.State {
		l.states = append(l.states, st.State)
	}
}

func (l *stateLog) seen() []capture.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.states)
}

func (l *stateLog) waitFor(t *testing.T, what string, cond func(states []capture.State, last capture.Status) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		l.mu.Lock()
		ok := cond(l.states, l.last)
		l.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; states %v", what, l.seen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSupervisedCameraStallsThenRecovers drives a real Source through the Supervisor:
// the camera stops mid-frame (stalled, then dropped and reconnected), then goes away
// entirely (offline, refused), then comes back (live).
func TestSupervisedCameraStallsThenRecovers(t *testing.T) {
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 25, StallAfter: 10})
	defer srv.Close()
	var log stateLog
	s := capture.NewStream("gate", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{
		StallAfter: 300 * time.Millisecond, DropAfter: 700 * time.Millisecond,
		Backoff:  []capture.BackoffTier{{Delay: 50 * time.Millisecond}},
		OnStatus: log.add,
	})
	defer s.Close()
	_, unsubscribe := s.Subscribe("recorder", 100)
	defer unsubscribe()

	// live → stalled (mid-frame) → offline with ErrStalled → connecting → live again.
	log.waitFor(t, "a stall and a reconnection", func(st []capture.State, _ capture.Status) bool {
		i := slices.Index(st, capture.StateStalled)
		return i > 0 && st[i-1] == capture.StateLive && slices.Contains(st[i:], capture.StateOffline) &&
			st[len(st)-1] == capture.StateLive && srv.Connections() >= 2
	})

	// The camera disappears: offline, the refusal kept for the offline card.
	srv.Down()
	log.waitFor(t, "offline with the refusal", func(_ []capture.State, last capture.Status) bool {
		return last.State == capture.StateOffline && errors.Is(last.Err, syscall.ECONNREFUSED) && !last.RetryAt.IsZero()
	})
	// It comes back: live again.
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, "live after the camera came back", func(_ []capture.State, last capture.Status) bool {
		return last.State == capture.StateLive
	})
	if st := s.Stats(); st.Packets < 10 || st.Codec != capture.CodecJPEG {
		t.Fatalf("stats %+v", st)
	}
}
