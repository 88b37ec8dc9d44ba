// Package rcp drives the pan-tilt-zoom head of Bosch cameras over RCP+ CGI (GET
// /rcp.xml on the camera's web server, research/bosch.md §1–§3): continuous moves with
// BiCom object 0x0110, presets with the 256 scene objects (the legacy OSRD form when the
// camera refuses those), and read-only device information. rcp://host[:port]/ speaks
// HTTP, rcps:// HTTPS trusted through internal/trust. Authentication (none, Basic or
// Digest) follows the camera's 401. Commands are serialised and at least MinGap apart:
// AUTODOMEs misbehave given commands closer than 100 ms (bosch.md §3.2).
package rcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// MinGap is the least time between two commands to one camera.
const MinGap = 100 * time.Millisecond

// RequestTimeout bounds one command when the caller's context has no sooner deadline.
const RequestTimeout = 5 * time.Second

// Controller is a capture.PTZ for one Bosch camera.
type Controller struct {
	base     string // http(s)://host:port
	hostport string
	host     string
	secure   bool
	num      int
	client   *http.Client
	log      *slog.Logger

	mu     sync.Mutex // serialises commands; guards the fields below
	auth   digest.Client
	last   time.Time
	legacy bool // the camera refused the scene form; presets use OSRD
}

// New makes the controller of rawURL (rcp:// or rcps://). Credentials come from s (the
// registry moves the URL's into it). The URL's query may say num=N for another video
// line (a MIC's thermal imager is 2).
func New(rawURL string, s capture.Settings) (*Controller, error) {
	u, err := capture.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if msg := checkURL(u); msg != "" {
		return nil, fmt.Errorf("%s: %s: %w", capture.RedactURL(rawURL), msg, capture.ErrBadURL)
	}
	c := &Controller{secure: u.Scheme == "rcps", host: u.Hostname(), num: 1, log: s.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	if n := u.Query().Get("num"); n != "" {
		c.num, _ = strconv.Atoi(n) // checkURL accepted it
	}
	port := u.Port()
	scheme := "http"
	if port == "" {
		port = "80"
	}
	if c.secure {
		scheme = "https"
		if u.Port() == "" {
			port = "443"
		}
	}
	c.hostport = net.JoinHostPort(c.host, port)
	c.base = scheme + "://" + c.hostport
	c.auth = digest.Client{User: s.User, Password: s.Password}
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: RequestTimeout}).DialContext,
		ResponseHeaderTimeout: RequestTimeout,
		MaxIdleConnsPerHost:   1,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	if c.secure {
		o := trust.Options{Host: c.hostport, ServerName: c.host, Insecure: s.Insecure, Seen: s.Seen, NextProtos: []string{"http/1.1"}}
		if s.Pins != nil {
			o.Pin = s.Pins(c.hostport)
		}
		conf, err := trust.Config(o)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = conf
	}
	c.client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c, nil
}

// checkURL is what an rcp(s):// URL must be beyond the registry's checks.
func checkURL(u *url.URL) string {
	if msg := capture.CheckHost(u); msg != "" {
		return msg
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "rcp.xml" {
		return "an RCP+ address names the camera only (want " + u.Scheme + "://HOST[:PORT]/)"
	}
	if n := u.Query().Get("num"); n != "" {
		if v, err := strconv.Atoi(n); err != nil || v < 1 || v > 255 {
			return "num must be a video line from 1 to 255"
		}
	}
	return ""
}

func (c *Controller) where() string { return c.hostport }

// command sends one /rcp.xml request and parses its answer; an <err> becomes an
// *ErrorCode. It waits for MinGap since the last command.
func (c *Controller) command(ctx context.Context, cmd uint16, typ, dir string, payload []byte) (Response, error) {
	q := "command=0x" + fmt.Sprintf("%04x", cmd) + "&type=" + typ + "&direction=" + dir + "&num=" + strconv.Itoa(c.num)
	if payload != nil {
		q += "&payload=0x" + fmt.Sprintf("%x", payload)
	}
	uri := "/rcp.xml?" + q
	c.mu.Lock()
	defer c.mu.Unlock()
	if wait := time.Until(c.last.Add(MinGap)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Response{}, ctx.Err()
		case <-t.C:
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, RequestTimeout)
		defer cancel()
	}
	body, err := c.roundTrip(ctx, uri)
	if err != nil {
		return Response{}, err
	}
	r, err := ParseResponse(body)
	if err != nil {
		return r, fmt.Errorf("%s: %w", c.where(), err)
	}
	if r.HasErr {
		return r, fmt.Errorf("%s: %w", c.where(), &ErrorCode{Code: r.Err, Command: cmd})
	}
	return r, nil
}

