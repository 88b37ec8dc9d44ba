package ui

import (
	"errors"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// testModelEditor is a CameraEditor that knows the settings' models.
type testModelEditor struct {
	*testEditor
	models []config.Model
}

func (e *testModelEditor) Models() []config.Model { return e.models }

// TestCameraDialogOffersModels: with the settings naming a model (AnalyzerModels), the
// camera dialog opened from the camera list shows its name among the analyzers, beside
// the built-ins, ticked for a camera that runs it; untick and tick it again, and Save
// hands the editor the camera with the model among its analyzers (the settings' check
// knows the name).
func TestCameraDialogOffersModels(t *testing.T) {
	var saved []config.Camera
	r := newWallTRig(t, wallTLive(t, 2), capture.StreamOptions{}, "auto", func(o *WallOptions) {
		o.Cameras = &testModelEditor{models: []config.Model{{Name: "coco", Model: "/m/ssd.onnx", Labels: "/m/coco.txt"}},
			testEditor: &testEditor{testCameras: o.Cameras.(*testCameras),
				camera: func(name string) (config.Camera, bool) {
					return config.Camera{Name: name, Streams: []config.Stream{{URL: "http://127.0.0.1:1/video.mjpg"}}, Analyzers: []string{"coco"}}, true
				},
				add:  func(config.Camera) error { return errors.New("not in this test") },
				edit: func(old string, cam config.Camera) error { saved = append(saved, cam); return nil }}}
	})
	test.Tap(r.wall.Tile("Cam 2"))
	side := r.wall.chrome.side
	test.Tap(side.edit)
	pop := r.win.Canvas().Overlays().Top()
	if pop == nil {
		t.Fatal("no dialog")
	}
	var labels []string
	var coco *widget.Check
	var save *widget.Button
	walkAll(pop, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Check:
			labels = append(labels, x.Text)
			if x.Text == "coco" {
				coco = x
			}
		case *widget.Button:
			if x.Text == "Save" {
				save = x
			}
		}
	})
	if want := []string{"motion", "face", "person", "plate", "coco"}; !slices.Equal(labels, want) || save == nil {
		t.Fatalf("analyzers shown %q, want %q (Save %v)", labels, want, save != nil)
	}
	if !coco.Checked {
		t.Error("the camera's model is not ticked")
	}
	test.Tap(coco)
	test.Tap(coco)
	test.Tap(save)
	if len(saved) != 1 || !slices.Equal(saved[0].Analyzers, []string{"coco"}) {
		t.Fatalf("saved %+v", saved)
	}
}
