package webfinger

import (
	"mime"
	"strings"
)

// Link relations and media types used with WebFinger on the Fediverse.
const (
	RelSelf          = "self"
	RelProfilePage   = "http://webfinger.net/rel/profile-page"
	RelAvatar        = "http://webfinger.net/rel/avatar"
	RelSubscribe     = "http://ostatus.org/schema/1.0/subscribe" // remote follow, with a template
	RelLRDD          = "lrdd"
	MediaTypeJRD     = "application/jrd+json"
	MediaTypeXRD     = "application/xrd+xml"
	MediaTypeAS      = "application/activity+json"
	MediaTypeLDAS    = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	MediaTypeHTML    = "text/html"
	wellKnownPath    = "/.well-known/webfinger"
	hostMetaPath     = "/.well-known/host-meta"
	hostMetaJSONPath = "/.well-known/host-meta.json"
)

// JRD is a JSON Resource Descriptor (RFC 7033 §4.4).
type JRD struct {
	Subject string   `json:"subject,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// Properties values may be null, hence *string.
	Properties map[string]*string `json:"properties,omitempty"`
	Links      []Link             `json:"links,omitempty"`
}

// Link is one link of a JRD.
type Link struct {
	Rel        string             `json:"rel"`
	Type       string             `json:"type,omitempty"`
	Href       string             `json:"href,omitempty"`
	Template   string             `json:"template,omitempty"`
	Titles     map[string]string  `json:"titles,omitempty"`
	Properties map[string]*string `json:"properties,omitempty"`
}

// ActorURL returns the href of the rel="self" link whose type is an
// ActivityPub media type (application/activity+json, or application/ld+json
// with any profile), or "" when there is none.
func (j *JRD) ActorURL() string {
	if j == nil {
		return ""
	}
	for _, l := range j.Links {
		if l.Rel == RelSelf && l.Href != "" && IsActivityPubMediaType(l.Type) {
			return l.Href
		}
	}
	return ""
}

// ProfileURL returns the href of the profile-page link, or "".
func (j *JRD) ProfileURL() string {
	if l := j.Link(RelProfilePage); l != nil {
		return l.Href
	}
	return ""
}

// Link returns the first link with the given rel, or nil.
func (j *JRD) Link(rel string) *Link {
	if j == nil {
		return nil
	}
	for i := range j.Links {
		if j.Links[i].Rel == rel {
			return &j.Links[i]
		}
	}
	return nil
}

// IsActivityPubMediaType reports whether t names an ActivityPub document:
// application/activity+json or application/ld+json.
func IsActivityPubMediaType(t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	if err != nil {
		mt, _, _ = strings.Cut(t, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt == "application/activity+json" || mt == "application/ld+json"
}

// filterRels returns a copy of j keeping only links whose rel is in rels
// (RFC 7033 §4.3); with no rels it returns j unchanged.
func filterRels(j *JRD, rels []string) *JRD {
	if len(rels) == 0 {
		return j
	}
	out := *j
	out.Links = nil
	for _, l := range j.Links {
		for _, r := range rels {
			if l.Rel == r {
				out.Links = append(out.Links, l)
				break
			}
		}
	}
	return &out
}
