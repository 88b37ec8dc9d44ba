package onvif

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// DevicePath is the device service's path when an onvif:// URL names none (the ONVIF
// core specification's fixed entry point).
const DevicePath = "/onvif/device_service"

// CallTimeout bounds one SOAP call.
const CallTimeout = 10 * time.Second

// Client calls one camera's ONVIF services. It asks the camera's clock first, without
// credentials, and signs every later request (WS-Security UsernameToken, PasswordDigest)
// with the camera's time: a camera whose clock is off refuses tokens created by ours.
// Service addresses come from GetCapabilities; their paths are used on the host the user
// gave (a camera behind NAT reports its inside address). Safe for concurrent use.
type Client struct {
	base      *url.URL // http(s)://host:port, the device service's scheme and host
	device    string   // the device service's path
	user      string
	pass      string
	http      *http.Client
	transport *http.Transport

	mu       sync.Mutex
	ready    bool
	offset   time.Duration // camera clock − local clock
	svc      servicePaths
	httpAuth *digest.Client // set once the camera asked for HTTP authentication
	// now is the local clock (tests).
	now func() time.Time
}

// ClientOptions configure a Client.
type ClientOptions struct {
	User, Password string
	Insecure       bool
	Pins           func(hostPort string) string
	Seen           func(fingerprint string)
}

// NewClient makes a Client for an onvif:// or onvifs:// URL (credentials in it are
// ignored: pass them in o). It does not touch the network.
func NewClient(rawURL string, o ClientOptions) (*Client, error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	scheme := map[string]string{"onvif": "http", "onvifs": "https", "http": "http", "https": "https"}[strings.ToLower(u.Scheme)]
	if scheme == "" {
		return nil, fmt.Errorf("%s: not an onvif:// or onvifs:// URL: %w", capture.RedactURL(rawURL), capture.ErrBadURL)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%s: missing host (want onvif://HOST[:PORT]/): %w", capture.RedactURL(rawURL), capture.ErrBadURL)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	c := &Client{base: &url.URL{Scheme: scheme, Host: host}, device: u.Path, user: o.User, pass: o.Password, now: time.Now}
	if c.device == "" || c.device == "/" {
		c.device = DevicePath
	}
	c.transport = &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: CallTimeout}).DialContext,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: CallTimeout,
	}
	if scheme == "https" {
		to := trust.Options{Host: host, ServerName: u.Hostname(), Insecure: o.Insecure, Seen: o.Seen}
		if o.Pins != nil {
			to.Pin = o.Pins(host)
		}
		tc, err := trust.Config(to)
		if err != nil {
			return nil, err
		}
		c.transport.TLSClientConfig = tc
	}
	c.http = &http.Client{Transport: c.transport, Timeout: CallTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c, nil
}

// Host is the camera's host:port.
func (c *Client) Host() string { return c.base.Host }

// Close drops idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// ClockOffset is the camera's clock minus ours, as last read.
func (c *Client) ClockOffset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// connect reads the camera's clock and its service addresses, once.
func (c *Client) connect(ctx context.Context) error {
	c.mu.Lock()
	ready := c.ready
	c.mu.Unlock()
	if ready {
		return nil
	}
	if err := c.SyncClock(ctx); err != nil {
		return err
	}
	media, ptz, err := c.services(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.svc = servicePaths{media: c.servicePath(media), ptz: c.servicePath(ptz)}
	c.ready = true
	return nil
}

// services finds the media and PTZ service addresses: GetCapabilities, which every
// Profile S camera answers, else GetServices (newer cameras that dropped the former).
func (c *Client) services(ctx context.Context) (media, ptz string, err error) {
	caps, err := call[capabilitiesResponse](ctx, c, c.device, getCapabilities{Category: "All"}, true)
	if err == nil {
		return caps.Media, caps.PTZ, nil
	}
	var f *Fault
	if !errors.As(err, &f) || errors.Is(err, capture.ErrUnauthorized) {
		return "", "", err
	}
	svcs, err2 := call[servicesResponse](ctx, c, c.device, getServices{}, true)
	if err2 != nil {
		return "", "", err // the first refusal explains more
	}
	for _, s := range svcs.Services[:min(len(svcs.Services), maxItems)] {
		switch strings.TrimSpace(s.Namespace) {
		case nsMedia:
			media = s.XAddr
		case nsPTZ:
			ptz = s.XAddr
		}
	}
	return media, ptz, nil
}

// SyncClock asks the camera's time (unauthenticated, as ONVIF allows) and keeps its
// offset from ours for signing. A camera that will not tell its time leaves the offset
// at zero: signing then relies on its clock being right.
func (c *Client) SyncClock(ctx context.Context) error {
	t0 := c.now()
	r, err := call[systemDateAndTimeResponse](ctx, c, c.device, getSystemDateAndTime{}, false)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) || errors.Is(err, capture.ErrUnauthorized) {
			return nil // answered, but not its time: sign with ours
		}
		return err
	}
	cam, err := r.cameraTime()
	if err != nil {
		return nil
	}
	t1 := c.now()
	mid := t0.Add(t1.Sub(t0) / 2)
	c.mu.Lock()
	c.offset = cam.Sub(mid.Truncate(time.Second))
	c.mu.Unlock()
	return nil
}

