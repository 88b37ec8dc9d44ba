// Package rcptest is a simulated Bosch PTZ camera on 127.0.0.1: /rcp.xml speaking RCP+
// CGI with Digest (or Basic, or no) authentication, recording every command it
// receives; a head that integrates pan, tilt and zoom over time from the continuous
// move it was given; presets in the 256 scene objects (or only the legacy OSRD form);
// and an MJPEG stream (/video.mjpg) and snapshot (/snap.jpg) whose picture is a crop of
// a generated panorama (a grid of numbered cells) that really follows the head.
package rcptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/vigil-cctv/vigil/capture"

	"github.com/vigil-cctv/vigil/internal/digest"
	"github.com/vigil-cctv/vigil/internal/trust"
)

// Auth selects the authentication /rcp.xml demands.
type Auth int

// Authentication kinds.
const (
	AuthDigest Auth = iota
	AuthBasic
	AuthNone
)

// Options configure a Camera; the zero value is a Digest-protected camera (user
// "service", password "secret") serving 320×240 at 10 fps.
type Options struct {
	Auth           Auth
	User, Password string
	// Name is the unit name 0x0019 answers ("Vigil PTZ" by default).
	Name string
	// Legacy refuses the scene form of presets (err 0x40), as old AUTODOMEs do, so only
	// the OSRD form works and presets cannot be listed.
	Legacy bool
	// Width, Height and FPS of the picture.
	Width, Height int
	FPS           float64
	// TLS serves https with a self-signed certificate (Fingerprint says what to pin).
	TLS bool
	// ProtectVideo asks for the same login on /video.mjpg and /snap.jpg.
	ProtectVideo bool
}

// Command is one /rcp.xml request the camera received.
type Command struct {
	At        time.Time
	Command   uint16
	Type      string
	Direction string
	Num       int
	// Payload is the payload's bytes (nil for a read).
	Payload []byte
}

// View is where the head points: the centre of the picture in panorama pixels and the
// zoom factor (1 wide … MaxZoom tele).
type View struct {
	X, Y, Zoom float64
}

// Head speeds at full nibble: pixels per second at zoom 1, and zoom factor e-folds per
// second.
const (
	MaxZoom      = 8
	panRate      = 900.0
	zoomRate     = 1.2
	viewW, viewH = 960.0, 720.0
	maxCommands  = 10000
)

// Camera is a running simulated camera.
type Camera struct {
	opts Options
	srv  *http.Server
	ln   net.Listener
	addr string
	cert tls.Certificate
	pano *image.RGBA
	done chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex
	view     View
	vel      [3]int // signed nibbles: pan (+right), tilt (+up), zoom (+in)
	at       time.Time
	presets  map[int]View
	commands []Command
	errCode  int
	nonces   map[string]bool
}

// Start serves a camera on 127.0.0.1 at a free port.
func Start(opts Options) (*Camera, error) {
	if opts.User == "" && opts.Auth != AuthNone {
		opts.User, opts.Password = "service", "secret"
	}
	if opts.Name == "" {
		opts.Name = "Vigil PTZ"
	}
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 320, 240
	}
	opts.FPS = capture.OrDefault(opts.FPS, 10)
	c := &Camera{opts: opts, pano: Panorama(), done: make(chan struct{}), nonces: map[string]bool{},
		view: View{X: PanoramaWidth / 2, Y: PanoramaHeight / 2, Zoom: 1}, at: time.Now()}
	c.presets = map[int]View{1: c.view, 2: {X: 500, Y: 400, Zoom: 2}, 3: {X: 1900, Y: 800, Zoom: 1.5}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("rcptest: listen: %w", err)
	}
	if opts.TLS {
		if c.cert, err = trust.SelfSigned("Vigil test Bosch camera"); err != nil {
			ln.Close()
			return nil, fmt.Errorf("rcptest: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{c.cert}, MinVersion: tls.VersionTLS12})
	}
	c.ln, c.addr = ln, ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/rcp.xml", c.serveRCP)
	mux.HandleFunc("/video.mjpg", c.serveVideo)
	mux.HandleFunc("/snap.jpg", c.serveSnap)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = c.srv.Serve(ln)
	}()
	return c, nil
}

// Close stops the server and every stream.
func (c *Camera) Close() {
	select {
	case <-c.done:
		return
	default:
	}
	close(c.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.srv.Shutdown(ctx)
	_ = c.srv.Close()
	c.wg.Wait()
}

// Addr is host:port.
func (c *Camera) Addr() string { return c.addr }

// URL is the camera's PTZ address without credentials (rcp:// or rcps://).
func (c *Camera) URL() string {
	if c.opts.TLS {
		return "rcps://" + c.addr + "/"
	}
	return "rcp://" + c.addr + "/"
}

func (c *Camera) httpBase() string {
	if c.opts.TLS {
		return "https://" + c.addr
	}
	return "http://" + c.addr
}

// StreamURL is the MJPEG stream; SnapshotURL the single JPEG.
func (c *Camera) StreamURL() string   { return c.httpBase() + "/video.mjpg" }
func (c *Camera) SnapshotURL() string { return c.httpBase() + "/snap.jpg" }

// Fingerprint is the TLS certificate's SHA-256 fingerprint ("" without TLS).
func (c *Camera) Fingerprint() string {
	if len(c.cert.Certificate) == 0 {
		return ""
	}
	leaf, err := x509.ParseCertificate(c.cert.Certificate[0])
	if err != nil {
		return ""
	}
	return trust.Fingerprint(leaf)
}

// User and Password are the camera's credentials.
func (c *Camera) User() string     { return c.opts.User }
func (c *Camera) Password() string { return c.opts.Password }

// Commands returns a copy of the commands received so far.
func (c *Camera) Commands() []Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Command(nil), c.commands...)
}

