//go:build cgo

package avdec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
)

var codecs = []capture.Codec{capture.CodecH264, capture.CodecH265}

func newDecoder(t testing.TB, c capture.Codec) *Decoder {
	t.Helper()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// decodeAll decodes every packet into a w×h box and returns the pictures, failing t on an
// error.
func decodeAll(t testing.TB, d *Decoder, pkts []capture.Packet, w, h int) []*image.RGBA {
	t.Helper()
	var out []*image.RGBA
	for i, p := range pkts {
		img, err := d.Decode(p, w, h, nil)
		if err != nil {
			t.Fatalf("packet %d (key %v): %v", i, p.Key, err)
		}
		if img != nil {
			out = append(out, img)
		}
	}
	return out
}

func TestNewRefusesOtherCodecs(t *testing.T) {
	for _, c := range []capture.Codec{capture.CodecJPEG, "vp8", ""} {
		d, err := New(c)
		if !errors.Is(err, capture.ErrNotVideo) || d != nil {
			t.Errorf("New(%q) = %v, %v; want an error wrapping ErrNotVideo", c, d, err)
		}
	}
	if fd, err := NewFrameDecoder(capture.CodecJPEG); fd != nil || err == nil {
		t.Errorf("NewFrameDecoder(jpeg) = %v, %v; want a nil interface and an error", fd, err)
	}
}

// TestSizes decodes 1080p into the boxes tiles ask for, checking the output size, that every
// access unit of an I/P stream gives its picture at once (no decoder delay), that the alpha
// is opaque, and that the scaler writes nothing past the destination.
func TestSizes(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: 1920, Height: 1080, Frames: 3, Preset: "ultrafast"})
			for _, box := range []struct{ w, h, ow, oh int }{
				{480, 270, 480, 270},
				{0, 0, 1920, 1080},
				{4000, 3000, 1920, 1080},
				{333, 333, 333, 187},
				{101, 57, 101, 57},
				{641, 1000, 641, 361},
				{1, 1, 1, 1},
			} {
				d := newDecoder(t, c)
				n := 0
				for i, p := range pkts {
					// A destination of the right size whose slice is followed by guard bytes.
					size := box.ow * box.oh * 4
					buf := bytes.Repeat([]byte{0x5a}, size+256)
					dst := &image.RGBA{Pix: buf[:size:size], Stride: box.ow * 4, Rect: image.Rect(0, 0, box.ow, box.oh)}
					img, err := d.Decode(p, box.w, box.h, dst)
					if err != nil {
						t.Fatalf("box %dx%d packet %d: %v", box.w, box.h, i, err)
					}
					if img == nil {
						t.Fatalf("box %dx%d packet %d: no picture; an I/P stream must decode without delay", box.w, box.h, i)
					}
					n++
					if got := img.Bounds().Size(); got != image.Pt(box.ow, box.oh) {
						t.Fatalf("box %dx%d: got %v, want %dx%d", box.w, box.h, got, box.ow, box.oh)
					}
					if img != dst {
						t.Errorf("box %dx%d: a destination of the right size was not reused", box.w, box.h)
					}
					if !bytes.Equal(buf[size:], bytes.Repeat([]byte{0x5a}, 256)) {
						t.Fatalf("box %dx%d: bytes past the destination were overwritten", box.w, box.h)
					}
					for i := 3; i < len(img.Pix); i += 4 {
						if img.Pix[i] != 0xff {
							t.Fatalf("box %dx%d: alpha %d at byte %d", box.w, box.h, img.Pix[i], i)
						}
					}
				}
				if n != len(pkts) {
					t.Errorf("got %d pictures from %d packets", n, len(pkts))
				}
				if w, h := d.SourceSize(); w != 1920 || h != 1080 {
					t.Errorf("SourceSize %dx%d", w, h)
				}
			}
		})
	}
}

