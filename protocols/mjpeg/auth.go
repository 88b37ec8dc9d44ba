package mjpeg

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/vigil-cctv/vigil/capture"
	"hash"
	"strings"
)

// Challenge is one scheme offered in a WWW-Authenticate header (RFC 9110 §11.6.1).
type Challenge struct {
	// Scheme is lower case: "basic", "digest", ….
	Scheme string
	// Params holds the auth-params with lower-case names and unquoted values.
	Params map[string]string
}

// ParseChallenges parses WWW-Authenticate header values, which may each hold several
// comma-separated challenges ("Digest realm=…, nonce=…, Basic realm=…").
func ParseChallenges(values []string) []Challenge {
	var out []Challenge
	for _, v := range values {
		s := v
		var cur *Challenge
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			tok, rest := cutToken(s)
			if tok == "" {
				// Not a token: skip one character to make progress.
				s = s[1:]
				continue
			}
			r := strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(r, "=") && cur != nil && !strings.HasPrefix(r, "==") {
				val, rest2 := cutValue(strings.TrimLeft(r[1:], " \t"))
				cur.Params[strings.ToLower(tok)] = val
				s = rest2
				continue
			}
			// A new challenge: scheme [token68 | params].
			out = append(out, Challenge{Scheme: strings.ToLower(tok), Params: map[string]string{}})
			cur = &out[len(out)-1]
			s = rest
		}
	}
	return out
}

func cutToken(s string) (string, string) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t,=\"", s[i]) < 0 {
		i++
	}
	return s[:i], s[i:]
}

func cutValue(s string) (string, string) {
	if !strings.HasPrefix(s, `"`) {
		i := strings.IndexAny(s, ", \t")
		if i < 0 {
			return s, ""
		}
		return s[:i], s[i:]
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// schemes lists the challenge schemes, for StreamInfo.AuthOffered.
// schemes lists the schemes offered, each cleaned (they are the camera's text and reach
// the probe's report and errors), at most maxSchemes of them.
func schemes(cs []Challenge) []string {
	const maxSchemes = 8
	var out []string
	for _, c := range cs {
		c.Scheme = capture.CleanText(c.Scheme, 32)
		if c.Scheme == "" || len(out) == maxSchemes {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == c.Scheme
		}
		if !dup {
			out = append(out, c.Scheme)
		}
	}
	return out
}

// authState builds Authorization headers for one server: Basic, or Digest (RFC 7616 with
// MD5 or SHA-256, qop=auth, or RFC 2069 without qop), counting nc per nonce so a polled
// snapshot reuses the challenge instead of meeting a 401 on every request.
type authState struct {
	user, pass string
	scheme     string // "basic", "digest" or "" (none chosen yet)
	digest     Challenge
	nc         uint32
	cnonceFn   func() string
}

// choose picks the strongest usable challenge: Digest SHA-256, Digest MD5, then Basic.
// It reports false when none is usable.
func (a *authState) choose(cs []Challenge) bool {
	best := -1
	rank := 0
	for i, c := range cs {
		r := 0
		switch c.Scheme {
		case "basic":
			r = 1
		case "digest":
			if c.Params["nonce"] == "" {
				continue
			}
			switch strings.ToUpper(c.Params["algorithm"]) {
			case "", "MD5", "MD5-SESS":
				r = 2
			case "SHA-256", "SHA-256-SESS":
				r = 3
			default:
				continue
			}
			if q := c.Params["qop"]; q != "" && !hasToken(q, "auth") {
				continue // only auth-int offered
			}
		}
		if r > rank {
			best, rank = i, r
		}
	}
	if best < 0 {
		return false
	}
	a.scheme = cs[best].Scheme
	if a.scheme == "digest" {
		a.digest = cs[best]
		a.nc = 0
	}
	return true
}

// header returns the Authorization value for a request, "" when no scheme is chosen.
func (a *authState) header(method, uri string) string {
	switch a.scheme {
	case "basic":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.user+":"+a.pass))
	case "digest":
		return a.digestHeader(method, uri)
	}
	return ""
}

func (a *authState) digestHeader(method, uri string) string {
	p := a.digest.Params
	algo, realm, nonce := p["algorithm"], p["realm"], p["nonce"]
	a.nc++
	nc := fmt.Sprintf("%08x", a.nc)
	cnonce := a.cnonce()
	qop := ""
	if p["qop"] != "" {
		qop = "auth"
	}
	resp := digestResponse(algo, a.user, realm, a.pass, method, uri, nonce, nc, cnonce, qop)
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username=%s, realm=%s, nonce=%s, uri=%s, response="%s"`,
		quote(a.user), quote(realm), quote(nonce), quote(uri), resp)
	if algo != "" {
		fmt.Fprintf(&b, ", algorithm=%s", algo)
	}
	if o, ok := p["opaque"]; ok {
		fmt.Fprintf(&b, ", opaque=%s", quote(o))
	}
	if qop != "" {
		fmt.Fprintf(&b, `, qop=%s, nc=%s, cnonce="%s"`, qop, nc, cnonce)
	}
	return b.String()
}

func (a *authState) cnonce() string {
	if a.cnonceFn != nil {
		return a.cnonceFn()
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// digestResponse computes an RFC 7616 response value (RFC 2069 style when qop is empty);
// the tests check it against the RFC's examples.
func digestResponse(algorithm, user, realm, pass, method, uri, nonce, nc, cnonce, qop string) string {
	var newHash func() hash.Hash = md5.New
	if strings.HasPrefix(strings.ToUpper(algorithm), "SHA-256") {
		newHash = sha256.New
	}
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	ha1 := h(user + ":" + realm + ":" + pass)
	if strings.HasSuffix(strings.ToUpper(algorithm), "-SESS") {
		ha1 = h(ha1 + ":" + nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	if qop == "" {
		return h(ha1 + ":" + nonce + ":" + ha2)
	}
	return h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
}
