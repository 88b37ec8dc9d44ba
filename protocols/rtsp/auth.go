package rtsp

import (
	"slices"
	"strings"
)

// Limits of authSchemes: a camera's challenges are a few hundred bytes; anything past
// these is ignored rather than parsed.
const (
	maxChallengeBytes = 4 << 10
	maxSchemes        = 8
)

// authSchemes lists, lower-case and without duplicates, the schemes named in
// WWW-Authenticate values (RFC 7235 §4.1): `Digest realm="x", nonce="y"` and
// `Basic realm="x"`, one per header or several in one comma-separated value.
// An element of the comma-separated list whose first token has no '=' starts a new
// challenge; the others are its parameters. Quoted strings may contain commas.
func authSchemes(values []string) []string {
	var out []string
	budget := maxChallengeBytes
	for _, v := range values {
		if budget <= 0 || len(out) >= maxSchemes {
			break
		}
		if len(v) > budget {
			v = v[:budget]
		}
		budget -= len(v)
		for _, item := range splitOutsideQuotes(v) {
			item = strings.TrimSpace(item)
			tok, _, _ := strings.Cut(item, " ")
			tok, _, _ = strings.Cut(tok, "\t")
			if tok == "" || strings.ContainsAny(tok, "=\"") || !isToken(tok) {
				continue
			}
			s := strings.ToLower(tok)
			if !slices.Contains(out, s) && len(out) < maxSchemes {
				out = append(out, s)
			}
		}
	}
	return out
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

// isToken reports whether s is an RFC 7230 token (the characters a scheme name may use).
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

// schemeName is a scheme as people write it ("Digest").
func schemeName(s string) string {
	switch s {
	case "basic":
		return "Basic"
	case "digest":
		return "Digest"
	case "":
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
