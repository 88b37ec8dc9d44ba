package push

import (
	"context"
	"io"

	"github.com/vigil-cctv/vigil/capture"
)

// Register adds frame pushers (push://HOST:PORT/NAME) to r: the one registration of this
// protocol (config/protocols.go calls it). A camera's password setting is the token a
// listener opened by its Source requires.
func Register(r *capture.Registry) {
	r.Register(capture.Protocol{
		Name:     "frame pusher (VIGIL-PUSH/1 over TCP)",
		Schemes:  []string{"push"},
		CheckURL: checkURL,
		New: func(rawURL string, s capture.Settings) (capture.Source, error) {
			addr, name, err := ParseURL(rawURL)
			if err != nil {
				return nil, err
			}
			return &Source{Addr: addr, Name: name, Options: Options{Token: s.Password, Logger: s.Logger}}, nil
		},
		Listen: func(rawURL string, o capture.ListenOptions) (io.Closer, error) {
			addr, _, err := ParseURL(rawURL)
			if err != nil {
				return nil, err
			}
			h, err := Listen(addr, Options{Token: o.Token, Announce: o.Announce, Logger: o.Logger})
			if err != nil {
				return nil, err // not a nil *Handle inside a non-nil io.Closer
			}
			return h, nil
		},
		Push: func(ctx context.Context, rawURL string, o capture.PushOptions) error {
			addr, _, err := ParseURL(rawURL)
			if err != nil {
				return err
			}
			return (&Pusher{Addr: addr, Name: o.Name, Token: o.Token, Next: o.Next, Report: o.Report}).Run(ctx)
		},
	})
}
