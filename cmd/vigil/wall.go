package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/vigil-cctv/vigil/assets"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/logfile"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/protocols/rtsp/rtsptest"
	"github.com/vigil-cctv/vigil/ui"
)

// appID identifies Vigil to Fyne (preferences, the user's data folders).
const appID = "io.github.vigil-cctv.vigil"

func runWall(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil", "usage: vigil [--config FILE] [--stats FILE]\n\nOpens the camera wall: your settings, else the built-in demo wall.", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings, else the built-in demo wall)")
	statsPath := fs.String("stats", "", "write one JSON line per tile per second to this file (measuring a real window)")
	verbose := fs.Bool("v", false, "log debug messages")
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the whole run to this file")
	if _, err := parseInterspersed(fs, args); err != nil {
		return exitUsage
	}
	cfg, origin, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "vigil: the settings are not valid:\n%v\n", err)
		return exitFailed
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	// The log goes to stderr and to a rotating file (5 MB × 4) that is still there in the
	// morning; Fyne's own messages come through the standard log package into it too.
	logOut := stderr
	if path, err := logfile.DefaultPath(); err == nil {
		if f, err := logfile.Open(path, 5<<20, 3); err == nil {
			defer f.Close()
			logOut = io.MultiWriter(stderr, f)
		} else {
			fmt.Fprintln(stderr, "vigil: no log file:", err)
		}
	}
	log := newLogger(logOut, level)
	slog.SetDefault(log)
	log.Info("starting", "component", "main", "version", versionText, "settings", origin.String())

	pins := newPinStore(cfg.Trust)
	streams, stopDemo, demoSite, err := buildStreams(cfg, pins.Pin, log)
	if err != nil {
		fmt.Fprintln(stderr, "vigil:", err)
		return exitFailed
	}
	defer stopDemo()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "vigil:", err)
			return exitFailed
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "vigil:", err)
			return exitFailed
		}
		defer pprof.StopCPUProfile()
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	snaps := snapshotDir()
	if snaps != "" {
		if err := os.MkdirAll(snaps, 0o755); err != nil {
			log.Warn("no snapshot folder", "component", "main", "dir", snaps, "err", err)
			snaps = ""
		}
	}
	cpu := &cpuMeter{}
	ws := &wallSettings{cfg: cfg, log: log, streams: streams, pins: pins, recs: openRecordings(cfg.Recording, log), demoSite: demoSite}
	win, wall := ui.NewWallWindow(a, ui.WallOptions{
		Cameras: streams, Layout: cfg.Wall.Layout, Tiles: cfg.Wall.Tiles,
		OnChange:    ws.wallChanged,
		SnapshotDir: snaps,
		CPU:         cpu.Cores,
		Camera:      cfg.Camera,
		Prober:      proberWithPins(pins.Pin),
		OnTrust:     ws.trusted,
		OnCameraSaved: func(old string, cam config.Camera) error {
			return ws.cameraSaved(old, cam)
		},
		OnCameraRemoved: func(name string) error { return ws.cameraRemoved(name) },
		ConnectSite: func(ctx context.Context, site config.Site, pin string) (*ui.SiteView, error) {
			return connectSite(ctx, site, pin, pins.Pin, log)
		},
		OnSiteConnected: ws.siteConnected,
		Playback:        ws.playback,
		CanPlayback:     func(name string) bool { return ws.playbackSource(name) != nil },
		ToggleRecord:    ws.toggleRecord,
		RecordingStatus: ws.recs.State,
		Recordings:      ws.recs.List,
		Open:            openPath,
	})
	ws.wall = wall
	defer ws.closeAll() // runs before stopDemo: recordings, streams, then their server
	ws.recs.startContinuous(cfg, streams)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer ws.bg.Wait() // after cancel: background logins end with it
	ws.listSites(ctx, nil)
	if *statsPath != "" {
		f, err := os.Create(*statsPath)
		if err != nil {
			fmt.Fprintln(stderr, "vigil:", err)
			return exitFailed
		}
		defer f.Close()
		done := make(chan struct{})
		defer func() { cancel(); <-done }()
		go func() {
			defer close(done)
			writeStats(ctx, f, func() []shownTile {
				var out []shownTile
				fyne.DoAndWait(func() {
					for _, t := range wall.Tiles() {
						out = append(out, shownTile{stream: t.Stream(), drawn: t.Drawn})
					}
				})
				return out
			}, cpu)
		}()
	}
	// SIGINT and SIGTERM close the window like the user would, so everything is stopped
	// and flushed (the recorder will finalise its files here).
	sigCtx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() {
		<-sigCtx.Done()
		if ctx.Err() == nil {
			fyne.Do(a.Quit)
		}
	}()
	win.ShowAndRun()
	return exitOK
}

