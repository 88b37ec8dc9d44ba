package config

import (
	"sync"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/demo"
	"github.com/vigil-cctv/vigil/protocols/fmp4file"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/protocols/mjpeg"
	"github.com/vigil-cctv/vigil/protocols/onvif"
	"github.com/vigil-cctv/vigil/protocols/push"
	"github.com/vigil-cctv/vigil/protocols/rcp"
	"github.com/vigil-cctv/vigil/protocols/rtsp"
)

// Protocols is the table of every protocol Vigil speaks, the one place that imports each
// protocol package: Validate accepts a URL when a protocol registered its scheme (and its
// CheckURL passes), and the app builds every Source through the same table, so the two
// cannot disagree. The table is a value filled here by explicit calls, in the order
// messages list the schemes, not by init functions: whatever links config (a test of
// the camera dialog as much as the app) has the same table. Adding a protocol is a
// folder under protocols/ with a Register function, and one line here.
func Protocols() *capture.Registry { return protocols() }

var protocols = sync.OnceValue(func() *capture.Registry {
	r := &capture.Registry{}
	mjpeg.Register(r)
	rtsp.Register(r)
	milestone.Register(r)
	onvif.Register(r)
	demo.Register(r)
	rcp.Register(r)
	push.Register(r)
	fmp4file.Register(r)
	return r
})
