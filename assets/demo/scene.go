package demo

import (
	"image"
	"math"
	"runtime"
	"sync"
)

// A scene is a car park beside a street, seen from a pole-mounted camera: sky, a row of
// buildings with window grids, a grass verge with trees, pavements, a two-lane road and
// parking bays, all textured with value noise in world coordinates so that detail shrinks
// with distance as it does through a real lens. Cars drive along the road and people walk
// the pavements. The static part is rendered once (base, with a depth buffer); each frame
// copies it and adds the moving objects, sensor noise and the on-screen display.

// view is the pinhole camera: world coordinates are u (along the street, metres), v (away
// from the camera, metres) and Y (up); camera coordinates are X (right), Z (forward).
type view struct {
	w, h    int
	focal   float64 // pixels
	camH    float64 // camera height above ground, metres
	horizon float64 // screen row of the horizon
	cx      float64 // screen column of the optical axis
	cos     float64 // yaw of the street relative to the image plane
	sin     float64
	u0      float64 // world u under the camera
}

// toCam turns world ground coordinates into camera coordinates.
func (v *view) toCam(u, vv float64) (x, z float64) {
	u -= v.u0
	return v.cos*u - v.sin*vv, v.sin*u + v.cos*vv
}

// toWorld is the inverse of toCam.
func (v *view) toWorld(x, z float64) (u, vv float64) {
	return v.cos*x + v.sin*z + v.u0, -v.sin*x + v.cos*z
}

// project maps a world point to the screen and returns its camera depth.
func (v *view) project(u, vv, y float64) (pt, float64) {
	x, z := v.toCam(u, vv)
	if z < 0.5 {
		z = 0.5
	}
	return pt{v.cx + x*v.focal/z, v.horizon + (v.camH-y)*v.focal/z}, z
}

// uRange returns the world u seen at the left and right image edges along the line v = vv
// on the ground.
func (v *view) uRange(vv float64) (float64, float64) {
	at := func(col float64) float64 {
		a := (col - v.cx) / v.focal // X = a Z on that screen column
		z := vv / (v.cos - a*v.sin)
		u, _ := v.toWorld(a*z, z)
		return u
	}
	l, r := at(0), at(float64(v.w))
	if l > r {
		l, r = r, l
	}
	return l, r
}

// building is one facade in the row at the back of the scene.
type building struct {
	u0, u1, height float64
	wall, trim     col
	floorH, winW   float64
	winH, winSpace float64
	seed           uint32
}

// mover is something that moves: a car along the road or a person on a pavement.
type mover struct {
	car          bool
	u, v, speed  float64 // position at t=0 and speed along u (m/s, signed)
	body, detail col
	phase        float64
	from, to     float64 // when set (to > 0), only in the picture between these seconds
}

// scene is everything about one camera's picture that does not change between frames.
type scene struct {
	view
	seed       uint32
	base       *image.RGBA
	depth      []float32
	sun        [3]float64 // direction towards the sun, world (u, v, Y)
	light      col        // overall tint and brightness
	sky0, sky1 col
	asphalt    col
	roadCol    col
	paving     col
	grass      col
	vBack      float64 // facade plane
	vGrass     float64 // grass verge starts
	vWalk2     float64 // far pavement starts
	vRoad1     float64 // road, near edge
	vRoad2     float64 // road, far edge
	vWalk1     float64 // near pavement starts
	buildings  []building
	movers     []mover
	aisle      float64 // the quiet scene's walker's aisle (v), 0 for other scenes
	noiseAmp   float32
}

// lit returns the brightness factor for a surface with normal n.
func (s *scene) lit(n [3]float64) float32 {
	d := n[0]*s.sun[0] + n[1]*s.sun[1] + n[2]*s.sun[2]
	return float32(0.62 + 0.5*math.Max(0, d))
}

func pick(r *rng, cs ...col) col { return cs[r.intn(len(cs))] }

