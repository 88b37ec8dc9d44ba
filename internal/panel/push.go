package panel

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/cvcap"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// pushers are the Panel's push: listeners and the cameras their pushers became (issue
// 14). A pusher's camera lives in memory only, named by the pusher: it stays on the wall
// while the pusher is away (offline) and takes its tile back when the pusher reconnects
// under the same name, because its Source waits for that name.
type pushers struct {
	// open are the listeners by their address (lower case): the handle of an open one,
	// or why it could not be opened at start. Only the Panel's goroutine touches it.
	open map[string]pushListener
	// cams maps a pusher's URL to its camera's name; only the Panel's goroutine reads it.
	cams map[string]string
	// off is set by Close (under mu's write lock); an announcement posts under the read
	// lock, so none runs alongside Close even where Post runs it at once (Fyne's, once its
	// loop has drained).
	mu  sync.RWMutex
	off bool
}

// pushListener is one push: listener: its handle when open, else why it is not.
type pushListener struct {
	h   io.Closer
	err error
}

func pushKey(listen string) string { return strings.ToLower(listen) }

// openPush opens the settings' push: listeners; a listener that cannot be opened is
// logged and left out, not the whole wall (PushListeners says why).
func (p *Panel) openPush() {
	p.push.cams = map[string]string{}
	p.push.open = map[string]pushListener{}
	for _, ps := range p.cfg.Push {
		h, err := p.listenPush(ps)
		if err != nil {
			p.log.Error("push listener not opened", "component", "panel", "listen", ps.Listen, "err", err)
		}
		p.push.open[pushKey(ps.Listen)] = pushListener{h: h, err: err}
	}
}