func TestDestinationReuse(t *testing.T) {
	pkts := avdectest.EncodeH264(t, 320, 240, 15, 4, 0)
	d := newDecoder(t, capture.CodecH264)
	first, err := d.Decode(pkts[0], 160, 160, nil)
	if err != nil || first == nil || first.Bounds().Size() != image.Pt(160, 120) {
		t.Fatalf("first decode: %v, %v", first, err)
	}
	same, err := d.Decode(pkts[1], 160, 160, first)
	if err != nil || same != first {
		t.Fatalf("a destination of the right size was not reused: %p vs %p, %v", same, first, err)
	}
	other, err := d.Decode(pkts[2], 80, 80, first) // wrong size: a new picture
	if err != nil || other == first || other.Bounds().Size() != image.Pt(80, 60) {
		t.Fatalf("wrong-size destination: got %p (%v), %v", other, other.Bounds(), err)
	}
	// An offset sub-image of the right size is written in place.
	big := image.NewRGBA(image.Rect(0, 0, 200, 100))
	sub := big.SubImage(image.Rect(10, 20, 90, 80)).(*image.RGBA)
	got, err := d.Decode(pkts[3], 80, 80, sub)
	if err != nil || got != sub {
		t.Fatalf("sub-image destination: %p vs %p, %v", got, sub, err)
	}
	if big.Pix[3] != 0 || big.RGBAAt(10, 20).A != 0xff || big.RGBAAt(89, 79).A != 0xff || big.RGBAAt(90, 79).A != 0 {
		t.Error("sub-image destination written outside its rectangle")
	}
}

// TestColour encodes a plain red picture in the pixel formats cameras send (limited and full
// range, 4:2:0, 4:2:2, 4:4:4, 10 bits) and checks it decodes red: a wrong range or matrix
// shows as a dull or tinted red.
func TestColour(t *testing.T) {
	cases := []struct {
		codec  capture.Codec
		pixfmt string
	}{
		{capture.CodecH264, "yuv420p"},
		{capture.CodecH264, "yuvj420p"},
		{capture.CodecH264, "yuv422p"},
		{capture.CodecH264, "yuv444p"},
		{capture.CodecH265, "yuv420p"},
		{capture.CodecH265, "yuv420p10le"},
	}
	for _, tc := range cases {
		for _, colour := range []struct {
			name    string
			r, g, b int
		}{{"red", 255, 0, 0}, {"0x3080c0", 0x30, 0x80, 0xc0}} {
			t.Run(fmt.Sprintf("%s/%s/%s", tc.codec, tc.pixfmt, colour.name), func(t *testing.T) {
				pkts := avdectest.Encode(t, avdectest.Stream{Codec: tc.codec, Width: 96, Height: 64, Frames: 1,
					Source: "color=c=" + colour.name, PixFmt: tc.pixfmt})
				d := newDecoder(t, tc.codec)
				imgs := decodeAll(t, d, pkts, 48, 32)
				if len(imgs) != 1 {
					t.Fatalf("%d pictures", len(imgs))
				}
				c := imgs[0].RGBAAt(24, 16)
				const tol = 6
				if abs(int(c.R)-colour.r) > tol || abs(int(c.G)-colour.g) > tol || abs(int(c.B)-colour.b) > tol || c.A != 0xff {
					t.Errorf("centre pixel %v, want about %d,%d,%d", c, colour.r, colour.g, colour.b)
				}
			})
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestMatchesFFmpeg decodes streams with B-frames at full size and compares every picture,
// in order, with what the ffmpeg command line decodes from the same bytes.
func TestMatchesFFmpeg(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			const w, h = 160, 120
			pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: w, Height: h, Frames: 20, BFrames: 2})
			var stream []byte
			for _, p := range pkts {
				stream = append(stream, p.Data...)
			}
			file := filepath.Join(t.TempDir(), "s.bin")
			if err := os.WriteFile(file, stream, 0o600); err != nil {
				t.Fatal(err)
			}
			format := map[capture.Codec]string{capture.CodecH264: "h264", capture.CodecH265: "hevc"}[c]
			ref, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-threads", "1",
				"-f", format, "-i", file, "-f", "rawvideo", "-pix_fmt", "rgba", "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			frame := w * h * 4
			if len(ref) != frame*len(pkts) {
				t.Fatalf("ffmpeg decoded %d bytes, want %d frames", len(ref), len(pkts))
			}
			imgs := decodeAll(t, newDecoder(t, c), pkts, 0, 0)
			// B-frames delay output by the reorder depth; a live decoder is never flushed.
			if len(imgs) < len(pkts)-2 {
				t.Fatalf("%d pictures from %d packets", len(imgs), len(pkts))
			}
			for i, img := range imgs {
				want := ref[i*frame : (i+1)*frame]
				var sum int
				for j := range want {
					sum += abs(int(img.Pix[j]) - int(want[j]))
				}
				if mean := float64(sum) / float64(frame); mean > 1.5 {
					t.Errorf("picture %d differs from ffmpeg's by %.2f levels on average", i, mean)
				}
			}
		})
	}
}

