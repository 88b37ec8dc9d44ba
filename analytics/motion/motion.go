// Package motion finds motion in a camera's luma plane, in pure Go: the steps of
// Frigate's improved motion detector (frigate/motion/improved_motion.py) on small
// frames — resize, contrast stretch, blur, difference against a running average,
// threshold, dilate, connected regions above a minimum area — with recalibration on a
// global change (a lighting switch, the IR cut filter, headlights) so that it is not
// reported as motion. Zones (polygons, each with its own threshold and minimum area)
// say where motion counts; masks say where it never does (trees, an on-screen clock).
//
// gocv is kept for cascades and DNN: its background subtractors leak in long runs
// (hybridgroup/gocv #497), and these steps cost little at 100 lines of height.
package motion

import (
	"fmt"
	"math"
	"slices"
)

// Point is a position in the picture, 0…1 from the top-left corner (so zones and masks
// do not depend on the stream's size).
type Point struct{ X, Y float64 }

// Rect is a box in the picture, 0…1 from the top-left corner.
type Rect struct{ X0, Y0, X1, Y1 float64 }

// Zone is a region where motion counts, with its own sensitivity.
type Zone struct {
	Name    string
	Polygon []Point
	// Threshold is the luma difference (1…255) a pixel must change by in this zone
	// (0: the detector's).
	Threshold int
	// MinArea is the fraction of the zone (0…1) that must move for the zone to
	// trigger (0: DefaultZoneMinArea).
	MinArea float64
}

// Config tunes a Detector; the zero value takes Frigate's defaults.
type Config struct {
	// Height is the height frames are resized to before anything else (100).
	Height int
	// Threshold is the luma difference from the running average that makes a pixel
	// changed (30).
	Threshold int
	// MinArea is the smallest connected changed region, in resized pixels, that is
	// motion (10).
	MinArea int
	// Alpha is the weight of a new frame in the running average (0.01).
	Alpha float64
	// Lightning is the fraction of the picture that changing at once is a global change:
	// recalibrate instead of reporting motion (0.8).
	Lightning float64
	// Settle is how many frames a pixel must stay in motion before it is blended into
	// the average (10), so a stopped car becomes background while a passer-by leaves
	// no ghost.
	Settle int
	// Calibration is how many frames after the start or a global change report no motion
	// while the average settles (10).
	Calibration int
	// ContrastFrames is how many frames' percentiles the contrast stretch averages (50).
	ContrastFrames int
	Zones          []Zone
	// Masks are polygons where motion is ignored.
	Masks [][]Point
}

// Defaults of Config.
const (
	DefaultHeight         = 100
	DefaultThreshold      = 30
	DefaultMinArea        = 10
	DefaultAlpha          = 0.01
	DefaultLightning      = 0.8
	DefaultSettle         = 10
	DefaultCalibration    = 10
	DefaultContrastFrames = 50
	DefaultZoneMinArea    = 0.002
	// MaxWidth and MaxHeight bound the frames Detect accepts.
	MaxWidth, MaxHeight = 8192, 8192
	// MaxPolygonPoints bounds a zone's or mask's corners.
	MaxPolygonPoints = 64
)

