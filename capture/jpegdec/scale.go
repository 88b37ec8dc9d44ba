package jpegdec

// scale is a DCT scaling factor num/denom.
type scale struct{ num, denom int }

// apply is TurboJPEG's TJSCALED: the scaled dimension, rounded up.
func (s scale) apply(dim int) int { return (dim*s.num + s.denom - 1) / s.denom }

// scaledSize picks, among factors, the one with the smallest output that is at least tw×th,
// and returns that output size. Factors above 1 are never needed (FitSize never enlarges)
// and the 1/1 factor always qualifies.
func scaledSize(factors []scale, sw, sh, tw, th int) (int, int) {
	bw, bh := sw, sh
	for _, f := range factors {
		if f.num > f.denom {
			continue
		}
		w, h := f.apply(sw), f.apply(sh)
		if w >= tw && h >= th && w*h < bw*bh {
			bw, bh = w, h
		}
	}
	return bw, bh
}

// nearEnough is how much smaller than the asked size a DCT-scaled picture may be and
// still be used as it is. A 720p camera in a 322×181 tile decodes at 1/4 (320×180)
// instead of 3/8 plus a resize — about a third of the CPU — and the tile's own scaling
// covers the last pixels, which nobody can see.
const nearEnough = 0.10

// nearScale returns the size of the largest DCT scale no bigger than tw×th but within
// nearEnough of it in both directions, or tw×th when no scale lands that close.
func nearScale(factors []scale, sw, sh, tw, th int) (int, int) {
	bw, bh := tw, th
	found := false
	for _, f := range factors {
		if f.num > f.denom {
			continue
		}
		w, h := f.apply(sw), f.apply(sh)
		if w > tw || h > th || float64(w) < (1-nearEnough)*float64(tw) || float64(h) < (1-nearEnough)*float64(th) {
			continue
		}
		if !found || w*h > bw*bh {
			bw, bh, found = w, h, true
		}
	}
	return bw, bh
}

// warnings counts pictures that decoded with warnings and keeps the latest text without
// allocating per frame.
type warnings struct {
	count uint64
	last  [160]byte
	n     int
}

func (w *warnings) note(msg []byte) {
	w.count++
	w.n = copy(w.last[:], msg)
}

func (w *warnings) text() string { return string(w.last[:w.n]) }