// TestStartsAtKey starts decoding in the middle of a GOP, as after connecting to a live
// camera: nothing comes out and nothing fails until the next key unit.
func TestStartsAtKey(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: 160, Height: 120, Frames: 20, GOP: 10})
			if !pkts[10].Key || pkts[5].Key {
				t.Fatalf("key flags: %v %v", pkts[10].Key, pkts[5].Key)
			}
			d := newDecoder(t, c)
			for i, p := range pkts[3:] {
				img, err := d.Decode(p, 0, 0, nil)
				if err != nil {
					t.Fatalf("packet %d: %v", i+3, err)
				}
				if (img != nil) != (i+3 >= 10) {
					t.Fatalf("packet %d: picture %v", i+3, img != nil)
				}
			}
		})
	}
}

// TestCorruptionRecovers damages a P-frame: Decode reports ErrMalformed, gives nothing until
// the next key unit, and then decodes cleanly again.
func TestCorruptionRecovers(t *testing.T) {
	damages := map[string]func(data []byte){
		// The slice header and the middle of the slice data.
		"header": func(data []byte) {
			slice := bytes.LastIndex(data, []byte{0, 0, 1}) + 3
			for i := slice + 3; i < slice+10 && i < len(data); i++ {
				data[i] = 0xff
			}
			for i := len(data) / 3; i < len(data)*2/3; i++ {
				data[i] ^= byte(i*37 + 11)
			}
		},
		// Only the middle of the slice data: caught by H.264's concealment, by the HEVC
		// decoder's log.
		"data": func(data []byte) {
			for i := len(data) / 3; i < len(data)*2/3; i++ {
				data[i] = 0xff
			}
		},
	}
	for _, c := range codecs {
		pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: 320, Height: 240, Frames: 20, GOP: 10})
		for name, damage := range damages {
			t.Run(string(c)+"/"+name, func(t *testing.T) {
				pkts := slices.Clone(pkts)
				pkts[4].Data = bytes.Clone(pkts[4].Data)
				damage(pkts[4].Data)
				d := newDecoder(t, c)
				sawErr := -1
				for i, p := range pkts {
					img, err := d.Decode(p, 0, 0, nil)
					switch {
					case err != nil:
						if !errors.Is(err, capture.ErrMalformed) {
							t.Fatalf("packet %d: %v; want ErrMalformed", i, err)
						}
						if sawErr < 0 {
							sawErr = i
							t.Logf("packet %d: %v", i, err)
						}
					case i < 4 || i >= 10:
						if img == nil {
							t.Errorf("packet %d: no picture", i)
						}
					case sawErr >= 0:
						if img != nil {
							t.Errorf("packet %d: picture after an error and before the next key unit", i)
						}
					}
				}
				if sawErr < 4 || sawErr >= 10 {
					t.Errorf("first error at packet %d, want one for the damaged packet 4 before the key at 10", sawErr)
				}
			})
		}
	}
}

// TestSkipWhenBehind decodes a stream with B-frames while the caller says it is behind:
// non-reference pictures are skipped and counted, the rest still decode without errors.
func TestSkipWhenBehind(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: 160, Height: 120, Frames: 30, BFrames: 2})
			d := newDecoder(t, c)
			all := len(decodeAll(t, d, pkts, 0, 0))
			if d.Skipped() != 0 {
				t.Fatalf("skipped %d while never behind", d.Skipped())
			}
			d = newDecoder(t, c)
			d.SetBehind(true)
			some := len(decodeAll(t, d, pkts, 0, 0))
			if d.Skipped() == 0 || some+int(d.Skipped()) != all {
				t.Errorf("behind: %d pictures + %d skipped, want %d in all and some skipped", some, d.Skipped(), all)
			}
			t.Logf("%d pictures when on time; %d decoded + %d skipped when behind", all, some, d.Skipped())
		})
	}
}

