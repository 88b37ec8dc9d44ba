package milestonetest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"time"
)

// Gap is a span of time with no recording (a camera that was off, motion-only
// recording), [From, To).
type Gap struct {
	From, To time.Time
}

// recording is the simulated database of one recorder: a frame every interval from
// start, up to a fixed last frame or, when growing, up to now; none inside a gap.
// Frames are numbered from 0 at start; the picture of frame i is the camera's frame
// i mod len(frames).
type recording struct {
	start    time.Time
	interval time.Duration
	frames   int  // fixed database size (when !growing)
	growing  bool // the database ends at now and keeps growing
	gaps     []Gap
	now      func() time.Time
}

func (d *recording) time(i int) time.Time { return d.start.Add(time.Duration(i) * d.interval) }

// last is the index of the newest frame, -1 when none exists yet.
func (d *recording) last() int {
	if !d.growing {
		return d.frames - 1
	}
	n := d.now().Sub(d.start)
	if n < 0 {
		return -1
	}
	return int(n / d.interval)
}

// gapAt returns the gap holding t.
func (d *recording) gapAt(t time.Time) (Gap, bool) {
	for _, g := range d.gaps {
		if !t.Before(g.From) && t.Before(g.To) {
			return g, true
		}
	}
	return Gap{}, false
}

// atOrBefore is the newest frame recorded at or before t, false when none.
func (d *recording) atOrBefore(t time.Time) (int, bool) {
	if t.Before(d.start) {
		return 0, false
	}
	i := min(int(t.Sub(d.start)/d.interval), d.last())
	for range len(d.gaps) + 1 {
		if i < 0 {
			return 0, false
		}
		g, in := d.gapAt(d.time(i))
		if !in {
			return i, true
		}
		// the last frame before the gap: strictly before g.From
		i = int((g.From.Sub(d.start) - 1) / d.interval)
		if g.From.Sub(d.start) <= 0 {
			return 0, false
		}
	}
	return 0, false
}

// after is the frame following i, false at the end of the database.
func (d *recording) after(i int) (int, bool) { return d.firstAtOrAfter(d.time(i + 1)) }

// before is the frame preceding i, false at the start of the database.
func (d *recording) before(i int) (int, bool) {
	if i <= 0 {
		return 0, false
	}
	return d.atOrBefore(d.time(i - 1))
}

// firstAtOrAfter is the oldest frame at or after t, false when none (yet).
func (d *recording) firstAtOrAfter(t time.Time) (int, bool) {
	if t.Before(d.start) {
		t = d.start
	}
	j := ceilDiv(t.Sub(d.start), d.interval)
	for range len(d.gaps) + 1 {
		if j > d.last() {
			return 0, false
		}
		g, in := d.gapAt(d.time(j))
		if !in {
			return j, true
		}
		j = ceilDiv(g.To.Sub(d.start), d.interval)
	}
	return 0, false
}

// spans is what the database holds, oldest first: [start, end) minus the gaps, where
// end is the end of the last frame (its time plus an interval) or, growing, now. None
// before the first frame.
func (d *recording) spans() []Gap {
	last := d.last()
	if last < 0 {
		return nil
	}
	end := d.time(last).Add(d.interval)
	if d.growing {
		end = d.now()
	}
	out := []Gap{{From: d.start, To: end}}
	for _, g := range d.gaps {
		var next []Gap
		for _, s := range out {
			if !g.From.Before(s.To) || !g.To.After(s.From) {
				next = append(next, s)
				continue
			}
			if g.From.After(s.From) {
				next = append(next, Gap{From: s.From, To: g.From})
			}
			if g.To.Before(s.To) {
				next = append(next, Gap{From: g.To, To: s.To})
			}
		}
		out = next
	}
	return out
}

func ceilDiv(a, b time.Duration) int {
	n := int(a / b)
	if time.Duration(n)*b < a {
		n++
	}
	return n
}

// The stamp font: 3×5 pixel digits and separators, one row per string, '#' set.
var stampGlyphs = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", ".#.", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'-': {"...", "...", "###", "...", "..."},
	':': {"...", ".#.", "...", ".#.", "..."},
	'.': {"...", "...", "...", "...", ".#."},
	' ': {"...", "...", "...", "...", "..."},
}

// stamp burns text into the bottom-left corner of a JPEG (white on black, scaled to
// the picture) and re-encodes it: the recorded time a person can read in a playback
// tile. It returns src unchanged if src does not decode.
func stamp(src []byte, text string) []byte {
	img, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		return src
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	px := max(1, b.Dy()/120) // one font pixel
	w, h := (len(text)*4+1)*px, 7*px
	x0, y0 := px*2, b.Dy()-h-px*2
	if x0+w > b.Dx() || y0 < 0 {
		return src
	}
	draw.Draw(dst, image.Rect(x0, y0, x0+w, y0+h), image.NewUniform(color.Black), image.Point{}, draw.Src)
	white := image.NewUniform(color.White)
	for k, r := range text {
		g, ok := stampGlyphs[r]
		if !ok {
			continue
		}
		for row, line := range g {
			for col, c := range line {
				if c != '#' {
					continue
				}
				x := x0 + px + (k*4+col)*px
				y := y0 + px + row*px
				draw.Draw(dst, image.Rect(x, y, x+px, y+px), white, image.Point{}, draw.Src)
			}
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 75}); err != nil {
		return src
	}
	return out.Bytes()
}

// withComment inserts a JPEG COM segment holding text right after SOI: a cheap mark
// that tells recorded frames apart without decoding.
func withComment(src []byte, text string) []byte {
	if len(src) < 2 || src[0] != 0xFF || src[1] != 0xD8 || len(text) > 60000 {
		return src
	}
	n := len(text) + 2
	out := make([]byte, 0, len(src)+4+len(text))
	out = append(out, 0xFF, 0xD8, 0xFF, 0xFE, byte(n>>8), byte(n))
	out = append(out, text...)
	return append(out, src[2:]...)
}
