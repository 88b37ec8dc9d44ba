package digest

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestDigestRFC7616 checks the response values of RFC 7616 §3.9.1.
func TestDigestRFC7616(t *testing.T) {
	const (
		user, pass, realm = "Mufasa", "Circle of Life", "http-auth@example.org"
		nonce             = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
		cnonce            = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
		uri               = "/dir/index.html"
	)
	for algo, want := range map[string]string{
		"MD5":     "8ca523f5e9506fed4657c9700eebdbec",
		"SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	} {
		if got := Response(algo, user, realm, pass, "GET", uri, nonce, "00000001", cnonce, "auth"); got != want {
			t.Errorf("%s: %s, want %s", algo, got, want)
		}
	}
	// Through Client, with nc counting.
	a := Client{User: user, Password: pass, cnonce: func() string { return cnonce }}
	cs := ParseChallenges([]string{`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`})
	if !a.Choose(cs) {
		t.Fatal("choose")
	}
	h := a.Header("GET", uri)
	for _, s := range []string{`response="8ca523f5e9506fed4657c9700eebdbec"`, "nc=00000001", `opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`, "qop=auth,"} {
		if !strings.Contains(h, s) {
			t.Errorf("header %q lacks %q", h, s)
		}
	}
	if h2 := a.Header("GET", uri); !strings.Contains(h2, "nc=00000002") {
		t.Errorf("second header %q: nc not counted", h2)
	}
	// What a server parses back is what was sent.
	p := ParseAuthorization(strings.TrimPrefix(h, "Digest "))
	if p["username"] != user || p["uri"] != uri || p["cnonce"] != cnonce || p["response"] != "8ca523f5e9506fed4657c9700eebdbec" {
		t.Errorf("parsed back %v", p)
	}
}

func TestParseChallenges(t *testing.T) {
	got := ParseChallenges([]string{
		`Digest realm="a, b", nonce="n\"1", algorithm=SHA-256, qop="auth", Basic realm="MJPG-Streamer"`,
		`NTLM`,
	})
	want := []Challenge{
		{Scheme: "digest", Params: map[string]string{"realm": "a, b", "nonce": `n"1`, "algorithm": "SHA-256", "qop": "auth"}},
		{Scheme: "basic", Params: map[string]string{"realm": "MJPG-Streamer"}},
		{Scheme: "ntlm", Params: map[string]string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	var a Client
	if !a.Choose(got) || a.Scheme() != "digest" {
		t.Errorf("chose %q, want digest", a.Scheme())
	}
	if a.Choose([]Challenge{{Scheme: "ntlm"}}) {
		t.Error("chose NTLM")
	}
	if got := Schemes(got); strings.Join(got, ",") != "digest,basic,ntlm" {
		t.Errorf("schemes %v", got)
	}
	stale := ParseChallenges([]string{`Digest realm="x", nonce="n2", stale=TRUE`})
	if len(stale) != 1 || !stale[0].Stale() {
		t.Errorf("stale not seen: %+v", stale)
	}
}

// schemeCases drive TestSchemes and the fuzz seeds: what a probe reports as offered.
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
	{"token68", []string{`Negotiate abc==, NTLM`}, []string{"negotiate", "ntlm"}},
	{"garbage", []string{`=x, "y", realm=z`, ``, `, ,`}, nil},
	{"none", nil, nil},
}

func TestSchemes(t *testing.T) {
	for _, c := range schemeCases {
		if got := Schemes(ParseChallenges(c.values)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSchemesLimits(t *testing.T) {
	var many []string
	for i := range 100 {
		many = append(many, "S"+strings.Repeat("x", i)+` realm="r"`)
	}
	if got := Schemes(ParseChallenges(many)); len(got) > MaxSchemes {
		t.Fatalf("%d schemes", len(got))
	}
	long := strings.Repeat("a", 10*MaxChallengeBytes)
	if got := Schemes(ParseChallenges([]string{long, "Basic"})); len(got) != 1 || len(got[0]) > MaxChallengeBytes {
		t.Fatalf("long header: %d schemes", len(got))
	}
}

// FuzzParseChallenges: any WWW-Authenticate values parse without panicking into
// challenges with lower-case token schemes, Schemes keeps its limits, and answering a
// Digest challenge is safe.
func FuzzParseChallenges(f *testing.F) {
	for _, c := range schemeCases {
		f.Add(strings.Join(c.values, "\n"))
	}
	for _, s := range []string{
		`Digest realm="cam", nonce="abc", qop="auth", algorithm=SHA-256, Basic realm="cam"`,
		`Basic realm="MJPG-Streamer"`,
		`Digest realm="a\"b", nonce=, stale=true`,
		`, ,, = "unterminated`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs := ParseChallenges(strings.Split(s, "\n"))
		for _, c := range cs {
			if c.Scheme == "" || c.Scheme != strings.ToLower(c.Scheme) || !isToken(c.Scheme) {
				t.Fatalf("scheme %q", c.Scheme)
			}
			if c.Scheme == "digest" {
				a := Client{User: "u", Password: "p"}
				if a.Choose([]Challenge{c}) {
					_ = a.Header("GET", "/x")
				}
			}
		}
		got := Schemes(cs)
		if len(got) > MaxSchemes {
			t.Fatalf("%d schemes", len(got))
		}
		for _, g := range got {
			if len(g) > MaxChallengeBytes {
				t.Fatalf("bad scheme %q", g)
			}
		}
	})
}