// snapshotDir is where tile snapshots go: $XDG_PICTURES_DIR/vigil, else ~/Pictures/vigil.
func snapshotDir() string {
	base := os.Getenv("XDG_PICTURES_DIR")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, "Pictures")
	}
	return filepath.Join(base, "vigil")
}

// wallSettings keeps the settings in step with what the user does on the wall. Its
// methods run on the UI goroutine (Fyne callbacks).
type wallSettings struct {
	cfg     *config.Config
	log     *slog.Logger
	wall    *ui.Wall
	streams []*capture.Stream
	// closing counts streams being closed off the UI goroutine after an edit or removal;
	// closeAll waits for them.
	closing sync.WaitGroup
	// pins is the trust list as sources read it; bg counts background logins (sites).
	pins *pinStore
	bg   sync.WaitGroup
	// recs records cameras; nil in tests that record nothing.
	recs *recordings
	// demoSite is the simulated Milestone site of the demo wall, when it has one.
	demoSite *milestoneSim
}

// playbackSource is a copy of a camera's Milestone source, to play its recordings from
// the VMS; nil for cameras without a VMS behind them (their own recordings are in the
// recordings view).
func (ws *wallSettings) playbackSource(name string) capture.Player {
	i := slices.IndexFunc(ws.streams, func(s *capture.Stream) bool { return s.Name() == name })
	if i < 0 {
		return nil
	}
	var src capture.Source
	if ws.demoSite != nil && slices.Contains(ws.demoSite.names, name) {
		src = ws.demoSite.Source(name)
	} else {
		cam, ok := ws.cfg.Camera(name)
		if !ok || len(cam.Streams) == 0 {
			return nil
		}
		var err error
		if src, err = newSource(cam.Streams[0].URL, sourceOptions{User: cam.User, Password: cam.Password, Pins: ws.pins.Pin}); err != nil {
			return nil
		}
	}
	p, _ := src.(capture.Player)
	return p
}

// playback makes a stream of a Milestone camera's recordings from a time at a speed,
// with its own login and video connection, so the live stream (and a recording of it)
// is untouched.
func (ws *wallSettings) playback(name string, from time.Time, speed float64) (*capture.Stream, error) {
	src := ws.playbackSource(name)
	if src == nil {
		return nil, fmt.Errorf("%q has no recordings to play back: playback is for cameras of a Milestone site", name)
	}
	return capture.NewStream(name, src.Playback(from, speed), capture.StreamOptions{Decoders: newDecoder, Logger: ws.log}), nil
}

// toggleRecord is the tile's record button.
func (ws *wallSettings) toggleRecord(name string) error {
	i := slices.IndexFunc(ws.streams, func(s *capture.Stream) bool { return s.Name() == name })
	if i < 0 || ws.recs == nil {
		return fmt.Errorf("no camera %q to record", name)
	}
	return ws.recs.Toggle(ws.streams[i])
}

// restartRecording stops a replaced or removed camera's recording (its stream is going)
// and starts the continuous ones again on the new streams.
func (ws *wallSettings) restartRecording(gone string) {
	if ws.recs == nil {
		return
	}
	if err := ws.recs.stop(gone); err != nil {
		ws.log.Warn("recording stopped with an error", "component", "main", "camera", gone, "err", err)
	}
	ws.recs.startContinuous(ws.cfg, ws.streams)
}

