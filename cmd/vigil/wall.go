package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/vigil-cctv/vigil/assets"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
	"github.com/vigil-cctv/vigil/ui"
)

// appID identifies Vigil to Fyne (preferences, the user's data folders).
const appID = "io.github.vigil-cctv.vigil"

func runWall(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil", "usage: vigil [--config FILE]\n\nOpens the camera wall: your settings, else the built-in demo wall.", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings, else the built-in demo wall)")
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
	log := newLogger(stderr, level)
	slog.SetDefault(log)
	log.Info("settings", "component", "main", "from", origin.String())

	streams, cleanup, err := buildStreams(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "vigil:", err)
		return exitFailed
	}
	defer cleanup()
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
	// SIGINT and SIGTERM close the window like the user would, so everything is stopped
	// and flushed (the recorder will finalise its files here).
	sigCtx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() {
		<-sigCtx.Done()
		if sigCtx.Err() != nil {
			fyne.Do(a.Quit)
		}
	}()
	ui.Run(a, "Vigil", streams, cfg.Wall.Layout)
	return exitOK
}

// buildStreams makes one capture.Stream per camera: the demo cameras (served in-process
// over real MJPEG/HTTP on 127.0.0.1) and the configured ones, in wall order.
func buildStreams(cfg *config.Config, log *slog.Logger) ([]*capture.Stream, func(), error) {
	var streams []*capture.Stream
	var srv *mjpegtest.Server
	cleanup := func() {
		for _, s := range streams {
			s.Close()
		}
		if srv != nil {
			srv.Close()
		}
	}
	byName := map[string]*capture.Stream{}
	add := func(name string, src capture.Source, fps float64) {
		s := capture.NewStream(name, src, capture.StreamOptions{
			Decoders: newDecoder, FrameInterval: frameInterval(fps), Logger: log,
		})
		streams = append(streams, s)
		byName[name] = s
	}
	if n := cfg.Demo.MJPEG; n > 0 {
		w, h, _ := cfg.Demo.Dimensions()
		fps := cfg.Demo.FPSOrDefault()
		t0 := time.Now()
		log.Info("preparing the demo cameras (slow only on the first start)", "component", "demo", "cameras", n)
		loops, err := demoLoops(cfg.Demo.CameraNames(), w, h, fps)
		if err != nil {
			return nil, cleanup, err
		}
		srv = mjpegtest.NewServer(mjpegtest.Options{Cameras: n, FPS: fps,
			CameraFrames: func(i int) [][]byte { return loops[i-1] }})
		log.Info("demo cameras ready", "component", "demo", "took", time.Since(t0).Round(time.Millisecond), "addr", srv.Addr())
		for i, name := range cfg.Demo.CameraNames() {
			add(name, &mjpeg.Source{URL: srv.CameraURL(i + 1)}, fps)
		}
	}
	for _, c := range cfg.Cameras {
		if len(c.Streams) == 0 {
			continue
		}
		src, err := newSource(c.Streams[0].URL, sourceOptions{User: c.User, Password: c.Password, FPS: c.FPS})
		if err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("camera %q: %w", c.Name, err)
		}
		add(c.Name, src, c.FPS)
	}
	// The wall's saved order first, then the rest.
	if len(cfg.Wall.Tiles) > 0 {
		ordered := make([]*capture.Stream, 0, len(streams))
		seen := map[*capture.Stream]bool{}
		for _, name := range cfg.Wall.Tiles {
			if s := byName[name]; s != nil && !seen[s] {
				ordered, seen[s] = append(ordered, s), true
			}
		}
		for _, s := range streams {
			if !seen[s] {
				ordered = append(ordered, s)
			}
		}
		streams = ordered
	}
	return streams, cleanup, nil
}
