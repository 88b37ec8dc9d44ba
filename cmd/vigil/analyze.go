package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

func runAnalyze(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil analyze", analyzeUsage, stderr)
	c.configFlag("settings file, for camera and model names (default: your settings)")
	names := c.String("analyzers", "motion", "analyzers to run, comma-separated: "+strings.Join(config.Analyzers(), ", ")+", or a model's name from the settings (analytics.models)")
	asJSON := c.Bool("json", false, "print one JSON object per event: camera, kind, zone, score, start, end (RFC 3339), and start_offset_s, end_offset_s for a file")
	duration := c.Duration("duration", 30*time.Second, "how long to watch a live camera (0: until interrupted)")
	user := c.String("user", "", "user name of a camera given by URL (or put user:pass@ in the URL)")
	pass := c.String("password", "", "password of a camera given by URL (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	rest, ok := c.parse(args)
	if !ok {
		return exitUsage
	}
	if len(rest) != 1 {
		return c.fail(exitUsage, "give one video file, stream URL or camera name")
	}
	var kinds []string
	builtin := true
	for _, n := range strings.Split(*names, ",") {
		n = strings.TrimSpace(n)
		kinds = append(kinds, n)
		builtin = builtin && slices.Contains(config.Analyzers(), n)
	}
	target := rest[0]
	st, err := os.Stat(target)
	isFile := err == nil && !st.IsDir()
	// The settings name the live cameras and the models; a file analysed by built-ins
	// needs none (and is not refused over a settings problem).
	cfg := &config.Config{}
	if !isFile || !builtin {
		if cfg, ok = c.settings(); !ok {
			return exitFailed
		}
	}
	known := cfg.AnalyzerNames()
	for _, n := range kinds {
		if !slices.Contains(known, n) {
			return c.fail(exitUsage, fmt.Sprintf("unknown analyzer %q (known: %s; analytics.models in the settings adds models)", n, strings.Join(known, ", ")))
		}
	}
	out := &analytics.EventWriter{W: stdout, JSON: *asJSON}
	if isFile {
		ctx, stop := commandContext(0)
		defer stop()
		evs, err := panel.AnalyzeFile(ctx, target, kinds, cfg.Analytics.Models)
		if err != nil {
			return c.fail(exitFailed, err)
		}
		for _, e := range evs {
			out.FileEvent(e)
		}
	} else {
		ctx, stop := commandContext(*duration)
		defer stop()
		if err := panel.AnalyzeCamera(ctx, cfg, target, *user, password(pass, "VIGIL_PASSWORD"), kinds, out, newLogger(stderr, logLevel(false))); err != nil {
			return c.exit(err)
		}
	}
	if !*asJSON {
		fmt.Fprintf(stderr, "%d events\n", out.Printed())
	}
	return exitOK
}

// analyzeUsage is `vigil analyze -h`.
const analyzeUsage = `usage: vigil analyze FILE|URL|CAMERA [--analyzers motion,face,MODEL,…] [--json] [--duration 30s]

Runs the analyzers the wall runs on a video file (as fast as it decodes) or on a live
camera (a URL, or a camera's name from the settings, for --duration) and prints each
event when it ends. A model is named as in the settings' analytics.models (--config
picks the settings file). Exit code 0 when the input was analysed, 1 when it could not be
read, 2 for bad usage.`
