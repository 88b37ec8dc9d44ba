package panel

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// SimOptions say which simulated cameras `vigil camsim` serves, all on 127.0.0.1.
type SimOptions struct {
	// MJPEG, Milestone, RTSP and PTZ are how many cameras of each kind.
	MJPEG, Milestone, RTSP, PTZ int
	Width, Height               int
	FPS                         float64
	// Snapshot serves single-JPEG snapshot endpoints instead of MJPEG streams.
	Snapshot bool
}

// SimPTZ is a simulated PTZ camera's control URL, picture URL and account.
type SimPTZ struct {
	URL, Stream, User, Password string
}

// Sims are running simulators. Close stops them.
type Sims struct {
	// URLs are the MJPEG cameras', then the RTSP cameras'.
	URLs []string
	// MilestoneURLs are the Milestone site's cameras (Site nil when there is none).
	MilestoneURLs []string
	Site          *MilestoneSim
	PTZ           []SimPTZ
	closers       []func()
}

// StartSims starts the simulators o asks for: MJPEG over HTTP (StartMJPEGSim), a
// Milestone site (StartMilestoneSim), RTSP (StartRTSPSim) and PTZ cameras (StartPTZSim,
// at most 640×360 at 10 fps). On an error nothing is left running.
func StartSims(o SimOptions) (*Sims, error) {
	s := &Sims{}
	if err := s.start(o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sims) start(o SimOptions) error {
	if o.MJPEG > 0 {
		srv, err := StartMJPEGSim(o.MJPEG, o.Width, o.Height, o.FPS, o.Snapshot)
		if err != nil {
			return err
		}
		s.closers = append(s.closers, srv.Close)
		for i := 0; i < o.MJPEG; i++ {
			s.URLs = append(s.URLs, srv.CameraURL(i+1))
		}
	}
	if o.Milestone > 0 {
		site, err := StartMilestoneSim(simNames("Milestone", o.Milestone), o.Width, o.Height, o.FPS)
		if err != nil {
			return err
		}
		s.Site, s.closers = site, append(s.closers, site.Close)
		for _, name := range simNames("Milestone", o.Milestone) {
			s.MilestoneURLs = append(s.MilestoneURLs, site.URL(name))
		}
	}
	if o.RTSP > 0 {
		rs, err := StartRTSPSim(simNames("RTSP", o.RTSP), o.Width, o.Height, o.FPS)
		if err != nil {
			return err
		}
		s.closers = append(s.closers, rs.Close)
		for i := range o.RTSP {
			s.URLs = append(s.URLs, rs.URL(strconv.Itoa(i+1)))
		}
	}
	if o.PTZ > 0 {
		cams, err := StartPTZSim(o.PTZ, min(o.Width, 640), min(o.Height, 360), min(o.FPS, 10))
		if err != nil {
			return err
		}
		for _, c := range cams {
			s.closers = append(s.closers, c.Close)
			s.PTZ = append(s.PTZ, SimPTZ{c.URL(), c.StreamURL(), c.User(), c.Password()})
		}
	}
	return nil
}

// simNames are "KIND 1" … "KIND n".
func simNames(kind string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s %d", kind, i+1)
	}
	return names
}

// WriteJSON prints {"urls": […]} on one line, with "ptz" and "milestone" (its URLs,
// account and certificate fingerprint) when served: `vigil camsim --json`, which vigil
// bench reads.
func (s *Sims) WriteJSON(w io.Writer) error {
	out := map[string]any{"urls": s.URLs}
	if len(s.PTZ) > 0 {
		out["ptz"] = s.PTZ
	}
	if s.Site != nil {
		out["milestone"] = map[string]any{"urls": s.MilestoneURLs, "user": SimUser, "password": SimPassword, "fingerprint": s.Site.Fingerprint()}
	}
	return json.NewEncoder(w).Encode(out)
}

// Close stops the simulators, the last started first.
func (s *Sims) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}
