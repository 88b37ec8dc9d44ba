// Package panel is the application core of the Vigil control panel: what the wall does
// with the settings, apart from its widgets and the command line. A Panel owns the
// cameras (add, edit, rename, remove: validated, then saved atomically through config),
// their streams built through the protocol table (config.Protocols), the trust list the
// TLS sources read, the Milestone sites, the recordings, and the demo site with its
// simulators. cmd/vigil parses flags, prints and wires a Panel to the ui package; ui
// calls the Panel's methods, never a protocol.
package panel

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/onvif/onviftest"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
)

// Options configure a Panel (Open).
type Options struct {
	// Logger defaults to slog.Default(); every line carries component=panel (or the
	// protocol's).
	Logger *slog.Logger
	// Record opens the settings' recordings folder (one process at a time owns it), so
	// ToggleRecord and StartContinuous record; false: the Panel records nothing (tests,
	// a wall that only watches). It defaults to false.
	Record bool
	// Post runs f on the goroutine of the Panel's methods (the wall's: fyne.Do), for what
	// arrives from elsewhere: a pusher connecting to a push: listener is added to the
	// wall through it. Nil: pushers are not added (the listeners still open, and cameras
	// of the settings with push:// URLs show their pushers).
	Post func(f func())
}

// Panel keeps the settings in step with what the user does on the wall, and owns the
// streams made from them. Its methods are for one goroutine at a time (the wall's UI
// goroutine, whose callbacks they are); Pin, RecordingStatus and the streams' own
// methods are safe from any goroutine.
type Panel struct {
	cfg     *config.Config
	log     *slog.Logger
	streams []*capture.Stream
	// closing counts streams being closed off the caller's goroutine after an edit or
	// removal; Close waits for them.
	closing sync.WaitGroup
	// pins is the trust list as sources read it; bg counts background logins (sites).
	pins *pinStore
	bg   sync.WaitGroup
	// recs records cameras; nil when Options.Record is false.
	recs *recordings
	// demoSite is the simulated Milestone site of the demo wall, when it has one;
	// stopDemo stops the demo servers.
	demoSite *MilestoneSim
	stopDemo func()
	// demoPTZ are the demo PTZ cameras' ptz blocks, by name.
	demoPTZ map[string]config.PTZ
	// onCameras is told the new list of streams after every edit (the wall's SetCameras).
	onCameras func([]*capture.Stream)
	// push holds the push: listeners and their pushers' cameras; post is Options.Post.
	push pushers
	post func(func())
	// an runs the cameras' analyzers once StartAnalytics is called (analyzing), and
	// follows edits from then on.
	an        *cameraAnalytics
	analyzing bool
	// mrec records the cameras set to record: motion (with Options.Record).
	mrec *motionRecorder
	// health records the cameras' health for the dashboards once StartAnalytics is
	// called; healthEvery and healthRow are its periods (0: the defaults; tests).
	health                 *healthSampler
	healthEvery, healthRow time.Duration
}

// Open builds every camera's stream (the demo cameras, served in-process on 127.0.0.1,
// then the configured ones, in settings order) and, with Options.Record, opens the
// recordings folder. cfg is the Panel's from then on: edits change it and save it. The
// caller closes the Panel after the wall has stopped.
func Open(cfg *config.Config, o Options) (*Panel, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	pins := newPinStore(cfg.Trust)
	demoPTZ := map[string]config.PTZ{}
	streams, stopDemo, site, err := buildStreams(cfg, pins.Pin, log, demoPTZ)
	if err != nil {
		return nil, err
	}
	p := &Panel{cfg: cfg, log: log, streams: streams, pins: pins, demoSite: site, stopDemo: stopDemo, demoPTZ: demoPTZ, post: o.Post,
		an: &cameraAnalytics{log: log}}
	if o.Record {
		p.recs = openRecordings(cfg.Recording, log)
	}
	p.openPush()
	return p, nil
}

// Streams are every camera's stream, in settings order (demo cameras first). The Panel
// closes them (Close, or after an edit replaced one).
func (p *Panel) Streams() []*capture.Stream { return slices.Clone(p.streams) }