func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d, lo, hi int, name string) error {
		if *v == 0 {
			*v = d
		}
		if *v < lo || *v > hi {
			return fmt.Errorf("motion %s %d: want %d to %d", name, *v, lo, hi)
		}
		return nil
	}
	deff := func(v *float64, d, lo, hi float64, name string) error {
		if *v == 0 {
			*v = d
		}
		if !(*v >= lo && *v <= hi) {
			return fmt.Errorf("motion %s %g: want %g to %g", name, *v, lo, hi)
		}
		return nil
	}
	for _, err := range []error{
		def(&c.Height, DefaultHeight, 16, 720, "height"),
		def(&c.Threshold, DefaultThreshold, 1, 255, "threshold"),
		def(&c.MinArea, DefaultMinArea, 1, 1<<20, "minimum area"),
		def(&c.Settle, DefaultSettle, 1, 10000, "settle frames"),
		def(&c.Calibration, DefaultCalibration, 1, 10000, "calibration frames"),
		def(&c.ContrastFrames, DefaultContrastFrames, 1, 1000, "contrast frames"),
		deff(&c.Alpha, DefaultAlpha, 0.0001, 1, "alpha"),
		deff(&c.Lightning, DefaultLightning, 0.01, 1, "lightning threshold"),
	} {
		if err != nil {
			return c, err
		}
	}
	check := func(what string, p []Point) error {
		if len(p) < 3 || len(p) > MaxPolygonPoints {
			return fmt.Errorf("%s: a polygon needs 3 to %d points, has %d", what, MaxPolygonPoints, len(p))
		}
		for _, q := range p {
			if !(q.X >= 0 && q.X <= 1 && q.Y >= 0 && q.Y <= 1) {
				return fmt.Errorf("%s: point (%g, %g) is outside the picture (0…1)", what, q.X, q.Y)
			}
		}
		return nil
	}
	c.Zones = slices.Clone(c.Zones)
	for i := range c.Zones {
		z := &c.Zones[i]
		if err := check("zone "+z.Name, z.Polygon); err != nil {
			return c, err
		}
		if z.Threshold < 0 || z.Threshold > 255 {
			return c, fmt.Errorf("zone %s: threshold %d: want 0 to 255", z.Name, z.Threshold)
		}
		if err := deff(&z.MinArea, DefaultZoneMinArea, 0.00001, 1, "zone "+z.Name+" minimum area"); err != nil {
			return c, err
		}
	}
	for i, m := range c.Masks {
		if err := check(fmt.Sprintf("mask %d", i+1), m); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ZoneHit is a zone in which motion was found, with the fraction of it that moved.
type ZoneHit struct {
	Name  string
	Score float64
}

// HeatSize is the side of Result.Heat's grid (Frigate keeps 16×16 per segment).
const HeatSize = 16

// Result is what one frame showed.
type Result struct {
	// Motion is true when a region at least MinArea moved (inside a zone, when the
	// detector has zones).
	Motion bool
	// Score is the fraction of the unmasked picture in moving regions (0…1).
	Score float64
	// Boxes bound the moving regions.
	Boxes []Rect
	// Zones lists the zones that triggered (empty without zones).
	Zones []ZoneHit
	// Calibrating is true while the average settles (at the start, after a global
	// change): nothing is reported then.
	Calibrating bool
	// Recalibrated is true on the frame that a global change restarted calibration.
	Recalibrated bool
	// Heat is the fraction of each cell of a HeatSize×HeatSize grid that moved, ×255:
	// the coarse motion map stored per recorded segment for motion search.
	Heat [HeatSize * HeatSize]uint8
}

// Detector holds a camera's running state. It is for one goroutine.
type Detector struct {
	c Config

	srcW, srcH int // the frame size the buffers were made for
	w, h       int // resized
	small      []uint8
	blurTmp    []uint16
	frame      []uint8
	avg        []float32
	changed    []bool
	grown      []bool
	rowGrown   []bool    // changed, grown along its row (dilate)
	cols       []span    // resize's columns
	persist    []uint16  // frames each pixel has been in motion in a row
	calib      [][]uint8 // the frames of a calibration so far
	mask       []bool    // true: ignored
	zoneMask   [][]int   // per zone, its pixels' indices
	zoneArea   []int
	labels     []int32
	stack      []int32
	unmasked   int
	gain       float32 // the contrast stretch
	rawChanged int     // pixels past the threshold before the light was taken off
	contrast   [][2]float64
	contrastAt int

	frames      int
	calibrating int // frames of calibration left
	moving      int // consecutive frames with motion
}

// New makes a Detector; it fails on a Config out of range.
func New(c Config) (*Detector, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Detector{c: c}, nil
}

// Config is the detector's configuration with its defaults filled in.
func (d *Detector) Config() Config { return d.c }

// Reset forgets the background: the next frames calibrate again (after the camera's PTZ
// moved, or a stream restart).
func (d *Detector) Reset() {
	d.frames = 0
	d.calibrating = 0
	d.moving = 0
	d.contrast = d.contrast[:0]
	d.contrastAt = 0
}

func (d *Detector) setup(w, h int) {
	d.srcW, d.srcH = w, h
	d.h = min(d.c.Height, h)
	d.w = max(1, int(math.Round(float64(w)*float64(d.h)/float64(h))))
	n := d.w * d.h
	d.small = make([]uint8, n)
	d.blurTmp = make([]uint16, n)
	d.frame = make([]uint8, n)
	d.avg = make([]float32, n)
	d.changed = make([]bool, n)
	d.grown = make([]bool, n)
	d.rowGrown = make([]bool, n)
	d.persist = make([]uint16, n)
	d.labels = make([]int32, n)
	d.mask = make([]bool, n)
	for _, m := range d.c.Masks {
		fill(m, d.w, d.h, func(i int) { d.mask[i] = true })
	}
	d.unmasked = 0
	for _, m := range d.mask {
		if !m {
			d.unmasked++
		}
	}
	d.zoneMask = make([][]int, len(d.c.Zones))
	d.zoneArea = make([]int, len(d.c.Zones))
	for zi, z := range d.c.Zones {
		fill(z.Polygon, d.w, d.h, func(i int) {
			if !d.mask[i] {
				d.zoneMask[zi] = append(d.zoneMask[zi], i)
			}
		})
		d.zoneArea[zi] = len(d.zoneMask[zi])
	}
	d.Reset()
}

// Detect looks at one frame's luma plane (w×h, rows stride bytes apart) and says what
// moved since the frames before. A frame of another size than the last starts over.
func (d *Detector) Detect(y []byte, w, h, stride int) (Result, error) {
	if w <= 0 || h <= 0 || w > MaxWidth || h > MaxHeight || stride < w || len(y) < (h-1)*stride+w {
		return Result{}, fmt.Errorf("motion: a %d×%d luma plane with stride %d needs %d bytes, has %d", w, h, stride, (h-1)*stride+w, len(y))
	}
	if w != d.srcW || h != d.srcH {
		d.setup(w, h)
	}
	d.resize(y, w, h, stride)
	d.stretch()
	d.blur()
	var r Result
	if d.frames == 0 {
		d.startCalibration()
	}
	d.frames++
	if d.calibrating > 0 {
		// The background is each pixel's median over the calibration's frames: someone
		// walking through while it calibrates is in too few of them to stay as a ghost.
		d.calib = append(d.calib, slices.Clone(d.frame))
		d.calibrating--
		if d.calibrating == 0 {
			d.settle()
		}
		r.Calibrating = true
		return r, nil
	}
	d.threshold()
	boxes, area := d.regions()
	if d.unmasked > 0 && (float64(area) >= d.c.Lightning*float64(d.unmasked) || float64(d.rawChanged) >= d.c.Lightning*float64(d.unmasked)) {
		// The whole picture changed at once: light, not motion. The stretch starts
		// again from this frame's light.
		d.startCalibration()
		d.contrast, d.contrastAt = d.contrast[:0], 0
		r.Calibrating, r.Recalibrated = true, true
		return r, nil
	}
	if d.unmasked > 0 {
		r.Score = float64(area) / float64(d.unmasked)
	}
	r.Boxes = boxes
	d.heat(&r)
	r.Motion = len(boxes) > 0
	if len(d.c.Zones) > 0 {
		r.Zones = d.zones()
		r.Motion = len(r.Zones) > 0
	}
	if len(boxes) > 0 {
		d.moving++
	} else {
		d.moving = 0
	}
	d.learn()
	return r, nil
}

func (d *Detector) startCalibration() {
	d.calibrating = d.c.Calibration
	d.moving = 0
	d.calib = d.calib[:0]
}

// settle makes the average the per-pixel median of the calibration frames.
func (d *Detector) settle() {
	vals := make([]uint8, len(d.calib))
	for i := range d.avg {
		for k, f := range d.calib {
			vals[k] = f[i]
		}
		slices.Sort(vals)
		d.avg[i] = float32(vals[len(vals)/2])
	}
	for i := range d.persist {
		d.persist[i] = 0
	}
	d.calib = d.calib[:0]
}

// resize averages the source pixels falling in each small pixel (area filter).
func (d *Detector) resize(y []byte, w, h, stride int) {
	// Sample at most 4×4 source pixels per small pixel: enough for an average, and
	// bounded whatever the source size. The columns' spans are the same on every row.
	cols := d.cols[:0]
	for sx := range d.w {
		x0, x1 := sx*w/d.w, max((sx+1)*w/d.w, sx*w/d.w+1)
		cols = append(cols, span{x0, x1, max(1, (x1-x0)/4)})
	}
	d.cols = cols
	for sy := range d.h {
		y0, y1 := sy*h/d.h, max((sy+1)*h/d.h, sy*h/d.h+1)
		stepY := max(1, (y1-y0)/4)
		out := d.small[sy*d.w : (sy+1)*d.w]
		for sx, c := range cols {
			sum, n := 0, 0
			for yy := y0; yy < y1; yy += stepY {
				row := y[yy*stride+c.from : yy*stride+c.to]
				for xx := 0; xx < len(row); xx += c.step {
					sum += int(row[xx])
					n++
				}
			}
			out[sx] = uint8(sum / n)
		}
	}
}

// span is a small pixel's source columns, from…to (exclusive), sampled every step.
type span struct{ from, to, step int }

// stretch works out the gain that maps the 4th…96th percentile of the last frames to
// 0…255, so a dim or washed-out picture gets the same threshold as a crisp one. The
// pixels and the average stay as captured and differences are scaled by the gain: a
// change of the stretch then scales every difference alike instead of shifting the
// picture against its average.
func (d *Detector) stretch() {
	// The stretch describes the background: it learns only from frames without motion
	// (a bright coat would otherwise brighten or darken the whole picture and move every
	// pixel past the threshold).
	if d.moving == 0 || d.calibrating > 0 || len(d.contrast) == 0 {
		var hist [256]int
		n := 0
		for i, v := range d.small {
			if !d.mask[i] {
				hist[v]++
				n++
			}
		}
		lo, hi := percentile(&hist, n, 0.04), percentile(&hist, n, 0.96)
		if len(d.contrast) < d.c.ContrastFrames {
			d.contrast = append(d.contrast, [2]float64{lo, hi})
		} else {
			d.contrast[d.contrastAt] = [2]float64{lo, hi}
			d.contrastAt = (d.contrastAt + 1) % d.c.ContrastFrames
		}
	}
	var sl, sh float64
	for _, c := range d.contrast {
		sl, sh = sl+c[0], sh+c[1]
	}
	span := (sh - sl) / float64(len(d.contrast))
	// A flat picture (a wall, a night scene) is stretched at most four times: more would
	// make its sensor noise motion.
	span = max(span, 64)
	d.gain = float32(255 / span)
}

func percentile(hist *[256]int, n int, p float64) float64 {
	want := int(p * float64(n))
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > want {
			return float64(v)
		}
	}
	return 255
}

