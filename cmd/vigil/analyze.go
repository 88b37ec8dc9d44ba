package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// analyzerNames are the analyzers `vigil analyze --analyzers` knows.
var analyzerNames = []string{"motion"} // the detectors run on the wall (analyzers: in the settings)

func runAnalyze(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil analyze", "usage: vigil analyze FILE|URL|CAMERA [--analyzers motion] [--json] [--duration 30s]\n\n"+
		"Runs the analyzers the wall runs on a video file (as fast as it decodes) or on a live\n"+
		"camera (a URL, or a camera's name from the settings, for --duration) and prints each\n"+
		"event when it ends. Exit code 0 when the input was analysed, 1 when it could not be\n"+
		"read, 2 for bad usage.", stderr)
	cfgPath := fs.String("config", "", "settings file, for camera names (default: your settings)")
	names := fs.String("analyzers", "motion", "analyzers to run, comma-separated: "+strings.Join(analyzerNames, ", "))
	asJSON := fs.Bool("json", false, "print one JSON object per event: camera, kind, zone, score, start, end (RFC 3339), and start_offset_s, end_offset_s for a file")
	duration := fs.Duration("duration", 30*time.Second, "how long to watch a live camera (0: until interrupted)")
	user := fs.String("user", "", "user name of a camera given by URL (or put user:pass@ in the URL)")
	password := fs.String("password", "", "password of a camera given by URL (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "vigil analyze: give one video file, stream URL or camera name")
		return exitUsage
	}
	for _, n := range strings.Split(*names, ",") {
		if !slices.Contains(analyzerNames, strings.TrimSpace(n)) {
			fmt.Fprintf(stderr, "vigil analyze: unknown analyzer %q (this build has: %s)\n", n, strings.Join(analyzerNames, ", "))
			return exitUsage
		}
	}
	if *password == "" {
		*password = os.Getenv("VIGIL_PASSWORD")
	}
	var mu sync.Mutex
	print := func(e analytics.Event, offsets ...time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if *asJSON {
			end := e.End.UTC().Format(rfc3339Milli)
			j := eventJSON{Camera: e.Camera, Kind: e.Kind, Zone: e.Zone, Score: round3(e.Peak),
				Start: e.Start.UTC().Format(rfc3339Milli), End: &end, Snapshot: len(e.Snapshot) > 0}
			if len(offsets) == 2 {
				so, eo := round3(offsets[0].Seconds()), round3(offsets[1].Seconds())
				j.StartOffset, j.EndOffset = &so, &eo
			}
			b, _ := json.Marshal(j)
			fmt.Fprintln(stdout, string(b))
			return
		}
		zone := e.Zone
		if zone == "" {
			zone = "-"
		}
		at := ""
		if len(offsets) == 2 {
			at = fmt.Sprintf("  (%.1f s to %.1f s into the file)", offsets[0].Seconds(), offsets[1].Seconds())
		}
		fmt.Fprintf(stdout, "%s  %-16s %-8s zone %-10s score %.3f  %s%s\n", e.Start.Local().Format("2006-01-02 15:04:05.0"),
			e.Camera, e.Kind, zone, e.Peak, e.End.Sub(e.Start).Round(100*time.Millisecond), at)
	}

	target := rest[0]
	ctx, stop := commandContext(0)
	defer stop()
	if st, err := os.Stat(target); err == nil && !st.IsDir() {
		evs, err := analytics.AnalyzeFile(ctx, target, analytics.FileOptions{})
		if err != nil {
			fmt.Fprintln(stderr, "vigil analyze:", err)
			return exitFailed
		}
		for _, e := range evs {
			print(e.Event, e.StartOffset, e.EndOffset)
		}
		if !*asJSON {
			fmt.Fprintf(stderr, "%d events\n", len(evs))
		}
		return exitOK
	}
	cfg, ok := loadSettings("vigil analyze", *cfgPath, stderr)
	if !ok {
		return exitFailed
	}
	log := newLogger(stderr, slog.LevelWarn)
	streams, closeAll, err := panel.RecordStreams(cfg, []string{target}, *user, *password, log)
	if err != nil {
		fmt.Fprintln(stderr, "vigil analyze:", err)
		return exitUsage
	}
	defer closeAll()
	s := streams[0]
	n := 0
	m, err := analytics.NewMotion(s.Name(), analytics.MotionOptions{}, analytics.SinkFunc(func(e analytics.Event) {
		if e.Ended() {
			n++
			print(e)
		}
	}))
	if err != nil {
		fmt.Fprintln(stderr, "vigil analyze:", err)
		return exitUsage
	}
	wctx, wstop := commandContext(*duration)
	defer wstop()
	if err := analytics.Run(wctx, s, m); err != nil {
		fmt.Fprintln(stderr, "vigil analyze:", err)
		return exitFailed
	}
	if st := s.Status(); n == 0 && st.Err != nil {
		fmt.Fprintf(stderr, "vigil analyze: %s: %v\n", s.Name(), st.Err)
		return exitFailed
	}
	if !*asJSON {
		fmt.Fprintf(stderr, "%d events\n", n)
	}
	return exitOK
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
