package config

import (
	"net/url"
	"testing"
)

// Every scheme the settings accept is one a protocol builds a Source for: validation
// and building read the same table (issue 11: config accepted push://, which nothing
// built).
func TestEverySchemeAcceptedIsBuilt(t *testing.T) {
	for _, s := range Schemes() {
		p, ok := Protocols().Lookup(s)
		if !ok || p.New == nil {
			t.Errorf("scheme %s accepted, but no protocol builds it", s)
		}
		if p.CheckURL != nil {
			if msg := p.CheckURL(&url.URL{Scheme: s}); msg == "" {
				t.Errorf("%s:// with nothing after it passes its protocol's check", s)
			}
		}
	}
	if len(Schemes()) == 0 {
		t.Fatal("no protocol registered")
	}
}

// The transports the settings accept are RTSP's, the default first.
func TestTransportsAreTheProtocols(t *testing.T) {
	if got := Transports(); len(got) != 3 || got[0] != DefaultTransport || got[1] != "tcp" || got[2] != "udp" {
		t.Fatalf("transports %v", got)
	}
}
