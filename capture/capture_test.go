package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture/internal/poll"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scriptSource is an in-memory Source for lifecycle tests: each Run plays the next step.
// (Protocol behaviour is tested against real servers in protocols/…; here only the
// supervisor's reaction to a source's outcomes is under test.)
type scriptSource struct {
	mu    sync.Mutex
	runs  int
	steps []step
	w, h  int // picture size of its packets (64×48 when zero)
}

type step struct {
	delay   time.Duration // before connecting
	err     error         // returned at once when packets == 0 …
	packets int           // … else: emit this many packets, then
	hold    bool          // hold the connection silently until cancelled (a stall), or return err
}

func (s *scriptSource) Run(ctx context.Context, sink Sink) error {
	s.mu.Lock()
	st := s.steps[min(s.runs, len(s.steps)-1)]
	s.runs++
	w, h := s.w, s.h
	s.mu.Unlock()
	if w == 0 {
		w, h = 64, 48
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(st.delay):
	}
	if st.packets == 0 && !st.hold {
		return st.err
	}
	sink.Connected(StreamInfo{Protocol: "script", Codec: CodecJPEG})
	if !paced(ctx, st.packets, func(int) {
		now := time.Now()
		sink.Packet(Packet{Codec: CodecJPEG, Data: []byte{1, 2, 3}, Key: true, Width: w, Height: h,
			SourceTime: now.Add(-10 * time.Millisecond), ReceiveTime: now})
	}) {
		return nil
	}
	if st.hold {
		<-ctx.Done()
		return nil
	}
	return st.err
}

// paced calls send(i) for i from 0 to n-1, 5 ms apart (the scripted sources' pace);
// false when ctx ended first.
func paced(ctx context.Context, n int, send func(i int)) bool {
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(5 * time.Millisecond):
		}
		send(i)
	}
	return true
}

func (s *scriptSource) Runs() int { s.mu.Lock(); defer s.mu.Unlock(); return s.runs }

func fastBackoff() []BackoffTier { return []BackoffTier{{Attempts: 0, Delay: 20 * time.Millisecond}} }

func TestHubJPEGDropsOldest(t *testing.T) {
	h := &Hub{}
	s := h.Subscribe("slow", 2)
	for i := 0; i < 5; i++ {
		h.Publish(Packet{Codec: CodecJPEG, Key: true, Data: []byte{byte(i)}})
	}
	if got := s.Drops(); got != 3 {
		t.Fatalf("drops = %d, want 3", got)
	}
	if a, b := (<-s.C()).Data[0], (<-s.C()).Data[0]; a != 3 || b != 4 {
		t.Fatalf("kept %d,%d; want the newest 3,4", a, b)
	}
	h.Close()
	if _, ok := <-s.C(); ok {
		t.Fatal("channel still open after Hub.Close")
	}
	if h.Drops() != 3 {
		t.Fatalf("hub drops after close = %d, want 3", h.Drops())
	}
}

func TestHubInterFrameWaitsForKey(t *testing.T) {
	h := &Hub{}
	s := h.Subscribe("rec", 3)
	pub := func(key bool, id byte) { h.Publish(Packet{Codec: CodecH264, Key: key, Data: []byte{id}}) }
	pub(false, 0) // joined mid-GOP: dropped, waits for a key frame
	pub(true, 1)
	pub(false, 2)
	pub(false, 3)
	pub(false, 4) // overflow: queue emptied, this dropped, wait for key
	pub(false, 5) // still waiting
	pub(true, 6)
	pub(false, 7)
	var got []byte
	var gaps []bool
	for len(s.C()) > 0 {
		p := <-s.C()
		got = append(got, p.Data[0])
		gaps = append(gaps, p.Discontinuity)
	}
	if string(got) != string([]byte{6, 7}) {
		t.Fatalf("received %v, want [6 7]", got)
	}
	if !gaps[0] || gaps[1] {
		t.Fatalf("discontinuity marks %v, want [true false]: the key frame after the gap is marked", gaps)
	}
	pub(false, 8)
	if p := <-s.C(); p.Discontinuity {
		t.Fatal("packet after an unbroken run marked as a discontinuity")
	}
	if d := s.Drops(); d != 6 { // 0, 1,2,3 drained, 4, 5
		t.Fatalf("drops = %d, want 6", d)
	}
	s.Close()
	s.Close()
	if h.Consumers() != 0 {
		t.Fatal("subscription not removed")
	}
}

