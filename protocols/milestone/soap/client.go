package soap

import (
	"context"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	gsoap "github.com/hooklift/gowsdl/soap"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/servercommand"
	"github.com/vigil-cctv/vigil/protocols/milestone/soap/wire"
)

// ServicePath is where XProtect serves ServerCommandService for Basic users (milestone.md §1.1).
const ServicePath = "/ManagementServer/ServerCommandService.svc"

// Options configure a Client.
type Options struct {
	// URL of the management server: "https://host[:port]" (the service path is added when the
	// URL has none) or the full service URL. "http://" is for labs only: the password then
	// crosses the network in the clear. Credentials in the URL are refused; use User/Password.
	URL string
	// User and Password of an XProtect Basic user, sent as HTTP Basic auth (milestone.md §1.2).
	User, Password string
	// PinSHA256, when set, accepts the server's certificate by its SHA-256 fingerprint in
	// any hex form (a self-signed one), besides one RootCAs vouch for (package trust).
	PinSHA256 string
	// RootCAs are the authorities that may vouch for the server. They default to the
	// system's roots.
	RootCAs *x509.CertPool
	// Timeout bounds each call. It defaults to 30 s.
	Timeout time.Duration
	// MaxResponseBytes caps a response body; beyond it a call fails with an error wrapping
	// capture.ErrTooLarge. It defaults to 8 MiB.
	MaxResponseBytes int64
	// DialContext dials TCP; tests inject one. It defaults to a net.Dialer with a 10 s timeout.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client calls ServerCommandService. It is safe for concurrent use; connections are kept
// alive between calls. Close releases idle connections.
type Client struct {
	opts   Options
	url    *url.URL
	host   string
	httpc  *http.Client
	tr     *http.Transport
	soap   *gsoap.Client
	ns     string // the namespace of the service's elements
	action string // the SOAPAction of an operation is action + its name
	name   string // the service's name, for messages
}

// NewClient validates o and builds a Client. It does not touch the network.
func NewClient(o Options) (*Client, error) {
	return newClient(o, ServicePath, "ServerCommandService", "management server", "http://videoos.net/2/XProtectCSServerCommand", "/IServerCommandService/")
}

// newClient builds the HTTP side shared by the management server's and the recorders'
// services: keep-alive transport, pinning, the response cap and fault decoding; ns is the
// service's namespace and ns+action its SOAPAction prefix (from its WSDL).
func newClient(o Options, path, name, server, ns, action string) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("milestone %s address %q: want https://host[:port]", server, capture.RedactURL(o.URL))
	}
	if u.User != nil {
		return nil, fmt.Errorf("milestone %s address %s: put the user and password in their own fields, not in the URL", server, capture.RedactURL(o.URL))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = path
	}
	o.Timeout = capture.OrDefault(o.Timeout, 30*time.Second)
	o.MaxResponseBytes = capture.OrDefault(o.MaxResponseBytes, 8<<20)
	if o.DialContext == nil {
		o.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	c := &Client{opts: o, url: u, host: u.Host, name: name, ns: ns, action: ns + action}
	tc, err := trust.Config(trust.Options{Host: u.Host, ServerName: u.Hostname(), Pin: o.PinSHA256, Roots: o.RootCAs})
	if err != nil {
		return nil, fmt.Errorf("milestone %s %s: %w", server, u.Host, err)
	}
	c.tr = &http.Transport{
		DialContext:           o.DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          4,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 0, // the per-call context bounds it
		DisableCompression:    true,
	}
	c.httpc = &http.Client{Transport: c.tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // never replay Basic credentials to another address
	}}
	c.soap = gsoap.NewClient(u.String(), gsoap.WithHTTPClient(doer{c}))
	return c, nil
}

