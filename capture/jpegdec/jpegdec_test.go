package jpegdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// Decoder must satisfy the contract the rest of the product is written against.
var _ capture.FrameDecoder = (*Decoder)(nil)

// barsImage draws seven colour bars over four grey steps: large flat areas whose colour
// a decoded picture must reproduce at the corresponding positions.
func barsImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bars := []color.RGBA{{235, 235, 235, 255}, {235, 235, 16, 255}, {16, 235, 235, 255}, {16, 235, 16, 255},
		{235, 16, 235, 255}, {235, 16, 16, 255}, {16, 16, 235, 255}}
	for y := range h {
		for x := range w {
			c := bars[x*len(bars)/w]
			if y >= h*2/3 {
				v := uint8(16 + (x*4/w)*70)
				c = color.RGBA{v, v, v, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// noiseImage is per-pixel random colour: the worst case for entropy decoding.
func noiseImage(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xFF
	}
	return img
}

func grayOf(m *image.RGBA) *image.Gray {
	g := image.NewGray(m.Bounds())
	for y := range m.Rect.Dy() {
		for x := range m.Rect.Dx() {
			g.Set(x, y, m.At(x, y))
		}
	}
	return g
}

func mustEncode(tb testing.TB, img image.Image, q int) []byte {
	tb.Helper()
	b, err := Encode(img, q)
	if err != nil {
		tb.Fatalf("Encode: %v", err)
	}
	return b
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// goodCase is a JPEG that must decode, with the picture it was made from.
type goodCase struct {
	name string
	data []byte
	ref  image.Image
	// flat is true when the picture has flat areas to compare pixel by pixel.
	flat bool
}

// goodCases is the table behind the decode tests, the benchmark sanity checks and the fuzz
// seeds: 4:2:0, 4:2:2, 4:4:4, 4:4:0, 4:1:1, grayscale, progressive and restart-marker JPEGs
// at odd sizes.
func goodCases(tb testing.TB) []goodCase {
	tb.Helper()
	pngData := readTestdata(tb, "bars.png")
	barsRef, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		tb.Fatal(err)
	}
	bars1281 := barsImage(1281, 721)
	bars640 := barsImage(640, 480)
	noise := noiseImage(333, 187, 7)
	cs := []goodCase{
		{"420 bars 1281x721", mustEncode(tb, bars1281, 90), bars1281, true},
		{"420 bars 640x480", mustEncode(tb, bars640, 90), bars640, true},
		{"gray bars 1281x721", mustEncode(tb, grayOf(bars1281), 90), grayOf(bars1281), true},
		{"420 noise 333x187", mustEncode(tb, noise, 95), noise, false},
		{"1x1", mustEncode(tb, barsImage(1, 1), 90), barsImage(1, 1), false},
	}
	for _, f := range []string{"bars_444.jpg", "bars_422.jpg", "bars_440.jpg", "bars_411.jpg", "bars_progressive.jpg", "bars_restart.jpg"} {
		cs = append(cs, goodCase{f, readTestdata(tb, f), barsRef, true})
	}
	return cs
}

var boxes = [][2]int{{0, 0}, {480, 270}, {640, 360}, {320, 180}, {100, 100}, {161, 0}, {37, 23}, {1, 1}, {5000, 5000}}

func TestDecodeSizesAndColours(t *testing.T) {
	d := newDecoder(t)
	for _, c := range goodCases(t) {
		rb := c.ref.Bounds()
		for _, box := range boxes {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, box[0], box[1]), func(t *testing.T) {
				got, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: c.data}, box[0], box[1], nil)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				ww, wh := OutputSize(rb.Dx(), rb.Dy(), box[0], box[1])
				if got.Rect != image.Rect(0, 0, ww, wh) {
					t.Fatalf("got %v, want %dx%d", got.Rect, ww, wh)
				}
				checkOpaque(t, got)
				checkMean(t, c.ref, got, 6)
				if c.flat {
					checkFlatAreas(t, c.ref, got, 14, ww >= 100)
				}
			})
		}
	}
}

