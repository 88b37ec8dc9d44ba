package milestone_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/capture/capturetest"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/milestone/imageserver"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
	"github.com/vigil-cctv/vigil/protocols/mjpeg/mjpegtest"
)

// recordingSite is a site whose recorder holds a continuous recording of the last hour
// at 20 fps (frames every 50 ms from a whole second), with optional gaps, optionally
// over TLS.
func recordingSite(t *testing.T, o milestonetest.RecorderOptions) (*milestonetest.Server, *milestonetest.Recorder) {
	t.Helper()
	srv := milestonetest.NewServer(milestonetest.Options{TokenTTL: time.Hour})
	o.FPS, o.ValidToken, o.RecordedHistory = 20, srv.ValidToken, time.Hour
	o.Cameras = map[string][][]byte{gateID: mjpegtest.MakeFrames(5, 320, 240)}
	rec := milestonetest.NewRecorder(o)
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 1", WebServerURI: rec.WebServerURI(),
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate"}}})
	t.Cleanup(func() { rec.Close(); srv.Close() })
	return srv, rec
}

type got struct {
	source, receive time.Time
	disc            bool
}

// times lists what every packet k received said about time, and when it arrived.
func times(k *capturetest.Sink) []got {
	var out []got
	pkts, at := k.Arrivals()
	for i, p := range pkts {
		out = append(out, got{p.SourceTime, at[i], p.Discontinuity})
	}
	return out
}

// play runs src for d and returns what arrived and Run's error.
func play(t *testing.T, src *milestone.Source, d time.Duration) ([]got, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()
	select {
	case err := <-done:
		cancel()
		return times(k), err
	case <-time.After(d):
	}
	cancel()
	return times(k), <-done
}

func playSource(srv *milestonetest.Server, from time.Time, speed float64, log *slog.Logger) *milestone.Source {
	return &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Gate", PinSHA256: srv.Fingerprint(),
		From: from, Speed: speed, Logger: log}
}

// pace is recorded time covered per second of wall time, from the first new frame to the
// last (repeats of the same frame do not count).
func pace(ps []got) float64 {
	first, last := ps[0], ps[0]
	for _, p := range ps {
		if p.source.After(last.source) {
			last = p
		}
	}
	wall := last.receive.Sub(first.receive)
	if wall <= 0 {
		return 0
	}
	return float64(last.source.Sub(first.source)) / float64(wall)
}

