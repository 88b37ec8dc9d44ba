package jpegdec

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// TestResizeOddSizesAndStride decodes every good case into tiny and odd boxes (down to 1×1),
// each time into a sub-image of a larger canvas at an odd offset, and checks the size, the
// colours, and that not one byte outside the tile's rectangle changed.
func TestResizeOddSizesAndStride(t *testing.T) {
	d := newDecoder(t)
	const canary = 0x5A
	for _, c := range goodCases(t) {
		rb := c.ref.Bounds()
		for _, box := range [][2]int{{1, 1}, {2, 1}, {1, 2}, {2, 2}, {3, 3}, {5, 4}, {7, 7}, {9, 5}, {13, 11}, {31, 17}, {33, 33}, {65, 37}, {99, 61}, {159, 95}, {401, 227}} {
			tw, th := OutputSize(rb.Dx(), rb.Dy(), box[0], box[1])
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, tw, th), func(t *testing.T) {
				canvas := image.NewRGBA(image.Rect(0, 0, tw+5, th+4))
				for i := range canvas.Pix {
					canvas.Pix[i] = canary
				}
				r := image.Rect(3, 1, 3+tw, 1+th)
				dst := canvas.SubImage(r).(*image.RGBA)
				got, err := d.Decode(capture.Packet{Data: c.data}, box[0], box[1], dst)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if got != dst {
					t.Fatalf("got a new %v picture, want the %v sub-image", got.Rect, dst.Rect)
				}
				for y := range canvas.Rect.Dy() {
					for x := range canvas.Rect.Dx() {
						if image.Pt(x, y).In(r) {
							continue
						}
						if p := canvas.RGBAAt(x, y); p != (color.RGBA{canary, canary, canary, canary}) {
							t.Fatalf("pixel (%d,%d) outside the tile changed to %v", x, y, p)
						}
					}
				}
				tile := &image.RGBA{Pix: dst.Pix, Stride: dst.Stride, Rect: image.Rect(0, 0, tw, th)}
				checkOpaque(t, packed(tile))
				checkMean(t, c.ref, tile, 8)
			})
		}
	}
}

// packed copies m into a picture whose rows are exactly its width.
func packed(m *image.RGBA) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.Rect.Dx(), m.Rect.Dy()))
	for y := range m.Rect.Dy() {
		copy(out.Pix[y*out.Stride:(y+1)*out.Stride], m.Pix[y*m.Stride:])
	}
	return out
}

// TestResizeAfterReset checks that the resize path works the same after a broken frame made
// the Decoder replace its decompressor: the picture is byte for byte what a fresh Decoder
// makes.
func TestResizeAfterReset(t *testing.T) {
	data := mustEncode(t, detailedFrame(1280, 720), 85)
	gray := mustEncode(t, grayOf(barsImage(1281, 721)), 90)
	fresh := func(data []byte, w, h int) *image.RGBA {
		d := newDecoder(t)
		m, err := d.Decode(capture.Packet{Data: data}, w, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	d := newDecoder(t)
	var bad [][]byte
	for _, c := range badCases(t) {
		if c.want == capture.ErrMalformed {
			bad = append(bad, c.data)
		}
	}
	for i, b := range bad {
		for _, c := range []struct {
			data []byte
			w, h int
		}{{data, 400, 225}, {gray, 333, 0}, {data, 37, 23}} {
			want := fresh(c.data, c.w, c.h)
			if _, err := d.Decode(capture.Packet{Data: c.data}, c.w, c.h, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Decode(capture.Packet{Data: b}, c.w, c.h, nil); err == nil {
				t.Fatalf("bad case %d decoded", i)
			}
			got, err := d.Decode(capture.Packet{Data: c.data}, c.w, c.h, nil)
			if err != nil {
				t.Fatalf("after bad case %d: %v", i, err)
			}
			if got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("after bad case %d: %v picture differs from a fresh decoder's %v", i, got.Rect, want.Rect)
			}
		}
	}
}

// TestResizeZeroAllocs: in steady state a resized decode into a reused dst allocates nothing.
func TestResizeZeroAllocs(t *testing.T) {
	if !turbo {
		t.Skip("the image/jpeg build allocates in the standard library's decoder")
	}
	d := newDecoder(t)
	for _, c := range []struct {
		name string
		data []byte
		w, h int
	}{
		{"720p to 400x225", mustEncode(t, detailedFrame(1280, 720), 85), 400, 225},
		{"gray to 333", mustEncode(t, grayOf(barsImage(1281, 721)), 90), 333, 0},
		{"422 to 100", readTestdata(t, "bars_422.jpg"), 100, 0},
		{"411 to 7x5", readTestdata(t, "bars_411.jpg"), 7, 5},
	} {
		w, h, err := Header(c.data)
		if err != nil {
			t.Fatal(err)
		}
		tw, th := capture.FitSize(w, h, c.w, c.h)
		big := image.NewRGBA(image.Rect(0, 0, tw+3, th+1))
		dst := big.SubImage(image.Rect(1, 1, 1+tw, 1+th)).(*image.RGBA)
		allocs := testing.AllocsPerRun(10, func() {
			if got, err := d.Decode(capture.Packet{Data: c.data}, c.w, c.h, dst); err != nil || got != dst {
				t.Fatalf("%s: %v", c.name, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per frame, want 0", c.name, allocs)
		}
	}
}
