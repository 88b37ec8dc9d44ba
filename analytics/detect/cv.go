//go:build cgo

package detect

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gocv.io/x/gocv"
)

// Cascade is an OpenCV cascade classifier giving one label.
type Cascade struct {
	label string
	cc    gocv.CascadeClassifier
	// MinSize is the smallest object looked for, in pixels of the plane (0: 24).
	MinSize int
}

// NewCascade loads a cascade file (Haar or LBP XML) whose detections are named label.
func NewCascade(label, path string) (*Cascade, error) {
	if err := checkCascade(path); err != nil {
		return nil, fmt.Errorf("cascade for %q: %w", label, err)
	}
	cc := gocv.NewCascadeClassifier()
	if !cc.Load(path) {
		cc.Close()
		return nil, fmt.Errorf("cascade for %q: OpenCV could not load %s (not a cascade XML file?)", label, path)
	}
	return &Cascade{label: label, cc: cc}, nil
}

// NewBuiltin loads the built-in cascade of a label ("face", "person", "plate").
func NewBuiltin(label string) (*Cascade, error) {
	p, err := BuiltinPath(label)
	if err != nil {
		return nil, err
	}
	return NewCascade(label, p)
}

// Detect runs the cascade over the plane.
func (c *Cascade) Detect(y []byte, w, h, stride int) ([]Detection, error) {
	b, err := packed(y, w, h, stride)
	if err != nil {
		return nil, err
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, b)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	minSize := c.MinSize
	if minSize <= 0 {
		minSize = 24
	}
	rects := c.cc.DetectMultiScaleWithParams(m, 1.1, 4, 0, image.Pt(minSize, minSize), image.Pt(0, 0))
	out := make([]Detection, 0, len(rects))
	for _, r := range rects {
		out = append(out, Detection{Label: c.label, Score: 1, Box: Rect{
			X0: float64(r.Min.X) / float64(w), Y0: float64(r.Min.Y) / float64(h),
			X1: float64(r.Max.X) / float64(w), Y1: float64(r.Max.Y) / float64(h)}})
	}
	return out, nil
}

// Close releases the classifier.
func (c *Cascade) Close() error { return c.cc.Close() }

// Net is a DNN model read by OpenCV (ONNX, or Caffe with its prototxt).
type Net struct {
	net    gocv.Net
	o      NetOptions
	labels []string
}

// NewNet loads a model.
func NewNet(o NetOptions) (*Net, error) {
	if _, err := os.Stat(o.Model); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(o.Model))
	if ext == ".caffemodel" && o.Config == "" {
		return nil, fmt.Errorf("model %s: a Caffe model needs its .prototxt (config)", o.Model)
	}
	if ext != ".onnx" && ext != ".caffemodel" {
		return nil, fmt.Errorf("model %s: want an .onnx or .caffemodel file", o.Model)
	}
	if o.Config != "" {
		// OpenCV aborts the process on a prototxt it cannot open, too.
		if _, err := os.Stat(o.Config); err != nil {
			return nil, fmt.Errorf("model config: %w", err)
		}
	}
	want := []uint64{7} // ONNX ModelProto.graph
	if ext == ".caffemodel" {
		want = []uint64{100, 2} // NetParameter.layer, or the V1 layers
	}
	if err := checkModel(o.Model, want...); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	labels, err := readLabels(o.Labels)
	if err != nil {
		return nil, err
	}
	if o.Size <= 0 {
		o.Size = 300
	}
	if o.Size > 2048 {
		return nil, fmt.Errorf("model input size %d: at most 2048", o.Size)
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.MinScore == 0 {
		o.MinScore = 0.5
	}
	net := gocv.ReadNet(o.Model, o.Config)
	if net.Empty() {
		net.Close()
		return nil, fmt.Errorf("model %s: OpenCV's DNN module could not read it", o.Model)
	}
	return &Net{net: net, o: o, labels: labels}, nil
}

// Forward runs the model on the plane (as a grey picture in three channels, resized to
// the model's input) and returns its raw output.
func (n *Net) Forward(y []byte, w, h, stride int) ([]float32, []int, error) {
	b, err := packed(y, w, h, stride)
	if err != nil {
		return nil, nil, err
	}
	grey, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, b)
	if err != nil {
		return nil, nil, err
	}
	defer grey.Close()
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(grey, &bgr, gocv.ColorGrayToBGR)
	blob := gocv.BlobFromImage(bgr, n.o.Scale, image.Pt(n.o.Size, n.o.Size),
		gocv.NewScalar(n.o.Mean, n.o.Mean, n.o.Mean, 0), false, false)
	defer blob.Close()
	n.net.SetInput(blob, "")
	out := n.net.Forward("")
	defer out.Close()
	if out.Empty() {
		return nil, nil, fmt.Errorf("the model gave no output")
	}
	vals, err := out.DataPtrFloat32()
	if err != nil {
		return nil, nil, fmt.Errorf("the model's output is not float: %w", err)
	}
	return append([]float32(nil), vals...), out.Size(), nil
}

// Detect runs the model and reads its SSD-style output.
func (n *Net) Detect(y []byte, w, h, stride int) ([]Detection, error) {
	out, _, err := n.Forward(y, w, h, stride)
	if err != nil {
		return nil, err
	}
	return parseSSD(out, n.labels, n.o.MinScore)
}

// Labels are the class names of the label file, class 0 first ("" for a blank line):
// the labels Detect may give.
func (n *Net) Labels() []string { return slices.Clone(n.labels) }

// Close releases the model.
func (n *Net) Close() error { return n.net.Close() }
