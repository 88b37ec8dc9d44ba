// Package analyticstest makes pictures with scripted motion for tests of the analyzers
// and of what shows their events.
package analyticstest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Walk is n JPEG frames, w×h, of a still scene with sensor noise in which a bright,
// person-sized block crosses from left to right in frames [from, to): served in a loop,
// a scripted passer-by.
func Walk(n, from, to, w, h int) [][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var out [][]byte
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				v := uint8(70 + 80*x/w + 30*y/h + rng.IntN(9))
				img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			}
		}
		if i >= from && i < to {
			bw, x0 := w/13, w/10+(w*5/8)*(i-from)/(to-from)
			for y := h / 3; y < h*5/6; y++ {
				for x := x0; x < x0+bw; x++ {
					img.SetRGBA(x, y, color.RGBA{240, 240, 240, 255})
				}
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			panic(err) // a bytes.Buffer does not fail
		}
		out = append(out, b.Bytes())
	}
	return out
}

// Textured is a still w×h luma picture with edges for a contrast stretch to keep:
// gradients and a coarse 8×6 checker, the background the analyzers' tests draw their
// noise, light changes and passers-by on.
func Textured(w, h int) []uint8 {
	back := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			v := 60 + 80*x/w + 40*y/h
			if (x/(w/8)+y/(h/6))%2 == 0 {
				v += 25
			}
			back[y*w+x] = uint8(v)
		}
	}
	return back
}

// ONNXIdentity writes the smallest ONNX model into a test's temporary folder and returns
// its path: one Identity node from a float input of shape 1×3×size×size to the output,
// encoded by hand with the protobuf wire format (field numbers from onnx.proto), so no
// tool is needed to make it. Its output is its input: 3×size×size values, which read as
// rows of 7 detections when size is a multiple of 7.
func ONNXIdentity(t testing.TB, size int) string {
	t.Helper()
	varint := func(v uint64) []byte { return binary.AppendUvarint(nil, v) }
	field := func(num int, wire int, payload []byte) []byte {
		b := varint(uint64(num<<3 | wire))
		if wire == 2 {
			b = append(b, varint(uint64(len(payload)))...)
		}
		return append(b, payload...)
	}
	str := func(num int, s string) []byte { return field(num, 2, []byte(s)) }
	msg := func(num int, parts ...[]byte) []byte { return field(num, 2, bytes.Join(parts, nil)) }
	num := func(num int, v uint64) []byte { return field(num, 0, varint(v)) }
	dim := func(v int) []byte { return msg(1, num(1, uint64(v))) }
	tensor := func(nameField int, name string) []byte {
		// ValueInfoProto{name, type: TypeProto{tensor_type{elem_type FLOAT, shape}}}
		return msg(nameField, str(1, name), msg(2, msg(1, num(1, 1), msg(2, dim(1), dim(3), dim(size), dim(size)))))
	}
	graph := msg(7,
		msg(1, str(1, "data"), str(2, "out"), str(4, "Identity")), // NodeProto
		str(2, "vigil-test"),
		tensor(11, "data"),
		tensor(12, "out"))
	model := bytes.Join([][]byte{num(1, 7), str(2, "vigil"), graph, msg(8, num(2, 13))}, nil)
	path := filepath.Join(t.TempDir(), "identity.onnx")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
