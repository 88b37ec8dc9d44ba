package demo

// Deterministic pseudo-random helpers: a lattice hash, value noise and its fractal sum, and
// a small xorshift generator. Everything here is a pure function of its inputs and the seed,
// so a scene renders identically on every machine and the disk cache stays valid.

// hash2 mixes a lattice point and a seed into 32 well-spread bits.
func hash2(x, y int32, seed uint32) uint32 {
	h := uint32(x)*0x8da6b343 ^ uint32(y)*0xd8163841 ^ seed*0xcb1ab31f
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	h *= 0x297a2d39
	h ^= h >> 15
	return h
}

// unit2 is hash2 mapped to [0, 1).
func unit2(x, y int32, seed uint32) float32 {
	return float32(hash2(x, y, seed)>>8) * (1.0 / (1 << 24))
}

// floorInt is math.Floor for the coordinate range a scene uses, without the float64 detour.
func floorInt(v float32) int32 {
	i := int32(v)
	if v < float32(i) {
		i--
	}
	return i
}

// vnoise is smooth value noise in [0, 1): random values on the integer lattice, blended
// with a smoothstep.
func vnoise(x, y float32, seed uint32) float32 {
	x0, y0 := floorInt(x), floorInt(y)
	fx, fy := x-float32(x0), y-float32(y0)
	fx = fx * fx * (3 - 2*fx)
	fy = fy * fy * (3 - 2*fy)
	a := unit2(x0, y0, seed)
	b := unit2(x0+1, y0, seed)
	c := unit2(x0, y0+1, seed)
	d := unit2(x0+1, y0+1, seed)
	top := a + (b-a)*fx
	bot := c + (d-c)*fx
	return top + (bot-top)*fy
}

// fbm sums octaves of value noise, each twice the frequency and half the amplitude of the
// one before, normalised to [0, 1).
func fbm(x, y float32, octaves int, seed uint32) float32 {
	var sum, norm float32
	amp := float32(1)
	for o := 0; o < octaves; o++ {
		sum += amp * vnoise(x, y, seed+uint32(o)*0x9e37)
		norm += amp
		amp *= 0.5
		x, y = x*2.03+17.1, y*2.03-9.7
	}
	return sum / norm
}

// rng is a xorshift64* generator: fast, deterministic, good enough for pictures.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng {
	r := &rng{s: seed*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019}
	if r.s == 0 {
		r.s = 1
	}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 0x2545f4914f6cdd1d
}

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) * (1.0 / (1 << 53)) }

// rangef returns a value in [lo, hi).
func (r *rng) rangef(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn returns a value in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }
