// Package detect names what is in a camera's picture — faces, people, licence plates —
// with OpenCV through gocv: Haar and LBP cascades (Debian's opencv-data ships them in
// /usr/share/opencv4) and any ONNX or Caffe model the user points to, through OpenCV's
// DNN module, with its label file. Nothing is downloaded. It is a cgo corner like the
// decoders; without cgo, New says so. Every gocv.Mat it makes is closed (the tests
// check it under the matprofile build tag).
package detect

import (
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Rect is a box in the picture, 0…1 from the top-left corner.
type Rect struct{ X0, Y0, X1, Y1 float64 }

// Detection is one thing found in a picture.
type Detection struct {
	Label string
	// Score is the model's confidence, 0…1 (1 for a cascade, which gives none).
	Score float64
	Box   Rect
}

// Detector finds things in a luma plane (w×h, rows stride bytes apart). It is for one
// goroutine; Close releases OpenCV's memory.
type Detector interface {
	Detect(y []byte, w, h, stride int) ([]Detection, error)
	Close() error
}

// CascadeDir is where Debian's opencv-data puts OpenCV's cascades.
var CascadeDir = "/usr/share/opencv4/haarcascades"

// builtins are the cascades a camera's analyzers may name, by the label they give.
var builtins = map[string]string{
	"face":   "haarcascade_frontalface_default.xml",
	"person": "haarcascade_fullbody.xml",
	"plate":  "haarcascade_russian_plate_number.xml",
}

// Builtins lists the labels of the cascades that ship with OpenCV, sorted.
func Builtins() []string {
	out := make([]string, 0, len(builtins))
	for k := range builtins {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrNoCgo is returned by every constructor in a build without cgo.
var ErrNoCgo = errors.New("this vigil was built without cgo, so without OpenCV: detectors need `make build`")

// BuiltinPath is the cascade file of a built-in label, and whether it is installed.
func BuiltinPath(label string) (string, error) {
	f, ok := builtins[label]
	if !ok {
		return "", fmt.Errorf("no built-in detector %q (built in: %s)", label, strings.Join(Builtins(), ", "))
	}
	p := filepath.Join(CascadeDir, f)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("detector %q needs %s, which Debian's opencv-data package installs (apt-get install opencv-data): %w", label, p, err)
	}
	return p, nil
}

// NetOptions describe a DNN model the user gives.
type NetOptions struct {
	// Model is the .onnx or .caffemodel file; Config the Caffe .prototxt ("" for ONNX).
	Model, Config string
	// Labels is a text file with one class name per line, class 0 first.
	Labels string
	// Size is the model's input side in pixels (300 for MobileNet-SSD).
	Size int
	// Scale and Mean normalise the input (pixel×Scale − Mean×Scale); MobileNet-SSD
	// wants 1/127.5 and 127.5.
	Scale, Mean float64
	// MinScore drops weaker detections (0: 0.5).
	MinScore float64
}

// maxCascadeFile bounds a cascade file (Debian's largest is under 3 MB).
const maxCascadeFile = 64 << 20

// checkCascade reads a cascade file through Go's XML parser before OpenCV sees it:
// OpenCV aborts the whole process (an uncaught C++ exception) on a file that is not a
// cascade, so a wrong path in the settings must fail here, with a message.
func checkCascade(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > maxCascadeFile {
		return fmt.Errorf("%s: %d bytes, more than a cascade (%d at most)", path, st.Size(), maxCascadeFile)
	}
	d := xml.NewDecoder(io.LimitReader(f, maxCascadeFile))
	depth, kind := 0, ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s is not well-formed XML: %w", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && e.Name.Local != "opencv_storage":
				return fmt.Errorf("%s is not an OpenCV file (its root is <%s>, not <opencv_storage>)", path, e.Name.Local)
			case depth == 2 && kind == "":
				kind = e.Name.Local
				for _, a := range e.Attr {
					if a.Name.Local == "type_id" && a.Value == "opencv-haar-classifier" {
						kind = "cascade"
					}
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if kind != "cascade" {
		return fmt.Errorf("%s is an OpenCV file but holds no cascade", path)
	}
	return nil
}

// maxModelFile bounds a model file.
const maxModelFile = 2 << 30

// checkModel walks the top level of a model file's protobuf encoding before OpenCV reads
// it, and wants the field that holds the network (an ONNX model's graph, field 7; a Caffe
// model's layers, field 100 or its V1 layers, field 2): OpenCV, too, aborts the process
// on a file it cannot parse, so a wrong path or a truncated download fails here instead.
func checkModel(path string, want ...uint64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() > maxModelFile || st.Size() == 0 {
		return fmt.Errorf("%s: %d bytes is not a model", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	found := false
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("%s is not a model file (bad encoding)", path)
		}
		b = b[n:]
		num, wire := key>>3, key&7
		if num == 0 {
			return fmt.Errorf("%s is not a model file (bad field)", path)
		}
		switch wire {
		case 0:
			if _, n = binary.Uvarint(b); n <= 0 {
				return fmt.Errorf("%s is not a model file (bad number)", path)
			}
			b = b[n:]
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return fmt.Errorf("%s is truncated", path)
			}
			b = b[size:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return fmt.Errorf("%s is truncated or not a model file", path)
			}
			b = b[n+int(l):]
			if slices.Contains(want, num) {
				found = true
			}
		default:
			return fmt.Errorf("%s is not a model file (wire type %d)", path, wire)
		}
	}
	if !found {
		return fmt.Errorf("%s holds no network", path)
	}
	return nil
}

// maxLabels and maxLabelFile bound a label file.
const (
	maxLabels    = 10000
	maxLabelFile = 1 << 20
)

func readLabels(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("label file: %w", err)
	}
	if st.Size() > maxLabelFile {
		return nil, fmt.Errorf("label file %s: %d bytes, at most %d", path, st.Size(), maxLabelFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("label file: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) > maxLabels {
		return nil, fmt.Errorf("label file %s: %d labels, at most %d", path, len(out), maxLabels)
	}
	return out, nil
}

// parseSSD reads an SSD-style output — rows of [image, class, score, x0, y0, x1, y1],
// coordinates 0…1 — into detections of at least minScore, clamping the boxes.
func parseSSD(out []float32, labels []string, minScore float64) ([]Detection, error) {
	if len(out)%7 != 0 {
		return nil, fmt.Errorf("model output of %d values is not rows of 7 (image, class, score, box): only SSD-style detection models are understood", len(out))
	}
	clamp := func(v float32) float64 { return min(1, max(0, float64(v))) }
	var dets []Detection
	for i := 0; i+7 <= len(out); i += 7 {
		r := out[i : i+7]
		score := float64(r[2])
		if !(score >= minScore) || score > 1 {
			continue
		}
		class := int(r[1])
		label := fmt.Sprintf("class %d", class)
		if class >= 0 && class < len(labels) && labels[class] != "" {
			label = labels[class]
		}
		b := Rect{X0: clamp(r[3]), Y0: clamp(r[4]), X1: clamp(r[5]), Y1: clamp(r[6])}
		if b.X1 <= b.X0 || b.Y1 <= b.Y0 {
			continue
		}
		dets = append(dets, Detection{Label: label, Score: score, Box: b})
	}
	return dets, nil
}

// packed returns the plane without row padding.
func packed(y []byte, w, h, stride int) ([]byte, error) {
	if w <= 0 || h <= 0 || w > 8192 || h > 8192 || stride < w || len(y) < (h-1)*stride+w {
		return nil, fmt.Errorf("detect: a %d×%d luma plane with stride %d does not fit %d bytes", w, h, stride, len(y))
	}
	if stride == w {
		return y[:w*h], nil
	}
	out := make([]byte, w*h)
	for r := range h {
		copy(out[r*w:], y[r*stride:r*stride+w])
	}
	return out, nil
}
