// Command vigil is the Vigil CCTV control panel: with no subcommand it opens the camera
// wall; `vigil probe URL` tests one camera; `vigil camsim` serves simulated cameras;
// `vigil bench` measures the pipeline. This file only parses flags and wires packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// Exit codes shared by the subcommands.
const (
	exitOK      = 0
	exitFailed  = 1 // the camera (or the run) failed
	exitUsage   = 2 // bad command line
	versionText = "vigil 0.1.0-dev"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// commands are the subcommands by name; "" is the wall.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"": runWall, "wall": runWall, "probe": runProbe, "camsim": runCamsim, "record": runRecord, "bench": runBench,
	"push": runPush, "analyze": runAnalyze, "ptz": runPTZ, "events": runEvents,
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if f, ok := commands[cmd]; ok {
		return f(args, stdout, stderr)
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, versionText)
		return exitOK
	case "help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "vigil: unknown command %q\n\n", cmd)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  vigil [--config FILE]            open the camera wall (the demo wall when you have no settings)
  vigil probe URL [flags]          test one camera: what answers, auth, codec, size, fps; --snapshot FILE
  vigil record --camera NAME|URL … [--duration 30s] [--out DIR]
                                   record cameras headless to MP4 files until Ctrl-C
                                   (push://HOST:PORT[/NAME]: every pusher that connects)
  vigil push --to HOST:PORT --name NAME --source demo|webcam:N|file:PATH [--fps F]
                                   push frames to a panel's push listener
  vigil ptz [--config F] TARGET ACTION [N] [--speed S] [--for D]
                                   drive a PTZ camera: left right up down zoom-in zoom-out stop,
                                   preset N, store N, presets, info
  vigil camsim --mjpeg N [flags]   serve N simulated MJPEG cameras on 127.0.0.1
  vigil bench [flags]              measure the pipeline against ffmpeg and the TurboJPEG floor
  vigil analyze FILE|URL|CAMERA [--analyzers motion,face,…] [--json]
                                   run the wall's analyzers on a video file or a camera; print events
  vigil events [--since 24h] [--camera X] [--kind K] [--json]
                                   print the analyzers' events from the event store
  vigil version

Run "vigil COMMAND --help" for a command's flags.
`)
}

// command is a subcommand being run: its flags (whose -h prints the synopsis, then the
// flags) and where it reports, every message after its name.
type command struct {
	*flag.FlagSet
	name   string
	stderr io.Writer
	config *string       // --config, for commands that read the settings
	origin config.Origin // where settings came from
}

func newCommand(name, synopsis string, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return &command{FlagSet: fs, name: name, stderr: stderr}
}

// configFlag gives the command --config, with its help text.
func (c *command) configFlag(help string) { c.config = c.String("config", "", help) }

// parse parses flags that may come before or after positional arguments (`vigil probe
// URL --json` as well as `vigil probe --json URL`) and returns the positional ones; ok
// is false on a bad flag (already reported).
func (c *command) parse(args []string) (pos []string, ok bool) {
	for {
		if err := c.Parse(args); err != nil {
			return nil, false
		}
		rest := c.Args()
		if len(rest) == 0 {
			return pos, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// settings loads the settings file (--config; "": the user's, else the demo wall),
// saying what is wrong with them.
func (c *command) settings() (*config.Config, bool) {
	cfg, origin, err := config.Load(*c.config)
	c.origin = origin
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: the settings are not valid:\n%v\n", c.name, err)
		return nil, false
	}
	return cfg, true
}

// create creates the file a flag names, saying so when it cannot.
func (c *command) create(path string) (*os.File, bool) {
	f, err := os.Create(path)
	if err != nil {
		c.fail(0, err)
	}
	return f, err == nil
}

// fail reports a after the command's name and returns code.
func (c *command) fail(code int, a ...any) int {
	fmt.Fprintln(c.stderr, append([]any{c.name + ":"}, a...)...)
	return code
}

// exit reports each line of err and returns its exitCode.
func (c *command) exit(err error) int {
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			c.fail(0, line)
		}
	}
	return exitCode(err)
}

// exitCode is the exit code of a command's outcome: exitOK for nil, exitUsage for a
// *panel.UsageError, else exitFailed.
func exitCode(err error) int {
	var ue *panel.UsageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitFailed
}

// password is *p, else the environment variable env (flags show in ps).
func password(p *string, env string) string {
	if *p == "" {
		return os.Getenv(env)
	}
	return *p
}

// newLogger logs to stderr at the given level, text for people.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// commandContext is a headless command's context: done on Ctrl-C or SIGTERM, or after d
// when d > 0.
func commandContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if d <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}

// logLevel is a headless command's: warnings, or everything with -v.
func logLevel(verbose bool) slog.Level {
	if verbose {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