// roundTrip GETs uri, answering one 401 with the scheme the camera offers (and a stale
// Digest nonce once more). Called with mu held.
func (c *Controller) roundTrip(ctx context.Context, uri string) ([]byte, error) {
	sent := false
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+uri, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.where(), capture.ErrBadURL)
		}
		if h := c.auth.Header(http.MethodGet, uri); h != "" {
			req.Header.Set("Authorization", h)
			sent = true
		}
		c.last = time.Now()
		resp, err := c.client.Do(req)
		if err != nil {
			return nil, c.explainDial(err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: reading the answer: %w", c.where(), c.explainRead(err))
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			if len(body) > MaxResponseBytes {
				return nil, fmt.Errorf("%s: RCP+ answer over %d bytes: %w", c.where(), MaxResponseBytes, capture.ErrTooLarge)
			}
			return body, nil
		case resp.StatusCode == http.StatusUnauthorized:
			cs := digest.ParseChallenges(resp.Header.Values("Www-Authenticate"))
			stale := len(cs) > 0 && cs[0].Stale()
			if c.auth.User == "" {
				return nil, fmt.Errorf("%s: the camera wants a login: give the PTZ user and password (the camera's user or service account): %w", c.where(), capture.ErrUnauthorized)
			}
			if sent && !stale {
				return nil, fmt.Errorf("%s: the camera refused the login as %q (%s): wrong user or password: %w",
					c.where(), capture.CleanText(c.auth.User, 64), digest.SchemeName(c.auth.Scheme()), capture.ErrUnauthorized)
			}
			if !c.auth.Choose(cs) {
				return nil, fmt.Errorf("%s: the camera asks for a login Vigil cannot answer (%s): %w",
					c.where(), capture.CleanText(strings.Join(digest.Schemes(cs), ", "), 80), capture.ErrUnauthorized)
			}
			continue
		default:
			return nil, c.statusError(resp)
		}
	}
	return nil, fmt.Errorf("%s: the camera kept asking for a login: %w", c.where(), capture.ErrUnauthorized)
}

func (c *Controller) statusError(resp *http.Response) error {
	reason := capture.CleanText(resp.Status, 80)
	switch resp.StatusCode {
	case http.StatusForbidden:
		return fmt.Errorf("%s: %s: the account may not use RCP+; use the camera's user or service account: %w", c.where(), reason, capture.ErrForbidden)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %s: no /rcp.xml here; is this a Bosch camera, and the right port?: %w", c.where(), reason, capture.ErrNotFound)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return fmt.Errorf("%s: %s: the camera is busy; try again later: %w", c.where(), reason, capture.ErrBusy)
	}
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%s: %s: the camera's web server failed: %w", c.where(), reason, capture.ErrServerError)
	}
	return fmt.Errorf("%s: unexpected answer %s: %w", c.where(), reason, capture.ErrMalformed)
}

func (c *Controller) explainDial(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL; ours names host:port
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	e, ok := capture.ExplainDial(err, capture.DialPlace{Host: c.host, Where: c.hostport, Timeout: RequestTimeout,
		Listener: "the port number and that the camera's web server is enabled", Plain: "rcp://", Secure: "rcps://",
		TLSPrefix: "rcps camera"})
	if ok {
		return e
	}
	return fmt.Errorf("%s: %w", c.where(), err)
}

func (c *Controller) explainRead(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// bicomWrite sends a BiCom message; a reply-carrying one has its data returned.
func (c *Controller) bicomWrite(ctx context.Context, msg []byte) ([]byte, error) {
	r, err := c.command(ctx, cmdBiCom, "P_OCTET", "WRITE", msg)
	if err != nil || msg[0] == flagNoReply {
		return nil, err
	}
	b, err := r.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where(), err)
	}
	data, err := BiComData(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.where(), err)
	}
	return data, nil
}

// Move starts or replaces a continuous move (a zero v stops).
func (c *Controller) Move(ctx context.Context, v capture.Velocity) error {
	_, err := c.bicomWrite(ctx, movePayload(v))
	if err != nil {
		return fmt.Errorf("PTZ move (%s): %w", v.Clamp(), err)
	}
	return nil
}

// Stop sends the all-zero move.
func (c *Controller) Stop(ctx context.Context) error {
	if _, err := c.bicomWrite(ctx, movePayload(capture.Velocity{})); err != nil {
		return fmt.Errorf("PTZ stop: %w", err)
	}
	return nil
}

