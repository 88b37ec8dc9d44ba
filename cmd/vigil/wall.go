package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/vigil-cctv/vigil/assets"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/logfile"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/trust"
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

	pn, err := panel.Open(cfg, panel.Options{Logger: log, Record: true})
	if err != nil {
		fmt.Fprintln(stderr, "vigil:", err)
		return exitFailed
	}
	defer pn.Close() // after the window: recordings, streams, then the demo servers
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
	cpu := &panel.CPUMeter{}
	// The wall talks to the panel: each callback is a Panel method (or a conversion of
	// its types to ui's).
	win, wall := ui.NewWallWindow(a, ui.WallOptions{
		Cameras: pn.Streams(), Layout: cfg.Wall.Layout, Tiles: cfg.Wall.Tiles,
		OnChange:        pn.WallChanged,
		SnapshotDir:     snaps,
		CPU:             cpu.Cores,
		Camera:          pn.Camera,
		Prober:          pn.Prober(),
		OnTrust:         pn.Trust,
		OnCameraSaved:   pn.SaveCamera,
		OnCameraRemoved: pn.RemoveCamera,
		ConnectSite: func(ctx context.Context, site config.Site, pin string) (*ui.SiteView, error) {
			v, err := pn.ConnectSite(ctx, site, pin)
			return uiSiteView(v), uiCertError(err)
		},
		OnSiteConnected: func(v *ui.SiteView, trust []config.Trusted) error { return pn.SaveSite(v.Site, trust) },
		Playback:        pn.Playback,
		CanPlayback:     pn.CanPlayback,
		ToggleRecord:    pn.ToggleRecord,
		RecordingStatus: func(name string) ui.RecordingState { return ui.RecordingState(pn.RecordingStatus(name)) },
		Recordings:      func() ([]ui.Clip, error) { return uiClips(pn.Recordings()) },
		Open:            openPath,
	})
	pn.OnCameras(wall.SetCameras)
	pn.StartContinuous()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // before pn.Close: background logins end with it
	pn.ListSites(ctx, func(vs []*panel.SiteView) {
		views := make([]*ui.SiteView, len(vs))
		for i, v := range vs {
			views[i] = uiSiteView(v)
		}
		fyne.Do(func() { wall.SetSites(views) })
	})
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

// uiSiteView is a site's listing as the wall shows it.
func uiSiteView(v *panel.SiteView) *ui.SiteView {
	if v == nil {
		return nil
	}
	u := &ui.SiteView{Site: v.Site, Host: v.Host, Err: v.Err}
	for _, r := range v.Recorders {
		rv := ui.RecorderView{Name: r.Name, Addr: r.Addr, Untrusted: r.Untrusted}
		for _, c := range r.Cameras {
			rv.Cameras = append(rv.Cameras, ui.SiteCamera{Name: c.Name, URL: c.URL})
		}
		u.Recorders = append(u.Recorders, rv)
	}
	return u
}

// uiCertError is a refused certificate as the connect dialog offers to trust it.
func uiCertError(err error) error {
	var ce *trust.CertError
	if errors.As(err, &ce) {
		return &ui.UntrustedCertError{Host: ce.Host, Fingerprint: ce.Fingerprint, Pinned: ce.Pinned}
	}
	return err
}

// uiClips is the recordings list as the recordings view shows it.
func uiClips(clips []panel.Clip, err error) ([]ui.Clip, error) {
	out := make([]ui.Clip, len(clips))
	for i, c := range clips {
		out[i] = ui.Clip(c)
	}
	return out, err
}

// openPath opens a file or folder in the desktop's application for it.
func openPath(path string) error {
	cmd := exec.Command("xdg-open", path)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("xdg-open: %w (install xdg-utils, or open %s yourself)", err, path)
	}
	go cmd.Wait() // reap it; the player outlives the call
	return nil
}
