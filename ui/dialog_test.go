package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui/uitest"
)

// dlgTRig is a camera dialog in a test window, with its UI queue and what onSave got.
type dlgTRig struct {
	d     *cameraDialog
	win   fyne.Window
	q     *uiQueue
	saved []config.Camera
	// trusted is what onTrust got; trustErr what it returns.
	trusted  [][]config.Trusted
	trustErr error
	// saveErr is what onSave returns.
	saveErr error
	// ptz runs Test PTZ (nil: disabled).
	ptz PTZTester
}

func dlgTNew(t *testing.T, cam *config.Camera, others []string, prober capture.Prober) *dlgTRig {
	t.Helper()
	return dlgTNewPTZ(t, cam, others, prober, nil)
}

// dialogWindow is a test app's window behind the dialogs, closed when the test ends.
func dialogWindow(t *testing.T) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewWindow(widget.NewLabel("wall"))
	win.Resize(fyne.NewSize(900, 700))
	t.Cleanup(win.Close)
	return win
}

func dlgTNewPTZ(t *testing.T, cam *config.Camera, others []string, prober capture.Prober, ptz PTZTester) *dlgTRig {
	t.Helper()
	r := &dlgTRig{q: &uiQueue{}, ptz: ptz, win: dialogWindow(t)}
	r.d = newCameraDialog(r.win, cam, others, nil, prober, r.ptz, func(tr []config.Trusted) error {
		r.trusted = append(r.trusted, tr)
		return r.trustErr
	}, func(c config.Camera) error { r.saved = append(r.saved, c); return r.saveErr }, r.q.Do)
	r.d.show()
	t.Cleanup(func() {
		r.d.close()
		r.d.wait()
		r.q.Run()
	})
	return r
}