// StopBeforeTurn is false: an RCP+ move replaces the one before it (bosch.md §3.2), so
// a hold controller need not stop between moves in different directions.
func (c *Controller) StopBeforeTurn() bool { return false }

// Presets lists the defined scenes from the camera's bitmap.
func (c *Controller) Presets(ctx context.Context) ([]capture.Preset, error) {
	data, err := c.bicomWrite(ctx, listPayload())
	if err != nil {
		if isRefusal(err) {
			return nil, fmt.Errorf("listing presets: the camera keeps no list of its presets (recall and store by number 1–%d still work): %w: %w", MaxLegacyPresets, capture.ErrUnsupported, err)
		}
		return nil, fmt.Errorf("listing presets: %w", err)
	}
	if len(data) < 32 {
		return nil, fmt.Errorf("listing presets: %s: a list of %d bytes, want 32: %w", c.where(), len(data), capture.ErrMalformed)
	}
	return presetsFromBitmap(data[:32]), nil
}

// GotoPreset recalls preset id ("1"…"256").
func (c *Controller) GotoPreset(ctx context.Context, id string) error {
	return c.preset(ctx, id, false)
}

// StorePreset stores the current position as preset id; RCP+ keeps no names.
func (c *Controller) StorePreset(ctx context.Context, id, _ string) error {
	return c.preset(ctx, id, true)
}

// preset recalls or stores with the scene form, falling back to (and remembering) the
// legacy OSRD form when the camera refuses the scene form.
func (c *Controller) preset(ctx context.Context, id string, store bool) error {
	what := "recalling"
	act := byte(actRecall)
	if store {
		what, act = "storing", actStore
	}
	n, err := presetNumber(id, MaxPresets)
	if err != nil {
		return fmt.Errorf("%s a preset: %w", what, err)
	}
	c.mu.Lock()
	legacy := c.legacy
	c.mu.Unlock()
	if !legacy {
		_, err = c.bicomWrite(ctx, scenePayload(n, act))
		if err == nil || !isRefusal(err) || n > MaxLegacyPresets {
			if err != nil {
				return fmt.Errorf("%s preset %d: %w", what, n, err)
			}
			return nil
		}
		c.log.Info("rcp: the camera refused the scene form of presets; using the legacy OSRD form", "camera", c.hostport, "err", capture.CleanError(err))
	}
	if n > MaxLegacyPresets {
		return fmt.Errorf("%s preset %d: this camera holds presets 1–%d only: %w", what, n, MaxLegacyPresets, capture.ErrNotFound)
	}
	if _, err := c.bicomWrite(ctx, osrdPayload(n, store)); err != nil {
		return fmt.Errorf("%s preset %d: %w", what, n, err)
	}
	c.mu.Lock()
	c.legacy = true
	c.mu.Unlock()
	return nil
}

// Info reads the camera's name, firmware, hardware version and whether it has a PTZ
// head. Only the name read must succeed; the others fall back or stay empty.
func (c *Controller) Info(ctx context.Context) (capture.PTZInfo, error) {
	var info capture.PTZInfo
	r, err := c.command(ctx, cmdName, "P_UNICODE", "READ", nil)
	if err != nil {
		return info, fmt.Errorf("reading the camera's name: %w", err)
	}
	if info.Name, err = r.Unicode(); err != nil {
		return info, fmt.Errorf("reading the camera's name: %s: %w", c.where(), err)
	}
	for _, cmd := range []uint16{cmdFirmware, cmdSoftware} {
		if r, err := c.command(ctx, cmd, "P_STRING", "READ", nil); err == nil {
			info.Firmware = capture.CleanText(r.Str, 80)
			break
		} else if !isRefusal(err) {
			return info, fmt.Errorf("reading the firmware version: %w", err)
		}
	}
	if r, err := c.command(ctx, cmdHardware, "P_STRING", "READ", nil); err == nil {
		info.Model = capture.CleanText(r.Str, 80)
	} else if !isRefusal(err) {
		return info, fmt.Errorf("reading the hardware version: %w", err)
	}
	r, err = c.command(ctx, cmdPTZ, "F_FLAG", "READ", nil)
	switch {
	case err == nil:
		if info.PTZ, err = r.Flag(); err != nil {
			return info, fmt.Errorf("reading whether the camera has PTZ: %s: %w", c.where(), err)
		}
	case !isRefusal(err):
		return info, fmt.Errorf("reading whether the camera has PTZ: %w", err)
	}
	if info.PTZ {
		info.Presets = MaxPresets
	}
	return info, nil
}

// Close drops idle connections. It does not stop a move.
func (c *Controller) Close() error {
	c.client.CloseIdleConnections()
	return nil
}
