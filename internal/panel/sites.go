package panel

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-cctv/vigil/capture"
	"github.com/vigil-cctv/vigil/config"
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

// SiteView is what a login showed of a site, or why it could not be listed.
type SiteView struct {
	// Site is the site as connected (credentials included; never shown).
	Site config.Site
	// Host is the management server's host:port, as its certificate is pinned.
	Host string
	// Recorders are the site's recording servers with their cameras.
	Recorders []capture.SiteRecorder
	// Err is set when the site could not be listed.
	Err error
}

// Pin returns the trust list's pinned fingerprint of hostPort, or "": safe from any
// goroutine (the sources read it on every connection).
func (p *Panel) Pin(hostPort string) string { return p.pins.Pin(hostPort) }

// ConnectSite logs in to a site for the connect dialog and the sidebar, trusting the
// management server by pin (just accepted), else by the trust list. A certificate
// nobody vouches for fails with an error wrapping *trust.CertError.
func (p *Panel) ConnectSite(ctx context.Context, site config.Site, pin string) (*SiteView, error) {
	return connectSite(ctx, site, pin, p.pins.Pin, p.log)
}

func connectSite(ctx context.Context, site config.Site, pin string, pins func(string) string, log *slog.Logger) (*SiteView, error) {
	d, err := config.Protocols().Discover(ctx, capture.SiteRequest{URL: site.URL, User: site.User, Password: site.Password,
		PinSHA256: pin, Pins: pins, Logger: log})
	if err != nil {
		return nil, err
	}
	return &SiteView{Site: site, Host: d.Host, Recorders: d.Recorders}, nil
}

// SaveSite saves a site the user connected to, and the certificates accepted on the way.
func (p *Panel) SaveSite(site config.Site, trust []config.Trusted) error {
	next := *p.cfg
	next.Sites = slices.Clone(p.cfg.Sites)
	next.Trust = slices.Clone(p.cfg.Trust)
	i := slices.IndexFunc(next.Sites, func(s config.Site) bool { return strings.EqualFold(s.URL, site.URL) })
	if i >= 0 {
		site.Name = next.Sites[i].Name
		next.Sites[i] = site
	} else {
		next.Sites = append(next.Sites, site)
	}
	return p.commitTrust(&next, trust)
}

// Trust pins the certificates the camera dialog's Trust accepted and saves the
// settings, before the dialog's camera is saved.
func (p *Panel) Trust(trust []config.Trusted) error {
	next := *p.cfg
	next.Trust = slices.Clone(p.cfg.Trust)
	return p.commitTrust(&next, trust)
}

// commitTrust adds trust to next (a copy of the settings with its own Trust), validates
// and adopts it, so every source trusts the certificates from its next connection, and
// saves.
func (p *Panel) commitTrust(next *config.Config, trust []config.Trusted) error {
	for _, t := range trust {
		next.AddTrust(t.Host, t.SHA256)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*p.cfg = *next
	p.pins.set(next.Trust)
	return p.save()
}

// ListSites logs in to every configured site in the background and calls show with
// every site's view as each answers (from a background goroutine; the first call, with
// every site "connecting…", before it returns); a site that fails shows why. Close
// waits for the logins; cancelling ctx ends them.
func (p *Panel) ListSites(ctx context.Context, show func([]*SiteView)) {
	sites := slices.Clone(p.cfg.Sites)
	views := make([]*SiteView, len(sites))
	for i, s := range sites {
		views[i] = &SiteView{Site: s, Err: fmt.Errorf("connecting to %s…", s.Label())}
	}
	if len(views) == 0 {
		return
	}
	var mu sync.Mutex
	update := func() {
		mu.Lock()
		vs := slices.Clone(views)
		mu.Unlock()
		show(vs)
	}
	update()
	for i, s := range sites {
		p.bg.Add(1)
		go func() {
			defer p.bg.Done()
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			v, err := connectSite(cctx, s, "", p.pins.Pin, p.log)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				p.log.Warn("site not listed", "component", "panel", "site", s.Label(), "err", err)
				v = &SiteView{Site: s, Err: fmt.Errorf("%s: %w", s.Label(), err)}
			}
			mu.Lock()
			views[i] = v
			mu.Unlock()
			update()
		}()
	}
}
