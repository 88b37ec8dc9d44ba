package imageserver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/protocols/milestone/imageserver"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	camGUID = "0c0a3f7e-1111-4222-8333-944455556666"
	// secret is the part of testToken no message may show.
	secret    = "5ec7e7-0000"
	testToken = "TOKEN#" + secret + "#rec//ServerConnector#"
)

// makeFrames encodes n distinct w×h JPEGs.
func makeFrames(n, w, h int) [][]byte {
	var out [][]byte
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetRGBA(x, y, color.RGBA{uint8(x + 40*i), uint8(y), 128, 255})
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			panic(err)
		}
		out = append(out, b.Bytes())
	}
	return out
}

var frames = makeFrames(3, 320, 180)

// sink records what a Source reports (capturetest.Sink).
type sink = capturetest.Sink

func newRecorder(t *testing.T, opts milestonetest.RecorderOptions) *milestonetest.Recorder {
	t.Helper()
	if opts.Cameras == nil {
		opts.Cameras = map[string][][]byte{camGUID: frames}
	}
	if opts.FPS == 0 {
		opts.FPS = 50
	}
	r := milestonetest.NewRecorder(opts)
	t.Cleanup(r.Close)
	return r
}

func newSource(r *milestonetest.Recorder, w, h int) *imageserver.Source {
	return &imageserver.Source{
		Addr: r.Addr(), CameraGUID: camGUID, Token: func() string { return testToken },
		Width: w, Height: h, Timeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
	}
}

// run runs src until want packets arrived (capturetest.Run).
func run(t *testing.T, src *imageserver.Source, want int) (*sink, error) {
	return capturetest.Run(t, src, want)
}

func checkPackets(t *testing.T, k *sink, w, h int) {
	t.Helper()
	if len(k.Infos()) != 1 {
		t.Fatalf("Connected %d times", len(k.Infos()))
	}
	if i := k.Infos()[0]; i.Protocol != "milestone" || i.Transport != "tcp" || i.Codec != capture.CodecJPEG {
		t.Errorf("StreamInfo %+v", i)
	}
	for n, p := range k.Packets() {
		if p.Codec != capture.CodecJPEG || !p.Key || p.Width != w || p.Height != h || p.ReceiveTime.IsZero() {
			t.Fatalf("packet %d: %s %dx%d key %v", n, p.Codec, p.Width, p.Height, p.Key)
		}
		if p.SourceTime.IsZero() || time.Since(p.SourceTime) > time.Minute {
			t.Fatalf("packet %d: SourceTime %v", n, p.SourceTime)
		}
		if got, err := jpeg.DecodeConfig(bytes.NewReader(p.Data)); err != nil || got.Width != w {
			t.Fatalf("packet %d does not decode at %d wide: %v %+v", n, w, err, got)
		}
	}
}

func TestLiveAtRequestedSize(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	k, err := run(t, newSource(r, 160, 90), 5)
	if err != nil {
		t.Fatal(err)
	}
	checkPackets(t, k, 160, 90)
	if r.Connections() != 1 || r.Frames() < 5 {
		t.Errorf("recorder saw %d connections, sent %d frames", r.Connections(), r.Frames())
	}
}

func TestRecorderIgnoresSize(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{IgnoreSize: true})
	k, err := run(t, newSource(r, 160, 90), 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPackets(t, k, 320, 180) // the size that arrived, for the decoder's DCT scaling
}

func TestNativeGenericByteData(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	src := newSource(r, 0, 0)
	src.Native = true
	k, err := run(t, src, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPackets(t, k, 320, 180)
}

func TestTokenRejected(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{ValidToken: func(tok string) bool { return tok == "TOKEN#other#" }})
	k, err := run(t, newSource(r, 160, 90), 1)
	if !errors.Is(err, capture.ErrUnauthorized) || len(k.Packets()) != 0 {
		t.Fatalf("%v, %d packets; want ErrUnauthorized", err, len(k.Packets()))
	}
	msg := err.Error()
	if strings.Contains(msg, secret) || !strings.Contains(msg, "recorder connect at "+r.Addr()+": token rejected") || !strings.Contains(msg, "login may have expired") {
		t.Fatalf("message %q", msg)
	}
	// The same through the fault switch.
	r2 := newRecorder(t, milestonetest.RecorderOptions{})
	r2.SetFault(milestonetest.RecorderRejectTokens)
	if _, err := run(t, newSource(r2, 0, 0), 1); !errors.Is(err, capture.ErrUnauthorized) || strings.Contains(err.Error(), secret) {
		t.Fatalf("%v", err)
	}
}