// blur is a 3×3 binomial (1 2 1) filter, separable, into d.frame.
func (d *Detector) blur() {
	w, h := d.w, d.h
	at := func(x, lo, hi int) int { return min(max(x, lo), hi) }
	for y := range h {
		row := d.small[y*w : y*w+w]
		for x := range w {
			d.blurTmp[y*w+x] = uint16(row[at(x-1, 0, w-1)]) + 2*uint16(row[x]) + uint16(row[at(x+1, 0, w-1)])
		}
	}
	for y := range h {
		up, down := at(y-1, 0, h-1)*w, at(y+1, 0, h-1)*w
		for x := range w {
			s := uint32(d.blurTmp[up+x]) + 2*uint32(d.blurTmp[y*w+x]) + uint32(d.blurTmp[down+x])
			d.frame[y*w+x] = uint8((s + 8) / 16)
		}
	}
}

// learn blends the frame into the average where nothing moves, and where something has
// stood still in motion for Settle frames (a parked car becomes background); a person
// walking through is never blended in, so leaves no ghost along the path.
func (d *Detector) learn() {
	a := float32(d.c.Alpha)
	for i, v := range d.frame {
		if d.grown[i] {
			if d.persist[i] < math.MaxUint16 {
				d.persist[i]++
			}
			if int(d.persist[i]) < d.c.Settle {
				continue
			}
		} else {
			d.persist[i] = 0
		}
		d.avg[i] += a * (float32(v) - d.avg[i])
	}
}