func TestPlaybackFromATime(t *testing.T) {
	for _, step := range []imageserver.Stepping{imageserver.StepGoto, imageserver.StepNext} {
		t.Run(step.String(), func(t *testing.T) {
			srv, rec := recordingSite(t, milestonetest.RecorderOptions{})
			logs := &logCapture{}
			from := rec.RecordedTime(0).Add(10 * time.Minute) // on a frame
			src := playSource(srv, from, 1, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			src.Stepping = step
			ps, err := play(t, src, 2*time.Second)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(ps) < 15 || len(ps) > 60 {
				t.Fatalf("%d frames in 2 s of 20 fps playback", len(ps))
			}
			if !ps[0].source.Equal(from) {
				t.Fatalf("first frame recorded at %v, want %v", ps[0].source, from)
			}
			for i := 1; i < len(ps); i++ {
				if !ps[i].source.After(ps[i-1].source) {
					t.Fatalf("frame %d at %v after %v: not in order", i, ps[i].source, ps[i-1].source)
				}
			}
			if r := pace(ps); r < 0.6 || r > 1.5 {
				t.Errorf("played %.2f s of recording per second at 1×", r)
			}
			if pos := src.Position(); !pos.Equal(ps[len(ps)-1].source) {
				t.Errorf("Position %v, last frame %v", pos, ps[len(ps)-1].source)
			}
			if strings.Contains(logs.String(), "TOKEN#") {
				t.Fatalf("a token was logged:\n%s", logs.String())
			}
			if step == imageserver.StepNext && rec.Nexts() == 0 || step == imageserver.StepGoto && rec.Nexts() != 0 {
				t.Errorf("stepping %v sent %d next requests", step, rec.Nexts())
			}
		})
	}
}

func TestPlaybackFasterIsFaster(t *testing.T) {
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{})
	from := rec.RecordedTime(0).Add(5 * time.Minute)
	slow, err := play(t, playSource(srv, from, 1, nil), 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := play(t, playSource(srv, from, 4, nil), 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	r1, r4 := pace(slow), pace(fast)
	t.Logf("1×: %.2f s of recording per second in %d frames; 4×: %.2f in %d frames", r1, len(slow), r4, len(fast))
	if r4 < 2.5*r1 || r4 < 2.5 || r4 > 6 {
		t.Fatalf("4× covered %.2f s of recording per second, 1× %.2f", r4, r1)
	}
	// Fast playback skips frames instead of asking for 80 a second.
	if n := float64(len(fast)) / 1.5; n > 40 {
		t.Errorf("%.0f frames a second at 4×; want at most about 30", n)
	}
}

// TestPlaybackReachesTheEnd: playing into the present keeps the connection, re-delivers
// the last picture (no stall) and picks up frames recorded since.
func TestPlaybackReachesTheEnd(t *testing.T) {
	srv, _ := recordingSite(t, milestonetest.RecorderOptions{})
	src := playSource(srv, time.Now().Add(-time.Second), 8, nil)
	start := time.Now()
	ps, err := play(t, src, 3500*time.Millisecond)
	if err != nil {
		t.Fatalf("Run at the end of the recording: %v", err)
	}
	var maxGap time.Duration
	prev := start
	for _, p := range ps {
		maxGap = max(maxGap, p.receive.Sub(prev))
		prev = p.receive
	}
	if maxGap > 1800*time.Millisecond || time.Since(prev) > 1800*time.Millisecond {
		t.Fatalf("packets %v apart at the end of the recording: the Supervisor would call it stalled", maxGap)
	}
	if age := time.Since(src.Position()); age > 3*time.Second || age < 0 {
		t.Fatalf("position %v behind now: new recordings not picked up", age)
	}
}

func TestPlaybackJumpsGaps(t *testing.T) {
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	from := start.Add(10 * time.Minute)
	gap := milestonetest.Gap{From: from.Add(time.Second), To: from.Add(31 * time.Second)}
	srv, _ := recordingSite(t, milestonetest.RecorderOptions{RecordedStart: start, RecordedGaps: []milestonetest.Gap{gap}})
	ps, err := play(t, playSource(srv, from, 1, nil), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	after := -1
	for i, p := range ps {
		if !p.source.Before(gap.From) && p.source.Before(gap.To) {
			t.Fatalf("a frame at %v inside the gap", p.source)
		}
		if after < 0 && !p.source.Before(gap.To) {
			after = i
		}
	}
	if after < 1 {
		t.Fatalf("no frame after the 30 s gap within 3 s (%d frames)", len(ps))
	}
	if d := ps[after].receive.Sub(ps[after-1].receive); d > time.Second {
		t.Errorf("waited %v at the gap", d)
	}
	if !ps[after].disc {
		t.Error("the first frame after the gap is not marked as a discontinuity")
	}
}

// TestPlaybackResumesAfterReconnect: when the Supervisor runs the Source again after a
// failure, playback continues after the last frame shown, not from From.
func TestPlaybackResumesAfterReconnect(t *testing.T) {
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{})
	from := rec.RecordedTime(0).Add(20 * time.Minute)
	src := playSource(srv, from, 2, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()
	capturetest.WaitFor(t, "frames before the drop", func() bool { return len(times(k)) >= 10 })
	rec.DropConnections()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end when the recorder dropped the connection")
	}
	if err == nil {
		t.Fatal("Run returned nil after the recorder dropped the connection")
	}
	pos := src.Position()
	if !pos.After(from) {
		t.Fatalf("position %v not after From %v", pos, from)
	}
	k2 := &capturetest.Sink{}
	go func() { done <- src.Run(ctx, k2) }()
	capturetest.WaitFor(t, "frames after the reconnect", func() bool { return len(times(k2)) >= 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	first := times(k2)[0].source
	if !first.After(pos) || first.Sub(pos) > time.Second {
		t.Fatalf("resumed at %v; last shown %v (From %v)", first, pos, from)
	}
}

// TestSeekAndBackToLive: one Source moves from live to a recorded time and back.
func TestSeekAndBackToLive(t *testing.T) {
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{})
	src := playSource(srv, time.Time{}, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, k) }()
	recent := func(n int) bool { // the last n packets are live (close to now)
		ps := times(k)
		if len(ps) < n {
			return false
		}
		for _, p := range ps[len(ps)-n:] {
			if d := p.receive.Sub(p.source); d < -time.Second || d > time.Second {
				return false
			}
		}
		return true
	}
	capturetest.WaitFor(t, "live frames", func() bool { return recent(3) })
	if src.PlayingRecording() {
		t.Fatal("Playing while live")
	}
	at := rec.RecordedTime(0).Add(30 * time.Minute)
	src.Seek(at)
	capturetest.WaitFor(t, "recorded frames after Seek", func() bool {
		ps := times(k)
		p := ps[len(ps)-1]
		return !p.source.Before(at) && p.source.Before(at.Add(10*time.Second))
	})
	if !src.PlayingRecording() || src.Position().Before(at) {
		t.Fatalf("playing %v at %v", src.PlayingRecording(), src.Position())
	}
	// Seek within playback moves on the open connection.
	conns := rec.Connections()
	at2 := at.Add(-10 * time.Minute)
	src.Seek(at2)
	capturetest.WaitFor(t, "frames after the second Seek", func() bool {
		ps := times(k)
		p := ps[len(ps)-1]
		return !p.source.Before(at2) && p.source.Before(at)
	})
	if rec.Connections() != conns {
		t.Errorf("a seek within playback re-opened the video connection (%d → %d)", conns, rec.Connections())
	}
	src.Seek(time.Time{})
	capturetest.WaitFor(t, "live frames again", func() bool { return recent(3) })
	if !src.Position().IsZero() && src.PlayingRecording() {
		t.Errorf("still playing at %v", src.Position())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if srv.Logins() != 1 {
		t.Errorf("%d logins; switching should keep the login", srv.Logins())
	}
}

// whileStreaming runs src (to ctx's end at the latest) from its first frame until
// during returns, and fails the test if Run ends with an error.
func whileStreaming(t *testing.T, ctx context.Context, src *milestone.Source, during func()) {
	t.Helper()
	runCtx, stop := context.WithCancel(ctx)
	k := &capturetest.Sink{}
	done := make(chan error, 1)
	go func() { done <- src.Run(runCtx, k) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	capturetest.WaitFor(t, "frames", func() bool { return len(times(k)) > 0 })
	during()
}

func TestSnapshot(t *testing.T) {
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{})
	src := playSource(srv, time.Time{}, 0, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pic, at, err := src.Snapshot(ctx, 160, 160)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(pic))
	if err != nil || cfg.Width != 160 || cfg.Height != 120 {
		t.Fatalf("snapshot %dx%d (%v), want 160x120 (320x240 fitted into 160x160)", cfg.Width, cfg.Height, err)
	}
	if d := time.Since(at); d < -time.Second || d > 5*time.Second {
		t.Errorf("snapshot time %v", at)
	}
	if srv.Logouts() != 1 {
		t.Errorf("a one-off snapshot left its login open (%d logouts)", srv.Logouts())
	}
	want := rec.RecordedTime(0).Add(time.Minute)
	pic, at, err = src.SnapshotAt(ctx, want.Add(20*time.Millisecond))
	if err != nil || !at.Equal(want) {
		t.Fatalf("recorded snapshot at %v: %v", at, err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(pic)); err != nil || cfg.Width != 320 {
		t.Fatalf("recorded snapshot %+v %v", cfg, err)
	}

	// While streaming, the running login is reused.
	var logins int
	whileStreaming(t, ctx, src, func() {
		logins = srv.Logins()
		if _, _, err := src.Snapshot(ctx, 0, 0); err != nil {
			t.Fatal(err)
		}
	})
	if srv.Logins() != logins {
		t.Errorf("snapshot while streaming logged in again")
	}

	// Unknown camera.
	bad := &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Lobby", PinSHA256: srv.Fingerprint()}
	if _, _, err := bad.Snapshot(ctx, 0, 0); !errors.Is(err, capture.ErrNotFound) {
		t.Fatalf("unknown camera: %v", err)
	}
}

// TestTLSRecorder: a recorder whose WebServerUri is https plays when its certificate is
// pinned, and is refused with its fingerprint otherwise.
func TestTLSRecorder(t *testing.T) {
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{TLS: true})
	if !strings.HasPrefix(rec.WebServerURI(), "https://") {
		t.Fatal(rec.WebServerURI())
	}
	logs := &logCapture{}
	source := func(recPin string) *milestone.Source {
		return &milestone.Source{URL: "milestones://" + srv.Addr() + "/Gate", User: "admin", Password: "secret",
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Pins: func(hp string) string {
				switch hp {
				case srv.Addr():
					return srv.Fingerprint()
				case rec.Addr():
					return recPin
				}
				return ""
			}}
	}
	ps, err := play(t, source(rec.Fingerprint()), time.Second)
	if err != nil || len(ps) < 3 {
		t.Fatalf("pinned recorder: %v after %d frames", err, len(ps))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := source(rec.Fingerprint()).Snapshot(ctx, 64, 48); err != nil {
		t.Fatalf("snapshot over TLS: %v", err)
	}

	_, err = play(t, source(""), 10*time.Second)
	var ce *trust.CertError
	if !errors.As(err, &ce) || ce.Fingerprint != rec.Fingerprint() || !strings.Contains(err.Error(), "Recorder 1") ||
		!strings.Contains(err.Error(), rec.Fingerprint()) || capture.Classify(err) == capture.CauseUnauthorized {
		t.Fatalf("unpinned recorder: %v", err)
	}
	t.Logf("unpinned: %v", err)
	wrong := strings.Repeat("AB:", 31) + "AB"
	_, err = play(t, source(wrong), 10*time.Second)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), rec.Fingerprint()) || !strings.Contains(err.Error(), rec.Addr()) {
		t.Fatalf("wrong pin: %v", err)
	}
	t.Logf("wrong pin: %v", err)
	old := rec.Fingerprint()
	rec.RotateCertificate()
	_, err = play(t, source(old), 10*time.Second)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "changed") || !strings.Contains(err.Error(), rec.Fingerprint()) {
		t.Fatalf("certificate changed: %v", err)
	}
	t.Logf("changed: %v", err)
	_, _, err = source(old).Snapshot(ctx, 0, 0)
	if !errors.As(err, &ce) || ce.Fingerprint != rec.Fingerprint() {
		t.Fatalf("snapshot with a changed certificate: %v", err)
	}
	for _, e := range []error{err} {
		if strings.Contains(e.Error(), "TOKEN#") || strings.Contains(e.Error(), "secret") {
			t.Fatalf("secret in %v", e)
		}
	}
	if strings.Contains(logs.String(), "TOKEN#") || strings.Contains(logs.String(), "secret") {
		t.Fatalf("a token or the password was logged:\n%s", logs.String())
	}

	// Insecure learns the recorder's certificate too.
	ins := &milestone.Source{URL: "milestones://admin:secret@" + srv.Addr() + "/Gate", Insecure: true}
	if ps, err := play(t, ins, time.Second); err != nil || len(ps) == 0 {
		t.Fatalf("insecure: %v after %d frames", err, len(ps))
	}
}

// TestRecordedSpans: the recorder's recording sequences come back as the timeline's
// spans: a gap splits them, they are clipped to the span asked for, a one-off call logs
// out, a running Run's login is reused (and the sequence type asked once), a full page is
// followed by the next, and a token the recorder refuses is its fault's error.
func TestRecordedSpans(t *testing.T) {
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	gap := milestonetest.Gap{From: start.Add(10 * time.Minute), To: start.Add(12 * time.Minute)}
	srv, rec := recordingSite(t, milestonetest.RecorderOptions{RecordedStart: start, RecordedGaps: []milestonetest.Gap{gap}})
	src := playSource(srv, time.Time{}, 0, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	spans, err := src.RecordedSpans(ctx, start.Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || !spans[0].From.Equal(start) || !spans[0].To.Equal(gap.From) || !spans[1].From.Equal(gap.To) || time.Since(spans[1].To) > 5*time.Second {
		t.Fatalf("spans %+v, want %v–%v and %v–now", spans, start, gap.From, gap.To)
	}
	if srv.Logouts() != 1 {
		t.Errorf("a one-off call left its login open (%d logouts)", srv.Logouts())
	}
	from, to := start.Add(5*time.Minute), start.Add(15*time.Minute)
	if spans, err = src.RecordedSpans(ctx, from, to); err != nil || len(spans) != 2 || !spans[0].From.Equal(from) || !spans[1].To.Equal(to) {
		t.Fatalf("clipped to %v–%v: %+v %v", from, to, spans, err)
	}
	if spans, err = src.RecordedSpans(ctx, gap.From.Add(time.Second), gap.To); err != nil || len(spans) != 0 {
		t.Fatalf("inside the gap: %+v %v", spans, err)
	}
	if spans, err = src.RecordedSpans(ctx, to, from); err != nil || len(spans) != 0 {
		t.Fatalf("an empty span asked: %+v %v", spans, err)
	}

	// While streaming, the running login is reused and the type asked once.
	var logins int
	var calls int64
	whileStreaming(t, ctx, src, func() {
		logins, calls = srv.Logins(), rec.SequenceCalls()
		for range 2 {
			if spans, err := src.RecordedSpans(ctx, start, time.Now()); err != nil || len(spans) != 2 {
				t.Fatalf("while streaming: %+v %v", spans, err)
			}
		}
	})
	if srv.Logins() != logins || rec.SequenceCalls() != calls+3 {
		t.Errorf("while streaming: %d more logins, %d recorder calls (want 0 and 3: types once, sequences twice)", srv.Logins()-logins, rec.SequenceCalls()-calls)
	}

	// A recorder refusing the token.
	srv2 := milestonetest.NewServer(milestonetest.Options{TokenTTL: time.Hour})
	rec2 := milestonetest.NewRecorder(milestonetest.RecorderOptions{ValidToken: func(string) bool { return false },
		Cameras: map[string][][]byte{gateID: mjpegtest.MakeFrames(1, 64, 48)}})
	srv2.AddRecorder(milestonetest.RecorderConfig{Name: "Recorder 2", WebServerURI: rec2.WebServerURI(),
		Cameras: []milestonetest.CameraConfig{{ID: gateID, Name: "Gate"}}})
	defer func() { rec2.Close(); srv2.Close() }()
	var f *soap.Fault
	_, err = playSource(srv2, time.Time{}, 0, nil).RecordedSpans(ctx, start, time.Now())
	if !errors.Is(err, soap.ErrTokenInvalid) || !errors.As(err, &f) || f.ErrorNumber != 20001 || f.SubErrorNumber != 2 || !strings.Contains(err.Error(), `camera "Gate"`) {
		t.Fatalf("refused token: %v", err)
	}
}

// TestRecordedSpansWithoutSequenceTypes: a recorder lacking SequencesGetTypes is asked
// for the known RecordingSequence type; one lacking SequencesGet says it cannot.
func TestRecordedSpansWithoutSequenceTypes(t *testing.T) {
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, _ := recordingSite(t, milestonetest.RecorderOptions{RecordedStart: start, Unsupported: []string{"SequencesGetTypes"}})
	spans, err := playSource(srv, time.Time{}, 0, nil).RecordedSpans(ctx, start.Add(-time.Minute), start.Add(time.Minute))
	if err != nil || len(spans) != 1 || !spans[0].From.Equal(start) || !spans[0].To.Equal(start.Add(time.Minute)) {
		t.Fatalf("without SequencesGetTypes: %+v %v", spans, err)
	}
	srv, _ = recordingSite(t, milestonetest.RecorderOptions{RecordedStart: start, Unsupported: []string{"SequencesGet"}})
	if _, err := playSource(srv, time.Time{}, 0, nil).RecordedSpans(ctx, start, time.Now()); !errors.Is(err, capture.ErrUnsupported) {
		t.Fatalf("without SequencesGet: %v", err)
	}
}

// TestRecordedSpansPages: more sequences than one SequencesGet answers are fetched
// page after page.
func TestRecordedSpansPages(t *testing.T) {
	spans, start, err := alternatingSpans(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2501 || !spans[2234].From.Equal(start.Add(4468*time.Second)) || !spans[2234].To.Equal(start.Add(4469*time.Second)) || !spans[2500].From.Equal(start.Add(5000*time.Second)) {
		t.Fatalf("%d spans (want 2501), [2234] %+v", len(spans), spans[min(2234, len(spans)-1)])
	}
}

// alternatingSpans lists the spans of a recorder that recorded [2k, 2k+1) s after start,
// k < 2500, then from 5000 s on: three pages, each after the first answered with the
// sequence ending where it begins (clipped away to nothing).
func alternatingSpans(t *testing.T) ([]capture.TimeSpan, time.Time, error) {
	t.Helper()
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	var gaps []milestonetest.Gap
	for k := range 2500 {
		at := start.Add(time.Duration(2*k+1) * time.Second)
		gaps = append(gaps, milestonetest.Gap{From: at, To: at.Add(time.Second)})
	}
	srv, _ := recordingSite(t, milestonetest.RecorderOptions{RecordedStart: start, RecordedGaps: gaps})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	spans, err := playSource(srv, time.Time{}, 0, nil).RecordedSpans(ctx, start, time.Now())
	return spans, start, err
}

// TestRecordedSpansPartial: when the last page allowed is full too, the spans listed come
// with a *capture.PartialSpans saying up to when they are right.
func TestRecordedSpansPartial(t *testing.T) {
	milestone.SetSpansPages(t, 2)
	spans, start, err := alternatingSpans(t)
	var partial *capture.PartialSpans
	if !errors.As(err, &partial) || !errors.Is(err, capture.ErrTooLarge) || partial.Limit != 2000 {
		t.Fatalf("err %v, want a PartialSpans of 2000 at most", err)
	}
	// Two pages of 1000: the second begins with the sequence the first ended with.
	if n := len(spans); n != 1999 || !spans[n-1].To.Equal(partial.Until) || !partial.Until.Equal(start.Add(3997*time.Second)) {
		t.Fatalf("%d spans (want 1999), last %+v, until %v", n, spans[len(spans)-1], partial.Until.Sub(start))
	}
	t.Log(err)
}

// TestMergeSpans: touching and overlapping spans merge, empty ones go, all clipped and
// sorted.
func TestMergeSpans(t *testing.T) {
	t0 := time.Date(2025, 10, 27, 10, 0, 0, 0, time.UTC)
	m := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	sp := func(a, b int) capture.TimeSpan { return capture.TimeSpan{From: m(a), To: m(b)} }
	got := milestone.MergeSpans([]capture.TimeSpan{sp(50, 70), sp(-10, 5), sp(5, 8), sp(20, 30), sp(25, 28), sp(28, 35), sp(40, 40), sp(45, 44), sp(90, 95)}, m(0), m(60))
	want := []capture.TimeSpan{sp(0, 8), sp(20, 35), sp(50, 60)}
	if len(got) != len(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) {
			t.Fatalf("%+v, want %+v", got, want)
		}
	}
}
