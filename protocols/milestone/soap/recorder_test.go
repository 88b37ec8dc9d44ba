package soap_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

func TestRecorderClientPictures(t *testing.T) {
	var big bytes.Buffer
	if err := jpeg.Encode(&big, image.NewGray(image.Rect(0, 0, 320, 240)), nil); err != nil {
		t.Fatal(err)
	}
	const token = "TOKEN#0b3c2d1e-5555-4000-8000-000000000001#127.0.0.1//ServerConnector#"
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{Cameras: map[string][][]byte{"CAM-1": {big.Bytes()}},
		ValidToken: func(tok string) bool { return tok == token }, RecordedHistory: time.Minute})
	defer rec.Close()
	rc, err := soap.NewRecorderClient(soap.Options{URL: rec.WebServerURI()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	j, err := rc.JPEGGetLive(ctx, token, "cam-1", 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(j.Data))
	if err != nil || cfg.Width != 100 || cfg.Height != 75 || time.Since(j.Time) > 5*time.Second {
		t.Fatalf("live picture %dx%d at %v: %v", cfg.Width, cfg.Height, j.Time, err)
	}
	at := rec.RecordedTime(30)
	if j, err = rc.JPEGGetAt(ctx, token, "CAM-1", at.Add(50*time.Millisecond)); err != nil || !j.Time.Equal(at) {
		t.Fatalf("recorded picture at %v: %v", j.Time, err)
	}
	if _, err = rc.JPEGGetAt(ctx, token, "CAM-1", at.Add(-time.Hour)); !errors.Is(err, capture.ErrNotFound) {
		t.Fatalf("before the recording: %v", err)
	}

	for _, tc := range []struct {
		name, token, cam string
		want             error
	}{
		{"no token", "", "CAM-1", soap.ErrTokenInvalid},
		{"expired token", strings.Replace(token, "0b3c", "dead", 1), "CAM-1", capture.ErrUnauthorized},
		{"unknown camera", token, "CAM-2", capture.ErrNotFound},
	} {
		_, err := rc.JPEGGetLive(ctx, tc.token, tc.cam, 0, 0)
		if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "dead") || strings.Contains(err.Error(), "0b3c2d1e") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// A picture over the cap is refused, not allocated.
	small, err := soap.NewRecorderClient(soap.Options{URL: rec.WebServerURI()}, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if _, err := small.JPEGGetLive(ctx, token, "CAM-1", 0, 0); !errors.Is(err, capture.ErrTooLarge) {
		t.Fatalf("over the cap: %v", err)
	}
	if _, err := soap.NewRecorderClient(soap.Options{URL: rec.WebServerURI(), User: "admin"}, 0); err == nil {
		t.Fatal("credentials accepted for the recorder")
	}
}