func TestUnknownCamera(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	src := newSource(r, 0, 0)
	src.CameraGUID = "ffffffff-0000-0000-0000-000000000000"
	if _, err := run(t, src, 1); !errors.Is(err, capture.ErrNotFound) {
		t.Fatalf("%v, want ErrNotFound", err)
	}
}

// tokens is a recorder's set of valid tokens that a test changes.
type tokens struct {
	mu    sync.Mutex
	valid map[string]bool
}

func (v *tokens) set(ts ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.valid = map[string]bool{}
	for _, t := range ts {
		v.valid[t] = true
	}
}

func (v *tokens) ok(t string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.valid[t]
}

// waitFor polls cond (capturetest.WaitFor).
func waitFor(t *testing.T, what string, cond func() bool) { capturetest.WaitFor(t, what, cond) }

func TestConnectUpdateKeepsStream(t *testing.T) {
	var valid tokens
	valid.set(testToken)
	r := newRecorder(t, milestonetest.RecorderOptions{ValidToken: valid.ok})
	var cur atomic.Value
	cur.Store(testToken)
	src := newSource(r, 160, 90)
	src.Token = func() string { return cur.Load().(string) }

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := &sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()

	waitFor(t, "first packets", func() bool { return k.Len() >= 2 })
	for i := 1; i <= 3; i++ { // three renewals, each retiring the old token
		next := fmt.Sprintf("TOKEN#renewed-%d#", i)
		valid.set(cur.Load().(string), next)
		cur.Store(next)
		if err := src.TokenRenewed(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "connectupdate", func() bool { return r.ConnectUpdates() == int64(i) })
		valid.set(next)
		n := k.Len()
		waitFor(t, "packets under the new token", func() bool { return k.Len() >= n+3 })
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r.Connections() != 1 {
		t.Fatalf("%d connections: the stream did not survive the renewals", r.Connections())
	}

	// Without connectupdate, the recorder drops the session once the token goes.
	valid.set(testToken)
	cur.Store(testToken)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	k2 := &sink{}
	go func() { done <- src.Run(ctx2, k2) }()
	waitFor(t, "packets", func() bool { return k2.Len() >= 1 })
	valid.set("TOKEN#someone-else#")
	if err := <-done; err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("expired session: %v", err)
	}
}

