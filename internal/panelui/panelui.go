// Package panelui gives the wall (package ui) the application core (package panel)
// through ui's small interfaces: each method is a Panel method, or a conversion of its
// types to ui's. The panel never imports ui; ui never imports the panel; this is the one
// place the two meet, used by the app and by the panel's own wall tests.
package panelui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/vigil-cctv/vigil/analytics/store"
	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/ui"
)

// Cameras is the camera registry: ui.CameraEditor and ui.CameraRemover.
type Cameras struct{ P *panel.Panel }

var (
	_ ui.CameraEditor   = Cameras{}
	_ ui.CameraRemover  = Cameras{}
	_ ui.AnalyzerModels = Cameras{}
	_ ui.ViewStore      = Views{}
	_ ui.TrustStore     = Trust{}
	_ ui.Sites          = Sites{}
	_ ui.Playback       = Playback{}
	_ ui.PlaybackSpans  = Playback{}
	_ ui.Recordings     = Recordings{}
)

func (c Cameras) Streams() []*capture.Stream { return c.P.Streams() }

func (c Cameras) Camera(name string) (config.Camera, bool) { return c.P.Camera(name) }

func (c Cameras) Models() []config.Model { return c.P.Models() }

func (c Cameras) Add(cam config.Camera) error { return c.P.SaveCamera("", cam) }

func (c Cameras) Edit(old string, cam config.Camera) error { return c.P.SaveCamera(old, cam) }

func (c Cameras) Remove(name string) error { return c.P.RemoveCamera(name) }

// Views saves the wall's layout and positions and keeps the named views: ui.ViewStore.
type Views struct{ P *panel.Panel }

func (v Views) SaveWall(layout string, tiles []string) error { return v.P.WallChanged(layout, tiles) }

func (v Views) List() []config.View { return v.P.Views() }

func (v Views) SaveView(old string, view config.View) error { return v.P.SaveView(old, view) }

func (v Views) DeleteView(name string) error { return v.P.DeleteView(name) }

func (v Views) ViewsShown(current string, windows []string) error {
	return v.P.ViewsShown(current, windows)
}

// Trust pins accepted certificates: ui.TrustStore.
type Trust struct{ P *panel.Panel }

func (t Trust) Trust(certs []config.Trusted) error { return t.P.Trust(certs) }

// Sites logs in to and saves video management sites: ui.Sites.
type Sites struct{ P *panel.Panel }

func (s Sites) Connect(ctx context.Context, site config.Site, pin string) (*ui.SiteView, error) {
	v, err := s.P.ConnectSite(ctx, site, pin)
	return SiteView(v), CertError(err)
}

func (s Sites) Save(v *ui.SiteView, trust []config.Trusted) error {
	return s.P.SaveSite(v.Site, trust)
}

// Playback plays Milestone cameras' recordings: ui.Playback.
type Playback struct{ P *panel.Panel }

func (p Playback) CanPlay(name string) bool { return p.P.CanPlayback(name) }

func (p Playback) Play(name string, from time.Time, speed float64) (*capture.Stream, error) {
	return p.P.Playback(name, from, speed)
}

// RecordingLister is ui.PlaybackSpans: where a Milestone camera's recordings are.
func (p Playback) RecordingLister(name string) capture.RecordingLister {
	return p.P.RecordingLister(name)
}

// Recordings records cameras and lists the recordings: ui.Recordings.
type Recordings struct{ P *panel.Panel }

func (r Recordings) Toggle(name string) error { return r.P.ToggleRecord(name) }

func (r Recordings) State(name string) ui.RecordingState {
	return ui.RecordingState(r.P.RecordingStatus(name))
}

func (r Recordings) List() ([]ui.Clip, error) { return Clips(r.P.Recordings()) }

func (r Recordings) Open(path string) error { return OpenPath(path) }

// SiteView is a site's listing as the wall shows it.
func SiteView(v *panel.SiteView) *ui.SiteView {
	if v == nil {
		return nil
	}
	u := &ui.SiteView{Site: v.Site, Host: v.Host, Err: v.Err}
	for _, r := range v.Recorders {
		rv := ui.RecorderView{Name: r.Name, Addr: r.Addr, Untrusted: r.Untrusted}
		for _, c := range r.Cameras {
			rv.Cameras = append(rv.Cameras, ui.SiteCamera{Name: c.Name, URL: c.URL})
		}
		u.Recorders = append(u.Recorders, rv)
	}
	return u
}

// CertError is a refused certificate as the connect dialog offers to trust it.
func CertError(err error) error {
	var ce *trust.CertError
	if errors.As(err, &ce) {
		return &ui.UntrustedCertError{Host: ce.Host, Fingerprint: ce.Fingerprint, Pinned: ce.Pinned}
	}
	return err
}

