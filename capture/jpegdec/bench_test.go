package jpegdec

import (
	"image"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// detailedFrame draws a 1080p picture with camera-like detail: multi-octave value noise
// (foliage, gravel, sensor grain), hard-edged blocks (buildings, vehicles) and rows of small
// high-contrast glyphs (signs, the timestamp overlay). At quality 85 it encodes to roughly
// 300 KB, in the range of a busy 1080p camera frame.
func detailedFrame(w, h int) *image.RGBA {
	r := rand.New(rand.NewPCG(42, 42))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// Value noise: random lattices at cell sizes 128 … 2, smoothly interpolated.
	type octave struct {
		cell int
		amp  float64
		grid []float64
		gw   int
	}
	var octs []octave
	amp := 1.0
	for cell := 128; cell >= 2; cell /= 2 {
		gw, gh := w/cell+2, h/cell+2
		g := make([]float64, gw*gh*3)
		for i := range g {
			g[i] = r.Float64()
		}
		octs = append(octs, octave{cell, amp, g, gw})
		amp *= 0.56
	}
	smooth := func(t float64) float64 { return t * t * (3 - 2*t) }
	for y := range h {
		for x := range w {
			var c [3]float64
			var norm float64
			for _, o := range octs {
				gx, gy := x/o.cell, y/o.cell
				fx := smooth(float64(x%o.cell) / float64(o.cell))
				fy := smooth(float64(y%o.cell) / float64(o.cell))
				for ch := range 3 {
					at := func(i, j int) float64 { return o.grid[((gy+j)*o.gw+gx+i)*3+ch] }
					top := at(0, 0)*(1-fx) + at(1, 0)*fx
					bot := at(0, 1)*(1-fx) + at(1, 1)*fx
					c[ch] += o.amp * (top*(1-fy) + bot*fy)
				}
				norm += o.amp
			}
			i := img.PixOffset(x, y)
			for ch := range 3 {
				img.Pix[i+ch] = uint8(math.Min(255, 255*c[ch]/norm*1.3-40))
			}
			img.Pix[i+3] = 0xFF
		}
	}
	// Hard edges: flat blocks.
	for range w * h / 50000 {
		x0, y0 := r.IntN(w-200), r.IntN(h-150)
		bw, bh := 20+r.IntN(180), 20+r.IntN(130)
		col := [3]uint8{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))}
		for y := y0; y < y0+bh; y++ {
			for x := x0; x < x0+bw; x++ {
				i := img.PixOffset(x, y)
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = col[0], col[1], col[2]
			}
		}
	}
	// Text-like detail: rows of 5×7 random glyphs, 2-pixel strokes.
	for row := range (h - 60) / 85 {
		y0 := 40 + row*85
		for g := range (w - 80) / 28 {
			x0 := 60 + g*28
			bits := r.Uint64()
			for gy := range 7 {
				for gx := range 5 {
					if bits>>(gy*5+gx)&1 == 0 {
						continue
					}
					for dy := range 3 {
						for dx := range 3 {
							i := img.PixOffset(x0+gx*3+dx, y0+gy*3+dy)
							img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 250, 250, 250
						}
					}
				}
			}
		}
	}
	return img
}

var benchFrame = sync.OnceValue(func() []byte { return benchJPEG(1920, 1080) })

var benchFrame720 = sync.OnceValue(func() []byte { return benchJPEG(1280, 720) })

func benchJPEG(w, h int) []byte {
	data, err := Encode(detailedFrame(w, h), 85)
	if err != nil {
		panic(err)
	}
	return data
}

func benchDecode(b *testing.B, data []byte, w, h int) {
	sw, sh, err := Header(data)
	if err != nil {
		b.Fatal(err)
	}
	d := newDecoder(b)
	tw, th := capture.FitSize(sw, sh, w, h)
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Decode(capture.Packet{Data: data}, w, h, dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
	b.ReportMetric(float64(len(data))/1024, "KB/jpeg")
}

// BenchmarkDecode1080pTo480x270 is the wall's common case: one 1/4-scale decode, no resize.
func BenchmarkDecode1080pTo480x270(b *testing.B) { benchDecode(b, benchFrame(), 480, 270) }

// BenchmarkDecode1080pTo640x360 decodes at 3/8 (720×405) and resizes to 640×360.
func BenchmarkDecode1080pTo640x360(b *testing.B) { benchDecode(b, benchFrame(), 640, 360) }

// BenchmarkDecode1080pTo400x225 decodes at 1/4 (480×270) and resizes to 400×225.
func BenchmarkDecode1080pTo400x225(b *testing.B) { benchDecode(b, benchFrame(), 400, 225) }

// BenchmarkDecode1080pTo320x180 decodes at 1/4 and resizes down by 1.5.
func BenchmarkDecode1080pTo320x180(b *testing.B) { benchDecode(b, benchFrame(), 320, 180) }

// BenchmarkDecode720pTo400x225 is the real wall of 16 720p cameras: 3/8 (480×270), then a
// resize to 400×225.
func BenchmarkDecode720pTo400x225(b *testing.B) { benchDecode(b, benchFrame720(), 400, 225) }

// BenchmarkDecode1080pFull is the full-screen case.
func BenchmarkDecode1080pFull(b *testing.B) { benchDecode(b, benchFrame(), 0, 0) }

// BenchmarkDecodeScaledInto is the floor: the bare DCT-scaled decode Decode builds on.
func BenchmarkDecodeScaledInto(b *testing.B) {
	data := benchFrame()
	for _, box := range [][2]int{{480, 270}, {640, 360}} {
		w, h := ScaledSize(1920, 1080, box[0], box[1])
		b.Run(image.Pt(w, h).String(), func(b *testing.B) {
			d := newDecoder(b)
			buf := make([]byte, w*h*4)
			b.ReportAllocs()
			for b.Loop() {
				if err := d.DecodeScaledInto(data, w, h, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
		})
	}
}

// BenchmarkDownscale measures the area-average downscaler alone on the sizes the wall uses.
func BenchmarkDownscale(b *testing.B) {
	src := detailedFrame(960, 540)
	for _, c := range []struct{ sw, sh, dw, dh int }{
		{720, 405, 640, 360}, {480, 270, 320, 180}, {960, 540, 400, 225}, {240, 135, 100, 56},
	} {
		b.Run(image.Pt(c.sw, c.sh).String()+"to"+image.Pt(c.dw, c.dh).String(), func(b *testing.B) {
			var ds downscaler
			dst := make([]byte, c.dw*c.dh*4)
			b.ReportAllocs()
			for b.Loop() {
				ds.downscaleOpaque(dst, c.dw*4, c.dw, c.dh, src.Pix, src.Stride, c.sw, c.sh)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