// View is where the head points now.
func (c *Camera) View() View {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(time.Now())
	return c.view
}

// Moving reports whether a continuous move is latched.
func (c *Camera) Moving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.vel != [3]int{}
}

// SetError makes every /rcp.xml command answer <err>code (0: answer normally again).
func (c *Camera) SetError(code int) {
	c.mu.Lock()
	c.errCode = code
	c.mu.Unlock()
}

// ExpireNonces forgets every Digest nonce handed out: the next request that answers one
// gets a 401 with stale=true, as a camera that rotates its nonces sends.
func (c *Camera) ExpireNonces() {
	c.mu.Lock()
	clear(c.nonces)
	c.mu.Unlock()
}

// advance integrates the head's move up to now. Called with mu held.
func (c *Camera) advance(now time.Time) {
	dt := now.Sub(c.at).Seconds()
	c.at = now
	if dt <= 0 {
		return
	}
	v := &c.view
	v.X += float64(c.vel[0]) / 15 * panRate / v.Zoom * dt
	v.Y -= float64(c.vel[1]) / 15 * panRate / v.Zoom * dt
	v.Zoom *= math.Exp(float64(c.vel[2]) / 7 * zoomRate * dt)
	v.Zoom = min(max(v.Zoom, 1), MaxZoom)
	v.X = math.Mod(v.X, PanoramaWidth)
	if v.X < 0 {
		v.X += PanoramaWidth
	}
	half := viewH / v.Zoom / 2
	v.Y = min(max(v.Y, half), PanoramaHeight-half)
}

// Picture renders what the camera sees now as a JPEG.
func (c *Camera) Picture() []byte {
	v := c.View()
	img := image.NewRGBA(image.Rect(0, 0, c.opts.Width, c.opts.Height))
	crop(img, c.pano, v.X, v.Y, viewW/v.Zoom, viewH/v.Zoom)
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}) // to memory: cannot fail
	return b.Bytes()
}

func (c *Camera) serveSnap(w http.ResponseWriter, r *http.Request) {
	if c.opts.ProtectVideo && !c.authorize(w, r) {
		return
	}
	p := c.Picture()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(p)))
	_, _ = w.Write(p)
}

func (c *Camera) serveVideo(w http.ResponseWriter, r *http.Request) {
	if c.opts.ProtectVideo && !c.authorize(w, r) {
		return
	}
	const boundary = "vigilptz"
	w.Header().Set("Content-Type", "multipart/x-mixed-replace;boundary="+boundary)
	w.Header().Set("Cache-Control", "no-cache")
	fl, _ := w.(http.Flusher)
	tick := time.NewTicker(time.Duration(float64(time.Second) / c.opts.FPS))
	defer tick.Stop()
	for {
		p := c.Picture()
		_, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %.3f\r\n\r\n",
			boundary, len(p), float64(time.Now().UnixMicro())/1e6)
		if err == nil {
			_, err = w.Write(append(p, '\r', '\n'))
		}
		if err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		}
	}
}

// authorize checks the request's login and answers 401 when it fails.
func (c *Camera) authorize(w http.ResponseWriter, r *http.Request) bool {
	got := r.Header.Get("Authorization")
	switch c.opts.Auth {
	case AuthNone:
		return true
	case AuthBasic:
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.opts.User+":"+c.opts.Password))
		if got == want {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Bosch"`)
	default:
		stale := false
		if v, ok := strings.CutPrefix(got, "Digest "); ok {
			ok, st := c.checkDigest(r.Method, digest.ParseAuthorization(v))
			if ok {
				return true
			}
			stale = st
		}
		var n [16]byte
		_, _ = rand.Read(n[:])
		nonce := hex.EncodeToString(n[:])
		c.mu.Lock()
		if len(c.nonces) > 1000 {
			clear(c.nonces)
		}
		c.nonces[nonce] = true
		c.mu.Unlock()
		h := fmt.Sprintf(`Digest realm="Bosch RCP+", qop="auth", algorithm=MD5, nonce="%s"`, nonce)
		if stale {
			h += ", stale=true"
		}
		w.Header().Set("WWW-Authenticate", h)
	}
	http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
	return false
}

// checkDigest verifies a qop=auth MD5 response to one of the camera's nonces; stale is a
// right answer to a nonce the camera forgot.
func (c *Camera) checkDigest(method string, p map[string]string) (ok, stale bool) {
	if p["username"] != c.opts.User || p["realm"] != "Bosch RCP+" || p["qop"] != "auth" {
		return false, false
	}
	want := digest.Response(p["algorithm"], c.opts.User, "Bosch RCP+", c.opts.Password, method, p["uri"], p["nonce"], p["nc"], p["cnonce"], "auth")
	if want != p["response"] {
		return false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.nonces[p["nonce"]] {
		return false, true
	}
	return true, false
}

// UTF16 encodes s as P_UNICODE bytes (UTF-16BE with a NUL terminator).
func UTF16(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return append(b, 0, 0)
}
