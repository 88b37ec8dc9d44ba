package capture

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture/internal/poll"
)

// takeFrom waits for a frame from a source of the given width, releasing others, and
// reports how many frames of other widths came first.
func takeFrom(t *testing.T, v *FrameSub, width int) (others int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-deadline:
			t.Fatalf("no frame from the %d-wide stream", width)
		case <-v.Ready():
		}
		f := v.Take()
		if f == nil {
			continue
		}
		w := f.SrcWidth
		f.Release()
		if w == width {
			return others
		}
		others++
	}
}

func TestMultiStreamPicksSmallestSufficientAndSwitchesWithoutGap(t *testing.T) {
	sub := &scriptSource{w: 640, h: 360, steps: []step{{packets: 1 << 30, hold: true}}}
	// The main stream takes a while to connect: the sub stream's pictures must keep
	// coming meanwhile.
	main := &scriptSource{w: 1920, h: 1080, steps: []step{{delay: 300 * time.Millisecond, packets: 1 << 30, hold: true}}}
	var calls atomic.Int64
	s := NewMultiStream("gate", []Variant{{Source: main, Width: 1920, Height: 1080}, {Source: sub, Width: 640, Height: 360}},
		StreamOptions{Decoders: sizeDecoders(&calls)})
	defer s.Close()

	v := s.Watch(320, 180)
	takeFrom(t, v, 640)
	if main.Runs() != 0 {
		t.Fatal("the main stream runs for a small tile")
	}

	v.SetSize(1280, 720) // larger than the sub stream: switch to main
	if others := takeFrom(t, v, 1920); others == 0 {
		t.Fatal("no sub-stream picture arrived while the main stream connected: the tile would have gone blank")
	}
	poll.Until(t, "the sub stream to stop", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.vars[0].sup == nil && s.vars[1].sup != nil
	})
	if st := s.Stats(); st.Width != 1920 {
		t.Fatalf("stats describe the %d-wide stream, want the one shown (1920)", st.Width)
	}

	v.SetSize(200, 100) // back down
	takeFrom(t, v, 640)
	v.SetLargest(true) // maximised: the largest whatever the box
	takeFrom(t, v, 1920)
	v.SetLargest(false)
	takeFrom(t, v, 640)

	// A recorder takes the largest stream and keeps it running after the viewer goes.
	rec, stopRec := s.Subscribe("recorder", 8)
	v.Close()
	p := <-rec.C()
	if p.Width != 1920 {
		t.Fatalf("recorder got the %d-wide stream", p.Width)
	}
	poll.Until(t, "only the recorded stream running", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.vars[0].sup == nil && s.vars[0].dec == nil && s.vars[1].sup != nil && s.vars[1].dec == nil
	})
	stopRec()
	poll.Until(t, "stopped", func() bool { return s.Status().State == StateStopped })
}

func TestMultiStreamUnknownSizeCountsAsLargest(t *testing.T) {
	s := NewMultiStream("x", []Variant{{Source: &scriptSource{}}, {Source: &scriptSource{}, Width: 640, Height: 360}}, StreamOptions{})
	if v := s.pick(320, 180, false); v.Width != 640 {
		t.Fatalf("picked %d-wide for a small box", v.Width)
	}
	if v := s.pick(1920, 1080, false); v.Width != 0 {
		t.Fatal("a box larger than every known size should get the stream of unknown size")
	}
}

// hintingSource records the size hints a Stream gives it.
type hintingSource struct {
	scriptSource
	w, h atomic.Int64
}

func (s *hintingSource) HintSize(w, h int) { s.w.Store(int64(w)); s.h.Store(int64(h)) }

func TestStreamHintsTheViewersBox(t *testing.T) {
	src := &hintingSource{scriptSource: scriptSource{steps: []step{{packets: 1 << 30, hold: true}}}}
	var calls atomic.Int64
	s := NewStream("vms", src, StreamOptions{Decoders: sizeDecoders(&calls)})
	defer s.Close()
	v := s.Watch(480, 270)
	defer v.Close()
	if src.w.Load() != 480 || src.h.Load() != 270 {
		t.Fatalf("hint %d×%d after Watch, want 480×270", src.w.Load(), src.h.Load())
	}
	v.SetSize(320, 180)
	if src.w.Load() != 320 || src.h.Load() != 180 {
		t.Fatalf("hint %d×%d after SetSize, want 320×180", src.w.Load(), src.h.Load())
	}
}

