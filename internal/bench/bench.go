// Package bench measures Vigil's capture pipeline honestly: on the same camera streams,
// (1) our headless pipeline — network read, decode at tile size, copy into a tile's own
// RGBA buffer — (2) ffmpeg decoding the same streams fully, and (3) the floor: TurboJPEG
// decoding the same frames at the same DCT scale in a bare single-threaded loop, the
// physical limit of this work on this machine. The simulated cameras run in a separate
// process (`vigil camsim`) so their CPU is not counted as ours.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
	"github.com/vigil-cctv/vigil/config"
)

// Options describe one benchmark run.
type Options struct {
	Streams       int
	Width, Height int
	FPS           float64
	TileW, TileH  int
	// Duration is each measured phase's length; Warmup precedes the pipeline phase.
	Duration, Warmup time.Duration
	// VsFFmpeg adds the ffmpeg phase; FFmpegParallel is how many ffmpeg processes run at
	// once (few enough that none is starved on this machine). It defaults to 2.
	VsFFmpeg       bool
	FFmpegParallel int
	// Camsim is the command line that serves the cameras and prints their URLs as JSON
	// (`vigil camsim … --json`).
	Camsim []string
	// Log receives progress lines.
	Log io.Writer
	// CPUProfile, when set, receives a pprof CPU profile of the measured pipeline phase.
	CPUProfile io.Writer

	// RTSP switches from M-JPEG over HTTP to H.264 over RTSP: Camsim must then serve
	// RTSP URLs (see ServeRTSP), the pipeline reads them with protocols/rtsp.Source and
	// decodes with Decoders, ffmpeg decodes and scales them to the tile size, and there
	// is no TurboJPEG floor phase.
	RTSP bool
	// Decoders makes the pipeline's decoders in RTSP mode (cmd/vigil's newDecoder).
	Decoders func(capture.Codec) (capture.FrameDecoder, error)
	// RTSPTransport is "tcp" or "udp", for both our pipeline and ffmpeg. It defaults to
	// "tcp", which ffmpeg and Vigil both handle without loss on any link.
	RTSPTransport string
}

// Result is what `vigil bench --json` prints.
type Result struct {
	Streams      int     `json:"streams"`
	Size         string  `json:"size"`
	Tile         string  `json:"tile"`
	FPS          float64 `json:"fps"`
	DurationS    float64 `json:"duration_s"`
	FrameKB      float64 `json:"frame_kb"`
	FPSPerStream float64 `json:"fps_per_stream"`
	FPSMin       float64 `json:"fps_min"`
	Frames       int64   `json:"frames"`
	// Drops is DropsHub (packets the decoder's queue had no room for) plus Skipped
	// (decoded frames replaced before the tile took them): pictures never shown.
	Drops    uint64 `json:"drops"`
	DropsHub uint64 `json:"drops_hub"`
	Skipped  uint64 `json:"skipped"`
	// CPUMsPerFrame is this process's CPU (user+system) per delivered frame.
	CPUMsPerFrame float64 `json:"cpu_ms_per_frame"`
	CPUCores      float64 `json:"cpu_cores"`
	LatencyP50Ms  float64 `json:"latency_p50_ms"`
	LatencyP99Ms  float64 `json:"latency_p99_ms"`
	RSSMB         float64 `json:"rss_mb"`

	FFmpegCPUMsPerFrame float64 `json:"ffmpeg_cpu_ms_per_frame"`
	FFmpegFrames        int64   `json:"ffmpeg_frames"`
	CPURatio            float64 `json:"cpu_ratio"`

	FloorMsPerFrame float64 `json:"floor_ms_per_frame"`
	FloorFrames     int     `json:"floor_frames"`
	// FloorParallelMsPerFrame is the same loop run on every CPU at once: the decode's
	// own cost on a busy machine, for telling pipeline overhead from contention.
	FloorParallelMsPerFrame float64 `json:"floor_parallel_ms_per_frame"`
	FloorRatio              float64 `json:"floor_ratio"`

	// Codec and BitrateMbps describe the camera streams (BitrateMbps from the sampled
	// frames' sizes).
	Codec       string  `json:"codec"`
	BitrateMbps float64 `json:"bitrate_mbps,omitempty"`
	Transport   string  `json:"transport,omitempty"`

	CamsimCPUCores float64 `json:"camsim_cpu_cores"`
	Machine        string  `json:"machine"`
}

