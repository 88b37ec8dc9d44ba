package capture_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

func TestSleep(t *testing.T) {
	ctx := context.Background()
	if !capture.Sleep(ctx, time.Millisecond, nil) {
		t.Error("a short sleep without wake or cancel ended early")
	}
	wake := make(chan struct{}, 1)
	wake <- struct{}{}
	if capture.Sleep(ctx, time.Hour, wake) {
		t.Error("woken, it still said the time had passed")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if capture.Sleep(cctx, time.Hour, wake) {
		t.Error("cancelled, it still said the time had passed")
	}
}