func TestGotoAndStep(t *testing.T) {
	start := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	r := newRecorder(t, milestonetest.RecorderOptions{RecordedStart: start, RecordedInterval: 250 * time.Millisecond, RecordedFrames: 6})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := imageserver.Dial(ctx, r.Addr(), imageserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Connect(ctx, testToken, camGUID, imageserver.ConnectParams{Width: 160, Height: 90}); err != nil {
		t.Fatal(err)
	}
	im, err := c.Goto(ctx, r.RecordedTime(2).Add(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; ; i++ {
		if !im.Current.Equal(r.RecordedTime(i)) || !im.Prev.Equal(r.RecordedTime(i-1)) {
			t.Fatalf("frame %d: Prev %v Current %v", i, im.Prev, im.Current)
		}
		pk, err := im.Packets(time.Now())
		if err != nil || len(pk) != 1 || pk[0].Width != 160 || !pk[0].SourceTime.Equal(r.RecordedTime(i)) {
			t.Fatalf("frame %d: %v %+v", i, err, pk)
		}
		next, ok, err := c.Step(ctx, im)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if i != 5 {
				t.Fatalf("playback ended at frame %d, want 5", i)
			}
			break
		}
		im = next
	}
	// Before the database starts: an empty image.
	im, err = c.Goto(ctx, start.Add(-time.Hour))
	if err != nil || len(im.Payload) != 0 || !im.Current.IsZero() {
		t.Fatalf("before the start: %v %+v", err, im)
	}
	if r.Gotos() != 5 {
		t.Errorf("%d gotos", r.Gotos())
	}
}

func TestStallMidFrame(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	r.SetFault(milestonetest.RecorderStallMidFrame)
	src := newSource(r, 160, 90)
	src.ReadTimeout = 300 * time.Millisecond
	_, err := run(t, src, 1)
	if !errors.Is(err, capture.ErrStalled) || !strings.Contains(err.Error(), r.Addr()) {
		t.Fatalf("%v, want ErrStalled naming the recorder", err)
	}
}

func TestCloseMidFrame(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	r.SetFault(milestonetest.RecorderCloseMidFrame)
	_, err := run(t, newSource(r, 160, 90), 1)
	if err == nil || !strings.Contains(err.Error(), "closed the connection") {
		t.Fatalf("%v", err)
	}
}

func TestHugeBlock(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	r.SetFault(milestonetest.RecorderHugeBlock)
	capturetest.RefusedBeforeAllocating(t, 32<<20, func() error { // a 2 TiB claim
		_, err := run(t, newSource(r, 160, 90), 1)
		return err
	})
}

func TestGarbage(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	r.SetFault(milestonetest.RecorderGarbage)
	_, err := run(t, newSource(r, 160, 90), 1)
	if !errors.Is(err, capture.ErrMalformed) || !strings.Contains(err.Error(), r.Addr()) || !strings.Contains(err.Error(), "HTTP/1.1") {
		t.Fatalf("%v, want ErrMalformed saying where and what", err)
	}
}

func TestCancelWhileConnecting(t *testing.T) {
	// A listener that accepts and never answers connect.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held sync.WaitGroup
	held.Add(1)
	go func() {
		defer held.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				c.Close()
				return
			}
		}
	}()
	// And a dialler that never completes.
	blocked := func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	for _, src := range []*imageserver.Source{
		{Addr: ln.Addr().String(), CameraGUID: camGUID, Token: func() string { return testToken }},
		{Addr: "192.0.2.1:7563", CameraGUID: camGUID, Token: func() string { return testToken }, Dial: blocked},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		t0 := time.Now()
		if err := src.Run(ctx, &sink{}); err != nil {
			t.Errorf("%s: Run returned %v after cancel, want nil", src.Addr, err)
		}
		if d := time.Since(t0); d > 5*time.Second {
			t.Errorf("%s: cancel took %v", src.Addr, d)
		}
		cancel()
	}
	ln.Close()
	held.Wait()
}

func TestCancelWhileStreaming(t *testing.T) {
	r := newRecorder(t, milestonetest.RecorderOptions{})
	k, err := run(t, newSource(r, 160, 90), 3)
	if err != nil || len(k.Packets()) < 3 {
		t.Fatalf("%v, %d packets", err, len(k.Packets()))
	}
	// A stalled stream cancelled while the reader waits mid-frame.
	r.SetFault(milestonetest.RecorderStallMidFrame)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if err := newSource(r, 160, 90).Run(ctx, &sink{}); err != nil {
		t.Fatalf("cancel mid-frame: %v", err)
	}
}

func TestSupervised(t *testing.T) {
	// The Source under capture's Supervisor: offline after a drop mid-frame, then back.
	r := newRecorder(t, milestonetest.RecorderOptions{})
	src := newSource(r, 160, 90)
	var hub capture.Hub
	sub := hub.Subscribe("test", 64)
	defer sub.Close()
	sup := &capture.Supervisor{Name: "ms", Source: src, Hub: &hub, Stats: &capture.Stats{},
		Backoff: []capture.BackoffTier{{Attempts: 100, Delay: 50 * time.Millisecond}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sup.Run(ctx) }()
	defer func() { cancel(); <-done }()
	got := func(n int, after time.Time) {
		t.Helper()
		for n > 0 {
			select {
			case p := <-sub.C():
				if p.ReceiveTime.After(after) {
					n--
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no packets")
			}
		}
	}
	got(2, time.Time{})
	r.SetFault(milestonetest.RecorderCloseMidFrame)
	r.DropConnections()
	waitFor(t, "reconnects", func() bool { return r.Connections() >= 3 })
	r.SetFault(milestonetest.RecorderFaultNone)
	got(3, time.Now())
}
