package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vigil-cctv/vigil/internal/bench"
)

// TestBenchCameraProcess: the camera process `vigil bench` starts
// (bench.Options.CameraProcess) is a command line vigil accepts: it serves the cameras
// asked for and prints their URLs as the JSON bench reads.
func TestBenchCameraProcess(t *testing.T) {
	o := bench.Options{Streams: 2, FPS: 5}
	o.CameraProcess("vigil", "320x180", 500)
	if o.Camsim[0] != "vigil" {
		t.Fatalf("command %q", o.Camsim)
	}
	var out, errOut bytes.Buffer
	if code := run(append(o.Camsim[1:], "--duration", "50ms"), &out, &errOut); code != exitOK {
		t.Fatalf("%q: exit %d: %s", o.Camsim, code, errOut.String())
	}
	var served struct {
		URLs []string `json:"urls"`
	}
	if err := json.Unmarshal(out.Bytes(), &served); err != nil || len(served.URLs) != 2 {
		t.Fatalf("%q printed %q (%v)", o.Camsim, out.String(), err)
	}
}
