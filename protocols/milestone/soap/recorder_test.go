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
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// token is the one token the recorders of recorderClient accept.
const token = "TOKEN#0b3c2d1e-5555-4000-8000-000000000001#127.0.0.1//ServerConnector#"

// recorderClient starts a simulated recorder accepting token alone, and a client of it.
func recorderClient(t *testing.T, o milestonetest.RecorderOptions) (*milestonetest.Recorder, *soap.RecorderClient) {
	o.ValidToken = func(tok string) bool { return tok == token }
	rec := milestonetest.NewRecorder(o)
	t.Cleanup(rec.Close)
	rc, err := soap.NewRecorderClient(soap.Options{URL: rec.WebServerURI()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Close)
	return rec, rc
}

// checkRefused calls call without a token, with an expired one and for an unknown
// camera (the recorder's is CAM-1): each fails with its error, never showing the token.
func checkRefused(t *testing.T, call func(token, cam string) error) {
	t.Helper()
	for _, tc := range []struct {
		name, token, cam string
		want             error
	}{
		{"no token", "", "CAM-1", soap.ErrTokenInvalid},
		{"expired token", strings.Replace(token, "0b3c", "dead", 1), "CAM-1", capture.ErrUnauthorized},
		{"unknown camera", token, "CAM-2", capture.ErrNotFound},
	} {
		err := call(tc.token, tc.cam)
		if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "dead") || strings.Contains(err.Error(), "0b3c2d1e") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestRecorderClientPictures(t *testing.T) {
	var big bytes.Buffer
	if err := jpeg.Encode(&big, image.NewGray(image.Rect(0, 0, 320, 240)), nil); err != nil {
		t.Fatal(err)
	}
	rec, rc := recorderClient(t, milestonetest.RecorderOptions{Cameras: map[string][][]byte{"CAM-1": {big.Bytes()}}, RecordedHistory: time.Minute})
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

	checkRefused(t, func(token, cam string) error { _, err := rc.JPEGGetLive(ctx, token, cam, 0, 0); return err })

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

// TestRecorderClientSequences: the simulated recorder's types, and its recorded spans
// with a gap, clipped, cut to max; a bad token is the fault's error.
func TestRecorderClientSequences(t *testing.T) {
	start := time.Date(2025, 10, 27, 10, 0, 0, 0, time.UTC)
	gap := milestonetest.Gap{From: start.Add(10 * time.Minute), To: start.Add(25 * time.Minute)}
	_, rc := recorderClient(t, milestonetest.RecorderOptions{Cameras: map[string][][]byte{"CAM-1": mjpegtest.MakeFrames(1, 64, 48)},
		RecordedStart: start, RecordedInterval: time.Second, RecordedFrames: 3600, RecordedGaps: []milestonetest.Gap{gap}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	types, err := rc.SequenceTypes(ctx, token, "cam-1")
	if err != nil || len(types) != 3 || types[1].Name != "MotionSequence" {
		t.Fatalf("types %+v: %v", types, err)
	}
	typ := soap.RecordingSequenceID(types)
	if typ != soap.RecordingSequenceType {
		t.Fatalf("recording type %q", typ)
	}
	end := start.Add(time.Hour) // 3600 frames a second apart
	seqs, err := rc.Sequences(ctx, token, "CAM-1", typ, start.Add(-time.Hour), end.Add(time.Hour), 0)
	if err != nil || len(seqs) != 2 || !seqs[0].Begin.Equal(start) || !seqs[0].End.Equal(gap.From) || !seqs[1].Begin.Equal(gap.To) || !seqs[1].End.Equal(end) {
		t.Fatalf("sequences %+v: %v", seqs, err)
	}
	if !seqs[1].Trigged.Equal(gap.To) {
		t.Errorf("trigger time %v", seqs[1].Trigged)
	}
	// Clipped to the span asked for; at most max.
	seqs, err = rc.Sequences(ctx, token, "CAM-1", typ, start.Add(5*time.Minute), start.Add(30*time.Minute), 0)
	if err != nil || len(seqs) != 2 || !seqs[0].Begin.Equal(start.Add(5*time.Minute)) || !seqs[1].End.Equal(start.Add(30*time.Minute)) {
		t.Fatalf("clipped sequences %+v: %v", seqs, err)
	}
	if seqs, err = rc.Sequences(ctx, token, "CAM-1", typ, start, end, 1); err != nil || len(seqs) != 1 || !seqs[0].Begin.Equal(start) {
		t.Fatalf("max 1: %+v: %v", seqs, err)
	}
	if seqs, err = rc.Sequences(ctx, token, "CAM-1", typ, start.Add(11*time.Minute), start.Add(24*time.Minute), 0); err != nil || len(seqs) != 0 {
		t.Fatalf("inside the gap: %+v: %v", seqs, err)
	}
	if seqs, err = rc.Sequences(ctx, token, "CAM-1", types[1].ID, start, end, 0); err != nil || len(seqs) != 0 {
		t.Fatalf("motion: %+v: %v", seqs, err)
	}

	checkRefused(t, func(token, cam string) error { _, err := rc.Sequences(ctx, token, cam, typ, start, end, 0); return err })
	checkRefused(t, func(token, cam string) error { _, err := rc.SequenceTypes(ctx, token, cam); return err })
	var f *soap.Fault
	if _, err := rc.Sequences(ctx, "TOKEN#bad#", "CAM-1", typ, start, end, 0); !errors.As(err, &f) || f.ErrorNumber != 20001 || f.SubErrorNumber != 2 {
		t.Errorf("bad token: %v", err)
	}
}
