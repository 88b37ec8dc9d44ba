package fmp4file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/ffmpeg"
	"github.com/vigil-cctv/vigil/protocols/fmp4file/fmp4filetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const fps = 25

// recording is a camera folder the real recorder wrote and what went into it.
type recording struct {
	dir    string
	starts []time.Time
	pkts   [][]capture.Packet // per file
}

// record writes one file per offset of codec (seconds each) for camera "cam", the first
// starting now (after encoding, so the recorder's receive times are not in the past).
func record(t *testing.T, codec string, seconds int, offsets ...time.Duration) recording {
	t.Helper()
	return recordSized(t, codec, 320, 240, seconds, offsets...)
}

func recordSized(t *testing.T, codec string, w, h, seconds int, offsets ...time.Duration) recording {
	t.Helper()
	if _, err := ffmpeg.Version(); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	pkts, err := fmp4filetest.Units(codec, w, h, fps, seconds)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	t0 := time.Now().Truncate(time.Second)
	rec := recording{dir: filepath.Join(root, "cam")}
	for _, o := range offsets {
		rec.starts = append(rec.starts, t0.Add(o))
	}
	for _, s := range rec.starts {
		if err := fmp4filetest.Record(root, "cam", pkts, s); err != nil {
			t.Fatal(err)
		}
		rec.pkts = append(rec.pkts, pkts)
	}
	return rec
}

// displayOrder is the times of the first file's pictures in display order.
func (r recording) displayOrder() []time.Time {
	var out []time.Time
	for i := range r.pkts[0] {
		out = append(out, r.at(0, i))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// at is where packet i of file f is shown.
func (r recording) at(f, i int) time.Time { return r.starts[f].Add(r.pkts[f][i].PTS) }

// sink records packets, safe to read while the source runs.
type sink struct {
	mu   sync.Mutex
	pkts []capture.Packet
	at   []time.Time
}

func (s *sink) Connected(capture.StreamInfo) {}
func (s *sink) Packet(p capture.Packet) {
	s.mu.Lock()
	s.pkts, s.at = append(s.pkts, p), append(s.at, time.Now())
	s.mu.Unlock()
}
func (s *sink) Len() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.pkts) }
func (s *sink) From(i int) []capture.Packet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]capture.Packet(nil), s.pkts[i:]...)
}

// quiet waits until no packet has come for 300 ms and returns the count.
func (s *sink) quiet(t *testing.T) int {
	t.Helper()
	n := s.Len()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		if m := s.Len(); m == n {
			return n
		} else {
			n = m
		}
	}
	t.Fatal("the source never went quiet")
	return 0
}

// running starts src.Run and returns its sink; the cleanup cancels and checks Run's end.
func running(t *testing.T, src *Source) *sink {
	t.Helper()
	k := &sink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return k
}

// Every unit of an H.264 recording with B-frames comes out in decode order with the
// times it was recorded with: SourceTime is the file's start plus its PTS.
func TestPlayH264BFramesInOrder(t *testing.T) {
	r := record(t, "h264b", 2, 0)
	t0 := r.starts[0]
	src := New(r.dir, time.Time{}, 4)
	k, err := capturetest.Run(t, src, len(r.pkts[0]))
	if err != nil {
		t.Fatal(err)
	}
	got := k.Packets()
	if len(got) != len(r.pkts[0]) {
		t.Fatalf("%d packets, recorded %d", len(got), len(r.pkts[0]))
	}
	for i, p := range got {
		want := r.pkts[0][i]
		if p.Codec != capture.CodecH264 || p.Key != want.Key || !p.HasPTS {
			t.Fatalf("unit %d: %s key %v, want key %v", i, p.Codec, p.Key, want.Key)
		}
		if !p.SourceTime.Equal(r.at(0, i)) {
			t.Fatalf("unit %d shown at %v, recorded at %v", i, p.SourceTime.Sub(t0), want.PTS)
		}
		if p.PTS-p.DTS != want.PTS-want.DTS {
			t.Fatalf("unit %d: composition offset %v, recorded %v", i, p.PTS-p.DTS, want.PTS-want.DTS)
		}
	}
	if !got[0].Discontinuity || !got[0].Key {
		t.Error("the first unit is not a key unit marked as a new run")
	}
}

