package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vigil-cctv/vigil/internal/bench"
	"github.com/vigil-cctv/vigil/internal/panel"
)

func runBench(args []string, stdout, stderr io.Writer) int {
	c := newCommand("vigil bench", "usage: vigil bench [flags]\n\nMeasures the pipeline (read → decode at tile size → RGBA) against ffmpeg and the TurboJPEG floor (M-JPEG over HTTP),\nor with --rtsp against ffmpeg on H.264 over RTSP.", stderr)
	streams := c.Int("streams", 16, "number of camera streams (default 8 with --rtsp)")
	rtspMode := c.Bool("rtsp", false, "H.264 cameras over RTSP instead of M-JPEG over HTTP")
	source := c.String("source", "mjpeg", `camera kind: "mjpeg" or "rtsp" (same as --rtsp)`)
	transport := c.String("rtsp-transport", "tcp", `RTP transport for --rtsp, ours and ffmpeg's: "tcp" or "udp"`)
	bitrate := c.Int("bitrate", 4000, "H.264 bit rate in kb/s of the --rtsp cameras")
	serveRTSP := c.Bool("serve-rtsp", false, "internal: serve the --rtsp cameras and print their URLs as JSON (bench runs this as its camera process)")
	size := c.String("size", "1920x1080", "camera picture size")
	fps := c.Float64("fps", 15, "camera frame rate")
	tile := c.String("tile", "480x270", "tile size the pictures are decoded for")
	duration := c.Duration("duration", 20*time.Second, "length of each measured phase")
	warmup := c.Duration("warmup", 4*time.Second, "warm-up before the pipeline is measured")
	vsFFmpeg := c.Bool("vs-ffmpeg", false, "also measure ffmpeg decoding the same streams")
	parallel := c.Int("ffmpeg-parallel", 2, "ffmpeg processes at once")
	asJSON := c.Bool("json", false, "print one JSON object")
	cpuProfile := c.String("cpuprofile", "", "write a pprof CPU profile of the measured pipeline phase to this file")
	if _, ok := c.parse(args); !ok {
		return exitUsage
	}
	w, h, err1 := parseSize(*size)
	tw, th, err2 := parseSize(*tile)
	if err1 != nil || err2 != nil || *streams < 1 || *fps <= 0 || *duration <= 0 {
		return c.fail(exitUsage, "bad flags:", err1, err2)
	}
	switch *source {
	case "mjpeg":
	case "rtsp":
		*rtspMode = true
	default:
		return c.fail(exitUsage, fmt.Sprintf("--source %q: want mjpeg or rtsp", *source))
	}
	if *transport != "tcp" && *transport != "udp" {
		return c.fail(exitUsage, fmt.Sprintf("--rtsp-transport %q: want tcp or udp", *transport))
	}
	streamsSet := false
	c.Visit(func(f *flag.Flag) { streamsSet = streamsSet || f.Name == "streams" })
	if *rtspMode && !streamsSet {
		*streams = 8
	}
	if *serveRTSP {
		ctx, stop := commandContext(0)
		defer stop()
		err := bench.ServeRTSP(ctx, bench.ServeOptions{Streams: *streams, Width: w, Height: h, FPS: int(*fps + 0.5),
			BitrateKbps: *bitrate, UDP: *transport == "udp"}, stdout)
		return c.exit(err)
	}
	exe, err := os.Executable()
	if err != nil {
		return c.fail(exitFailed, err)
	}
	ctx, stop := commandContext(0)
	defer stop()
	o := bench.Options{
		Streams: *streams, Width: w, Height: h, FPS: *fps, TileW: tw, TileH: th,
		Duration: *duration, Warmup: *warmup, VsFFmpeg: *vsFFmpeg, FFmpegParallel: *parallel, Log: stderr,
	}
	if *rtspMode {
		o.RTSP, o.Decoders, o.RTSPTransport = true, panel.NewDecoder, *transport
	}
	o.CameraProcess(exe, *size, *bitrate)
	if *cpuProfile != "" {
		f, ok := c.create(*cpuProfile)
		if !ok {
			return exitFailed
		}
		defer f.Close()
		o.CPUProfile = f
	}
	r, err := bench.Run(ctx, o)
	if err != nil {
		return c.fail(exitFailed, err)
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