func (o *Options) logf(format string, a ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", a...)
	}
}

// Run runs every phase and returns the numbers.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.FFmpegParallel <= 0 {
		o.FFmpegParallel = 2
	}
	if o.RTSPTransport == "" {
		o.RTSPTransport = "tcp"
	}
	if o.RTSP && o.Decoders == nil {
		return Result{}, errors.New("bench: RTSP mode needs Options.Decoders")
	}
	r := Result{
		Streams: o.Streams, Size: fmt.Sprintf("%dx%d", o.Width, o.Height), Tile: fmt.Sprintf("%dx%d", o.TileW, o.TileH),
		FPS: o.FPS, DurationS: o.Duration.Seconds(),
		Machine: fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()),
		Codec:   "jpeg",
	}
	if o.RTSP {
		r.Codec, r.Transport = "h264", o.RTSPTransport
	}
	o.logf("starting %d simulated cameras (%s at %g fps) in a separate process…", o.Streams, r.Size, o.FPS)
	sim, urls, err := startCamsim(ctx, o.Camsim, o.Streams)
	if err != nil {
		return r, err
	}
	defer sim.stop()

	samples, err := pipelinePhase(ctx, o, urls, &r)
	if err != nil {
		return r, err
	}
	if o.VsFFmpeg {
		if err := ffmpegPhase(ctx, o, urls, &r); err != nil {
			return r, err
		}
		if r.FFmpegCPUMsPerFrame > 0 {
			r.CPURatio = r.CPUMsPerFrame / r.FFmpegCPUMsPerFrame
		}
	}
	if !o.RTSP {
		if err := floorPhase(o, samples, &r); err != nil {
			return r, err
		}
	}
	if r.FloorMsPerFrame > 0 {
		r.FloorRatio = r.CPUMsPerFrame / r.FloorMsPerFrame
	}
	r.CamsimCPUCores = sim.cpuCores()
	return r, nil
}

