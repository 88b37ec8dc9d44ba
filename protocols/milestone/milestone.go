// Package milestone plays cameras of a Milestone XProtect site without Milestone's SDK:
// it logs in to the management server (SOAP, package soap), finds the camera and its
// recording server in the configuration, and streams from that recorder's Image Server
// (TCP 7563, package imageserver), renewing the login token before it expires and telling
// the open video socket with connectupdate. See the team's research/milestone.md.
package milestone

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/protocols/milestone/imageserver"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

// Source is one camera of a Milestone site, addressed as
// milestones://host[:port]/<camera name or GUID> (HTTPS to the management server) or
// milestone://… (plain HTTP, for labs). With no camera in the path it plays the first.
type Source struct {
	// URL is the milestone(s):// address; credentials in it are used when User is empty.
	URL string
	// User and Password of an XProtect Basic user.
	User, Password string
	// PinSHA256 accepts exactly the management server's certificate with this SHA-256
	// fingerprint (a self-signed one). Insecure learns the fingerprint on connect and
	// accepts it (`vigil probe --insecure`); Fingerprint then reports it.
	PinSHA256 string
	Insecure  bool
	// Pins, when set, gives the pinned fingerprint of a server (host:port) from the
	// settings' trust list: the management server's when PinSHA256 is empty, and each
	// TLS recording server's.
	Pins func(hostPort string) string
	// Width and Height, when set, ask the recorder for JPEGs of that size (it may ignore
	// them; the decoder then scales).
	Width, Height int
	// Dial opens TCP connections. It defaults to a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger defaults to slog.Default().
	Logger *slog.Logger

	mu           sync.Mutex
	cameras      []capture.ProbeCamera
	fingerprint  string
	hintW, hintH int
	resized      chan struct{} // signalled when the hint moved enough to ask again
}

// HintSize is part of capture.SizeHinter: the recorder is asked for JPEGs that fit this
// box (Width and Height, when set, take precedence). While streaming, a box more than a
// quarter larger or smaller than the one asked re-opens the video connection at the new
// size — a maximised tile gets a sharp picture — keeping the login; smaller changes wait
// for the next connection.
func (s *Source) HintSize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ow, oh := s.hintW, s.hintH
	s.hintW, s.hintH = w, h
	if s.resized != nil && ow > 0 && oh > 0 && (far(w, ow) || far(h, oh)) {
		select {
		case s.resized <- struct{}{}:
		default:
		}
	}
}

// far reports whether a and b differ by more than a quarter.
func far(a, b int) bool { return a*4 > b*5 || b*4 > a*5 }

// hint returns the size to ask the recorder for.
func (s *Source) hint() (int, int) {
	if s.Width > 0 && s.Height > 0 {
		return s.Width, s.Height
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hintW, s.hintH
}

// Cameras lists the site's cameras as the last Run found them (for `vigil probe`).
func (s *Source) Cameras() []capture.ProbeCamera {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cameras
}

// Fingerprint is the management server's certificate fingerprint learnt with Insecure.
func (s *Source) Fingerprint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fingerprint
}

