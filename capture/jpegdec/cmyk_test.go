package jpegdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// cmykJPEG converts testdata/bars.png to a CMYK JPEG with ImageMagick (what a camera or a
// print workflow writes: 4 components, Adobe APP14 marker, inverted samples). It skips
// the test where ImageMagick is missing.
func cmykJPEG(t *testing.T, extra ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("convert")
	if err != nil {
		t.Skip("ImageMagick's convert is not installed: it makes the CMYK JPEG")
	}
	out := filepath.Join(t.TempDir(), "cmyk.jpg")
	args := append([]string{filepath.Join("testdata", "bars.png"), "-colorspace", "CMYK", "-quality", "95"}, extra...)
	if b, err := exec.Command(bin, append(args, out)...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := sofComponents(data); n != 4 {
		t.Fatalf("convert wrote a JPEG of %d components, want CMYK (4)", n)
	}
	return data
}

// sofComponents is the number of components the first frame header declares.
func sofComponents(data []byte) int {
	for i := 2; i+9 < len(data); {
		if data[i] != 0xFF {
			return -1
		}
		m, n := data[i+1], int(data[i+2])<<8|int(data[i+3])
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			return int(data[i+9])
		}
		i += 2 + n
	}
	return -1
}

// TestDecodeCMYK: a CMYK JPEG decodes to the colours it was made from, at full size and
// at the DCT-scaled and resized sizes a tile asks for (issue 10: it was reported as
// "malformed").
func TestDecodeCMYK(t *testing.T) {
	ref, err := png.Decode(bytes.NewReader(readTestdata(t, "bars.png")))
	if err != nil {
		t.Fatal(err)
	}
	d := newDecoder(t)
	for _, sampling := range [][]string{nil, {"-sampling-factor", "2x2,1x1,1x1,2x2"}} { // 4:4:4 and 4:2:0 (K at full size)
		data := cmykJPEG(t, sampling...)
		for _, box := range boxes {
			t.Run(fmt.Sprintf("%v/%dx%d", sampling, box[0], box[1]), func(t *testing.T) {
				got, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: data}, box[0], box[1], nil)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				rb := ref.Bounds()
				ww, wh := OutputSize(rb.Dx(), rb.Dy(), box[0], box[1])
				if got.Rect != image.Rect(0, 0, ww, wh) {
					t.Fatalf("got %v, want %dx%d", got.Rect, ww, wh)
				}
				checkOpaque(t, got)
				checkMean(t, ref, got, 8)
				checkFlatAreas(t, ref, got, 20, ww >= 100)
			})
		}
	}
}

// TestDecodeUnsupportedIsNotMalformed: a JPEG this build cannot decode by design is
// reported as unsupported, not as a broken stream. A 4-component JPEG without its Adobe
// marker is one for image/jpeg; libjpeg-turbo reads it as CMYK.
func TestDecodeUnsupportedIsNotMalformed(t *testing.T) {
	data := withoutAdobeMarker(t, cmykJPEG(t))
	d := newDecoder(t)
	_, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: data}, 0, 0, nil)
	switch {
	case turbo && err != nil:
		t.Fatalf("libjpeg-turbo: %v", err)
	case !turbo && (!errors.Is(err, capture.ErrUnsupported) || errors.Is(err, capture.ErrMalformed)):
		t.Fatalf("image/jpeg: %v, want unsupported", err)
	}
}

// withoutAdobeMarker drops the APP14 "Adobe" segment.
func withoutAdobeMarker(t *testing.T, data []byte) []byte {
	t.Helper()
	for i := 2; i+4 < len(data) && data[i] == 0xFF && data[i+1] != 0xDA; {
		n := int(data[i+2])<<8 | int(data[i+3])
		if data[i+1] == 0xEE && bytes.HasPrefix(data[i+4:], []byte("Adobe")) {
			return append(append([]byte(nil), data[:i]...), data[i+2+n:]...)
		}
		i += 2 + n
	}
	t.Fatal("no Adobe marker in the CMYK JPEG")
	return nil
}

// TestDecodeYCCK: a YCCK JPEG (Adobe transform 2: the C, M and Y planes stored as YCbCr)
// decodes as image/jpeg decodes it. The CMYK JPEG's planes relabelled as YCCK make one:
// its colours are not the bars', but both decoders must agree on them.
func TestDecodeYCCK(t *testing.T) {
	data := bytes.Clone(cmykJPEG(t))
	set := false
	for i := 2; i+16 < len(data) && data[i] == 0xFF && data[i+1] != 0xDA; {
		n := int(data[i+2])<<8 | int(data[i+3])
		if data[i+1] == 0xEE && bytes.HasPrefix(data[i+4:], []byte("Adobe")) {
			data[i+4+11], set = 2, true
		}
		i += 2 + n
	}
	if !set {
		t.Fatal("no Adobe marker in the CMYK JPEG")
	}
	ref, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	d := newDecoder(t)
	got, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: data}, 0, 0, nil)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	checkOpaque(t, got)
	checkMean(t, ref, got, 3)
	checkFlatAreas(t, ref, got, 12, true)
}