// dlgTType replaces an entry's text the way a person would: select all, type.
func dlgTType(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

// dlgTShown is the text of a message label, or "" when it is hidden.
func dlgTShown(l *widget.Label) string {
	if !l.Visible() {
		return ""
	}
	return l.Text
}

// The dialog refuses bad input with a message under the offending field, never calls
// onSave, and never shows a password.
func TestCameraDialogRejectsBadInput(t *testing.T) {
	cases := []struct {
		name  string
		fill  func(d *cameraDialog)
		field func(d *cameraDialog) *widget.Label
		want  string
	}{
		{"empty name", func(d *cameraDialog) {
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
		}, func(d *cameraDialog) *widget.Label { return d.nameErr }, "empty"},
		{"duplicate name ignoring case", func(d *cameraDialog) {
			dlgTType(d.name, "front GATE")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
		}, func(d *cameraDialog) *widget.Label { return d.nameErr }, `already used by camera "Front gate"`},
		{"slash in name", func(d *cameraDialog) {
			dlgTType(d.name, "yard/east")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
		}, func(d *cameraDialog) *widget.Label { return d.nameErr }, `contains "/"`},
		{"missing URL", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
		}, func(d *cameraDialog) *widget.Label { return d.rows[0].urlErr }, "empty (want a URL"},
		{"bad scheme", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "htp://127.0.0.1/s")
		}, func(d *cameraDialog) *widget.Label { return d.rows[0].urlErr }, `unsupported scheme "htp"`},
		{"credentials in URL", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://admin:s3cret-pw@127.0.0.1/s")
		}, func(d *cameraDialog) *widget.Label { return d.rows[0].urlErr }, "put credentials in user/password"},
		{"password in query", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "http://127.0.0.1/snap.cgi?pwd=s3cret-pw")
		}, func(d *cameraDialog) *widget.Label { return d.rows[0].urlErr }, "put credentials in user/password"},
		{"bad URL in a second stream", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/main")
			test.Tap(d.addStream)
			dlgTType(d.rows[1].url, "rtsp:///nohost")
		}, func(d *cameraDialog) *widget.Label { return d.rows[1].urlErr }, "missing host"},
		{"bad size", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
			dlgTType(d.rows[0].size, "1280by720")
		}, func(d *cameraDialog) *widget.Label { return d.rows[0].sizeErr }, "WIDTHxHEIGHT"},
		{"duplicate stream name", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/a")
			dlgTType(d.rows[0].name, "main")
			test.Tap(d.addStream)
			dlgTType(d.rows[1].url, "rtsp://127.0.0.1/b")
			dlgTType(d.rows[1].name, "main")
		}, func(d *cameraDialog) *widget.Label { return d.rows[1].nameErr }, "already used by streams[0]"},
		{"bad fallback", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
			dlgTType(d.fallback, "ftp://127.0.0.1/x.jpg")
		}, func(d *cameraDialog) *widget.Label { return d.fallbackErr }, `unsupported scheme "ftp"`},
		{"fps not a number", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
			dlgTType(d.fps, "fast")
		}, func(d *cameraDialog) *widget.Label { return d.fpsErr }, "want a number"},
		{"fps too high", func(d *cameraDialog) {
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
			dlgTType(d.fps, "5000")
		}, func(d *cameraDialog) *widget.Label { return d.fpsErr }, "more than 1000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := dlgTNew(t, nil, []string{"Front gate", "Demo 1"}, nil)
			d := r.d
			dlgTType(d.password, "s3cret-pw")
			c.fill(d)
			test.Tap(d.save)
			if len(r.saved) != 0 {
				t.Fatalf("onSave called with %+v", r.saved)
			}
			if d.closed || !d.pop.Visible() {
				t.Fatal("the dialog closed on a refused Save")
			}
			if got := dlgTShown(c.field(d)); !strings.Contains(got, c.want) {
				t.Errorf("message next to the field = %q, want it to contain %q; all texts: %q", got, c.want, uitest.Texts(d.content))
			}
			if got := dlgTShown(d.formErr); !strings.Contains(got, "Fix the fields marked in red") {
				t.Errorf("form message = %q", got)
			}
			for _, s := range uitest.Texts(d.pop) {
				if strings.Contains(s, "s3cret") {
					t.Errorf("a password is shown: %q", s)
				}
			}
			if !d.password.Password {
				t.Error("the password entry is not masked")
			}
			// Fixing everything lets Save through.
			for len(d.rows) > 1 {
				test.Tap(d.rows[1].remove)
			}
			dlgTType(d.name, "Yard")
			dlgTType(d.rows[0].url, "rtsp://127.0.0.1/s")
			dlgTType(d.rows[0].size, "")
			dlgTType(d.rows[0].name, "")
			dlgTType(d.fallback, "")
			dlgTType(d.fps, "")
			test.Tap(d.save)
			if len(r.saved) != 1 {
				t.Fatalf("after fixing, Save did not save; texts: %q", uitest.Texts(d.content))
			}
		})
	}
}

// A fresh add dialog does not greet the user with red; only touched fields complain
// before the first Save.
func TestCameraDialogQuietUntilTouched(t *testing.T) {
	r := dlgTNew(t, nil, nil, nil)
	if texts := []string{dlgTShown(r.d.nameErr), dlgTShown(r.d.rows[0].urlErr), dlgTShown(r.d.formErr)}; strings.Join(texts, "") != "" {
		t.Fatalf("fresh dialog shows problems: %q", texts)
	}
	dlgTType(r.d.rows[0].url, "nonsense")
	if got := dlgTShown(r.d.rows[0].urlErr); !strings.Contains(got, "missing scheme") {
		t.Errorf("URL message = %q", got)
	}
	if got := dlgTShown(r.d.nameErr); got != "" {
		t.Errorf("untouched name complains: %q", got)
	}
}