func jitter(r *rng, c col, k float32) col {
	return col{
		c[0] * (1 + k*float32(r.rangef(-1, 1))),
		c[1] * (1 + k*float32(r.rangef(-1, 1))),
		c[2] * (1 + k*float32(r.rangef(-1, 1))),
	}
}

// newScene lays out and renders the static part of a scene for a w×h picture.
func newScene(seed uint64, w, h int, loopSeconds float64, quiet bool) *scene {
	r := newRNG(seed)
	s := &scene{seed: uint32(seed ^ seed>>32)}
	s.w, s.h = w, h
	s.focal = float64(w) * r.rangef(0.8, 1.15)
	s.camH = r.rangef(6.5, 10)
	s.horizon = float64(h) * r.rangef(0.05, 0.2)
	s.cx = float64(w) * r.rangef(0.45, 0.55)
	yaw := r.rangef(-0.3, 0.3)
	s.cos, s.sin = math.Cos(yaw), math.Sin(yaw)
	s.u0 = r.rangef(-500, 500)

	az := r.rangef(0, 2*math.Pi)
	el := r.rangef(0.4, 1.0)
	s.sun = [3]float64{math.Cos(az) * math.Cos(el), math.Sin(az) * math.Cos(el), math.Sin(el)}
	warm := float32(r.rangef(-0.08, 0.1))
	bright := float32(r.rangef(0.85, 1.1))
	s.light = col{bright * (1 + warm), bright, bright * (1 - warm)}
	s.sky0 = jitter(r, col{120, 160, 215}, 0.08)
	s.sky1 = jitter(r, col{200, 215, 230}, 0.05)
	s.asphalt = jitter(r, col{92, 92, 96}, 0.06)
	s.roadCol = jitter(r, col{72, 72, 76}, 0.06)
	s.paving = jitter(r, pick(r, col{165, 160, 150}, col{150, 140, 135}, col{175, 170, 165}), 0.05)
	s.grass = jitter(r, pick(r, col{70, 110, 45}, col{85, 115, 50}, col{95, 110, 60}), 0.08)
	s.noiseAmp = float32(r.rangef(1.4, 2.0))

	// Bands of the ground, from the front of the picture away from the camera.
	zFront := s.camH * s.focal / (float64(h) - s.horizon)
	s.vWalk1 = zFront + r.rangef(14, 24)
	s.vRoad1 = s.vWalk1 + r.rangef(2.5, 4)
	s.vRoad2 = s.vRoad1 + r.rangef(6.5, 8)
	s.vWalk2 = s.vRoad2 + r.rangef(2.5, 4)
	s.vGrass = s.vWalk2 + r.rangef(1, 3)
	s.vBack = s.vGrass + r.rangef(3, 8)

	// The row of buildings along the facade plane, wide enough for any yaw.
	ul, ur := s.uRange(s.vBack)
	for u := ul - 20; u < ur+20; {
		bw := r.rangef(8, 30)
		b := building{
			u0: u, u1: u + bw, height: r.rangef(7, 30),
			wall: jitter(r, pick(r, col{150, 145, 135}, col{140, 80, 60}, col{190, 180, 160},
				col{110, 115, 120}, col{170, 130, 95}, col{200, 200, 195}), 0.08),
			floorH: r.rangef(2.9, 3.6), winW: r.rangef(0.9, 1.8), winSpace: r.rangef(2.2, 3.6),
			seed: uint32(r.next()),
		}
		b.winH = b.floorH * r.rangef(0.35, 0.6)
		b.trim = b.wall.scale(float32(r.rangef(0.6, 0.85)))
		s.buildings = append(s.buildings, b)
		u += bw + r.rangef(0, 1.5)*float64(r.intn(2))
	}

	s.base = image.NewRGBA(image.Rect(0, 0, w, h))
	s.depth = make([]float32, w*h)
	s.renderBackground()
	if quiet {
		s.aisle = s.quietAisle()
	}
	l := s.layer(s.base, true)
	s.renderProps(l, r)
	if quiet {
		s.placeWalker()
	} else {
		s.placeMovers(r, loopSeconds)
	}
	return s
}