// pipelinePhase runs our pipeline on every stream and returns a loop of frames per
// stream for the floor phase.
func pipelinePhase(ctx context.Context, o Options, urls []string, r *Result) ([][][]byte, error) {
	decoders := func(capture.Codec) (capture.FrameDecoder, error) { return jpegdec.New() }
	if o.RTSP {
		o.logf("phase 1: Vigil pipeline (RTSP over %s → libavcodec H.264, scaled to tile size → copy into the tile's buffer), warm-up %s (and until RTCP sender reports arrive), measure %s", o.RTSPTransport, o.Warmup, o.Duration)
		decoders = o.Decoders
	} else {
		o.logf("phase 1: Vigil pipeline (HTTP read → TurboJPEG at tile size → copy into the tile's buffer), warm-up %s, measure %s", o.Warmup, o.Duration)
	}
	// The sources come from the app's protocol table (MJPEG for http://, RTSP for rtsp://).
	sources := make([]capture.Source, len(urls))
	for i, u := range urls {
		src, err := config.Protocols().NewSource(u, capture.Settings{Transport: o.RTSPTransport})
		if err != nil {
			return nil, err
		}
		sources[i] = src
	}
	timed := make([]atomic.Bool, len(urls)) // a frame with a SourceTime arrived
	var measuring atomic.Bool
	var latMu sync.Mutex
	var lat []time.Duration
	frames := make([]atomic.Int64, len(urls))
	streams := make([]*capture.Stream, len(urls))
	views := make([]*capture.FrameSub, len(urls))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range urls {
		streams[i] = capture.NewStream(fmt.Sprintf("cam%d", i+1), sources[i], capture.StreamOptions{
			Decoders: decoders,
		})
		views[i] = streams[i].Watch(o.TileW, o.TileH)
		wg.Add(1)
		go func(i int, v *capture.FrameSub) {
			defer wg.Done()
			var tile *image.RGBA // the tile's own buffer, as ui.Tile keeps
			for {
				select {
				case <-stop:
					return
				case <-v.Ready():
				}
				f := v.Take()
				if f == nil {
					continue
				}
				if tile == nil || tile.Rect != f.Image.Rect {
					tile = image.NewRGBA(f.Image.Rect)
				}
				copy(tile.Pix, f.Image.Pix)
				drawn := time.Now()
				if !f.SourceTime.IsZero() {
					timed[i].Store(true)
				}
				if measuring.Load() {
					frames[i].Add(1)
					if !f.SourceTime.IsZero() {
						latMu.Lock()
						lat = append(lat, drawn.Sub(f.SourceTime))
						latMu.Unlock()
					}
				}
				f.Release()
			}
		}(i, views[i])
	}
	defer func() {
		close(stop)
		wg.Wait()
		for i := range streams {
			views[i].Close()
			streams[i].Close()
		}
	}()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(o.Warmup):
	}
	if o.RTSP {
		// Latency needs the sender's wall clock, which RTSP gives only with the first
		// RTCP sender report (gortsplib's server sends one every 10 s).
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && !allSet(timed) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	for i, s := range streams {
		if st := s.Status(); st.State != capture.StateLive {
			return nil, fmt.Errorf("camera %d is %s after the warm-up: %v", i+1, st.State, st.Err)
		}
	}

	drops0, skipped0 := totalDrops(streams, views)
	ru0 := rusage(syscall.RUSAGE_SELF)
	t0 := time.Now()
	measuring.Store(true)
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(o.Duration):
	}
	measuring.Store(false)
	if o.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	elapsed := time.Since(t0)
	cpu := rusage(syscall.RUSAGE_SELF) - ru0
	drops1, skipped1 := totalDrops(streams, views)
	rssMB := maxRSSMB() // before the floor samples are held

	// Keep one loop of each camera's frames for the floor phase, taken after the
	// measurement so holding them does not count in the pipeline's memory.
	samples := make([][][]byte, len(urls))
	var sampleWG sync.WaitGroup
	for i, s := range streams {
		sub, unsub := s.Subscribe("bench-sampler", 64)
		sampleWG.Add(1)
		go func(i int) {
			defer sampleWG.Done()
			defer unsub()
			want := max(int(o.FPS*2), 8)
			deadline := time.After(max(o.Warmup, 3*time.Second))
			for len(samples[i]) < want {
				select {
				case p, ok := <-sub.C():
					if !ok {
						return
					}
					samples[i] = append(samples[i], p.Data)
				case <-deadline:
					return
				}
			}
		}(i)
	}
	sampleWG.Wait()

	var total int64
	r.FPSMin = -1
	var bytes, n int
	for i := range frames {
		c := frames[i].Load()
		total += c
		fps := float64(c) / elapsed.Seconds()
		if r.FPSMin < 0 || fps < r.FPSMin {
			r.FPSMin = fps
		}
		for _, b := range samples[i] {
			bytes += len(b)
			n++
		}
	}
	r.Frames = total
	r.FPSPerStream = float64(total) / elapsed.Seconds() / float64(len(urls))
	r.DropsHub, r.Skipped = drops1-drops0, skipped1-skipped0
	r.Drops = r.DropsHub + r.Skipped
	if n > 0 {
		r.FrameKB = float64(bytes) / float64(n) / 1024
		r.BitrateMbps = float64(bytes) / float64(n) * 8 * o.FPS / 1e6
	}
	if total > 0 {
		r.CPUMsPerFrame = float64(cpu.Microseconds()) / 1000 / float64(total)
	}
	r.CPUCores = cpu.Seconds() / elapsed.Seconds()
	r.RSSMB = rssMB
	latMu.Lock()
	r.LatencyP50Ms, r.LatencyP99Ms = percentileMs(lat, 50), percentileMs(lat, 99)
	latMu.Unlock()
	o.logf("  %d frames, %.2f fps per stream (min %.2f), %d dropped (%d in the hub, %d skipped), %.2f CPU ms/frame (%.2f cores), latency p50 %.1f ms p99 %.1f ms, RSS %.0f MB",
		r.Frames, r.FPSPerStream, r.FPSMin, r.Drops, r.DropsHub, r.Skipped, r.CPUMsPerFrame, r.CPUCores, r.LatencyP50Ms, r.LatencyP99Ms, r.RSSMB)
	return samples, nil
}

func allSet(b []atomic.Bool) bool {
	for i := range b {
		if !b[i].Load() {
			return false
		}
	}
	return true
}

