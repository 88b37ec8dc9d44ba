package recorder

import (
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecordMJPEG1080p measures the CPU one recorded 1080p15 M-JPEG stream costs:
// packets of 280 KB (a typical 1080p camera JPEG) go through the recording's whole path —
// conversion, fragment building, one write and one fsync per fragment — and the process
// CPU time (user + system) per frame is reported, with what that makes at 15 fps as a
// percentage of one core. Nothing is decoded. Closed segments are deleted as they close
// so the disk does not fill.
//
//	go test -run '^$' -bench RecordMJPEG1080p -benchtime 600x ./recorder
func BenchmarkRecordMJPEG1080p(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "fsync"
		if !sync {
			name = "nosync"
		}
		b.Run(name, func(b *testing.B) { benchRecord(b, !sync) })
	}
}

func benchRecord(b *testing.B, noSync bool) {
	frame := make([]byte, 280<<10)
	for i := range frame {
		frame[i] = byte(rand.IntN(256))
	}
	frame[0], frame[1] = 0xff, 0xd8
	opts := Options{Root: b.TempDir(), MinFree: -1, Segment: 10 * time.Second}
	opts.hooks.noSync = noSync
	opts.hooks.onSegmentClose = func(p string, err error) { os.Remove(p) }
	r, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rec := &Recording{root: r, camera: "bench", safe: "bench"}
	rec.q = newPacketQueue(maxQueueBytes, maxQueuePackets, &rec.ownDrops)
	t0 := time.Now()
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		p := capture.Packet{Codec: capture.CodecJPEG, Data: frame, Key: true, Width: 1920, Height: 1080,
			ReceiveTime: t0.Add(time.Duration(i) * time.Second / 15)}
		if err := rec.handle(p); err != nil {
			b.Fatal(err)
		}
	}
	if rec.seg != nil {
		rec.closeSegment(0, false)
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	perFrame := float64(cpu.Nanoseconds()) / float64(b.N)
	b.ReportMetric(perFrame/1e3, "cpu-µs/frame")
	b.ReportMetric(perFrame*15/1e9*100, "%core@15fps")
}
