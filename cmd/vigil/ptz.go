package main

import (
	"fmt"
	"io"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/ptzhold"
)

func runPTZ(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil ptz", "usage: vigil ptz [--config FILE] TARGET ACTION [N] [--speed S] [--for D]\n\n"+
		"Drives a camera's pan-tilt-zoom head. TARGET is a camera's name in the settings (its ptz block)\n"+
		"or a URL: rcp://user:pass@host[:port]/ (Bosch RCP+ over HTTP), rcps:// (HTTPS), onvif://….\n"+
		"ACTION is one of "+ptzhold.Actions+".\n"+
		"A move without --for keeps moving until `stop`. Exit 0 when the camera accepted every\n"+
		"command, 1 when it refused one or could not be reached, 2 for bad usage.", stderr)
	c.configFlag("settings file (default: your settings, else the built-in ones)")
	speed := c.Float64("speed", ptzhold.DefaultSpeed, "speed of a move, 0 < S ≤ 1")
	dur := c.Duration("for", 0, "move this long, then stop (e.g. 2s)")
	verbose := c.Bool("v", false, "log debug messages")
	pos, ok := c.parse(args)
	if !ok {
		return exitUsage
	}
	if len(pos) < 2 {
		return c.fail(exitUsage, "give a TARGET and an ACTION, e.g. vigil ptz Gate left --for 2s")
	}
	action, err := ptzhold.ParseAction(pos[1:], *speed, *dur)
	if err != nil {
		return c.fail(exitUsage, err)
	}
	cfg, ok := c.settings()
	if !ok {
		return exitFailed
	}
	p, err := panel.OpenPTZ(cfg, pos[0], newLogger(stderr, logLevel(*verbose)))
	if err != nil {
		return c.fail(exitCode(err), capture.CleanError(err))
	}
	defer p.Close()
	ctx, stop := commandContext(*dur + 30*time.Second)
	defer stop()
	res, err := ptzhold.Do(ctx, p, action)
	if err != nil {
		return c.fail(exitFailed, capture.RedactURL(pos[0])+":", capture.CleanError(err))
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