// Run logs in, finds the camera, streams it until ctx ends or something fails, and logs
// out. It returns nil on cancel.
func (s *Source) Run(ctx context.Context, sink capture.Sink) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	mgmt, camera, user, pass, err := parseURL(s.URL)
	if err != nil {
		return err
	}
	if s.User != "" {
		user, pass = s.User, s.Password
	}
	pin := s.PinSHA256
	mgmtURL, _ := url.Parse(mgmt)
	if pin == "" && s.Pins != nil && mgmtURL.Scheme == "https" {
		pin = s.Pins(hostPort(mgmtURL, "443"))
	}
	if s.Insecure && pin == "" && mgmtURL.Scheme == "https" {
		fp, err := soap.FetchFingerprint(ctx, hostPort(mgmtURL, "443"), s.Dial)
		if err != nil {
			return cancelled(ctx, err)
		}
		pin = fp
		s.mu.Lock()
		s.fingerprint = fp
		s.mu.Unlock()
	}
	client, err := soap.NewClient(soap.Options{URL: mgmt, User: user, Password: pass, PinSHA256: pin, DialContext: s.Dial})
	if err != nil {
		return err
	}
	defer client.Close()

	var mu sync.Mutex
	var live *imageserver.Source
	session := soap.NewSession(client, soap.SessionOptions{Logger: log, OnToken: func(string) {
		mu.Lock()
		is := live
		mu.Unlock()
		if is != nil {
			if err := is.TokenRenewed(); err != nil {
				log.Warn("telling the recorder the renewed token failed", "component", "milestone", "err", err)
			}
		}
	}})
	if err := session.Start(ctx); err != nil {
		return cancelled(ctx, err)
	}
	defer session.Close()

	cfg, err := session.GetConfiguration(ctx)
	if err != nil {
		return cancelled(ctx, err)
	}
	var list []capture.ProbeCamera
	for _, c := range cfg.Cameras() {
		list = append(list, capture.ProbeCamera{Name: c.Name, ID: c.ID, Recorder: c.RecorderName})
	}
	s.mu.Lock()
	s.cameras = list
	s.mu.Unlock()
	if len(list) == 0 {
		return fmt.Errorf("%s lists no cameras for this user: check the user's role in XProtect: %w", client.Host(), capture.ErrNotFound)
	}
	if camera == "" {
		camera = list[0].ID
	}
	cam, ok := cfg.FindCamera(camera)
	if !ok {
		names := make([]string, 0, 5)
		for _, c := range list[:min(len(list), 5)] {
			names = append(names, c.Name)
		}
		return fmt.Errorf("%s has no camera %q (it has %s…): %w", client.Host(), camera, strings.Join(names, ", "), capture.ErrNotFound)
	}
	rec, ok := cfg.Recorder(cam.RecorderID)
	if !ok {
		return fmt.Errorf("camera %q: its recording server is not in the configuration: %w", cam.Name, capture.ErrNotFound)
	}
	addr, useTLS, err := rec.ImageServerAddr()
	if err != nil {
		return err
	}
	var tlsConf *tls.Config
	if useTLS {
		// A recording server's certificate is trusted like the management server's: by
		// its pinned fingerprint from the settings, else through the system's roots.
		var recPin string
		if s.Pins != nil {
			recPin = s.Pins(addr)
		}
		if tlsConf, err = soap.TLSConfig(addr, recPin); err != nil {
			return fmt.Errorf("recording server %s: %w", rec.Name, err)
		}
	}
	resized := make(chan struct{}, 1)
	s.mu.Lock()
	s.resized = resized
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.resized = nil
		s.mu.Unlock()
	}()
	for {
		w, h := s.hint()
		is := &imageserver.Source{Addr: addr, CameraGUID: cam.ID, Token: session.Token,
			Width: w, Height: h, Dial: s.Dial, Logger: log, TLSConfig: tlsConf}
		mu.Lock()
		live = is
		mu.Unlock()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- is.Run(runCtx, sink) }()
		select {
		case err := <-done:
			cancel()
			return err
		case <-resized:
			cancel()
			if err := <-done; err != nil || ctx.Err() != nil {
				return err
			}
			log.Debug("asking the recorder for a new picture size", "component", "milestone", "camera", cam.Name)
		}
	}
}

// parseURL splits milestone(s)://user:pass@host[:port]/camera into the management
// server's URL, the camera, and the credentials.
func parseURL(raw string) (mgmt, camera, user, pass string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", "", fmt.Errorf("%s is not a valid address: want milestones://host/<camera>", capture.RedactURL(raw))
	}
	scheme := "https"
	switch strings.ToLower(u.Scheme) {
	case "milestones":
	case "milestone":
		scheme = "http"
	default:
		return "", "", "", "", fmt.Errorf("%s: not a milestone(s):// address", capture.RedactURL(raw))
	}
	if u.Host == "" {
		return "", "", "", "", fmt.Errorf("%s: no server in the address", capture.RedactURL(raw))
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	return scheme + "://" + u.Host, strings.Trim(u.Path, "/"), user, pass, nil
}

func hostPort(u *url.URL, def string) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), def)
}

// cancelled turns an error caused by ctx ending into nil, as Source.Run promises.
func cancelled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

var (
	_ capture.Source     = (*Source)(nil)
	_ capture.SizeHinter = (*Source)(nil)
)
