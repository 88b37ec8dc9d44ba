package recorder

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
)

func TestRecordMJPEG(t *testing.T) {
	needFFmpeg(t)
	_, cam := mjpegCamera(t, "Front door", 320, 240, 15)
	r := openRoot(t, Options{})
	st := recordFor(t, r, "Front door", cam, 5*time.Second)
	if st.Err != nil || st.Segments != 1 || st.Bytes == 0 {
		t.Fatalf("status %+v", st)
	}
	clip := oneClip(t, r.Dir())
	p := ffprobe(t, clip.Path)
	if p.Codec != "mjpeg" || p.Width != 320 || p.Height != 240 {
		t.Errorf("ffprobe: %+v", p)
	}
	if math.Abs(p.Duration-5) > 0.5 {
		t.Errorf("duration %.2f s, want 5 ± 0.5", p.Duration)
	}
	if p.Frames < 68 || p.Frames > 82 {
		t.Errorf("%d frames, want about 75", p.Frames)
	}
	if d := clip.Duration.Seconds(); math.Abs(d-p.Duration) > 0.1 {
		t.Errorf("List duration %.2f s, ffprobe %.2f s", d, p.Duration)
	}
	decodeClean(t, clip.Path)
	// The path layout: <root>/<camera>/<local date>/<camera>_<local time±hhmm>.mp4.
	rel, _ := filepath.Rel(r.Dir(), clip.Path)
	parts := strings.Split(rel, string(filepath.Separator))
	if len(parts) != 3 || parts[0] != "Front door" || parts[1] != clip.Start.Format("2006-01-02") ||
		parts[2] != "Front door_"+clip.Start.Format("2006-01-02T15-04-05.000-0700")+".mp4" {
		t.Errorf("path %q", rel)
	}
	if d := time.Since(clip.Start); d < 5*time.Second || d > 30*time.Second {
		t.Errorf("start time %v is %v ago", clip.Start, d)
	}
}

func TestRecordH264(t *testing.T) {
	aus := h264Units(t)
	cam := capture.NewStream("h264", &annexBSource{AUs: aus, FPS: 15}, capture.StreamOptions{})
	defer cam.Close()
	r := openRoot(t, Options{})
	recordFor(t, r, "h264", cam, 5*time.Second)
	clip := oneClip(t, r.Dir())
	p := ffprobe(t, clip.Path)
	if p.Codec != "h264" || p.Width != 640 || p.Height != 360 {
		t.Errorf("ffprobe: %+v", p)
	}
	if math.Abs(p.Duration-5) > 0.5 || p.Frames < 68 || p.Frames > 82 {
		t.Errorf("duration %.2f s, %d frames; want 5 ± 0.5 s, about 75", p.Duration, p.Frames)
	}
	decodeClean(t, clip.Path)
}

// childMain is the recording process TestKill9 kills: it records an H.264 camera and
// says where, then waits to be killed.
func childMain(root string) int {
	aus, err := makeH264()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cam := capture.NewStream("killed", &annexBSource{AUs: aus, FPS: 15}, capture.StreamOptions{})
	r, err := Open(Options{Root: root, MinFree: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	rec, err := r.Start("killed", cam, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for rec.Status().File == "" {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("RECORDING", rec.Status().File)
	select {}
}

func TestKill9(t *testing.T) {
	needFFmpeg(t)
	root := t.TempDir()
	cmd, out := capturetest.StartChild(t, childEnv, root)
	defer cmd.Process.Kill()
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "RECORDING ") {
				line <- strings.TrimPrefix(s.Text(), "RECORDING ")
			}
		}
		close(line)
	}()
	var path string
	select {
	case path = <-line:
	case <-time.After(30 * time.Second):
		t.Fatal("the child never started recording")
	}
	time.Sleep(4 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	for range line {
	}
	before, _ := os.Stat(path)

	// Opening the root again repairs the file.
	r, err := Open(Options{Root: root, MinFree: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed after 4 s: %d bytes, %d after repair", before.Size(), after.Size())
	p := ffprobe(t, path)
	decodeClean(t, path)
	if p.Codec != "h264" || p.Duration < 3 || p.Frames < 45 {
		t.Errorf("after kill -9: %+v, want h264 ≥ 3 s", p)
	}
}

func TestRecoverTornTail(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	frames := jpegFrames(t, 320, 240, 15)
	path := writeTestSegment(t, dir, frames, 45)
	whole, _ := os.ReadFile(path)
	s, _, err := scanPath(path)
	if err != nil || s.GoodEnd != int64(len(whole)) || s.Fragments < 3 || s.Samples != 45 {
		t.Fatalf("scan %+v, err %v, size %d", s, err, len(whole))
	}
	// Tear the last fragment at several points: in its header, in moof, in mdat.
	for _, cut := range []int64{3, 20, 200, 5000} {
		torn := whole[:int64(len(whole))-cut]
		tornLen := int64(len(torn))
		if err := os.WriteFile(path, torn, 0o644); err != nil {
			t.Fatal(err)
		}
		did, err := recoverFile(path)
		if err != nil || did != "truncated" {
			t.Fatalf("cut %d: recover %q, %v", cut, did, err)
		}
		fi, _ := os.Stat(path)
		if fi.Size() >= tornLen || fi.Size() <= s.InitEnd {
			t.Fatalf("cut %d: size %d after repair of %d", cut, fi.Size(), tornLen)
		}
		p := ffprobe(t, path)
		s2, _, _ := scanPath(path)
		if p.Frames != s2.Samples || s2.Samples >= 45 || s2.Samples < 28 || s2.GoodEnd != fi.Size() {
			t.Errorf("cut %d: %d frames, %+v", cut, p.Frames, s2)
		}
		decodeClean(t, path)
	}
	// A file with nothing but its header is removed.
	os.WriteFile(path, whole[:s.InitEnd], 0o644)
	if did, err := recoverFile(path); err != nil || did != "removed" {
		t.Fatalf("header only: %q, %v", did, err)
	}
	// Another program's file is left alone.
	other := filepath.Join(dir, "notes.mp4")
	os.WriteFile(other, []byte("hello, this is not a video file"), 0o644)
	if did, err := recoverFile(other); err != nil || did != "" {
		t.Fatalf("foreign file: %q, %v", did, err)
	}
}

func TestDisconnectStartsNewSegment(t *testing.T) {
	needFFmpeg(t)
	srv, cam := mjpegCamera(t, "yard", 320, 240, 15)
	r := openRoot(t, Options{})
	rec := startRecording(t, r, "yard", cam)
	waitFor(t, 15*time.Second, "the first segment", func() bool { return rec.Status().File != "" })
	first := rec.Status().File
	time.Sleep(2 * time.Second)
	srv.DropConnections()
	waitFor(t, 20*time.Second, "a new segment after the reconnect", func() bool {
		st := rec.Status()
		return st.Segments == 2 && st.File != "" && st.File != first
	})
	time.Sleep(1500 * time.Millisecond)
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	c := clips(t, r.Dir())
	if len(c) != 2 {
		t.Fatalf("clips %+v", c)
	}
	for _, cl := range c {
		p := ffprobe(t, cl.Path)
		decodeClean(t, cl.Path)
		if p.Codec != "mjpeg" || p.Frames < 15 {
			t.Errorf("%s: %+v", cl.Path, p)
		}
	}
	if c[0].Path != first || c[0].Duration < 1500*time.Millisecond || c[0].Duration > 3*time.Second {
		t.Errorf("first segment %+v", c[0])
	}
}

func TestRetentionBySize(t *testing.T) {
	_, cam := mjpegCamera(t, "busy", 320, 240, 15)
	var closed []string
	closedCh := make(chan string, 100)
	opts := Options{Segment: 500 * time.Millisecond, MaxBytes: 250 << 10}
	opts.hooks.housekeeping = 50 * time.Millisecond
	opts.hooks.onSegmentClose = func(p string, err error) { closedCh <- p }
	r := openRoot(t, opts)
	rec := startRecording(t, r, "busy", cam)
	deadline := time.Now().Add(20 * time.Second)
	for len(closed) < 8 && time.Now().Before(deadline) {
		select {
		case p := <-closedCh:
			closed = append(closed, p)
		case <-time.After(10 * time.Millisecond):
		}
		// The open segment is never deleted.
		if f := rec.Status().File; f != "" {
			if _, err := os.Stat(f); err != nil && r.isOpen(f) {
				t.Fatalf("open segment %s deleted: %v", f, err)
			}
		}
	}
	if len(closed) < 8 {
		t.Fatalf("only %d segments closed", len(closed))
	}
	r.retain()
	open := rec.Status().File
	var kept []string
	var total int64
	for _, c := range clips(t, r.Dir()) {
		total += c.Size
		if c.Path != open {
			kept = append(kept, c.Path)
		}
	}
	if len(kept) == 0 || len(kept) >= len(closed) {
		t.Fatalf("kept %d of %d closed segments", len(kept), len(closed))
	}
	if total > opts.MaxBytes+200<<10 {
		t.Errorf("root holds %d bytes, cap %d", total, opts.MaxBytes)
	}
	// Oldest first: what is kept is the newest closed segments.
	if _, err := os.Stat(closed[0]); err == nil {
		t.Errorf("the oldest segment %s survived", closed[0])
	}
	if _, err := os.Stat(closed[len(closed)-1]); err != nil {
		t.Errorf("the newest closed segment %s was deleted: %v", closed[len(closed)-1], err)
	}
	rec.Stop()
}

func TestRetentionByAgeAcrossCameras(t *testing.T) {
	dir := t.TempDir()
	frames := jpegFrames(t, 160, 120, 5)
	a := writeTestSegmentAs(t, dir, "a", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), frames, 5)
	b := writeTestSegmentAs(t, dir, "b", time.Date(2024, 1, 1, 11, 0, 0, 0, time.UTC), frames, 5)
	c := writeTestSegmentAs(t, dir, "a", time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), frames, 5)
	now := time.Now()
	os.Chtimes(a, now.Add(-50*time.Hour), now.Add(-50*time.Hour))
	os.Chtimes(b, now.Add(-49*time.Hour), now.Add(-49*time.Hour))
	opts := Options{Root: dir, MaxAge: 48 * time.Hour}
	r := openRoot(t, opts)
	_ = r
	for _, p := range []string{a, b} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s older than MaxAge survived", p)
		}
	}
	if _, err := os.Stat(c); err != nil {
		t.Errorf("recent %s deleted", c)
	}
	r.Close()

	// By size, across cameras: the oldest start goes first, whichever camera.
	d := writeTestSegmentAs(t, dir, "b", time.Date(2024, 1, 1, 13, 0, 0, 0, time.UTC), frames, 5)
	fi, _ := os.Stat(d)
	r2 := openRoot(t, Options{Root: dir, MaxBytes: fi.Size() + 10})
	_ = r2
	if _, err := os.Stat(c); err == nil {
		t.Errorf("older %s survived the size cap", c)
	}
	if _, err := os.Stat(d); err != nil {
		t.Errorf("newest %s deleted", d)
	}
}

func TestUnwritableFolder(t *testing.T) {
	needFFmpeg(t)
	_, bad := mjpegCamera(t, "bad", 160, 120, 10)
	_, good := mjpegCamera(t, "good", 160, 120, 10)
	r := openRoot(t, Options{})
	// A regular file where the camera's folder should be: MkdirAll fails even for root.
	if err := os.WriteFile(filepath.Join(r.Dir(), SafeName("bad")), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	recBad := startRecording(t, r, "bad", bad)
	recGood := startRecording(t, r, "good", good)
	select {
	case <-recBad.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the unwritable recording did not stop")
	}
	st := recBad.Status()
	if st.Recording || !errors.Is(st.Err, ErrNotWritable) || !strings.Contains(st.Err.Error(), "choose another folder") {
		t.Fatalf("status %+v", st)
	}
	t.Logf("shown error: %v", st.Err)
	if err := recBad.Stop(); !errors.Is(err, ErrNotWritable) {
		t.Errorf("Stop: %v", err)
	}
	waitFor(t, 15*time.Second, "the good camera's file", func() bool { return recGood.Status().File != "" })
	time.Sleep(1500 * time.Millisecond)
	if st := recGood.Status(); !st.Recording || st.Err != nil {
		t.Fatalf("good camera: %+v", st)
	}
	if err := recGood.Stop(); err != nil {
		t.Fatal(err)
	}
	c := clips(t, r.Dir())
	if len(c) != 1 || c[0].Camera != "good" {
		t.Fatalf("clips %+v", c)
	}
	decodeClean(t, c[0].Path)
}

func TestFreeSpaceFloor(t *testing.T) {
	_, cam := mjpegCamera(t, "floor", 160, 120, 10)
	free := make(chan int64, 1)
	free <- 1 << 40
	opts := Options{MinFree: 1 << 30}
	opts.hooks.freeBytes = func(string) (int64, error) {
		n := <-free
		free <- n
		return n, nil
	}
	r := openRoot(t, opts)
	rec := startRecording(t, r, "floor", cam)
	waitFor(t, 15*time.Second, "the first fragment", func() bool {
		f := rec.Status().File
		s, _, _ := scanPath(f)
		return f != "" && s.Fragments > 0
	})
	file := rec.Status().File
	<-free
	free <- 100 << 20 // the disk fills up
	select {
	case <-rec.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("recording went on below the floor")
	}
	st := rec.Status()
	if !errors.Is(st.Err, ErrDiskFull) || st.Recording {
		t.Fatalf("status %+v", st)
	}
	t.Logf("shown error: %v", st.Err)
	if s, _, err := scanPath(file); err != nil || s.Fragments == 0 || s.GoodEnd != fileSize(t, file) {
		t.Errorf("the stopped file is not complete: %+v %v", s, err)
	}
	// Below the floor from the start: nothing is created.
	rec2, _ := r.Start("floor2", cam, nil)
	<-rec2.Done()
	if err := rec2.Stop(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("start below the floor: %v", err)
	}
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	r := openRoot(t, Options{Root: dir})
	_, err := Open(Options{Root: dir})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("PID %d", os.Getpid())) {
		t.Fatalf("second Open: %v", err)
	}
	t.Logf("shown error: %v", err)
	r.Close()
	r2, err := Open(Options{Root: dir})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	r2.Close()
}

func TestQueueOverflowDropsToKeyFrame(t *testing.T) {
	aus := h264Units(t)
	cam := capture.NewStream("slow", &annexBSource{AUs: aus, FPS: 30}, capture.StreamOptions{})
	defer cam.Close()
	opts := Options{}
	opts.hooks.queue = 4
	n := 0
	opts.hooks.beforePacket = func(string) {
		n++
		if n == 20 {
			time.Sleep(600 * time.Millisecond) // a slow disk
		}
	}
	r := openRoot(t, opts)
	st := recordFor(t, r, "slow", cam, 3*time.Second)
	if st.Drops == 0 {
		t.Fatalf("no drops counted: %+v", st)
	}
	c := clips(t, r.Dir())
	if len(c) != 1 {
		t.Fatalf("want the hole inside one segment, got %+v", c)
	}
	s, _, _ := scanPath(c[0].Path)
	p := ffprobe(t, c[0].Path)
	decodeClean(t, c[0].Path)
	t.Logf("drops %d, fragments %d, frames %d, duration %.2f", st.Drops, s.Fragments, p.Frames, p.Duration)
	if p.Codec != "h264" || p.Frames != s.Samples {
		t.Errorf("ffprobe %+v, samples %d", p, s.Samples)
	}
}

func TestPrebuffer(t *testing.T) {
	needFFmpeg(t)
	_, cam := mjpegCamera(t, "porch", 320, 240, 15)
	r := openRoot(t, Options{})
	pre := NewPrebuffer(cam, 2*time.Second)
	defer pre.Close()
	waitFor(t, 15*time.Second, "2 s of pre-roll", func() bool { return pre.Buffered() >= 1900*time.Millisecond })
	time.Sleep(time.Second) // the buffer stays bounded
	if b := pre.Buffered(); b > 2200*time.Millisecond {
		t.Errorf("prebuffer holds %v, want about 2 s", b)
	}
	trigger := time.Now()
	rec, err := r.Start("porch", cam, pre)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	clip := oneClip(t, r.Dir())
	if lead := trigger.Sub(clip.Start); lead < time.Second {
		t.Errorf("recording starts %v before the trigger, want about 2 s", lead)
	}
	p := ffprobe(t, clip.Path)
	decodeClean(t, clip.Path)
	if math.Abs(p.Duration-4) > 0.5 {
		t.Errorf("duration %.2f, want 2 s pre-roll + 2 s", p.Duration)
	}
	// The prebuffer fills again for the next trigger.
	waitFor(t, 10*time.Second, "pre-roll again", func() bool { return pre.Buffered() >= time.Second })
}

