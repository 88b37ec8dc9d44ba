package demo

import (
	"fmt"
	"image"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fonts parses the embedded Go fonts once; sfnt fonts are safe for concurrent use, faces
// are not, so each renderer makes its own (see newOSD).
var fonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	var err error
	if fs[0], err = opentype.Parse(gomedium.TTF); err != nil {
		return fs, fmt.Errorf("parse Go Medium font: %w", err)
	}
	if fs[1], err = opentype.Parse(gomono.TTF); err != nil {
		return fs, fmt.Errorf("parse Go Mono font: %w", err)
	}
	return fs, nil
})

// osd draws a camera's on-screen display: its name large at the top left, and the time and
// frame counter at the top right, white with a dark outline so they read on any picture.
// One osd belongs to one goroutine.
type osd struct {
	name       *image.RGBA // pre-rendered, it never changes
	small      font.Face
	margin     int
	outline    int
	smallLineH int
}

func newOSD(name string, w, h int) (*osd, error) {
	fs, err := fonts()
	if err != nil {
		return nil, err
	}
	big := max(12, float64(h)/17)
	small := max(9, float64(h)/34)
	o := &osd{margin: max(4, h/60), outline: max(1, h/360)}
	bigFace, err := opentype.NewFace(fs[0], &opentype.FaceOptions{Size: big, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("make OSD face: %w", err)
	}
	defer bigFace.Close()
	if o.small, err = opentype.NewFace(fs[1], &opentype.FaceOptions{Size: small, DPI: 72, Hinting: font.HintingFull}); err != nil {
		return nil, fmt.Errorf("make OSD face: %w", err)
	}
	o.smallLineH = o.small.Metrics().Height.Ceil()
	if name != "" {
		o.name = label(bigFace, name, max(2, h/240))
	}
	return o, nil
}

func (o *osd) close() { o.small.Close() }

// label renders text into a transparent picture: a dark outline of the given width with a
// drop shadow, then white glyphs on top.
func label(face font.Face, text string, outline int) *image.RGBA {
	m := face.Metrics()
	adv := font.MeasureString(face, text).Ceil()
	pad := outline + 2
	w, h := adv+2*pad+outline, m.Height.Ceil()+2*pad+outline
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face,
		Dot: fixed.Point26_6{X: fixed.I(pad), Y: fixed.I(pad) + m.Ascent}}
	d.DrawString(text)
	// The outline is the glyph mask dilated by a disc, then shifted for a shadow.
	out := image.NewRGBA(mask.Rect)
	r2 := outline * outline
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var a uint8
			for dy := -outline; dy <= outline+1 && a < 255; dy++ {
				for dx := -outline; dx <= outline+1; dx++ {
					sx, sy := x-dx, y-dy
					if dx*dx+dy*dy > r2+2*outline+1 || sx < 0 || sy < 0 || sx >= w || sy >= h {
						continue
					}
					a = max(a, mask.Pix[sy*mask.Stride+sx])
				}
			}
			// Premultiplied dark outline, three quarters opaque.
			o := uint8(uint16(a) * 200 / 255)
			i := y*out.Stride + x*4
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = 0, 0, 0, o
		}
	}
	draw.DrawMask(out, out.Rect, image.White, image.Point{}, mask, image.Point{}, draw.Over)
	return out
}

// draw puts the OSD for frame i of n onto dst.
func (o *osd) draw(dst *image.RGBA, stamp string, counter string) {
	b := dst.Rect
	if o.name != nil {
		r := o.name.Rect.Add(image.Pt(b.Min.X+o.margin, b.Min.Y+o.margin))
		draw.Draw(dst, r, o.name, image.Point{}, draw.Over)
	}
	y := b.Min.Y + o.margin
	for _, s := range []string{stamp, counter} {
		l := label(o.small, s, o.outline)
		r := l.Rect.Add(image.Pt(b.Max.X-o.margin-l.Rect.Dx(), y))
		draw.Draw(dst, r, l, image.Point{}, draw.Over)
		y += o.smallLineH
	}
}
