package panel

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// TileStats is one line of `vigil --stats FILE`: one JSON object per tile per second,
// so a wall can be measured in a real window.
type TileStats struct {
	Time         string  `json:"time"`
	Tile         int     `json:"tile"`
	Camera       string  `json:"camera"`
	State        string  `json:"state"`
	FPSIn        float64 `json:"fps_in"`
	FPSDecoded   float64 `json:"fps_decoded"`
	FPSDrawn     float64 `json:"fps_drawn"`
	Drops        uint64  `json:"drops"`
	BitrateKbps  float64 `json:"bitrate_kbps"`
	LatencyP50Ms float64 `json:"latency_p50_ms"`
	LatencyP99Ms float64 `json:"latency_p99_ms"`
	LatencyOK    bool    `json:"latency_ok"`
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	DecodeW      int     `json:"decode_w"`
	DecodeH      int     `json:"decode_h"`
	AppCPU       float64 `json:"app_cpu_cores"`
	AppRSSMB     float64 `json:"app_rss_mb"`
}

// ShownTile is what the stats writer needs of a tile: its camera and its drawn-frame
// counter (safe to read from any goroutine).
type ShownTile struct {
	Stream *capture.Stream
	Drawn  func() uint64
}

// WriteStats writes one line per tile with a camera every second until ctx ends. tiles
// returns the wall's tiles in order; it is called on this goroutine and must collect them
// safely (through the UI goroutine).
func WriteStats(ctx context.Context, w io.Writer, tiles func() []ShownTile, cpu *CPUMeter) {
	enc := json.NewEncoder(w)
	type seen struct {
		camera string
		drawn  uint64
	}
	last := map[int]seen{} // by tile position; a different camera there starts afresh
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prev := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			secs := now.Sub(prev).Seconds()
			prev = now
			cores := cpu.Cores()
			rss := rssMB()
			for i, t := range tiles() {
				s := t.Stream
				if s == nil {
					continue
				}
				drawn := t.Drawn()
				prevDrawn := drawn
				if l, ok := last[i]; ok && l.camera == s.Name() {
					prevDrawn = l.drawn
				}
				st, snap := s.Status(), s.Stats()
				line := TileStats{
					Time: now.Format(time.RFC3339Nano), Tile: i, Camera: s.Name(), State: st.State.String(),
					FPSIn: snap.FPSIn, FPSDecoded: snap.FPSOut, FPSDrawn: float64(drawn-prevDrawn) / secs,
					Drops: snap.Drops, BitrateKbps: snap.BitrateKbps,
					LatencyP50Ms: ms(snap.LatencyP50), LatencyP99Ms: ms(snap.LatencyP99), LatencyOK: snap.LatencyOK,
					Width: snap.Width, Height: snap.Height, DecodeW: snap.DecodeW, DecodeH: snap.DecodeH,
					AppCPU: cores, AppRSSMB: rss,
				}
				last[i] = seen{s.Name(), drawn}
				if enc.Encode(line) != nil {
					return
				}
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// CPUMeter reports this process's CPU use in cores, averaged since the previous call.
type CPUMeter struct {
	mu       sync.Mutex
	lastCPU  time.Duration
	lastWall time.Time
	cores    float64
}

// Cores is the CPU used since the previous call (at most once a second is meaningful;
// calls closer than half a second apart return the previous value).
func (m *CPUMeter) Cores() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if now.Sub(m.lastWall) < 500*time.Millisecond {
		return m.cores
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return m.cores
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if !m.lastWall.IsZero() {
		m.cores = (cpu - m.lastCPU).Seconds() / now.Sub(m.lastWall).Seconds()
	}
	m.lastCPU, m.lastWall = cpu, now
	return m.cores
}

// rssMB is this process's peak resident memory.
func rssMB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}