// totalDrops sums packets dropped in the Hubs and frames replaced before a viewer took
// them: both are pictures a tile never showed.
func totalDrops(streams []*capture.Stream, views []*capture.FrameSub) (drops, skipped uint64) {
	for i := range streams {
		drops += streams[i].Stats().Drops
		skipped += views[i].Skipped()
	}
	return drops, skipped
}

// ffmpegPhase runs `ffmpeg -threads 1 -i URL -f null -` on every stream, FFmpegParallel
// at a time, and measures the CPU the processes used per frame they decoded.
func ffmpegPhase(ctx context.Context, o Options, urls []string, r *Result) error {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return errors.New("ffmpeg is not installed (apt-get install ffmpeg, or run without --vs-ffmpeg)")
	}
	per := max(o.Duration*time.Duration(o.FFmpegParallel)/time.Duration(len(urls)), 4*time.Second)
	if o.RTSP {
		per = max(per, 8*time.Second) // its steady state starts after the RTSP handshake and probing
	}
	if o.RTSP {
		o.logf("phase 2: ffmpeg -threads 1 decode + scale to %dx%d RGBA of the same streams over %s, %d at a time, %s each (CPU counted from its first frame)", o.TileW, o.TileH, o.RTSPTransport, o.FFmpegParallel, per.Round(time.Second))
	} else {
		o.logf("phase 2: ffmpeg -threads 1 full decode of the same streams, %d at a time, %s each", o.FFmpegParallel, per.Round(time.Second))
	}
	var mu sync.Mutex
	var cpu time.Duration
	var frames int64
	var firstErr error
	sem := make(chan struct{}, o.FFmpegParallel)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func(u string) {
			defer wg.Done()
			defer func() { <-sem }()
			c, n, err := runFFmpeg(ctx, ffmpegArgs(o, u), u, per, o.RTSP)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			cpu += c
			frames += n
		}(u)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	r.FFmpegFrames = frames
	if frames > 0 {
		r.FFmpegCPUMsPerFrame = float64(cpu.Microseconds()) / 1000 / float64(frames)
	}
	o.logf("  %d frames, %.2f CPU ms/frame", frames, r.FFmpegCPUMsPerFrame)
	return nil
}

// ffmpegArgs is the ffmpeg command line doing the pipeline's work on url: for M-JPEG a
// full-size decode (ffmpeg cannot decode at a DCT scale), for RTSP decode, scale to the
// tile and convert to RGBA, as the pipeline does.
func ffmpegArgs(o Options, url string) []string {
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-threads", "1"}
	if o.RTSP {
		args = append(args, "-rtsp_transport", o.RTSPTransport, "-i", url,
			"-vf", fmt.Sprintf("scale=%d:%d", o.TileW, o.TileH), "-pix_fmt", "rgba")
	} else {
		args = append(args, "-f", "mpjpeg", "-i", url)
	}
	return append(args, "-f", "null", "-progress", "pipe:1", "-")
}

