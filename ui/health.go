package ui

import (
	"fmt"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// The health overlay: a translucent panel at a tile's bottom-left with what an engineer
// asks first when a picture looks wrong. It is refreshed by the tile's 1 s status tick on
// the UI goroutine (no goroutine of its own) from capture.Stream.Stats and the tile's
// own count of drawn pictures.

// healthLines are the overlay's lines for a stream's stats and the tile's drawn rate.
// Figures that are not known yet show "—": a latency from a source whose clock is not
// plausible (capture.StatsSnapshot.LatencyOK) would mislead.
func healthLines(s capture.StatsSnapshot, drawnFPS float64) []string {
	dash := "—"
	size := func(w, h int) string {
		if w <= 0 || h <= 0 {
			return dash
		}
		return fmt.Sprintf("%d×%d", w, h)
	}
	codec := dash
	if s.Codec != "" {
		codec = string(s.Codec)
	}
	lat := dash
	if s.LatencyOK {
		lat = fmt.Sprintf("%s / %s", ms(s.LatencyP50), ms(s.LatencyP99))
	}
	return []string{
		fmt.Sprintf("fps %.1f in · %.1f drawn", s.FPSIn, drawnFPS),
		"bitrate " + bitrate(s.BitrateKbps),
		fmt.Sprintf("size %s → %s", size(s.Width, s.Height), size(s.DecodeW, s.DecodeH)),
		"codec " + codec,
		"latency p50/p99 " + lat,
		fmt.Sprintf("drops %d", s.Drops),
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
}

func bitrate(kbps float64) string {
	if kbps >= 1000 {
		return fmt.Sprintf("%.1f Mbit/s", kbps/1000)
	}
	return fmt.Sprintf("%.0f kbit/s", kbps)
}

// drawnRate turns two readings of Drawn into pictures drawn per second.
type drawnRate struct {
	at    time.Time
	drawn uint64
	fps   float64
}

// sample records a reading and returns the rate since the previous one (0 for the
// first, or after a gap of under 100 ms, which would be noise).
func (r *drawnRate) sample(now time.Time, drawn uint64) float64 {
	if !r.at.IsZero() {
		if dt := now.Sub(r.at); dt >= 100*time.Millisecond {
			r.fps = float64(drawn-r.drawn) / dt.Seconds()
		} else {
			return r.fps
		}
	}
	r.at, r.drawn = now, drawn
	return r.fps
}
