package panel_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// cpuTime is the process's user and system time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMotion16DemoCameras: 16 demo cameras (1280×720 M-JPEG at 10 fps, held as the
// wall holds cameras it does not show) for 20 s without analyzers, then 20 s with the
// motion analyzer on each (its own 320×180 decode at 5 fps, luma, motion, events into
// SQLite): the difference is what motion costs a camera, reported in % of a core.
func BenchmarkMotion16DemoCameras(b *testing.B) {
	const n, phase = 16, 20 * time.Second
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	run := func(analyzers string) float64 {
		dir := b.TempDir()
		var yaml strings.Builder
		fmt.Fprintf(&yaml, "analytics: {database: %q}\ncameras:\n", dir+"/events.db")
		for i := range n {
			fmt.Fprintf(&yaml, "  - {name: C%d, analyzers: [%s], streams: [{url: 'demo://C%d?size=1280x720&fps=10'}]}\n", i, analyzers, i)
		}
		cfg := useSettings(b, yaml.String())
		pn, err := panel.Open(cfg, panel.Options{Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		defer pn.Close()
		for _, s := range pn.Streams() {
			defer s.Hold()()
		}
		pn.StartAnalytics()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			live := 0
			for _, s := range pn.Streams() {
				if s.Status().State == capture.StateLive {
					live++
				}
			}
			if live == n {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d cameras live", live, n)
			}
		}
		time.Sleep(3 * time.Second) // the analyzers calibrate
		c0, t0 := cpuTime(b), time.Now()
		time.Sleep(phase)
		return float64(cpuTime(b)-c0) / float64(time.Since(t0))
	}
	for range b.N {
		without := run("")
		with := run("motion")
		b.ReportMetric(without*100, "%core-16-held")
		b.ReportMetric(with*100, "%core-16-motion")
		b.ReportMetric((with-without)*100/n, "%core/camera-motion")
	}
}
