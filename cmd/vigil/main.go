// Command vigil is the Vigil CCTV control panel: with no subcommand it opens the camera
// wall; `vigil probe URL` tests one camera; `vigil camsim` serves simulated cameras;
// `vigil bench` measures the pipeline. This file only parses flags and wires packages.
package main

import (
	"context"
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

func run(args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "wall":
		return runWall(args, stdout, stderr)
	case "probe":
		return runProbe(args, stdout, stderr)
	case "camsim":
		return runCamsim(args, stdout, stderr)
	case "record":
		return runRecord(args, stdout, stderr)
	case "bench":
		return runBench(args, stdout, stderr)
	case "push":
		return runPush(args, stdout, stderr)
	case "analyze":
		return runAnalyze(args, stdout, stderr)
	case "ptz":
		return runPTZ(args, stdout, stderr)
	case "events":
		return runEvents(args, stdout, stderr)
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
  vigil analyze FILE|URL|CAMERA [--json]
                                   run the motion analyzer on a video file or a camera; print events
  vigil events [--since 24h] [--camera X] [--kind K] [--json]
                                   print the analyzers' events from the event store
  vigil version

Run "vigil COMMAND --help" for a command's flags.
`)
}

// newFlags makes a subcommand's flag set whose -h prints synopsis, then the flags.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may come before or after positional arguments
// (`vigil probe URL --json` as well as `vigil probe --json URL`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
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

// loadSettings loads the settings file (path "": the user's, else the demo wall) for a
// headless command, saying what is wrong with them.
func loadSettings(cmd, path string, stderr io.Writer) (*config.Config, bool) {
	cfg, _, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: the settings are not valid:\n%v\n", cmd, err)
		return nil, false
	}
	return cfg, true
}

// logLevel is a headless command's: warnings, or everything with -v.
func logLevel(verbose bool) slog.Level {
	if verbose {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
