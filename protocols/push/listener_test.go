package push

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

func TestMain(m *testing.M) {
	if helperMain() {
		return
	}
	goleak.VerifyTestMain(m)
}

// announced collects the URLs a listener announces.
type announced struct {
	mu   sync.Mutex
	urls []string
}

func (a *announced) add(u string) {
	a.mu.Lock()
	a.urls = append(a.urls, u)
	a.mu.Unlock()
}

func (a *announced) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.urls...)
}

// listen opens a listener on a port picked at run time; it closes at the test's end
// (after the streams, which are closed in cleanups registered later).
func listen(t *testing.T, o Options) (*Handle, *announced, *capturetest.Buffer) {
	t.Helper()
	a := &announced{}
	lb := &capturetest.Buffer{}
	o.Announce = a.add
	o.Logger = slog.New(slog.NewTextHandler(lb, nil))
	h, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, a, lb
}

// colourJPEG encodes a w×h picture of one colour.
func colourJPEG(t testing.TB, w, h int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawPusher is one pusher connection written by hand.
type rawPusher struct {
	c   net.Conn
	raw bool // JPEGs back to back, without the frame header
}

func dialPusher(t testing.TB, addr, handshake string) *rawPusher {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if handshake != "" {
		if _, err := io.WriteString(c, handshake); err != nil {
			t.Fatal(err)
		}
	}
	return &rawPusher{c: c}
}

func (p *rawPusher) send(jpg []byte) error {
	b := jpg
	if !p.raw {
		b = AppendFrame(nil, jpg, time.Now())
	}
	_, err := p.c.Write(b)
	return err
}

// closedByPanel waits until the panel closes c (a read returns), or fails after 10 s.
func closedByPanel(t testing.TB, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b [1]byte
	if _, err := c.Read(b[:]); err == nil {
		t.Fatal("the panel wrote to a pusher")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the panel did not close the connection")
	}
}

// statusLog records a stream's statuses with their times.
type statusLog struct {
	mu  sync.Mutex
	sts []capture.Status
	at  []time.Time
}

func (s *statusLog) add(st capture.Status) {
	s.mu.Lock()
	s.sts = append(s.sts, st)
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

// firstSince returns when the stream first entered state after t0 (zero: not yet).
func (s *statusLog) firstSince(state capture.State, t0 time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, st := range s.sts {
		if st.State == state && !s.at[i].Before(t0) {
			return s.at[i]
		}
	}
	return time.Time{}
}

// camera is a push camera's stream with a packet consumer, as the wall holds one.
type camera struct {
	st  *capture.Stream
	sub *capture.Subscription
	log *statusLog
}

// openCamera builds the stream of rawURL through the protocol table (as the core does)
// with a backoff long enough that only Wake can explain a quick reconnection.
func openCamera(t testing.TB, rawURL string) *camera {
	t.Helper()
	var r capture.Registry
	Register(&r)
	src, err := r.NewSource(rawURL, capture.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	sl := &statusLog{}
	st := capture.NewStream(rawURL, src, capture.StreamOptions{
		OnStatus: sl.add,
		Backoff:  []capture.BackoffTier{{Delay: 30 * time.Second}},
		Logger:   slog.New(slog.DiscardHandler),
	})
	sub, release := st.Subscribe("test", 1024)
	t.Cleanup(func() {
		release()
		st.Close()
	})
	return &camera{st: st, sub: sub, log: sl}
}

// next returns the camera's next packet, failing after 10 s.
func (c *camera) next(t testing.TB) capture.Packet {
	t.Helper()
	select {
	case p := <-c.sub.C():
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no packet; status %v %v", c.st.Status().State, c.st.Status().Err)
	}
	return capture.Packet{}
}

func TestEightPushersEachTheirCamera(t *testing.T) {
	h, ann, _ := listen(t, Options{})
	const n = 8
	pics := make([][]byte, n)
	cams := make([]*camera, n)
	for i := range n {
		pics[i] = colourJPEG(t, 32+i, 24, color.RGBA{uint8(30 * i), 0, 0, 255})
		cams[i] = openCamera(t, h.URL()+"/cam"+string(rune('0'+i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for i := range n {
		p := &Pusher{Addr: h.Addr(), Name: "cam" + string(rune('0'+i)), Next: capture.LoopPictures(pics[i:i+1], 50)}
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}
	for i, c := range cams {
		for range 5 {
			p := c.next(t)
			if !bytes.Equal(p.Data, pics[i]) || p.Width != 32+i || p.Height != 24 || p.SourceTime.IsZero() {
				t.Fatalf("camera %d got a packet of %d×%d (%d bytes), not its own", i, p.Width, p.Height, len(p.Data))
			}
		}
		if st := c.st.Status(); st.State != capture.StateLive || st.Info.Protocol != "push-vigil-push" {
			t.Fatalf("camera %d: %+v", i, st)
		}
	}
	capturetest.WaitFor(t, "8 announcements", func() bool { return len(ann.list()) >= n })
	for _, u := range ann.list() {
		if !strings.HasPrefix(u, h.URL()+"/cam") {
			t.Fatalf("announced %q", u)
		}
	}
	if got := capture.Counter(h).Connected(); got != n {
		t.Fatalf("Connected() = %d, want %d", got, n)
	}
	cancel()
	wg.Wait()
	capturetest.WaitFor(t, "0 connected", func() bool { return h.Connected() == 0 })
}

func TestKilledPusherOfflineAtOnceAndBackOnSameCamera(t *testing.T) {
	h, _, lb := listen(t, Options{})
	cam := openCamera(t, h.URL()+"/door")
	pic := colourJPEG(t, 16, 16, color.RGBA{0, 200, 0, 255})

	// Before the pusher comes: offline, saying what to start.
	capturetest.WaitFor(t, "offline while no pusher", func() bool { return cam.st.Status().State == capture.StateOffline })
	if err := cam.st.Status().Err; !errors.Is(err, capture.ErrNotFound) || !strings.Contains(err.Error(), "vigil push") {
		t.Fatalf("waiting error: %v", err)
	}
	var worst time.Duration
	for round := range 3 {
		p := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 door\n")
		t0 := time.Now()
		for cam.st.Status().State != capture.StateLive {
			if err := p.send(pic); err != nil {
				t.Fatal(err)
			}
			if time.Since(t0) > 5*time.Second {
				t.Fatalf("round %d: not live again within 5 s (backoff is 30 s: Wake did not fire)", round)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cam.next(t)
		killed := time.Now()
		p.c.Close()
		capturetest.WaitFor(t, "offline", func() bool { return !cam.log.firstSince(capture.StateOffline, killed).IsZero() })
		d := cam.log.firstSince(capture.StateOffline, killed).Sub(killed)
		worst = max(worst, d)
		t.Logf("round %d: back live %s after reconnecting; offline %s after the pusher's connection closed", round, time.Since(t0).Round(time.Millisecond), d)
	}
	if worst > 100*time.Millisecond {
		t.Errorf("disconnect to offline took %s, want ≤ 100 ms", worst)
	}
	if !strings.Contains(lb.String(), "the pusher closed the connection") {
		t.Errorf("no reason logged:\n%s", lb)
	}
}

func TestNewestConnectionWins(t *testing.T) {
	h, _, _ := listen(t, Options{})
	cam := openCamera(t, h.URL()+"/x")
	a := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 x\n")
	sendUntil(t, a, cam, colourJPEG(t, 8, 8, color.RGBA{1, 1, 1, 255}))
	b := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 x\n")
	closedByPanel(t, a.c)
	sendUntil(t, b, cam, colourJPEG(t, 8, 16, color.RGBA{2, 2, 2, 255}))
}

// sendUntil sends pic until the camera delivers it (frames sent before a Run takes the
// pusher are dropped, as a live picture should be).
func sendUntil(t *testing.T, p *rawPusher, cam *camera, pic []byte) {
	t.Helper()
	capturetest.WaitFor(t, "the pusher's frames", func() bool {
		p.send(pic)
		select {
		case got := <-cam.sub.C():
			return bytes.Equal(got.Data, pic)
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
}

func TestFFmpegMultipartWithoutHandshake(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("no ffmpeg")
	}
	h, ann, _ := listen(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
		"-i", "testsrc2=size=320x240:rate=10", "-t", "20", "-f", "mpjpeg", "tcp://"+h.Addr())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	capturetest.WaitFor(t, "ffmpeg announced", func() bool { return len(ann.list()) > 0 })
	u := ann.list()[0]
	if !strings.HasPrefix(u, h.URL()+"/127.0.0.1-") {
		t.Fatalf("announced %q", u)
	}
	cam := openCamera(t, u)
	for range 3 {
		p := cam.next(t)
		if p.Width != 320 || p.Height != 240 || p.Data[0] != 0xFF {
			t.Fatalf("packet %d×%d", p.Width, p.Height)
		}
	}
	if pr := cam.st.Status().Info.Protocol; pr != "push-multipart" {
		t.Fatalf("protocol %q", pr)
	}
}

func TestRawJPEGsWithoutHandshake(t *testing.T) {
	h, ann, _ := listen(t, Options{})
	p := dialPusher(t, h.Addr(), "")
	p.raw = true
	pic := colourJPEG(t, 24, 8, color.RGBA{9, 9, 9, 255})
	p.send(pic)
	capturetest.WaitFor(t, "announced", func() bool { return len(ann.list()) > 0 })
	sendUntil(t, p, openCamera(t, ann.list()[0]), pic)
}

func TestTokenRequired(t *testing.T) {
	h, ann, lb := listen(t, Options{Token: "letmein"})
	for _, hs := range []string{"VIGIL-PUSH/1 a\n", "VIGIL-PUSH/1 a token=wr0ngtok\n", "--ffmpeg\r\n", "\xff\xd8"} {
		closedByPanel(t, dialPusher(t, h.Addr(), hs).c)
	}
	good := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 a token=letmein\n")
	cam := openCamera(t, h.URL()+"/a")
	pic := colourJPEG(t, 8, 8, color.RGBA{3, 3, 3, 255})
	capturetest.WaitFor(t, "live with the token", func() bool {
		good.send(pic)
		return cam.st.Status().State == capture.StateLive
	})
	if n := len(ann.list()); n != 1 {
		t.Fatalf("%d announcements, want only the good pusher's", n)
	}
	logs := lb.String()
	if strings.Contains(logs, "letmein") || strings.Contains(logs, "wr0ngtok") || !strings.Contains(logs, "wrong or missing token") {
		t.Fatalf("logs:\n%s", logs)
	}
	if st := cam.st.Status(); st.Info.Auth != "token" {
		t.Fatalf("auth %q", st.Info.Auth)
	}
}

// TestHostileConnectionsClosedOthersFine: garbage, an oversized length, a payload that is
// not a JPEG, a slowloris handshake, silence and a flood of connections are each closed
// with a logged reason, memory stays bounded, and a good pusher keeps delivering.
func TestHostileConnectionsClosedOthersFine(t *testing.T) {
	h, _, lb := listen(t, Options{MaxConns: 16, HandshakeTimeout: 300 * time.Millisecond, IdleTimeout: 500 * time.Millisecond})
	cam := openCamera(t, h.URL()+"/good")
	good := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 good\n")
	pic := colourJPEG(t, 8, 8, color.RGBA{4, 4, 4, 255})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the good pusher keeps sending at 50 fps throughout
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				good.send(pic)
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	cam.next(t)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	oversized := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 big\n")
	oversized.c.Write([]byte{0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0})
	notJPEG := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 png\n")
	notJPEG.c.Write(AppendFrame(nil, []byte("\x89PNG\r\n\x1a\n...."), time.Time{}))
	garbage := dialPusher(t, h.Addr(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	long := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 "+strings.Repeat("a", 300))
	slow := dialPusher(t, h.Addr(), "VIG")
	silent := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 quiet\n")
	for _, c := range []*rawPusher{oversized, notJPEG, garbage, long, slow, silent} {
		closedByPanel(t, c.c)
	}

	// A flood: 200 connections at once against a limit of 16; every one is closed (over
	// the limit at once, the rest by the handshake timeout).
	var flood []net.Conn
	for range 200 {
		c, err := net.Dial("tcp", h.Addr())
		if err != nil {
			break // the kernel's backlog is full: also refused
		}
		flood = append(flood, c)
	}
	for _, c := range flood {
		closedByPanel(t, c)
		c.Close()
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("heap in use grew %d KiB over the hostile connections (%d flood connections)", grown>>10, len(flood))
	if grown > 32<<20 {
		t.Errorf("heap grew %d MiB", grown>>20)
	}

	// The good pusher is still live and delivering.
	for range 3 {
		cam.next(t)
	}
	if st := cam.st.Status().State; st != capture.StateLive {
		t.Fatalf("good pusher %v", st)
	}
	logs := lb.String()
	for _, want := range []string{"over the limit", "not a JPEG", "neither a VIGIL-PUSH/1 handshake", "no end of line within 256 bytes",
		"silent for 300ms within the handshake", "silent for 500ms after 0 frames", "too many connections"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no %q in the logs", want)
		}
	}
}

func TestRunCancelKeepsThePusher(t *testing.T) {
	h, _, _ := listen(t, Options{})
	p := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 keep\n")
	pic := colourJPEG(t, 8, 8, color.RGBA{5, 5, 5, 255})
	var r capture.Registry
	Register(&r)
	src, _ := r.NewSource(h.URL()+"/keep", capture.Settings{})
	for range 2 { // a stopped camera that is watched again finds its pusher still there
		capturetest.WaitFor(t, "pusher admitted", func() bool { return src.(capture.Waker).Wake() != nil && isClosed(src.(capture.Waker).Wake()) })
		ctx, cancel := context.WithCancel(context.Background())
		k := &capturetest.Sink{Want: 2, Cancel: cancel}
		done := make(chan error, 1)
		go func() { done <- src.Run(ctx, k) }()
		for k.Len() < 2 {
			p.send(pic)
			time.Sleep(5 * time.Millisecond)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestURLs(t *testing.T) {
	for _, c := range []struct {
		url, addr, name string
		ok              bool
	}{
		{"push://127.0.0.1:9000/cam", "127.0.0.1:9000", "cam", true},
		{"push://127.0.0.1:9000", "127.0.0.1:9000", "", true},
		{"push://127.0.0.1/cam", "", "", false},
		{"push://127.0.0.1:9000/a/b", "", "", false},
		{"push://127.0.0.1:9000/cam?x=1", "", "", false},
		{"push:///cam", "", "", false},
	} {
		addr, name, err := ParseURL(c.url)
		if c.ok != (err == nil) || addr != c.addr || name != c.name {
			t.Errorf("ParseURL(%q) = %q %q %v", c.url, addr, name, err)
		}
		if err != nil && !errors.Is(err, capture.ErrBadURL) {
			t.Errorf("%q: %v is not ErrBadURL", c.url, err)
		}
	}
}

// Two cameras of one pusher URL: the second is told the pusher is shown elsewhere and
// waits out its backoff (no retry loop).
func TestSecondCameraOfOnePusherBacksOff(t *testing.T) {
	h, _, _ := listen(t, Options{})
	first := openCamera(t, h.URL()+"/twice")
	p := dialPusher(t, h.Addr(), "VIGIL-PUSH/1 twice\n")
	sendUntil(t, p, first, colourJPEG(t, 8, 8, color.RGBA{6, 6, 6, 255}))
	second := openCamera(t, h.URL()+"/twice")
	capturetest.WaitFor(t, "the second camera's refusal", func() bool {
		return errors.Is(second.st.Status().Err, capture.ErrBusy)
	})
	time.Sleep(200 * time.Millisecond)
	if n := second.st.Status().Attempts; n > 2 {
		t.Fatalf("%d attempts in 200 ms: a retry loop", n)
	}
}
