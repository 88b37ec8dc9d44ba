package push

import (
	"context"
	"image/color"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

// reports collects what a Pusher reports.
type reports struct {
	mu   sync.Mutex
	msgs []string
}

func (r *reports) add(m string) { r.mu.Lock(); r.msgs = append(r.msgs, m); r.mu.Unlock() }

func (r *reports) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// runPusher runs p until the returned stop; stop reports how long Run took to return.
func runPusher(p *Pusher) (stop func() time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	return func() time.Duration {
		t0 := time.Now()
		cancel()
		<-done
		return time.Since(t0)
	}
}

// Cancel while connecting: no listener, the Pusher retries with backoff and says so; a
// cancel ends Run at once.
func TestPusherCancelWhileConnecting(t *testing.T) {
	r := &reports{}
	stop := runPusher(&Pusher{Addr: "127.0.0.1:1", Name: "x", Report: r.add, Next: capture.LoopPictures([][]byte{testJPEG(1)}, 10)})
	capturetest.WaitFor(t, "a retry reported", func() bool { return r.has("reconnecting in") })
	if d := stop(); d > time.Second {
		t.Fatalf("Run took %s to return", d)
	}
}

// Cancel while streaming, and a panel that goes away: the Pusher sees the close at once
// (it reads the connection), says so, and connects again when the listener is back.
func TestPusherStreamingPanelGoneAndBack(t *testing.T) {
	h, ann, _ := listen(t, Options{})
	addr := h.Addr()
	r := &reports{}
	pic := colourJPEG(t, 8, 8, color.RGBA{7, 7, 7, 255})
	stop := runPusher(&Pusher{Addr: addr, Name: "p", Report: r.add, Backoff: []time.Duration{50 * time.Millisecond},
		Next: capture.LoopPictures([][]byte{pic}, 50)})
	defer stop()
	capturetest.WaitFor(t, "connected", func() bool { return len(ann.list()) == 1 })

	// Another listener on the same address after this one closes (nothing else holds it).
	h.Close()
	capturetest.WaitFor(t, "the loss reported", func() bool { return r.has("the panel closed the connection") })
	h2, err := Listen(addr, Options{Logger: h.l.log})
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	t.Cleanup(func() { h2.Close() }) // after the camera below lets go of it
	cam2 := openCamera(t, h2.URL()+"/p")
	cam2.next(t)
	if d := stop(); d > time.Second {
		t.Fatalf("Run took %s to return while streaming", d)
	}
}

// A Next that ends (a file at its end) ends Run with nil after the last frame.
func TestPusherEndsWithItsSource(t *testing.T) {
	h, _, _ := listen(t, Options{})
	n := 0
	p := &Pusher{Addr: h.Addr(), Name: "f", Next: func(ctx context.Context) ([]byte, time.Time, error) {
		if n == 3 {
			return nil, time.Time{}, io.EOF
		}
		n++
		return testJPEG(n), time.Now(), nil
	}}
	if err := p.Run(context.Background()); err != nil || n != 3 {
		t.Fatalf("Run: %v after %d frames", err, n)
	}
	if err := (&Pusher{Addr: h.Addr(), Name: "bad name"}).Run(context.Background()); err == nil {
		t.Fatal("a bad name accepted")
	}
}
