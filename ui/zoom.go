package ui

import (
	"fmt"
	"image"
	"math"

	"fyne.io/fyne/v2"
)

// Digital zoom of a maximised tile.
//
// How the zoomed picture is shown, and why: the tile copies the zoomed region of its
// buffer into a second, tightly packed *image.RGBA (the "view") and hands that to the
// canvas.Image. The alternatives cost more per frame: Fyne's GL painter uploads an
// *image.RGBA with TexImage2D straight from Pix assuming a packed stride (fyne v2.8.1
// internal/painter/gl/texture.go imgToTexture), so a SubImage of the buffer would be
// garbled, and any other image type is first redrawn into a new RGBA on every frame; a
// canvas.Image enlarged by the zoom factor inside a clip uploads the whole buffer every
// frame and relies on Fyne clipping a Scrollable. The view copy moves 1/zoom² of the
// buffer's rows (at 8× about 1.5 % of it) and the texture upload shrinks by the same
// factor. While zoomed, the tile asks the decoder for zoom × its size (never more than
// the source has), so the region shown has the camera's real detail rather than
// enlarged tile pixels — the one place a tile decodes larger than it is on screen, and
// only for the maximised tile.

// maxZoom is the largest digital zoom: beyond 8× a 1080p camera's pixels are bigger
// than a finger on the screen and nothing more can be seen.
const maxZoom = 8

// wheelNotch is how much one mouse-wheel notch zooms (Fyne reports a notch as 25 on
// Linux and Windows, 10 on macOS; trackpads send fractions).
const (
	wheelNotch  = 25
	wheelFactor = 1.25
)

// zoomView is the region of the picture a zoomed tile shows: a zoom factor (1…maxZoom)
// and the region's centre in fractions of the picture (0…1).
type zoomView struct {
	factor float64
	cx, cy float64
}

func unzoomed() zoomView { return zoomView{factor: 1, cx: 0.5, cy: 0.5} }

// zoomed reports whether the view shows less than the whole picture.
func (z zoomView) zoomed() bool { return z.factor > 1.0001 }

// clamp keeps the factor within 1…maxZoom and the region inside the picture.
func (z *zoomView) clamp() {
	if z.factor < 1 || math.IsNaN(z.factor) {
		z.factor = 1
	}
	z.factor = min(z.factor, maxZoom)
	half := 0.5 / z.factor
	z.cx = min(max(z.cx, half), 1-half)
	z.cy = min(max(z.cy, half), 1-half)
}

// zoomAbout sets the factor to f keeping the picture point under (px, py) — fractions
// of the shown area — where it is, so the wheel zooms towards the pointer.
func (z *zoomView) zoomAbout(f, px, py float64) {
	u := z.cx + (px-0.5)/z.factor
	v := z.cy + (py-0.5)/z.factor
	z.factor = min(max(f, 1), maxZoom)
	z.cx = u - (px-0.5)/z.factor
	z.cy = v - (py-0.5)/z.factor
	z.clamp()
}

// pan moves the region by (dx, dy), fractions of the shown area: dragging the picture
// right shows what is left of it.
func (z *zoomView) pan(dx, dy float64) {
	z.cx -= dx / z.factor
	z.cy -= dy / z.factor
	z.clamp()
}

// crop returns the region of a w×h picture the view shows, in whole pixels, at least
// 1×1 and inside the picture.
func (z zoomView) crop(w, h int) image.Rectangle {
	cw := max(int(math.Round(float64(w)/z.factor)), 1)
	ch := max(int(math.Round(float64(h)/z.factor)), 1)
	x0 := int(math.Round(z.cx*float64(w) - float64(cw)/2))
	y0 := int(math.Round(z.cy*float64(h) - float64(ch)/2))
	x0 = min(max(x0, 0), w-cw)
	y0 = min(max(y0, 0), h-ch)
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

// label is the zoom factor as the corner shows it ("2.5×").
func (z zoomView) label() string {
	if z.factor >= 9.95 || math.Abs(z.factor-math.Round(z.factor)) < 0.05 {
		return fmt.Sprintf("%.0f×", z.factor)
	}
	return fmt.Sprintf("%.1f×", z.factor)
}

// containRect is where a w×h picture lands in a box of size when scaled to fit without
// cropping (canvas.ImageFillContain): centred, aspect kept.
func containRect(size fyne.Size, w, h int) (fyne.Position, fyne.Size) {
	if w <= 0 || h <= 0 || size.Width <= 0 || size.Height <= 0 {
		return fyne.NewPos(0, 0), size
	}
	s := min(size.Width/float32(w), size.Height/float32(h))
	fit := fyne.NewSize(float32(w)*s, float32(h)*s)
	return fyne.NewPos((size.Width-fit.Width)/2, (size.Height-fit.Height)/2), fit
}

// copyRegion copies r of src into dst (reallocated when its size differs) and returns
// dst, tightly packed as Fyne's GL painter needs it.
func copyRegion(dst, src *image.RGBA, r image.Rectangle) *image.RGBA {
	w, h := r.Dx(), r.Dy()
	if dst == nil || dst.Rect.Dx() != w || dst.Rect.Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	row := 4 * w
	for y := 0; y < h; y++ {
		so := src.PixOffset(r.Min.X, r.Min.Y+y)
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+row], src.Pix[so:so+row])
	}
	return dst
}
