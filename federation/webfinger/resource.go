package webfinger

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ErrInvalidResource is returned (wrapped) for a malformed resource.
var ErrInvalidResource = errors.New("webfinger: invalid resource")

// maxResourceLen bounds the resources ParseResource accepts.
const maxResourceLen = 2048

// Resource is a parsed WebFinger resource: an account ("acct" scheme, with
// User and Host) or an http(s) URL.
type Resource struct {
	// Scheme is "acct", "https" or "http".
	Scheme string
	// User is the account name (acct only), percent-decoded, case preserved.
	User string
	// Host is the lowercased host, with ":port" when one was given
	// (IPv6 literals in brackets).
	Host string
	// URL is the full URL for http(s) resources, empty for acct.
	URL string
}

// IsAcct reports whether r is an account resource.
func (r Resource) IsAcct() bool { return r.Scheme == "acct" }

// Hostname returns Host without any port or IPv6 brackets.
func (r Resource) Hostname() string {
	u := url.URL{Host: r.Host}
	return u.Hostname()
}

// Port returns the port in Host, or "".
func (r Resource) Port() string {
	u := url.URL{Host: r.Host}
	return u.Port()
}

// String returns the canonical form: "acct:user@host" or the URL.
func (r Resource) String() string {
	if r.IsAcct() {
		return "acct:" + escapeUser(r.User) + "@" + r.Host
	}
	return r.URL
}

// ParseResource parses s as "acct:user@host[:port]", "user@host[:port]",
// "@user@host[:port]" or an absolute http(s) URL.
func ParseResource(s string) (Resource, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Resource{}, fmt.Errorf("%w: empty", ErrInvalidResource)
	}
	if len(s) > maxResourceLen {
		return Resource{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidResource, maxResourceLen)
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		return parseURLResource(s)
	}
	acct := s
	if strings.HasPrefix(lower, "acct:") {
		acct = s[len("acct:"):]
	}
	acct = strings.TrimPrefix(acct, "@")
	at := strings.LastIndexByte(acct, '@')
	if at < 0 {
		return Resource{}, fmt.Errorf("%w: %q has no user@host", ErrInvalidResource, s)
	}
	rawUser, rawHost := acct[:at], acct[at+1:]
	user, err := url.PathUnescape(rawUser)
	if err != nil {
		return Resource{}, fmt.Errorf("%w: bad escape in user: %v", ErrInvalidResource, err)
	}
	if err := checkUser(user); err != nil {
		return Resource{}, err
	}
	host, err := normalizeHost(rawHost)
	if err != nil {
		return Resource{}, err
	}
	return Resource{Scheme: "acct", User: user, Host: host}, nil
}

func parseURLResource(s string) (Resource, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Resource{}, fmt.Errorf("%w: %v", ErrInvalidResource, err)
	}
	if u.User != nil {
		return Resource{}, fmt.Errorf("%w: URL with credentials", ErrInvalidResource)
	}
	host, err := normalizeHost(u.Host)
	if err != nil {
		return Resource{}, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	return Resource{Scheme: u.Scheme, Host: host, URL: u.String()}, nil
}

func checkUser(user string) error {
	if user == "" {
		return fmt.Errorf("%w: empty user", ErrInvalidResource)
	}
	for _, r := range user {
		if r <= ' ' || r == 0x7f || r == '/' || r == '?' || r == '#' || r == '\uFFFD' {
			return fmt.Errorf("%w: user %q contains %q", ErrInvalidResource, user, r)
		}
	}
	return nil
}

// normalizeHost validates host[:port] and lowercases it.
func normalizeHost(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("%w: empty host", ErrInvalidResource)
	}
	u := url.URL{Host: h}
	name, port := u.Hostname(), u.Port()
	if strings.HasSuffix(h, ":") { // "host:" with an empty port
		return "", fmt.Errorf("%w: empty port in %q", ErrInvalidResource, h)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", fmt.Errorf("%w: bad port in %q", ErrInvalidResource, h)
		}
	}
	if strings.HasPrefix(h, "[") {
		a, err := netip.ParseAddr(name)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("%w: bad IPv6 literal in %q", ErrInvalidResource, h)
		}
		want := "[" + name + "]"
		if port != "" {
			want += ":" + port
		}
		if h != want {
			return "", fmt.Errorf("%w: bad IPv6 host %q", ErrInvalidResource, h)
		}
		name = "[" + a.String() + "]"
	} else {
		if name == "" || strings.ContainsAny(name, "[]") {
			return "", fmt.Errorf("%w: bad host %q", ErrInvalidResource, h)
		}
		if port == "" && strings.Contains(h, ":") {
			return "", fmt.Errorf("%w: bad host %q", ErrInvalidResource, h)
		}
		for _, r := range name {
			if !(r == '-' || r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return "", fmt.Errorf("%w: bad character %q in host %q", ErrInvalidResource, r, h)
			}
		}
		if strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
			return "", fmt.Errorf("%w: bad host %q", ErrInvalidResource, h)
		}
		name = strings.ToLower(name)
	}
	out := name
	if port != "" {
		out += ":" + port
	}
	if !strings.EqualFold(out, h) && !strings.HasPrefix(h, "[") {
		return "", fmt.Errorf("%w: bad host %q", ErrInvalidResource, h)
	}
	return out, nil
}

// escapeUser percent-encodes everything outside RFC 7565's userpart
// characters (unreserved and sub-delims).
func escapeUser(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~!$&'()*+,;=", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