func TestPrebufferStartsAtKeyFrame(t *testing.T) {
	p := &Prebuffer{d: 2 * time.Second}
	t0 := time.Now()
	for i := 0; i < 100; i++ {
		p.addLocked(capture.Packet{Codec: capture.CodecH264, Data: make([]byte, 10), Key: i%15 == 0,
			ReceiveTime: t0.Add(time.Duration(i) * time.Second / 15)})
	}
	// The newest is frame 99 (6.6 s); 2 s back is 4.6 s = frame 69; the last key frame
	// at or before it is frame 60.
	if !p.buf[0].Key || len(p.buf) != 40 {
		t.Errorf("prebuffer starts key=%v and holds %d packets, want a key frame and 40", p.buf[0].Key, len(p.buf))
	}
	if p.bytes != 400 {
		t.Errorf("bytes %d", p.bytes)
	}
}

func TestSafeName(t *testing.T) {
	cases := []struct{ in, prefix string }{
		{"Front door", "Front door"},
		{"Über Kamera 東京", "Über Kamera 東京"},
		{"a/b", "a_b-"},
		{"a:b", "a_b-"},
		{`a\b`, "a_b-"},
		{"..", "__-"},
		{".hidden", "_hidden-"},
		{"/", "_-"},
		{"CON", "_CON-"},
		{"con.txt", "_con.txt-"},
		{"lpt1", "_lpt1-"},
		{"cam ", "cam_-"},
		{"cam.", "cam_-"},
		{"tab\there", "tab_here-"},
		{"bad\xffutf8", "bad_utf8-"},
		{"", "camera-"},
		{"a*b?c<d>e|f\"g", "a_b_c_d_e_f_g-"},
	}
	seen := map[string]string{}
	for _, c := range cases {
		got := SafeName(c.in)
		if !strings.HasPrefix(got, c.prefix) || (c.in == c.prefix) != (got == c.in) {
			t.Errorf("SafeName(%q) = %q, want prefix %q", c.in, got, c.prefix)
		}
		if o, ok := seen[got]; ok {
			t.Errorf("SafeName(%q) = SafeName(%q) = %q", c.in, o, got)
		}
		seen[got] = c.in
		if strings.ContainsAny(got, `/\:`) || got == "." || got == ".." || strings.HasPrefix(got, ".") {
			t.Errorf("SafeName(%q) = %q is not a safe file name", c.in, got)
		}
	}
	long := SafeName(strings.Repeat("é", 300))
	if len(long) > maxNameBytes+9 || !strings.HasPrefix(long, "éé") {
		t.Errorf("long name: %d bytes: %q", len(long), long)
	}
	if SafeName(strings.Repeat("é", 300)) == SafeName(strings.Repeat("é", 301)) {
		t.Error("two long names collide")
	}
}

