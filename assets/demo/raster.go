package demo

import (
	"image"
	"math"
	"slices"
)

// col is a linear-ish 0..255 colour kept in float32 while shading.
type col [3]float32

func (c col) scale(k float32) col { return col{c[0] * k, c[1] * k, c[2] * k} }

func mix(a, b col, t float32) col {
	return col{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

func clamp8(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// layer is a picture plus a depth buffer, so that objects drawn later are hidden behind
// nearer things drawn earlier. The base picture of a scene is painted back to front with
// write set (each shape records its distance); a frame's moving objects are then drawn
// with write unset, tested against the base's depths without changing them, so frames can
// be rendered in parallel from the one shared depth buffer.
type layer struct {
	img   *image.RGBA
	depth []float32
	write bool
	// groundK and horizon give the depth of the ground on row y, groundK/(y+0.5-horizon),
	// for opShadow.
	groundK, horizon float64
}

// op says how a shape's colour combines with the pixels below.
type op int

const (
	opPaint op = iota // blend towards the colour by alpha
	opMul             // multiply by the colour (0..1 per channel), weighted by alpha: tints
	// opShadow is opMul on bare ground only: a pixel is darkened only when nothing nearer
	// than the ground at that row was drawn there, so a shadow never darkens a car.
	opShadow
)

// pt is a point in pixel coordinates.
type pt struct{ x, y float64 }

// shadeFunc returns the colour of a shape at a pixel; nil means the flat colour.
type shadeFunc func(x, y int) col

// span fills row y from xa to xb (pixel edges in float), with fractional coverage at both
// ends so slanted edges do not stair-step.
func (l *layer) span(y int, xa, xb float64, c col, alpha float32, z float32, o op, shade shadeFunc) {
	b := l.img.Rect
	if y < b.Min.Y || y >= b.Max.Y || xb <= xa {
		return
	}
	xa = math.Max(xa, float64(b.Min.X))
	xb = math.Min(xb, float64(b.Max.X))
	if xb <= xa {
		return
	}
	x0 := int(math.Floor(xa))
	x1 := int(math.Ceil(xb)) - 1
	w := b.Dx()
	row := (y - b.Min.Y) * w
	pix := l.img.Pix
	for x := x0; x <= x1; x++ {
		cov := float32(1)
		if x == x0 {
			cov = float32(float64(x0+1) - xa)
		}
		if x == x1 {
			cov = min(cov, float32(xb-float64(x1)))
			if x0 == x1 {
				cov = float32(xb - xa)
			}
		}
		if cov <= 0 {
			continue
		}
		i := row + x - b.Min.X
		if o == opShadow {
			dy := float64(y) + 0.5 - l.horizon
			if dy <= 0 || l.depth[i] < float32(l.groundK/dy)*0.995 {
				continue
			}
		} else if l.depth != nil {
			if z > l.depth[i] {
				continue
			}
			if l.write && cov > 0.5 {
				l.depth[i] = z
			}
		}
		cc := c
		if shade != nil {
			cc = shade(x, y)
		}
		a := alpha * cov
		p := pix[i*4 : i*4+3 : i*4+3]
		switch o {
		case opPaint:
			p[0] = clamp8(float32(p[0]) + (cc[0]-float32(p[0]))*a)
			p[1] = clamp8(float32(p[1]) + (cc[1]-float32(p[1]))*a)
			p[2] = clamp8(float32(p[2]) + (cc[2]-float32(p[2]))*a)
		case opMul, opShadow:
			p[0] = clamp8(float32(p[0]) * (1 + (cc[0]-1)*a))
			p[1] = clamp8(float32(p[1]) * (1 + (cc[1]-1)*a))
			p[2] = clamp8(float32(p[2]) * (1 + (cc[2]-1)*a))
		}
	}
}

// poly fills a polygon (any simple shape; convex ones are the common case) by scanlines
// through pixel centres.
func (l *layer) poly(pts []pt, c col, alpha float32, z float32, o op, shade shadeFunc) {
	if len(pts) < 3 {
		return
	}
	minY, maxY := pts[0].y, pts[0].y
	for _, p := range pts[1:] {
		minY = math.Min(minY, p.y)
		maxY = math.Max(maxY, p.y)
	}
	b := l.img.Rect
	y0 := max(int(math.Ceil(minY-0.5)), b.Min.Y)
	y1 := min(int(math.Floor(maxY-0.5)), b.Max.Y-1)
	var xs [16]float64
	for y := y0; y <= y1; y++ {
		yc := float64(y) + 0.5
		n := 0
		for i := range pts {
			a, e := pts[i], pts[(i+1)%len(pts)]
			if (a.y <= yc && e.y > yc) || (e.y <= yc && a.y > yc) {
				if n < len(xs) {
					xs[n] = a.x + (yc-a.y)*(e.x-a.x)/(e.y-a.y)
					n++
				}
			}
		}
		s := xs[:n]
		slices.Sort(s)
		for i := 0; i+1 < len(s); i += 2 {
			l.span(y, s[i], s[i+1], c, alpha, z, o, shade)
		}
	}
}

// ellipse fills an axis-aligned ellipse.
func (l *layer) ellipse(cx, cy, rx, ry float64, c col, alpha float32, z float32, o op, shade shadeFunc) {
	if rx <= 0 || ry <= 0 {
		return
	}
	b := l.img.Rect
	y0 := max(int(math.Ceil(cy-ry-0.5)), b.Min.Y)
	y1 := min(int(math.Floor(cy+ry-0.5)), b.Max.Y-1)
	for y := y0; y <= y1; y++ {
		t := (float64(y) + 0.5 - cy) / ry
		if t*t >= 1 {
			continue
		}
		dx := rx * math.Sqrt(1-t*t)
		l.span(y, cx-dx, cx+dx, c, alpha, z, o, shade)
	}
}
