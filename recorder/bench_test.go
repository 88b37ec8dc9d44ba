package recorder

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/avdec/avdectest"
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

// loopSource is a capture.Source emitting pre-made packets in a loop at FPS, stamped with
// their receive time and a media clock, as rtsp.Source delivers a camera: packets that
// carry their own PTS/DTS (B-frames in DTS order) keep them, carried on across loops;
// others but JPEG get one frame period each.
type loopSource struct {
	Pkts []capture.Packet
	FPS  float64
}

func (s *loopSource) Run(ctx context.Context, sink capture.Sink) error {
	sink.Connected(capture.StreamInfo{Protocol: "test", Transport: "none", Codec: s.Pkts[0].Codec})
	period := time.Duration(float64(time.Second) / s.FPS)
	loop := time.Duration(len(s.Pkts)) * period
	t := time.NewTicker(period)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		p := s.Pkts[i%len(s.Pkts)]
		p.ReceiveTime = time.Now()
		switch {
		case p.HasPTS:
			off := time.Duration(i/len(s.Pkts)) * loop
			p.PTS, p.DTS = p.PTS+off, p.DTS+off
		case p.Codec != capture.CodecJPEG:
			p.PTS, p.DTS, p.HasPTS = time.Duration(i)*period, time.Duration(i)*period, true
		}
		sink.Packet(p)
	}
}

// BenchmarkRecord16Streams measures what the recorder costs per camera with 16 cameras
// of 1080p at 15 fps at their real rate — H.264 at 4 Mbit/s (ffmpeg's libx264, a key
// frame a second, no B-frames, as cameras send) and M-JPEG of 280 KB frames (70 MB/s in
// all) — through Streams, Hubs and the whole recording path to disk, fsync included.
// Each iteration is one second of wall time: first the 16 feeds run with a consumer that
// only drains them, then the same feeds with 16 recordings; the process CPU time
// (getrusage, user + system) of the second minus the first is the recorder's, reported
// as a percentage of one core per stream.
//
//	go test -run '^$' -bench Record16Streams -benchtime 20x ./recorder
func BenchmarkRecord16Streams(b *testing.B) {
	needFFmpeg(b)
	h264 := avdectest.Encode(b, avdectest.Stream{Codec: capture.CodecH264, Width: 1920, Height: 1080, FPS: 15,
		Frames: 45, Preset: "ultrafast", Extra: []string{"-b:v", "4M", "-maxrate", "4M", "-bufsize", "2M"}})
	jpg := make([]byte, 280<<10)
	for i := range jpg {
		jpg[i] = byte(rand.IntN(256))
	}
	jpg[0], jpg[1] = 0xff, 0xd8
	mjpeg := []capture.Packet{{Codec: capture.CodecJPEG, Data: jpg, Key: true, Width: 1920, Height: 1080}}
	for _, c := range []struct {
		name string
		pkts []capture.Packet
	}{{"h264", h264}, {"mjpeg", mjpeg}} {
		b.Run(c.name, func(b *testing.B) { benchStreams(b, c.pkts, 16) })
	}
}

func benchStreams(b *testing.B, pkts []capture.Packet, n int) {
	d := time.Duration(b.N) * time.Second
	var bytes int
	for _, p := range pkts {
		bytes += len(p.Data)
	}
	b.Logf("%d streams of %.1f Mbit/s for %v", n, float64(bytes)*8*15/float64(len(pkts))/1e6, d)
	cams := make([]*capture.Stream, n)
	for i := range cams {
		cams[i] = capture.NewStream(fmt.Sprintf("cam%d", i), &loopSource{Pkts: pkts, FPS: 15}, capture.StreamOptions{})
		defer cams[i].Close()
	}
	// The feeds alone, drained.
	var wg sync.WaitGroup
	var unsubs []func()
	for _, c := range cams {
		sub, unsub := c.Subscribe("drain", hubQueue)
		unsubs = append(unsubs, unsub)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range sub.C() {
			}
		}()
	}
	time.Sleep(time.Second) // connected and running
	b.ResetTimer()
	cpu0 := cpuTime()
	time.Sleep(d)
	feed := cpuTime() - cpu0
	for _, u := range unsubs {
		u()
	}
	wg.Wait()

	opts := Options{Root: b.TempDir(), MinFree: -1, Segment: 5 * time.Second}
	opts.hooks.onSegmentClose = func(p string, err error) { os.Remove(p) }
	r, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var recs []*Recording
	for i, c := range cams {
		rec, err := r.Start(fmt.Sprintf("cam%d", i), c, nil)
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	time.Sleep(2 * time.Second) // past the first key frame and file
	cpu0 = cpuTime()
	time.Sleep(d)
	both := cpuTime() - cpu0
	b.StopTimer()
	var drops uint64
	for _, rec := range recs {
		st := rec.Status()
		drops += st.Drops
		if st.Err != nil {
			b.Errorf("%s: %v", rec.Camera(), st.Err)
		}
		rec.Stop()
	}
	rec := both - feed
	b.ReportMetric(float64(feed)/float64(d)*100, "%core-feed")
	b.ReportMetric(float64(both)/float64(d)*100, "%core-feed+rec")
	b.ReportMetric(float64(rec)/float64(d)*100/float64(n), "%core/stream")
	b.ReportMetric(float64(drops), "drops")
}
