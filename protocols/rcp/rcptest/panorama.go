package rcptest

import (
	"image"
	"image/color"
	"image/draw"
)

// The panorama the simulated camera looks at: a grid of numbered cells whose red grows
// from left to right and whose green grows from bottom to top, so a test can tell the
// direction a picture moved by its mean colour, and a zoom by how many grid lines show.
const (
	PanoramaWidth  = 2400
	PanoramaHeight = 1200
	CellSize       = 100
	gridLine       = 3
)

// digits is a 3×5 bitmap font for the cell numbers (bit 2 is the left column).
var digits = [10][5]byte{
	{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
	{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
}

// Panorama draws the demo panorama (PanoramaWidth × PanoramaHeight).
func Panorama() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, PanoramaWidth, PanoramaHeight))
	for y := 0; y < PanoramaHeight; y++ {
		g := uint8(30 + 200*(PanoramaHeight-1-y)/PanoramaHeight)
		for x := 0; x < PanoramaWidth; x++ {
			r := uint8(30 + 200*x/PanoramaWidth)
			b := uint8(90)
			if (x/CellSize+y/CellSize)%2 == 0 {
				b = 150
			}
			img.SetRGBA(x, y, color.RGBA{r, g, b, 255})
		}
	}
	black := image.NewUniform(color.RGBA{0, 0, 0, 255})
	white := image.NewUniform(color.RGBA{255, 255, 255, 255})
	for x := 0; x < PanoramaWidth; x += CellSize {
		draw.Draw(img, image.Rect(x, 0, x+gridLine, PanoramaHeight), black, image.Point{}, draw.Src)
	}
	for y := 0; y < PanoramaHeight; y += CellSize {
		draw.Draw(img, image.Rect(0, y, PanoramaWidth, y+gridLine), black, image.Point{}, draw.Src)
	}
	cols := PanoramaWidth / CellSize
	for cy := 0; cy < PanoramaHeight/CellSize; cy++ {
		for cx := 0; cx < cols; cx++ {
			drawNumber(img, cx*CellSize+12, cy*CellSize+12, cy*cols+cx+1, 5, white)
		}
	}
	return img
}

// drawNumber writes n at (x, y) with pixels of scale×scale.
func drawNumber(img *image.RGBA, x, y, n, scale int, c image.Image) {
	s := []byte{}
	for ; n > 0 || len(s) == 0; n /= 10 {
		s = append([]byte{byte(n % 10)}, s...)
	}
	for i, d := range s {
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if digits[d][row]&(4>>col) != 0 {
					px := x + (i*4+col)*scale
					py := y + row*scale
					draw.Draw(img, image.Rect(px, py, px+scale, py+scale), c, image.Point{}, draw.Src)
				}
			}
		}
	}
}

// crop samples the view centred at (cx, cy) of vw × vh panorama pixels into dst
// (nearest neighbour; x wraps around, as a dome turns all the way).
func crop(dst, pano *image.RGBA, cx, cy, vw, vh float64) {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	x0, y0 := cx-vw/2, cy-vh/2
	for y := 0; y < h; y++ {
		py := int(y0 + (float64(y)+0.5)*vh/float64(h))
		py = min(max(py, 0), PanoramaHeight-1)
		src := pano.Pix[py*pano.Stride:]
		row := dst.Pix[y*dst.Stride:]
		for x := 0; x < w; x++ {
			px := int(x0+(float64(x)+0.5)*vw/float64(w)) % PanoramaWidth
			if px < 0 {
				px += PanoramaWidth
			}
			copy(row[x*4:x*4+4], src[px*4:px*4+4])
		}
	}
}
