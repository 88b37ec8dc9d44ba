package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/milestonetest"
)

// milestoneSim is a simulated XProtect site: a management server (HTTPS, token logins)
// and one recording server (Image Server protocol) with the demo pictures.
type milestoneSim struct {
	srv   *milestonetest.Server
	rec   *milestonetest.Recorder
	names []string
}

// The simulator's one XProtect Basic user (a fixed demo account, never a real one).
const simUser, simPassword = "admin", "secret"

// startMilestoneSim serves the named cameras as a Milestone site on 127.0.0.1.
func startMilestoneSim(names []string, w, h int, fps float64) (*milestoneSim, error) {
	loops, err := demoLoops(names, w, h, fps)
	if err != nil {
		return nil, err
	}
	srv := milestonetest.NewServer(milestonetest.Options{User: simUser, Password: simPassword})
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
	return &milestoneSim{srv: srv, rec: rec, names: names}, nil
}

// URL is the milestones:// address of one camera (without credentials).
func (m *milestoneSim) URL(name string) string {
	return (&url.URL{Scheme: "milestones", Host: m.srv.Addr(), Path: "/" + name}).String()
}

// Source plays one camera, trusting the simulator's certificate by its fingerprint as a
// user who accepted it would.
func (m *milestoneSim) Source(name string) capture.Source {
	fp := m.srv.Fingerprint()
	return demoSource(m.URL(name), sourceOptions{User: simUser, Password: simPassword,
		Pins: func(hostPort string) string {
			if hostPort == m.srv.Addr() {
				return fp
			}
			return ""
		}})
}

func (m *milestoneSim) Close() {
	m.rec.Close()
	m.srv.Close()
}
