package mjpeg

import (
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
)

// schemes lists the schemes offered, each cleaned (they are the camera's text and reach
// the probe's report and errors), at most digest.MaxSchemes of them.
func schemes(cs []digest.Challenge) []string {
	out := digest.Schemes(cs)
	for i, s := range out {
		out[i] = capture.CleanText(s, 32)
	}
	return out
}