// A valid camera reaches onSave typed: several streams with sizes and names, the
// password kept out of the URLs, the dialog closed.
func TestCameraDialogSavesTypedCamera(t *testing.T) {
	r := dlgTNew(t, nil, []string{"Front gate"}, nil)
	d := r.d
	dlgTType(d.name, "  Car park ")
	dlgTType(d.rows[0].url, "rtsp://127.0.0.1:8554/main")
	dlgTType(d.rows[0].size, "1920 x 1080")
	dlgTType(d.rows[0].name, "main")
	test.Tap(d.addStream)
	dlgTType(d.rows[1].url, "rtsp://127.0.0.1:8554/sub")
	dlgTType(d.rows[1].size, "640X360")
	dlgTType(d.rows[1].name, "sub")
	test.Tap(d.addStream)
	dlgTType(d.rows[2].url, "rtsp://127.0.0.1:8554/junk")
	test.Tap(d.rows[2].remove)
	dlgTType(d.user, "viewer")
	dlgTType(d.password, "pa ss:@/word")
	dlgTType(d.fallback, "http://127.0.0.1/snapshot.jpg")
	d.transport.SetSelected("tcp")
	dlgTType(d.fps, "12,5")
	test.Tap(d.save)

	want := config.Camera{
		Name: "Car park",
		Streams: []config.Stream{
			{URL: "rtsp://127.0.0.1:8554/main", Size: "1920x1080", Name: "main"},
			{URL: "rtsp://127.0.0.1:8554/sub", Size: "640x360", Name: "sub"},
		},
		User: "viewer", Password: "pa ss:@/word",
		Fallback: "http://127.0.0.1/snapshot.jpg", Transport: "tcp", FPS: 12.5,
	}
	if len(r.saved) != 1 || !reflect.DeepEqual(r.saved[0], want) {
		t.Fatalf("saved %+v\nwant %+v\ntexts: %q", r.saved, want, uitest.Texts(d.content))
	}
	for _, s := range r.saved[0].Streams {
		if strings.Contains(s.URL, "word") || strings.Contains(s.URL, "@") {
			t.Errorf("password in URL %q", s.URL)
		}
	}
	if !d.closed || d.pop.Visible() {
		t.Error("the dialog stays open after Save")
	}
	// The saved camera passes the settings file's own validation.
	cfg := config.Config{Cameras: r.saved}
	if err := cfg.Validate(); err != nil {
		t.Errorf("saved camera does not validate: %v", err)
	}
}

// Editing fills the fields from the camera, keeps its own name legal, writes "auto"
// transport back as it was, and can drop a stream; the last stream cannot be removed.
func TestCameraDialogEdit(t *testing.T) {
	cam := &config.Camera{
		Name: "Lobby",
		Streams: []config.Stream{
			{URL: "rtsp://127.0.0.1/main", Size: "2560x1440", Name: "main"},
			{URL: "rtsp://127.0.0.1/sub", Size: "640x360", Name: "sub"},
		},
		User: "u", Password: "secret-pw", FPS: 25,
	}
	orig := *cam
	orig.Streams = append([]config.Stream(nil), cam.Streams...)
	r := dlgTNew(t, cam, []string{"LOBBY", "Gate"}, nil)
	d := r.d
	if d.title.Text != "Edit camera" || d.name.Text != "Lobby" || d.rows[1].size.Text != "640x360" ||
		d.password.Text != "secret-pw" || d.fps.Text != "25" || d.transport.Selected != "auto" {
		t.Fatalf("fields not filled from the camera: %q", uitest.Texts(d.content))
	}
	test.Tap(d.rows[0].remove)
	if len(d.rows) != 1 || !d.rows[0].remove.Disabled() {
		t.Fatalf("after removing one of two streams: %d rows, remove disabled %v", len(d.rows), d.rows[0].remove.Disabled())
	}
	test.Tap(d.save)
	want := orig
	want.Streams = orig.Streams[1:]
	if len(r.saved) != 1 || !reflect.DeepEqual(r.saved[0], want) {
		t.Fatalf("saved %+v, want %+v; texts %q", r.saved, want, uitest.Texts(d.content))
	}
	if !reflect.DeepEqual(*cam, orig) {
		t.Error("the dialog changed the caller's camera")
	}

	// Renaming onto another camera is refused.
	r2 := dlgTNew(t, cam, []string{"Lobby", "Gate"}, nil)
	dlgTType(r2.d.name, "gate")
	test.Tap(r2.d.save)
	if len(r2.saved) != 0 || !strings.Contains(dlgTShown(r2.d.nameErr), "already used") {
		t.Errorf("rename onto another camera: saved %v, message %q", r2.saved, dlgTShown(r2.d.nameErr))
	}
}

