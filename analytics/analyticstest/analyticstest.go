// Package analyticstest makes pictures with scripted motion for tests of the analyzers
// and of what shows their events.
package analyticstest

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
)

// Walk is n JPEG frames, w×h, of a still scene with sensor noise in which a bright,
// person-sized block crosses from left to right in frames [from, to): served in a loop,
// a scripted passer-by.
func Walk(n, from, to, w, h int) [][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var out [][]byte
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				v := uint8(70 + 80*x/w + 30*y/h + rng.IntN(9))
				img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			}
		}
		if i >= from && i < to {
			bw, x0 := w/13, w/10+(w*5/8)*(i-from)/(to-from)
			for y := h / 3; y < h*5/6; y++ {
				for x := x0; x < x0+bw; x++ {
					img.SetRGBA(x, y, color.RGBA{240, 240, 240, 255})
				}
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			panic(err) // a bytes.Buffer does not fail
		}
		out = append(out, b.Bytes())
	}
	return out
}

// Textured is a still w×h luma picture with edges for a contrast stretch to keep:
// gradients and a coarse 8×6 checker, the background the analyzers' tests draw their
// noise, light changes and passers-by on.
func Textured(w, h int) []uint8 {
	back := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			v := 60 + 80*x/w + 40*y/h
			if (x/(w/8)+y/(h/6))%2 == 0 {
				v += 25
			}
			back[y*w+x] = uint8(v)
		}
	}
	return back
}
