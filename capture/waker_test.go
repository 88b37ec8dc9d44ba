package capture

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// wakingSource fails every Run and closes its Wake channel from the second failure on,
// as a pusher's camera does when its pusher has reconnected.
type wakingSource struct {
	runs atomic.Int32
	wake chan struct{}
}

func (w *wakingSource) Run(ctx context.Context, sink Sink) error {
	w.runs.Add(1)
	return errors.New("no pusher")
}

func (w *wakingSource) Wake() <-chan struct{} {
	if w.runs.Load() >= 2 {
		return w.wake
	}
	return nil
}

// A Waker's channel cuts the Supervisor's backoff (here an hour).
func TestSupervisorWakerCutsTheBackoff(t *testing.T) {
	src := &wakingSource{wake: make(chan struct{})}
	close(src.wake)
	sup := &Supervisor{Name: "push", Source: src, Hub: &Hub{}, Backoff: []BackoffTier{{Attempts: 1, Delay: 10 * time.Millisecond}, {Delay: time.Hour}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sup.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for src.runs.Load() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs: the Waker did not cut the hour's wait", src.runs.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
