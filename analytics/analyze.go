package analytics

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/cvcap"
)

// Analyzer is what runs on a camera's frames.
type Analyzer interface {
	Frame(f Luma) error
	// Flush ends what is open (the stream or file ended).
	Flush()
}

// FileEvent is an event in a file, with its offsets from the file's first frame.
type FileEvent struct {
	Event
	StartOffset, EndOffset time.Duration
}

// FileOptions say how a file is analysed.
type FileOptions struct {
	// Camera names the events (default: the file's name without its extension).
	Camera string
	// Motion tunes the motion analyzer, the one run when Analyzers is nil.
	Motion MotionOptions
	// Analyzers, when set, makes the analyzers to run instead (a camera's as its settings
	// list them): each reports to sink, named camera. The caller closes what they hold
	// once AnalyzeFile returns.
	Analyzers func(camera string, sink Sink) ([]Analyzer, error)
	// Start is the wall time of the file's first frame (default: the file's
	// modification time minus its length, as a recording's last write ends it; needed
	// with Spans).
	Start time.Time
	// Spans, when set, are the only parts of the file decoded, as offsets from its first
	// frame (motion search: the minutes the motion maps name). Each is read from
	// Warmup before it, so the motion analyzer has its background when it begins; the
	// analyzers start afresh in each.
	Spans []Span
}

// Span is a part of a file, from its first frame.
type Span struct{ From, To time.Duration }

// Warmup is how much of a file before a Span is decoded so that the motion analyzer
// has calibrated (10 frames at 5 fps) when the span begins.
const Warmup = 3 * time.Second

// resetter is an analyzer that can forget what it saw (Motion: its background), for a
// jump in the file.
type resetter interface{ Reset() }

// AnalyzeFile runs the analyzers on a video file (any OpenCV's FFmpeg backend reads: our
// recordings, a clip from a camera's web page) as fast as it decodes, at most MaxFPS
// frames a second of the file's time at most MaxWidth×MaxHeight, and returns its events
// in order of start.
func AnalyzeFile(ctx context.Context, path string, o FileOptions) ([]FileEvent, error) {
	c, err := cvcap.Open("file:"+path, cvcap.Options{})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if o.Camera == "" {
		o.Camera = filepath.Base(path)
		o.Camera = o.Camera[:len(o.Camera)-len(filepath.Ext(o.Camera))]
	}
	// The events are collected on the file's own clock (from the zero time) and moved
	// to wall time when the file's length is known.
	var evs []Event
	sink := SinkFunc(func(e Event) {
		if e.Ended() {
			evs = append(evs, e)
		}
	})
	if o.Analyzers == nil {
		o.Analyzers = func(camera string, sink Sink) ([]Analyzer, error) {
			m, err := NewMotion(camera, o.Motion, sink)
			return []Analyzer{m}, err
		}
	}
	ans, err := o.Analyzers(o.Camera, sink)
	if err != nil {
		return nil, err
	}
	if len(o.Spans) > 0 && o.Start.IsZero() {
		return nil, fmt.Errorf("%s: the wall time of its first frame is needed to analyse parts of it", path)
	}
	var zero time.Time
	var last, first time.Duration = -1, -1
	frames := 0
	// read decodes from the file's position to its offset to (-1: the end).
	read := func(to time.Duration) error {
		for ctx.Err() == nil {
			y, w, h, pos, err := c.NextGray(MaxWidth, MaxHeight)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if first < 0 {
				first = pos
			}
			if to >= 0 && pos-first > to {
				return nil
			}
			if last >= 0 && pos-last < time.Second/MaxFPS-time.Millisecond { // file time only goes forward
				continue
			}
			last = pos
			frames++
			for _, a := range ans {
				if err := a.Frame(Luma{Y: y, Width: w, Height: h, Stride: w, At: zero.Add(pos - first)}); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
			}
		}
		return ctx.Err()
	}
	if len(o.Spans) == 0 {
		if err := read(-1); err != nil {
			return nil, err
		}
	}
	for i, sp := range mergeSpans(o.Spans) {
		if first < 0 { // the first frame's position, which offsets count from
			if _, _, _, pos, err := c.NextGray(MaxWidth, MaxHeight); err == nil {
				first = pos
			}
		}
		if err := c.Seek(max(0, first+sp.From-Warmup)); err != nil {
			return nil, err
		}
		if i > 0 {
			for _, a := range ans {
				a.Flush()
				if r, ok := a.(resetter); ok {
					r.Reset()
				}
			}
		}
		last = -1
		if err := read(sp.To); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if frames == 0 {
		return nil, fmt.Errorf("%s: no frame could be read", path)
	}
	for _, a := range ans {
		a.Flush()
	}
	start := o.Start
	if start.IsZero() {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		start = st.ModTime().Add(-(last - first))
	}
	out := make([]FileEvent, len(evs))
	for i, e := range evs {
		so, eo := e.Start.Sub(zero), e.End.Sub(zero)
		e.Start, e.End = start.Add(so), start.Add(eo)
		out[i] = FileEvent{Event: e, StartOffset: so, EndOffset: eo}
	}
	slices.SortFunc(out, func(a, b FileEvent) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Run analyses a camera's stream until ctx ends: frames from the capture pipeline at
// most MaxWidth×MaxHeight, at most MaxFPS a second, latest wins (a slow analyzer skips
// frames). Watching keeps the camera decoding while its tile is hidden.
func Run(ctx context.Context, s *capture.Stream, analyzers ...Analyzer) error {
	sub := s.Watch(MaxWidth, MaxHeight)
	sub.SetMaxFPS(MaxFPS) // a JPEG camera's other pictures are not even decoded
	defer sub.Close()
	defer func() {
		for _, a := range analyzers {
			a.Flush()
		}
	}()
	var luma Luma
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Ready():
		}
		fr := sub.Take()
		if fr == nil {
			continue
		}
		at := capture.FrameTime(fr.SourceTime, fr.ReceiveTime)
		LumaOf(&luma, fr.Image, at)
		img := fr.Image
		luma.Snapshot = func() []byte {
			var b bytes.Buffer
			if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
				return nil
			}
			return b.Bytes()
		}
		var err error
		for _, a := range analyzers {
			if err = a.Frame(luma); err != nil {
				break
			}
		}
		luma.Snapshot = nil
		fr.Release()
		if err != nil {
			return fmt.Errorf("camera %s: %w", s.Name(), err)
		}
	}
}

// mergeSpans sorts spans and joins those that overlap or lie within Warmup of each
// other (one decode is cheaper than a seek and a new background).
func mergeSpans(spans []Span) []Span {
	out := slices.Clone(spans)
	slices.SortFunc(out, func(a, b Span) int { return cmp.Compare(a.From, b.From) })
	merged := out[:0]
	for _, sp := range out {
		if sp.To <= sp.From {
			continue
		}
		if n := len(merged); n > 0 && sp.From <= merged[n-1].To+Warmup {
			merged[n-1].To = max(merged[n-1].To, sp.To)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}
