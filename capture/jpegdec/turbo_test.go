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
	d := newDecoder(t)
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
				d := newDecoder(b)
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

// resizeVariants are the resize paths TestResizeQuality and BenchmarkResize compare: the
// YUV-plane path with each libswscale filter, and the RGBA decode with the Go area average.
var resizeVariants = []struct {
	name  string
	flags int
	rgba  bool
}{{"yuv_area", swsArea, false}, {"yuv_bilinear", swsBilinear, false}, {"yuv_fast_bilinear", swsFastBilinear, false}, {"rgba_go_area", 0, true}}

// resizeQualityCases are the resizing tile sizes of the wall: 1080p at 1/4 then to 400×225,
// at 3/8 then to 640×360, at 1/4 then to 320×180, and 720p at 3/8 then to 400×225.
var resizeQualityCases = []struct {
	sw, sh, w, h int
}{{1920, 1080, 400, 225}, {1920, 1080, 640, 360}, {1920, 1080, 320, 180}, {1280, 720, 400, 225}}

// TestResizeQuality records, for each resize path, the mean absolute error (levels over R, G
// and B) of the decoded tile against an area average of the lossless source: the numbers
// behind resizeFlags and the table in doc.go. It fails only if a path is grossly wrong.
func TestResizeQuality(t *testing.T) {
	for _, c := range resizeQualityCases {
		src := detailedFrame(c.sw, c.sh)
		data := mustEncode(t, src, 85)
		ref := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		var ds downscaler
		ds.downscaleOpaque(ref.Pix, ref.Stride, c.w, c.h, src.Pix, src.Stride, c.sw, c.sh)
		d, err := New()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range resizeVariants {
			d.swsFlags, d.rgbaResize = v.flags, v.rgba
			got, err := d.Decode(capture.Packet{Data: data}, c.w, c.h, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkOpaque(t, got)
			var sum int
			for i := range got.Pix {
				if i%4 != 3 {
					sum += absDiff(got.Pix[i], ref.Pix[i])
				}
			}
			mae := float64(sum) / float64(c.w*c.h*3)
			t.Logf("%dx%d→%dx%d %-18s mean abs error %.2f", c.sw, c.sh, c.w, c.h, v.name, mae)
			if mae > 12 {
				t.Errorf("%s: mean abs error %.2f", v.name, mae)
			}
		}
		d.Close()
	}
}

// BenchmarkResize times a whole Decode on each resize path, on the wall's resizing tiles.
func BenchmarkResize(b *testing.B) {
	for _, c := range resizeQualityCases {
		data := benchFrame()
		if c.sw == 1280 {
			data = benchFrame720()
		}
		for _, v := range resizeVariants {
			b.Run(image.Pt(c.sw, c.sh).String()+"to"+image.Pt(c.w, c.h).String()+"/"+v.name, func(b *testing.B) {
				d := newDecoder(b)
				d.swsFlags, d.rgbaResize = v.flags, v.rgba
				dst := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Decode(capture.Packet{Data: data}, c.w, c.h, dst); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
			})
		}
	}
}

// TestOutputSizeTakesNearScale: a DCT scale just under the box is used as it is (no
// resize); one further away is not.
func TestOutputSizeTakesNearScale(t *testing.T) {
	for _, c := range []struct{ sw, sh, w, h, ww, wh int }{
		{1280, 720, 322, 181, 320, 180},   // 1/4 is 99 % of the tile: taken
		{1920, 1080, 480, 270, 480, 270},  // exact
		{1920, 1080, 640, 360, 640, 360},  // 1/4 would be 75 %: resize from 3/8
		{1280, 720, 400, 225, 400, 225},   // 1/4 is 80 %: resize
		{1920, 1080, 1000, 600, 960, 540}, // 1/2 is 96 % of 1000×563: taken
	} {
		if w, h := OutputSize(c.sw, c.sh, c.w, c.h); w != c.ww || h != c.wh {
			t.Errorf("OutputSize(%d×%d into %d×%d) = %d×%d, want %d×%d", c.sw, c.sh, c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}
