package milestone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap"
)

// DiscoverOptions says which site to list and how to trust it.
type DiscoverOptions struct {
	// URL is the management server: milestones://host[:port] or milestone://host.
	URL            string
	User, Password string
	// PinSHA256 accepts exactly the management server's certificate with this
	// fingerprint; Pins gives pinned fingerprints by host:port (the settings' trust list),
	// for the management server when PinSHA256 is empty and for TLS recording servers.
	PinSHA256 string
	Pins      func(hostPort string) string
	// Dial opens TCP connections. It defaults to a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Site is what a login showed of a Milestone site: its recording servers and cameras.
type Site struct {
	// Host is the management server's host:port, as pinned in the trust list.
	Host string
	// ServerName is the management server's name from its configuration.
	ServerName string
	Recorders  []SiteRecorder
}

// SiteRecorder is one recording server and its cameras.
type SiteRecorder struct {
	ID, Name string
	// Addr is the Image Server's host:port; TLS when the recorder's WebServerUri is https.
	Addr string
	TLS  bool
	// Untrusted is the fingerprint of a TLS recorder's certificate that neither a pin nor
	// the system's authorities vouch for: the user must accept it before its video plays.
	// Empty for a trusted or plain recorder.
	Untrusted string
	// CertErr says why an untrusted certificate was refused (or why it could not be read).
	CertErr error
	Cameras []SiteCamera
}

// SiteCamera is one camera of a recording server.
type SiteCamera struct {
	ID, Name string
}

// CameraURL is the address that plays this camera: the site's URL with the camera's
// GUID as the path (a GUID survives a rename in XProtect).
func CameraURL(siteURL, cameraID string) string {
	return strings.TrimRight(siteURL, "/") + "/" + url.PathEscape(cameraID)
}

// Discover logs in to a site, reads its configuration and logs out. A management server
// whose certificate is not trusted fails with an error wrapping *trust.CertError (its
// Fingerprint is what to show the user); TLS recording servers are checked too, and the
// untrusted ones reported in Site.Recorders rather than failing the whole site.
func Discover(ctx context.Context, o DiscoverOptions) (*Site, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	mgmt, _, user, pass, err := parseURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.User != "" {
		user, pass = o.User, o.Password
	}
	mgmtURL, _ := url.Parse(mgmt)
	site := &Site{Host: hostPort(mgmtURL, map[string]string{"https": "443", "http": "80"}[mgmtURL.Scheme])}
	pin := o.PinSHA256
	if pin == "" && o.Pins != nil && mgmtURL.Scheme == "https" {
		pin = o.Pins(site.Host)
	}
	client, err := soap.NewClient(soap.Options{URL: mgmt, User: user, Password: pass, PinSHA256: pin, DialContext: o.Dial})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	session := soap.NewSession(client, soap.SessionOptions{Logger: log})
	if err := session.Start(ctx); err != nil {
		return nil, err
	}
	defer session.Close()
	cfg, err := session.GetConfiguration(ctx)
	if err != nil {
		return nil, err
	}
	// Names go on screen (the sidebar, saved camera names): text from the server, cleaned.
	site.ServerName = capture.CleanText(cfg.ServerName, capture.MaxFieldText)
	for _, r := range cfg.Recorders {
		sr := SiteRecorder{ID: r.ID, Name: capture.CleanText(r.Name, capture.MaxFieldText)}
		sr.Addr, sr.TLS, err = r.ImageServerAddr()
		if err != nil {
			sr.CertErr = err
		} else if sr.TLS {
			sr.Untrusted, sr.CertErr = checkRecorderCert(ctx, sr.Addr, o)
		}
		for _, c := range r.Cameras {
			sr.Cameras = append(sr.Cameras, SiteCamera{ID: c.ID, Name: capture.CleanText(c.Name, capture.MaxFieldText)})
		}
		site.Recorders = append(site.Recorders, sr)
	}
	return site, nil
}

// checkRecorderCert handshakes with a TLS recorder as the video connection will: by its
// pin, else the system's authorities. It returns the presented fingerprint when that
// fails on the certificate, or the error when the recorder could not be reached.
func checkRecorderCert(ctx context.Context, addr string, o DiscoverOptions) (untrusted string, err error) {
	var pin string
	if o.Pins != nil {
		pin = o.Pins(addr)
	}
	conf, err := trust.Config(trust.Options{Host: addr, Pin: pin})
	if err != nil {
		return "", err
	}
	dial := o.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("recording server %s: %w", addr, err)
	}
	defer raw.Close()
	conn := tls.Client(raw, conf)
	err = conn.HandshakeContext(ctx)
	if err == nil {
		return "", nil
	}
	var ce *trust.CertError
	if errors.As(err, &ce) {
		return ce.Fingerprint, ce
	}
	return "", fmt.Errorf("recording server %s: tls: %w", addr, err)
}

// Cameras flattens a site into probe-style camera entries.
func (s *Site) Cameras() []capture.ProbeCamera {
	var out []capture.ProbeCamera
	for _, r := range s.Recorders {
		for _, c := range r.Cameras {
			out = append(out, capture.ProbeCamera{Name: c.Name, ID: c.ID, Recorder: r.Name})
		}
	}
	return out
}
