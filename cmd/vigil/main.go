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
  vigil camsim --mjpeg N [flags]   serve N simulated MJPEG cameras on 127.0.0.1
  vigil bench [flags]              measure the pipeline against ffmpeg and the TurboJPEG floor
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
