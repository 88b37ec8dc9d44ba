// Package cvcap captures pictures from a webcam or a video file through OpenCV's
// VideoCapture (gocv, the product's choice for webcam and file capture) and hands them
// out as JPEG, paced at a frame rate: what `vigil push` sends. It is a cgo corner, like
// the decoders: without cgo, Open says so (nocgo.go).
package cvcap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Options say how pictures are taken and encoded.
type Options struct {
	// FPS paces Next (0: the file's own rate, or DefaultFPS for a webcam).
	FPS float64
	// Quality is the JPEG quality 1…100 (0: DefaultQuality).
	Quality int
	// Loop starts a file again at its end instead of returning io.EOF.
	Loop bool
	// Width and Height scale every picture (0: as captured; one of them 0 keeps the
	// aspect ratio).
	Width, Height int
}

// Defaults of Options.
const (
	DefaultFPS     = 15
	DefaultQuality = 80
	// MaxFPS bounds a rate a file may claim (a broken header says 90000).
	MaxFPS = 120
)

// ErrNoCgo is returned by Open in a build without cgo.
var ErrNoCgo = errors.New("this vigil was built without cgo, so without OpenCV: webcam and file capture need `make build`")

// spec is a parsed source: "webcam:N" or "file:PATH".
type spec struct {
	webcam bool
	device int
	path   string
}

func parseSpec(s string) (spec, error) {
	kind, arg, ok := strings.Cut(s, ":")
	switch {
	case ok && kind == "webcam":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n > 63 {
			return spec{}, fmt.Errorf("webcam %q: want a device number such as webcam:0 (/dev/video0)", arg)
		}
		return spec{webcam: true, device: n}, nil
	case ok && kind == "file" && arg != "":
		return spec{path: arg}, nil
	}
	return spec{}, fmt.Errorf("source %q: want webcam:N or file:PATH", s)
}

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Quality == 0:
		o.Quality = DefaultQuality
	case o.Quality < 1 || o.Quality > 100:
		return o, fmt.Errorf("JPEG quality %d: want 1 to 100", o.Quality)
	}
	if o.FPS < 0 || o.FPS > MaxFPS || o.FPS != o.FPS {
		return o, fmt.Errorf("frame rate %g: want more than 0 and at most %d", o.FPS, MaxFPS)
	}
	if o.Width < 0 || o.Height < 0 || o.Width > 8192 || o.Height > 8192 {
		return o, fmt.Errorf("size %dx%d: want 0 to 8192 each", o.Width, o.Height)
	}
	return o, nil
}

// scaled is the size a w×h picture is scaled to under o (w, h when o asks none).
func (o Options) scaled(w, h int) (int, int) {
	switch {
	case w <= 0 || h <= 0 || (o.Width == 0 && o.Height == 0):
		return w, h
	case o.Width == 0:
		return max(1, w*o.Height/h), o.Height
	case o.Height == 0:
		return o.Width, max(1, h*o.Width/w)
	}
	return o.Width, o.Height
}

// pacer hands out the times of a steady frame rate, never bunching frames after a stall.
type pacer struct {
	period time.Duration
	next   time.Time
}

// wait sleeps until the next frame is due.
func (p *pacer) wait() {
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > p.period {
		p.next = now
	}
	time.Sleep(time.Until(p.next))
	p.next = p.next.Add(p.period)
}
