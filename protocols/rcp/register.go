package rcp

import "github.com/vigil-cctv/vigil/capture"

// Register adds Bosch RCP+ PTZ (rcp:// over HTTP, rcps:// over HTTPS) to r: PTZ targets
// only, no video (a Bosch camera's picture is its rtsp:// or https snapshot URL).
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:     "Bosch RCP+ PTZ",
		Schemes:  []string{"rcp", "rcps"},
		CheckURL: checkURL,
		NewPTZ: func(rawURL string, s capture.Settings) (capture.PTZ, error) {
			return New(rawURL, s)
		},
	})
}
