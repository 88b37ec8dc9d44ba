package panel

import (
	"fmt"
	"net/url"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
)

// MilestoneSim is a simulated XProtect site: a management server (HTTPS, token logins)
// and one recording server (Image Server protocol) with the demo pictures.
type MilestoneSim struct {
	srv   *milestonetest.Server
	rec   *milestonetest.Recorder
	names []string
}

// The simulator's one XProtect Basic user (a fixed demo account, never a real one).
const SimUser, SimPassword = "admin", "secret"

// StartMilestoneSim serves the named cameras as a Milestone site on 127.0.0.1.
func StartMilestoneSim(names []string, w, h int, fps float64) (*MilestoneSim, error) {
	loops, err := DemoLoops(names, w, h, fps)
	if err != nil {
		return nil, err
	}
	srv := milestonetest.NewServer(milestonetest.Options{User: SimUser, Password: SimPassword})
	frames := map[string][][]byte{}
	var cams []milestonetest.CameraConfig
	for i, name := range names {
		id := fmt.Sprintf("5e1f0000-0000-4000-8000-%012d", i+1)
		frames[id] = loops[i]
		cams = append(cams, milestonetest.CameraConfig{ID: id, Name: name})
	}
	// A day of recordings, so playback can be tried on the demo cameras.
	rec := milestonetest.NewRecorder(milestonetest.RecorderOptions{Cameras: frames, FPS: fps, ValidToken: srv.ValidToken,
		RecordedHistory: 24 * time.Hour})
	srv.AddRecorder(milestonetest.RecorderConfig{Name: "Recording Server 1", WebServerURI: "http://" + rec.Addr() + "/", Cameras: cams})
	return &MilestoneSim{srv: srv, rec: rec, names: names}, nil
}

// URL is the milestones:// address of one camera (without credentials).
func (m *MilestoneSim) URL(name string) string {
	return (&url.URL{Scheme: "milestones", Host: m.srv.Addr(), Path: "/" + name}).String()
}

// Source plays one camera, trusting the simulator's certificate by its fingerprint as a
// user who accepted it would.
func (m *MilestoneSim) Source(name string) capture.Source {
	fp := m.srv.Fingerprint()
	return mustSource(m.URL(name), capture.Settings{User: SimUser, Password: SimPassword,
		Pins: func(hostPort string) string {
			if hostPort == m.srv.Addr() {
				return fp
			}
			return ""
		}})
}

// Fingerprint is the SHA-256 fingerprint of the management server's certificate.
func (m *MilestoneSim) Fingerprint() string { return m.srv.Fingerprint() }

// Addr is the management server's host:port.
func (m *MilestoneSim) Addr() string { return m.srv.Addr() }

// Close stops the site.
func (m *MilestoneSim) Close() {
	m.rec.Close()
	m.srv.Close()
}
