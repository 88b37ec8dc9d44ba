//go:build cgo

package avdec

import (
	"fmt"
	"image"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
)

// benchDecode decodes the stream's packets in a loop (it starts with a key unit, so the
// loop restarts cleanly) into a reused w×h destination and reports ns/frame.
func benchDecode(b *testing.B, pkts []capture.Packet, w, h int, scaler int) {
	d := newDecoder(b, pkts[0].Codec)
	if scaler != 0 {
		d.setScaler(_Ctype_int(scaler))
	}
	var dst *image.RGBA
	frames := 0
	// CPU time of this thread, so a busy shared machine inflates the numbers less than
	// wall time; the decode runs on the locked thread (one libavcodec thread).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img, err := d.Decode(pkts[i%len(pkts)], w, h, dst)
		if err != nil {
			b.Fatal(err)
		}
		if img != nil {
			dst = img
			frames++
		}
	}
	b.StopTimer()
	cpu := threadCPU() - cpu0
	if frames > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(frames), "cpu-ns/frame")
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDecode1080pTo480x270 is the wall's case: a 1080p camera in a 480×270 tile, I and
// P frames, one thread. Compare with
// `ffmpeg -threads 1 -i f.h264 -vf scale=480:270 -pix_fmt rgba -f null -`.
func BenchmarkDecode1080pTo480x270(b *testing.B) {
	for _, c := range codecs {
		pkts := avdectest.Encode(b, avdectest.Stream{Codec: c, Width: 1920, Height: 1080, Frames: 30})
		for _, s := range []struct {
			name  string
			flags int
		}{{"bilinear", scaleBilinear}, {"area", scaleArea}, {"fast_bilinear", scaleFastBilinear}} {
			b.Run(fmt.Sprintf("%s/%s", c, s.name), func(b *testing.B) { benchDecode(b, pkts, 480, 270, s.flags) })
		}
		b.Run(string(c)+"/full_size", func(b *testing.B) { benchDecode(b, pkts, 0, 0, 0) })
	}
}

// BenchmarkScale1080pTo480x270 is the libswscale step alone: the same decoded 1080p picture
// converted to a 480×270 RGBA tile with each filter.
func BenchmarkScale1080pTo480x270(b *testing.B) {
	pkts := avdectest.Encode(b, avdectest.Stream{Codec: capture.CodecH264, Width: 1920, Height: 1080, Frames: 1})
	for _, s := range []struct {
		name  string
		flags int
	}{{"bilinear", scaleBilinear}, {"area", scaleArea}, {"fast_bilinear", scaleFastBilinear}} {
		b.Run(s.name, func(b *testing.B) {
			d := newDecoder(b, capture.CodecH264)
			d.setScaler(_Ctype_int(s.flags))
			dst, err := d.Decode(pkts[0], 480, 270, nil)
			if err != nil || dst == nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := d.rescale(dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestScalerQuality measures each filter's 1080p → 480×270 tile against a 4×4 box average
// of the full-size decode (mean absolute error in levels) on testsrc2's sharp edges and
// text, and holds the chosen one to it.
func TestScalerQuality(t *testing.T) {
	pkts := avdectest.Encode(t, avdectest.Stream{Codec: capture.CodecH264, Width: 1920, Height: 1080, Frames: 1, Preset: "ultrafast"})
	full := decodeAll(t, newDecoder(t, capture.CodecH264), pkts, 0, 0)[0]
	ref := image.NewRGBA(image.Rect(0, 0, 480, 270))
	for y := 0; y < 270; y++ {
		for x := 0; x < 480; x++ {
			for ch := 0; ch < 3; ch++ {
				sum := 0
				for dy := 0; dy < 4; dy++ {
					for dx := 0; dx < 4; dx++ {
						sum += int(full.Pix[full.PixOffset(4*x+dx, 4*y+dy)+ch])
					}
				}
				ref.Pix[ref.PixOffset(x, y)+ch] = uint8((sum + 8) / 16)
			}
		}
	}
	for _, s := range []struct {
		name  string
		flags int
		limit float64
	}{{"bilinear", scaleBilinear, 100}, {"area", scaleArea, 2}, {"fast_bilinear", scaleFastBilinear, 100}} {
		d := newDecoder(t, capture.CodecH264)
		d.setScaler(_Ctype_int(s.flags))
		img := decodeAll(t, d, pkts, 480, 270)[0]
		sum := 0
		for y := 0; y < 270; y++ {
			for x := 0; x < 480; x++ {
				for ch := 0; ch < 3; ch++ {
					sum += abs(int(img.Pix[img.PixOffset(x, y)+ch]) - int(ref.Pix[ref.PixOffset(x, y)+ch]))
				}
			}
		}
		mean := float64(sum) / (480 * 270 * 3)
		t.Logf("%s: mean error %.2f levels against a box average", s.name, mean)
		if mean > s.limit {
			t.Errorf("%s: mean error %.2f, over %.1f", s.name, mean, s.limit)
		}
	}
}

// threadCPU is the calling OS thread's user+system CPU time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
