package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/ptzhold"
)

func runPTZ(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil ptz", "usage: vigil ptz [--config FILE] TARGET ACTION [N] [--speed S] [--for D]\n\n"+
		"Drives a camera's pan-tilt-zoom head. TARGET is a camera's name in the settings (its ptz block)\n"+
		"or a URL: rcp://user:pass@host[:port]/ (Bosch RCP+ over HTTP), rcps:// (HTTPS), onvif://….\n"+
		"ACTION is one of "+ptzhold.Actions+".\n"+
		"A move without --for keeps moving until `stop`. Exit 0 when the camera accepted every\n"+
		"command, 1 when it refused one or could not be reached, 2 for bad usage.", stderr)
	cfgPath := fs.String("config", "", "settings file (default: your settings, else the built-in ones)")
	speed := fs.Float64("speed", ptzhold.DefaultSpeed, "speed of a move, 0 < S ≤ 1")
	dur := fs.Duration("for", 0, "move this long, then stop (e.g. 2s)")
	verbose := fs.Bool("v", false, "log debug messages")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) < 2 {
		fmt.Fprintln(stderr, "vigil ptz: give a TARGET and an ACTION, e.g. vigil ptz Gate left --for 2s")
		return exitUsage
	}
	action, err := ptzhold.ParseAction(pos[1:], *speed, *dur)
	if err != nil {
		fmt.Fprintln(stderr, "vigil ptz:", err)
		return exitUsage
	}
	cfg, ok := loadSettings("vigil ptz", *cfgPath, stderr)
	if !ok {
		return exitFailed
	}
	level := logLevel(*verbose)
	p, err := panel.OpenPTZ(cfg, pos[0], newLogger(stderr, level))
	if err != nil {
		fmt.Fprintln(stderr, "vigil ptz:", capture.CleanError(err))
		var ue *panel.UsageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitFailed
	}
	defer p.Close()
	ctx, stop := commandContext(*dur + 30*time.Second)
	defer stop()
	res, err := ptzhold.Do(ctx, p, action)
	if err != nil {
		fmt.Fprintf(stderr, "vigil ptz: %s: %v\n", capture.RedactURL(pos[0]), capture.CleanError(err))
		return exitFailed
	}
	switch {
	case res.Info != nil:
		i := res.Info
		fmt.Fprintf(stdout, "name\t%s\nmodel\t%s\nfirmware\t%s\nptz\t%v\npresets\t%d\n", i.Name, i.Model, i.Firmware, i.PTZ, i.Presets)
	case action.Name == "presets":
		if len(res.Presets) == 0 {
			fmt.Fprintln(stdout, "no presets stored")
		}
		for _, pr := range res.Presets {
			fmt.Fprintln(stdout, ptzhold.PresetLine(pr))
		}
	default:
		fmt.Fprintf(stdout, "ok: %s (%d command(s) accepted)\n", action.Name, res.Sent)
	}
	return exitOK
}
