package mjpegtest

import (
	"bytes"
	"image"
	"image/jpeg"
)

// ClaimingJPEG returns a tiny JPEG (an 8×8 grey picture, a few hundred bytes) whose frame
// header claims w×h (at most 65535 a side): what a hostile or broken camera sends to make
// a decoder that trusts the header allocate w×h×4 bytes. Decoders see the entropy data
// end early and paint the rest grey. progressive marks the frame SOF2 (progressive DCT),
// for which libjpeg keeps whole-image coefficient buffers.
func ClaimingJPEG(w, h int, progressive bool) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 4)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	data := b.Bytes()
	// image/jpeg writes one baseline SOF0: FF C0, length, precision, height, width.
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 || i+9 > len(data) {
		panic("mjpegtest: no SOF0 in image/jpeg's output")
	}
	if progressive {
		data[i+1] = 0xC2
	}
	data[i+5], data[i+6] = byte(h>>8), byte(h)
	data[i+7], data[i+8] = byte(w>>8), byte(w)
	return data
}
