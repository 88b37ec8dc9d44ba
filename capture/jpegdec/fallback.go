//go:build !cgo

package jpegdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"

	"github.com/vigil-cctv/vigil/capture"
)

// turbo reports that this build decodes with libjpeg-turbo; this one uses image/jpeg.
const turbo = false

// Decoder decodes JPEGs with the standard library: a full-size decode, conversion to RGBA,
// then the package's area-average downscaler. It is the cgo-free stand-in for the
// libjpeg-turbo Decoder, with the same API and several times its cost per frame.
type Decoder struct {
	full   *image.RGBA // the full-size RGBA picture waiting to be downscaled
	ds     downscaler
	closed bool
	// srcW and srcH are the last decoded picture's size (SourceSize).
	srcW, srcH int
}

// New makes a Decoder.
func New() (*Decoder, error) { return &Decoder{}, nil }

// Close releases the Decoder's buffers. It is safe to call more than once.
func (d *Decoder) Close() error {
	d.closed, d.full = true, nil
	return nil
}

var errClosed = errors.New("jpeg decoder used after Close")

// Decode decodes p.Data to capture.FitSize of the picture into a w×h box (see
// capture.FrameDecoder), into dst when it already has that size. Errors wrap
// capture.ErrMalformed for bytes that do not decode (image/jpeg, unlike libjpeg, refuses
// truncated frames) and capture.ErrTooLarge for a picture over MaxSide or MaxPixels, checked
// before decoding.
func (d *Decoder) Decode(p capture.Packet, w, h int, dst *image.RGBA) (*image.RGBA, error) {
	src, err := d.decode(p.Data)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	d.srcW, d.srcH = b.Dx(), b.Dy()
	tw, th := capture.FitSize(b.Dx(), b.Dy(), w, h)
	out := dst
	if out == nil || !fitsInto(out.Pix, out.Stride, out.Rect.Dx(), out.Rect.Dy(), tw, th) {
		out = image.NewRGBA(image.Rect(0, 0, tw, th))
	}
	d.scaleInto(src, out.Pix, out.Stride, tw, th)
	return out, nil
}

// SourceSize is the size of the last picture Decode decoded, 0×0 before any.
func (d *Decoder) SourceSize() (w, h int) { return d.srcW, d.srcH }

// DecodeScaledInto decodes data and scales it to exactly w×h (at most the picture's size)
// into dst as tightly packed RGBA (len(dst) >= w*h*4). In the libjpeg-turbo build it is the
// benchmark floor, a bare DCT-scaled decode; here it is a full decode plus downscale.
func (d *Decoder) DecodeScaledInto(data []byte, w, h int, dst []byte) error {
	src, err := d.decode(data)
	if err != nil {
		return err
	}
	b := src.Bounds()
	if w < 1 || h < 1 || w > b.Dx() || h > b.Dy() {
		return fmt.Errorf("decode jpeg at %d×%d: the picture is %d×%d", w, h, b.Dx(), b.Dy())
	}
	if len(dst) < w*h*4 {
		return fmt.Errorf("decode jpeg at %d×%d: destination holds %d bytes, needs %d", w, h, len(dst), w*h*4)
	}
	d.scaleInto(src, dst, w*4, w, h)
	return nil
}

// ScaledSize is the size Decode decodes a srcW×srcH picture at before downscaling. Without
// libjpeg-turbo there is no DCT scaling, so it is capture.FitSize itself.
func ScaledSize(srcW, srcH, w, h int) (int, int) { return capture.FitSize(srcW, srcH, w, h) }

// Warnings reports pictures decoded despite damage; image/jpeg never does that, so it is
// always zero.
func (d *Decoder) Warnings() (count uint64, last string) { return 0, "" }

func (d *Decoder) decode(data []byte) (image.Image, error) {
	if d.closed {
		return nil, errClosed
	}
	if _, _, err := Header(data); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		kind := capture.ErrMalformed
		if errors.As(err, new(jpeg.UnsupportedError)) { // 12-bit, a 4-component JPEG without its Adobe marker, …
			kind = capture.ErrUnsupported
		}
		return nil, fmt.Errorf("decode jpeg (%d bytes): %v: %w", len(data), err, kind)
	}
	if b := img.Bounds(); checkSize(b.Dx(), b.Dy()) != nil {
		return nil, checkSize(b.Dx(), b.Dy())
	}
	return img, nil
}

// scaleInto converts src to RGBA into dst (w×h, rows stride bytes apart), through the
// full-size buffer and the downscaler when w×h is smaller than src.
func (d *Decoder) scaleInto(src image.Image, dst []byte, stride, w, h int) {
	b := src.Bounds()
	target := &image.RGBA{Pix: dst, Stride: stride, Rect: image.Rect(0, 0, w, h)}
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(target, target.Rect, src, b.Min, draw.Src)
		return
	}
	if d.full == nil || d.full.Rect.Dx() != b.Dx() || d.full.Rect.Dy() != b.Dy() {
		d.full = &image.RGBA{Pix: grow(pixOf(d.full), b.Dx()*b.Dy()*4), Stride: b.Dx() * 4, Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	}
	draw.Draw(d.full, d.full.Rect, src, b.Min, draw.Src)
	d.ds.downscaleOpaque(dst, stride, w, h, d.full.Pix, d.full.Stride, b.Dx(), b.Dy())
}

func pixOf(m *image.RGBA) []byte {
	if m == nil {
		return nil
	}
	return m.Pix
}

// Encode compresses img as a JPEG at quality 1..100 (clamped) with image/jpeg: 4:2:0 chroma
// for colour pictures, grayscale for *image.Gray.
func Encode(img image.Image, quality int) ([]byte, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("encode jpeg: empty %v picture", b)
	}
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(b.Dx() * b.Dy() / 4)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: min(max(quality, 1), 100)}); err != nil {
		return nil, fmt.Errorf("encode jpeg %d×%d: %w", b.Dx(), b.Dy(), err)
	}
	return buf.Bytes(), nil
}

// OutputSize is the size Decode produces for a srcW×srcH picture asked into a w×h box;
// without DCT scaling it is capture.FitSize itself.
func OutputSize(srcW, srcH, w, h int) (int, int) { return capture.FitSize(srcW, srcH, w, h) }