func TestTooLarge(t *testing.T) {
	d := newDecoder(t, capture.CodecH264)
	huge := make([]byte, MaxPacket+1)
	copy(huge, []byte{0, 0, 0, 1, 0x65})
	if _, err := d.Decode(capture.Packet{Codec: capture.CodecH264, Data: huge, Key: true}, 0, 0, nil); !errors.Is(err, capture.ErrTooLarge) {
		t.Errorf("%d-byte packet: %v, want ErrTooLarge", len(huge), err)
	}
	// A stream just over the side limit is refused from its SPS, before any decoding.
	pkts := avdectest.Encode(t, avdectest.Stream{Codec: capture.CodecH264, Width: MaxSide + 32, Height: 16, Frames: 1, Preset: "ultrafast"})
	_, err := d.Decode(pkts[0], 0, 0, nil)
	if !errors.Is(err, capture.ErrTooLarge) {
		t.Errorf("%d×16 picture: %v, want ErrTooLarge", MaxSide+32, err)
	}
	// The decoder stays usable.
	ok := avdectest.EncodeH264(t, 64, 48, 15, 1, 0)
	if img, err := d.Decode(ok[0], 0, 0, nil); err != nil || img == nil {
		t.Errorf("after a refused stream: %v, %v", img, err)
	}
}

func TestClose(t *testing.T) {
	pkts := avdectest.EncodeH264(t, 64, 48, 15, 1, 0)
	d, err := New(capture.CodecH264)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decode(pkts[0], 0, 0, nil); err == nil {
		t.Error("Decode after Close succeeded")
	}
}

// TestThreads decodes a multi-slice stream with slice threads.
func TestThreads(t *testing.T) {
	pkts := avdectest.Encode(t, avdectest.Stream{Codec: capture.CodecH264, Width: 320, Height: 240, Frames: 5,
		Extra: []string{"-x264-params", "slices=4"}})
	d, err := NewWithOptions(capture.CodecH264, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n := len(decodeAll(t, d, pkts, 0, 0)); n != len(pkts) {
		t.Errorf("%d pictures from %d packets", n, len(pkts))
	}
}

// FuzzDecode feeds arbitrary bytes after a valid key unit: no crash, errors only of the
// documented kinds, pictures within the size limits, and the decoder still decodes the next
// key unit.
func FuzzDecode(f *testing.F) {
	h264 := avdectest.EncodeH264(f, 64, 48, 15, 3, 0)
	h265 := avdectest.EncodeH265(f, 64, 48, 15, 3, 0)
	for _, p := range append(h264[1:], h265[1:]...) {
		f.Add(p.Codec == capture.CodecH265, p.Data)
	}
	f.Add(false, []byte{0, 0, 1, 0x65, 0x88, 0x80, 0x40})
	f.Add(true, []byte{0, 0, 0, 1, 0x42, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, hevc bool, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		pkts, codec := h264, capture.CodecH264
		if hevc {
			pkts, codec = h265, capture.CodecH265
		}
		d, err := New(codec)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if img, err := d.Decode(pkts[0], 32, 32, nil); err != nil || img == nil {
			t.Fatalf("key unit: %v, %v", img, err)
		}
		for _, key := range []bool{false, true} {
			img, err := d.Decode(capture.Packet{Codec: codec, Data: data, Key: key}, 32, 32, nil)
			if err != nil && !errors.Is(err, capture.ErrMalformed) && !errors.Is(err, capture.ErrTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if img != nil && (img.Rect.Dx() > 32 || img.Rect.Dy() > 32) {
				t.Fatalf("picture %v outside the 32×32 box", img.Rect)
			}
		}
		if _, err := d.Decode(pkts[0], 32, 32, nil); err != nil && !errors.Is(err, capture.ErrMalformed) {
			t.Fatalf("key unit after fuzz: %v", err)
		}
	})
}

// TestReorderDelay: the decoder's delay follows what the stream declares — libavcodec's
// low delay for Baseline H.264 (no B slices) and for I/P-only streams, the declared reorder
// depth for streams with B-frames — and pictures of a B-frame stream come out in
// presentation order, each matched (PictureOf) to the packet it was decoded from.
func TestReorderDelay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       avdectest.Stream
		reorder int // what Reorder must say
	}{
		{"h264-baseline", avdectest.Stream{Codec: capture.CodecH264, Extra: []string{"-profile:v", "baseline"}}, 0},
		{"h264-high-ip", avdectest.Stream{Codec: capture.CodecH264, Extra: []string{"-profile:v", "high"}}, 0},
		{"h264-high-b2", avdectest.Stream{Codec: capture.CodecH264, BFrames: 2, Extra: []string{"-profile:v", "high"}}, 2},
		{"h264-main-b1", avdectest.Stream{Codec: capture.CodecH264, BFrames: 1, Extra: []string{"-profile:v", "main", "-x264-params", "b-pyramid=none"}}, 1},
		{"h265-ip", avdectest.Stream{Codec: capture.CodecH265}, 0},
		{"h265-b2", avdectest.Stream{Codec: capture.CodecH265, BFrames: 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			s.Width, s.Height, s.FPS, s.Frames, s.GOP, s.Times = 160, 120, 15, 30, 15, true
			pkts := avdectest.Encode(t, s)
			d := newDecoder(t, s.Codec)
			shown, maxHeld := decodeHeld(t, d, pkts, func(i int, img *image.RGBA, src capture.Packet) {
				if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 120 || src.Width != 160 {
					t.Fatalf("packet %d: picture %v from a %dx%d packet", i, b, src.Width, src.Height)
				}
			})
			if got := d.Reorder(); got != tc.reorder {
				t.Errorf("Reorder() = %d, want %d", got, tc.reorder)
			}
			if !slices.IsSorted(shown) || len(slices.Compact(slices.Clone(shown))) != len(shown) {
				t.Fatalf("pictures out of presentation order: %v", shown)
			}
			// Every picture comes out, except the last ones still held back for reordering.
			if len(shown) < len(pkts)-tc.reorder-1 {
				t.Fatalf("%d pictures from %d packets with reorder %d", len(shown), len(pkts), tc.reorder)
			}
			if tc.reorder == 0 && maxHeld != 0 {
				t.Errorf("a stream without reordering held a picture back %d packets", maxHeld)
			}
			t.Logf("%d pictures from %d packets; reorder %d; a picture left at most %d packets after its own",
				len(shown), len(pkts), d.Reorder(), maxHeld)
		})
	}
}

