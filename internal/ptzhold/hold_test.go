package ptzhold_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/ptzhold"
	"github.com/vigil-cctv/vigil/protocols/rcp"
	"github.com/vigil-cctv/vigil/protocols/rcp/rcptest"
	"go.uber.org/goleak"
)

const stopPayload = "800006011085000000"

func camera(t *testing.T) (*rcptest.Camera, *rcp.Controller) {
	t.Helper()
	cam := rcptest.StartFor(t, rcptest.Options{})
	p, err := rcp.New(cam.URL(), capture.Settings{User: cam.User(), Password: cam.Password()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return cam, p
}

// sent lists the BiCom payloads the camera received, in hex.
func sent(cam *rcptest.Camera) []string {
	var out []string
	for _, c := range cam.Commands() {
		out = append(out, fmt.Sprintf("%x", c.Payload))
	}
	return out
}

// waitFor polls until the camera's last command is want and returns when it arrived.
func waitFor(t *testing.T, cam *rcptest.Camera, want string, within time.Duration) time.Time {
	t.Helper()
	end := time.Now().Add(within)
	for time.Now().Before(end) {
		cmds := cam.Commands()
		if n := len(cmds); n > 0 && fmt.Sprintf("%x", cmds[n-1].Payload) == want {
			return cmds[n-1].At
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the camera's last command is not %s within %v; it got %v", want, within, sent(cam))
	return time.Time{}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHoldRelease: hold → move (resent while renewed), release → stop, measured.
func TestHoldRelease(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{})
	defer h.Close()
	var lat []time.Duration
	for i := 0; i < 8; i++ {
		h.Hold(capture.Velocity{Pan: 1})
		waitFor(t, cam, "8000060110858f0000", time.Second)
		time.Sleep(150 * time.Millisecond) // past the 100 ms gap, as a press lasts
		t0 := time.Now()
		h.Release()
		lat = append(lat, waitFor(t, cam, stopPayload, time.Second).Sub(t0))
		if cam.Moving() {
			t.Fatal("camera moving after release")
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("release → stop at the camera: p50 %v, max %v (%d releases)", lat[len(lat)/2], lat[len(lat)-1], len(lat))
	if lat[len(lat)/2] > 50*time.Millisecond {
		t.Errorf("release took %v to reach the camera (want ≤ 50 ms)", lat[len(lat)/2])
	}
}

// TestRate holds for 3 s, renewed every 100 ms with a changing speed (a joystick), and
// counts the commands that left.
func TestRate(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{})
	defer h.Close()
	start := time.Now()
	for i := 0; time.Since(start) < 3*time.Second; i++ {
		h.Hold(capture.Velocity{Pan: 0.3 + float64(i%5)/10})
		time.Sleep(20 * time.Millisecond)
	}
	h.Release()
	waitFor(t, cam, stopPayload, time.Second)
	cmds := cam.Commands()
	rate := float64(len(cmds)) / cmds[len(cmds)-1].At.Sub(cmds[0].At).Seconds()
	t.Logf("joystick held 3 s, renewed every 20 ms: %d commands, %.1f per second", len(cmds), rate)
	for i := 1; i < len(cmds); i++ {
		if d := cmds[i].At.Sub(cmds[i-1].At); d < 95*time.Millisecond {
			t.Errorf("commands %v apart", d)
		}
	}
	if rate > 10.5 {
		t.Errorf("%.1f commands per second", rate)
	}

	// A steady hold renewed once a second resends about once a second.
	n0 := len(cmds)
	start = time.Now()
	for time.Since(start) < 3*time.Second {
		h.Hold(capture.Velocity{Tilt: 1})
		time.Sleep(time.Second)
	}
	h.Release()
	waitFor(t, cam, stopPayload, time.Second)
	steady := len(cam.Commands()) - n0
	t.Logf("steady hold 3 s renewed each second: %d commands (moves and the stop)", steady)
	if steady < 3 || steady > 6 {
		t.Errorf("%d commands for a 3 s steady hold", steady)
	}
}

// TestDeadMan: a hold nobody renews stops after DeadMan.
func TestDeadMan(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{DeadMan: 400 * time.Millisecond})
	defer h.Close()
	t0 := time.Now()
	h.Hold(capture.Velocity{Zoom: -1})
	waitFor(t, cam, "800006011085000007", time.Second)
	at := waitFor(t, cam, stopPayload, 2*time.Second)
	if d := at.Sub(t0); d < 400*time.Millisecond || d > 1200*time.Millisecond {
		t.Errorf("dead-man stop after %v (want 400 ms)", d)
	}
	if h.Stats().DeadMan != 1 {
		t.Errorf("stats %+v", h.Stats())
	}
}

// TestCloseStops: Close sends the stop.
func TestCloseStops(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{})
	h.Hold(capture.Velocity{Pan: -1})
	waitFor(t, cam, "8000060110850f0000", time.Second)
	h.Close()
	if got := sent(cam); got[len(got)-1] != stopPayload || cam.Moving() {
		t.Fatalf("after Close: %v", got)
	}
	h.Hold(capture.Velocity{Pan: 1}) // ignored
}

// TestFailedMoveStops: a move the camera refuses is followed by a stop.
func TestFailedMoveStops(t *testing.T) {
	cam, p := camera(t)
	var errs atomic.Int32
	h := ptzhold.New(p, ptzhold.Options{OnError: func(err error) {
		if errs.Add(1) == 1 {
			cam.SetError(0) // the camera answers again for the stop
			if !strings.Contains(err.Error(), "busy") {
				t.Errorf("error %v", err)
			}
		}
	}})
	defer h.Close()
	cam.SetError(0xc0)
	h.Hold(capture.Velocity{Tilt: 1})
	waitFor(t, cam, stopPayload, time.Second)
	if got := sent(cam); !slices.Equal(got, []string{"800006011085008f00", stopPayload}) {
		t.Fatalf("sent %v", got)
	}
}

// plain hides rcp's StopBeforeTurn, as a protocol that wants stops between moves is.
type plain struct{ capture.PTZ }

// TestTurn: a move in another direction is preceded by a stop where the protocol needs it,
// and is not for RCP+.
func TestTurn(t *testing.T) {
	for _, needs := range []bool{true, false} {
		cam, p := camera(t)
		ptz := capture.PTZ(p)
		if needs {
			ptz = plain{p}
		}
		h := ptzhold.New(ptz, ptzhold.Options{})
		h.Hold(capture.Velocity{Pan: 1})
		waitFor(t, cam, "8000060110858f0000", time.Second)
		h.Hold(capture.Velocity{Pan: -1})
		waitFor(t, cam, "8000060110850f0000", time.Second)
		h.Hold(capture.Velocity{Pan: -0.5}) // same direction: no stop
		waitFor(t, cam, "800006011085080000", time.Second)
		h.Close()
		want := []string{"8000060110858f0000", "8000060110850f0000", "800006011085080000", stopPayload}
		if needs {
			want = []string{"8000060110858f0000", stopPayload, "8000060110850f0000", "800006011085080000", stopPayload}
		}
		if got := sent(cam); !slices.Equal(got, want) {
			t.Errorf("stop before turn %v: sent %v, want %v", needs, got, want)
		}
	}
}

// TestQuickRelease: a release right after the press waits only for the 100 ms gap since
// the move left.
func TestQuickRelease(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{})
	defer h.Close()
	h.Hold(capture.Velocity{Tilt: -1})
	moved := waitFor(t, cam, "800006011085000f00", time.Second)
	h.Release()
	stopped := waitFor(t, cam, stopPayload, time.Second)
	if d := stopped.Sub(moved); d < 95*time.Millisecond || d > 300*time.Millisecond {
		t.Errorf("stop %v after the move (want the 100 ms gap)", d)
	}
	t.Logf("quick press: stop %v after the move", stopped.Sub(moved))
}

// TestCloseUnreachable: Close returns promptly when the camera is gone.
func TestCloseUnreachable(t *testing.T) {
	cam, p := camera(t)
	h := ptzhold.New(p, ptzhold.Options{OnError: func(error) {}})
	h.Hold(capture.Velocity{Pan: 1})
	waitFor(t, cam, "8000060110858f0000", time.Second)
	cam.Close()
	t0 := time.Now()
	h.Close()
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("Close took %v with the camera gone", d)
	}
	if st := h.Stats(); st.Failures < 1 {
		t.Errorf("stats %+v", st)
	}
}