func checkOpaque(t *testing.T, m *image.RGBA) {
	t.Helper()
	for i := 3; i < len(m.Pix); i += 4 {
		if m.Pix[i] != 0xFF {
			t.Fatalf("alpha %d at byte %d, want 255", m.Pix[i], i)
		}
	}
}

func rgbAt(m image.Image, x, y int) [3]int {
	r, g, b, _ := m.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

// checkMean compares the mean colour of the two pictures: any correct downscale keeps it.
func checkMean(t *testing.T, ref image.Image, got *image.RGBA, tol float64) {
	t.Helper()
	mean := func(m image.Image) [3]float64 {
		var s [3]float64
		b := m.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := rgbAt(m, x, y)
				for i := range s {
					s[i] += float64(c[i])
				}
			}
		}
		n := float64(b.Dx() * b.Dy())
		return [3]float64{s[0] / n, s[1] / n, s[2] / n}
	}
	a, b := mean(ref), mean(got)
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			t.Fatalf("mean colour %.1f, source %.1f (tolerance %.0f)", b, a, tol)
		}
	}
}

// checkFlatAreas compares output pixels with the source where the source area they cover,
// widened by a margin for JPEG ringing and chroma subsampling, is one flat colour.
func checkFlatAreas(t *testing.T, ref image.Image, got *image.RGBA, tol int, needSome bool) {
	t.Helper()
	rb, gb := ref.Bounds(), got.Bounds()
	sw, sh, dw, dh := rb.Dx(), rb.Dy(), gb.Dx(), gb.Dy()
	margin := 6 + 3*sw/dw // reduced-scale decoding spreads chroma edges further
	checked := 0
	step := max(1, dw/60)
	for y := 0; y < dh; y += step {
		for x := 0; x < dw; x += step {
			x0, x1 := x*sw/dw-margin, ((x+1)*sw+dw-1)/dw+margin
			y0, y1 := y*sh/dh-margin, ((y+1)*sh+dh-1)/dh+margin
			if x0 < 0 || y0 < 0 || x1 > sw || y1 > sh {
				continue
			}
			want := rgbAt(ref, rb.Min.X+x0, rb.Min.Y+y0)
			flat := true
			for sy := y0; sy < y1 && flat; sy++ {
				for sx := x0; sx < x1; sx++ {
					if rgbAt(ref, rb.Min.X+sx, rb.Min.Y+sy) != want {
						flat = false
						break
					}
				}
			}
			if !flat {
				continue
			}
			checked++
			c := rgbAt(got, x, y)
			for i := range c {
				if d := c[i] - want[i]; d > tol || d < -tol {
					t.Fatalf("pixel (%d,%d) is %v, source %v around (%d,%d)", x, y, c, want, x0+margin, y0+margin)
				}
			}
		}
	}
	if needSome && checked < 20 {
		t.Fatalf("only %d pixels lay in flat areas; the check proves nothing", checked)
	}
}

func TestDecodeReusesDst(t *testing.T) {
	d := newDecoder(t)
	data := mustEncode(t, barsImage(1920, 1080), 85)
	for _, box := range [][2]int{{480, 270}, {640, 360}} {
		dst := image.NewRGBA(image.Rect(0, 0, box[0], box[1]))
		got, err := d.Decode(capture.Packet{Data: data}, box[0], box[1], dst)
		if err != nil || got != dst {
			t.Fatalf("%v: Decode returned %p, %v; want dst %p", box, got, err, dst)
		}
		// A dst of the wrong size is left alone and a new picture returned.
		small := image.NewRGBA(image.Rect(0, 0, 10, 10))
		got, err = d.Decode(capture.Packet{Data: data}, box[0], box[1], small)
		if err != nil || got == small || got.Rect.Dx() != box[0] {
			t.Fatalf("%v: wrong-size dst: got %v, %v", box, got.Rect, err)
		}
		// A sub-image of the right size (stride wider than its rows) is written in place.
		big := image.NewRGBA(image.Rect(0, 0, box[0]+7, box[1]+3))
		sub := big.SubImage(image.Rect(5, 2, 5+box[0], 2+box[1])).(*image.RGBA)
		got, err = d.Decode(capture.Packet{Data: data}, box[0], box[1], sub)
		if err != nil || got != sub {
			t.Fatalf("%v: sub-image dst: got %p, %v", box, got, err)
		}
		if big.RGBAAt(0, 0).A != 0 || big.RGBAAt(5, 2).A != 0xFF || big.RGBAAt(box[0]+6, box[1]+2).A != 0 {
			t.Fatalf("%v: sub-image decode wrote outside its rectangle", box)
		}
		if !turbo {
			continue
		}
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := d.Decode(capture.Packet{Data: data}, box[0], box[1], dst); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: Decode into a reused dst allocates %.1f times per frame, want 0", box, allocs)
		}
	}
}