// closeLater closes a replaced or removed stream without blocking the UI goroutine
// (Close waits for the stream's goroutines).
func (ws *wallSettings) closeLater(s *capture.Stream) {
	ws.closing.Add(1)
	go func() {
		defer ws.closing.Done()
		s.Close()
	}()
}

func (ws *wallSettings) wallChanged(layout string, tiles []string) {
	ws.cfg.Wall.Layout, ws.cfg.Wall.Tiles = layout, tiles
	ws.save()
}

func (ws *wallSettings) save() error {
	if err := config.SaveUser(ws.cfg); err != nil {
		ws.log.Error("saving the settings failed", "component", "main", "err", err)
		return fmt.Errorf("the change is shown but could not be saved: %w", err)
	}
	return nil
}

func isDemo(cfg *config.Config, name string) bool {
	return slices.Contains(cfg.Demo.CameraNames(), name)
}

// cameraSaved adds or replaces a camera: the settings are validated and saved first, then
// the camera's stream is rebuilt and the wall re-pointed; the old stream is closed last.
func (ws *wallSettings) cameraSaved(old string, cam config.Camera) error {
	if isDemo(ws.cfg, old) || isDemo(ws.cfg, cam.Name) {
		return errors.New("the demo cameras are built in: change their number with demo.mjpeg in the settings file")
	}
	next := *ws.cfg
	next.Cameras = slices.Clone(ws.cfg.Cameras)
	i := slices.IndexFunc(next.Cameras, func(c config.Camera) bool { return c.Name == old })
	if old != "" && i >= 0 {
		next.Cameras[i] = cam
	} else {
		next.Cameras = append(next.Cameras, cam)
	}
	if old != "" && old != cam.Name {
		for j, t := range next.Wall.Tiles {
			if t == old {
				next.Wall.Tiles = slices.Clone(next.Wall.Tiles)
				next.Wall.Tiles[j] = cam.Name
			}
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	s, err := newCameraStream(cam, ws.pins.Pin, ws.log)
	if err != nil {
		return err
	}
	*ws.cfg = next
	saveErr := ws.save()
	var gone *capture.Stream
	streams := slices.Clone(ws.streams)
	if k := slices.IndexFunc(streams, func(x *capture.Stream) bool { return x.Name() == old }); old != "" && k >= 0 {
		gone, streams[k] = streams[k], s
	} else {
		streams = append(streams, s)
	}
	ws.streams = streams
	ws.wall.SetCameras(streams)
	if gone != nil {
		ws.restartRecording(gone.Name())
		ws.closeLater(gone)
	} else {
		ws.restartRecording("")
	}
	return saveErr
}

func (ws *wallSettings) cameraRemoved(name string) error {
	if isDemo(ws.cfg, name) {
		return errors.New("the demo cameras are built in: set demo.mjpeg to 0 in the settings file to remove them")
	}
	ws.cfg.Cameras = slices.DeleteFunc(slices.Clone(ws.cfg.Cameras), func(c config.Camera) bool { return c.Name == name })
	ws.cfg.Wall.Tiles = slices.DeleteFunc(slices.Clone(ws.cfg.Wall.Tiles), func(t string) bool { return t == name })
	var gone *capture.Stream
	ws.streams = slices.DeleteFunc(slices.Clone(ws.streams), func(s *capture.Stream) bool {
		if s.Name() == name {
			gone = s
			return true
		}
		return false
	})
	ws.wall.SetCameras(ws.streams)
	if gone != nil {
		ws.restartRecording(name)
		ws.closeLater(gone)
	}
	return ws.save()
}

// closeAll closes every stream after the app has stopped, and waits for the ones being
// closed after edits.
func (ws *wallSettings) closeAll() {
	if ws.recs != nil {
		if err := ws.recs.Close(); err != nil {
			ws.log.Error("closing the recordings", "component", "main", "err", err)
		}
	}
	for _, s := range ws.streams {
		s.Close()
	}
	ws.closing.Wait()
}

// buildStreams makes one capture.Stream per camera: the demo cameras (served in-process
// over real MJPEG/HTTP on 127.0.0.1) and the configured ones, in settings order. The
// caller closes the streams, then calls stopDemo. site is the simulated Milestone site of
// the demo wall, nil when it has none.
func buildStreams(cfg *config.Config, pins func(string) string, log *slog.Logger) (streams []*capture.Stream, stopDemo func(), site *milestoneSim, err error) {
	var srv *mjpegtest.Server
	var rtspSrv *rtsptest.Server
	stopDemo = func() {
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
	fail := func(err error) ([]*capture.Stream, func(), *milestoneSim, error) {
		for _, s := range streams {
			s.Close()
		}
		stopDemo()
		return nil, func() {}, nil, err
	}
	add := func(name string, src capture.Source, fps float64) {
		s := capture.NewStream(name, src, capture.StreamOptions{
			Decoders: newDecoder, FrameInterval: frameInterval(fps), Logger: log,
		})
		streams = append(streams, s)
	}
	if n := cfg.Demo.MJPEG; n > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		t0 := time.Now()
		log.Info("preparing the demo cameras (slow only on the first start)", "component", "demo", "cameras", n)
		loops, err := demoLoops(cfg.Demo.MJPEGNames(), w, h, fps)
		if err != nil {
			return fail(err)
		}
		srv = mjpegtest.NewServer(mjpegtest.Options{Cameras: n, FPS: fps,
			CameraFrames: func(i int) [][]byte { return loops[i-1] }})
		log.Info("demo cameras ready", "component", "demo", "took", time.Since(t0).Round(time.Millisecond), "addr", srv.Addr())
		for i, name := range cfg.Demo.MJPEGNames() {
			add(name, demoSource(srv.CameraURL(i+1), sourceOptions{}), fps)
		}
	}
	if names := cfg.Demo.MilestoneNames(); len(names) > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		var err error
		if site, err = startMilestoneSim(names, w, h, fps); err != nil {
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
		rs, err := startRTSPSim(names, w, h, fps)
		if err != nil {
			log.Warn("demo RTSP cameras left out", "component", "demo", "err", err)
		} else {
			rtspSrv = rs
			log.Info("demo RTSP cameras ready", "component", "demo", "took", time.Since(t0).Round(time.Millisecond), "addr", rs.Addr())
			for i, name := range names {
				add(name, demoSource(rs.URL(strconv.Itoa(i+1)), sourceOptions{Logger: log}), fps)
			}
		}
	}
	for _, c := range cfg.Cameras {
		s, err := newCameraStream(c, pins, log)
		if err != nil {
			return fail(err)
		}
		streams = append(streams, s)
	}
	return streams, stopDemo, site, nil
}

// newCameraStream makes a configured camera's stream: every URL of it a variant with
// its size, so a tile watches the smallest sufficient one and a maximised tile the
// largest (a stream without a size counts as the largest).
func newCameraStream(c config.Camera, pins func(string) string, log *slog.Logger) (*capture.Stream, error) {
	var vars []capture.Variant
	for i, st := range c.Streams {
		src, err := newSource(st.URL, sourceOptions{User: c.User, Password: c.Password, FPS: c.FPS, Pins: pins, Transport: c.Transport})
		if err != nil {
			return nil, fmt.Errorf("camera %q, stream %d: %w", c.Name, i+1, err)
		}
		w, h, _ := st.Dimensions()
		vars = append(vars, capture.Variant{Source: src, Width: w, Height: h})
	}
	if len(vars) == 0 {
		return nil, fmt.Errorf("camera %q has no stream URL", c.Name)
	}
	opts := capture.StreamOptions{Decoders: newDecoder, FrameInterval: frameInterval(c.FPS), Logger: log}
	if c.Fallback != "" {
		// The fallback is polled as snapshots at the camera's rate, at most 2 a second
		// by default: enough to see what happens, light on a camera already in trouble.
		fps := c.FPS
		if fps <= 0 || fps > 2 {
			fps = 2
		}
		fb, err := newSource(c.Fallback, sourceOptions{User: c.User, Password: c.Password, FPS: fps, Pins: pins})
		if err != nil {
			return nil, fmt.Errorf("camera %q, fallback: %w", c.Name, err)
		}
		opts.Fallback = fb
	}
	return capture.NewMultiStream(c.Name, vars, opts), nil
}