// runFFmpeg runs ffmpeg with args for d and returns the CPU it used and the frames it
// decoded, over its whole run or, when steady is set and it reported progress often
// enough, from its first progress report with a frame to its last.
func runFFmpeg(ctx context.Context, args []string, url string, d time.Duration, steady bool) (time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, fmt.Errorf("starting ffmpeg: %w", err)
	}
	var frames atomic.Int64
	// At every progress report, ffmpeg's CPU time so far from /proc, to measure its
	// steady state without its start-up (probing, connecting) as the pipeline's
	// measurement also excludes start-up.
	var steadyMu sync.Mutex
	var first, last struct {
		cpu    time.Duration
		frames int64
	}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "frame="); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
					frames.Store(n)
				}
			}
			if strings.HasPrefix(sc.Text(), "progress=") && frames.Load() > 0 {
				if c, ok := procCPU(pid); ok {
					steadyMu.Lock()
					if first.frames == 0 {
						first.cpu, first.frames = c, frames.Load()
					}
					last.cpu, last.frames = c, frames.Load()
					steadyMu.Unlock()
				}
			}
		}
	}()
	// Run for d, longer when ffmpeg has not reported a frame yet (its start-up probing
	// is slow on a loaded machine), but never more than 30 s longer.
	start := time.Now()
	for time.Since(start) < d || (frames.Load() == 0 && time.Since(start) < d+30*time.Second) {
		select {
		case <-ctx.Done():
		case <-done:
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}
	_ = cmd.Process.Signal(os.Interrupt) // ffmpeg finishes cleanly and prints its last progress
	<-done
	_ = cmd.Wait()
	if cmd.ProcessState == nil {
		return 0, 0, errors.New("ffmpeg did not run")
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return 0, 0, errors.New("no rusage for ffmpeg")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if frames.Load() == 0 {
		return cpu, 0, fmt.Errorf("ffmpeg decoded no frame of %s in %s: %s", capture.RedactURL(url), d, strings.TrimSpace(stderr.String()))
	}
	if steady {
		steadyMu.Lock()
		defer steadyMu.Unlock()
		if n := last.frames - first.frames; n >= 10 && last.cpu > first.cpu {
			return last.cpu - first.cpu, n, nil
		}
	}
	return cpu, frames.Load(), nil
}

// floorPhase decodes the sampled frames at the pipeline's DCT scale straight into RGBA
// on one locked OS thread and measures that thread's CPU time: the floor. It then runs
// the same loop on every CPU at once, which tells how much the decode itself slows down
// when the machine is busy, as it is while the pipeline runs (memory bandwidth and
// caches are shared).
func floorPhase(o Options, samples [][][]byte, r *Result) error {
	var all [][]byte
	for _, s := range samples {
		all = append(all, s...)
	}
	if len(all) == 0 {
		return errors.New("no frames were sampled for the floor phase")
	}
	d := min(o.Duration, 5*time.Second)
	o.logf("phase 3: floor — TurboJPEG alone on the same %d frames, one thread, %s; then on %d threads at once", len(all), d, runtime.NumCPU())
	cpu, n, err := floorLoop(all, o.TileW, o.TileH, d, 0)
	if err != nil {
		return err
	}
	r.FloorFrames = n
	r.FloorMsPerFrame = float64(cpu.Microseconds()) / 1000 / float64(n)

	threads := runtime.NumCPU()
	type res struct {
		cpu time.Duration
		n   int
		err error
	}
	out := make(chan res, threads)
	for i := 0; i < threads; i++ {
		go func(i int) {
			c, n, err := floorLoop(all, o.TileW, o.TileH, d, i*len(all)/threads)
			out <- res{c, n, err}
		}(i)
	}
	var pcpu time.Duration
	var pn int
	for i := 0; i < threads; i++ {
		x := <-out
		if x.err != nil {
			return x.err
		}
		pcpu += x.cpu
		pn += x.n
	}
	r.FloorParallelMsPerFrame = float64(pcpu.Microseconds()) / 1000 / float64(pn)
	o.logf("  %d decodes, %.2f ms/frame on one thread; %.2f ms/frame with %d threads at once", n, r.FloorMsPerFrame, r.FloorParallelMsPerFrame, threads)
	return nil
}

// floorLoop decodes frames round-robin from offset for at least d (and at least one
// pass) on one locked OS thread, and returns that thread's CPU time and the count.
func floorLoop(all [][]byte, tileW, tileH int, d time.Duration, offset int) (time.Duration, int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dec, err := jpegdec.New()
	if err != nil {
		return 0, 0, err
	}
	defer dec.Close()
	var dst []byte
	t0 := rusage(1) // RUSAGE_THREAD
	start := time.Now()
	n := 0
	for time.Since(start) < d || n < len(all) {
		data := all[(offset+n)%len(all)]
		w, h, err := jpegdec.Header(data)
		if err != nil {
			return 0, 0, fmt.Errorf("floor: %w", err)
		}
		sw, sh := jpegdec.ScaledSize(w, h, tileW, tileH)
		if need := sw * sh * 4; len(dst) < need {
			dst = make([]byte, need)
		}
		if err := dec.DecodeScaledInto(data, sw, sh, dst); err != nil {
			return 0, 0, fmt.Errorf("floor: %w", err)
		}
		n++
	}
	return rusage(1) - t0, n, nil
}

// procCPU reads a process's user+system CPU time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; the fields after its ')' are fixed.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck, true
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

func percentileMs(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[(len(s)-1)*p/100].Microseconds()) / 1000
}

// camsim is the simulator process.
type camsim struct {
	cmd   *exec.Cmd
	start time.Time
	cpu   time.Duration
	wall  time.Duration
}

