//go:build cgo && matprofile

package detect

import (
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/vigil-cctv/vigil/analytics/analyticstest"
)

// TestNoMatLeaks (go test -tags matprofile): every gocv.Mat the detectors make is closed,
// counted by gocv's Mat profile over many frames of both kinds.
func TestNoMatLeaks(t *testing.T) {
	before := gocv.MatProfile.Count()
	c, err := NewBuiltin("face")
	if err != nil {
		t.Skip(err)
	}
	n, err := NewNet(NetOptions{Model: analyticstest.ONNXIdentity(t, 16), Size: 16})
	if err != nil {
		t.Fatal(err)
	}
	f := lumaOf(t, faceJPEG(t))
	for range 50 {
		if _, err := c.Detect(f.Y, f.Width, f.Height, f.Stride); err != nil {
			t.Fatal(err)
		}
		if _, _, err := n.Forward(f.Y, f.Width, f.Height, f.Stride); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	n.Close()
	if leaked := gocv.MatProfile.Count() - before; leaked != 0 {
		var b strings.Builder
		gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("%d Mats not closed:\n%s", leaked, b.String())
	}
}