// Camera returns a camera's settings (the Edit dialog's).
func (p *Panel) Camera(name string) (config.Camera, bool) { return p.cfg.Camera(name) }

// Models are the settings' detector models (analytics.models), whose names a camera's
// analyzers may list: the camera dialog's choices.
func (p *Panel) Models() []config.Model { return slices.Clone(p.cfg.Analytics.Models) }

// OnCameras sets what is told the new list of streams after every edit: the wall's
// SetCameras. It runs on the goroutine of the edit.
func (p *Panel) OnCameras(f func([]*capture.Stream)) { p.onCameras = f }

func (p *Panel) camerasChanged() {
	if p.health != nil {
		p.health.setStreams(p.streams)
	}
	if p.onCameras != nil {
		p.onCameras(p.streams)
	}
}

// CanPlayback says whether a camera has recordings on a VMS to play back.
func (p *Panel) CanPlayback(name string) bool { return p.playbackSource(name) != nil }

// RecordingLister lists where a camera's VMS holds recordings, for the playback
// picker's timeline: a copy of its Milestone source (its own login per listing); nil
// when the camera's source cannot say.
func (p *Panel) RecordingLister(name string) capture.RecordingLister {
	rl, _ := p.playbackSource(name).(capture.RecordingLister)
	return rl
}

// StartContinuous starts recording the cameras set to record continuously.
func (p *Panel) StartContinuous() {
	if p.recs != nil {
		p.recs.startContinuous(p.cfg, p.streams)
	}
}

// playbackSource is a copy of a camera's Milestone source, to play its recordings from
// the VMS; nil for cameras without a VMS behind them (their own recordings are in the
// recordings view).
func (p *Panel) playbackSource(name string) capture.Player {
	i := slices.IndexFunc(p.streams, func(s *capture.Stream) bool { return s.Name() == name })
	if i < 0 {
		return nil
	}
	var src capture.Source
	if p.demoSite != nil && slices.Contains(p.demoSite.names, name) {
		src = p.demoSite.Source(name)
	} else {
		cam, ok := p.cfg.Camera(name)
		if !ok || len(cam.Streams) == 0 {
			return nil
		}
		var err error
		if src, err = NewSource(cam.Streams[0].URL, capture.Settings{User: cam.User, Password: cam.Password, Pins: p.pins.Pin}); err != nil {
			return nil
		}
	}
	pl, _ := src.(capture.Player)
	return pl
}

// Playback makes a stream of a Milestone camera's recordings from a time at a speed,
// with its own login and video connection, so the live stream (and a recording of it)
// is untouched.
func (p *Panel) Playback(name string, from time.Time, speed float64) (*capture.Stream, error) {
	src := p.playbackSource(name)
	if src == nil {
		return nil, fmt.Errorf("%q has no recordings to play back: playback is for cameras of a Milestone site", name)
	}
	return capture.NewStream(name, src.Playback(from, speed), capture.StreamOptions{Decoders: NewDecoder, Logger: p.log}), nil
}

// ToggleRecord is the tile's record button.
func (p *Panel) ToggleRecord(name string) error {
	i := slices.IndexFunc(p.streams, func(s *capture.Stream) bool { return s.Name() == name })
	if i < 0 || p.recs == nil {
		return fmt.Errorf("no camera %q to record", name)
	}
	return p.recs.Toggle(p.streams[i])
}

// restartRecording stops a replaced or removed camera's recording (its stream is going)
// and starts the continuous ones again on the new streams.
func (p *Panel) restartRecording(gone string) {
	if p.analyzing {
		p.syncAnalytics()
	}
	if p.recs == nil {
		return
	}
	if err := p.recs.stop(gone); err != nil {
		p.log.Warn("recording stopped with an error", "component", "panel", "camera", gone, "err", err)
	}
	p.recs.startContinuous(p.cfg, p.streams)
}