// callOp calls the operation op of c's service with the arguments req (in a wire.Request
// named op, in the service's namespace) and decodes the answer into a new Resp: the one
// SOAP call of both services (its SOAPAction is c.action + op), explained by call. A
// wire.Response or wire.Ack answer must be the element <opResponse>, as the decoder
// checks a tagged one.
func callOp[Resp any](ctx context.Context, c *Client, op string, req any) (*Resp, error) {
	body := wire.Request{Name: xml.Name{Space: c.ns, Local: op}, Args: req}
	resp := new(Resp)
	err := c.call(ctx, op, func(ctx context.Context) error {
		if err := c.soap.CallContext(ctx, c.action+op, body, resp); err != nil {
			return err
		}
		if ack, ok := any(resp).(interface{ Check(xml.Name) error }); ok {
			return ack.Check(xml.Name{Space: c.ns, Local: op + "Response"})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Host is the management server's host:port, fit for messages.
func (c *Client) Host() string { return c.host }

// Close drops idle connections.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// LoginInfo is the result of Login (milestone.md §1.3).
type LoginInfo struct {
	Token            string        // XProtect token: a secret, never log or show it
	RegistrationTime time.Time     // when the server issued it (zero if unparseable)
	TimeToLive       time.Duration // lifetime from RegistrationTime
	Limited          bool          // TimeToLiveLimited
}

// Login logs in (currentToken "") or renews (currentToken = the previous token, with the same
// instanceID, milestone.md §1.4).
func (c *Client) Login(ctx context.Context, instanceID, currentToken string) (LoginInfo, error) {
	id := wire.Guid(instanceID)
	resp, err := callOp[wire.Response[servercommand.LoginInfo]](ctx, c, "Login", &servercommand.Instance{InstanceId: &id, CurrentToken: currentToken})
	if err != nil {
		return LoginInfo{}, err
	}
	r := resp.Result
	if r == nil || r.Token == "" {
		return LoginInfo{}, fmt.Errorf("milestone Login at %s: the answer holds no token: %w", c.host, capture.ErrMalformed)
	}
	li := LoginInfo{Token: r.Token, Limited: r.TimeToLiveLimited}
	if r.TimeToLive != nil {
		li.TimeToLive = time.Duration(r.TimeToLive.MicroSeconds) * time.Microsecond
	}
	if li.TimeToLive <= 0 {
		return LoginInfo{}, fmt.Errorf("milestone Login at %s: TimeToLive %d µs is not usable: %w", c.host, li.TimeToLive.Microseconds(), capture.ErrMalformed)
	}
	li.RegistrationTime, _ = time.Parse(time.RFC3339Nano, strings.TrimSpace(r.RegistrationTime))
	return li, nil
}

// Logout ends the login of instanceID.
func (c *Client) Logout(ctx context.Context, instanceID, token string) error {
	id := wire.Guid(instanceID)
	_, err := callOp[wire.Ack](ctx, c, "Logout", &servercommand.Instance{InstanceId: &id, CurrentToken: token})
	return err
}

// GetConfiguration reads the site's recorders and cameras (milestone.md §1.5).
func (c *Client) GetConfiguration(ctx context.Context, token string) (*Configuration, error) {
	resp, err := callOp[wire.Response[servercommand.ConfigurationInfo]](ctx, c, "GetConfiguration", &servercommand.GetConfiguration{Token: token})
	if err != nil {
		return nil, err
	}
	if resp.Result == nil {
		return nil, fmt.Errorf("milestone GetConfiguration at %s: empty answer: %w", c.host, capture.ErrMalformed)
	}
	return convertConfiguration(resp.Result), nil
}

// QueryRecorderInfo reads one recorder and its cameras: lighter than GetConfiguration on a
// large site.
func (c *Client) QueryRecorderInfo(ctx context.Context, token, recorderID string) (Recorder, error) {
	id := wire.Guid(recorderID)
	resp, err := callOp[wire.Response[servercommand.RecorderInfo]](ctx, c, "QueryRecorderInfo", &servercommand.QueryRecorderInfo{Token: token, RecorderId: &id})
	if err != nil {
		return Recorder{}, err
	}
	if resp.Result == nil {
		return Recorder{}, fmt.Errorf("milestone QueryRecorderInfo at %s: empty answer: %w", c.host, capture.ErrMalformed)
	}
	return convertRecorder(resp.Result), nil
}

// call runs one generated call under the per-call timeout and turns what comes back into
// an error that says what failed and where, without secrets.
func (c *Client) call(ctx context.Context, op string, fn func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	err := fn(withOp(cctx, op))
	if err == nil {
		return nil
	}
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	var sf *gsoap.SOAPFault
	if errors.As(err, &sf) { // a fault sent with HTTP 200
		return &Fault{Op: op, Host: c.host, HTTPStatus: http.StatusOK, Code: clip(RedactTokens(sf.Code)), String: clip(RedactTokens(sf.String))}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message repeats the URL; ours names the host once
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("milestone %s at %s: %w", op, c.host, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded) || cctx.Err() == context.DeadlineExceeded:
		return &capture.Error{Kind: context.DeadlineExceeded, Op: "milestone " + op, Where: c.host,
			What: fmt.Sprintf("no answer within %v", c.opts.Timeout), Hint: "check the address and that the management server is running"}
	}
	var ce *trust.CertError
	if errors.As(err, &ce) {
		return fmt.Errorf("milestone %s: %w", op, ce)
	}
	if errors.Is(err, capture.ErrTooLarge) || errors.Is(err, capture.ErrUnauthorized) || errors.Is(err, capture.ErrNotFound) ||
		errors.Is(err, capture.ErrForbidden) || errors.Is(err, capture.ErrBusy) || errors.Is(err, capture.ErrServerError) {
		return wrapMsg(err) // the doer's errors already say what and where
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) || strings.Contains(err.Error(), "expected element") {
		return fmt.Errorf("milestone %s at %s: the answer is not the expected SOAP message (%v): %w", op, c.host, wrapMsg(err), capture.ErrMalformed)
	}
	return fmt.Errorf("milestone %s at %s: %w", op, c.host, wrapMsg(err))
}

// wrapMsg keeps err wrapped while scrubbing any token from its text.
func wrapMsg(err error) error {
	if s := err.Error(); tokenRE.MatchString(s) {
		return &redactedError{msg: RedactTokens(s), err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

type opKey struct{}

func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

// doer is the soap.HTTPClient given to gowsdl. It undoes gowsdl v0.5.0's `Connection: close`,
// adds Basic auth, caps the response, and turns non-2xx answers into typed errors before
// gowsdl sees them (deps.md §5).
type doer struct{ c *Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	c := d.c
	op, _ := req.Context().Value(opKey{}).(string)
	req.Close = false
	req.Header.Del("Connection")
	req.Header.Set("User-Agent", "vigil")
	if c.opts.User != "" || c.opts.Password != "" {
		req.SetBasicAuth(c.opts.User, c.opts.Password)
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return nil, err
	}
	max := c.opts.MaxResponseBytes
	if resp.ContentLength > max {
		resp.Body.Close()
		return nil, fmt.Errorf("milestone %s at %s: answer of %d bytes is over the %d-byte limit: %w", op, c.host, resp.ContentLength, max, capture.ErrTooLarge)
	}
	body := &cappedBody{rc: resp.Body, left: max, op: op, host: c.host, max: max}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		resp.Body = body
		return resp, nil
	}
	defer body.Close()
	e := &capture.Error{Kind: capture.StatusError(resp.StatusCode), Op: "milestone " + op, Where: c.host, Status: resp.StatusCode,
		Text: http.StatusText(resp.StatusCode)}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Kind, e.What = capture.ErrUnauthorized, "wrong user or password"
		e.Hint = "give an XProtect Basic user and its password (Windows users are not supported yet)"
		return nil, e
	case http.StatusForbidden:
		e.What = "the server refuses this user (wrong user or password, or a role that may not log in)"
		e.Hint = "give an XProtect Basic user whose role may log in"
		return nil, e
	}
	raw, rerr := io.ReadAll(body)
	if rerr != nil && errors.Is(rerr, capture.ErrTooLarge) {
		return nil, rerr
	}
	if f, ok := ParseFault(raw); ok {
		f.Op, f.Host, f.HTTPStatus = op, c.host, resp.StatusCode
		return nil, f
	}
	if resp.StatusCode == http.StatusNotFound {
		e.What = fmt.Sprintf("no %s at %s", c.name, c.url.Path)
		e.Hint = "check the address (is this an XProtect server of version 2019 or later?)"
	}
	return nil, e
}

// cappedBody fails with capture.ErrTooLarge once more than max bytes arrive, and drains a
// little on Close so the connection can be reused.
type cappedBody struct {
	rc       io.ReadCloser
	left     int64
	max      int64
	op, host string
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	return n, err
}

func (b *cappedBody) tooLarge() error {
	return fmt.Errorf("milestone %s at %s: answer is over the %d-byte limit: %w", b.op, b.host, b.max, capture.ErrTooLarge)
}

func (b *cappedBody) Close() error {
	if b.left >= 0 {
		io.CopyN(io.Discard, b.rc, 64<<10)
	}
	return b.rc.Close()
}
