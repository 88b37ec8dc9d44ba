package panel_test

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/protocols/push"
	"github.com/vigil-cctv/vigil/ui"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// wallWindow shows a wall over pn (its cameras and views, plus o's other options) in a
// 1000×700 test window, started; it stops at the end of the test.
func wallWindow(t *testing.T, pn *panel.Panel, q *uiQueue, o ui.WallOptions) (*ui.Wall, fyne.Window) {
	t.Helper()
	o.Cameras = nil
	wall := newWall(t, pn, q, o)
	win := test.NewWindow(nil)
	win.SetContent(wall.Panel(win))
	win.Resize(fyne.NewSize(1000, 700))
	wall.Start()
	t.Cleanup(func() { wall.Stop(); q.PumpUntil(t, "nothing", func() bool { return true }) })
	return wall, win
}

// The "Push listeners…" dialog on a real panel: a listener added there is saved and
// open at once, a pusher with its token becomes a camera and is counted, the token is
// never shown, a port in use shows why and saves nothing, an address off loopback asks
// first, and Remove (after asking) takes the pusher off the wall and frees the port.
func TestPushListenersDialog(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const token = "s3cret-Tok"
	cfg := &config.Config{Wall: config.Wall{Layout: "auto"}}
	q := &uiQueue{}
	pn := openPanelWith(t, cfg, panel.Options{Post: q.Do})
	_, win := wallWindow(t, pn, q, ui.WallOptions{Layout: "auto", Push: panelui.Push{P: pn}})

	top := func() fyne.CanvasObject { return win.Canvas().Overlays().Top() }
	tap := func(o fyne.CanvasObject, label string) {
		t.Helper()
		b := uitest.Button(o, label)
		if b == nil {
			t.Fatalf("no %q button in %q", label, uitest.Texts(o))
		}
		test.Tap(b)
	}
	shown := func(sub string) bool {
		return slices.ContainsFunc(uitest.AllTexts(top()), func(s string) bool { return strings.Contains(s, sub) })
	}
	tap(win.Content(), "Push listeners…")
	dlg := top()
	if dlg == nil || !shown("No push listeners yet.") {
		t.Fatalf("no dialog: %q", uitest.Texts(dlg))
	}
	es := uitest.Entries(dlg) // Listen on, Token
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	addr := freeAddr(t)
	es[0].SetText(addr)
	es[1].SetText(token)
	tap(dlg, "Add")
	line := addr + " · record off · token required · 0 pushers connected"
	if !shown(line) {
		t.Fatalf("listed %q, want %q", uitest.Texts(dlg), line)
	}
	saved, err := config.UserPath()
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(saved)
	if err != nil || len(cfg.Push) != 1 || !strings.Contains(string(before), addr) {
		t.Fatalf("not saved (%v): %+v", err, cfg.Push)
	}

	// A pusher with the token becomes a camera, and the dialog counts it.
	pic := smallJPEG(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&push.Pusher{Addr: addr, Name: "robot", Token: token, Next: capture.LoopPictures([][]byte{pic}, 25)}).Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	q.PumpUntil(t, "the pusher's camera", func() bool { return streamNamed(pn, "robot") != nil })
	q.PumpUntil(t, "1 pusher connected", func() bool { return shown(addr + " · record off · token required · 1 pusher connected") })
	if shown(token) || slices.ContainsFunc(uitest.AllTexts(win.Content()), func(s string) bool { return strings.Contains(s, token) }) {
		t.Fatal("the token is shown")
	}

	// A port in use: the reason is shown, nothing saved.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	before, _ = os.ReadFile(saved) // the wall saved its tiles since
	es[0].SetText(busy.Addr().String())
	es[1].SetText("")
	tap(dlg, "Add")
	if !shown("The listener was not added") || !shown("address already in use") {
		t.Fatalf("no reason shown: %q", uitest.Texts(dlg))
	}
	if after, _ := os.ReadFile(saved); len(cfg.Push) != 1 || string(after) != string(before) {
		t.Fatalf("settings changed: %+v", cfg.Push)
	}

	// Off loopback: asked first; Cancel adds nothing.
	es[0].SetText("0.0.0.0:" + strings.Split(freeAddr(t), ":")[1])
	tap(dlg, "Add")
	if top() == dlg || !shown("other computers on the network can push to this") {
		t.Fatalf("not asked: %q", uitest.Texts(top()))
	}
	tap(top(), "Cancel")
	if top() != dlg || len(pn.PushListeners()) != 1 {
		t.Fatalf("added without a yes: %+v", pn.PushListeners())
	}

	// Remove, after asking: the pusher leaves the wall and the port is free.
	tap(dlg, "Remove")
	if top() == dlg {
		t.Fatal("removed without asking")
	}
	start := time.Now()
	tap(top(), "Remove")
	t.Logf("Remove took %s (the pusher connected)", time.Since(start).Round(time.Microsecond))
	if streamNamed(pn, "robot") != nil || len(cfg.Push) != 0 || !shown("No push listeners yet.") {
		t.Fatalf("still there: %+v, %q", cfg.Push, uitest.Texts(dlg))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the port is still taken after Remove: %v", err)
	}
	ln.Close()
	if after, _ := os.ReadFile(saved); strings.Contains(string(after), addr) {
		t.Fatal("the removal was not saved")
	}
	tap(dlg, "Close")
	if top() != nil {
		t.Fatal("the dialog did not close")
	}
}
