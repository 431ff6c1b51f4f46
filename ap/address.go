package ap

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const activityStreamsNS = "https://www.w3.org/ns/activitystreams"

// Public is the special collection addressing everyone.
const Public = activityStreamsNS + "#Public"

// IsPublic reports whether iri denotes the Public collection, in any of the
// forms peers use: the full IRI, the compact "as:Public" or bare "Public".
func IsPublic(iri string) bool {
	return iri == Public || iri == "as:Public" || iri == "Public"
}

// Visibility is a Mastodon status visibility, derived from addressing.
type Visibility string

// Visibilities, named as in the Mastodon API.
const (
	VisibilityPublic   Visibility = "public"   // Public in to
	VisibilityUnlisted Visibility = "unlisted" // Public in cc
	VisibilityPrivate  Visibility = "private"  // followers-only
	VisibilityDirect   Visibility = "direct"   // mentioned actors only
)

// Valid reports whether v is one of the four visibilities.
func (v Visibility) Valid() bool {
	switch v {
	case VisibilityPublic, VisibilityUnlisted, VisibilityPrivate, VisibilityDirect:
		return true
	}
	return false
}

// Addressing returns the to and cc of a post with visibility v, by an actor
// whose followers collection is followersIRI, mentioning the actor IRIs in
// mentions — exactly as Mastodon addresses its statuses:
//
//	public:   to [Public]          cc [followers, mentions…]
//	unlisted: to [followers]       cc [Public, mentions…]
//	private:  to [followers]       cc [mentions…]
//	direct:   to [mentions…]       cc []
//
// Duplicate and empty mentions are dropped. An unknown v is treated as
// direct, the most restrictive. The returned slices are never nil.
func Addressing(v Visibility, followersIRI string, mentions []string) (to, cc []string) {
	ms := make([]string, 0, len(mentions))
	for _, m := range mentions {
		if m != "" && !slices.Contains(ms, m) && m != followersIRI && !IsPublic(m) {
			ms = append(ms, m)
		}
	}
	followers := make([]string, 0, 1+len(ms))
	if followersIRI != "" {
		followers = append(followers, followersIRI)
	}
	switch v {
	case VisibilityPublic:
		return []string{Public}, append(followers, ms...)
	case VisibilityUnlisted:
		return followers, append([]string{Public}, ms...)
	case VisibilityPrivate:
		return followers, ms
	default:
		return ms, []string{}
	}
}

// VisibilityOf derives a visibility from addressing, as Mastodon does: Public
// in to is public; Public in cc is unlisted; the author's followers
// collection (followersIRI) in to or cc is private; anything else is direct.
// Public may appear as the full IRI, "as:Public" or "Public".
func VisibilityOf(to, cc []string, followersIRI string) Visibility {
	if slices.ContainsFunc(to, IsPublic) {
		return VisibilityPublic
	}
	if slices.ContainsFunc(cc, IsPublic) {
		return VisibilityUnlisted
	}
	if followersIRI != "" && (slices.Contains(to, followersIRI) || slices.Contains(cc, followersIRI)) {
		return VisibilityPrivate
	}
	return VisibilityDirect
}

// Visibility returns VisibilityOf(o.To, o.Cc, followersIRI); it returns
// VisibilityDirect for a nil object.
func (o *Object) Visibility(followersIRI string) Visibility {
	if o == nil {
		return VisibilityDirect
	}
	return VisibilityOf(o.To, o.Cc, followersIRI)
}

// Origin returns the web origin of the absolute http(s) URL u as
// "scheme://host[:port]": scheme and host lower-cased, a trailing dot on the
// host dropped, default ports (80 for http, 443 for https) omitted. It
// returns "" when u is not an absolute http or https URL with a host.
func Origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.Opaque != "" {
		return ""
	}
	scheme := strings.ToLower(p.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(p.Hostname()), ".")
	if host == "" {
		return ""
	}
	port := p.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return ""
		}
		port = strconv.Itoa(n)
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.IndexByte(host, ':') >= 0 { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	return scheme + "://" + host
}

// SameOrigin reports whether a and b are absolute http(s) URLs with the same
// origin (scheme, host and port). It is false when either is not such a URL.
// Use it for the classic checks: an object's id must share the origin of the
// URL it was fetched from, and an activity's id that of its actor.
func SameOrigin(a, b string) bool {
	oa := Origin(a)
	return oa != "" && oa == Origin(b)
}
