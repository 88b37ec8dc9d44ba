package recorder

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// smallTmpfs mounts a tmpfs of size (e.g. "2m") on a temp folder, unmounted at the end,
// or skips t saying why (not root, no mount permission).
func smallTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a real full disk needs root to mount a small tmpfs; TestDiskFull/injected covers the same with an injected ENOSPC")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("mounting a %s tmpfs on %s: %v; TestDiskFull/injected covers the same with an injected ENOSPC", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmounting the tmpfs %s: %v", dir, err)
		}
	})
	return dir
}

// fastCamera is a fake MJPEG camera of big frames at 15 fps.
func fastCamera(t *testing.T, name string) *capture.Stream {
	t.Helper()
	srv := mjpegtest.NewServer(mjpegtest.Options{Frames: mjpegtest.MakeFrames(5, 1280, 720), FPS: 15})
	st := capture.NewStream(name, &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{})
	t.Cleanup(func() {
		st.Close()
		srv.Close()
	})
	return st
}

// checkWhole checks that a recording stopped by a full disk holds every fragment it had
// written and nothing else: complete boxes to the end (no torn tail, no hole of zeros), a
// clean decode, as many bytes as its status says were written, and nothing for the next
// Open to cut away.
func checkWhole(t *testing.T, path string, st Status) {
	t.Helper()
	s, size, err := scanPath(path)
	if err != nil || s.Fragments == 0 || s.GoodEnd != size {
		t.Fatalf("%s: scan %+v of %d bytes: %v", path, s, size, err)
	}
	if st.Bytes != size {
		t.Errorf("%s: status says %d bytes written, the file has %d", path, st.Bytes, size)
	}
	p := ffprobe(t, path)
	decodeClean(t, path)
	if p.Frames != s.Samples {
		t.Errorf("%s: ffprobe decodes %d frames of %d", path, p.Frames, s.Samples)
	}
	if did, err := recoverFile(path); did != "" || err != nil {
		t.Errorf("%s: the next Open would %q it: %v", path, did, err)
	}
	t.Logf("%s: %d fragments, %d frames, %d bytes, all whole", path, s.Fragments, s.Samples, size)
}

// TestDiskFull fills a small disk under one camera while another records to another
// folder: the first stops with a clear disk-full error and a file valid to its last whole
// fragment; the second goes on.
func TestDiskFull(t *testing.T) {
	needFFmpeg(t)
	run := func(t *testing.T, opts Options, wantENOSPC bool) {
		full := fastCamera(t, "full")
		other := fastCamera(t, "other")
		r := openRoot(t, opts)
		r2 := openRoot(t, Options{})
		recOther := startRecording(t, r2, "other", other)
		rec := startRecording(t, r, "full", full)
		var file string
		select {
		case <-rec.Done():
		case <-time.After(60 * time.Second):
			t.Fatal("the recording on the full disk never stopped")
		}
		st := rec.Status()
		t.Logf("shown error: %v", st.Err)
		if st.Recording || !errors.Is(st.Err, ErrDiskFull) || errors.Is(st.Err, syscall.ENOSPC) != wantENOSPC {
			t.Fatalf("status %+v, want ErrDiskFull (ENOSPC: %v)", st, wantENOSPC)
		}
		if !strings.Contains(st.Err.Error(), "free space") && !strings.Contains(st.Err.Error(), "floor") {
			t.Errorf("the error does not say what to do: %v", st.Err)
		}
		clip := oneClip(t, r.Dir())
		file = clip.Path
		checkWhole(t, file, st)
		// The other camera, on another disk, goes on.
		b0 := recOther.Status().Bytes
		waitFor(t, 15*time.Second, "the other camera to go on", func() bool { return recOther.Status().Bytes > b0+100<<10 })
		if st := recOther.Status(); !st.Recording || st.Err != nil {
			t.Errorf("other camera: %+v", st)
		}
		if err := recOther.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("tmpfs", func(t *testing.T) {
		dir := smallTmpfs(t, "2m")
		run(t, Options{Root: dir, MinFree: -1}, true)
	})
	t.Run("floor", func(t *testing.T) {
		// A floor of 1 MiB on a 3 MiB disk: a fast camera (about 2 MB/s) stops at the
		// floor, with its own error, before the disk is full (checked before each write,
		// not every few seconds).
		dir := smallTmpfs(t, "3m")
		run(t, Options{Root: dir, MinFree: 1 << 20}, false)
		if free, err := freeBytes(dir); err != nil || free < 1<<20-300<<10 {
			t.Errorf("%d bytes left free (%v): the floor was overrun", free, err)
		}
	})
	t.Run("injected", func(t *testing.T) {
		// Without root: a disk that takes half of one write and then reports ENOSPC, as
		// a full disk does; the recording stops, and the fragments written before — and
		// the last one written at stop, when space came back — are whole, with no hole.
		var mu sync.Mutex
		var total int64
		failed := false
		opts := Options{}
		opts.hooks.writeAt = func(f *os.File, b []byte, off int64) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			if !failed && total+int64(len(b)) > 1500<<10 {
				failed = true
				n, _ := f.WriteAt(b[:len(b)/2], off)
				return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
			}
			n, err := f.WriteAt(b, off)
			total += int64(n)
			return n, err
		}
		run(t, opts, true)
	})
}

// TestQueueBoundedInBytes: behind a stalled disk a recording's queue holds at most its
// byte bound; what does not fit is dropped (and counted), what was queued at Stop is
// written.
func TestQueueBoundedInBytes(t *testing.T) {
	needFFmpeg(t)
	cam := fastCamera(t, "stalled")
	opts := Options{}
	opts.hooks.queueBytes = 1 << 20
	release := make(chan struct{})
	var once sync.Once
	n := 0
	opts.hooks.beforePacket = func(string) {
		n++
		if n == 20 {
			<-release // the disk stalls
		}
	}
	r := openRoot(t, opts)
	rec := startRecording(t, r, "stalled", cam)
	defer once.Do(func() { close(release) })
	waitFor(t, 20*time.Second, "drops behind the stalled disk", func() bool { return rec.Status().Drops > 10 })
	st := rec.Status()
	if st.Queued > 1<<20 || st.Queued == 0 {
		t.Errorf("%d bytes queued, bound 1 MiB", st.Queued)
	}
	t.Logf("stalled: %d bytes queued, %d dropped", st.Queued, st.Drops)
	once.Do(func() { close(release) })
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	end := rec.Status()
	if end.Queued != 0 {
		t.Errorf("%d bytes still queued after Stop", end.Queued)
	}
	clip := oneClip(t, r.Dir())
	s, _, _ := scanPath(clip.Path)
	p := ffprobe(t, clip.Path)
	decodeClean(t, clip.Path)
	// Everything queued when the disk came back was written: at least the frames before
	// the stall plus those the queue held.
	if s.Samples < 20+5 || p.Frames != s.Samples {
		t.Errorf("%d samples written (ffprobe %d)", s.Samples, p.Frames)
	}
	t.Logf("after Stop: %d samples written, %d dropped in all", s.Samples, end.Drops)
}