func TestOddCameraNamesRecord(t *testing.T) {
	_, cam := mjpegCamera(t, "odd", 160, 120, 10)
	r := openRoot(t, Options{})
	names := []string{"../../etc/passwd", "CON", "a:b", "a/b", "東京 ⛩ cam"}
	var recs []*Recording
	for _, n := range names {
		rec := startRecording(t, r, n, cam)
		recs = append(recs, rec)
	}
	for _, rec := range recs {
		waitFor(t, 15*time.Second, "a file for "+rec.Camera(), func() bool { return rec.Status().File != "" })
	}
	for _, rec := range recs {
		if err := rec.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	c := clips(t, r.Dir())
	if len(c) != len(names) {
		t.Fatalf("%d clips for %d cameras: %+v", len(c), len(names), c)
	}
	dirs := map[string]bool{}
	for _, cl := range c {
		if !strings.HasPrefix(cl.Path, r.Dir()+string(filepath.Separator)) {
			t.Errorf("%s escapes the root", cl.Path)
		}
		dirs[cl.Camera] = true
	}
	if len(dirs) != len(names) {
		t.Errorf("camera folders %v", dirs)
	}
}

func TestSegmentNameClash(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 3, 31, 2, 30, 0, 0, time.FixedZone("", 2*3600))
	var paths []string
	for i := 0; i < 3; i++ {
		f, p, err := createSegment(dir, "cam", at)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, filepath.Base(p))
	}
	want := []string{"cam_2024-03-31T02-30-00.000+0200.mp4", "cam_2024-03-31T02-30-00.000+0200-2.mp4", "cam_2024-03-31T02-30-00.000+0200-3.mp4"}
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Errorf("names %v, want %v", paths, want)
	}
	if ts, ok := parseSegmentTime(paths[2]); !ok || !ts.Equal(at) {
		t.Errorf("parse %q: %v %v", paths[2], ts, ok)
	}
}

func TestDefaultRoot(t *testing.T) {
	t.Setenv("XDG_VIDEOS_DIR", "/srv/videos")
	if d, err := DefaultRoot(); err != nil || d != "/srv/videos/vigil" {
		t.Errorf("with XDG_VIDEOS_DIR: %q %v", d, err)
	}
	home := t.TempDir()
	t.Setenv("XDG_VIDEOS_DIR", "")
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "cfg"))
	if d, _ := DefaultRoot(); d != filepath.Join(home, "Videos", "vigil") {
		t.Errorf("fallback: %q", d)
	}
	os.MkdirAll(filepath.Join(home, "cfg"), 0o755)
	os.WriteFile(filepath.Join(home, "cfg", "user-dirs.dirs"), []byte("# x\nXDG_VIDEOS_DIR=\"$HOME/Filme\"\n"), 0o644)
	if d, _ := DefaultRoot(); d != filepath.Join(home, "Filme", "vigil") {
		t.Errorf("user-dirs: %q", d)
	}
}

// A file is named by its first frame's time to the millisecond, and fmp4file reads the
// same time from it; a name written before the milliseconds were added reads to the
// second.
func TestSegmentNameKeepsTheMilliseconds(t *testing.T) {
	at := time.Date(2026, 12, 2, 17, 1, 2, 734_900_000, time.FixedZone("", 3600))
	name := segmentName("cam", at, 2)
	if name != "cam_2026-12-02T17-01-02.734+0100-2.mp4" {
		t.Fatalf("name %q", name)
	}
	for name, want := range map[string]time.Time{
		name:                               at.Truncate(time.Millisecond),
		"cam_2026-12-02T17-01-02+0100.mp4": at.Truncate(time.Second),
	} {
		if ts, ok := parseSegmentTime(name); !ok || !ts.Equal(want) {
			t.Errorf("parse %q: %v %v, want %v", name, ts, ok, want)
		}
	}
}