// fitLight refits the light, frame ≈ scale·average + off, by least squares over the
// unmasked pixels within `within` of the light as it stands. Too few of them, or a picture too
// flat to tell a scale from an offset, keep what it was given; the scale stays within
// 1/4…4.
func (d *Detector) fitLight(scale, off, within float32) (float32, float32) {
	var n, sx, sy, sxx, sxy float64
	for i, v := range d.frame {
		if d.mask[i] {
			continue
		}
		x, y := float64(d.avg[i]), float64(v)
		if r := float32(y) - scale*float32(x) - off; r > within || -r > within {
			continue
		}
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	if n < float64(d.unmasked)/2 {
		return scale, off
	}
	vx := sxx/n - (sx/n)*(sx/n)
	if vx < 25 { // a spread of less than 5 levels
		return scale, off
	}
	a := (sxy/n - (sx/n)*(sy/n)) / vx
	if a < 0.25 || a > 4 {
		return scale, off
	}
	return float32(a), float32(sy/n - a*sx/n)
}

// threshold marks the pixels that differ from the average, then dilates them (3×3).
func (d *Detector) threshold() {
	t := float32(d.c.Threshold) / d.gain
	// A change of light moves every pixel alike: a lamp or a cloud adds the same to each
	// (the median difference), the IR switch or headlights' glare also scale the contrast.
	// The light is taken as a straight line from the average to the frame, fitted over the
	// pixels that are not moving, so a person, who covers a small part of the picture,
	// still is motion.
	var hist [511]int
	n := 0
	d.rawChanged = 0
	for i, v := range d.frame {
		if !d.mask[i] {
			diff := float32(v) - d.avg[i]
			hist[int(diff+255.5)]++
			n++
			if diff > t || -diff > t {
				d.rawChanged++
			}
		}
	}
	off := float32(0)
	for v, acc := 0, 0; v < len(hist); v++ {
		if acc += hist[v]; acc*2 > n {
			off = float32(v - 255)
			break
		}
	}
	// The first fit takes every pixel; the next ones only those it explains, so what
	// moves does not bend the line.
	scale := float32(1)
	for round := range 4 {
		within := t
		if round == 0 {
			within = math.MaxFloat32
		}
		s, o := d.fitLight(scale, off, within)
		done := math.Abs(float64(s-scale)) < 0.005
		scale, off = s, o
		if done {
			break
		}
	}
	// A stretched difference is at most 255, as in the stretched picture: a threshold of
	// 255 is never passed.
	if d.c.Threshold >= 255 {
		t = math.MaxFloat32
	}
	for i, v := range d.frame {
		lit := scale*d.avg[i] + off
		diff := float32(v) - lit
		d.changed[i] = !d.mask[i] && (diff > t || -diff > t)
		// The background follows the light at once; what moved follows slowly (blend).
		d.avg[i] = lit
	}
	for zi, z := range d.c.Zones {
		if z.Threshold == 0 || z.Threshold == d.c.Threshold {
			continue
		}
		zt := float32(z.Threshold) / d.gain
		if z.Threshold >= 255 {
			zt = math.MaxFloat32
		}
		for _, i := range d.zoneMask[zi] {
			diff := float32(d.frame[i]) - d.avg[i] // the light is already in the average
			d.changed[i] = diff > zt || -diff > zt
		}
	}
	d.dilate()
}

// dilate grows the changed pixels by one in every direction (a 3×3 square) into
// d.grown, leaving out the masked ones: a row pass then a column pass.
func (d *Detector) dilate() {
	w, h := d.w, d.h
	for y := range h {
		row, out := d.changed[y*w:(y+1)*w], d.rowGrown[y*w:(y+1)*w]
		for x := range w {
			out[x] = row[x] || (x > 0 && row[x-1]) || (x+1 < w && row[x+1])
		}
	}
	for i, g := range d.rowGrown {
		d.grown[i] = (g || (i >= w && d.rowGrown[i-w]) || (i+w < len(d.rowGrown) && d.rowGrown[i+w])) && !d.mask[i]
	}
}

// regions labels the 8-connected regions of grown pixels, keeps those of at least
// MinArea pixels (clearing the others from d.grown) and returns their boxes and their
// area in all.
func (d *Detector) regions() ([]Rect, int) {
	w, h := d.w, d.h
	for i := range d.labels {
		d.labels[i] = 0
	}
	var boxes []Rect
	total := 0
	var label int32
	for start, g := range d.grown {
		if !g || d.labels[start] != 0 {
			continue
		}
		label++
		d.labels[start] = label
		d.stack = append(d.stack[:0], int32(start))
		x0, y0, x1, y1 := w, h, -1, -1
		var members []int32
		for len(d.stack) > 0 {
			i := int(d.stack[len(d.stack)-1])
			d.stack = d.stack[:len(d.stack)-1]
			members = append(members, int32(i))
			x, y := i%w, i/w
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					j := yy*w + xx
					if d.grown[j] && d.labels[j] == 0 {
						d.labels[j] = label
						d.stack = append(d.stack, int32(j))
					}
				}
			}
		}
		if len(members) < d.c.MinArea {
			for _, i := range members {
				d.grown[i] = false
			}
			continue
		}
		total += len(members)
		boxes = append(boxes, Rect{X0: float64(x0) / float64(w), Y0: float64(y0) / float64(h),
			X1: float64(x1+1) / float64(w), Y1: float64(y1+1) / float64(h)})
	}
	return boxes, total
}

