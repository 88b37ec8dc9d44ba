package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/vigil-cctv/vigil/assets"
	"github.com/vigil-cctv/vigil/internal/logfile"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/panelui"
	"github.com/vigil-cctv/vigil/ui"
)

// appID identifies Vigil to Fyne (preferences, the user's data folders).
const appID = "io.github.vigil-cctv.vigil"

func runWall(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil", "usage: vigil [--config FILE] [--stats FILE]\n\nOpens the camera wall: your settings, else the built-in demo wall.", stderr)
	c.configFlag("settings file (default: your settings, else the built-in demo wall)")
	statsPath := c.String("stats", "", "write one JSON line per tile per second to this file (measuring a real window)")
	verbose := c.Bool("v", false, "log debug messages")
	cpuProfile := c.String("cpuprofile", "", "write a pprof CPU profile of the whole run to this file")
	if _, ok := c.parse(args); !ok {
		return exitUsage
	}
	cfg, ok := c.settings()
	if !ok {
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
			c.fail(0, "no log file:", err)
		}
	}
	log := newLogger(logOut, level)
	slog.SetDefault(log)
	log.Info("starting", "component", "main", "version", versionText, "settings", c.origin.String())

	// The app exists before the panel, whose pushers (settings push:) reach the wall
	// through fyne.Do; its loop runs them once the wall is up.
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	pn, err := panel.Open(cfg, panel.Options{Logger: log, Record: true, Post: fyne.Do})
	if err != nil {
		return c.fail(exitFailed, err)
	}
	defer pn.Close() // after the window: recordings, streams, then the demo servers
	if *cpuProfile != "" {
		f, ok := c.create(*cpuProfile)
		if !ok {
			return exitFailed
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return c.fail(exitFailed, err)
		}
		defer pprof.StopCPUProfile()
	}

	snaps := snapshotDir()
	if snaps != "" {
		if err := os.MkdirAll(snaps, 0o755); err != nil {
			log.Warn("no snapshot folder", "component", "main", "dir", snaps, "err", err)
			snaps = ""
		}
	}
	cpu := &panel.CPUMeter{}
	// The wall talks to the panel through ui's interfaces (wallapi.go).
	win, wall := ui.NewWallWindow(a, ui.WallOptions{
		Cameras: panelui.Cameras{P: pn}, Layout: cfg.Wall.Layout, Tiles: cfg.Wall.Tiles,
		View: cfg.Wall.View, Windows: cfg.Wall.Windows,
		Views:       panelui.Views{P: pn},
		SnapshotDir: snaps,
		CPU:         cpu,
		Prober:      pn.Prober(),
		Trust:       panelui.Trust{P: pn},
		Sites:       panelui.Sites{P: pn},
		Playback:    panelui.Playback{P: pn},
		Review:      panelui.Review{P: pn},
		Recordings:  panelui.Recordings{P: pn},
		Push:        panelui.Push{P: pn},
		Motion:      pn, Events: panelui.Events{P: pn}, Search: panelui.Search{P: pn},
		PTZ:       pn,                     // Panel.PTZ: a camera's ptz block, the demo PTZ camera
		PTZTester: panelui.PTZTest{P: pn}, // the camera dialog's Test PTZ
	})
	pn.OnCameras(wall.SetCameras)
	pn.StartContinuous()
	pn.StartAnalytics()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // before pn.Close: background logins end with it
	pn.ListSites(ctx, func(vs []*panel.SiteView) {
		views := make([]*ui.SiteView, len(vs))
		for i, v := range vs {
			views[i] = panelui.SiteView(v)
		}
		fyne.Do(func() { wall.SetSites(views) })
	})
	if *statsPath != "" {
		f, ok := c.create(*statsPath)
		if !ok {
			return exitFailed
		}
		defer f.Close()
		done := make(chan struct{})
		defer func() { cancel(); <-done }()
		go func() {
			defer close(done)
			panel.WriteStats(ctx, f, func() []panel.ShownTile {
				var out []panel.ShownTile
				fyne.DoAndWait(func() {
					for _, t := range wall.Tiles() {
						out = append(out, panel.ShownTile{Stream: t.Stream(), Drawn: t.Drawn})
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
			// Fyne catches the signal too and may Quit before the close below runs.
			wall.Shutdown()
			// Close, not a.Quit: Quit skips the window's OnClosed (wall.Stop), so the
			// tiles would go on calling fyne.Do after Fyne's loop has drained, when it
			// runs callbacks on their goroutines (issue 12 item 11).
			fyne.Do(win.Close)
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