// closeLater closes a replaced or removed stream without blocking the UI goroutine
// (Close waits for the stream's goroutines).
func (p *Panel) closeLater(s *capture.Stream) {
	p.closing.Add(1)
	go func() {
		defer p.closing.Done()
		s.Close()
	}()
}

// WallChanged saves the wall's layout and positions after the user changed them. The
// wall keeps them even when saving fails; the error says so, for the wall to show.
func (p *Panel) WallChanged(layout string, tiles []string) error {
	p.cfg.Wall.Layout, p.cfg.Wall.Tiles = layout, slices.Clone(tiles)
	for i, t := range p.cfg.Wall.Tiles {
		if p.isPusher(t) {
			p.cfg.Wall.Tiles[i] = "" // pushers are not in the settings: their tile is not saved
		}
	}
	return p.save()
}

func (p *Panel) save() error {
	if err := config.SaveUser(p.cfg); err != nil {
		p.log.Error("saving the settings failed", "component", "panel", "err", err)
		return fmt.Errorf("the change is shown but could not be saved: %w", err)
	}
	return nil
}

func isDemo(cfg *config.Config, name string) bool {
	return slices.Contains(cfg.Demo.CameraNames(), name)
}

// SaveCamera adds or replaces a camera: the settings are validated and saved first, then
// the camera's stream is rebuilt and the wall re-pointed; the old stream is closed last.
func (p *Panel) SaveCamera(old string, cam config.Camera) error {
	if isDemo(p.cfg, old) || isDemo(p.cfg, cam.Name) {
		return errors.New("the demo cameras are built in: change their number with demo.mjpeg in the settings file")
	}
	next := *p.cfg
	next.Cameras = slices.Clone(p.cfg.Cameras)
	i := slices.IndexFunc(next.Cameras, func(c config.Camera) bool { return c.Name == old })
	if old != "" && i >= 0 {
		next.Cameras[i] = cam
	} else {
		next.Cameras = append(next.Cameras, cam)
	}
	if old != "" && old != cam.Name {
		next.Wall.Tiles = renamed(next.Wall.Tiles, old, cam.Name)
		next.Views = slices.Clone(next.Views)
		for k := range next.Views {
			next.Views[k].Tiles = renamed(next.Views[k].Tiles, old, cam.Name)
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	s, err := NewCameraStream(cam, p.pins.Pin, p.log)
	if err != nil {
		return err
	}
	*p.cfg = next
	p.forgetPusher(old) // a pusher's camera saved from the dialog is a camera of the settings now
	saveErr := p.save()
	var gone *capture.Stream
	streams := slices.Clone(p.streams)
	if k := slices.IndexFunc(streams, func(x *capture.Stream) bool { return x.Name() == old }); old != "" && k >= 0 {
		gone, streams[k] = streams[k], s
	} else {
		streams = append(streams, s)
	}
	p.streams = streams
	p.camerasChanged()
	if gone != nil {
		p.restartRecording(gone.Name())
		p.closeLater(gone)
	} else {
		p.restartRecording("")
	}
	return saveErr
}

// RemoveCamera removes a camera from the settings and the wall, stops its recording and
// closes its stream.
func (p *Panel) RemoveCamera(name string) error {
	if isDemo(p.cfg, name) {
		return errors.New("the demo cameras are built in: set demo.mjpeg to 0 in the settings file to remove them")
	}
	p.forgetPusher(name)
	p.cfg.Cameras = slices.DeleteFunc(slices.Clone(p.cfg.Cameras), func(c config.Camera) bool { return c.Name == name })
	p.cfg.Wall.Tiles = slices.DeleteFunc(slices.Clone(p.cfg.Wall.Tiles), func(t string) bool { return t == name })
	var gone *capture.Stream
	p.streams = slices.DeleteFunc(slices.Clone(p.streams), func(s *capture.Stream) bool {
		if s.Name() == name {
			gone = s
			return true
		}
		return false
	})
	p.camerasChanged()
	if gone != nil {
		p.restartRecording(name)
		p.closeLater(gone)
	}
	return p.save()
}

// Close finalises the recordings, closes every stream (after the app has stopped), waits
// for the ones being closed after edits and for background logins, then stops the demo
// servers.
func (p *Panel) Close() {
	p.stopPushers()
	p.bg.Wait()
	if p.health != nil {
		p.health.stop() // before the store closes: it writes its last minute
	}
	p.an.close()
	if p.mrec != nil {
		p.mrec.close()
	}
	if p.recs != nil {
		if err := p.recs.Close(); err != nil {
			p.log.Error("closing the recordings", "component", "panel", "err", err)
		}
	}
	for _, s := range p.streams {
		s.Close()
	}
	p.closing.Wait()
	p.closePush()
	p.stopDemo()
}

// buildStreams makes one capture.Stream per camera: the demo cameras (served in-process
// over real MJPEG/HTTP on 127.0.0.1) and the configured ones, in settings order. The
// caller closes the streams, then calls stopDemo. site is the simulated Milestone site of
// the demo wall, nil when it has none.
func buildStreams(cfg *config.Config, pins func(string) string, log *slog.Logger, demoPTZ map[string]config.PTZ) (streams []*capture.Stream, stopDemo func(), site *MilestoneSim, err error) {
	var srv *mjpegtest.Server
	var rtspSrv *rtsptest.Server
	var ptzCams []*rcptest.Camera
	var onvifCams []*onviftest.Server
	stopDemo = func() {
		for _, c := range ptzCams {
			c.Close()
		}
		for _, c := range onvifCams {
			c.Close()
		}
		if srv != nil {
			srv.Close()
		}
		if rtspSrv != nil {
			rtspSrv.Close()
		}
		if site != nil {
			site.Close()
		}
	}
	fail := func(err error) ([]*capture.Stream, func(), *MilestoneSim, error) {
		for _, s := range streams {
			s.Close()
		}
		stopDemo()
		return nil, func() {}, nil, err
	}
	add := func(name string, src capture.Source, fps float64) {
		s := capture.NewStream(name, src, capture.StreamOptions{
			Decoders: NewDecoder, FrameInterval: frameInterval(fps), Logger: log,
		})
		streams = append(streams, s)
	}
	if names := append(cfg.Demo.MJPEGNames(), cfg.Demo.QuietNames()...); len(names) > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		t0 := time.Now()
		log.Info("preparing the demo cameras (slow only on the first start)", "component", "demo", "cameras", len(names))
		loops, err := DemoLoops(cfg.Demo.MJPEGNames(), w, h, fps)
		if err == nil {
			var quiet [][][]byte
			quiet, err = QuietLoops(cfg.Demo.QuietNames(), w, h, fps)
			loops = append(loops, quiet...)
		}
		if err != nil {
			return fail(err)
		}
		srv = mjpegtest.NewServer(mjpegtest.Options{Cameras: len(names), FPS: fps,
			CameraFrames: func(i int) [][]byte { return loops[i-1] }})
		log.Info("demo cameras ready", "component", "demo", "took", time.Since(t0).Round(time.Millisecond), "addr", srv.Addr())
		for i, name := range names {
			add(name, mustSource(srv.CameraURL(i+1), capture.Settings{}), fps)
		}
	}
	if names := cfg.Demo.MilestoneNames(); len(names) > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		var err error
		if site, err = StartMilestoneSim(names, w, h, fps); err != nil {
			return fail(err)
		}
		log.Info("simulated Milestone site ready", "component", "demo", "cameras", len(names), "addr", site.srv.Addr())
		for _, name := range names {
			add(name, site.Source(name), fps)
		}
	}
	if names := cfg.Demo.RTSPNames(); len(names) > 0 {
		// Without ffmpeg the RTSP demo cameras are left out, not the whole wall.
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		t0 := time.Now()
		rs, err := StartRTSPSim(names, w, h, fps)
		if err != nil {
			log.Warn("demo RTSP cameras left out", "component", "demo", "err", err)
		} else {
			rtspSrv = rs
			log.Info("demo RTSP cameras ready", "component", "demo", "took", time.Since(t0).Round(time.Millisecond), "addr", rs.Addr())
			for i, name := range names {
				add(name, mustSource(rs.URL(strconv.Itoa(i+1)), capture.Settings{Logger: log}), fps)
			}
		}
	}
	if names := cfg.Demo.PTZNames(); len(names) > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		// The simulator renders every frame: a smaller picture keeps it cheap.
		w, h = min(w, 640), min(h, 360)
		if ptzCams, err = StartPTZSim(len(names), w, h, min(fps, 10)); err != nil {
			return fail(err)
		}
		for i, name := range names {
			add(name, mustSource(ptzCams[i].StreamURL(), capture.Settings{Logger: log}), min(fps, 10))
			if demoPTZ != nil {
				demoPTZ[name] = simPTZ(ptzCams[i])
			}
		}
	}
	for _, name := range cfg.Demo.ONVIFNames() {
		w, h, _ := cfg.Demo.Dimensions()
		c, err := onviftest.New(onviftest.Options{User: SimUser, Password: SimPassword, ClockOffset: 7 * time.Minute,
			StreamMJPEG: true, Width: min(w, 640), Height: min(h, 360)})
		if err != nil {
			return fail(err)
		}
		onvifCams = append(onvifCams, c)
		// Added by its ONVIF address, as a user would: the stream and the PTZ pad come
		// through its own connection (capture.PTZSource).
		add(name, mustSource(c.URL(), capture.Settings{User: SimUser, Password: SimPassword, Logger: log}), 10)
	}
	for _, c := range cfg.Cameras {
		s, err := NewCameraStream(c, pins, log)
		if err != nil {
			return fail(err)
		}
		streams = append(streams, s)
	}
	return streams, stopDemo, site, nil
}

