package panel_test

import (
	"context"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/panel"
)

// The Panel's methods in the shapes of the wall's callbacks (ui.WallOptions), grouped
// as the small interfaces the ui may declare: a Panel satisfies each, so the wall can
// take a Panel (or a fake) instead of twenty callbacks.
var (
	_ interface {
		Streams() []*capture.Stream
		Camera(name string) (config.Camera, bool)
		SaveCamera(old string, cam config.Camera) error
		RemoveCamera(name string) error
		WallChanged(layout string, tiles []string)
		OnCameras(func([]*capture.Stream))
	} = (*panel.Panel)(nil) // cameras
	_ interface {
		Trust(trust []config.Trusted) error
		Prober() capture.Prober
	} = (*panel.Panel)(nil) // trust and the dialog's Test
	_ interface {
		ConnectSite(ctx context.Context, site config.Site, pin string) (*panel.SiteView, error)
		SaveSite(site config.Site, trust []config.Trusted) error
		ListSites(ctx context.Context, show func([]*panel.SiteView))
	} = (*panel.Panel)(nil) // sites
	_ interface {
		ToggleRecord(camera string) error
		RecordingStatus(camera string) panel.RecordingState
		Recordings() ([]panel.Clip, error)
		Playback(camera string, from time.Time, speed float64) (*capture.Stream, error)
		CanPlayback(camera string) bool
	} = (*panel.Panel)(nil) // recordings and playback
)
