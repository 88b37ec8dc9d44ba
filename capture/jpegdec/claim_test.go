//go:build cgo

package jpegdec

import (
	"bytes"
	"errors"
	"image"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

// claimSize rewrites the frame header of a baseline JPEG to claim w×h (SOF2, progressive,
// when asked): a few hundred bytes that claim a huge picture.
func claimSize(t *testing.T, data []byte, w, h int, progressive bool) []byte {
	t.Helper()
	data = bytes.Clone(data)
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 || i+9 > len(data) {
		t.Fatal("no SOF0 in the encoded JPEG")
	}
	if progressive {
		data[i+1] = 0xC2
	}
	data[i+5], data[i+6], data[i+7], data[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	return data
}

// procKB reads a "VmXXX:  N kB" line of /proc/self/status.
func procKB(t *testing.T, key string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Skip("no", key, "in /proc/self/status")
	return 0
}

// TestClaimedHugePictureIntoABox: a tiny JPEG claiming 8192×8192 decodes into a
// capture.ProbeDecodeBox box at a DCT scale, with the claimed size from SourceSize and a
// peak memory of tens of MB, not the 256 MB a full-size RGBA would take. Its progressive
// twin is refused before anything is allocated (libjpeg would keep every coefficient).
func TestClaimedHugePictureIntoABox(t *testing.T) {
	small := mustEncode(t, image.NewGray(image.Rect(0, 0, 16, 16)), 50)
	data := claimSize(t, small, 8192, 8192, false)
	d := newDecoder(t)
	// Reset the peak RSS (Linux: "5" to clear_refs), so VmHWM is this decode's peak.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skip("cannot reset the peak RSS:", err)
	}
	before := procKB(t, "VmRSS")
	img, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: data}, capture.ProbeDecodeBox, capture.ProbeDecodeBox, nil)
	peak := procKB(t, "VmHWM")
	if err != nil {
		t.Fatalf("decode of a %d-byte JPEG claiming 8192×8192: %v", len(data), err)
	}
	if b := img.Rect; b.Dx() > capture.ProbeDecodeBox || b.Dy() > capture.ProbeDecodeBox {
		t.Fatalf("picture %v, over the box", b)
	}
	if w, h := d.SourceSize(); w != 8192 || h != 8192 {
		t.Fatalf("SourceSize %d×%d, want the claimed 8192×8192", w, h)
	}
	grew := (peak - before) / 1024
	t.Logf("%d-byte JPEG claiming 8192×8192 → %v; peak RSS grew %d MB", len(data), img.Rect.Size(), grew)
	if grew > 80 {
		t.Fatalf("peak RSS grew %d MB decoding into a %d box", grew, capture.ProbeDecodeBox)
	}

	prog := claimSize(t, small, 8192, 8192, true)
	if _, err := d.Decode(capture.Packet{Codec: capture.CodecJPEG, Data: prog}, capture.ProbeDecodeBox, capture.ProbeDecodeBox, nil); !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("progressive 8192×8192: err %v, want ErrTooLarge", err)
	}
}
