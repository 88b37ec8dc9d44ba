package capture

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestOnCancel(t *testing.T) {
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	stop := OnCancel(ctx, func() { time.Sleep(20 * time.Millisecond); calls.Add(1) })
	cancel()
	time.Sleep(5 * time.Millisecond) // f is running
	stop()
	if calls.Load() != 1 {
		t.Fatalf("stop returned before f finished (%d calls)", calls.Load())
	}
	stop()

	ctx2, cancel2 := context.WithCancel(context.Background())
	stop = OnCancel(ctx2, func() { calls.Add(1) })
	stop()
	cancel2()
	time.Sleep(5 * time.Millisecond)
	if calls.Load() != 1 {
		t.Fatal("f ran after stop")
	}
}
