package capturetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
)

// Context is a context for one request of a test: 10 s at the most, cancelled when the
// test ends.
func Context(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// StopLatency measures the time from Stop being called to the device receiving it (the
// issue's "release to stop request", target ≤ 50 ms) over 20 moves, each followed by a
// Stop: received returns when the device's last request arrived (and may end t when that
// request was not a stop). It logs the median and the maximum, what being the path
// ("ONVIF Stop() → camera"), and fails t when the median is over 50 ms.
func StopLatency(t testing.TB, what string, p capture.PTZ, received func() time.Time) {
	t.Helper()
	var lat []time.Duration
	for i := range 20 {
		if err := p.Move(Context(t), capture.Velocity{Pan: float64(i%2*2 - 1)}); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if err := p.Stop(Context(t)); err != nil {
			t.Fatal(err)
		}
		lat = append(lat, received().Sub(t0))
	}
	slices.Sort(lat)
	t.Logf("%s: p50 %v, max %v over %d stops", what, lat[len(lat)/2], lat[len(lat)-1], len(lat))
	if lat[len(lat)/2] > 50*time.Millisecond {
		t.Errorf("median stop latency %v over 50 ms", lat[len(lat)/2])
	}
}
