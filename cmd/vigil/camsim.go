package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// parseSize reads a --size "WxH" (config's size parser, the settings' own).
func parseSize(s string) (int, int, error) {
	w, h, err := config.ParseSize(s)
	if err != nil {
		return 0, 0, fmt.Errorf("size %q: %w", s, err)
	}
	return w, h, nil
}

func runCamsim(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil camsim", "usage: vigil camsim [--mjpeg N] [--milestone N] [--rtsp N] [--ptz N] [--size WxH] [--fps F]\n\nServes simulated cameras on 127.0.0.1 until interrupted: MJPEG over HTTP, and/or a Milestone XProtect site\n(management server over HTTPS with token logins, recording server speaking the Image Server protocol),\nand/or RTSP cameras (H.264 with RTCP sender reports), and/or Bosch PTZ cameras (RCP+ with Digest;\nthe MJPEG picture pans, tilts and zooms as vigil ptz drives it).\nEach part carries X-Timestamp with its send time.", stderr)
	n := c.Int("mjpeg", 4, "number of MJPEG cameras to serve")
	nm := c.Int("milestone", 0, "number of cameras of a simulated Milestone XProtect site to serve")
	nr := c.Int("rtsp", 0, "number of RTSP cameras (H.264, UDP and TCP) to serve; needs ffmpeg to encode them once")
	np := c.Int("ptz", 0, "number of simulated Bosch PTZ cameras (RCP+ over HTTP, MJPEG picture) to serve")
	size := c.String("size", "1280x720", "picture size WIDTHxHEIGHT")
	fps := c.Float64("fps", 15, "frames per second")
	snapshot := c.Bool("snapshot", false, "serve single-JPEG snapshot endpoints instead of streams")
	asJSON := c.Bool("json", false, `print {"urls":[…]} on one line once serving (for scripts and vigil bench)`)
	duration := c.Duration("duration", 0, "stop after this long (0: until interrupted)")
	if _, ok := c.parse(args); !ok {
		return exitUsage
	}
	w, h, err := parseSize(*size)
	if err != nil || *n < 0 || *n > 256 || *nm < 0 || *nm > 256 || *nr < 0 || *nr > 256 || *np < 0 || *np > 16 || *n+*nm+*nr+*np == 0 || *fps <= 0 || *fps > 120 {
		if err == nil {
			err = fmt.Errorf("want 1–256 cameras at 0–120 fps")
		}
		return c.fail(exitUsage, err)
	}
	start := time.Now()
	sims, err := panel.StartSims(panel.SimOptions{MJPEG: *n, Milestone: *nm, RTSP: *nr, PTZ: *np, Width: w, Height: h, FPS: *fps, Snapshot: *snapshot})
	if err != nil {
		return c.fail(exitFailed, err)
	}
	defer sims.Close()
	if *asJSON {
		_ = sims.WriteJSON(stdout)
	} else {
		for _, u := range append(sims.URLs, sims.MilestoneURLs...) {
			fmt.Fprintln(stdout, u)
		}
		for _, c := range sims.PTZ {
			fmt.Fprintf(stdout, "%s (PTZ; picture %s)\n", c.URL, c.Stream)
			fmt.Fprintf(stderr, "PTZ camera: user %q, password %q; try: vigil ptz rcp://%s:%s@%s left --for 2s\n", c.User, c.Password, c.User, c.Password, strings.TrimPrefix(c.URL, "rcp://"))
		}
		if sims.Site != nil {
			fmt.Fprintf(stderr, "Milestone site: user %q, password %q (the simulator's demo account); certificate SHA-256 %s\n", panel.SimUser, panel.SimPassword, sims.Site.Fingerprint())
		}
		fmt.Fprintf(stderr, "serving %d cameras of %dx%d at %g fps (ready in %s); Ctrl-C to stop\n", *n+*nm+*nr+*np, w, h, *fps, time.Since(start).Round(time.Millisecond))
	}
	ctx, stop := commandContext(*duration)
	defer stop()
	<-ctx.Done()
	return exitOK
}
