package config

import (
	"strings"
	"testing"
)

func TestCameraAnalyzersAndMotion(t *testing.T) {
	good := `cameras:
  - name: Yard
    streams: [{url: "rtsp://127.0.0.1/yard"}]
    analyzers: [motion]
    motion:
      threshold: 25
      zones:
        - {name: gate, points: [[0, 0], [0.5, 0], [0.5, 1]], min_area: 0.01}
      masks:
        - [[0.8, 0], [1, 0], [1, 0.1], [0.8, 0.1]]
`
	cfg, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cameras[0]
	if len(c.Analyzers) != 1 || c.Motion == nil || c.Motion.Threshold != 25 || len(c.Motion.Zones) != 1 ||
		c.Motion.Zones[0].Points[1] != [2]float64{0.5, 0} || len(c.Motion.Masks) != 1 || len(c.Motion.Masks[0]) != 4 {
		t.Fatalf("parsed %+v %+v", c, c.Motion)
	}
	for bad, want := range map[string]string{
		"analyzers: [teleport]":                                          "unknown analyzer",
		"motion: {zones: [{name: a, points: [[0, 0], [1, 1]]}]}":         "3 to 64 points",
		"motion: {zones: [{name: a, points: [[0, 0], [2, 0], [0, 1]]}]}": "outside the picture",
		"motion: {zones: [{name: a, points: [[0, 0], [1, 0], [0, 1]]}, {name: A, points: [[0, 0], [1, 0], [0, 1]]}]}": "already used",
		"motion: {threshold: 300}":            "1 to 255",
		"motion: {masks: [[[0, 0], [1, 0]]]}": "3 to 64 points",
	} {
		y := "cameras:\n  - name: Yard\n    streams: [{url: \"rtsp://127.0.0.1/yard\"}]\n    " + bad + "\n"
		if _, err := Parse([]byte(y)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", bad, err, want)
		}
	}
}
