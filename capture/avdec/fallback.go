//go:build !cgo

package avdec

import (
	"errors"
	"fmt"
	"image"

	"github.com/vigil-cctv/vigil/capture"
)

// Decoder is the cgo-free stand-in: it cannot be made, New always fails. It exists so
// packages that wire decoders build with CGO_ENABLED=0.
type Decoder struct{}

var errNoCgo = errors.New("H.264/H.265 decoding needs a cgo build with libavcodec (this binary was built with CGO_ENABLED=0; rebuild with cgo and libavcodec-dev, libswscale-dev installed)")

// New always fails in a build without cgo.
func New(codec capture.Codec) (*Decoder, error) { return NewWithOptions(codec, Options{}) }

// NewWithOptions always fails in a build without cgo.
func NewWithOptions(codec capture.Codec, _ Options) (*Decoder, error) {
	if codec != capture.CodecH264 && codec != capture.CodecH265 {
		return nil, fmt.Errorf("avdec: unsupported codec %q (H.264 and H.265 only): %w", codec, capture.ErrNotVideo)
	}
	return nil, fmt.Errorf("avdec: %s: %w", codec, errNoCgo)
}

// Decode never succeeds: a Decoder cannot be made without cgo.
func (d *Decoder) Decode(capture.Packet, int, int, *image.RGBA) (*image.RGBA, error) {
	return nil, errNoCgo
}

// Close does nothing.
func (d *Decoder) Close() error { return nil }

// SetBehind does nothing.
func (d *Decoder) SetBehind(bool) {}

// Skipped is always 0.
func (d *Decoder) Skipped() uint64 { return 0 }

// SourceSize is always 0×0.
func (d *Decoder) SourceSize() (w, h int) { return 0, 0 }
