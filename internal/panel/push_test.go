package panel_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/protocols/push"
	"github.com/vigil-cctv/vigil/recorder"
)

// freeAddr is a loopback address with a port free at run time (the settings want a port).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func smallJPEG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// startPusher pushes pic as name to addr until the returned stop is called.
func startPusher(t *testing.T, addr, name string, pic []byte) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		(&push.Pusher{Addr: addr, Name: name, Next: capture.LoopPictures([][]byte{pic}, 25)}).Run(ctx)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

func streamNamed(pn *panel.Panel, name string) *capture.Stream {
	i := slices.IndexFunc(pn.Streams(), func(s *capture.Stream) bool { return s.Name() == name })
	if i < 0 {
		return nil
	}
	return pn.Streams()[i]
}

// TestPushPusherAppearsOnTheWallAndKeepsItsTile: a pusher that connects to the settings'
// listener becomes a camera of the wall, goes offline the moment it disconnects, comes
// back on the same stream under the same name, and is recorded continuously.
func TestPushPusherAppearsOnTheWallAndKeepsItsTile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	addr := freeAddr(t)
	root := t.TempDir()
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Recording: config.Recording{Root: root},
		Push: []config.Push{{Listen: addr, Record: "continuous", Token: "tok"}}}
	q := &uiQueue{}
	pn := openPanelWith(t, cfg, panel.Options{Post: q.Do, Record: true})
	var told [][]*capture.Stream
	pn.OnCameras(func(s []*capture.Stream) { told = append(told, s) })

	pic := smallJPEG(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { // with the token
		defer close(done)
		(&push.Pusher{Addr: addr, Name: "robot", Token: "tok", Next: capture.LoopPictures([][]byte{pic}, 25)}).Run(ctx)
	}()
	q.PumpUntil(t, "the pusher's camera", func() bool { return streamNamed(pn, "robot") != nil })
	if len(told) != 1 {
		t.Fatalf("the wall was told %d times", len(told))
	}
	s := streamNamed(pn, "robot")
	release := s.Hold() // as the wall holds every camera
	defer release()
	q.PumpUntil(t, "live", func() bool { return s.Status().State == capture.StateLive })

	cancel()
	<-done
	killed := time.Now()
	q.PumpUntil(t, "offline", func() bool { return s.Status().State == capture.StateOffline })
	t.Logf("offline %s after the pusher stopped", time.Since(killed).Round(time.Millisecond))

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	done = make(chan struct{})
	go func() {
		defer close(done)
		(&push.Pusher{Addr: addr, Name: "robot", Token: "tok", Next: capture.LoopPictures([][]byte{pic}, 25)}).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	q.PumpUntil(t, "live again", func() bool { return s.Status().State == capture.StateLive })
	if n := len(pn.Streams()); n != 1 || streamNamed(pn, "robot") != s {
		t.Fatalf("%d streams after the reconnection, or a new one", n)
	}
	q.PumpUntil(t, "a recording", func() bool {
		files, _ := filepath.Glob(filepath.Join(root, "robot", "*", "*.mp4"))
		return len(files) > 0
	})
	if st := pn.RecordingStatus("robot"); st.Since.IsZero() {
		t.Fatalf("not recording: %+v", st)
	}

	// The pusher's tile is not saved into the settings (it is not a camera of them).
	if err := pn.WallChanged("auto", []string{"robot"}); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(cfg.Wall.Tiles, "robot") {
		t.Fatalf("tiles saved %q", cfg.Wall.Tiles)
	}
}

// TestPushRecordPushers: every pusher that connects is recorded to its own files.
func TestPushRecordPushers(t *testing.T) {
	addr := freeAddr(t)
	opts, err := panel.RecorderOptions(config.Recording{}, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	root, err := recorder.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	pr, err := panel.RecordPushers("push://"+addr, "", root, quiet)
	if err != nil {
		t.Fatal(err)
	}
	pic := smallJPEG(t)
	stopA := startPusher(t, addr, "a", pic)
	stopB := startPusher(t, addr, "b", pic)
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, _ := filepath.Glob(filepath.Join(opts.Root, "a", "*", "*.mp4"))
		b, _ := filepath.Glob(filepath.Join(opts.Root, "b", "*", "*.mp4"))
		if len(a) > 0 && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no recordings of both pushers")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	stopA()
	stopB()
	recs, _, errs := pr.Stop()
	if len(recs) != 2 || len(errs) != 0 {
		t.Fatalf("%d recordings, errors %v", len(recs), errs)
	}
	for _, r := range recs {
		if st := r.Status(); st.Bytes == 0 || (r.Camera() != "a" && r.Camera() != "b") {
			t.Fatalf("%s: %+v", r.Camera(), st)
		}
	}
}

// A listener of the settings that cannot open at start is listed with why; the core
// refuses a second listener on an address already listed, and removing one that is not
// listed, without saving anything.
func TestPushListenersStatusAndRefusals(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}, Push: []config.Push{{Listen: addr, Token: "tok"}}}
	pn := openPanelWith(t, cfg, panel.Options{})
	ls := pn.PushListeners()
	if len(ls) != 1 || !ls[0].Token || ls[0].Record != "off" || !strings.Contains(ls[0].Err, "address already in use") {
		t.Fatalf("%+v", ls)
	}
	if err := pn.AddPush(config.Push{Listen: strings.ToUpper(addr)}); err == nil || !strings.Contains(err.Error(), "same address") {
		t.Errorf("same address again: %v", err)
	}
	if err := pn.RemovePush("127.0.0.1:1"); !errors.Is(err, capture.ErrNotFound) {
		t.Errorf("removing an unknown listener: %v", err)
	}
	if p, _ := config.UserPath(); fileExists(p) || len(cfg.Push) != 1 {
		t.Fatalf("saved: %+v", cfg.Push)
	}
}