// decodeHeld decodes pkts (with Times) and returns the PTS of each picture's own packet
// (PictureOf) in output order, and the most packets fed before a picture came out; check,
// when set, sees every picture.
func decodeHeld(t *testing.T, d *Decoder, pkts []capture.Packet, check func(i int, img *image.RGBA, src capture.Packet)) (shown []time.Duration, maxHeld int) {
	t.Helper()
	for i, p := range pkts {
		img, err := d.Decode(p, 0, 0, nil)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if img == nil {
			continue
		}
		src, ok := d.PictureOf()
		if !ok {
			t.Fatalf("packet %d: a picture but no packet for it", i)
		}
		if check != nil {
			check(i, img, src)
		}
		j := slices.IndexFunc(pkts, func(q capture.Packet) bool { return q.PTS == src.PTS })
		maxHeld = max(maxHeld, i-j)
		shown = append(shown, src.PTS)
	}
	return shown, maxHeld
}

// TestDrainLoneKeyUnit: the first key unit of a stream with B-frames alone gives no picture
// from Decode (it is held for reordering); Drain hands it out, and the decoder takes up
// again at the next key unit.
func TestDrainLoneKeyUnit(t *testing.T) {
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			pkts := avdectest.Encode(t, avdectest.Stream{Codec: c, Width: 160, Height: 120, Frames: 20, GOP: 10, BFrames: 2})
			d := newDecoder(t, c)
			img, err := d.Decode(pkts[0], 0, 0, nil)
			if err != nil || img != nil {
				t.Fatalf("lone key unit: picture %v, err %v; want it held back", img != nil, err)
			}
			img, err = d.Drain(80, 60, nil)
			if err != nil || img == nil || img.Bounds().Dx() != 80 || img.Bounds().Dy() != 60 {
				t.Fatalf("Drain: %v, %v", img, err)
			}
			if src, ok := d.PictureOf(); !ok || !src.Key {
				t.Fatalf("drained picture's packet %+v %v, want the key unit", src, ok)
			}
			if img, err := d.Drain(0, 0, nil); img != nil || err != nil {
				t.Fatalf("second Drain: %v, %v", img != nil, err)
			}
			// Back to normal from the next key unit (packet 10).
			got := decodeAll(t, d, pkts[1:], 0, 0)
			if len(got) < 6 {
				t.Fatalf("%d pictures after draining", len(got))
			}
		})
	}
}
