// Package demo is the capture.Source of Vigil's built-in demo cameras: demo://<name> URLs
// that emit a pre-encoded loop of JPEG frames at a fixed rate without any network, for
// unit tests, the UI's tests and the simulators. The frames themselves come from
// assets/demo; cmd wires the two together.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Defaults for a demo:// URL without size or fps, and the bounds Parse accepts.
const (
	DefaultWidth  = 1280
	DefaultHeight = 720
	DefaultFPS    = 10
	MaxWidth      = 7680
	MaxHeight     = 4320
	MaxFPS        = 240
	// maxURL and maxName bound what Parse reads.
	maxURL  = 2048
	maxName = 256
)

// ErrSimulatedFailure is wrapped by the error Run returns when FailAfter is reached.
var ErrSimulatedFailure = errors.New("simulated camera failure")

// Source emits a loop of JPEG frames as Packets, over and over, at FPS.
type Source struct {
	// Frames is the loop; each must be a whole JPEG. Packets share these bytes, so
	// nobody may modify them (capture.Packet's Data is read-only for every consumer).
	Frames [][]byte
	// FPS is the emission rate. It defaults to 10 (also when it is not a sane number).
	FPS float64
	// Name is the camera's name, used in errors.
	Name string
	// Width and Height are reported in every Packet. They default to the size in the
	// first frame's JPEG header.
	Width, Height int
	// StallAfter, when positive, stops emitting after that many frames while Run keeps
	// running until cancelled: a camera that stays connected but sends nothing.
	StallAfter int
	// FailAfter, when positive, makes Run return an error wrapping ErrSimulatedFailure
	// after that many frames: a camera that drops the connection.
	FailAfter int
}

// Run reports the stream as connected, then delivers one Packet per tick until ctx is
// cancelled (it returns nil) or FailAfter is reached. It starts no goroutines.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	if len(s.Frames) == 0 {
		return fmt.Errorf("demo camera %q has no frames: %w", s.Name, capture.ErrNotVideo)
	}
	fps := s.FPS
	if !(fps > 0) || fps > MaxFPS*10 {
		fps = DefaultFPS
	}
	w, h := s.Width, s.Height
	if w <= 0 || h <= 0 {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(s.Frames[0]))
		if err != nil {
			return fmt.Errorf("demo camera %q: first frame is not a JPEG (%v): %w", s.Name, err, capture.ErrMalformed)
		}
		w, h = cfg.Width, cfg.Height
	}
	if ctx.Err() != nil {
		return nil
	}
	sink.Connected(capture.StreamInfo{Protocol: "demo", Transport: "none", Auth: "none", Codec: capture.CodecJPEG})

	interval := time.Duration(float64(time.Second) / fps)
	tick := time.NewTicker(max(interval, time.Microsecond))
	defer tick.Stop()
	for sent := 0; ; sent++ {
		if s.FailAfter > 0 && sent >= s.FailAfter {
			return fmt.Errorf("demo camera %q dropped after %d frames: %w", s.Name, sent, ErrSimulatedFailure)
		}
		if s.StallAfter > 0 && sent >= s.StallAfter {
			<-ctx.Done()
			return nil
		}
		now := time.Now()
		sink.Packet(capture.Packet{
			Codec: capture.CodecJPEG, Data: s.Frames[sent%len(s.Frames)], Key: true,
			Width: w, Height: h, SourceTime: now, ReceiveTime: now,
		})
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Parse reads demo://<name>?size=WxH&fps=F. The name is everything between "demo://"
// and "?", percent-decoded, so "demo://Front%20Gate" and "demo://lobby/2" both work.
// size and fps are optional (DefaultWidth×DefaultHeight, DefaultFPS); any other
// parameter is an error, so a typo does not pass silently.
func Parse(rawURL string) (name string, w, h int, fps float64, err error) {
	fail := func(format string, a ...any) (string, int, int, float64, error) {
		return "", 0, 0, 0, fmt.Errorf("demo URL: "+format+" (want demo://<name>?size=1280x720&fps=10)", a...)
	}
	if len(rawURL) > maxURL {
		return fail("longer than %d bytes", maxURL)
	}
	const scheme = "demo://"
	if len(rawURL) < len(scheme) || !strings.EqualFold(rawURL[:len(scheme)], scheme) {
		return fail("%q does not start with demo://", rawURL)
	}
	rest := rawURL[len(scheme):]
	rawName, rawQuery, _ := strings.Cut(rest, "?")
	if i := strings.IndexByte(rawQuery, '#'); i >= 0 {
		rawQuery = rawQuery[:i]
	}
	if i := strings.IndexByte(rawName, '#'); i >= 0 {
		rawName = rawName[:i]
	}
	name, err = url.PathUnescape(strings.TrimSuffix(rawName, "/"))
	if err != nil {
		return fail("bad escape in camera name: %v", err)
	}
	switch {
	case name == "":
		return fail("no camera name")
	case len(name) > maxName:
		return fail("camera name longer than %d bytes", maxName)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fail("control character in camera name")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fail("bad query: %v", err)
	}
	w, h, fps = DefaultWidth, DefaultHeight, DefaultFPS
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "size":
			pw, ph, err := capture.ParseSize(strings.ToLower(v))
			if err != nil || pw < 16 || ph < 16 || pw > MaxWidth || ph > MaxHeight {
				return fail("size %q is not WIDTHxHEIGHT between 16x16 and %dx%d", v, MaxWidth, MaxHeight)
			}
			w, h = pw, ph
		case "fps":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f > 0 && f <= MaxFPS) {
				return fail("fps %q is not a number in (0, %d]", v, MaxFPS)
			}
			fps = f
		default:
			return fail("unknown parameter %q", k)
		}
	}
	return name, w, h, fps, nil
}
