package analytics_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/analytics"
)

// stillHour is an hour of a still 320×180 scene at 5 fps with what a camera sees when
// nothing happens: sensor noise, clouds (the light rising and falling ±25 over three
// minutes), the lights switched on and off every ten minutes, the camera's IR switch
// (night mode flattens the contrast) at 30 and 45 minutes, and a car's headlights
// washing over the whole scene every seven minutes (+70 in 1 s, fading over 2 s).
type stillHour struct {
	back []uint8
	rng  *rand.Rand
}

const hourW, hourH, hourFPS = 320, 180, 5

func newStillHour() *stillHour {
	s := &stillHour{back: make([]uint8, hourW*hourH), rng: rand.New(rand.NewPCG(7, 11))}
	for y := range hourH {
		for x := range hourW {
			v := 60 + 80*x/hourW + 40*y/hourH
			if (x/(hourW/8)+y/(hourH/6))%2 == 0 {
				v += 25
			}
			s.back[y*hourW+x] = uint8(v)
		}
	}
	return s
}

// light is the scene's change of light at t: an offset and a contrast gain.
func (s *stillHour) light(t time.Duration) (offset float64, gain float64) {
	sec := t.Seconds()
	offset = 25 * math.Sin(2*math.Pi*sec/180)
	if int(t/(10*time.Minute))%2 == 1 {
		offset += 50
	}
	if into := math.Mod(sec, 7*60); into < 3 {
		if into < 1 {
			offset += 70 * into
		} else {
			offset += 70 * (3 - into) / 2
		}
	}
	gain = 1
	if t >= 30*time.Minute && t < 45*time.Minute {
		gain = 0.5
	}
	return offset, gain
}

func (s *stillHour) frame(dst []uint8, t time.Duration) {
	offset, gain := s.light(t)
	var bits uint64
	for i, b := range s.back {
		if i%8 == 0 {
			bits = s.rng.Uint64()
		}
		noise := int(bits&15) - 7 // ±7
		bits >>= 8
		v := 128 + (float64(b)-128)*gain + offset + float64(noise)
		dst[i] = uint8(min(255, max(0, v)))
	}
}

// BenchmarkStillHourFalseEvents runs the motion analyzer with its default settings over
// the still hour and reports the events it made (each one false: nothing moved) and the
// time a frame took. `make bench` runs it once.
func BenchmarkStillHourFalseEvents(b *testing.B) {
	start := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	frames := int(time.Hour / time.Second * hourFPS)
	var events, frameTime float64
	for range b.N {
		s := newStillHour()
		n := 0
		m, err := analytics.NewMotion("still", analytics.MotionOptions{}, analytics.SinkFunc(func(e analytics.Event) {
			if e.Ended() {
				n++
				b.Logf("false event %v to %v, peak %.3f", e.Start.Sub(start), e.End.Sub(start), e.Peak)
			}
		}))
		if err != nil {
			b.Fatal(err)
		}
		y := make([]uint8, hourW*hourH)
		var spent time.Duration
		for i := range frames {
			at := time.Duration(i) * time.Second / hourFPS
			s.frame(y, at)
			t0 := time.Now()
			if err := m.Frame(analytics.Luma{Y: y, Width: hourW, Height: hourH, Stride: hourW, At: start.Add(at)}); err != nil {
				b.Fatal(err)
			}
			spent += time.Since(t0)
		}
		m.Flush()
		events += float64(n)
		frameTime += spent.Seconds() * 1000 / float64(frames)
	}
	b.ReportMetric(events/float64(b.N), "false-events/h")
	b.ReportMetric(frameTime/float64(b.N), "ms/frame")
	b.ReportMetric(frameTime/float64(b.N)*hourFPS/10, "%core@5fps")
}
