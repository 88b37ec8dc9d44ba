package ui

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// TestTileRetryNow: a camera that went away and came back is shown live again as soon as
// the offline card's "Retry now" is pressed, without waiting for the retry (issue 12,
// item 4: an hour here, so only the button can bring it back in the test's time).
func TestTileRetryNow(t *testing.T) {
	test.NewTempApp(t)
	srv := mjpegtest.NewServer(mjpegtest.Options{FPS: 20})
	t.Cleanup(srv.Close)
	dec := &testDecoders{}
	s := capture.NewStream("Gate", &mjpeg.Source{URL: srv.URL()}, capture.StreamOptions{
		Decoders: dec.New, Logger: slog.New(slog.DiscardHandler),
		Backoff: []capture.BackoffTier{{Delay: time.Hour}},
	})
	t.Cleanup(s.Close)
	r := newTileTRig(t, fyne.NewSize(480, 270), s)
	r.tile.Start()
	rr := func() *tileRenderer { return renderer(r.tile) }
	pumpUntil(t, r.q, "live", func() bool { return r.tile.status.State == capture.StateLive && r.tile.Drawn() > 0 })
	if rr().retry.Visible() {
		t.Fatal("Retry now shows on a live tile")
	}

	srv.Down()
	pumpUntil(t, r.q, "the offline card with Retry now", func() bool {
		return rr().card.kind == cardOffline && rr().retry.Visible()
	})
	if texts := rr().cardTexts(); !slices.ContainsFunc(texts, func(s string) bool {
		return strings.HasPrefix(s, "retrying in ") && strings.HasSuffix(s, " min")
	}) {
		t.Fatalf("card: %q, want the retry in about an hour", texts)
	}
	if s.RetryNow() {
		// the camera is still away: the attempt fails and waits again
		pumpUntil(t, r.q, "offline again", func() bool { return rr().card.kind == cardOffline && rr().retry.Visible() })
	}

	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	drawn := r.tile.Drawn()
	start := time.Now()
	test.Tap(rr().retry)
	pumpUntil(t, r.q, "live again after Retry now", func() bool {
		return r.tile.status.State == capture.StateLive && r.tile.Drawn() > drawn && rr().card.kind == cardNone
	})
	t.Logf("Retry now → live picture in %v", time.Since(start).Round(time.Millisecond))
	if rr().retry.Visible() {
		t.Fatal("Retry now still shows on the live tile")
	}
}