func (d *Detector) zones() []ZoneHit {
	var hits []ZoneHit
	for zi, z := range d.c.Zones {
		if d.zoneArea[zi] == 0 {
			continue
		}
		n := 0
		for _, i := range d.zoneMask[zi] {
			if d.grown[i] {
				n++
			}
		}
		score := float64(n) / float64(d.zoneArea[zi])
		if n > 0 && score >= z.MinArea {
			hits = append(hits, ZoneHit{Name: z.Name, Score: score})
		}
	}
	return hits
}

func (d *Detector) heat(r *Result) {
	var moved, all [HeatSize * HeatSize]int
	for i, g := range d.grown {
		x, y := i%d.w, i/d.w
		c := (y*HeatSize/d.h)*HeatSize + x*HeatSize/d.w
		all[c]++
		if g {
			moved[c]++
		}
	}
	for c := range r.Heat {
		if all[c] > 0 {
			r.Heat[c] = uint8((moved[c]*255 + all[c] - 1) / all[c])
		}
	}
}

// fill calls set for every pixel of a w×h grid whose centre lies inside the polygon
// (even-odd rule), the polygon in 0…1 coordinates.
func fill(poly []Point, w, h int, set func(i int)) {
	for y := range h {
		cy := (float64(y) + 0.5) / float64(h)
		for x := range w {
			cx := (float64(x) + 0.5) / float64(w)
			if inside(poly, cx, cy) {
				set(y*w + x)
			}
		}
	}
}

func inside(poly []Point, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > y) != (b.Y > y) && x < (b.X-a.X)*(y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}
