package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/vigil-cctv/vigil/internal/panel"
)

func runPush(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil push", pushUsage, stderr)
	to := c.String("to", "", "the panel's push listener, HOST:PORT")
	name := c.String("name", "", "the camera's name on the panel: 1–64 of letters, digits, '.', '_', '-'")
	source := c.String("source", "demo", "what to push: demo (the demo pictures), webcam:N or file:PATH")
	fps := c.Float64("fps", 0, "frames per second (default: a file's own rate, 15 for a webcam, 10 for demo)")
	loop := c.Bool("loop", false, "start a file again at its end (default: stop there)")
	quality := c.Int("quality", 80, "JPEG quality of a webcam or file (1–100)")
	token := c.String("token", "", "the listener's token (prefer the VIGIL_PUSH_TOKEN environment variable: flags show in ps)")
	duration := c.Duration("duration", 0, "stop after this long (default: until interrupted)")
	pos, ok := c.parse(args)
	switch {
	case !ok:
		return exitUsage
	case *to == "" || *name == "" || len(pos) > 0:
		return c.fail(exitUsage, "give --to HOST:PORT and --name NAME")
	case *fps < 0 || *fps > 120 || *quality < 1 || *quality > 100 || *duration < 0:
		return c.fail(exitUsage, "--fps takes 0 < F ≤ 120, --quality 1 to 100, --duration a time that is not negative")
	}
	ctx, stop := commandContext(*duration)
	defer stop()
	var mu sync.Mutex
	err := panel.Push(ctx, panel.PushRequest{To: *to, Name: *name, Token: password(token, "VIGIL_PUSH_TOKEN"), Source: *source, FPS: *fps, Quality: *quality, Loop: *loop,
		Report: func(msg string) { mu.Lock(); fmt.Fprintln(stderr, "vigil push:", msg); mu.Unlock() }})
	if err != nil && !errors.Is(err, context.Canceled) {
		return c.fail(exitFailed, err)
	}
	return exitOK
}

// pushUsage is `vigil push -h`.
const pushUsage = `usage: vigil push --to HOST:PORT --name NAME --source webcam:N|file:PATH|demo [--fps F] [--quality Q] [--loop] [--token T] [--duration D]

Pushes frames to a Vigil panel's push listener (settings: push: [{listen: HOST:PORT}]) over one TCP
connection: the demo pictures, or a webcam or video file read and JPEG-encoded through OpenCV.
The panel shows it as a camera named NAME while it is connected. When the panel goes away it
says so here and reconnects with backoff. A file ends the push at its end unless --loop.`