func (s *scene) layer(img *image.RGBA, write bool) *layer {
	return &layer{img: img, depth: s.depth, write: write, groundK: s.camH * s.focal, horizon: s.horizon}
}

// parallelRows runs fn over bands of rows on every CPU.
func parallelRows(h int, fn func(y0, y1 int)) {
	n := min(runtime.GOMAXPROCS(0), h)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		y0, y1 := h*i/n, h*(i+1)/n
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(y0, y1)
		}()
	}
	wg.Wait()
}

// renderBackground ray-casts every pixel against the ground plane and the facade plane
// and shades what it hits: sky, building, or one of the ground's materials.
func (s *scene) renderBackground() {
	parallelRows(s.h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			dy := (s.horizon - (float64(y) + 0.5)) / s.focal
			for x := 0; x < s.w; x++ {
				dx := (float64(x) + 0.5 - s.cx) / s.focal
				var c col
				depth := float32(math.Inf(1))
				ground := false
				var gu, gv, gz float64
				if dy < 0 {
					gz = s.camH / -dy
					gu, gv = s.toWorld(dx*gz, gz)
					ground = gv < s.vBack
				}
				switch {
				case ground:
					c = s.shadeGround(gu, gv, gz)
					depth = float32(gz)
				default:
					// Facade plane v = vBack: solve -sin*X + cos*Z = vBack with X = dx*Z.
					den := s.cos - s.sin*dx
					hit := false
					if den > 0 {
						z := s.vBack / den
						fy := s.camH + dy*z
						fu, _ := s.toWorld(dx*z, z)
						if b := s.buildingAt(fu); b != nil && fy >= 0 && fy < b.height {
							c = s.shadeFacade(b, fu, fy, s.focal/z)
							depth = float32(z)
							hit = true
						}
					}
					if !hit {
						c = s.shadeSky(x, y)
					}
				}
				// Lens vignette.
				nx := (float64(x) - float64(s.w)/2) / float64(s.w)
				ny := (float64(y) - float64(s.h)/2) / float64(s.h)
				vig := float32(1 - 0.35*(nx*nx+ny*ny))
				c = col{c[0] * s.light[0] * vig, c[1] * s.light[1] * vig, c[2] * s.light[2] * vig}
				i := y*s.w + x
				p := s.base.Pix[i*4 : i*4+4 : i*4+4]
				p[0], p[1], p[2], p[3] = clamp8(c[0]), clamp8(c[1]), clamp8(c[2]), 255
				s.depth[i] = depth
			}
		}
	})
}

func (s *scene) buildingAt(u float64) *building {
	for i := range s.buildings {
		if b := &s.buildings[i]; u >= b.u0 && u < b.u1 {
			return b
		}
	}
	return nil
}

func (s *scene) shadeSky(x, y int) col {
	t := float32(y) / float32(max(1, int(s.horizon)+s.h/4))
	c := mix(s.sky0, s.sky1, min(1, t))
	fx, fy := float32(x)/float32(s.w), float32(y)/float32(s.h)
	cl := fbm(fx*4, fy*9, 5, s.seed+11)
	if cl > 0.5 {
		c = mix(c, col{238, 238, 240}, min(1, (cl-0.5)*3))
	}
	return c
}

// detail is the weight of a texture of freq cycles per metre on a surface seen at pxPerM
// pixels per metre: full while a cycle spans several pixels, fading to none as it nears
// one pixel, as a lens and sensor would blur it (and instead of aliasing into glitter).
func detail(pxPerM, freq float64) float32 {
	return float32(math.Max(0, math.Min(1, (pxPerM/freq-1.5)/2.5)))
}

