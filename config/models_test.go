package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestModels: analytics.models entries are parsed, named by cameras beside the built-ins,
// and each wrong entry is refused with its field path and what is wanted.
func TestModels(t *testing.T) {
	good := `analytics:
  models:
    - name: coco
      model: /opt/models/ssd.onnx
      labels: ~/models/coco.txt
      size: 320
      scale: 0.007843
      mean: 127.5
      min_score: 0.6
      fps: 3
    - {name: Cars, model: ~/m/cars.caffemodel, config: ~/m/cars.prototxt, labels: /m/cars.txt}
cameras:
  - name: Yard
    streams: [{url: "rtsp://127.0.0.1/yard"}]
    analyzers: [motion, coco, Cars]
`
	cfg, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := cfg.Model("coco")
	if !ok || m.Size != 320 || m.Scale != 0.007843 || m.Mean != 127.5 || m.MinScore != 0.6 || m.FPS != 3 || m.Labels != "~/models/coco.txt" {
		t.Fatalf("model %+v %v", m, ok)
	}
	if names := cfg.AnalyzerNames(); !slices.Equal(names, []string{"motion", "face", "person", "plate", "coco", "Cars"}) {
		t.Errorf("AnalyzerNames %v", names)
	}
	t.Setenv("HOME", "/home/ann")
	model, conf, labels, err := cfg.Analytics.Models[1].Files()
	if err != nil || model != "/home/ann/m/cars.caffemodel" || conf != "/home/ann/m/cars.prototxt" || labels != "/m/cars.txt" {
		t.Errorf("Files %q %q %q %v", model, conf, labels, err)
	}
	if _, ok := cfg.Model("unicorn"); ok {
		t.Error("an unknown model found")
	}

	for _, tc := range []struct{ models, analyzers, want string }{
		{`[{name: face, model: /m/a.onnx, labels: /m/l.txt}]`, "", `analytics.models[0].name "face": the name of a built-in analyzer`},
		{`[{name: Motion, model: /m/a.onnx, labels: /m/l.txt}]`, "", `analytics.models[0].name "Motion": the name of a built-in`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt}, {name: A, model: /m/b.onnx, labels: /m/l.txt}]`, "", `analytics.models[1].name "A": same name as analytics.models[0]`},
		{`[{name: "a,b", model: /m/a.onnx, labels: /m/l.txt}]`, "", `contains a comma`},
		{`[{name: "", model: /m/a.onnx, labels: /m/l.txt}]`, "", `analytics.models[0].name: empty`},
		{`[{name: a, model: /m/a.onnx}]`, "", `analytics.models[0].labels: a label file is needed`},
		{`[{name: a, model: /m/a.caffemodel, labels: /m/l.txt}]`, "", `analytics.models[0].config: a Caffe model needs its .prototxt`},
		{`[{name: a, model: /m/a.onnx, config: /m/a.prototxt, labels: /m/l.txt}]`, "", `analytics.models[0].config "/m/a.prototxt": only a Caffe model`},
		{`[{name: a, model: /m/a.caffemodel, config: /m/a.txt, labels: /m/l.txt}]`, "", `want a .prototxt file`},
		{`[{name: a, model: /m/a.pt, labels: /m/l.txt}]`, "", `analytics.models[0].model "/m/a.pt": want a .onnx or .caffemodel file`},
		{`[{name: a, model: models/a.onnx, labels: /m/l.txt}]`, "", `want an absolute path`},
		{`[{name: a, labels: /m/l.txt}]`, "", `analytics.models[0].model: empty`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, min_score: 1.5}]`, "", `analytics.models[0].min_score "1.5": want a confidence 0 to 1`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, min_score: -0.1}]`, "", `min_score "-0.1"`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, size: 4096}]`, "", `analytics.models[0].size "4096": want 1 to 2048`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, fps: 15}]`, "", `analytics.models[0].fps "15": want 0 to 5`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, mean: 300}]`, "", `analytics.models[0].mean "300"`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, scale: -1}]`, "", `analytics.models[0].scale "-1"`},
		{`[{name: a, model: /m/a.onnx, labels: /m/l.txt, colour: red}]`, "", `analytics.models[0].colour: unknown key`},
		{`[{name: coco, model: /m/a.onnx, labels: /m/l.txt}]`, "[motion, cocoa]", `cameras[0] "Yard": analyzers[1] "cocoa": unknown analyzer (want motion, face, person, plate, coco, or a model`},
		{`[]`, "[coco]", `analyzers[0] "coco": unknown analyzer (want motion, face, person, plate, or a model`},
	} {
		y := "analytics:\n  models: " + tc.models + "\ncameras:\n  - name: Yard\n    streams: [{url: \"rtsp://127.0.0.1/yard\"}]\n"
		if tc.analyzers != "" {
			y += "    analyzers: " + tc.analyzers + "\n"
		}
		if _, err := Parse([]byte(y)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v, want %q", tc.models, tc.analyzers, err, tc.want)
		}
	}
}

// TestModelsSaved: a model entry is written back as it was read.
func TestModelsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.yaml")
	c := &Config{Analytics: Analytics{Models: []Model{{Name: "coco", Model: "~/m/ssd.onnx", Labels: "~/m/coco.txt", MinScore: 0.4}}}}
	if err := Save(c, path); err != nil {
		t.Fatal(err)
	}
	back, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := back.Model("coco"); !ok || m != c.Analytics.Models[0] {
		t.Errorf("loaded %+v, saved %+v", m, c.Analytics.Models[0])
	}
}
