package rtsp

import (
	"slices"
	"strings"
	"testing"
)

var schemeCases = []struct {
	name   string
	values []string
	want   []string
}{
	{"gortsplib default", []string{`Basic realm="IPCAM"`, `Digest realm="IPCAM", nonce="abc"`}, []string{"basic", "digest"}},
	{"digest first", []string{`Digest realm="x", nonce="n", algorithm=MD5, qop="auth"`, `Basic realm="x"`}, []string{"digest", "basic"}},
	{"one value, two challenges", []string{`Digest realm="a, b", nonce="n", Basic realm="c"`}, []string{"digest", "basic"}},
	{"quoted comma and escaped quote", []string{`Digest realm="x\", Basic", nonce="n"`}, []string{"digest"}},
	{"duplicates and case", []string{`DIGEST realm="x"`, `digest realm="y", algorithm=SHA-256`}, []string{"digest"}},
	{"tabs", []string{"Basic\trealm=\"x\""}, []string{"basic"}},
	{"bare scheme", []string{`Negotiate`}, []string{"negotiate"}},
	{"garbage", []string{`=x, "y", realm=z`, ``, `, ,`}, nil},
	{"none", nil, nil},
}

func TestAuthSchemes(t *testing.T) {
	for _, c := range schemeCases {
		if got := authSchemes(c.values); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAuthSchemesLimits(t *testing.T) {
	var many []string
	for i := range 100 {
		many = append(many, "S"+strings.Repeat("x", i)+` realm="r"`)
	}
	if got := authSchemes(many); len(got) > maxSchemes {
		t.Fatalf("%d schemes", len(got))
	}
	long := strings.Repeat("a", 10*maxChallengeBytes)
	if got := authSchemes([]string{long, "Basic"}); len(got) != 1 || len(got[0]) > maxChallengeBytes {
		t.Fatalf("long header: %d schemes", len(got))
	}
}

func FuzzAuthSchemes(f *testing.F) {
	for _, c := range schemeCases {
		f.Add(strings.Join(c.values, "\n"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := authSchemes(strings.Split(s, "\n"))
		if len(got) > maxSchemes {
			t.Fatalf("%d schemes", len(got))
		}
		for _, g := range got {
			if g == "" || g != strings.ToLower(g) || !isToken(g) || len(g) > maxChallengeBytes {
				t.Fatalf("bad scheme %q", g)
			}
		}
	})
}