// A recorder on the main stream follows the main stream's status, not the sub stream a
// tile shows: the sub stream failing must not look like the recorded camera dropping.
func TestSubscribedStatusIsTheRecordedVariant(t *testing.T) {
	sub := &scriptSource{steps: []step{{err: errors.New("sub stream refused")}}}
	main := &scriptSource{steps: []step{{packets: 100000, hold: true}}, w: 1920, h: 1080}
	s := NewMultiStream("cam", []Variant{{Source: sub, Width: 640, Height: 360}, {Source: main, Width: 1920, Height: 1080}},
		StreamOptions{Decoders: func(Codec) (FrameDecoder, error) { return sizeDecoder{new(atomic.Int64)}, nil }, Backoff: fastBackoff()})
	defer s.Close()
	if st := s.SubscribedStatus(); st.State != StateStopped {
		t.Fatalf("before anyone subscribed: %v", st.State)
	}
	rec, unsub := s.Subscribe("recorder", 16)
	defer unsub()
	f := s.Watch(320, 180)
	defer f.Close()
	poll.Until(t, "the main stream live and the sub stream failing", func() bool {
		return s.SubscribedStatus().State == StateLive && sub.Runs() >= 2
	})
	if st := s.Status(); st.State == StateLive {
		t.Fatalf("the tile's status is the main stream's (%v), want the failing sub stream's", st.State)
	}
	if p := <-rec.C(); p.Width != 1920 {
		t.Fatalf("recorder got %d-wide packets", p.Width)
	}
}

// Hold keeps a camera connected without a decoder (a wall's hidden cameras, issue 12):
// its status stays true, it reads the smallest stream, and a held variant a viewer
// already runs is shared rather than opened twice.
func TestHoldConnectsWithoutDecoding(t *testing.T) {
	sub := &scriptSource{w: 640, h: 360, steps: []step{{packets: 1 << 30, hold: true}}}
	main := &scriptSource{w: 1920, h: 1080, steps: []step{{packets: 1 << 30, hold: true}}}
	var calls atomic.Int64
	s := NewMultiStream("gate", []Variant{{Source: main, Width: 1920, Height: 1080}, {Source: sub, Width: 640, Height: 360}},
		StreamOptions{Decoders: sizeDecoders(&calls)})
	defer s.Close()

	release := s.Hold()
	poll.Until(t, "the held camera live", func() bool { return s.Status().State == StateLive })
	s.mu.Lock()
	if s.vars[0].sup == nil || s.vars[0].dec != nil || s.vars[1].sup != nil {
		t.Errorf("held: sub running %v decoding %v, main running %v", s.vars[0].sup != nil, s.vars[0].dec != nil, s.vars[1].sup != nil)
	}
	s.mu.Unlock()
	if calls.Load() != 0 {
		t.Errorf("%d decodes while held", calls.Load())
	}
	release()
	release() // twice is harmless
	poll.Until(t, "stopped after release", func() bool { return s.Status().State == StateStopped })

	// A viewer on the main stream: a Hold shares it.
	v := s.Watch(0, 0)
	takeFrom(t, v, 1920)
	release = s.Hold()
	v.Close()
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	if s.vars[1].sup == nil || s.vars[0].sup != nil {
		t.Errorf("hold after a viewer: main running %v, sub running %v", s.vars[1].sup != nil, s.vars[0].sup != nil)
	}
	s.mu.Unlock()
	if main.Runs() != 1 {
		t.Errorf("main connected %d times, want once (the hold kept the viewer's connection)", main.Runs())
	}
	release()
}

// A Hold across Close: released after Close, or taken after it, starts nothing and does
// not panic; Close does not wait for a hold.
func TestHoldAcrossClose(t *testing.T) {
	src := &scriptSource{w: 640, h: 360, steps: []step{{packets: 1 << 30, hold: true}}}
	s := NewStream("gate", src, StreamOptions{Decoders: func(Codec) (FrameDecoder, error) { return sizeDecoder{new(atomic.Int64)}, nil }})
	release := s.Hold()
	poll.Until(t, "the held camera live", func() bool { return s.Status().State == StateLive })
	s.Close()
	release()
	late := s.Hold()
	if st := s.Status().State; st != StateStopped {
		t.Errorf("a Hold after Close: %v", st)
	}
	s.mu.Lock()
	running := s.vars[0].sup != nil
	s.mu.Unlock()
	if running {
		t.Error("a Hold after Close started the camera")
	}
	late()
	if s.RetryNow() {
		t.Error("RetryNow after Close cut a wait")
	}
}
