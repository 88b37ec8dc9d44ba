package capture_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-cctv/vigil/capture"
)

type nopSource struct{ url, user, password string }

func (nopSource) Run(ctx context.Context, sink capture.Sink) error { <-ctx.Done(); return nil }

func testRegistry() *capture.Registry {
	r := &capture.Registry{}
	r.Register(capture.Protocol{Name: "a", Schemes: []string{"aa", "aas"}, CheckURL: capture.CheckHost,
		New: func(u string, s capture.Settings) (capture.Source, error) {
			return nopSource{u, s.User, s.Password}, nil
		}})
	r.Register(capture.Protocol{Name: "b", Schemes: []string{"bb"},
		New: func(u string, s capture.Settings) (capture.Source, error) { return nopSource{url: u}, nil }})
	return r
}

// The table answers by scheme, ignoring case, lists the schemes in registration order,
// moves URL credentials into the settings and refuses a scheme nobody registered with
// the list of known ones, never quoting the password.
func TestRegistry(t *testing.T) {
	r := testRegistry()
	if p, ok := r.Lookup("AAS"); !ok || p.Name != "a" {
		t.Fatalf("lookup AAS: %+v %v", p, ok)
	}
	if got := strings.Join(r.Schemes(), ","); got != "aa,aas,bb" {
		t.Fatalf("schemes %s", got)
	}
	src, err := r.NewSource("aa://op:pw-1@host/x", capture.Settings{})
	if err != nil || src.(nopSource).user != "op" || src.(nopSource).password != "pw-1" {
		t.Fatalf("credentials from the URL: %+v %v", src, err)
	}
	if src, _ := r.NewSource("aa://op:pw-1@host/x", capture.Settings{User: "own", Password: "p"}); src.(nopSource).user != "own" {
		t.Fatalf("the settings' credentials come first: %+v", src)
	}
	_, err = r.NewSource("cc://op:pw-1@host/x", capture.Settings{})
	if err == nil || !strings.Contains(err.Error(), `unsupported scheme "cc" (want aa, aas or bb)`) || strings.Contains(err.Error(), "pw-1") {
		t.Fatalf("unknown scheme: %v", err)
	}
	if _, err := r.NewSource("host/x", capture.Settings{}); err == nil || !strings.Contains(err.Error(), "is not a URL") {
		t.Fatalf("no scheme: %v", err)
	}
	if _, err := r.Discover(context.Background(), capture.SiteRequest{URL: "bb://host"}); err == nil {
		t.Fatal("a protocol without sites listed one")
	}
}

// A protocol whose URLs need a host states only its own check: the CheckURL Lookup
// returns refuses a URL without a host first, and is CheckHost when there is no other.
func TestRegistryChecksTheHostFirst(t *testing.T) {
	newNop := func(u string, s capture.Settings) (capture.Source, error) { return nopSource{url: u}, nil }
	own := 0
	r := &capture.Registry{}
	r.Register(capture.Protocol{Name: "h", Schemes: []string{"hh"}, NeedsHost: true, New: newNop})
	r.Register(capture.Protocol{Name: "c", Schemes: []string{"cc"}, NeedsHost: true, New: newNop,
		CheckURL: func(u *url.URL) string {
			own++
			if u.Path == "" {
				return "missing path"
			}
			return ""
		}})
	for _, c := range []struct{ raw, want string }{
		{"hh:///x", "missing host (want hh://HOST/…)"},
		{"hh:x", "missing host (want hh://HOST/…)"},
		{"hh://host", ""},
		{"cc:///x", "missing host (want cc://HOST/…)"},
		{"cc://host", "missing path"},
		{"cc://host/x", ""},
	} {
		u, err := url.Parse(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := r.Lookup(u.Scheme)
		if got := p.CheckURL(u); got != c.want {
			t.Errorf("CheckURL(%s) = %q, want %q", c.raw, got, c.want)
		}
	}
	if own != 2 {
		t.Errorf("the protocol's own check ran %d times, want 2 (not for a URL without a host)", own)
	}
}

func TestRegistryRefusesATakenScheme(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a second registration of aa was accepted")
		}
	}()
	testRegistry().Register(capture.Protocol{Name: "c", Schemes: []string{"aa"},
		New: func(string, capture.Settings) (capture.Source, error) { return nil, nil }})
}
