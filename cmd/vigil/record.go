package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// cameraList collects repeated --camera flags.
type cameraList []string

func (c *cameraList) String() string     { return strings.Join(*c, ",") }
func (c *cameraList) Set(v string) error { *c = append(*c, v); return nil }

// recordRequest is what `vigil record` was asked to do.
type recordRequest = panel.RecordRequest

func runRecord(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil record", recordUsage, stderr)
	c.configFlag("settings file (default: your settings, else the built-in demo wall)")
	var cams cameraList
	c.Var(&cams, "camera", "a camera's name from the settings, or a stream URL (repeat for several)")
	duration := c.Duration("duration", 0, "stop this long after the recordings start (default: until interrupted)")
	out := c.String("out", "", "recordings folder (default: recording.root from the settings)")
	user := c.String("user", "", "user name of cameras given by URL (or put user:pass@ in the URL)")
	pass := c.String("password", "", "password of cameras given by URL (prefer the VIGIL_PASSWORD environment variable: flags show in ps)")
	giveUp := c.Duration("give-up", 30*time.Second, "stop waiting for a camera that has recorded nothing after this long (0: keep retrying)")
	verbose := c.Bool("v", false, "log debug messages")
	pos, ok := c.parse(args)
	switch {
	case !ok:
		return exitUsage
	case len(cams) == 0 || len(pos) > 0:
		return c.fail(exitUsage, "name at least one --camera (a camera from the settings, or a URL)")
	case *duration < 0 || *giveUp < 0:
		return c.fail(exitUsage, "--duration and --give-up take a time that is not negative, e.g. 30s")
	}
	cfg, ok := c.settings()
	if !ok {
		return exitFailed
	}
	ctx, stop := commandContext(0) // the duration counts from when the recordings start
	defer stop()
	req := recordRequest{Cameras: cams, Out: *out, User: *user, Password: password(pass, "VIGIL_PASSWORD"), GiveUp: *giveUp, Duration: *duration}
	_, err := record(ctx, cfg, req, newLogger(stderr, logLevel(*verbose)), stdout)
	return c.exit(err)
}

// record is panel.Record with its outcome as an exit code: exitUsage for a request that
// names nothing to record, exitFailed when a camera recorded nothing (err says why).
func record(ctx context.Context, cfg *config.Config, req recordRequest, log *slog.Logger, stdout io.Writer) (int, error) {
	err := panel.Record(ctx, cfg, req, log, stdout)
	return exitCode(err), err
}

// recordUsage is `vigil record -h`.
const recordUsage = `usage: vigil record [--config FILE] --camera NAME|URL … [--duration 30s] [--out DIR]

Records cameras headless, each to its own MP4 files, until the duration ends, Ctrl-C, or
every recording has stopped (the disk's free-space floor, a write error); every file is
closed cleanly either way and listed. Exit code 0 when every camera recorded something,
1 when one recorded nothing (each such camera is named with its last error), 2 for bad usage.`