func TestDecodeScaledInto(t *testing.T) {
	d := newDecoder(t)
	src := barsImage(1920, 1080)
	data := mustEncode(t, src, 85)
	for _, box := range [][2]int{{480, 270}, {640, 360}, {0, 0}} {
		w, h := ScaledSize(1920, 1080, box[0], box[1])
		tw, th := capture.FitSize(1920, 1080, box[0], box[1])
		if w < tw || h < th || w > 1920 || h > 1080 {
			t.Fatalf("ScaledSize(%v) = %dx%d, target %dx%d", box, w, h, tw, th)
		}
		buf := make([]byte, w*h*4)
		if err := d.DecodeScaledInto(data, w, h, buf); err != nil {
			t.Fatalf("DecodeScaledInto %dx%d: %v", w, h, err)
		}
		got := &image.RGBA{Pix: buf, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
		checkMean(t, src, got, 4)
		checkFlatAreas(t, src, got, 14, true)
		if err := d.DecodeScaledInto(data, w, h, buf[:len(buf)-1]); err == nil {
			t.Fatal("short dst accepted")
		}
	}
	if w, h := ScaledSize(1920, 1080, 480, 270); turbo && (w != 480 || h != 270) {
		t.Errorf("ScaledSize 1080p into 480x270 = %dx%d, want the 1/4 scale 480x270", w, h)
	}
	if w, h := ScaledSize(1920, 1080, 640, 360); turbo && (w != 720 || h != 405) {
		t.Errorf("ScaledSize 1080p into 640x360 = %dx%d, want the 3/8 scale 720x405", w, h)
	}
}

// badCases are inputs that must fail with ErrMalformed (or ErrTooLarge), never panic.
func badCases(tb testing.TB) []struct {
	name string
	data []byte
	want error
} {
	good := mustEncode(tb, barsImage(320, 240), 90)
	r := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = uint8(r.Uint32())
	}
	soiGarbage := append([]byte{0xFF, 0xD8}, garbage...)
	return []struct {
		name string
		data []byte
		want error
	}{
		{"nil", nil, capture.ErrMalformed},
		{"empty", []byte{}, capture.ErrMalformed},
		{"text", []byte("<html>401 Unauthorized</html>"), capture.ErrMalformed},
		{"soi only", []byte{0xFF, 0xD8}, capture.ErrMalformed},
		{"soi eoi", []byte{0xFF, 0xD8, 0xFF, 0xD9}, capture.ErrMalformed},
		{"garbage", garbage, capture.ErrMalformed},
		{"soi then garbage", soiGarbage, capture.ErrMalformed},
		{"cut in header", good[:100], capture.ErrMalformed},
		{"cut before scan", good[:sosOffset(tb, good)], capture.ErrMalformed},
		{"oversize 20000x20000", withSize(tb, good, 20000, 20000), capture.ErrTooLarge},
		{"oversize 9000x9000", withSize(tb, good, 9000, 9000), capture.ErrTooLarge},
		{"zero width", withSize(tb, good, 0, 240), capture.ErrMalformed},
	}
}