// dlgTProber probes an in-memory source with capture.Probe — the real measuring code —
// and remembers the request. The protocol behind a real URL is tested in its own package;
// the UI only sees capture's Prober interface.
type dlgTProber struct {
	src     capture.Source
	reqs    chan capture.ProbeRequest
	ctxDone chan struct{} // closed when a probe's context ends
}

func (p *dlgTProber) Probe(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
	p.reqs <- req
	opts := req.Options
	opts.Duration = 300 * time.Millisecond // keep the test short; the request is checked below
	rep := capture.Probe(ctx, p.src, opts)
	if ctx.Err() != nil && p.ctxDone != nil {
		close(p.ctxDone)
	}
	return rep
}

func dlgTFillValid(d *cameraDialog) {
	dlgTType(d.name, "Yard")
	dlgTType(d.rows[0].url, "http://127.0.0.1:8080/video.mjpg")
	dlgTType(d.user, "admin")
	dlgTType(d.password, "hunter22")
	dlgTType(d.fps, "15")
}

// A failed Test shows what happened once and what to try once: the protocol's advice
// (capture.Explain), not written into the sentence as well.
func TestCameraDialogTestShowsExplanation(t *testing.T) {
	fail := &capture.Error{Kind: capture.ErrUnauthorized, Op: "DESCRIBE", Where: "127.0.0.1:8080", Status: 401,
		What: "wrong user or password (camera wants digest, sent digest)", Hint: "check the user and password in the camera's web page"}
	r := dlgTNew(t, nil, nil, capture.ProberFunc(func(context.Context, capture.ProbeRequest) capture.ProbeReport {
		return capture.ProbeReport{Err: fail}
	}))
	dlgTFillValid(r.d)
	test.Tap(r.d.test)
	pumpUntil(t, r.q, "the probe result", func() bool { return strings.HasPrefix(r.d.result.Text, "Test failed") })
	want := "Test failed: " + fail.Error() + " (unauthorized)\nWhat to try: " + fail.Hint
	if got := r.d.result.Text; got != want || strings.Count(got, "401") != 1 || strings.Count(got, fail.Hint) != 1 {
		t.Errorf("result = %q, want %q", got, want)
	}
}

func TestCameraDialogTestShowsProbeResult(t *testing.T) {
	p := &dlgTProber{src: liveSource(t, 20*time.Millisecond), reqs: make(chan capture.ProbeRequest, 1)}
	r := dlgTNew(t, nil, nil, p)
	d := r.d
	dlgTFillValid(d)
	test.Tap(d.test)
	if got := dlgTShown(d.result); !strings.HasPrefix(got, "Testing http://127.0.0.1:8080/video.mjpg") {
		t.Errorf("while testing, result = %q", got)
	}
	if !d.activity.Visible() || d.test.Text != "Stop test" {
		t.Errorf("while testing: activity visible %v, button %q", d.activity.Visible(), d.test.Text)
	}
	req := <-p.reqs
	if req.URL != "http://127.0.0.1:8080/video.mjpg" || req.User != "admin" || req.Password != "hunter22" ||
		req.FPS != 15 || req.Options.Duration != 2*time.Second || req.Options.Timeout != 10*time.Second {
		t.Errorf("probe request = %+v", req)
	}
	pumpUntil(t, r.q, "the probe result", func() bool { return strings.HasPrefix(d.result.Text, "OK") })
	got := d.result.Text
	for _, want := range []string{"test over memory", "authentication none", "jpeg 160×120", "fps", "kbit/s", "first frame after"} {
		if !strings.Contains(got, want) {
			t.Errorf("result %q lacks %q", got, want)
		}
	}
	if d.activity.Visible() || d.test.Text != "Test" {
		t.Errorf("after the test: activity visible %v, button %q", d.activity.Visible(), d.test.Text)
	}
	if len(r.saved) != 0 {
		t.Error("Test saved the camera")
	}
}

