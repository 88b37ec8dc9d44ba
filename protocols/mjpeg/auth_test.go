package mjpeg

import (
	"reflect"
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
		if got := digestResponse(algo, user, realm, pass, "GET", uri, nonce, "00000001", cnonce, "auth"); got != want {
			t.Errorf("%s: %s, want %s", algo, got, want)
		}
	}
	// Through authState, with nc counting.
	a := authState{user: user, pass: pass, cnonceFn: func() string { return cnonce }}
	cs := ParseChallenges([]string{`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`})
	if !a.choose(cs) {
		t.Fatal("choose")
	}
	h := a.header("GET", uri)
	for _, s := range []string{`response="8ca523f5e9506fed4657c9700eebdbec"`, "nc=00000001", `opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`, "qop=auth,"} {
		if !strings.Contains(h, s) {
			t.Errorf("header %q lacks %q", h, s)
		}
	}
	if h2 := a.header("GET", uri); !strings.Contains(h2, "nc=00000002") {
		t.Errorf("second header %q: nc not counted", h2)
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
	var a authState
	if !a.choose(got) || a.scheme != "digest" {
		t.Errorf("chose %q, want digest", a.scheme)
	}
	if a.choose([]Challenge{{Scheme: "ntlm"}}) {
		t.Error("chose NTLM")
	}
	if got := schemes(got); strings.Join(got, ",") != "digest,basic,ntlm" {
		t.Errorf("schemes %v", got)
	}
}