// Clips is the recordings list as the recordings view shows it.
func Clips(clips []panel.Clip, err error) ([]ui.Clip, error) {
	out := make([]ui.Clip, len(clips))
	for i, c := range clips {
		out[i] = ui.Clip(c)
	}
	return out, err
}

// Events reads the Panel's event store for the events pane.
type Events struct{ P *panel.Panel }

// eventsTimeout bounds one read of the store.
const eventsTimeout = 10 * time.Second

// filter is the pane's filter as the store's.
func (e Events) filter(f ui.EventFilter) store.Filter {
	sf := store.Filter{Camera: f.Camera, Kind: f.Kind, Since: f.Since, Limit: capture.OrDefault(f.Limit, ui.EventPage)}
	if f.Before != nil {
		sf.BeforeStart, sf.BeforeID = f.Before.Start, f.Before.ID
	}
	return sf
}

func (e Events) List(f ui.EventFilter) ([]ui.EventRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), eventsTimeout)
	defer cancel()
	evs, err := e.P.Events(ctx, e.filter(f))
	if err != nil {
		return nil, err
	}
	rows := make([]ui.EventRow, len(evs))
	for i, ev := range evs {
		rows[i] = ui.EventRow{ID: ev.ID, Camera: ev.Camera, Kind: ev.Kind, Zone: ev.Zone, Start: ev.Start, End: ev.End,
			Peak: ev.Peak, HasSnapshot: ev.SnapshotBytes > 0}
	}
	return rows, nil
}

func (e Events) Count(f ui.EventFilter) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), eventsTimeout)
	defer cancel()
	sf := e.filter(f)
	sf.BeforeStart, sf.BeforeID = time.Time{}, 0
	return e.P.EventCount(ctx, sf)
}

func (e Events) Snapshot(id int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), eventsTimeout)
	defer cancel()
	return e.P.EventSnapshot(ctx, id)
}

// charts are the pane's dashboards as the Panel's.
var charts = map[ui.Chart]panel.Chart{ui.ChartEventsPerHour: panel.ChartEventsPerHour, ui.ChartKindsPerDay: panel.ChartKindsPerDay,
	ui.ChartUptime: panel.ChartUptime, ui.ChartFPS: panel.ChartFPS, ui.ChartBitrate: panel.ChartBitrate}

func (e Events) Chart(f ui.EventFilter, w, h int) (image.Image, error) {
	ctx, cancel := context.WithTimeout(context.Background(), eventsTimeout)
	defer cancel()
	c, ok := charts[f.Chart]
	if !ok {
		return nil, fmt.Errorf("no dashboard %d", f.Chart)
	}
	return e.P.Chart(ctx, c, f.Camera, f.Kind, f.Since, time.Now(), w, h)
}

// Review plays cameras' own recordings in the player: ui.Review.
type Review struct{ P *panel.Panel }

var _ ui.Review = Review{}

func (r Review) Recorded(camera string, from, to time.Time) ([]ui.Clip, error) {
	return Clips(r.P.Recorded(camera, from, to))
}

func (r Review) Review(camera string, from time.Time) (*capture.Stream, ui.ReviewControl, error) {
	return r.P.Review(camera, from)
}

// Push lists, adds and removes the push: listeners: ui.PushListeners.
type Push struct{ P *panel.Panel }

var _ ui.PushListeners = Push{}

func (p Push) List() []ui.PushListener {
	ls := p.P.PushListeners()
	out := make([]ui.PushListener, len(ls))
	for i, l := range ls {
		out[i] = ui.PushListener(l)
	}
	return out
}

func (p Push) Add(ps config.Push) error { return p.P.AddPush(ps) }

func (p Push) Remove(listen string) error { return p.P.RemovePush(listen) }

// PTZTest reads a camera's PTZ for the camera dialog's Test PTZ: ui.PTZTester.
type PTZTest struct{ P *panel.Panel }

var _ ui.PTZTester = PTZTest{}

func (t PTZTest) ReadPTZ(ctx context.Context, cam config.Camera) (capture.PTZInfo, []capture.Preset, error) {
	return t.P.ReadPTZ(ctx, cam)
}

// Search searches the cameras' recorded motion: ui.MotionSearcher.
type Search struct{ P *panel.Panel }

var _ ui.MotionSearcher = Search{}

func (s Search) MotionSearch(ctx context.Context, camera string, b ui.Box, since, until time.Time) ([]ui.MotionHit, error) {
	hits, err := s.P.MotionSearch(ctx, camera, store.Region(b), since, until)
	out := make([]ui.MotionHit, len(hits))
	for i, h := range hits {
		out[i] = ui.MotionHit{Start: h.Start, End: h.End, Peak: h.Peak, Coarse: h.Path == ""}
	}
	return out, err
}
