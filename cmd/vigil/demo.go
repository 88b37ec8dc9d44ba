package main

import (
	"fmt"

	assetsdemo "github.com/vigil-cctv/vigil/assets/demo"
	"github.com/vigil-cctv/vigil/capture/jpegdec"
)

// demoLoopSeconds is long enough that the moving cars and walkers do not visibly jump
// back every two seconds, short enough that 16 1080p cameras fit in memory.
const demoLoopSeconds = 3

// demoLoopOptions are the loop settings shared by the demo wall, camsim and demo:// URLs:
// TurboJPEG encodes (several times faster than image/jpeg), results cached on disk.
func demoLoopOptions(w, h int, fps float64) assetsdemo.LoopOptions {
	return assetsdemo.LoopOptions{Width: w, Height: h, FPS: fps, Seconds: demoLoopSeconds,
		Encode: jpegdec.Encode, EncoderID: "turbojpeg"}
}

// demoLoop makes (or loads from the cache) one demo camera's loop.
func demoLoop(name string, w, h int, fps float64) ([][]byte, error) {
	o := demoLoopOptions(w, h, fps)
	o.Name = name
	frames, err := assetsdemo.Loop(o)
	if err != nil {
		return nil, fmt.Errorf("making the demo pictures for %q: %w", name, err)
	}
	return frames, nil
}

// demoLoops makes many cameras' loops in parallel.
func demoLoops(names []string, w, h int, fps float64) ([][][]byte, error) {
	loops, err := assetsdemo.Loops(names, demoLoopOptions(w, h, fps))
	if err != nil {
		return nil, fmt.Errorf("making the demo pictures: %w", err)
	}
	return loops, nil
}
