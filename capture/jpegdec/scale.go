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
