//go:build cgo

package panel_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// labelFile writes a label file for a model.
func labelFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "labels.txt")
	if err := os.WriteFile(p, []byte("background\nperson\ncar\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAnalyzersModel: a camera's analyzers naming a model of the settings get it through
// OpenCV's DNN module, run on every due frame: an identity model whose output reads as
// rows of 7 values all below zero (mean 255) finds nothing and fails on nothing; one of
// another input size gives an output that is not rows of 7, and says so, which shows
// the frames did reach the model. A model whose file is gone is an error naming the
// model and the path.
func TestAnalyzersModel(t *testing.T) {
	labels := labelFile(t)
	models := []config.Model{
		{Name: "ident", Model: analyticstest.ONNXIdentity(t, 14), Labels: labels, Size: 14, Scale: 1.0 / 255, Mean: 255},
		{Name: "odd", Model: analyticstest.ONNXIdentity(t, 16), Labels: labels, Size: 16, Scale: 1.0 / 255},
	}
	var events []analytics.Event
	sink := analytics.SinkFunc(func(e analytics.Event) { events = append(events, e) })
	ans, closeAll, err := panel.Analyzers("Yard", []string{"motion", "ident"}, models, nil, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if len(ans) != 2 {
		t.Fatalf("%d analyzers for motion and a model", len(ans))
	}
	frame := func(i int) analytics.Luma {
		y := analyticstest.Textured(analytics.MaxWidth, analytics.MaxHeight)
		return analytics.Luma{Y: y, Width: analytics.MaxWidth, Height: analytics.MaxHeight, Stride: analytics.MaxWidth,
			At: time.Unix(1700000000, 0).Add(time.Duration(i) * 500 * time.Millisecond)}
	}
	for i := range 10 {
		if err := ans[1].Frame(frame(i)); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	ans[1].Flush()
	if len(events) != 0 {
		t.Errorf("events from a model that finds nothing: %+v", events)
	}

	odd, closeOdd, err := panel.Analyzers("Yard", []string{"odd"}, models, nil, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOdd()
	if err := odd[0].Frame(frame(0)); err == nil || !strings.Contains(err.Error(), "SSD-style") {
		t.Errorf("a model whose output is not detections: %v", err)
	}

	gone := filepath.Join(t.TempDir(), "gone.onnx")
	caffe := filepath.Join(t.TempDir(), "x.caffemodel")
	if err := os.WriteFile(caffe, []byte{0x08, 0x01}, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]config.Model{
		gone:              {Name: "lost", Model: gone, Labels: labels},
		"gone":            {Name: "lost", Model: models[0].Model, Labels: filepath.Join(t.TempDir(), "gone.txt")},
		"deploy.prototxt": {Name: "lost", Model: caffe, Config: filepath.Join(t.TempDir(), "deploy.prototxt"), Labels: labels},
	} {
		_, _, err := panel.Analyzers("Yard", []string{"motion", "lost"}, []config.Model{m}, nil, nil, sink)
		if err == nil || !strings.Contains(err.Error(), `model "lost"`) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want the model's name and the path", name, err)
		}
	}
}
