//go:build !cgo

package avdec

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

func TestFallbackSaysWhy(t *testing.T) {
	d, err := New(capture.CodecH264)
	if d != nil || err == nil || !strings.Contains(err.Error(), "cgo") {
		t.Errorf("New(h264) = %v, %v; want an error naming cgo", d, err)
	}
	if _, err := New(capture.CodecJPEG); !errors.Is(err, capture.ErrNotVideo) {
		t.Errorf("New(jpeg) = %v; want ErrNotVideo", err)
	}
}
