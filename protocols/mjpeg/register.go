package mjpeg

import "github.com/vigil-cctv/vigil/capture"

// Register adds MJPEG over HTTP (http://, https://: multipart streams and single-JPEG
// snapshot URLs) to r: the one registration of this protocol (config/protocols.go calls
// it).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:      "MJPEG over HTTP",
		Schemes:   []string{"http", "https"},
		NeedsHost: true,
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			return &Source{URL: rawURL, User: s.User, Password: s.Password, FPS: s.FPS,
				Insecure: s.Insecure, Pins: s.Pins, Seen: s.Seen}, nil
		},
	})
}
