// Package digest is the client side of HTTP authentication as cameras speak it, for every
// protocol that meets a 401 (MJPEG over HTTP answers it here; RTSP lets gortsplib answer
// and only reports what was offered): WWW-Authenticate parsing (RFC 9110 §11.6.1,
// several challenges per value, quoted or bare parameters), the choice of the strongest
// usable scheme, and Authorization values for Basic and Digest (RFC 7616 with MD5 or
// SHA-256, qop=auth, or RFC 2069 without qop), counting nc per nonce so a polled snapshot
// reuses the challenge instead of meeting a 401 on every request. A stale nonce
// (stale=true) is answered by choosing the new challenge again (research/bosch.md §6).
package digest

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"
)

// Limits of ParseChallenges: a camera's challenges are a few hundred bytes; anything past
// these is ignored rather than parsed.
const (
	// MaxChallengeBytes is how much of the WWW-Authenticate values is read.
	MaxChallengeBytes = 4 << 10
	// MaxSchemes is how many schemes Schemes lists at most.
	MaxSchemes = 8
)

// Challenge is one scheme offered in a WWW-Authenticate header (RFC 9110 §11.6.1).
type Challenge struct {
	// Scheme is lower case: "basic", "digest", ….
	Scheme string
	// Params holds the auth-params with lower-case names and unquoted values.
	Params map[string]string
}

// Stale reports a Digest challenge that says the last nonce expired (RFC 7616 §3.3):
// the credentials were right, the client should answer the new nonce.
func (c Challenge) Stale() bool {
	return c.Scheme == "digest" && strings.EqualFold(c.Params["stale"], "true")
}

// ParseChallenges parses WWW-Authenticate header values, which may each hold several
// comma-separated challenges (`Digest realm="a, b", nonce=…, Basic realm=…`). An element
// of the comma-separated list whose first token is not followed by '=' starts a new
// challenge (its scheme, then an optional first parameter or token68); the others are
// parameters of the challenge before them. Quoted strings may hold commas and escaped
// quotes. Elements that are neither (no token first, or a parameter before any scheme)
// are skipped. Only the first MaxChallengeBytes of the values are read.
func ParseChallenges(values []string) []Challenge {
	var out []Challenge
	budget := MaxChallengeBytes
	for _, v := range values {
		if budget <= 0 {
			break
		}
		if len(v) > budget {
			v = v[:budget]
		}
		budget -= len(v)
		var cur *Challenge
		for _, item := range splitOutsideQuotes(v) {
			tok, rest := cutToken(strings.TrimLeft(item, " \t"))
			if !isToken(tok) {
				continue // junk
			}
			r := strings.TrimLeft(rest, " \t")
			if isParam(r) {
				if cur != nil {
					cur.Params[strings.ToLower(tok)] = unquote(strings.TrimLeft(r[1:], " \t"))
				}
				continue
			}
			out = append(out, Challenge{Scheme: strings.ToLower(tok), Params: map[string]string{}})
			cur = &out[len(out)-1]
			// The rest is a first parameter or a token68 (ignored).
			if k, rest := cutToken(r); isToken(k) {
				if r := strings.TrimLeft(rest, " \t"); isParam(r) {
					cur.Params[strings.ToLower(k)] = unquote(strings.TrimLeft(r[1:], " \t"))
				}
			}
		}
	}
	return out
}

// isParam reports whether what follows a token makes it a parameter name: "=" but not
// the "==" that ends a token68.
func isParam(r string) bool {
	return strings.HasPrefix(r, "=") && !strings.HasPrefix(r, "==")
}

// splitOutsideQuotes splits s at commas that are not inside a quoted string.
func splitOutsideQuotes(s string) []string {
	var parts []string
	inQuote, esc := false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func cutToken(s string) (string, string) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t,=\"", s[i]) < 0 {
		i++
	}
	return s[:i], s[i:]
}

// unquote returns a parameter's value: a quoted string without its quotes and escapes,
// or a bare token up to the first blank.
func unquote(s string) string {
	if !strings.HasPrefix(s, `"`) {
		if i := strings.IndexAny(s, " \t"); i >= 0 {
			return s[:i]
		}
		return s
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
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isToken reports whether s is an RFC 9110 token (the characters a scheme name may use).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return len(s) > 0
}

// Schemes lists the schemes of cs, lower-case, without duplicates, at most MaxSchemes:
// what a probe or an error reports the camera offered.
func Schemes(cs []Challenge) []string {
	var out []string
	for _, c := range cs {
		if len(out) == MaxSchemes {
			break
		}
		if c.Scheme != "" && !slices.Contains(out, c.Scheme) {
			out = append(out, c.Scheme)
		}
	}
	return out
}

// SchemeName is a scheme as people write it ("Digest", "NTLM").
func SchemeName(s string) string {
	switch s {
	case "basic":
		return "Basic"
	case "digest":
		return "Digest"
	case "ntlm":
		return "NTLM"
	case "":
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Client builds Authorization values for one server. The zero value with User and
// Password set is ready; Choose picks the scheme from a 401's challenges.
type Client struct {
	User, Password string

	scheme string // "basic", "digest" or "" (none chosen yet)
	digest Challenge
	nc     uint32
	// cnonce, when set, replaces the random client nonce (tests).
	cnonce func() string
}

// Scheme is the scheme chosen, "" before Choose succeeds.
func (a *Client) Scheme() string { return a.scheme }

// Choose picks the strongest usable challenge: Digest SHA-256, Digest MD5, then Basic.
// It reports false when none is usable (NTLM, auth-int only, an unknown algorithm).
// Choosing a Digest challenge restarts nc for its nonce.
func (a *Client) Choose(cs []Challenge) bool {
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

// Header returns the Authorization value for a request, "" when no scheme is chosen.
func (a *Client) Header(method, uri string) string {
	switch a.scheme {
	case "basic":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.User+":"+a.Password))
	case "digest":
		return a.digestHeader(method, uri)
	}
	return ""
}

func (a *Client) digestHeader(method, uri string) string {
	p := a.digest.Params
	algo, realm, nonce := p["algorithm"], p["realm"], p["nonce"]
	a.nc++
	nc := fmt.Sprintf("%08x", a.nc)
	cnonce := a.newCnonce()
	qop := ""
	if p["qop"] != "" {
		qop = "auth"
	}
	resp := Response(algo, a.User, realm, a.Password, method, uri, nonce, nc, cnonce, qop)
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username=%s, realm=%s, nonce=%s, uri=%s, response="%s"`,
		quote(a.User), quote(realm), quote(nonce), quote(uri), resp)
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

func (a *Client) newCnonce() string {
	if a.cnonce != nil {
		return a.cnonce()
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

// Response computes an RFC 7616 response value (RFC 2069 style when qop is empty), for
// the client and for the test servers that check it; the tests check it against the
// RFC's examples. An algorithm starting "SHA-256" hashes with SHA-256, any other with
// MD5; a "-sess" suffix hashes the nonces into HA1.
func Response(algorithm, user, realm, pass, method, uri, nonce, nc, cnonce, qop string) string {
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

// ParseAuthorization parses the parameters of a client's `Digest k=v, k="v"` value
// (without the scheme), for the test servers that verify it.
func ParseAuthorization(v string) map[string]string {
	cs := ParseChallenges([]string{"Digest " + v})
	if len(cs) == 0 {
		return map[string]string{}
	}
	return cs[0].Params
}
