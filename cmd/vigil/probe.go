package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

func runProbe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil probe", "usage: vigil probe URL [flags]\n\nTests one camera and says what answers, which auth it wants, codec, size and fps.\nExit code 0 when frames arrived, 1 when the camera failed, 2 for bad usage.", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object (schema in the README)")
	snapshot := fs.String("snapshot", "", "save a frame to this file (the camera's own JPEG, not re-encoded)")
	duration := fs.Duration("duration", 3*time.Second, "how long to measure after the first frame")
	timeout := fs.Duration("timeout", 10*time.Second, "give up when no frame arrived within this time")
	user := fs.String("user", "", "user name (or put user:pass@ in the URL)")
	password := fs.String("password", "", "password (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	fps := fs.Float64("fps", 0, "polling rate for single-JPEG snapshot URLs (default 2)")
	insecure := fs.Bool("insecure", false, "accept an untrusted TLS certificate (https, rtsps, milestones) and print its SHA-256 fingerprint, to pin under trust: in the settings")
	verbose := fs.Bool("v", false, "log what happens")
	cfgPath := fs.String("config", "", "settings whose trust: pins apply (default: your settings file, when you have one)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	if msg := probeFlagsProblem(fs, *fps, *duration, *timeout); msg != "" {
		fmt.Fprintln(stderr, "vigil probe:", msg)
		return exitUsage
	}
	if *password == "" {
		*password = os.Getenv("VIGIL_PASSWORD")
	}
	rawURL := pos[0]
	if _, err := panel.NewSource(rawURL, capture.Settings{}); err != nil {
		fmt.Fprintln(stderr, "vigil probe:", err)
		return exitUsage
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
	cfg, origin, err := config.Load(*cfgPath)
	switch {
	case err != nil && *cfgPath != "":
		fmt.Fprintln(stderr, "vigil probe:", err)
		return exitUsage
	case err != nil:
		slog.Warn("settings not read: their trust: pins do not apply", "component", "probe", "err", err)
	case origin.Kind != config.FromEmbedded:
		p = capture.ProberFunc(func(ctx context.Context, req capture.ProbeRequest) capture.ProbeReport {
			req.Pins = cfg.Pin
			return panel.Prober.Probe(ctx, req)
		})
	}

	ctx, stop := commandContext(0)
	defer stop()
	r := p.Probe(ctx, capture.ProbeRequest{URL: rawURL, User: *user, Password: *password, FPS: *fps, Insecure: *insecure,
		Options: capture.ProbeOptions{Timeout: *timeout, Duration: *duration}})

	var saved string
	if *snapshot != "" && (len(r.Snapshot) > 0 || r.Picture != nil) {
		if err := writeSnapshot(*snapshot, r); err != nil {
			fmt.Fprintln(stderr, "vigil probe:", err)
		} else {
			saved = *snapshot
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := struct {
			capture.ProbeReport
			Snapshot string `json:"snapshot,omitempty"`
		}{r, saved}
		_ = enc.Encode(out)
	} else {
		printProbe(stdout, r, saved)
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

// writeSnapshot saves the camera's own encoded frame: the JPEG as it came, or for
// H.264/H.265 the probe's first decoded picture (at most capture.ProbeDecodeBox on its
// long side) encoded as a JPEG. A B-frame stream's key unit alone may give no picture, so
// the snapshot is the picture the probe's decoder did give, never a second decode.
func writeSnapshot(path string, r capture.ProbeReport) error {
	data := r.Snapshot
	if r.Codec != capture.CodecJPEG {
		if r.Picture == nil {
			return fmt.Errorf("snapshot: no %s picture was decoded to save", r.Codec)
		}
		var err error
		if data, err = jpegdec.Encode(r.Picture, 90); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("saving the snapshot: %w", err)
	}
	return nil
}

func printProbe(w io.Writer, r capture.ProbeReport, saved string) {
	row := func(k, format string, a ...any) { fmt.Fprintf(w, "  %-12s %s\n", k, fmt.Sprintf(format, a...)) }
	row("url", "%s", r.URL)
	if r.Protocol != "" {
		p := r.Protocol
		if r.ContentType != "" {
			p += " (" + r.ContentType + ")"
		}
		row("protocol", "%s", p)
		row("transport", "%s", r.Transport)
		auth := r.Auth
		if len(r.AuthOffered) > 0 {
			auth += " (offered: " + strings.Join(r.AuthOffered, ", ") + ")"
		}
		row("auth", "%s", auth)
	} else {
		// A failure before the stream started still says what the server answered.
		if r.ContentType != "" {
			row("answered", "Content-Type %s", r.ContentType)
		}
		if len(r.AuthOffered) > 0 {
			row("auth", "offered: %s", strings.Join(r.AuthOffered, ", "))
		}
	}
	for _, t := range r.Tracks {
		desc := t.Media + " " + t.Codec
		if t.Profile != "" {
			desc += " " + t.Profile
		}
		if t.Width > 0 {
			desc += fmt.Sprintf(" %d×%d", t.Width, t.Height)
		}
		if t.FPS > 0 {
			desc += fmt.Sprintf(" %.3g fps", t.FPS)
		}
		if t.Playing {
			desc += " (played)"
		}
		row("track", "%s", desc)
	}
	if r.Frames > 0 {
		row("codec", "%s", r.Codec)
		row("size", "%d×%d", r.Width, r.Height)
		row("frames", "%d", r.Frames)
		row("fps", "%.1f", r.FPS)
		row("bitrate", "%.0f kbit/s", r.BitrateKbps)
		row("first frame", "%.0f ms", r.FirstFrameMS)
	}
	if saved != "" {
		row("snapshot", "%s (%d KB)", saved, len(r.Snapshot)/1024)
	}
	if r.Fingerprint != "" {
		row("certificate", "SHA-256 %s (accepted with --insecure: not verified)", r.Fingerprint)
	}
	if len(r.Cameras) > 0 {
		row("cameras", "%d", len(r.Cameras))
		for _, c := range r.Cameras {
			fmt.Fprintf(w, "  %-12s %s  %s  (%s)\n", "", c.Name, c.ID, c.Recorder)
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "OK")
		return
	}
	// Error says what happened, Advice what to try (capture.Explain).
	fmt.Fprintf(w, "FAILED (%s): %s\n", r.ErrorKind, r.Error)
	if r.Advice != "" {
		fmt.Fprintf(w, "  try: %s\n", r.Advice)
	}
}
