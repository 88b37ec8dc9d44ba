package recorder

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// jpegFrames makes n small test JPEGs.
func jpegFrames(t testing.TB, w, h, n int) [][]byte {
	t.Helper()
	return mjpegtest.MakeFrames(n, w, h)
}

// writeTestSegment writes count frames at 15 fps into a segment of camera "cam" and
// returns its path.
func writeTestSegment(t testing.TB, dir string, frames [][]byte, count int) string {
	return writeTestSegmentAs(t, dir, "cam", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), frames, count)
}

func writeTestSegmentAs(t testing.TB, dir, camera string, start time.Time, frames [][]byte, count int) string {
	t.Helper()
	s, err := prepare(capture.Packet{Codec: capture.CodecJPEG, Data: frames[0]})
	if err != nil {
		t.Fatal(err)
	}
	seg, err := openSegment(dir, camera, start, s.params, segIO{noSync: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < count; i++ {
		if err := seg.add(frames[i%len(frames)], true, sampleTime{x: uint64(i) * timeScale / 15}); err != nil {
			t.Fatal(err)
		}
	}
	if err := seg.close(0, false); err != nil {
		t.Fatal(err)
	}
	return seg.path
}

// scanSeeds are the fuzz seeds and the table of the scanner test: a whole recording and
// cuts of it, plus shapes of garbage.
func scanSeeds(t testing.TB) [][]byte {
	dir := t.TempDir()
	path := writeTestSegment(t, dir, jpegFrames(t, 32, 24, 3), 20)
	whole, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seeds := [][]byte{whole, nil, []byte("ftyp"), whole[:7], whole[:40]}
	for _, cut := range []int{1, 8, 9, 30, 200} {
		if cut < len(whole) {
			seeds = append(seeds, whole[:len(whole)-cut])
		}
	}
	// A box that claims 4 GB, a 64-bit size, a size-0 box, a size smaller than its header.
	seeds = append(seeds,
		append(append([]byte{}, whole...), 0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'f'),
		append(append([]byte{}, whole...), 0, 0, 0, 1, 'm', 'o', 'o', 'f', 0x7f, 0, 0, 0, 0, 0, 0, 0),
		append(append([]byte{}, whole...), 0, 0, 0, 0, 'm', 'o', 'o', 'f'),
		append(append([]byte{}, whole...), 0, 0, 0, 3, 'm', 'd', 'a', 't'),
	)
	return seeds
}

func TestScanFileTable(t *testing.T) {
	seeds := scanSeeds(t)
	whole := seeds[0]
	s, err := scanFile(bytes.NewReader(whole), int64(len(whole)))
	if err != nil || s.GoodEnd != int64(len(whole)) || s.Samples != 20 || s.TimeScale != timeScale {
		t.Fatalf("whole file: %+v %v", s, err)
	}
	// 20 samples at 15 fps, the last one's duration estimated from the previous.
	if d := s.Duration(); d < 1.33 || d > 1.34 {
		t.Errorf("duration %.3f", d)
	}
	for i, b := range seeds[1:] {
		s, err := scanFile(bytes.NewReader(b), int64(len(b)))
		if err == nil && s.GoodEnd > int64(len(b)) {
			t.Errorf("seed %d: good end %d past the size %d", i+1, s.GoodEnd, len(b))
		}
	}
	// The last four seeds are the whole file plus a bad box: the whole file stays good.
	for _, b := range seeds[len(seeds)-4:] {
		s, err := scanFile(bytes.NewReader(b), int64(len(b)))
		if err != nil || s.GoodEnd != int64(len(whole)) {
			t.Errorf("whole file + bad box: good end %d of %d, %v", s.GoodEnd, len(whole), err)
		}
	}
}

// FuzzScanFile: the scanner never panics, never reports a good end past the data, and
// what it calls good scans as wholly good again (so recovery is idempotent).
func FuzzScanFile(f *testing.F) {
	for _, s := range scanSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := scanFile(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if s.GoodEnd > int64(len(b)) || s.InitEnd > s.GoodEnd {
			t.Fatalf("good end %d, init end %d, size %d", s.GoodEnd, s.InitEnd, len(b))
		}
		if s.GoodEnd == 0 {
			return
		}
		again, err := scanFile(bytes.NewReader(b[:s.GoodEnd]), s.GoodEnd)
		if err != nil || again.GoodEnd != s.GoodEnd || again.Fragments != s.Fragments {
			t.Fatalf("rescan of the good part: %+v %v, first %+v", again, err, s)
		}
	})
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }
