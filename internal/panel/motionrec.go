package panel

import (
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/recorder"
)

// PostRoll is how long a motion-triggered recording goes on after the camera's last
// event ended.
var PostRoll = 10 * time.Second

// motionRecorder records the cameras set to `record: motion` while their analyzers see
// something: each such camera keeps its last moments in a Prebuffer (the pre-roll,
// recording.pre_roll_seconds), a recording starts with them at an event's start and
// stops PostRoll after the last one ended (a new event in the meantime keeps it going).
type motionRecorder struct {
	rs      *recordings
	preRoll time.Duration

	mu   sync.Mutex
	cams map[string]*motionCam
}

type motionCam struct {
	stream *capture.Stream
	pre    *recorder.Prebuffer
	post   *time.Timer
}

// sync arms the motion-recorded cameras of the settings on their current streams and
// disarms the others (their recording, if any, stops).
func (m *motionRecorder) sync(cfg *config.Config, streams []*capture.Stream) {
	if m.rs.root == nil {
		return
	}
	want := map[string]*capture.Stream{}
	for _, s := range streams {
		if c, ok := cfg.Camera(s.Name()); ok && c.Record == "motion" {
			want[s.Name()] = s
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cams == nil {
		m.cams = map[string]*motionCam{}
	}
	for name, c := range m.cams {
		if want[name] != c.stream {
			m.disarmLocked(name, c)
		}
	}
	for name, s := range want {
		if _, ok := m.cams[name]; !ok {
			m.cams[name] = &motionCam{stream: s, pre: recorder.NewPrebuffer(s, m.preRoll)}
		}
	}
}

func (m *motionRecorder) disarmLocked(name string, c *motionCam) {
	if c.post != nil {
		c.post.Stop()
	}
	if err := m.rs.stop(name); err != nil {
		m.rs.log.Warn("motion recording stopped with an error", "component", "panel", "camera", name, "err", err)
	}
	c.pre.Close()
	delete(m.cams, name)
}

// motion is told when a camera's events start (on) and all end (off).
func (m *motionRecorder) motion(camera string, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.cams[camera]
	if c == nil {
		return
	}
	if c.post != nil {
		c.post.Stop()
		c.post = nil
	}
	if !on {
		c.post = time.AfterFunc(PostRoll, func() {
			m.mu.Lock()
			current := m.cams[camera] == c && c.post != nil
			if current {
				c.post = nil
			}
			m.mu.Unlock()
			if !current {
				return
			}
			// Outside the lock: finishing the file syncs it, and other cameras' motion
			// callbacks (their analyzers' goroutines) must not wait for that.
			if err := m.rs.stop(camera); err != nil {
				m.rs.log.Warn("motion recording stopped with an error", "component", "panel", "camera", camera, "err", err)
			}
		})
		return
	}
	m.rs.mu.Lock()
	_, recording := m.rs.recs[camera]
	m.rs.mu.Unlock()
	if recording {
		return
	}
	rec, err := m.rs.root.Start(camera, c.stream, c.pre)
	if err != nil {
		m.rs.log.Error("motion recording not started", "component", "panel", "camera", camera, "err", err)
		m.rs.mu.Lock()
		m.rs.failed[camera] = err
		m.rs.mu.Unlock()
		return
	}
	m.rs.mu.Lock()
	m.rs.recs[camera] = rec
	m.rs.mu.Unlock()
}

// close disarms every camera (stopping their recordings).
func (m *motionRecorder) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, c := range m.cams {
		m.disarmLocked(name, c)
	}
}