// startCamsim starts the simulator and reads the JSON line with its camera URLs.
func startCamsim(ctx context.Context, argv []string, want int) (*camsim, []string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting camsim: %w", err)
	}
	s := &camsim{cmd: cmd, start: time.Now()}
	line := make(chan string, 1)
	go func() {
		defer close(line)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "{") {
				line <- sc.Text()
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		if !ok {
			s.stop()
			return nil, nil, fmt.Errorf("camsim (%s) exited before printing its camera URLs", argv[0])
		}
		var msg struct {
			URLs []string `json:"urls"`
		}
		if err := json.Unmarshal([]byte(l), &msg); err != nil || len(msg.URLs) < want {
			s.stop()
			return nil, nil, fmt.Errorf("camsim printed %q, want %d URLs", l, want)
		}
		return s, msg.URLs[:want], nil
	case <-time.After(5 * time.Minute): // the first run encodes the loops
		s.stop()
		return nil, nil, errors.New("camsim did not start within 5 minutes")
	}
}

func (s *camsim) stop() {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.wall = time.Since(s.start)
	if ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
}

// cpuCores is the simulator's average CPU use since it started (stopping it first).
func (s *camsim) cpuCores() float64 {
	s.stop()
	if s.wall <= 0 {
		return 0
	}
	return s.cpu.Seconds() / s.wall.Seconds()
}

// Print writes the result as a table a person reads side by side.
func Print(w io.Writer, r Result) {
	fmt.Fprintf(w, "\n%d streams of %s %s at %g fps into %s tiles, %.0f s per phase (%s)\n", r.Streams, r.Size, r.Codec, r.FPS, r.Tile, r.DurationS, r.Machine)
	if r.Transport != "" {
		fmt.Fprintf(w, "frames average %.0f KB (%.1f Mb/s per camera), RTSP over %s\n\n", r.FrameKB, r.BitrateMbps, r.Transport)
	} else {
		fmt.Fprintf(w, "frames average %.0f KB\n\n", r.FrameKB)
	}
	fmt.Fprintf(w, "  %-34s %10s %10s\n", "", "CPU ms/frame", "ratio")
	fmt.Fprintf(w, "  %-34s %10.2f %10s\n", "Vigil pipeline (read+decode+copy)", r.CPUMsPerFrame, "1.00")
	if r.FFmpegCPUMsPerFrame > 0 {
		label := "ffmpeg -threads 1 full decode"
		if r.Transport != "" {
			label = "ffmpeg -threads 1 decode+scale"
		}
		fmt.Fprintf(w, "  %-34s %10.2f %10.2f   (ours ÷ ffmpeg: cpu_ratio)\n", label, r.FFmpegCPUMsPerFrame, r.CPURatio)
	}
	if r.FloorMsPerFrame > 0 {
		fmt.Fprintf(w, "  %-34s %10.2f %10.2f   (ours ÷ floor: floor_ratio)\n", "floor: TurboJPEG alone, same scale", r.FloorMsPerFrame, r.FloorRatio)
	}
	if r.FloorParallelMsPerFrame > 0 {
		fmt.Fprintf(w, "  %-34s %10.2f %10.2f   (the decode alone, every CPU busy)\n", "floor on all CPUs at once", r.FloorParallelMsPerFrame, r.CPUMsPerFrame/r.FloorParallelMsPerFrame)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  fps per stream   %.2f (min %.2f, want %g)\n", r.FPSPerStream, r.FPSMin, r.FPS)
	fmt.Fprintf(w, "  drops            %d (%d in the decoder's queue, %d decoded but replaced before drawn)\n", r.Drops, r.DropsHub, r.Skipped)
	fmt.Fprintf(w, "  latency          p50 %.1f ms, p99 %.1f ms (camera send → frame in the tile's buffer)\n", r.LatencyP50Ms, r.LatencyP99Ms)
	fmt.Fprintf(w, "  CPU              %.2f cores for the pipeline; camsim used %.2f cores in its own process\n", r.CPUCores, r.CamsimCPUCores)
	fmt.Fprintf(w, "  memory           %.0f MB peak RSS\n", r.RSSMB)
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		_, _ = l.w.Write(p[:k])
	}
	return len(p), nil
}
