package push

import (
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestPushNumbers measures (issue 14's numbers) what one listener accepts from 16
// pushers of 1280×720 JPEGs at 15 fps in another process: frames per second, drops, and
// the panel side's CPU per pusher (this process's rusage over the run). It logs; it never
// fails because the machine is slow.
func TestPushNumbers(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	const pushers, fps, frames = 16, 15, 75
	pic := noiseJPEG(t, 1280, 720)
	file := filepath.Join(t.TempDir(), "frame.jpg")
	if err := os.WriteFile(file, pic, 0o644); err != nil {
		t.Fatal(err)
	}
	h, _, _ := listen(t, Options{})
	cams := make([]*camera, pushers)
	for i := range cams {
		cams[i] = openCamera(t, fmt.Sprintf("%s/p%02d", h.URL(), i))
	}
	type result struct {
		n    int
		last time.Time
	}
	counts := make([]int, pushers)
	done := make(chan result, pushers)
	for _, c := range cams {
		go func() {
			var r result
			for r.n < frames {
				select {
				case <-c.sub.C():
					r.n++
					r.last = time.Now()
				case <-time.After(5 * time.Second):
					done <- r
					return
				}
			}
			done <- r
		}()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", fmt.Sprintf("%s=%s,%d,%d,%d,%s", helperEnv, h.Addr(), pushers, fps, frames, file))
	cmd.Stderr = os.Stderr
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	total := 0
	var last time.Time
	for i := range counts {
		r := <-done
		counts[i], total = r.n, total+r.n
		if r.last.After(last) {
			last = r.last
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	elapsed := last.Sub(t0)
	cmd.Wait()
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
	var drops uint64
	for _, c := range cams {
		drops += c.sub.Drops() + c.st.Stats().Drops
	}
	skipped := int(h.l.skipped.Load())
	t.Logf("%d pushers × %d fps of %d KiB 1280×720 JPEGs: %d of %d frames in %s (helper start to last frame) = %.1f frames/s accepted, %d replaced before the camera's Run took its pusher, %d hub drops; panel CPU %s = %.2f %% of a core per pusher, no decoding (race detector: %v)",
		pushers, fps, len(pic)>>10, total, pushers*frames, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), skipped, drops, cpu.Round(time.Millisecond),
		100*cpu.Seconds()/elapsed.Seconds()/pushers, raceEnabled)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		pcpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("the pushers' process (Pusher, no encoding): %s CPU for %d frames = %.3f ms a frame", pcpu.Round(time.Millisecond), pushers*frames, pcpu.Seconds()*1000/float64(pushers*frames))
	}
	if total+skipped != pushers*frames || drops != 0 {
		t.Errorf("lost %d frames: %v", pushers*frames-total-skipped, counts)
	}
}

// noiseJPEG encodes a w×h picture of gradient and noise, about the size a camera's
// 720p JPEG is.
func noiseJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			n := uint8(r.IntN(40))
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)+n, uint8(y*255/h)+n, 128+n, 255
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "*.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Name())
	return b
}