func (s *scene) shadeFacade(b *building, u, y, pxPerM float64) col {
	lu := u - b.u0
	c := b.wall
	// Wall texture: stains and render, plus fine grain.
	n := fbm(float32(lu)*0.7, float32(y)*0.7, 3, b.seed)
	g := 0.5 + (vnoise(float32(lu)*25, float32(y)*25, b.seed+3)-0.5)*detail(pxPerM, 25)
	c = c.scale(0.8 + 0.35*n + 0.1*(g-0.5))
	if b.height-y < 0.5 || lu < 0.25 || b.u1-u < 0.25 {
		return b.trim.scale(0.9 + 0.2*g)
	}
	floor := int(y / b.floorH)
	fy := y - float64(floor)*b.floorH
	col0 := int((lu - 0.6) / b.winSpace)
	fx := lu - 0.6 - float64(col0)*b.winSpace
	if lu > 0.6 && b.u1-u > 0.6+b.winW && fx < b.winW && fy > b.floorH*0.3 && fy < b.floorH*0.3+b.winH {
		// A window: dark glass with a sky reflection, frames, the odd lit or curtained one.
		wr := unit2(int32(col0), int32(floor), b.seed)
		if fx < 0.07 || b.winW-fx < 0.07 || fy-b.floorH*0.3 < 0.07 || b.floorH*0.3+b.winH-fy < 0.07 {
			return col{200, 200, 195}.scale(0.8 + 0.2*g)
		}
		refl := float32(fy-b.floorH*0.3) / float32(b.winH)
		glass := mix(col{40, 50, 62}, col{110, 125, 140}, refl*0.8)
		switch {
		case wr < 0.12:
			glass = col{200, 180, 120}
		case wr < 0.3:
			glass = mix(glass, col{170, 160, 150}, 0.6)
		}
		return glass.scale(0.92 + 0.16*g)
	}
	if fy < 0.18 && floor > 0 {
		return b.trim.scale(0.95 + 0.1*g)
	}
	return c
}

func (s *scene) shadeGround(u, v, z float64) col {
	fu, fv := float32(u), float32(v)
	// Coarse patches and fine grain common to every surface; the grain fades with distance
	// where a pixel covers more than a grain.
	patch := fbm(fu*0.25, fv*0.25, 3, s.seed+21)
	grainAmp := detail(s.focal/z, 22)
	grain := (vnoise(fu*22, fv*22, s.seed+22) - 0.5) * grainAmp
	var c col
	switch {
	case v >= s.vGrass:
		n := fbm(fu*3, fv*3, 3, s.seed+23)
		blade := vnoise(fu*30, fv*15, s.seed+24) - 0.5
		c = s.grass.scale(0.7 + 0.5*n + 0.35*blade*detail(s.focal/z, 30))
		if n > 0.62 {
			c = mix(c, col{110, 95, 60}, (n-0.62)*2)
		}
		return c
	case v >= s.vWalk2 || (v >= s.vWalk1 && v < s.vRoad1):
		// Paving slabs with dark joints and one shade per slab.
		const slab = 0.6
		iu, iv := floorInt(fu/slab), floorInt(fv/slab)
		ju, jv := fu/slab-float32(iu), fv/slab-float32(iv)
		k := 0.88 + 0.2*unit2(iu, iv, s.seed+25)
		c = s.paving.scale(k * (0.9 + 0.2*patch))
		if ju < 0.05 || jv < 0.05 {
			c = c.scale(0.6)
		}
		// Kerb stones along the road.
		if (v >= s.vRoad2 && v < s.vRoad2+0.25) || (v >= s.vRoad1-0.25 && v < s.vRoad1) {
			c = col{190, 188, 182}.scale(0.9 + 0.1*patch)
		}
		return c.scale(1 + grain*0.2)
	case v >= s.vRoad1 && v < s.vRoad2:
		c = s.roadCol.scale(0.8 + 0.35*patch + 0.14*grain)
		mid := (s.vRoad1 + s.vRoad2) / 2
		if (math.Abs(v-mid) < 0.07 && math.Mod(math.Abs(u), 9) < 3) ||
			(v-s.vRoad1 > 0.3 && v-s.vRoad1 < 0.42) || (s.vRoad2-v > 0.3 && s.vRoad2-v < 0.42) {
			c = mix(c, col{225, 225, 215}, 0.75+0.25*grain)
		}
		return c
	}
	// Car park: rows of bays 5 m deep, back to back, with 6 m aisles between.
	c = s.asphalt.scale(0.82 + 0.3*patch + 0.12*grain)
	if st := fbm(fu*0.9, fv*0.9, 2, s.seed+26); st > 0.68 {
		c = c.scale(1 - (st-0.68)*1.5) // oil stains
	}
	d := s.vWalk1 - v
	m := math.Mod(d, 16)
	line := false
	if m < 10 && m > 0 {
		if math.Abs(m-5) < 0.06 || m < 0.06 || m > 9.94 {
			line = true // bay ends
		}
		if math.Mod(math.Abs(u), 2.5) < 0.1 && m > 0.5 && m < 9.5 {
			line = true // bay sides
		}
	}
	if line {
		c = mix(c, col{215, 212, 195}, 0.7+0.3*grain)
	}
	return c
}

