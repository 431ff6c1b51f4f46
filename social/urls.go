package social

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// URLs lays out the public addresses of a server's actors and objects,
// derived from its public base URL (such as https://example.com).
type URLs struct {
	base *url.URL
	// The base URL and the default images as strings, rendered once: they
	// go into every account rendered.
	baseStr, avatar, header string
}

// NewURLs parses the public base URL. It must be absolute (http or https)
// with no path, query or fragment.
func NewURLs(publicURL string) (*URLs, error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("public url %q: %w", publicURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("public url %q: want http(s)://host[:port]", publicURL)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("public url %q: must not have a path, query, fragment or user info", publicURL)
	}
	u.Path = ""
	u.Host = strings.ToLower(u.Host)
	out := &URLs{base: u, baseStr: u.String()}
	out.avatar, out.header = out.join("/static/avatar.png"), out.join("/static/header.png")
	return out, nil
}

// Base returns the base URL, e.g. https://example.com.
func (u *URLs) Base() string { return u.baseStr }

// Host returns host[:port] of the base URL: the domain part of handles.
func (u *URLs) Host() string { return u.base.Host }

// Scheme returns http or https.
func (u *URLs) Scheme() string { return u.base.Scheme }

func (u *URLs) join(p string) string { return u.baseStr + p }

// Actor is the ActivityPub id of a local user.
func (u *URLs) Actor(username string) string { return u.join("/users/" + url.PathEscape(username)) }

// Profile is the HTML profile page of a local user.
func (u *URLs) Profile(username string) string { return u.join("/@" + url.PathEscape(username)) }

// Inbox is the personal inbox of a local user.
func (u *URLs) Inbox(username string) string { return u.Actor(username) + "/inbox" }

// Outbox is the outbox collection of a local user.
func (u *URLs) Outbox(username string) string { return u.Actor(username) + "/outbox" }

// Followers is the followers collection of a local user.
func (u *URLs) Followers(username string) string { return u.Actor(username) + "/followers" }

// Following is the following collection of a local user.
func (u *URLs) Following(username string) string { return u.Actor(username) + "/following" }

// Featured is the collection of a local user's pinned statuses.
func (u *URLs) Featured(username string) string { return u.Actor(username) + "/collections/featured" }

// FeaturedTags is the collection of a local user's featured hashtags.
func (u *URLs) FeaturedTags(username string) string { return u.Actor(username) + "/collections/tags" }

// PublicKey is the id of a local user's public key.
func (u *URLs) PublicKey(username string) string { return u.Actor(username) + "#main-key" }

// SharedInbox is the server's shared inbox.
func (u *URLs) SharedInbox() string { return u.join("/inbox") }

// InstanceActor is the id of the server's own actor, which signs fetches.
func (u *URLs) InstanceActor() string { return u.join("/actor") }

// Status is the ActivityPub id of a local status.
func (u *URLs) Status(username string, id storage.ID) string {
	return u.Actor(username) + "/statuses/" + id.String()
}

// StatusPage is the HTML page of a local status.
func (u *URLs) StatusPage(username string, id storage.ID) string {
	return u.Profile(username) + "/" + id.String()
}

// Activity is the id of an activity about a local status or actor, such as
// a Create ("…/statuses/1/activity") or a Like ("…#likes/1").
func (u *URLs) Activity(username, kind string, id storage.ID) string {
	return u.Actor(username) + "#" + kind + "/" + id.String()
}

// Tag is the HTML page of a hashtag.
func (u *URLs) Tag(name string) string {
	return u.join("/tags/" + url.PathEscape(strings.ToLower(name)))
}

// Media is the public URL of a stored media file.
func (u *URLs) Media(key string) string { return u.join("/media/" + key) }

// Emoji is the ActivityPub id of a local custom emoji (served as an
// Emoji object).
func (u *URLs) Emoji(id storage.ID) string { return u.join("/emojis/" + id.String()) }

// DefaultAvatar and DefaultHeader are served for accounts without images.
func (u *URLs) DefaultAvatar() string { return u.avatar }

// DefaultHeader is served for accounts without a header image.
func (u *URLs) DefaultHeader() string { return u.header }

var _ federation.URLs = (*URLs)(nil)