func TestCameraDialogTestShowsFailure(t *testing.T) {
	refused := fmt.Errorf("connect to 127.0.0.1:9 with password hunter22: %w", syscall.ECONNREFUSED)
	p := &dlgTProber{src: &jpegSource{Err: refused}, reqs: make(chan capture.ProbeRequest, 1)}
	r := dlgTNew(t, nil, nil, p)
	dlgTFillValid(r.d)
	test.Tap(r.d.test)
	<-p.reqs
	pumpUntil(t, r.q, "the probe failure", func() bool { return strings.HasPrefix(r.d.result.Text, "Test failed") })
	got := r.d.result.Text
	for _, want := range []string{"connection refused", "(refused)", "What to try: " + capture.Advice(capture.CauseRefused)} {
		if !strings.Contains(got, want) {
			t.Errorf("result %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "hunter22") {
		t.Errorf("result shows the password: %q", got)
	}
}

// Test refuses to probe a URL the settings would refuse, and says so by the field.
func TestCameraDialogTestNeedsValidURL(t *testing.T) {
	p := &dlgTProber{src: liveSource(t, 20*time.Millisecond), reqs: make(chan capture.ProbeRequest, 1)}
	r := dlgTNew(t, nil, nil, p)
	dlgTType(r.d.rows[0].url, "rtsp://admin:pw@127.0.0.1/s")
	test.Tap(r.d.test)
	if got := dlgTShown(r.d.rows[0].urlErr); !strings.Contains(got, "put credentials in user/password") {
		t.Errorf("URL message = %q", got)
	}
	if got := dlgTShown(r.d.result); !strings.Contains(got, "Fix the first stream's URL") {
		t.Errorf("result = %q", got)
	}
	select {
	case req := <-p.reqs:
		t.Errorf("probed %q", req.URL)
	default:
	}
}

// Closing the dialog, or tapping Stop, mid-test cancels the probe and its goroutine ends;
// a late result changes nothing.
func TestCameraDialogCancelsProbe(t *testing.T) {
	for _, how := range []string{"close", "stop"} {
		t.Run(how, func(t *testing.T) {
			// A camera that connects and never sends a frame: the probe runs until cancelled.
			p := &dlgTProber{src: &jpegSource{Hold: true, Every: time.Second}, reqs: make(chan capture.ProbeRequest, 1), ctxDone: make(chan struct{})}
			r := dlgTNew(t, nil, nil, p)
			d := r.d
			dlgTFillValid(d)
			test.Tap(d.test)
			<-p.reqs
			if how == "close" {
				test.Tap(d.cancel)
				if !d.closed || d.pop.Visible() {
					t.Fatal("Cancel did not close the dialog")
				}
			} else {
				test.Tap(d.test)
				if got := dlgTShown(d.result); got != "Test stopped." || d.test.Text != "Test" || d.activity.Visible() {
					t.Errorf("after Stop: result %q, button %q, activity %v", got, d.test.Text, d.activity.Visible())
				}
			}
			select {
			case <-p.ctxDone:
			case <-time.After(10 * time.Second):
				t.Fatal("the probe's context was not cancelled")
			}
			d.wait()
			before := d.result.Text
			r.q.Run() // the late report
			if d.result.Text != before {
				t.Errorf("a cancelled probe's report replaced %q with %q", before, d.result.Text)
			}
			if len(r.saved) != 0 {
				t.Error("closing saved the camera")
			}
			goleak.VerifyNone(t)
		})
	}
}

// ShowCameraDialog puts the dialog over the window as a modal overlay.
func TestShowCameraDialog(t *testing.T) {
	win := dialogWindow(t)
	ShowCameraDialog(win, nil, nil, nil, nil, nil, nil, func(config.Camera) error { t.Error("saved an empty camera"); return nil })
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	texts := strings.Join(uitest.Texts(top), "|")
	for _, want := range []string{"Add camera", "Name", "Streams", "Password", "Fallback URL", "Transport", "Frame rate"} {
		if !strings.Contains(texts, want) {
			t.Errorf("dialog lacks %q: %s", want, texts)
		}
	}
	// The dialog is comfortably large within the window.
	var name *widget.Label
	var find func(o fyne.CanvasObject)
	find = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			if w.Text == "Add camera" {
				name = w
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				find(c)
			}
		case *container.Scroll:
			find(w.Content)
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				find(c)
			}
		}
	}
	find(top)
	if name == nil {
		t.Fatal("no title label")
	}
	if w := name.Size().Width; w < 600 {
		t.Errorf("dialog title is %v wide, want the dialog at least 600 wide", w)
	}
}

