//go:build cgo

package detect

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/analyticstest"
)

// faceJPEG is the portrait gocv ships in its module (images/face.jpg): a person's face
// from a third party's sample data, with nothing downloaded.
func faceJPEG(t *testing.T) []byte {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "gocv.io/x/gocv").Output()
	if err != nil {
		t.Skipf("gocv's module folder: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "images", "face.jpg"))
	if err != nil {
		t.Skip(err)
	}
	return b
}

// lumaOf decodes a JPEG, fits it into the analytics size and takes its Y plane, as the
// analyzers get frames.
func lumaOf(t testing.TB, b []byte) analytics.Luma {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	sb := img.Bounds()
	s := min(float64(analytics.MaxWidth)/float64(sb.Dx()), float64(analytics.MaxHeight)/float64(sb.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(sb.Dx())*s), int(float64(sb.Dy())*s)))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, sb, draw.Src, nil)
	var l analytics.Luma
	analytics.LumaOf(&l, dst, time.Time{})
	return l
}

// TestFaceCascade: Debian's frontal-face cascade finds the face in a portrait at the
// analytics size, and nothing in the empty demo scene.
func TestFaceCascade(t *testing.T) {
	c, err := NewBuiltin("face")
	if err != nil {
		t.Skip(err) // opencv-data not installed
	}
	defer c.Close()
	f := lumaOf(t, faceJPEG(t))
	dets, err := c.Detect(f.Y, f.Width, f.Height, f.Stride)
	if err != nil {
		t.Fatal(err)
	}
	if len(dets) == 0 {
		t.Fatalf("no face found in the %d×%d portrait", f.Width, f.Height)
	}
	for _, d := range dets {
		t.Logf("%s %.0f%% at %+v", d.Label, 100*d.Score, d.Box)
		if d.Label != "face" || d.Box.X1 <= d.Box.X0 || d.Box.X1 > 1 || d.Box.Y1 > 1 {
			t.Errorf("detection %+v", d)
		}
	}
	empty := lumaOf(t, analyticstest.Walk(1, 1, 1, 320, 180)[0])
	if dets, err := c.Detect(empty.Y, empty.Width, empty.Height, empty.Stride); err != nil || len(dets) != 0 {
		t.Errorf("faces in the empty scene: %+v %v", dets, err)
	}
	if _, err := c.Detect(f.Y[:10], f.Width, f.Height, f.Stride); err == nil {
		t.Error("a short plane was accepted")
	}
}

func TestBuiltinsAndErrors(t *testing.T) {
	if _, err := BuiltinPath("unicorn"); err == nil || !strings.Contains(err.Error(), "face, person, plate") {
		t.Errorf("unknown label: %v", err)
	}
	old := CascadeDir
	CascadeDir = t.TempDir()
	defer func() { CascadeDir = old }()
	if _, err := NewBuiltin("face"); err == nil || !strings.Contains(err.Error(), "opencv-data") {
		t.Errorf("missing cascade: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte("<not-a-cascade/>"), 0o644)
	if _, err := NewCascade("x", bad); err == nil {
		t.Error("a file that is no cascade loaded")
	}
	if _, err := NewNet(NetOptions{Model: bad}); err == nil || !strings.Contains(err.Error(), ".onnx or .caffemodel") {
		t.Errorf("model of another kind: %v", err)
	}
	// OpenCV would abort the process on these: they must fail before it reads them.
	for name, b := range map[string][]byte{"garbage": []byte("garbage garbage"), "empty": nil, "truncated": {0x3a, 0x40, 1}, "no graph": {0x08, 0x07}} {
		p := filepath.Join(t.TempDir(), "m.onnx")
		os.WriteFile(p, b, 0o644)
		if _, err := NewNet(NetOptions{Model: p}); err == nil {
			t.Errorf("%s model loaded", name)
		}
	}
}

// TestONNXModelLoadsAndRuns: a model given by path loads through OpenCV's DNN module and
// runs on a frame; one whose output is not SSD-style is said to be so.
func TestONNXModelLoadsAndRuns(t *testing.T) {
	labels := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(labels, []byte("background\nperson\n"), 0o644)
	n, err := NewNet(NetOptions{Model: analyticstest.ONNXIdentity(t, 32), Labels: labels, Size: 32, Scale: 1.0 / 255})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if l := n.Labels(); len(l) != 2 || l[1] != "person" {
		t.Errorf("labels %q", l)
	}
	if _, err := NewNet(NetOptions{Model: analyticstest.ONNXIdentity(t, 32), Config: filepath.Join(t.TempDir(), "gone.prototxt")}); err == nil || !strings.Contains(err.Error(), "gone.prototxt") {
		t.Errorf("a missing config: %v", err)
	}
	f := lumaOf(t, faceJPEG(t))
	out, shape, err := n.Forward(f.Y, f.Width, f.Height, f.Stride)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3*32*32 || len(shape) != 4 || shape[1] != 3 || shape[2] != 32 {
		t.Fatalf("output %d values, shape %v", len(out), shape)
	}
	for _, v := range out {
		if v < 0 || v > 1 || math.IsNaN(float64(v)) {
			t.Fatalf("identity of a picture scaled to 0…1 gave %g", v)
		}
	}
	if _, err := n.Detect(f.Y, f.Width, f.Height, f.Stride); err == nil || !strings.Contains(err.Error(), "SSD-style") {
		t.Errorf("a classifier's output read as detections: %v", err)
	}
}

func TestParseSSD(t *testing.T) {
	out := []float32{
		0, 1, 0.9, 0.1, 0.2, 0.5, 0.6, // person
		0, 1, 0.3, 0.1, 0.2, 0.5, 0.6, // too weak
		0, 7, 0.8, -0.5, 0.5, 2, 0.9, // unknown class, clamped box
		0, 1, 0.95, 0.5, 0.5, 0.5, 0.7, // empty box
		0, 1, float32(math.NaN()), 0, 0, 1, 1,
	}
	dets, err := parseSSD(out, []string{"background", "person"}, 0.5)
	if err != nil || len(dets) != 2 {
		t.Fatalf("%+v %v", dets, err)
	}
	if dets[0].Label != "person" || dets[1].Label != "class 7" || dets[1].Box != (Rect{0, 0.5, 1, float64(float32(0.9))}) {
		t.Errorf("%+v", dets)
	}
	if _, err := parseSSD(make([]float32, 8), nil, 0.5); err == nil {
		t.Error("8 values read as rows of 7")
	}
}

func FuzzParseSSD(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 128, 63})
	f.Fuzz(func(t *testing.T, b []byte) {
		vals := make([]float32, len(b)/4)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		dets, _ := parseSSD(vals, []string{"a"}, 0.1)
		for _, d := range dets {
			if d.Box.X0 < 0 || d.Box.X1 > 1 || d.Box.X0 >= d.Box.X1 || d.Score < 0.1 || d.Score > 1 {
				t.Fatalf("%+v", d)
			}
		}
	})
}

// BenchmarkFaceCascade is the face cascade on a 320×180 frame, the analytics size.
func BenchmarkFaceCascade(b *testing.B) {
	c, err := NewBuiltin("face")
	if err != nil {
		b.Skip(err)
	}
	defer c.Close()
	f := lumaOf(b, analyticstest.Walk(1, 0, 1, 320, 180)[0])
	b.ResetTimer()
	for range b.N {
		if _, err := c.Detect(f.Y, f.Width, f.Height, f.Stride); err != nil {
			b.Fatal(err)
		}
	}
}
