package rtsp

import "github.com/vigil-cctv/vigil/capture"

// Register adds RTSP (rtsp://, rtsps://) to r: the one registration of this protocol
// (config/protocols.go calls it).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:       "RTSP",
		Schemes:    []string{"rtsp", "rtsps"},
		Transports: []string{TransportAuto, TransportTCP, TransportUDP},
		NeedsHost:  true,
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			return &Source{URL: rawURL, User: s.User, Password: s.Password, Transport: s.Transport,
				Insecure: s.Insecure, Pins: s.Pins, Seen: s.Seen, Logger: s.Logger}, nil
		},
	})
}

// What a Source offers besides Run (capture's optional interfaces).
var (
	_ capture.TrackLister       = (*Source)(nil)
	_ capture.AuthLister        = (*Source)(nil)
	_ capture.TransportReporter = (*Source)(nil)
)

// ProbeTracks is part of capture.TrackLister: Tracks, as the probe reports them.
func (s *Source) ProbeTracks() []capture.ProbeTrack {
	var out []capture.ProbeTrack
	for _, t := range s.Tracks() {
		out = append(out, t.ProbeTrack)
	}
	return out
}
