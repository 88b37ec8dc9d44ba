package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/vigil-cctv/vigil/internal/bench"
)

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vigil bench", "usage: vigil bench [flags]\n\nMeasures the pipeline (read → decode at tile size → RGBA) against ffmpeg and the TurboJPEG floor.", stderr)
	streams := fs.Int("streams", 16, "number of camera streams")
	size := fs.String("size", "1920x1080", "camera picture size")
	fps := fs.Float64("fps", 15, "camera frame rate")
	tile := fs.String("tile", "480x270", "tile size the pictures are decoded for")
	duration := fs.Duration("duration", 20*time.Second, "length of each measured phase")
	warmup := fs.Duration("warmup", 4*time.Second, "warm-up before the pipeline is measured")
	vsFFmpeg := fs.Bool("vs-ffmpeg", false, "also measure ffmpeg decoding the same streams")
	parallel := fs.Int("ffmpeg-parallel", 2, "ffmpeg processes at once")
	asJSON := fs.Bool("json", false, "print one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the measured pipeline phase to this file")
	if _, err := parseInterspersed(fs, args); err != nil {
		return exitUsage
	}
	w, h, err1 := parseSize(*size)
	tw, th, err2 := parseSize(*tile)
	if err1 != nil || err2 != nil || *streams < 1 || *fps <= 0 || *duration <= 0 {
		fmt.Fprintln(stderr, "vigil bench: bad flags:", err1, err2)
		return exitUsage
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "vigil bench:", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o := bench.Options{
		Streams: *streams, Width: w, Height: h, FPS: *fps, TileW: tw, TileH: th,
		Duration: *duration, Warmup: *warmup, VsFFmpeg: *vsFFmpeg, FFmpegParallel: *parallel,
		Camsim: []string{exe, "camsim", "--json", "--mjpeg", strconv.Itoa(*streams), "--size", *size, "--fps", strconv.FormatFloat(*fps, 'g', -1, 64)},
		Log:    stderr,
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "vigil bench:", err)
			return exitFailed
		}
		defer f.Close()
		o.CPUProfile = f
	}
	r, err := bench.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "vigil bench:", err)
		return exitFailed
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
		return exitOK
	}
	bench.Print(stdout, r)
	return exitOK
}