// nearZ is the camera depth of the nearest corner of a ground rectangle.
func (s *scene) nearZ(u0, u1, v0, v1 float64) float64 {
	zmin := math.Inf(1)
	for _, u := range [2]float64{u0, u1} {
		for _, v := range [2]float64{v0, v1} {
			_, z := s.project(u, v, 0)
			zmin = math.Min(zmin, z)
		}
	}
	return zmin
}

// box draws an axis-aligned world box with simple sun shading, hiding back faces. z is
// the depth the whole box is tested and recorded at: one depth per object, so that the
// parts of one object (drawn in order) are given decreasing depths by the caller.
func (s *scene) box(l *layer, u0, u1, v0, v1, y0, y1 float64, top, side col, z float32) {
	cu, cv, cy := s.u0, 0.0, s.camH
	face := func(c col, n [3]float64, a, b, cc, d [3]float64) {
		p := [4]pt{}
		for i, q := range [4][3]float64{a, b, cc, d} {
			p[i], _ = s.project(q[0], q[1], q[2])
		}
		l.poly(p[:], c.scale(s.lit(n)), 1, z, opPaint, nil)
	}
	if cy > y1 {
		face(top, [3]float64{0, 0, 1}, [3]float64{u0, v0, y1}, [3]float64{u1, v0, y1}, [3]float64{u1, v1, y1}, [3]float64{u0, v1, y1})
	}
	if cv < v0 {
		face(side, [3]float64{0, -1, 0}, [3]float64{u0, v0, y0}, [3]float64{u1, v0, y0}, [3]float64{u1, v0, y1}, [3]float64{u0, v0, y1})
	}
	if cu < u0 {
		face(side, [3]float64{-1, 0, 0}, [3]float64{u0, v0, y0}, [3]float64{u0, v1, y0}, [3]float64{u0, v1, y1}, [3]float64{u0, v0, y1})
	}
	if cu > u1 {
		face(side, [3]float64{1, 0, 0}, [3]float64{u1, v0, y0}, [3]float64{u1, v1, y0}, [3]float64{u1, v1, y1}, [3]float64{u1, v0, y1})
	}
}

// shadow darkens a ground quad under an object.
func (s *scene) shadow(l *layer, u0, u1, v0, v1 float64, strength float32) {
	// Cast away from the sun a little.
	du, dv := -s.sun[0]*0.6, -s.sun[1]*0.6
	var p [4]pt
	for i, q := range [4][2]float64{{u0, v0}, {u1, v0}, {u1, v1}, {u0, v1}} {
		p[i], _ = s.project(q[0]+du, q[1]+dv, 0)
	}
	k := 1 - strength
	l.poly(p[:], col{k, k, k}, 1, 0, opShadow, nil)
}

