package onvif

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigil-cctv/vigil/capture"
)

// Source plays an ONVIF camera added by its ONVIF address: each Run asks the media
// service for the profile's RTSP URI (GetStreamUri; a URI may be valid for one
// connection only) and plays it through the registry's RTSP protocol with the camera's
// credentials (RTSP authenticates with HTTP Digest; WS-Security cannot apply to it). It
// implements capture.PTZSource: the same address and credentials drive the PTZ head.
type Source struct {
	// URL is the onvif(s):// address.
	URL string
	// Settings are the camera's: credentials, RTSP transport, trust. Settings.Registry
	// opens the stream URI; it must be set (Registry.NewSource sets it).
	Settings capture.Settings

	mu     sync.Mutex
	inner  capture.Source // the RTSP source of the last Run
	noPTZ  bool           // the last Run found no PTZ on the profile
	stream string         // the last stream URI, redacted
}

// NewSource checks rawURL and makes a Source. It does not touch the network.
func NewSource(rawURL string, s capture.Settings) (*Source, error) {
	if _, _, err := parseAddr(rawURL); err != nil {
		return nil, err
	}
	if s.Registry == nil {
		return nil, errors.New("onvif: Settings.Registry is not set: the stream URI cannot be opened")
	}
	return &Source{URL: rawURL, Settings: s}, nil
}

// camera makes a Camera over a new Client of the Source's address.
func (s *Source) camera() (*Camera, error) {
	return newCamera(s.URL, s.Settings)
}

// Run implements capture.Source.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	cam, err := s.camera()
	if err != nil {
		return err
	}
	defer cam.Close()
	capture.ReportPhase(sink, cam.c.Host()+" did not answer the ONVIF stream request (GetStreamUri)")
	uri, err := cam.StreamURI(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("ONVIF camera %s: %w", cam.c.Host(), err)
	}
	cam.cmd.Lock()
	noPTZ := !cam.hasPTZ || cam.c.paths().ptz == ""
	cam.cmd.Unlock()
	st := s.Settings
	inner, err := st.Registry.NewSource(uri, capture.Settings{User: st.User, Password: st.Password, FPS: st.FPS,
		Transport: st.Transport, Insecure: st.Insecure, Pins: st.Pins, Seen: st.Seen, Logger: st.Logger})
	if err != nil {
		return fmt.Errorf("ONVIF camera %s gave stream URI %s: %w", cam.c.Host(), capture.RedactURL(uri), err)
	}
	s.mu.Lock()
	s.inner, s.noPTZ, s.stream = inner, noPTZ, capture.RedactURL(uri)
	s.mu.Unlock()
	s.logger().Debug("onvif: playing the stream URI", "camera", cam.c.Host(), "uri", capture.RedactURL(uri))
	return inner.Run(ctx, sink)
}

func (s *Source) logger() *slog.Logger {
	if s.Settings.Logger != nil {
		return s.Settings.Logger
	}
	return slog.Default()
}

// StreamURL is the stream URI the last Run played (credentials redacted), "" before.
func (s *Source) StreamURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stream
}

// PTZ implements capture.PTZSource: a new controller of the camera (the caller closes
// it). ok is false once a Run found that the profile has no PTZ.
func (s *Source) PTZ() (capture.PTZ, bool) {
	s.mu.Lock()
	noPTZ := s.noPTZ
	s.mu.Unlock()
	if noPTZ {
		return nil, false
	}
	cam, err := s.camera()
	if err != nil {
		return nil, false
	}
	return cam, true
}

// ProbeTracks implements capture.TrackLister with the RTSP source's tracks.
func (s *Source) ProbeTracks() []capture.ProbeTrack {
	if tl, ok := s.innerSource().(capture.TrackLister); ok {
		return tl.ProbeTracks()
	}
	return nil
}

// UsedTransport implements capture.TransportReporter with the RTSP source's.
func (s *Source) UsedTransport() string {
	if tr, ok := s.innerSource().(capture.TransportReporter); ok {
		return tr.UsedTransport()
	}
	return ""
}

// AuthOffered implements capture.AuthLister with the RTSP source's.
func (s *Source) AuthOffered() []string {
	if al, ok := s.innerSource().(capture.AuthLister); ok {
		return al.AuthOffered()
	}
	return nil
}

func (s *Source) innerSource() capture.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inner
}
