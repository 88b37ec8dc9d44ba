package ui

import (
	"context"
	"slices"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
)

// The wall's interfaces over plain functions and a stream list, so each test wires only
// what it exercises (as the options' callbacks did).

// testCameras is a camera list the wall only reads.
type testCameras struct{ streams []*capture.Stream }

func (c *testCameras) Streams() []*capture.Stream { return slices.Clone(c.streams) }

func (c *testCameras) Camera(string) (config.Camera, bool) { return config.Camera{}, false }

// testEditor adds and edits cameras through add and edit; camera, when set, gives the
// cameras' settings.
type testEditor struct {
	*testCameras
	add    func(config.Camera) error
	edit   func(old string, cam config.Camera) error
	camera func(string) (config.Camera, bool)
}

func (e *testEditor) Camera(name string) (config.Camera, bool) {
	if e.camera == nil {
		return e.testCameras.Camera(name)
	}
	return e.camera(name)
}

func (e *testEditor) Add(cam config.Camera) error { return e.add(cam) }

func (e *testEditor) Edit(old string, cam config.Camera) error { return e.edit(old, cam) }

// testRemover removes cameras through remove.
type testRemover struct {
	*testCameras
	remove func(string) error
}

func (r *testRemover) Remove(name string) error { return r.remove(name) }

type viewsFunc func(layout string, tiles []string)

func (f viewsFunc) SaveWall(layout string, tiles []string) error { f(layout, tiles); return nil }

type cpuFunc func() float64

func (f cpuFunc) Cores() float64 { return f() }

type testPlayback struct {
	can  func(string) bool
	play func(string, time.Time, float64) (*capture.Stream, error)
}

func (p testPlayback) CanPlay(camera string) bool { return p.can(camera) }

func (p testPlayback) Play(camera string, from time.Time, speed float64) (*capture.Stream, error) {
	return p.play(camera, from, speed)
}

type testSites struct {
	connect SiteConnector
	save    func(*SiteView, []config.Trusted) error
}

func (s testSites) Connect(ctx context.Context, site config.Site, pin string) (*SiteView, error) {
	return s.connect(ctx, site, pin)
}

func (s testSites) Save(v *SiteView, trust []config.Trusted) error { return s.save(v, trust) }
