package jpegdec

// The downscaler finishes what DCT scaling cannot: libjpeg-turbo scales by M/8, so a
// 1920×1080 frame asked into 640×360 is decoded at 3/8 (720×405) and averaged down here.
// It is a separable area average (each output pixel is the mean of the source area it covers,
// edge pixels weighted by their overlap) in 14-bit fixed point: sharper than bilinear at
// ratios near 1, free of aliasing at large ratios, and allocation-free once its tables match
// the sizes in use.

const (
	fracBits = 14
	fracOne  = 1 << fracBits
	fracHalf = fracOne / 2
)

// axis holds the weights that map src samples to dst samples along one direction.
type axis struct {
	src, dst int
	// taps is the number of weights per output sample; short windows are padded with zeros.
	taps int
	// start[i] is the first source sample output i reads; start[i]+taps <= src.
	start []int
	// weight[i*taps+k] weighs source sample start[i]+k; each output's weights sum to fracOne.
	weight []uint32
}

func (a *axis) build(src, dst int) {
	if a.src == src && a.dst == dst && a.start != nil {
		return
	}
	a.src, a.dst = src, dst
	// In units of 1/dst source samples, output i covers [i*src, (i+1)*src) and source
	// sample j covers [j*dst, (j+1)*dst).
	taps := 1
	for i := range dst {
		lo, hi := i*src/dst, ((i+1)*src+dst-1)/dst
		taps = max(taps, hi-lo)
	}
	a.taps = taps
	a.start = grow(a.start, dst)
	a.weight = grow(a.weight, dst*taps)
	for i := range dst {
		lo, hi := i*src/dst, ((i+1)*src+dst-1)/dst
		st := min(lo, src-taps)
		a.start[i] = st
		w := a.weight[i*taps : (i+1)*taps]
		clear(w)
		var sum uint32
		big := lo - st
		for j := lo; j < hi; j++ {
			overlap := min((j+1)*dst, (i+1)*src) - max(j*dst, i*src)
			v := uint32((overlap*fracOne + src/2) / src)
			w[j-st] = v
			sum += v
			if v > w[big] {
				big = j - st
			}
		}
		w[big] += fracOne - sum // rounding leftovers go to the heaviest tap
	}
}

// grow returns s resized to n elements, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// downscaler reduces opaque RGBA pictures. The zero value is ready; it keeps its tables and
// intermediate rows between calls.
type downscaler struct {
	h, v axis
	tmp  []uint8  // horizontally reduced rows: sh rows of dw RGB triples
	acc  []uint32 // one output row of RGB sums
}

// downscaleOpaque area-averages the sw×sh RGBA picture in src (rows sstride bytes apart)
// into the dw×dh picture in dst (rows dstride bytes apart), where 1 <= dw <= sw and
// 1 <= dh <= sh. Alpha is not read: JPEG pictures are opaque, so every output alpha is 255.
func (d *downscaler) downscaleOpaque(dst []byte, dstride, dw, dh int, src []byte, sstride, sw, sh int) {
	d.h.build(sw, dw)
	d.v.build(sh, dh)
	d.tmp = grow(d.tmp, dw*3*sh)
	d.acc = grow(d.acc, dw*3)

	// Horizontal pass: every source row into dw RGB triples.
	ht := d.h.taps
	for y := range sh {
		srow := src[y*sstride : y*sstride+4*sw]
		trow := d.tmp[y*dw*3 : (y+1)*dw*3]
		switch ht {
		case 1:
			for x := range dw {
				p := srow[4*d.h.start[x]:]
				p = p[:3]
				t := trow[3*x : 3*x+3]
				t[0], t[1], t[2] = p[0], p[1], p[2]
			}
		case 2:
			for x := range dw {
				w := d.h.weight[2*x : 2*x+2]
				p := srow[4*d.h.start[x]:]
				p = p[:7]
				r := w[0]*uint32(p[0]) + w[1]*uint32(p[4])
				g := w[0]*uint32(p[1]) + w[1]*uint32(p[5])
				b := w[0]*uint32(p[2]) + w[1]*uint32(p[6])
				t := trow[3*x : 3*x+3]
				t[0], t[1], t[2] = uint8((r+fracHalf)>>fracBits), uint8((g+fracHalf)>>fracBits), uint8((b+fracHalf)>>fracBits)
			}
		default:
			for x := range dw {
				w := d.h.weight[ht*x : ht*x+ht]
				p := srow[4*d.h.start[x]:]
				p = p[:4*ht]
				var r, g, b uint32
				for k, wk := range w {
					q := p[4*k : 4*k+3]
					r += wk * uint32(q[0])
					g += wk * uint32(q[1])
					b += wk * uint32(q[2])
				}
				t := trow[3*x : 3*x+3]
				t[0], t[1], t[2] = uint8((r+fracHalf)>>fracBits), uint8((g+fracHalf)>>fracBits), uint8((b+fracHalf)>>fracBits)
			}
		}
	}

	// Vertical pass: weighted sums of tmp rows into each output row.
	vt := d.v.taps
	n := dw * 3
	acc := d.acc[:n]
	for y := range dh {
		drow := dst[y*dstride : y*dstride+4*dw]
		w := d.v.weight[vt*y : vt*y+vt]
		s := d.v.start[y]
		if vt == 2 {
			r0 := d.tmp[s*n : s*n+n]
			r1 := d.tmp[(s+1)*n : (s+1)*n+n]
			w0, w1 := w[0], w[1]
			for x := range dw {
				a := r0[3*x : 3*x+3]
				b := r1[3*x : 3*x+3]
				o := drow[4*x : 4*x+4]
				o[0] = uint8((w0*uint32(a[0]) + w1*uint32(b[0]) + fracHalf) >> fracBits)
				o[1] = uint8((w0*uint32(a[1]) + w1*uint32(b[1]) + fracHalf) >> fracBits)
				o[2] = uint8((w0*uint32(a[2]) + w1*uint32(b[2]) + fracHalf) >> fracBits)
				o[3] = 0xFF
			}
			continue
		}
		for i := range acc {
			acc[i] = fracHalf
		}
		for k, wk := range w {
			if wk == 0 {
				continue
			}
			row := d.tmp[(s+k)*n : (s+k)*n+n]
			for i, v := range row {
				acc[i] += wk * uint32(v)
			}
		}
		for x := range dw {
			a := acc[3*x : 3*x+3]
			o := drow[4*x : 4*x+4]
			o[0], o[1], o[2], o[3] = uint8(a[0]>>fracBits), uint8(a[1]>>fracBits), uint8(a[2]>>fracBits), 0xFF
		}
	}
}