// Playing paces by the recorded times at the speed, and a Seek lands on the key frame at
// or before the time, feeding forward to the picture shown then (those fed only to get
// there carry no SourceTime).
func TestSeekLandsOnKeyFrameBefore(t *testing.T) {
	r := record(t, "h264b", 3, 0)
	t0 := r.starts[0]
	src := New(r.dir, time.Time{}, 1)
	k := running(t, src)
	capturetest.WaitFor(t, "playing", func() bool { return k.Len() >= 10 && src.Playing() })
	k.mu.Lock()
	span, n := k.at[len(k.at)-1].Sub(k.at[0]), len(k.at)
	k.mu.Unlock()
	if want := time.Duration(n-1-fmp4filetest.Lead) * time.Second / fps; span < want*8/10 {
		t.Errorf("%d units in %v: not paced at 1×", n, span)
	}
	goal := t0.Add(1700 * time.Millisecond)
	var target time.Time
	key := -1
	for i := range r.pkts[0] {
		if at := r.at(0, i); !at.After(goal) && at.After(target) {
			target = at
		}
	}
	for i, p := range r.pkts[0] {
		if p.Key && p.DTS <= target.Sub(t0) {
			key = i
		}
	}
	mark := k.Len()
	asked := time.Now()
	src.Seek(goal)
	var after []capture.Packet
	capturetest.WaitFor(t, "the sought picture", func() bool {
		after = k.From(mark)
		for _, p := range after {
			if p.SourceTime.Equal(target) {
				return true
			}
		}
		return false
	})
	took := time.Since(asked)
	first := -1
	for i, p := range after {
		if p.Discontinuity {
			first = i
		}
	}
	if first < 0 {
		t.Fatal("no unit marked as a new run after the seek")
	}
	p := after[first]
	if !p.Key || p.DTS != r.pkts[0][key].DTS {
		t.Errorf("the seek started at DTS %v (key %v), want the key frame at %v", p.DTS, p.Key, r.pkts[0][key].DTS)
	}
	for _, p := range after[first:] {
		if p.SourceTime.IsZero() != (p.PTS < target.Sub(t0)) {
			t.Errorf("unit at PTS %v: SourceTime %v with the target at %v", p.PTS, p.SourceTime, target.Sub(t0))
		}
		if p.SourceTime.Equal(target) {
			break
		}
	}
	t.Logf("seek to %v: key frame at %v, the picture at %v sent %v after the request",
		goal.Sub(t0), r.pkts[0][key].DTS, target.Sub(t0), took.Round(time.Millisecond))
}

// Paused, a seek sends the units from the key frame to the picture at the time and a
// few after it, only that picture marked to be shown; a step does the same for the next
// picture in display order; Resume plays on.
func TestPauseStepResume(t *testing.T) {
	r := record(t, "h264b", 2, 0)
	t0 := r.starts[0]
	order := r.displayOrder()
	src := New(r.dir, time.Time{}, 1)
	src.Pause()
	k := running(t, src)
	n := k.quiet(t)
	if src.Playing() || !src.Paused() {
		t.Error("paused source says it plays")
	}
	if n < 1 || n > 1+2+extraLookahead {
		t.Fatalf("paused at the start: %d units sent", n)
	}
	// one checks the units sent since mark: a new run from a key frame, one picture shown.
	one := func(what string, mark int, want time.Time) {
		t.Helper()
		got := k.From(mark)
		if len(got) == 0 || !got[0].Discontinuity || !got[0].Key {
			t.Fatalf("%s: %d units, not a run from a key frame", what, len(got))
		}
		var shown []time.Time
		for _, p := range got {
			if !p.SourceTime.IsZero() {
				shown = append(shown, p.SourceTime)
			}
		}
		if len(shown) != 1 || !shown[0].Equal(want) {
			t.Fatalf("%s: shown %v, want %v", what, shown, want.Sub(t0))
		}
	}
	i, _ := slices.BinarySearchFunc(order, t0.Add(1300*time.Millisecond), time.Time.Compare)
	if order[i].After(t0.Add(1300 * time.Millisecond)) {
		i--
	}
	src.Seek(t0.Add(1300 * time.Millisecond))
	n2 := k.quiet(t)
	one("a seek", n, order[i])
	for s := 1; s <= 3; s++ {
		src.Step()
		m := k.quiet(t)
		one("a step", n2, order[i+s])
		n2 = m
	}
	src.Resume()
	capturetest.WaitFor(t, "playing on", func() bool { return k.Len() > n2+5 })
	if !src.Playing() {
		t.Error("resumed source does not say it plays")
	}
}

// The next file follows on; a gap between two files is skipped, not waited for.
func TestNextFileAndGap(t *testing.T) {
	r := record(t, "jpeg", 2, 0, 7*time.Second)
	t0 := r.starts[0]
	src := New(r.dir, time.Time{}, 4)
	began := time.Now()
	want := 2 * len(r.pkts[0])
	k := capturetest.Received(t, src, want)
	took := time.Since(began)
	got := k.Packets()
	if len(got) != want {
		t.Fatalf("%d packets from two files, want %d", len(got), want)
	}
	n := len(r.pkts[0])
	for i, p := range got {
		f, j := i/n, i%n
		if !p.SourceTime.Equal(r.at(f, j)) {
			t.Fatalf("unit %d shown at %v, want %v", i, p.SourceTime.Sub(t0), r.at(f, j).Sub(t0))
		}
	}
	// 4 s of pictures at 4× is 1 s; waiting for the 5 s gap would add 1.25 s.
	if took > 2*time.Second {
		t.Errorf("two files with a gap took %v at 4×: the gap was waited for", took)
	}
}

