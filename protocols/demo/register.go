package demo

import (
	"errors"
	"net/url"
	"strings"

	"github.com/vigil-cctv/vigil/capture"
)

// Register adds the built-in demo cameras (demo://<name>?size=WxH&fps=F, see Parse) to r:
// the one registration of this protocol (config/protocols.go calls it). Their pictures
// come from capture.Settings.Pictures (the app's cached encoder of assets/demo).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:    "demo",
		Schemes: []string{"demo"},
		CheckURL: func(u *url.URL) string {
			if u.Host == "" && u.Opaque == "" && strings.Trim(u.Path, "/") == "" {
				return "missing pattern (want demo://PATTERN)"
			}
			return ""
		},
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			name, w, h, fps, err := Parse(rawURL)
			if err != nil {
				return nil, err
			}
			if s.Pictures == nil {
				return nil, errors.New("demo URL: no pictures for demo cameras in this program")
			}
			frames, err := s.Pictures(name, w, h, fps)
			if err != nil {
				return nil, err
			}
			return &Source{Name: name, Frames: frames, FPS: fps}, nil
		},
	})
}