// car draws a car of length along u (heading +u or -u) with its centre at (u, v).
func (s *scene) car(l *layer, u, v float64, body, glass col, alongU bool) {
	lu, lv := 4.4, 1.8
	if !alongU {
		lu, lv = lv, lu
	}
	s.shadow(l, u-lu/2-0.2, u+lu/2+0.2, v-lv/2-0.2, v+lv/2+0.2, 0.55)
	// Wheels, lower body, cabin, each drawn over the one before.
	z := float32(s.nearZ(u-lu/2, u+lu/2, v-lv/2, v+lv/2))
	wh := col{25, 25, 25}
	for _, f := range [2]float64{-0.32, 0.32} {
		if alongU {
			s.box(l, u+f*lu-0.35, u+f*lu+0.35, v-lv/2+0.02, v+lv/2-0.02, 0, 0.62, wh, wh, z)
		} else {
			s.box(l, u-lu/2+0.02, u+lu/2-0.02, v+f*lv-0.35, v+f*lv+0.35, 0, 0.62, wh, wh, z)
		}
	}
	s.box(l, u-lu/2, u+lu/2, v-lv/2, v+lv/2, 0.3, 0.85, body, body.scale(0.9), z-0.01)
	if alongU {
		s.box(l, u-lu/2+0.9, u+lu/2-1.1, v-lv/2+0.12, v+lv/2-0.12, 0.85, 1.42, body.scale(1.05), glass, z-0.02)
	} else {
		s.box(l, u-lu/2+0.12, u+lu/2-0.12, v-lv/2+1.1, v+lv/2-0.9, 0.85, 1.42, body.scale(1.05), glass, z-0.02)
	}
}

// person draws a pedestrian standing at (u, v); phase swings the legs.
func (s *scene) person(l *layer, u, v float64, coat, trousers col, skin col, phase float64) {
	s.shadow(l, u-0.25, u+0.25, v-0.2, v+0.2, 0.45)
	_, z := s.project(u, v, 0)
	zf := float32(z - 0.2)
	sw := 0.28 * math.Sin(phase)
	for i, d := range [2]float64{sw, -sw} {
		du := -0.09 + 0.18*float64(i)
		hip, _ := s.project(u+du, v, 0.9)
		foot, _ := s.project(u+du+d, v, 0)
		w := 0.07 * s.focal / z
		l.poly([]pt{{hip.x - w, hip.y}, {hip.x + w, hip.y}, {foot.x + w, foot.y}, {foot.x - w, foot.y}}, trousers, 1, zf, opPaint, nil)
	}
	sh0, _ := s.project(u-0.22, v, 1.45)
	sh1, _ := s.project(u+0.22, v, 1.45)
	hp0, _ := s.project(u-0.18, v, 0.85)
	hp1, _ := s.project(u+0.18, v, 0.85)
	l.poly([]pt{sh0, sh1, hp1, hp0}, coat, 1, zf, opPaint, nil)
	head, _ := s.project(u, v, 1.6)
	r := 0.12 * s.focal / z
	l.ellipse(head.x, head.y, r, r*1.15, skin, 1, zf, opPaint, nil)
}

// tree draws a trunk and a noisy round crown.
func (s *scene) tree(l *layer, u, v, height, radius float64, leaf col, seed uint32) {
	s.shadow(l, u-radius, u+radius, v-radius*0.6, v+radius*0.6, 0.35)
	s.box(l, u-0.15, u+0.15, v-0.15, v+0.15, 0, height-radius, col{80, 62, 45}, col{70, 55, 40}, float32(s.nearZ(u-0.15, u+0.15, v-0.15, v+0.15)))
	c, z := s.project(u, v, height-radius*0.9)
	pr := radius * s.focal / z
	fs := float32(4 / pr)
	shade := func(x, y int) col {
		fx, fy := float32(float64(x)-c.x), float32(float64(y)-c.y)
		n := fbm(fx*fs, fy*fs, 4, seed)
		g := vnoise(fx*0.6, fy*0.6, seed+1)
		k := 0.55 + 0.7*n + 0.25*(g-0.5) - 0.25*fy/float32(pr)
		return leaf.scale(k)
	}
	l.ellipse(c.x, c.y, pr, pr*0.95, leaf, 1, float32(z-radius), opPaint, shade)
}

