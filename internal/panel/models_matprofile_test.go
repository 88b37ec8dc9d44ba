//go:build cgo && matprofile

package panel_test

import (
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/vigil-cctv/vigil/analytics"
	"github.com/vigil-cctv/vigil/analytics/analyticstest"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// TestModelNoMatLeaks (go test -tags matprofile): a settings model built by Analyzers,
// run on frames and closed, leaves no gocv.Mat open.
func TestModelNoMatLeaks(t *testing.T) {
	before := gocv.MatProfile.Count()
	models := []config.Model{{Name: "ident", Model: analyticstest.ONNXIdentity(t, 14), Labels: labelFile(t), Size: 14, Scale: 1.0 / 255, Mean: 255}}
	ans, closeAll, err := panel.Analyzers("Yard", []string{"ident"}, models, nil, nil, analytics.SinkFunc(func(analytics.Event) {}))
	if err != nil {
		t.Fatal(err)
	}
	y := analyticstest.Textured(analytics.MaxWidth, analytics.MaxHeight)
	for i := range 30 {
		f := analytics.Luma{Y: y, Width: analytics.MaxWidth, Height: analytics.MaxHeight, Stride: analytics.MaxWidth, At: time.Unix(int64(i), 0)}
		if err := ans[0].Frame(f); err != nil {
			t.Fatal(err)
		}
	}
	closeAll()
	if leaked := gocv.MatProfile.Count() - before; leaked != 0 {
		var b strings.Builder
		gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("%d Mats not closed:\n%s", leaked, b.String())
	}
}