// A URL with user:password@ is refused, and one tap moves the credentials, decoded, into
// the user and password fields.
func TestCameraDialogMovesCredentialsOutOfURL(t *testing.T) {
	r := dlgTNew(t, nil, nil, nil)
	d := r.d
	dlgTType(d.name, "Dock")
	dlgTType(d.rows[0].url, "rtsp://op%40site:p%3As5w0rd@127.0.0.1:554/live?channel=1")
	if !d.rows[0].moveCreds.Visible() {
		t.Fatalf("no move button; texts %q", uitest.Texts(d.content))
	}
	for _, s := range uitest.Texts(d.pop) {
		if strings.Contains(s, "s5w0rd") {
			t.Errorf("a password is shown: %q", s)
		}
	}
	test.Tap(d.rows[0].moveCreds)
	if d.rows[0].url.Text != "rtsp://127.0.0.1:554/live?channel=1" || d.user.Text != "op@site" || d.password.Text != "p:s5w0rd" {
		t.Fatalf("after moving: url %q user %q password ok %v", d.rows[0].url.Text, d.user.Text, d.password.Text == "p:s5w0rd")
	}
	if dlgTShown(d.rows[0].urlErr) != "" || d.rows[0].moveCreds.Visible() {
		t.Errorf("URL still flagged: %q", dlgTShown(d.rows[0].urlErr))
	}
	test.Tap(d.save)
	if len(r.saved) != 1 || r.saved[0].Streams[0].URL != "rtsp://127.0.0.1:554/live?channel=1" || r.saved[0].Password != "p:s5w0rd" {
		t.Errorf("saved %d cameras", len(r.saved))
	}
}

// A camera the application could not save (the settings file, a clash found on save)
// keeps the dialog open with everything typed and the reason shown; Save again once the
// cause is gone closes it.
func TestCameraDialogKeepsWhatWasTypedWhenSaveFails(t *testing.T) {
	r := dlgTNew(t, nil, nil, nil)
	d := r.d
	dlgTFillValid(d)
	r.saveErr = errors.New("settings file is read-only")
	test.Tap(d.save)
	if len(r.saved) != 1 || d.closed || !d.pop.Visible() {
		t.Fatalf("saved %d, closed %v: the dialog must stay open after a failed save", len(r.saved), d.closed)
	}
	if !strings.Contains(d.formErr.Text, "read-only") || d.name.Text != r.saved[0].Name {
		t.Fatalf("form error %q, name %q: the reason must show and the typing stay", d.formErr.Text, d.name.Text)
	}
	r.saveErr = nil
	test.Tap(d.save)
	if len(r.saved) != 2 || !d.closed {
		t.Fatalf("saved %d, closed %v after the cause was gone", len(r.saved), d.closed)
	}
}
