package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/vigil-cctv/vigil/config"
	"github.com/vigil-cctv/vigil/internal/trust"
	"github.com/vigil-cctv/vigil/protocols/milestone"
	"github.com/vigil-cctv/vigil/ui"
)

// pinStore is the settings' trust list as the sources read it: from their own goroutines,
// while the UI goroutine may add a pin. Sources look a pin up on every connection, so a
// certificate accepted in the connect dialog applies from the next one.
type pinStore struct {
	mu  sync.RWMutex
	cfg config.Config // only Trust is set
}

func newPinStore(trust []config.Trusted) *pinStore {
	return &pinStore{cfg: config.Config{Trust: slices.Clone(trust)}}
}

// Pin returns the pinned fingerprint of hostPort, or "".
func (p *pinStore) Pin(hostPort string) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.cfg.Pin(hostPort)
}

func (p *pinStore) set(trust []config.Trusted) {
	p.mu.Lock()
	p.cfg.Trust = slices.Clone(trust)
	p.mu.Unlock()
}

// connectSite logs in to a site for the connect dialog and the sidebar, trusting the
// management server by pin (just accepted), else by the trust list.
func connectSite(ctx context.Context, site config.Site, pin string, pins func(string) string, log *slog.Logger) (*ui.SiteView, error) {
	s, err := milestone.Discover(ctx, milestone.DiscoverOptions{URL: site.URL, User: site.User, Password: site.Password,
		PinSHA256: pin, Pins: pins, Logger: log})
	var ce *trust.CertError
	if errors.As(err, &ce) {
		return nil, &ui.UntrustedCertError{Host: ce.Host, Fingerprint: ce.Fingerprint, Pinned: ce.Pinned}
	}
	if err != nil {
		return nil, err
	}
	v := &ui.SiteView{Site: site, Host: s.Host}
	for _, r := range s.Recorders {
		rv := ui.RecorderView{Name: r.Name, Addr: r.Addr, Untrusted: r.Untrusted}
		for _, c := range r.Cameras {
			rv.Cameras = append(rv.Cameras, ui.SiteCamera{Name: c.Name, URL: milestone.CameraURL(site.URL, c.ID)})
		}
		v.Recorders = append(v.Recorders, rv)
	}
	return v, nil
}

// siteConnected saves a site the user connected to, and the certificates accepted on
// the way (UI goroutine).
func (ws *wallSettings) siteConnected(v *ui.SiteView, trust []config.Trusted) error {
	next := *ws.cfg
	next.Sites = slices.Clone(ws.cfg.Sites)
	next.Trust = slices.Clone(ws.cfg.Trust)
	site := v.Site
	i := slices.IndexFunc(next.Sites, func(s config.Site) bool { return strings.EqualFold(s.URL, site.URL) })
	if i >= 0 {
		site.Name = next.Sites[i].Name
		next.Sites[i] = site
	} else {
		next.Sites = append(next.Sites, site)
	}
	return ws.commitTrust(&next, trust)
}

// trusted pins the certificates the camera dialog's Trust accepted and saves the
// settings (UI goroutine), before the dialog's camera is saved.
func (ws *wallSettings) trusted(trust []config.Trusted) error {
	next := *ws.cfg
	next.Trust = slices.Clone(ws.cfg.Trust)
	return ws.commitTrust(&next, trust)
}

// commitTrust adds trust to next (a copy of the settings with its own Trust), validates
// and adopts it, so every source trusts the certificates from its next connection, and
// saves.
func (ws *wallSettings) commitTrust(next *config.Config, trust []config.Trusted) error {
	for _, t := range trust {
		next.AddTrust(t.Host, t.SHA256)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*ws.cfg = *next
	ws.pins.set(next.Trust)
	return ws.save()
}

// listSites logs in to every configured site in the background and shows their cameras
// in the sidebar as each answers; a site that fails shows why. It returns at once.
func (ws *wallSettings) listSites(ctx context.Context, extra []*ui.SiteView) {
	sites := slices.Clone(ws.cfg.Sites)
	views := make([]*ui.SiteView, len(sites))
	for i, s := range sites {
		views[i] = &ui.SiteView{Site: s, Err: fmt.Errorf("connecting to %s…", s.Label())}
	}
	views = append(views, extra...)
	if len(views) == 0 {
		return
	}
	var mu sync.Mutex
	show := func() {
		mu.Lock()
		vs := slices.Clone(views)
		mu.Unlock()
		fyne.Do(func() { ws.wall.SetSites(vs) })
	}
	show()
	for i, s := range sites {
		ws.bg.Add(1)
		go func() {
			defer ws.bg.Done()
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			v, err := connectSite(cctx, s, "", ws.pins.Pin, ws.log)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				ws.log.Warn("site not listed", "component", "main", "site", s.Label(), "err", err)
				v = &ui.SiteView{Site: s, Err: fmt.Errorf("%s: %w", s.Label(), err)}
			}
			mu.Lock()
			views[i] = v
			mu.Unlock()
			show()
		}()
	}
}