// At the end of the recordings the source waits, and plays on when the camera's
// recording goes on in a new file.
func TestFollowsANewFile(t *testing.T) {
	r := record(t, "jpeg", 1, 0)
	src := New(r.dir, time.Time{}, 4)
	k := running(t, src)
	n := len(r.pkts[0])
	capturetest.WaitFor(t, "the first file", func() bool { return k.Len() == n && !src.Playing() })
	next := time.Now().Truncate(time.Second).Add(time.Second)
	if err := fmp4filetest.Record(filepath.Dir(r.dir), "cam", r.pkts[0], next); err != nil {
		t.Fatal(err)
	}
	capturetest.WaitFor(t, "the new file", func() bool { return k.Len() == 2*n })
	if got := k.From(n)[0]; !got.SourceTime.Equal(next.Add(r.pkts[0][0].PTS)) {
		t.Errorf("the new file's first picture at %v, want %v", got.SourceTime, next.Add(r.pkts[0][0].PTS))
	}
}

// A recording cut by a crash plays its complete fragments; one cut inside its header,
// or not an MP4 at all, fails at once with a malformed-stream error.
func TestTruncatedAndCorrupt(t *testing.T) {
	r := record(t, "h265", 3, 0)
	files, _ := filepath.Glob(filepath.Join(r.dir, "*", "*.mp4"))
	if len(files) != 1 {
		t.Fatalf("files: %v", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(files[0], fi.Size()-5000); err != nil {
		t.Fatal(err)
	}
	src := New(r.dir, time.Time{}, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k := &sink{}
	go func() {
		for k.quietFor(500*time.Millisecond) == 0 {
		}
		cancel()
	}()
	if err := src.Run(ctx, k); err != nil {
		t.Fatalf("a torn file: %v", err)
	}
	if n := k.Len(); n == 0 || n >= len(r.pkts[0]) {
		t.Errorf("a torn file gave %d units of %d", n, len(r.pkts[0]))
	}
	garbage := append([]byte{0, 0, 0, 9, 'm', 'o', 'o', 'f'}, whole[100:400]...)
	for _, b := range [][]byte{nil, whole[:40], whole[:300], garbage} {
		size := len(b)
		if err := os.WriteFile(files[0], b, 0o644); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		_, err := capturetest.Run(t, New(r.dir, time.Time{}, 1), 1)
		if !errors.Is(err, capture.ErrMalformed) {
			t.Errorf("cut to %d bytes: %v, want a malformed-stream error", size, err)
		}
		if time.Since(began) > time.Second {
			t.Errorf("cut to %d bytes: the error took %v", size, time.Since(began))
		}
	}
	if _, err := capturetest.Run(t, New(t.TempDir(), time.Time{}, 1), 1); !errors.Is(err, capture.ErrNotFound) {
		t.Errorf("an empty folder: %v", err)
	}
}

// quietFor waits until no packet came for d and returns the count (0 if none ever).
func (s *sink) quietFor(d time.Duration) int {
	n := s.Len()
	for {
		time.Sleep(d)
		if m := s.Len(); m == n {
			return n
		} else {
			n = m
		}
	}
}

func TestParseURL(t *testing.T) {
	from := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	dir, f, speed, err := Parse(URL("/rec/cam", from, 4))
	if err != nil || dir != filepath.FromSlash("/rec/cam") || !f.Equal(from) || speed != 4 {
		t.Fatalf("round trip: %q %v %v %v", dir, f, speed, err)
	}
	for _, bad := range []string{"file://host/x", "file:rel", "file:///x?speed=0", "file:///x?from=yesterday"} {
		if _, _, _, err := Parse(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A recording's start is read from its name to the millisecond the recorder writes, and
// to the second from a name written without them.
func TestFileStartMilliseconds(t *testing.T) {
	zone := time.FixedZone("", -5*3600)
	for name, want := range map[string]time.Time{
		"Yard_2026-12-02T17-01-02.734-0500.mp4":   time.Date(2026, 12, 2, 17, 1, 2, 734_000_000, zone),
		"Yard_2026-12-02T17-01-02.734-0500-3.mp4": time.Date(2026, 12, 2, 17, 1, 2, 734_000_000, zone),
		"Yard_2026-12-02T17-01-02-0500.mp4":       time.Date(2026, 12, 2, 17, 1, 2, 0, zone),
	} {
		if got, ok := fileStart(filepath.Join("Yard", "2026-12-02", name)); !ok || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", name, got, ok, want)
		}
	}
	if _, ok := fileStart("Yard_2026-12-02T17-01-02.7-0500.mp4"); ok {
		t.Error("a fraction of one digit is not a recorder's name")
	}
}