// servicePath is the path (and query) of a service address the camera reported, used
// on the host the user gave; "" when it reported none.
func (c *Client) servicePath(xaddr string) string {
	xaddr = strings.TrimSpace(xaddr)
	if xaddr == "" {
		return ""
	}
	u, err := url.Parse(xaddr)
	if err != nil || u.Path == "" {
		return ""
	}
	return u.RequestURI()
}

// call sends op to the service at path and decodes the answer into T; signed says
// whether the request carries the WS-Security token.
func call[T any](ctx context.Context, c *Client, path string, op any, signed bool) (*T, error) {
	_, name := opName(op)
	body, err := c.post(ctx, path, op, name, signed)
	if err != nil {
		return nil, err
	}
	return parseResponse[T](name, body)
}

// post sends one request and returns the body of a 200 answer or of a SOAP fault.
func (c *Client) post(ctx context.Context, path string, op any, name string, signed bool) ([]byte, error) {
	target := c.base.ResolveReference(&url.URL{Path: path})
	if i := strings.IndexByte(path, '?'); i >= 0 {
		target = c.base.ResolveReference(&url.URL{Path: path[:i], RawQuery: path[i+1:]})
	}
	for attempt := 0; ; attempt++ {
		req, err := c.request(ctx, target, op, signed)
		if err != nil {
			return nil, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, c.explainDial(err)
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		resp.Body.Close()
		if rerr != nil {
			return nil, fmt.Errorf("reading the camera's answer to %s: %w", name, c.explainReadErr(rerr))
		}
		if len(body) > MaxResponseBytes {
			return nil, fmt.Errorf("the camera's answer to %s is over %d bytes: %w", name, MaxResponseBytes, capture.ErrTooLarge)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			return body, nil
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0 && c.chooseHTTPAuth(resp.Header.Values("WWW-Authenticate")):
			continue // the camera wants HTTP authentication as well (some do instead of WS-Security)
		case bytes.Contains(body, []byte("Fault")):
			if _, err := parseResponse[emptyResponse](name, body); err != nil {
				return nil, err
			}
		}
		return nil, httpError(name, resp.StatusCode, resp.Status)
	}
}

func (c *Client) request(ctx context.Context, target *url.URL, op any, signed bool) (*http.Request, error) {
	user := ""
	if signed {
		user = c.user
	}
	rawNonce := make([]byte, 16)
	if _, err := rand.Read(rawNonce); err != nil {
		return nil, err
	}
	c.mu.Lock()
	now := c.now().Add(c.offset)
	auth := c.httpAuth
	c.mu.Unlock()
	b, err := marshalRequest(op, user, c.pass, now, rawNonce)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+action(op)+`"`)
	if auth != nil && signed {
		c.mu.Lock()
		req.Header.Set("Authorization", auth.Header(http.MethodPost, target.RequestURI()))
		c.mu.Unlock()
	}
	return req, nil
}

// chooseHTTPAuth takes a 401's challenges; false when none is usable or it was
// already answered with the same credentials.
func (c *Client) chooseHTTPAuth(values []string) bool {
	if c.user == "" {
		return false
	}
	a := &digest.Client{User: c.user, Password: c.pass}
	if !a.Choose(digest.ParseChallenges(values)) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.httpAuth = a
	return true
}

func httpError(op string, code int, status string) error {
	status = capture.CleanText(status, capture.MaxFieldText)
	switch {
	case code == http.StatusUnauthorized:
		return fmt.Errorf("the camera refused %s (HTTP %s): wrong user or password; check the camera's ONVIF user: %w", op, status, capture.ErrUnauthorized)
	case code == http.StatusForbidden:
		return fmt.Errorf("the camera refused %s (HTTP %s): this user may not do that: %w", op, status, capture.ErrForbidden)
	case code == http.StatusNotFound:
		return fmt.Errorf("the camera has no ONVIF service there (HTTP %s for %s); check the ONVIF address and that ONVIF is enabled on the camera: %w", status, op, capture.ErrNotFound)
	case code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests:
		return fmt.Errorf("the camera is busy (HTTP %s for %s); try again in a moment: %w", status, op, capture.ErrBusy)
	case code >= 500:
		return fmt.Errorf("the camera failed %s (HTTP %s): %w", op, status, capture.ErrServerError)
	}
	return fmt.Errorf("the camera answered %s with HTTP %s: %w", op, status, capture.ErrMalformed)
}

func (c *Client) place() capture.DialPlace {
	return capture.DialPlace{Host: c.base.Hostname(), Where: c.base.Host, Timeout: CallTimeout,
		Listener: "the ONVIF port (usually 80) and that ONVIF is enabled on the camera",
		Plain:    "onvif://", Secure: "onvifs://", Op: "ONVIF camera"}
}

func (c *Client) explainDial(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error quotes the URL; ours has no credentials but the text is long
	}
	if capture.Classify(err) != capture.CauseOther { // a failure to reach the camera
		return capture.DialError(err, c.place())
	}
	return fmt.Errorf("ONVIF request to %s failed: %w", c.base.Host, err)
}

func (c *Client) explainReadErr(err error) error {
	if capture.Classify(err) != capture.CauseOther {
		return capture.DialError(err, c.place())
	}
	return err
}
