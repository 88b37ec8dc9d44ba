package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

func runProbe(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil probe", "usage: vigil probe URL [flags]\n\nTests one camera and says what answers, which auth it wants, codec, size and fps.\nExit code 0 when frames arrived, 1 when the camera failed, 2 for bad usage.", stderr)
	asJSON := c.Bool("json", false, "print one JSON object (schema in the README)")
	snapshot := c.String("snapshot", "", "save a frame to this file (the camera's own JPEG, not re-encoded)")
	duration := c.Duration("duration", 3*time.Second, "how long to measure after the first frame")
	timeout := c.Duration("timeout", 10*time.Second, "give up when no frame arrived within this time")
	user := c.String("user", "", "user name (or put user:pass@ in the URL)")
	pass := c.String("password", "", "password (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	fps := c.Float64("fps", 0, "polling rate for single-JPEG snapshot URLs (default 2)")
	insecure := c.Bool("insecure", false, "accept an untrusted TLS certificate (https, rtsps, milestones) and print its SHA-256 fingerprint, to pin under trust: in the settings")
	verbose := c.Bool("v", false, "log what happens")
	c.configFlag("settings whose trust: pins apply (default: your settings file, when you have one)")
	pos, ok := c.parse(args)
	if !ok {
		return exitUsage
	}
	if len(pos) != 1 {
		c.Usage()
		return exitUsage
	}
	if msg := probeFlagsProblem(c.FlagSet, *fps, *duration, *timeout); msg != "" {
		return c.fail(exitUsage, msg)
	}
	rawURL := pos[0]
	if _, err := panel.NewSource(rawURL, capture.Settings{}); err != nil {
		return c.fail(exitUsage, err)
	}
	level := slog.LevelError + 4 // silent
	if *verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(newLogger(stderr, level))

	// The settings' trust: pins apply here as on the wall: a camera pinned there probes
	// without --insecure. Broken settings named with --config are bad usage; the user's own
	// file, when broken, only costs its pins (a probe of a URL needs no settings).
	var p capture.Prober = panel.Prober
	cfg, origin, err := config.Load(*c.config)
	switch {
	case err != nil && *c.config != "":
		return c.fail(exitUsage, err)
	case err != nil:
		slog.Warn("settings not read: their trust: pins do not apply", "component", "probe", "err", err)
	case origin.Kind != config.FromEmbedded:
		p = panel.PinnedProber(cfg.Pin)
	}

	ctx, stop := commandContext(0)
	defer stop()
	r := p.Probe(ctx, capture.ProbeRequest{URL: rawURL, User: *user, Password: password(pass, "VIGIL_PASSWORD"), FPS: *fps, Insecure: *insecure,
		Options: capture.ProbeOptions{Timeout: *timeout, Duration: *duration}})

	var saved string
	if *snapshot != "" && (len(r.Snapshot) > 0 || r.Picture != nil) {
		if err := panel.WriteSnapshot(*snapshot, r); err != nil {
			c.fail(0, err)
		} else {
			saved = *snapshot
		}
	}
	if *asJSON {
		_ = r.WriteJSON(stdout, saved)
	} else {
		r.WriteText(stdout, saved)
	}
	if !r.OK() {
		return exitFailed
	}
	return exitOK
}

// probeFlagsProblem says what is wrong with probe's numeric flags, or "". --fps follows
// the settings' rule for a camera's fps (config.CheckFPS), and must be positive when given.
func probeFlagsProblem(fs *flag.FlagSet, fps float64, duration, timeout time.Duration) string {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["fps"] && (fps <= 0 || config.CheckFPS(fps) != ""):
		why := config.CheckFPS(fps)
		if why == "" {
			why = "not a positive number"
		}
		return fmt.Sprintf("--fps %v: %s (give the snapshot polling rate, e.g. --fps 2)", fps, why)
	case duration <= 0:
		return fmt.Sprintf("--duration %v: give a positive time, e.g. --duration 3s", duration)
	case timeout <= 0:
		return fmt.Sprintf("--timeout %v: give a positive time, e.g. --timeout 10s", timeout)
	}
	return ""
}
