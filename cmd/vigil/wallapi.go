package main

import (
	"context"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/ui"
)

// The wall's interfaces (ui/api.go) as thin adapters over wallSettings: what the wall's
// callbacks did, unchanged. The application core replaces them with its own registries.

// wallCameras is the camera registry: ui.CameraEditor and ui.CameraRemover.
type wallCameras struct{ ws *wallSettings }

var (
	_ ui.CameraEditor  = wallCameras{}
	_ ui.CameraRemover = wallCameras{}
)

func (c wallCameras) Streams() []*capture.Stream { return slices.Clone(c.ws.streams) }

func (c wallCameras) Camera(name string) (config.Camera, bool) { return c.ws.cfg.Camera(name) }

func (c wallCameras) Add(cam config.Camera) error { return c.ws.cameraSaved("", cam) }

func (c wallCameras) Edit(old string, cam config.Camera) error { return c.ws.cameraSaved(old, cam) }

func (c wallCameras) Remove(name string) error { return c.ws.cameraRemoved(name) }

// wallViews saves the wall's layout and positions: ui.Views.
type wallViews struct{ ws *wallSettings }

func (v wallViews) SaveWall(layout string, tiles []string) { v.ws.wallChanged(layout, tiles) }

// wallTrust pins accepted certificates: ui.TrustStore.
type wallTrust struct{ ws *wallSettings }

func (t wallTrust) Trust(certs []config.Trusted) error { return t.ws.trusted(certs) }

// wallSites logs in to and saves video management sites: ui.Sites.
type wallSites struct{ ws *wallSettings }

func (s wallSites) Connect(ctx context.Context, site config.Site, pin string) (*ui.SiteView, error) {
	return connectSite(ctx, site, pin, s.ws.pins.Pin, s.ws.log)
}

func (s wallSites) Save(v *ui.SiteView, trust []config.Trusted) error {
	return s.ws.siteConnected(v, trust)
}

// wallPlayback plays Milestone cameras' recordings: ui.Playback.
type wallPlayback struct{ ws *wallSettings }

func (p wallPlayback) CanPlay(name string) bool { return p.ws.playbackSource(name) != nil }

func (p wallPlayback) Play(name string, from time.Time, speed float64) (*capture.Stream, error) {
	return p.ws.playback(name, from, speed)
}

// wallRecordings records cameras and lists the recordings: ui.Recordings.
type wallRecordings struct{ ws *wallSettings }

func (r wallRecordings) Toggle(name string) error { return r.ws.toggleRecord(name) }

func (r wallRecordings) State(name string) ui.RecordingState { return r.ws.recs.State(name) }

func (r wallRecordings) List() ([]ui.Clip, error) { return r.ws.recs.List() }

func (r wallRecordings) Open(path string) error { return openPath(path) }
