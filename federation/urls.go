package federation

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/herd-social/herd/storage"
)

// URLs lays out the public addresses of a server's local actors and
// objects. The social package's *social.URLs satisfies it; applications that
// do without social (a bot) use NewURLs, which follows the same layout.
type URLs interface {
	// Base is the public base URL, e.g. https://example.com.
	Base() string
	// Host is host[:port] of Base: the domain part of local handles.
	Host() string
	Actor(username string) string
	Profile(username string) string
	Inbox(username string) string
	Outbox(username string) string
	Followers(username string) string
	Following(username string) string
	Featured(username string) string
	FeaturedTags(username string) string
	PublicKey(username string) string
	SharedInbox() string
	InstanceActor() string
	Status(username string, id storage.ID) string
	StatusPage(username string, id storage.ID) string
	Tag(name string) string
}

// Layout is the standard URL layout of a Herd server (the one social.URLs
// also uses): /users/NAME for actors, /users/NAME/inbox, /inbox (shared),
// /actor (instance actor), /users/NAME/statuses/ID, /@NAME profile pages.
type Layout struct{ base *url.URL }

var _ URLs = (*Layout)(nil)

// NewURLs parses the public base URL (http(s)://host[:port], no path).
func NewURLs(publicURL string) (*Layout, error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("federation: public url %q: %w", publicURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("federation: public url %q: want http(s)://host[:port]", publicURL)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("federation: public url %q: must not have a path, query, fragment or user info", publicURL)
	}
	u.Path = ""
	u.Host = strings.ToLower(u.Host)
	return &Layout{base: u}, nil
}

func (l *Layout) join(p string) string { return l.base.String() + p }

// Base implements URLs.
func (l *Layout) Base() string { return l.base.String() }

// Host implements URLs.
func (l *Layout) Host() string { return l.base.Host }

// Actor implements URLs.
func (l *Layout) Actor(username string) string { return l.join("/users/" + url.PathEscape(username)) }

// Profile implements URLs.
func (l *Layout) Profile(username string) string { return l.join("/@" + url.PathEscape(username)) }

// Inbox implements URLs.
func (l *Layout) Inbox(username string) string { return l.Actor(username) + "/inbox" }

// Outbox implements URLs.
func (l *Layout) Outbox(username string) string { return l.Actor(username) + "/outbox" }

// Followers implements URLs.
func (l *Layout) Followers(username string) string { return l.Actor(username) + "/followers" }

// Following implements URLs.
func (l *Layout) Following(username string) string { return l.Actor(username) + "/following" }

// Featured implements URLs.
func (l *Layout) Featured(username string) string {
	return l.Actor(username) + "/collections/featured"
}

// FeaturedTags implements URLs.
func (l *Layout) FeaturedTags(username string) string { return l.Actor(username) + "/collections/tags" }

// PublicKey implements URLs.
func (l *Layout) PublicKey(username string) string { return l.Actor(username) + "#main-key" }

// SharedInbox implements URLs.
func (l *Layout) SharedInbox() string { return l.join("/inbox") }

// InstanceActor implements URLs.
func (l *Layout) InstanceActor() string { return l.join("/actor") }

// Status implements URLs.
func (l *Layout) Status(username string, id storage.ID) string {
	return l.Actor(username) + "/statuses/" + id.String()
}

// StatusPage implements URLs.
func (l *Layout) StatusPage(username string, id storage.ID) string {
	return l.Profile(username) + "/" + id.String()
}

// Tag implements URLs.
func (l *Layout) Tag(name string) string {
	return l.join("/tags/" + url.PathEscape(strings.ToLower(name)))
}
