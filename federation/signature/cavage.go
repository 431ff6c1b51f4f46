package signature

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits applied when parsing signature headers.
const (
	// MaxHeaderLen bounds the length of a Signature, Signature-Input or
	// Authorization header accepted by the parsers.
	MaxHeaderLen = 8 << 10
	// MaxCoveredComponents bounds the number of headers / components one
	// signature may cover.
	MaxCoveredComponents = 64
)

// CavageParams is a parsed draft-cavage-http-signatures-12 Signature header
// (or the parameters of an "Authorization: Signature …" header).
type CavageParams struct {
	// KeyID is the keyId parameter (for ActivityPub, the actor's key URL).
	KeyID string
	// Algorithm is the algorithm parameter, lowercased; empty if absent.
	Algorithm string
	// Headers lists the covered headers, lowercased, in order. Absent
	// headers parameter means "(created)" per draft-cavage-12.
	Headers []string
	// Signature is the decoded signature value.
	Signature []byte
	// Created and Expires are the created / expires parameters; zero if absent.
	Created, Expires time.Time
}

// ParseCavage parses a draft-cavage Signature header value. A leading
// "Signature " auth-scheme (as in the Authorization header) is accepted.
// Parameter names are matched case-insensitively; unknown parameters are
// ignored; duplicates are an error. Errors wrap ErrMalformed.
func ParseCavage(header string) (*CavageParams, error) {
	if len(header) > MaxHeaderLen {
		return nil, fmt.Errorf("%w: signature header of %d bytes exceeds %d", ErrMalformed, len(header), MaxHeaderLen)
	}
	s := strings.TrimSpace(header)
	if len(s) > 10 && strings.EqualFold(s[:10], "signature ") {
		s = strings.TrimLeft(s[10:], " \t")
	}
	var (
		p                                  CavageParams
		seenKey, seenAlg, seenHdr, seenSig bool
		seenCreated, seenExpires           bool
		rawSig                             string
		haveHeaders                        bool
	)
	for i := 0; i < len(s); {
		// Skip separators.
		for i < len(s) && (s[i] == ',' || s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		name := s[start:i]
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if name == "" || i >= len(s) || s[i] != '=' {
			return nil, fmt.Errorf("%w: parameter %q has no value", ErrMalformed, name)
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var value string
		if i < len(s) && s[i] == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("%w: unterminated quoted value for %q", ErrMalformed, name)
			}
			value = b.String()
		} else {
			start := i
			for i < len(s) && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			value = s[start:i]
		}
		// After a value only separators may follow.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] != ',' {
			return nil, fmt.Errorf("%w: unexpected %q after parameter %q", ErrMalformed, s[i], name)
		}
		dup := func(seen *bool) error {
			if *seen {
				return fmt.Errorf("%w: duplicate parameter %q", ErrMalformed, name)
			}
			*seen = true
			return nil
		}
		var err error
		switch strings.ToLower(name) {
		case "keyid":
			err = dup(&seenKey)
			p.KeyID = value
		case "algorithm":
			err = dup(&seenAlg)
			p.Algorithm = strings.ToLower(value)
		case "headers":
			err = dup(&seenHdr)
			haveHeaders = true
			p.Headers = strings.Fields(strings.ToLower(value))
		case "signature":
			err = dup(&seenSig)
			rawSig = value
		case "created":
			if err = dup(&seenCreated); err == nil {
				p.Created, err = parseUnixParam(name, value)
			}
		case "expires":
			if err = dup(&seenExpires); err == nil {
				p.Expires, err = parseUnixParam(name, value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if p.KeyID == "" {
		return nil, fmt.Errorf("%w: missing keyId", ErrMalformed)
	}
	if rawSig == "" {
		return nil, fmt.Errorf("%w: missing signature", ErrMalformed)
	}
	sig, err := base64.StdEncoding.DecodeString(rawSig)
	if err != nil {
		if sig, err = base64.RawStdEncoding.DecodeString(rawSig); err != nil {
			return nil, fmt.Errorf("%w: signature is not base64", ErrMalformed)
		}
	}
	p.Signature = sig
	if !haveHeaders {
		p.Headers = []string{"(created)"}
	}
	if len(p.Headers) == 0 {
		return nil, fmt.Errorf("%w: empty headers parameter", ErrMalformed)
	}
	if len(p.Headers) > MaxCoveredComponents {
		return nil, fmt.Errorf("%w: %d covered headers exceed %d", ErrMalformed, len(p.Headers), MaxCoveredComponents)
	}
	return &p, nil
}

// parseUnixParam parses a created / expires value: integer Unix seconds,
// optionally with a fractional part (draft-cavage allows decimals for expires).
func parseUnixParam(name, v string) (time.Time, error) {
	ip, frac, _ := strings.Cut(v, ".")
	n, err := strconv.ParseInt(ip, 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return time.Time{}, fmt.Errorf("%w: %s %q is not a Unix time", ErrMalformed, name, v)
	}
	for _, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("%w: %s %q is not a Unix time", ErrMalformed, name, v)
		}
	}
	return time.Unix(n, 0), nil
}

// Has reports whether the signature covers the (lowercase) header name.
func (p *CavageParams) Has(name string) bool {
	for _, h := range p.Headers {
		if h == name {
			return true
		}
	}
	return false
}

// requestTarget returns the origin-form request target (path and query) of
// r as it was received or will be sent.
func requestTarget(r *http.Request) string {
	if r.RequestURI != "" && r.RequestURI[0] == '/' {
		return r.RequestURI
	}
	if r.URL == nil {
		return "/"
	}
	p := r.URL.EscapedPath()
	if p == "" {
		p = "/"
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		return p + "?" + r.URL.RawQuery
	}
	return p
}

// cavageSigningString builds the draft-cavage signing string for p over r.
func cavageSigningString(r *http.Request, p *CavageParams, host string) (string, error) {
	var b strings.Builder
	b.Grow(256)
	for i, h := range p.Headers {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch h {
		case "(request-target)":
			b.WriteString("(request-target): ")
			b.WriteString(strings.ToLower(r.Method))
			b.WriteByte(' ')
			b.WriteString(requestTarget(r))
		case "(created)":
			if p.Created.IsZero() {
				return "", fmt.Errorf("%w: (created) is covered but the created parameter is missing", ErrMalformed)
			}
			b.WriteString("(created): ")
			b.WriteString(strconv.FormatInt(p.Created.Unix(), 10))
		case "(expires)":
			if p.Expires.IsZero() {
				return "", fmt.Errorf("%w: (expires) is covered but the expires parameter is missing", ErrMalformed)
			}
			b.WriteString("(expires): ")
			b.WriteString(strconv.FormatInt(p.Expires.Unix(), 10))
		case "host":
			if host == "" {
				return "", fmt.Errorf("%w: host is covered but the request has no host", ErrMissingHeaders)
			}
			b.WriteString("host: ")
			b.WriteString(host)
		default:
			vals := r.Header.Values(h)
			if len(vals) == 0 {
				return "", fmt.Errorf("%w: header %q is covered but absent from the request", ErrMissingHeaders, h)
			}
			b.WriteString(h)
			b.WriteString(": ")
			for j, v := range vals {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strings.TrimSpace(v))
			}
		}
	}
	return b.String(), nil
}
