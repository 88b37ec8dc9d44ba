package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
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
	fs := newFlags("vigil camsim", "usage: vigil camsim [--mjpeg N] [--milestone N] [--rtsp N] [--ptz N] [--size WxH] [--fps F]\n\nServes simulated cameras on 127.0.0.1 until interrupted: MJPEG over HTTP, and/or a Milestone XProtect site\n(management server over HTTPS with token logins, recording server speaking the Image Server protocol),\nand/or RTSP cameras (H.264 with RTCP sender reports), and/or Bosch PTZ cameras (RCP+ with Digest;\nthe MJPEG picture pans, tilts and zooms as vigil ptz drives it).\nEach part carries X-Timestamp with its send time.", stderr)
	n := fs.Int("mjpeg", 4, "number of MJPEG cameras to serve")
	nm := fs.Int("milestone", 0, "number of cameras of a simulated Milestone XProtect site to serve")
	nr := fs.Int("rtsp", 0, "number of RTSP cameras (H.264, UDP and TCP) to serve; needs ffmpeg to encode them once")
	np := fs.Int("ptz", 0, "number of simulated Bosch PTZ cameras (RCP+ over HTTP, MJPEG picture) to serve")
	size := fs.String("size", "1280x720", "picture size WIDTHxHEIGHT")
	fps := fs.Float64("fps", 15, "frames per second")
	snapshot := fs.Bool("snapshot", false, "serve single-JPEG snapshot endpoints instead of streams")
	asJSON := fs.Bool("json", false, `print {"urls":[…]} on one line once serving (for scripts and vigil bench)`)
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return exitUsage
	}
	w, h, err := parseSize(*size)
	if err != nil || *n < 0 || *n > 256 || *nm < 0 || *nm > 256 || *nr < 0 || *nr > 256 || *np < 0 || *np > 16 || *n+*nm+*nr+*np == 0 || *fps <= 0 || *fps > 120 {
		if err == nil {
			err = fmt.Errorf("want 1–256 cameras at 0–120 fps")
		}
		fmt.Fprintln(stderr, "vigil camsim:", err)
		return exitUsage
	}
	start := time.Now()
	var urls, msURLs []string
	if *n > 0 {
		srv, err := panel.StartMJPEGSim(*n, w, h, *fps, *snapshot)
		if err != nil {
			fmt.Fprintln(stderr, "vigil camsim:", err)
			return exitFailed
		}
		defer srv.Close()
		for i := 0; i < *n; i++ {
			urls = append(urls, srv.CameraURL(i+1))
		}
	}
	var site *panel.MilestoneSim
	if *nm > 0 {
		names := make([]string, *nm)
		for i := range names {
			names[i] = fmt.Sprintf("Milestone %d", i+1)
		}
		if site, err = panel.StartMilestoneSim(names, w, h, *fps); err != nil {
			fmt.Fprintln(stderr, "vigil camsim:", err)
			return exitFailed
		}
		defer site.Close()
		for _, name := range names {
			msURLs = append(msURLs, site.URL(name))
		}
	}
	var rtspURLs []string
	if *nr > 0 {
		names := make([]string, *nr)
		for i := range names {
			names[i] = fmt.Sprintf("RTSP %d", i+1)
		}
		rs, err := panel.StartRTSPSim(names, w, h, *fps)
		if err != nil {
			fmt.Fprintln(stderr, "vigil camsim:", err)
			return exitFailed
		}
		defer rs.Close()
		for i := range names {
			rtspURLs = append(rtspURLs, rs.URL(strconv.Itoa(i+1)))
		}
		urls = append(urls, rtspURLs...)
	}
	type ptzCam struct {
		URL, Stream, User, Password string
	}
	var ptzCams []ptzCam
	if *np > 0 {
		cams, err := panel.StartPTZSim(*np, min(w, 640), min(h, 360), min(*fps, 10))
		if err != nil {
			fmt.Fprintln(stderr, "vigil camsim:", err)
			return exitFailed
		}
		for _, c := range cams {
			defer c.Close()
			ptzCams = append(ptzCams, ptzCam{c.URL(), c.StreamURL(), c.User(), c.Password()})
		}
	}
	if *asJSON {
		out := map[string]any{"urls": urls}
		if len(ptzCams) > 0 {
			out["ptz"] = ptzCams
		}
		if site != nil {
			out["milestone"] = map[string]any{"urls": msURLs, "user": panel.SimUser, "password": panel.SimPassword, "fingerprint": site.Fingerprint()}
		}
		_ = json.NewEncoder(stdout).Encode(out)
	} else {
		for _, u := range append(urls, msURLs...) {
			fmt.Fprintln(stdout, u)
		}
		for _, c := range ptzCams {
			fmt.Fprintf(stdout, "%s (PTZ; picture %s)\n", c.URL, c.Stream)
			fmt.Fprintf(stderr, "PTZ camera: user %q, password %q; try: vigil ptz rcp://%s:%s@%s left --for 2s\n", c.User, c.Password, c.User, c.Password, strings.TrimPrefix(c.URL, "rcp://"))
		}
		if site != nil {
			fmt.Fprintf(stderr, "Milestone site: user %q, password %q (the simulator's demo account); certificate SHA-256 %s\n", panel.SimUser, panel.SimPassword, site.Fingerprint())
		}
		fmt.Fprintf(stderr, "serving %d cameras of %dx%d at %g fps (ready in %s); Ctrl-C to stop\n", *n+*nm+*nr+*np, w, h, *fps, time.Since(start).Round(time.Millisecond))
	}
	ctx, stop := commandContext(*duration)
	defer stop()
	<-ctx.Done()
	return exitOK
}
