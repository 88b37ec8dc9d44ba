//go:build cgo

package jpegdec

import (
	"image"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// TestDCTFlagsQuality records what TJFLAG_FASTDCT and TJFLAG_FASTUPSAMPLE cost in accuracy
// (mean absolute error against the source picture, full size and at the tiles' 1/4 scale),
// the numbers behind decodeFlags. It fails only if a decode is grossly wrong.
func TestDCTFlagsQuality(t *testing.T) {
	src := detailedFrame(1920, 1080)
	data := mustEncode(t, src, 85)
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, box := range [][2]int{{0, 0}, {480, 270}} {
		ref := src
		if box[0] != 0 {
			ref = image.NewRGBA(image.Rect(0, 0, box[0], box[1]))
			var ds downscaler
			ds.downscaleOpaque(ref.Pix, ref.Stride, box[0], box[1], src.Pix, src.Stride, 1920, 1080)
		}
		for _, f := range []struct {
			name  string
			flags int
		}{{"default", decodeFlags}, {"fastdct", decodeFlags | flagFastDCT}, {"fastupsample", decodeFlags | flagFastUpsample}} {
			d.flags = f.flags
			got, err := d.Decode(capture.Packet{Data: data}, box[0], box[1], nil)
			if err != nil {
				t.Fatal(err)
			}
			var sum int
			for i := range got.Pix {
				if i%4 == 3 {
					continue
				}
				sum += absDiff(got.Pix[i], ref.Pix[i])
			}
			mae := float64(sum) / float64(len(got.Pix)/4*3)
			t.Logf("%v %-12s mean abs error %.3f", got.Rect.Size(), f.name, mae)
			if mae > 12 {
				t.Errorf("%s: mean abs error %.2f", f.name, mae)
			}
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// BenchmarkDCTFlags compares decode time with TurboJPEG's speed flags.
func BenchmarkDCTFlags(b *testing.B) {
	data := benchFrame()
	for _, box := range [][2]int{{0, 0}, {480, 270}} {
		for _, f := range []struct {
			name  string
			flags int
		}{{"default", decodeFlags}, {"fastdct", decodeFlags | flagFastDCT}, {"fastupsample", decodeFlags | flagFastUpsample}} {
			b.Run(image.Pt(box[0], box[1]).String()+"/"+f.name, func(b *testing.B) {
				d, err := New()
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				d.flags = f.flags
				for b.Loop() {
					if _, err := d.Decode(capture.Packet{Data: data}, box[0], box[1], nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