// renderProps adds the static objects, back to front: trees, lamp posts, parked cars.
func (s *scene) renderProps(l *layer, r *rng) {
	ul, ur := s.uRange(s.vGrass)
	for u := ul - 5 + r.rangef(0, 8); u < ur+5; u += r.rangef(7, 16) {
		leaf := jitter(r, pick(r, col{60, 95, 40}, col{75, 100, 45}, col{50, 80, 45}), 0.1)
		s.tree(l, u, (s.vGrass+s.vBack)/2+r.rangef(-0.5, 0.5), r.rangef(5, 9), r.rangef(1.8, 3), leaf, uint32(r.next()))
	}
	ul, ur = s.uRange(s.vRoad2 + 0.6)
	for u := ul + r.rangef(0, 20); u < ur+5; u += r.rangef(22, 30) {
		v := s.vRoad2 + 0.6
		z := float32(s.nearZ(u-0.08, u+0.08, v-0.08, v+0.08))
		s.box(l, u-0.08, u+0.08, v-0.08, v+0.08, 0, 7, col{90, 95, 100}, col{80, 85, 90}, z)
		s.box(l, u-0.6, u+0.2, v-0.15, v+0.15, 6.9, 7.1, col{100, 100, 105}, col{150, 150, 140}, z-0.01)
	}
	// Parked cars, farthest rows first.
	colors := []col{{200, 200, 205}, {30, 30, 35}, {140, 20, 25}, {40, 60, 120}, {150, 150, 155}, {220, 220, 215}, {60, 70, 60}, {180, 150, 90}}
	var rows []float64
	for d := 0.0; s.vWalk1-d-10 > 0; d += 16 {
		rows = append(rows, s.vWalk1-d-2.5, s.vWalk1-d-7.5)
	}
	for _, rv := range rows {
		if rv < 5 || s.aisle > 0 && rv < s.aisle && s.aisle-rv < 9 {
			continue // the quiet scene keeps the row in front of its walker empty
		}
		ul, ur := s.uRange(rv)
		k0 := int(math.Floor(ul/2.5)) - 1
		k1 := int(math.Ceil(ur/2.5)) + 1
		for k := k0; k <= k1; k++ {
			if r.float() < 0.45 {
				continue
			}
			c := jitter(r, pick(r, colors...), 0.05)
			s.car(l, float64(k)*2.5+1.25+r.rangef(-0.15, 0.15), rv+r.rangef(-0.2, 0.2), c, col{35, 40, 48}, false)
		}
	}
}

// placeMovers picks the cars and people that move during the loop.
func (s *scene) placeMovers(r *rng, loop float64) {
	cols := []col{{190, 190, 195}, {25, 25, 30}, {160, 30, 30}, {30, 70, 140}, {230, 230, 225}, {90, 90, 95}}
	nCars := 2 + r.intn(3)
	for i := 0; i < nCars; i++ {
		dir := 1.0
		v := s.vRoad1 + (s.vRoad2-s.vRoad1)*0.27
		if i%2 == 1 {
			dir, v = -1, s.vRoad1+(s.vRoad2-s.vRoad1)*0.73
		}
		ul, ur := s.uRange(v)
		speed := dir * r.rangef(7, 13)
		mid := r.rangef(ul+(ur-ul)*0.15, ur-(ur-ul)*0.15)
		s.movers = append(s.movers, mover{car: true, u: mid - speed*loop/2, v: v, speed: speed,
			body: jitter(r, pick(r, cols...), 0.05), detail: col{35, 40, 48}})
	}
	coats := []col{{40, 45, 60}, {150, 30, 35}, {200, 180, 60}, {30, 30, 30}, {90, 110, 70}, {220, 220, 220}}
	nPeople := 2 + r.intn(4)
	for i := 0; i < nPeople; i++ {
		var v float64
		switch r.intn(3) {
		case 0:
			v = r.rangef(s.vWalk2+0.5, s.vGrass-0.3)
		case 1:
			v = r.rangef(s.vWalk1+0.3, s.vRoad1-0.5)
		default:
			v = s.vWalk1 - 16*float64(r.intn(2)) - r.rangef(10.5, 15.5) // an aisle
		}
		if v < 4 {
			v = s.vWalk1 + 1
		}
		ul, ur := s.uRange(v)
		speed := r.rangef(1.1, 1.8)
		if r.intn(2) == 0 {
			speed = -speed
		}
		mid := r.rangef(ul+(ur-ul)*0.1, ur-(ur-ul)*0.1)
		s.movers = append(s.movers, mover{u: mid - speed*loop/2, v: v, speed: speed,
			body: jitter(r, pick(r, coats...), 0.1), detail: jitter(r, col{45, 50, 70}, 0.2), phase: r.rangef(0, 6)})
	}
}