// listenPush opens one listener whose pushers are added to the wall.
func (p *Panel) listenPush(ps config.Push) (io.Closer, error) {
	o := capture.ListenOptions{Token: ps.Token, Logger: p.log}
	if p.post != nil {
		o.Announce = func(u string) {
			p.push.mu.RLock()
			defer p.push.mu.RUnlock()
			if !p.push.off {
				p.post(func() { p.addPusher(ps, u) })
			}
		}
	}
	h, err := config.Protocols().Listen(ps.URL(), o)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// stopPushers stops adding pushers to the wall (first thing in Close).
func (p *Panel) stopPushers() {
	p.push.mu.Lock()
	p.push.off = true
	p.push.mu.Unlock()
}

// closePush closes the listeners, after the streams (their pushers are dropped).
func (p *Panel) closePush() {
	for k, l := range p.push.open {
		if l.h != nil {
			l.h.Close()
		}
		delete(p.push.open, k)
	}
}

// PushStatus is one push: listener as the settings list it: whether a token is set,
// never the token.
type PushStatus struct {
	Listen, Record string
	Token          bool
	// Connected is how many pushers are connected to it now.
	Connected int
	// Err is why the listener is not open ("" when it is).
	Err string
}

// PushListeners lists the push: listeners in settings order.
func (p *Panel) PushListeners() []PushStatus {
	out := make([]PushStatus, 0, len(p.cfg.Push))
	for _, ps := range p.cfg.Push {
		st := PushStatus{Listen: ps.Listen, Record: "off", Token: ps.Token != ""}
		if ps.Continuous() {
			st.Record = "continuous"
		}
		switch l := p.push.open[pushKey(ps.Listen)]; {
		case l.err != nil:
			st.Err = capture.CleanError(l.err).Error()
		case l.h == nil:
			st.Err = "not open"
		default:
			if c, ok := l.h.(capture.Counter); ok {
				st.Connected = c.Connected()
			}
		}
		out = append(out, st)
	}
	return out
}

// AddPush adds a push: listener: validated as the settings file is, opened, then saved.
// A listener that cannot be opened (the port is in use) or saved is closed again and
// nothing is changed.
func (p *Panel) AddPush(ps config.Push) error {
	ps.Listen = strings.TrimSpace(ps.Listen)
	if ps.Record == "off" {
		ps.Record = ""
	}
	next := *p.cfg
	next.Push = append(slices.Clone(p.cfg.Push), ps)
	if err := next.Validate(); err != nil {
		return err
	}
	h, err := p.listenPush(ps)
	if err != nil {
		return fmt.Errorf("nothing saved: %w", err)
	}
	prev := *p.cfg
	*p.cfg = next
	if err := config.SaveUser(p.cfg); err != nil {
		*p.cfg = prev
		h.Close()
		p.log.Error("saving the settings failed", "component", "panel", "err", err)
		return fmt.Errorf("the settings could not be saved, so the listener was closed again: %w", err)
	}
	p.push.open[pushKey(ps.Listen)] = pushListener{h: h}
	p.log.Info("push listener added", "component", "panel", "listen", ps.Listen, "token_required", ps.Token != "")
	return nil
}

// RemovePush removes a push: listener: the settings are saved without it, its pushers'
// cameras leave the wall (their recordings stop) and the listener closes, so its port is
// free when RemovePush returns (unless a camera of the settings names one of its
// pushers: that camera keeps the port open for its pusher).
func (p *Panel) RemovePush(listen string) error {
	i := slices.IndexFunc(p.cfg.Push, func(ps config.Push) bool { return strings.EqualFold(ps.Listen, listen) })
	if i < 0 {
		return fmt.Errorf("no push listener on %s: %w", listen, capture.ErrNotFound)
	}
	ps := p.cfg.Push[i]
	prev := *p.cfg
	p.cfg.Push = slices.Delete(slices.Clone(p.cfg.Push), i, i+1)
	if err := config.SaveUser(p.cfg); err != nil {
		*p.cfg = prev
		p.log.Error("saving the settings failed", "component", "panel", "err", err)
		return fmt.Errorf("the listener was kept: the settings could not be saved: %w", err)
	}
	prefix := strings.ToLower(ps.URL() + "/")
	var gone []*capture.Stream
	for u, name := range p.push.cams {
		if !strings.HasPrefix(strings.ToLower(u), prefix) {
			continue
		}
		delete(p.push.cams, u)
		if k := slices.IndexFunc(p.streams, func(s *capture.Stream) bool { return s.Name() == name }); k >= 0 {
			gone = append(gone, p.streams[k])
			p.streams = slices.Delete(slices.Clone(p.streams), k, k+1)
		}
	}
	if len(gone) > 0 {
		p.camerasChanged()
	}
	for _, s := range gone {
		p.restartRecording(s.Name())
		s.Close() // before the listener: a running Source holds it open
	}
	if l := p.push.open[pushKey(ps.Listen)]; l.h != nil {
		l.h.Close()
	}
	delete(p.push.open, pushKey(ps.Listen))
	p.log.Info("push listener removed", "component", "panel", "listen", ps.Listen, "pushers_removed", len(gone))
	return nil
}

// addPusher puts a newly connected pusher on the wall (on the Panel's goroutine). A
// pusher that already has a camera needs nothing: its Source takes the connection.
func (p *Panel) addPusher(ps config.Push, rawURL string) {
	if _, known := p.push.cams[rawURL]; known || p.push.off {
		return
	}
	if p.push.open[pushKey(ps.Listen)].h == nil {
		return // announced as its listener was removed: adding it would open the port again
	}
	if slices.ContainsFunc(p.cfg.Cameras, func(c config.Camera) bool {
		return slices.ContainsFunc(c.Streams, func(s config.Stream) bool { return strings.EqualFold(s.URL, rawURL) })
	}) {
		return // a camera of the settings shows this pusher
	}
	name := pusherName(rawURL)
	for n := 2; slices.ContainsFunc(p.streams, func(s *capture.Stream) bool { return strings.EqualFold(s.Name(), name) }); n++ {
		name = fmt.Sprintf("%s (%d)", pusherName(rawURL), n)
	}
	s, err := NewCameraStream(PusherCamera(name, rawURL, ps.Token), p.pins.Pin, p.log)
	if err != nil {
		p.log.Error("pusher not added", "component", "panel", "url", rawURL, "err", err)
		return
	}
	p.push.cams[rawURL] = name
	p.streams = append(slices.Clone(p.streams), s)
	p.log.Info("pusher added to the wall", "component", "panel", "camera", name, "url", rawURL)
	p.camerasChanged()
	if ps.Continuous() && p.recs != nil {
		if err := p.recs.start(s); err != nil {
			p.log.Error("continuous recording of a pusher not started", "component", "panel", "camera", name, "err", err)
		}
	}
}

// isPusher reports whether a camera is a pusher's, kept in memory only.
func (p *Panel) isPusher(name string) bool {
	for _, n := range p.push.cams {
		if n == name {
			return true
		}
	}
	return false
}

// forgetPusher drops a pusher's camera from the pushers (removed, or saved into the
// settings): its next connection is announced afresh.
func (p *Panel) forgetPusher(name string) {
	for u, n := range p.push.cams {
		if n == name {
			delete(p.push.cams, u)
		}
	}
}

// pusherName is the NAME of push://HOST:PORT/NAME.
func pusherName(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return path.Base(u.Path)
	}
	return rawURL
}

