package panel

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// BenchmarkHealthSample16Cameras: one sampling pass of the health sampler over 16 live
// demo cameras (held, as the wall holds the cameras it does not show), and one minute's
// write of their rows into SQLite: the sampler's cost is a pass every 10 s and a write a
// minute.
func BenchmarkHealthSample16Cameras(b *testing.B) {
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	cfg, err := config.Parse([]byte("demo: {mjpeg: 16, size: 320x180, fps: 10}\n"))
	if err != nil {
		b.Fatal(err)
	}
	p, err := Open(cfg, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, s := range p.Streams() {
		defer s.Hold()()
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		live := 0
		for _, s := range p.Streams() {
			if s.Status().State == capture.StateLive {
				live++
			}
		}
		if live == 16 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of 16 cameras live", live)
		}
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "events.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := &healthSampler{streams: p.Streams(), open: func() (*store.Store, error) { return st, nil }, log: slog.New(slog.DiscardHandler)}
	b.Run("sample", func(b *testing.B) {
		sums := map[string]*healthSum{}
		for b.Loop() {
			h.sample(sums)
		}
		if len(sums) != 16 || sums["Demo 1"].up == 0 {
			b.Fatalf("sums %v", sums)
		}
	})
	b.Run("write", func(b *testing.B) {
		sums := map[string]*healthSum{}
		h.sample(sums)
		at := time.Now().Truncate(time.Minute)
		var failing bool
		for b.Loop() {
			at = at.Add(time.Minute)
			h.write(at, sums, &failing)
		}
		if failing {
			b.Fatal("the write failed")
		}
		rows, err := st.Health(context.Background(), "", time.Now().Add(-time.Hour), at.Add(time.Minute), store.MaxHealthPoints)
		if err != nil || len(rows) == 0 {
			b.Fatalf("%d rows (%v)", len(rows), err)
		}
	})
}