// placeWalker is the quiet scene's one person, in a high-visibility coat, along the car
// park's nearest aisle: its middle at one edge of the picture at QuietWalkFrom and at the
// other at QuietWalkTo (before and after, it is not drawn).
func (s *scene) placeWalker() {
	v := s.aisle
	ul, ur := s.uRange(v)
	speed := (ur - ul) / (QuietWalkTo - QuietWalkFrom)
	s.movers = append(s.movers, mover{u: ul - speed*QuietWalkFrom, v: v, speed: speed,
		body: col{235, 205, 40}, detail: col{45, 50, 70}, from: QuietWalkFrom, to: QuietWalkTo})
}

// quietAisle is the car park's aisle nearest the camera (between pairs of rows of
// parked cars, renderProps), where the quiet scene's walker walks.
func (s *scene) quietAisle() float64 {
	zFront := s.camH * s.focal / (float64(s.h) - s.horizon)
	v := s.vWalk1 - 13
	for v-16 > zFront+3 {
		v -= 16
	}
	return v
}

// renderFrame composes frame i at time t (seconds into the loop) into dst: the base,
// the movers, and sensor noise. The OSD is added by the caller.
func (s *scene) renderFrame(dst *image.RGBA, t float64, frameSeed uint64) {
	copy(dst.Pix, s.base.Pix)
	l := s.layer(dst, false)
	// Farthest first so nearer movers cover farther ones.
	order := make([]int, len(s.movers))
	for i := range order {
		order[i] = i
	}
	for a := 1; a < len(order); a++ {
		for b := a; b > 0 && s.movers[order[b]].v > s.movers[order[b-1]].v; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	for _, i := range order {
		m := &s.movers[i]
		if m.to > 0 && (t < m.from || t >= m.to) {
			continue
		}
		u := m.u + m.speed*t
		if m.car {
			s.car(l, u, m.v, m.body.scale(s.light[1]), m.detail, true)
			continue
		}
		skin := col{200, 160, 130}.scale(float32(0.6 + 0.4*math.Abs(math.Sin(m.phase*7))))
		s.person(l, u, m.v, m.body, m.detail, skin, m.phase+t*math.Abs(m.speed)*5)
	}
	addSensorNoise(dst, s.noiseAmp, frameSeed)
}

// addSensorNoise adds luminance noise with a triangular distribution, as every real
// sensor does, so consecutive frames of a still scene still differ.
func addSensorNoise(img *image.RGBA, amp float32, seed uint64) {
	var tab [256]int16
	for b := range tab {
		n := float32(b&15) + float32(b>>4) - 15 // -15..15, triangular, sigma ~ 6.5
		tab[b] = int16(n * amp / 6.5)
	}
	pix := img.Pix
	parallelRows(img.Rect.Dy(), func(y0, y1 int) {
		r := newRNG(seed ^ uint64(y0)*0x9e3779b97f4a7c15)
		var bits uint64
		left := 0
		stride := img.Stride
		for y := y0; y < y1; y++ {
			row := pix[y*stride : y*stride+img.Rect.Dx()*4]
			for i := 0; i+3 < len(row); i += 4 {
				if left == 0 {
					bits, left = r.next(), 8
				}
				d := tab[bits&255]
				bits >>= 8
				left--
				for c := 0; c < 3; c++ {
					v := int16(row[i+c]) + d
					if v < 0 {
						v = 0
					} else if v > 255 {
						v = 255
					}
					row[i+c] = uint8(v)
				}
			}
		}
	})
}