// sosOffset finds the start-of-scan marker.
func sosOffset(tb testing.TB, data []byte) int {
	i := bytes.Index(data, []byte{0xFF, 0xDA})
	if i < 0 {
		tb.Fatal("no SOS marker")
	}
	return i
}

// newDecoder is a Decoder closed when the test ends.
func newDecoder(tb testing.TB) *Decoder {
	tb.Helper()
	d, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// withSize rewrites the baseline frame header's (SOF0) declared size.
func withSize(tb testing.TB, data []byte, w, h int) []byte {
	return withSizeAt(tb, data, 0xC0, w, h)
}

// withSizeSOF2 rewrites the progressive frame header's (SOF2) declared size.
func withSizeSOF2(tb testing.TB, data []byte, w, h int) []byte {
	return withSizeAt(tb, data, 0xC2, w, h)
}

// withSizeAt rewrites the declared size in the frame header with marker 0xFF sof.
func withSizeAt(tb testing.TB, data []byte, sof byte, w, h int) []byte {
	out := bytes.Clone(data)
	i := bytes.Index(out, []byte{0xFF, sof})
	if i < 0 {
		tb.Fatalf("no SOF%d marker", sof-0xC0)
	}
	out[i+5], out[i+6] = byte(h>>8), byte(h)
	out[i+7], out[i+8] = byte(w>>8), byte(w)
	return out
}

func TestDecodeBadInput(t *testing.T) {
	d := newDecoder(t)
	good := mustEncode(t, barsImage(64, 48), 90)
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			img, err := d.Decode(capture.Packet{Data: c.data}, 480, 270, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("Decode: %v, %v; want an error wrapping %v", img, err, c.want)
			}
			// A broken frame must not break the next good one.
			if _, err := d.Decode(capture.Packet{Data: good}, 480, 270, nil); err != nil {
				t.Fatalf("good frame after the bad one: %v", err)
			}
			if _, _, err := Header(c.data); c.want == capture.ErrTooLarge && !errors.Is(err, c.want) {
				t.Fatalf("Header: %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeProgressiveLimit(t *testing.T) {
	data := withSizeSOF2(t, readTestdata(t, "bars_progressive.jpg"), 5000, 5000)
	d := newDecoder(t)
	if _, err := d.Decode(capture.Packet{Data: data}, 320, 180, nil); !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("progressive 5000x5000: %v, want ErrTooLarge", err)
	}
}

// Cameras send frames cut short or with stray bytes; libjpeg decodes those with a warning
// and so must we (the damaged part comes out grey). image/jpeg refuses a cut frame.
func TestDecodeDamagedButUsable(t *testing.T) {
	d := newDecoder(t)
	src := barsImage(640, 480)
	good := mustEncode(t, src, 90)

	truncated := good[:len(good)*2/3]
	img, err := d.Decode(capture.Packet{Data: truncated}, 320, 240, nil)
	if turbo {
		if err != nil {
			t.Fatalf("truncated frame: %v, want the picture", err)
		}
		// The top rows decoded before the cut must match the source.
		checkFlatAreas(t, src.SubImage(image.Rect(0, 0, 640, 160)), img.SubImage(image.Rect(0, 0, 320, 80)).(*image.RGBA), 14, true)
		if n, last := d.Warnings(); n != 1 || last == "" {
			t.Fatalf("Warnings() = %d, %q after one truncated frame", n, last)
		}
	} else if !errors.Is(err, capture.ErrMalformed) {
		t.Fatalf("truncated frame: %v, want ErrMalformed", err)
	}

	// Stray bytes between two header segments (libjpeg: "extraneous bytes before marker").
	sos := sosOffset(t, good)
	stray := append(append(bytes.Clone(good[:sos]), 0x00, 0x11, 0x22), good[sos:]...)
	img, err = d.Decode(capture.Packet{Data: stray}, 320, 240, nil)
	if err != nil {
		t.Fatalf("stray bytes: %v, want the picture", err)
	}
	checkFlatAreas(t, src, img, 14, true)

	// Trailing bytes after the end-of-image marker are ignored.
	trailing := append(bytes.Clone(good), make([]byte, 100)...)
	if _, err := d.Decode(capture.Packet{Data: trailing}, 320, 240, nil); err != nil {
		t.Fatalf("trailing bytes: %v", err)
	}
}

func TestHeader(t *testing.T) {
	for _, c := range goodCases(t) {
		w, h, err := Header(c.data)
		b := c.ref.Bounds()
		if err != nil || w != b.Dx() || h != b.Dy() {
			t.Errorf("%s: Header = %d, %d, %v; want %dx%d", c.name, w, h, err, b.Dx(), b.Dy())
		}
	}
	for _, c := range badCases(t) {
		if _, _, err := Header(c.data); err == nil && c.name != "cut before scan" {
			t.Errorf("%s: Header accepted it", c.name)
		}
	}
}

func TestClosedDecoder(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	data := mustEncode(t, barsImage(64, 64), 80)
	if _, err := d.Decode(capture.Packet{Data: data}, 0, 0, nil); err == nil {
		t.Fatal("Decode after Close succeeded")
	}
}

func TestEncode(t *testing.T) {
	src := barsImage(321, 241)
	for _, img := range []image.Image{src, grayOf(src), src.SubImage(image.Rect(1, 1, 300, 200)),
		image.NewNRGBA(image.Rect(0, 0, 17, 9))} {
		data, err := Encode(img, 90)
		if err != nil {
			t.Fatalf("%T: %v", img, err)
		}
		w, h, err := Header(data)
		if err != nil || w != img.Bounds().Dx() || h != img.Bounds().Dy() {
			t.Fatalf("%T: Header = %d, %d, %v", img, w, h, err)
		}
	}
	if _, err := Encode(image.NewRGBA(image.Rectangle{}), 90); err == nil {
		t.Fatal("empty picture encoded")
	}
}

// maxFuzzSeed is the largest seed FuzzDecode starts from. Coverage-guided fuzzing minimizes
// every input that finds new coverage before it reports it (for up to -fuzzminimizetime,
// 60 s by default), one decode per candidate: from the 26-76 KB pictures of the good table
// that took longer than a 20 s -fuzztime, and the fuzzer looked stalled at a few dozen
// execs. Small seeds of every kind keep an exec well under a millisecond.
const maxFuzzSeed = 6 << 10

// FuzzDecode feeds arbitrary bytes to Decode and Header: errors of a known kind
// (malformed, too large, unsupported by design: e.g. a lossless SOF7) are fine, panics and
// out-of-bounds writes are not. Its seeds (the small ones of the good and bad tables, and
// small 4:2:0 and grayscale pictures) run with every go test.
func FuzzDecode(f *testing.F) {
	for _, c := range goodCases(f) {
		if len(c.data) <= maxFuzzSeed {
			f.Add(c.data)
		}
	}
	for _, c := range badCases(f) {
		if len(c.data) <= maxFuzzSeed {
			f.Add(c.data)
		}
	}
	f.Add(mustEncode(f, barsImage(49, 33), 90))
	f.Add(mustEncode(f, grayOf(barsImage(49, 33)), 90))
	f.Add(mustEncode(f, noiseImage(23, 17, 3), 90))
	d, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		hw, hh, herr := Header(data)
		for _, box := range [][2]int{{320, 180}, {97, 61}} {
			img, err := d.Decode(capture.Packet{Data: data}, box[0], box[1], nil)
			if err != nil {
				if !errors.Is(err, capture.ErrMalformed) && !errors.Is(err, capture.ErrTooLarge) && !errors.Is(err, capture.ErrUnsupported) {
					t.Fatalf("error of no known kind: %v", err)
				}
				continue
			}
			if herr == nil {
				if w, h := capture.FitSize(hw, hh, box[0], box[1]); img.Rect.Dx() != w || img.Rect.Dy() != h {
					t.Fatalf("decoded %v, Header says %dx%d so want %dx%d", img.Rect, hw, hh, w, h)
				}
			}
		}
	})
}