func TestSupervisorRetriesWithBackoffAndKeepsError(t *testing.T) {
	boom := errors.New("connection refused by 127.0.0.1:1")
	src := &scriptSource{steps: []step{{err: boom}}}
	sup := &Supervisor{Name: "cam", Source: src, Hub: &Hub{}, Backoff: []BackoffTier{{Attempts: 2, Delay: 10 * time.Millisecond}, {Attempts: 0, Delay: time.Hour}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	poll.Until(t, "three attempts then the long tier", func() bool {
		st := sup.Status()
		return src.Runs() == 3 && st.State == StateOffline && time.Until(st.RetryAt) > 30*time.Minute
	})
	st := sup.Status()
	if !errors.Is(st.Err, boom) || st.Attempts != 3 {
		t.Fatalf("status = %+v", st)
	}
	cancel()
	<-done
	if sup.Status().State != StateStopped {
		t.Fatalf("state after cancel = %v", sup.Status().State)
	}
}

func TestSupervisorBackoffFollowsTheKind(t *testing.T) {
	s := &Supervisor{Backoff: DefaultBackoff}
	s.defaults()
	s.jitter = func() float64 { return 0 }
	other := errors.New("x")
	if d := s.delay(0, other); d != time.Second {
		t.Fatalf("first delay %v", d)
	}
	if d := s.delay(100, other); d != 12*time.Second {
		t.Fatalf("late delay %v, want 12s", d)
	}
	// Refused logins and forbidden accounts: 15 s, 5 min, 15 min, then 30 min, counted
	// over consecutive refusals whatever the tier; another kind of failure resets it.
	for i, want := range []time.Duration{15 * time.Second, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, 30 * time.Minute} {
		err := error(ErrUnauthorized)
		if i%2 == 1 {
			err = fmt.Errorf("403 from cam: %w", ErrForbidden)
		}
		if d := s.delay(i, err); d != want {
			t.Fatalf("refusal %d: delay %v, want %v", i+1, d, want)
		}
	}
	s.delay(0, other)
	if d := s.delay(0, ErrUnauthorized); d != 15*time.Second {
		t.Fatalf("refusal after another failure: %v, want 15s", d)
	}
	// A busy server: at least BusyRetryFloor, the tier when that is longer.
	if d := s.delay(0, fmt.Errorf("503: %w", ErrBusy)); d != BusyRetryFloor {
		t.Fatalf("busy delay %v, want %v", d, BusyRetryFloor)
	}
	if d := s.delay(100, ErrBusy); d != 12*time.Second {
		t.Fatalf("late busy delay %v, want 12s", d)
	}
	// Other kinds keep the tiers.
	for _, err := range []error{ErrServerError, ErrUnsupportedTransport, ErrNotFound} {
		if d := s.delay(0, err); d != time.Second {
			t.Fatalf("%v: delay %v, want 1s", err, d)
		}
	}
	// Jitter stays within ±20 %.
	s.jitter = func() float64 { return -1 }
	if d := s.delay(0, ErrUnauthorized); d != 12*time.Second {
		t.Fatalf("jittered delay %v", d)
	}
}

// TestNetworkBackoffNeverWaitsLong: however long a camera is away, a network failure is
// retried within 15 s, jitter at either extreme (issue 12: once a minute after a minute
// offline kept a camera that came back offline up to 70 s); and the worst time from a
// camera's return to the next attempt, for outages of 5 s, 1 min and 5 min, is what the
// schedule says (logged: the numbers the issue asks for, plus the connect itself).
func TestNetworkBackoffNeverWaitsLong(t *testing.T) {
	refused := errors.New("connection refused")
	for _, j := range []float64{-1, 0, 0.999} {
		s := &Supervisor{}
		s.defaults()
		s.jitter = func() float64 { return j }
		at := []time.Duration{0}
		for at[len(at)-1] < 10*time.Minute {
			d := s.delay(len(at)-1, refused)
			if d > 15*time.Second {
				t.Fatalf("jitter %v: attempt %d waits %v", j, len(at), d)
			}
			at = append(at, at[len(at)-1]+d)
		}
		for _, outage := range []time.Duration{5 * time.Second, time.Minute, 5 * time.Minute} {
			// The camera is back at outage: the first attempt at or after it connects.
			next := at[len(at)-1]
			for _, a := range at {
				if a >= outage {
					next = a
					break
				}
			}
			if wait := next - outage; wait > 15*time.Second {
				t.Fatalf("jitter %v: after a %v outage the next attempt comes %v later", j, outage, wait)
			}
		}
	}
	// Worst case over every instant of return, at the jitter bounds: the gap before it.
	for _, j := range []float64{-1, 0.999} {
		s := &Supervisor{}
		s.defaults()
		s.jitter = func() float64 { return j }
		at := []time.Duration{0}
		for at[len(at)-1] < 6*time.Minute {
			at = append(at, at[len(at)-1]+s.delay(len(at)-1, refused))
		}
		for _, outage := range []time.Duration{5 * time.Second, time.Minute, 5 * time.Minute} {
			var gap time.Duration
			for i := 1; i < len(at); i++ {
				if at[i] >= outage {
					gap = at[i] - max(at[i-1], 0)
					break
				}
			}
			t.Logf("jitter %+.0f%%: a camera back after a %v outage is retried within %v", j*20, outage, gap.Round(100*time.Millisecond))
		}
	}
}

// TestSupervisorRetryNowCutsTheWait: RetryNow while offline starts the next attempt at
// once, even on a long tier and after a refused login (a person asked); while
// connecting or live it does nothing and leaves nothing pending for the next wait.
func TestSupervisorRetryNowCutsTheWait(t *testing.T) {
	for _, fail := range []error{errors.New("connection refused"), fmt.Errorf("401: %w", ErrUnauthorized)} {
		src := &scriptSource{steps: []step{{err: fail}, {err: fail}, {packets: 1, hold: true}}}
		sup := &Supervisor{Name: "cam", Source: src, Hub: &Hub{}, Backoff: []BackoffTier{{Delay: time.Hour}}}
		if sup.RetryNow() {
			t.Fatal("RetryNow before Run cut a wait")
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { sup.Run(ctx); close(done) }()
		for n := 1; n <= 2; n++ {
			poll.Until(t, "offline, waiting", func() bool { return src.Runs() == n && sup.Status().State == StateOffline })
			if !sup.RetryNow() {
				t.Fatalf("%v: RetryNow while offline did not cut the wait", fail)
			}
		}
		poll.Until(t, "live after Retry now", func() bool { return src.Runs() == 3 && sup.Status().State == StateLive })
		if sup.RetryNow() {
			t.Fatal("RetryNow while live cut a wait")
		}
		cancel()
		<-done
	}
}

// TestAuthBackoffNeverLocksAnAccount: with DefaultAuthBackoff, a camera refusing every
// login sees at most 4 attempts in any 30 minutes (cameras commonly lock after 5), with
// the jitter at either extreme, and a lone refusal is retried within 18 s.
func TestAuthBackoffNeverLocksAnAccount(t *testing.T) {
	for _, j := range []float64{-1, 0, 0.999} {
		s := &Supervisor{}
		s.defaults()
		s.jitter = func() float64 { return j }
		at := []time.Duration{0} // the first, refused, login
		for len(at) < 12 {
			at = append(at, at[len(at)-1]+s.delay(len(at)-1, ErrUnauthorized))
		}
		if first := at[1]; first > 18*time.Second {
			t.Fatalf("jitter %v: a lone refusal is retried after %v", j, first)
		}
		for i := range at {
			n := 0
			for _, a := range at[i:] {
				if a-at[i] < 30*time.Minute {
					n++
				}
			}
			if n > 4 {
				t.Fatalf("jitter %v: %d logins within 30 min from %v (attempts at %v)", j, n, at[i], at)
			}
		}
	}
}

func TestSupervisorStallThenReconnectThenLive(t *testing.T) {
	// First run: 3 packets then silence (a camera stalled mid-stream); second run: live.
	src := &scriptSource{steps: []step{{packets: 3, hold: true}, {packets: 1000, hold: true}}}
	var mu sync.Mutex
	var seen []State
	sup := &Supervisor{
		Name: "cam", Source: src, Hub: &Hub{}, StallAfter: 100 * time.Millisecond, DropAfter: 300 * time.Millisecond,
		Backoff: fastBackoff(),
		OnStatus: func(st Status) {
			mu.Lock()
			if len(seen) == 0 || seen[len(seen)-1] != st.State {
				seen = append(seen, st.State)
			}
			mu.Unlock()
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	poll.Until(t, "second run live", func() bool { return src.Runs() >= 2 && sup.Status().State == StateLive })
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	want := []State{StateConnecting, StateLive, StateStalled, StateOffline, StateConnecting, StateLive, StateStopped}
	if len(seen) != len(want) {
		t.Fatalf("states %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("states %v, want %v", seen, want)
		}
	}
}

func TestSupervisorSilentAfterConnectIsDropped(t *testing.T) {
	src := &scriptSource{steps: []step{{hold: true}}}
	sup := &Supervisor{Name: "cam", Source: src, Hub: &Hub{}, StallAfter: 50 * time.Millisecond, DropAfter: 100 * time.Millisecond, Backoff: []BackoffTier{{Delay: time.Hour}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	poll.Until(t, "offline after silence", func() bool { return sup.Status().State == StateOffline })
	if err := sup.Status().Err; !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	cancel()
	<-done
}

// sizeDecoder is a FrameDecoder that paints a picture of the right size: the Stream's
// plumbing is under test here, real decoding in capture/jpegdec.
type sizeDecoder struct{ calls *atomic.Int64 }

func (d sizeDecoder) Decode(p Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	d.calls.Add(1)
	fw, fh := FitSize(p.Width, p.Height, w, h)
	if dst == nil || dst.Rect.Dx() != fw || dst.Rect.Dy() != fh {
		dst = image.NewRGBA(image.Rect(0, 0, fw, fh))
	}
	return dst, nil
}
func (sizeDecoder) Close() error { return nil }

// sizeDecoders makes sizeDecoders that count their decodes in calls.
func sizeDecoders(calls *atomic.Int64) func(Codec) (FrameDecoder, error) {
	return func(Codec) (FrameDecoder, error) { return sizeDecoder{calls}, nil }
}

// endlessStream is a Stream "cam" of a source that sends packets until it is stopped,
// decoded by sizeDecoders counting in calls; it is closed when the test ends.
func endlessStream(t *testing.T) (s *Stream, calls *atomic.Int64) {
	calls = new(atomic.Int64)
	src := &scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}
	s = NewStream("cam", src, StreamOptions{Decoders: sizeDecoders(calls)})
	t.Cleanup(s.Close)
	return s, calls
}

func TestStreamWatchDecodesAtViewerSizeAndStopsWhenUnwatched(t *testing.T) {
	s, calls := endlessStream(t)

	v := s.Watch(32, 32)
	var fr *Frame
	poll.Until(t, "a frame", func() bool {
		select {
		case <-v.Ready():
			fr = v.Take()
		default:
		}
		return fr != nil
	})
	if got := fr.Image.Rect.Size(); got != image.Pt(32, 24) {
		t.Fatalf("frame size %v, want 32x24 (64x48 fitted into 32x32)", got)
	}
	fr.Release()
	if s.Status().State != StateLive {
		t.Fatalf("state %v", s.Status().State)
	}
	poll.Until(t, "stats", func() bool { st := s.Stats(); return st.FPSIn > 0 && st.Frames > 0 && st.DecodeW == 32 })

	// A recorder keeps the source up after the viewer leaves, but decoding stops.
	_, unsubscribe := s.Subscribe("recorder", 10)
	v.Close()
	n := calls.Load()
	time.Sleep(50 * time.Millisecond)
	if calls.Load() != n {
		t.Fatalf("still decoding with no viewer: %d → %d", n, calls.Load())
	}
	if st := s.Status().State; st != StateLive {
		t.Fatalf("recorder attached but state %v", st)
	}
	unsubscribe()
	poll.Until(t, "stopped", func() bool { return s.Status().State == StateStopped })
}

func TestFrameSubLatestWins(t *testing.T) {
	s, _ := endlessStream(t)
	v := s.Watch(0, 0)
	defer v.Close()
	poll.Until(t, "frames skipped by a viewer that never takes", func() bool { return v.Skipped() >= 3 })
	fr := v.Take()
	if fr == nil || fr.Image.Rect.Dx() != 64 {
		t.Fatalf("take gave %v", fr)
	}
	fr.Release()
}

// A consumer that asks for 5 frames a second of a JPEG camera sending 200 gets about 5,
// and the other pictures are not decoded; a consumer that wants every frame beside it
// gets them all again, while the paced one still gets its 5.
func TestFrameSubMaxFPSDecodesOnlyWhatIsTaken(t *testing.T) {
	s, calls := endlessStream(t)
	slow := s.Watch(32, 32)
	defer slow.Close()
	slow.SetMaxFPS(5)
	taken := 0
	take := func(f *FrameSub, n *int) {
		select {
		case <-f.Ready():
			if fr := f.Take(); fr != nil {
				*n++
				fr.Release()
			}
		default:
		}
	}
	poll.Until(t, "a frame", func() bool { take(slow, &taken); return taken > 0 })
	c0, t0 := calls.Load(), time.Now()
	for taken = 0; time.Since(t0) < 2*time.Second; time.Sleep(time.Millisecond) {
		take(slow, &taken)
	}
	decoded, packets := calls.Load()-c0, s.Stats().FPSIn*2
	if taken < 7 || taken > 12 || decoded > 12 || packets < 100 {
		t.Fatalf("in 2 s at 5 fps: %d frames taken, %d decoded of about %.0f sent; want about 10 of each", taken, decoded, packets)
	}
	fast := s.Watch(32, 32)
	defer fast.Close()
	c0, t0, taken = calls.Load(), time.Now(), 0
	fastN := 0
	for time.Since(t0) < time.Second {
		take(slow, &taken)
		take(fast, &fastN)
		time.Sleep(time.Millisecond)
	}
	if d := calls.Load() - c0; d < 50 || fastN < 50 || taken < 3 || taken > 7 {
		t.Fatalf("with a consumer of every frame, in 1 s: %d decoded, %d taken by it, %d by the paced one", d, fastN, taken)
	}
}

// A picture a review source wants shown (it has a SourceTime) is not replaced, before the
// viewer takes it, by the units fed after it only to be decoded; a newer picture to show
// does replace it.
func TestFrameSubKeepsTheSoughtPicture(t *testing.T) {
	f := &FrameSub{ready: make(chan struct{}, 1)}
	released := 0
	frame := func(at time.Time) *Frame {
		return &Frame{SourceTime: at, refs: 1, release: func(*Frame) { released++ }}
	}
	t0 := time.Now()
	f.put(frame(time.Time{}), nil)
	f.put(frame(t0), nil) // a picture to show replaces one that is not
	f.put(frame(time.Time{}), nil)
	f.put(frame(time.Time{}), nil)
	if fr := f.Take(); fr == nil || !fr.SourceTime.Equal(t0) {
		t.Fatalf("took %+v, want the picture at %v", fr, t0)
	}
	if released != 3 {
		t.Fatalf("%d frames released, want the 3 not taken", released)
	}
	f.put(frame(t0), nil)
	f.put(frame(t0.Add(time.Second)), nil)
	if fr := f.Take(); fr == nil || !fr.SourceTime.Equal(t0.Add(time.Second)) {
		t.Fatalf("took %+v, want the newer picture", fr)
	}
}

func TestStatsLatencyNeedsPlausibleClock(t *testing.T) {
	var s Stats
	now := time.Now()
	for i := 0; i < 20; i++ {
		s.ObservePacket(Packet{Codec: CodecJPEG, Data: make([]byte, 1000), ReceiveTime: now.Add(time.Duration(i) * 100 * time.Millisecond),
			SourceTime: now.Add(time.Duration(i)*100*time.Millisecond - 20*time.Millisecond)})
	}
	snap := s.Snapshot(now.Add(2 * time.Second))
	if !snap.RecvLatencyOK || snap.RecvLatencyP50 != 20*time.Millisecond {
		t.Fatalf("latency %v ok=%v", snap.RecvLatencyP50, snap.RecvLatencyOK)
	}
	if snap.FPSIn < 6 || snap.FPSIn > 7.5 { // 20 packets, 2 s old at most, in a 3 s window
		t.Fatalf("fps %v", snap.FPSIn)
	}
	var skewed Stats
	for i := 0; i < 20; i++ {
		skewed.ObservePacket(Packet{Codec: CodecJPEG, ReceiveTime: now, SourceTime: now.Add(-5 * time.Minute)})
	}
	if skewed.Snapshot(now).RecvLatencyOK {
		t.Fatal("a clock 5 minutes off was believed")
	}
	if age := s.Snapshot(now.Add(10 * time.Second)); age.FPSIn != 0 || age.LastPacketAge < 8*time.Second {
		t.Fatalf("after silence: fps %v age %v", age.FPSIn, age.LastPacketAge)
	}
}

func TestFitSize(t *testing.T) {
	for _, c := range []struct{ sw, sh, w, h, ww, wh int }{
		{1920, 1080, 480, 270, 480, 270},
		{1920, 1080, 400, 400, 400, 225},
		{1920, 1080, 1000, 100, 178, 100},
		{1920, 1080, 4000, 4000, 1920, 1080},
		{1920, 1080, 0, 0, 1920, 1080},
		{640, 480, 1, 1, 1, 1},
		{0, 0, 10, 10, 0, 0},
	} {
		if w, h := FitSize(c.sw, c.sh, c.w, c.h); w != c.ww || h != c.wh {
			t.Errorf("FitSize(%d,%d,%d,%d) = %d,%d want %d,%d", c.sw, c.sh, c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Cause
	}{
		{nil, CauseNone},
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "cam.invalid", IsNotFound: true}}, CauseDNS},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, CauseRefused},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, CauseUnreachable},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), CauseTimeout},
		{fmt.Errorf("401 from cam: %w", ErrUnauthorized), CauseUnauthorized},
		{fmt.Errorf("text/html: %w", ErrNotVideo), CauseNotVideo},
		{fmt.Errorf("403 from cam: %w", StatusError(403)), CauseForbidden},
		{fmt.Errorf("461 from cam: %w", StatusError(461)), CauseTransport},
		{fmt.Errorf("503 from cam: %w", StatusError(503)), CauseBusy},
		{fmt.Errorf("429 from cam: %w", StatusError(429)), CauseBusy},
		{fmt.Errorf("500 from cam: %w", StatusError(500)), CauseServerError},
		{fmt.Errorf("502 from cam: %w", StatusError(502)), CauseServerError},
		{fmt.Errorf("404 from cam: %w", StatusError(404)), CauseNotFound},
		{fmt.Errorf("bad: %w", ErrBadURL), CauseBadURL},
		{fmt.Errorf("cmyk: %w", ErrUnsupported), CauseUnsupported},
		{errors.New("weird"), CauseOther},
	} {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
		if c.want != CauseNone && c.want != CauseOther && Advice(c.want) == "" {
			t.Errorf("no advice for %q", c.want)
		}
	}
	for _, code := range []int{200, 301, 400, 401, 418} {
		if err := StatusError(code); err != nil {
			t.Errorf("StatusError(%d) = %v, want nil", code, err)
		}
	}
}

func TestSupervisorFallbackThenBackToMain(t *testing.T) {
	boom := errors.New("rtsp: 503 service unavailable")
	// Main: fails four times (three before the fallback starts, one retry while on it),
	// then streams. Fallback: streams smaller pictures until stopped.
	main := &scriptSource{steps: []step{{err: boom}, {err: boom}, {err: boom}, {err: boom}, {packets: 100000, hold: true}}}
	fb := &scriptSource{steps: []step{{packets: 100000, hold: true}}, w: 32, h: 24}
	hub := &Hub{}
	sub := hub.Subscribe("rec", 100000)
	var mu sync.Mutex
	var seen []State
	var errOnFallback error
	sup := &Supervisor{
		Name: "cam", Source: main, Fallback: fb, Hub: hub, Backoff: fastBackoff(),
		FallbackAfter: 3, PrimaryRetry: 150 * time.Millisecond,
		OnStatus: func(st Status) {
			mu.Lock()
			defer mu.Unlock()
			if len(seen) == 0 || seen[len(seen)-1] != st.State {
				seen = append(seen, st.State)
			}
			if st.State == StateFallback {
				errOnFallback = st.Err
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	poll.Until(t, "main source live again", func() bool { return main.Runs() >= 5 && sup.Status().State == StateLive })
	time.Sleep(50 * time.Millisecond) // let a few more main packets through
	cancel()
	<-done
	sub.Close()

	mu.Lock()
	defer mu.Unlock()
	want := []State{StateConnecting, StateOffline, StateConnecting, StateOffline, StateConnecting, StateOffline, StateFallback, StateLive, StateStopped}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v", seen, want)
	}
	if !errors.Is(errOnFallback, boom) {
		t.Fatalf("status error on fallback = %v, want the main source's error", errOnFallback)
	}
	// The Hub saw fallback pictures, then main ones, never mixed after the switch, and
	// the first main packet is marked as a discontinuity.
	var widths []int
	switched := false
	for p := range sub.C() {
		if len(widths) == 0 || widths[len(widths)-1] != p.Width {
			widths = append(widths, p.Width)
			if p.Width == 64 {
				switched = p.Discontinuity
			}
		}
	}
	if fmt.Sprint(widths) != "[32 64]" {
		t.Fatalf("picture widths in order %v, want [32 64]: fallback, then main only", widths)
	}
	if !switched {
		t.Fatal("first main packet after the fallback not marked as a discontinuity")
	}
}

// TestSupervisorAuthBackoffResetsAfterFallbackRecovery: refusals counted while the
// fallback was on screen end when the main source comes back and delivers; a later
// single refusal starts the auth schedule from its first step, not from where the
// earlier outage left it.
func TestSupervisorAuthBackoffResetsAfterFallbackRecovery(t *testing.T) {
	refused := fmt.Errorf("401 from cam: %w", ErrUnauthorized)
	main := &scriptSource{steps: []step{
		{err: refused},             // → fallback, first refusal
		{err: refused},             // retried from the fallback: second refusal
		{packets: 3, err: refused}, // back, delivers, then refused once (a stale nonce)
		{err: refused},             // the retry after it: must be the first step again
		{packets: 100000, hold: true},
	}}
	fb := &scriptSource{steps: []step{{packets: 100000, hold: true}}, w: 32, h: 24}
	sup := &Supervisor{Name: "cam", Source: main, Fallback: fb, Hub: &Hub{}, Backoff: fastBackoff(),
		AuthBackoff:   []BackoffTier{{Attempts: 1, Delay: 10 * time.Millisecond}, {Attempts: 1, Delay: 20 * time.Millisecond}, {Attempts: 0, Delay: time.Hour}},
		FallbackAfter: 1, PrimaryRetry: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	poll.Until(t, "the fourth attempt refused with a retry scheduled", func() bool {
		st := sup.Status()
		return main.Runs() >= 4 && st.State == StateFallback && !st.RetryAt.IsZero()
	})
	if wait := time.Until(sup.Status().RetryAt); wait > time.Minute && main.Runs() == 4 {
		t.Fatalf("after a recovery, one refusal is retried in %v: the refusals before the recovery still count", wait.Round(time.Minute))
	}
	poll.Until(t, "the main source live again", func() bool { return main.Runs() >= 5 && sup.Status().State == StateLive })
}

// TestSupervisorFallbackKeepsTheAuthBackoff: while the fallback shows pictures, a main
// source refused for its credentials is retried on AuthBackoff, not every PrimaryRetry:
// the fallback must not become a way to lock the account.
func TestSupervisorFallbackKeepsTheAuthBackoff(t *testing.T) {
	main := &scriptSource{steps: []step{{err: fmt.Errorf("401 from cam: %w", ErrUnauthorized)}}}
	fb := &scriptSource{steps: []step{{packets: 100000, hold: true}}, w: 32, h: 24}
	sup := &Supervisor{Name: "cam", Source: main, Fallback: fb, Hub: &Hub{}, Backoff: fastBackoff(),
		FallbackAfter: 1, PrimaryRetry: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.Run(ctx); close(done) }()
	poll.Until(t, "the fallback live with a retry scheduled", func() bool {
		st := sup.Status()
		return st.State == StateFallback && !st.RetryAt.IsZero()
	})
	st := sup.Status()
	cancel()
	<-done
	if wait := time.Until(st.RetryAt); wait < 10*time.Second {
		t.Fatalf("main source retried in %v while refused, want the auth backoff (about 15 s)", wait)
	}
	if main.Runs() != 1 {
		t.Fatalf("main source ran %d times", main.Runs())
	}
}