// PusherCamera is the camera of a pusher at rawURL (push://HOST:PORT/NAME); the token is
// what a listener its Source opens requires.
func PusherCamera(name, rawURL, token string) config.Camera {
	return config.Camera{Name: name, Streams: []config.Stream{{URL: rawURL}}, Password: token}
}

// PushRecorder records every pusher that connects to a listener, each to its own files
// (`vigil record --camera push://HOST:PORT[/NAME]`).
type PushRecorder struct {
	root *recorder.Root
	only string // record only this pusher name ("": all)
	log  *slog.Logger
	l    io.Closer

	mu      sync.Mutex
	closed  bool
	streams []*capture.Stream
	recs    []*recorder.Recording
	err     []error
}

// RecordPushers listens at rawURL (push://HOST:PORT, or push://HOST:PORT/NAME for one
// pusher) and records each pusher that connects into root until Stop.
func RecordPushers(rawURL, token string, root *recorder.Root, log *slog.Logger) (*PushRecorder, error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	r := &PushRecorder{root: root, only: strings.Trim(u.Path, "/"), log: log}
	u.Path = ""
	r.l, err = config.Protocols().Listen(u.String(), capture.ListenOptions{Token: token, Logger: log, Announce: r.add})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *PushRecorder) add(rawURL string) {
	name := pusherName(rawURL)
	if r.only != "" && name != r.only {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || slices.ContainsFunc(r.streams, func(s *capture.Stream) bool { return s.Name() == name }) {
		return // a reconnection: its stream takes it
	}
	s, err := NewCameraStream(PusherCamera(name, rawURL, ""), nil, r.log)
	if err != nil {
		r.err = append(r.err, err)
		return
	}
	rec, err := r.root.Start(name, s, nil)
	if err != nil {
		s.Close()
		r.err = append(r.err, fmt.Errorf("%s: %w", name, err))
		return
	}
	r.log.Info("recording a pusher", "component", "record", "camera", name)
	r.streams = append(r.streams, s)
	r.recs = append(r.recs, rec)
}

// Stop stops every recording and returns them with their streams (closed) and the
// errors of pushers that could not be recorded.
func (r *PushRecorder) Stop() ([]*recorder.Recording, []*capture.Stream, []error) {
	r.mu.Lock()
	r.closed = true
	recs, streams, errs := r.recs, r.streams, r.err
	r.mu.Unlock()
	for _, rec := range recs {
		rec.Stop()
	}
	for _, s := range streams {
		s.Close()
	}
	r.l.Close()
	return recs, streams, errs
}

// PushRequest is what `vigil push` sends.
type PushRequest struct {
	// To is the panel's HOST:PORT; Name the pusher's name; Token the listener's token.
	To, Name, Token string
	// Source is "demo", "webcam:N" or "file:PATH".
	Source string
	// FPS is the frame rate (0: a file's own rate, 15 for a webcam, 10 for the demo);
	// Quality the JPEG quality of a webcam or file (the demo pictures are encoded once).
	FPS     float64
	Quality int
	// Loop starts a file again at its end; otherwise the push ends there.
	Loop bool
	// Report is told of connections, losses and retries.
	Report func(msg string)
}

// Push sends frames from req.Source to a panel until ctx ends (or a file ends),
// reconnecting with backoff when the panel goes away. Webcams and files are read and
// JPEG-encoded through OpenCV (capture/cvcap).
func Push(ctx context.Context, req PushRequest) error {
	var next func(ctx context.Context) ([]byte, time.Time, error)
	switch {
	case req.Source == "demo":
		fps := req.FPS
		if fps <= 0 {
			fps = 10
		}
		pics, err := DemoLoop("push "+req.Name, 1280, 720, fps)
		if err != nil {
			return err
		}
		next = capture.LoopPictures(pics, fps)
	case strings.HasPrefix(req.Source, "webcam:"), strings.HasPrefix(req.Source, "file:"):
		c, err := cvcap.Open(req.Source, cvcap.Options{FPS: req.FPS, Quality: req.Quality, Loop: req.Loop})
		if err != nil {
			return err
		}
		defer c.Close()
		// Next is paced at the capture's rate: a cancel waits at most one frame.
		next = func(context.Context) ([]byte, time.Time, error) { return c.Next() }
	default:
		return fmt.Errorf("--source %q: want demo, webcam:N or file:PATH", req.Source)
	}
	return config.Protocols().Push(ctx, "push://"+req.To, capture.PushOptions{Name: req.Name, Token: req.Token, Next: next, Report: req.Report})
}