// NewCameraStream makes a configured camera's stream: every URL of it a variant with
// its size, so a tile watches the smallest sufficient one and a maximised tile the
// largest (a stream without a size counts as the largest).
func NewCameraStream(c config.Camera, pins func(string) string, log *slog.Logger) (*capture.Stream, error) {
	var vars []capture.Variant
	for i, st := range c.Streams {
		src, err := NewSource(st.URL, capture.Settings{User: c.User, Password: c.Password, FPS: c.FPS, Pins: pins, Transport: c.Transport})
		if err != nil {
			return nil, fmt.Errorf("camera %q, stream %d: %w", c.Name, i+1, err)
		}
		w, h, _ := st.Dimensions()
		vars = append(vars, capture.Variant{Source: src, Width: w, Height: h})
	}
	if len(vars) == 0 {
		return nil, fmt.Errorf("camera %q has no stream URL", c.Name)
	}
	opts := capture.StreamOptions{Decoders: NewDecoder, FrameInterval: frameInterval(c.FPS), Logger: log}
	if c.Fallback != "" {
		// The fallback is polled as snapshots at the camera's rate, at most 2 a second
		// by default: enough to see what happens, light on a camera already in trouble.
		fps := c.FPS
		if fps <= 0 || fps > 2 {
			fps = 2
		}
		fb, err := NewSource(c.Fallback, capture.Settings{User: c.User, Password: c.Password, FPS: fps, Pins: pins})
		if err != nil {
			return nil, fmt.Errorf("camera %q, fallback: %w", c.Name, err)
		}
		opts.Fallback = fb
	}
	return capture.NewMultiStream(c.Name, vars, opts), nil
}

// Prober is the camera dialog's Test: Prober with the trust list behind the request's
// own pins (the dialog's just-accepted certificates).
func (p *Panel) Prober() capture.Prober { return proberWithPins(p.pins.Pin) }

// BuildStreams makes every camera's stream as Open does, for a headless run (`vigil
// record`): the caller closes the streams, then calls stopDemo.
func BuildStreams(cfg *config.Config, pins func(string) string, log *slog.Logger) (streams []*capture.Stream, stopDemo func(), err error) {
	streams, stopDemo, _, err = buildStreams(cfg, pins, log, nil)
	return streams, stopDemo, err
}
