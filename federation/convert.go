package federation

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// Keys of storage.Account.Extra and storage.Status.Extra that the
// converters read and write.
const (
	// ExtraMovedTo holds the actor IRI an account moved to (as:movedTo), as
	// a JSON string, until the application resolves it into MovedToID.
	ExtraMovedTo = "moved_to_uri"
	// ExtraFeaturedTags holds the IRI of a remote actor's featuredTags
	// collection, as a JSON string.
	ExtraFeaturedTags = "featured_tags_uri"
	// ExtraAttributionDomains holds toot:attributionDomains, as a JSON array.
	ExtraAttributionDomains = "attribution_domains"
	// ExtraQuote holds the IRI of the post a remote status quotes, as a JSON
	// string.
	ExtraQuote = "quote_uri"
)

// ErrNotActor is returned (wrapped) by ActorToAccount and the Resolver when
// a document is not an actor.
var ErrNotActor = errors.New("federation: document is not an actor")

// AccountToActor renders a local account as the actor document Mastodon
// publishes: type, preferredUsername, name, summary, url, icon, image,
// inbox, outbox, followers, following, featured, featuredTags,
// endpoints.sharedInbox, publicKey, manuallyApprovesFollowers, discoverable,
// indexable, memorial, suspended, published (the creation day, as Mastodon
// rounds it), PropertyValue attachments, alsoKnownAs, movedTo and Emoji
// tags. Addresses come from the account's stored URIs, falling back to urls
// (which may be nil when every URI is stored). movedTo is the IRI of the
// account it moved to, or "" (the caller resolves MovedToID, or leaves
// Extra[ExtraMovedTo]). A suspended account is rendered without its profile,
// as Mastodon does.
func AccountToActor(a *storage.Account, urls URLs, movedTo string) *ap.Object {
	// Missing addresses are filled in from urls only for accounts laid out
	// by it (not, say, the instance actor).
	laidOut := urls != nil && (a.URI == "" || a.URI == urls.Actor(a.Username))
	or := func(v string, f func(string) string) string {
		if v != "" || !laidOut {
			return v
		}
		return f(a.Username)
	}
	o := &ap.Object{
		ID:                        or(a.URI, urlsFn(urls, URLs.Actor)),
		Type:                      string(a.ActorType),
		PreferredUsername:         a.Username,
		Inbox:                     or(a.InboxURI, urlsFn(urls, URLs.Inbox)),
		Outbox:                    or(a.OutboxURI, urlsFn(urls, URLs.Outbox)),
		Followers:                 or(a.FollowersURI, urlsFn(urls, URLs.Followers)),
		Following:                 or(a.FollowingURI, urlsFn(urls, URLs.Following)),
		Featured:                  or(a.FeaturedURI, urlsFn(urls, URLs.Featured)),
		ManuallyApprovesFollowers: a.Locked,
		Discoverable:              a.Discoverable,
		Indexable:                 a.Indexable,
		Memorial:                  a.Memorial,
		Suspended:                 a.SuspendedAt != nil,
		AlsoKnownAs:               slices.Clone([]string(a.AlsoKnownAs)),
		MovedTo:                   movedTo,
	}
	if o.Type == "" {
		o.Type = ap.TypePerson
		if a.Bot {
			o.Type = ap.TypeService
		}
	}
	if laidOut {
		o.FeaturedTags = urls.FeaturedTags(a.Username)
	} else {
		o.FeaturedTags = extraString(a.Extra, ExtraFeaturedTags)
	}
	if a.URL != "" {
		o.URL = ap.Refs{ap.IRIRef(a.URL)}
	} else if laidOut {
		o.URL = ap.Refs{ap.IRIRef(urls.Profile(a.Username))}
	}
	if si := or(a.SharedInboxURI, urlsFn(urls, func(u URLs, _ string) string { return u.SharedInbox() })); si != "" {
		o.Endpoints = &ap.Endpoints{SharedInbox: si}
	}
	if a.PublicKeyPEM != "" {
		o.PublicKey = &ap.PublicKey{ID: or(a.PublicKeyID, urlsFn(urls, URLs.PublicKey)), Owner: o.ID, PublicKeyPem: a.PublicKeyPEM}
	}
	if !a.CreatedAt.IsZero() {
		c := a.CreatedAt.UTC()
		o.Published = time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
	}
	if o.Suspended {
		// Mastodon keeps only what federation needs of a suspended account.
		return o
	}
	o.Name = a.DisplayName
	o.Summary = a.Note
	if u := a.AvatarURL; u != "" {
		o.Icon = ap.Refs{ap.Embed(imageObject(u))}
	}
	if u := a.HeaderURL; u != "" {
		o.Image = ap.Refs{ap.Embed(imageObject(u))}
	}
	for _, f := range a.Fields {
		o.Attachment = append(o.Attachment, ap.Embed(&ap.Object{Type: ap.TypePropertyValue, Name: f.Name, Value: f.Value}))
	}
	o.Tag = emojiTags(a.Emojis)
	if v := extraStrings(a.Extra, ExtraAttributionDomains); len(v) > 0 {
		o.AttributionDomains = v
	}
	return o
}

func urlsFn(urls URLs, f func(URLs, string) string) func(string) string {
	return func(name string) string {
		if urls == nil {
			return ""
		}
		return f(urls, name)
	}
}

func imageObject(u string) *ap.Object {
	return &ap.Object{Type: ap.TypeImage, MediaType: mediaTypeOf(u), URL: ap.Refs{ap.IRIRef(u)}}
}

func mediaTypeOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	mt := mime.TypeByExtension(strings.ToLower(path.Ext(p.Path)))
	mt, _, _ = strings.Cut(mt, ";")
	return mt
}

func emojiTags(es storage.Emojis) ap.Refs {
	var out ap.Refs
	for _, e := range es {
		out = append(out, ap.Embed(&ap.Object{
			ID:      e.URI,
			Type:    ap.TypeEmoji,
			Name:    ":" + strings.Trim(e.Shortcode, ":") + ":",
			Updated: e.UpdatedAt,
			Icon:    ap.Refs{ap.Embed(imageObject(e.URL))},
		}))
	}
	return out
}

// ActorToAccount converts a remote actor document into an account record
// (without ID, counters or FetchedAt): username from preferredUsername (or
// the last path segment of the id), domain = host[:port] of the id,
// addresses, key, profile fields, avatar and header URLs, locked, bot
// (Service and Application actors), discoverable, indexable, memorial,
// alsoKnownAs, and movedTo in Extra[ExtraMovedTo]. HTML (summary, field
// values, name) is copied as received: sanitising it is the caller's job.
func ActorToAccount(o *ap.Object) (*storage.Account, error) {
	if o == nil || !o.IsActor() {
		t := ""
		if o != nil {
			t = o.Type
		}
		return nil, fmt.Errorf("%w: type %q", ErrNotActor, t)
	}
	u, err := url.Parse(o.ID)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%w: id %q is not an http(s) IRI", ErrNotActor, o.ID)
	}
	if o.Inbox == "" {
		return nil, fmt.Errorf("%w: %s has no inbox", ErrNotActor, o.ID)
	}
	username := strings.TrimSpace(o.PreferredUsername)
	if username == "" {
		username = path.Base(strings.TrimRight(u.Path, "/"))
	}
	if username == "" || username == "." || username == "/" || strings.ContainsAny(username, "@ \t\r\n") {
		return nil, fmt.Errorf("%w: %s has no usable preferredUsername", ErrNotActor, o.ID)
	}
	a := &storage.Account{
		Username:       username,
		Domain:         strings.ToLower(u.Host),
		DisplayName:    o.Name,
		Note:           o.Summary,
		URI:            o.ID,
		URL:            o.URLString(),
		InboxURI:       o.Inbox,
		OutboxURI:      o.Outbox,
		SharedInboxURI: o.SharedInbox(),
		FollowersURI:   o.Followers,
		FollowingURI:   o.Following,
		FeaturedURI:    o.Featured,
		ActorType:      storage.ActorType(o.Type),
		Locked:         o.ManuallyApprovesFollowers,
		Bot:            o.Type == ap.TypeService || o.Type == ap.TypeApplication,
		Discoverable:   o.Discoverable,
		Indexable:      o.Indexable,
		Memorial:       o.Memorial,
		AlsoKnownAs:    storage.Strings(slices.Clone(o.AlsoKnownAs)),
		Fields:         storage.Fields{},
		Emojis:         storage.Emojis{},
		Extra:          storage.Extra{},
	}
	if a.URL == "" {
		a.URL = o.ID
	}
	if a.AlsoKnownAs == nil {
		a.AlsoKnownAs = storage.Strings{}
	}
	if pk := o.PublicKey; pk != nil {
		a.PublicKeyID, a.PublicKeyPEM = pk.ID, pk.PublicKeyPem
	}
	if img := imageURL(o.Icon); img != "" {
		a.AvatarURL, a.AvatarRemoteURL = img, img
	}
	if img := imageURL(o.Image); img != "" {
		a.HeaderURL, a.HeaderRemoteURL = img, img
	}
	for _, att := range o.Attachment.Objects() {
		if att.Type == ap.TypePropertyValue && att.Name != "" {
			a.Fields = append(a.Fields, storage.Field{Name: att.Name, Value: att.Value})
		}
	}
	a.Emojis = emojisOf(o.Tag)
	if o.MovedTo != "" {
		a.Extra[ExtraMovedTo] = jsonString(o.MovedTo)
	}
	if o.FeaturedTags != "" {
		a.Extra[ExtraFeaturedTags] = jsonString(o.FeaturedTags)
	}
	if len(o.AttributionDomains) > 0 {
		a.Extra[ExtraAttributionDomains] = jsonStrings(o.AttributionDomains)
	}
	if o.Suspended {
		now := time.Now().UTC()
		a.SuspendedAt = &now
	}
	return a, nil
}

// imageURL returns the URL of the first image of an icon/image property.
func imageURL(rs ap.Refs) string {
	for _, r := range rs {
		if r.Obj == nil {
			if r.IRI != "" {
				return r.IRI
			}
			continue
		}
		if u := r.Obj.URLString(); u != "" {
			return u
		}
		if r.Obj.Href != "" {
			return r.Obj.Href
		}
	}
	return ""
}

// emojisOf reads the Emoji tags of a remote object. The shortcodes and
// URLs are shown to clients, which put them in HTML (Mastodon's web app
// writes the URL into an img src as it is): a tag whose name is not a
// valid shortcode (storage.ValidShortcode), whose image is not an
// http(s) URL, or whose id is neither empty nor an http(s) IRI is
// dropped, and the URLs kept are the parsed, re-escaped ones. A shortcode
// counts once, and at most maxEmojiTags are read: each one is a row the
// receiver may record (social.Service.RememberRemoteEmojis).
func emojisOf(tags ap.Refs) storage.Emojis {
	out := storage.Emojis{}
	seen := map[string]bool{}
	for _, t := range tags.Objects() {
		if t.Type != ap.TypeEmoji {
			continue
		}
		if len(out) == maxEmojiTags {
			break
		}
		sc := strings.TrimSuffix(strings.TrimPrefix(t.Name, ":"), ":")
		img, ok := emojiURL(imageURL(t.Icon))
		if !ok || img == "" || !storage.ValidShortcode(sc) || seen[sc] {
			continue
		}
		seen[sc] = true
		id, ok := emojiURL(t.ID)
		if !ok {
			continue
		}
		out = append(out, storage.Emoji{Shortcode: sc, URL: img, StaticURL: img, URI: id, UpdatedAt: t.Updated})
	}
	return out
}

// maxEmojiURL bounds the URLs of a remote emoji.
const maxEmojiURL = 2048

// maxEmojiTags bounds the Emoji tags read from one object.
const maxEmojiTags = 200

// emojiURL checks a remote emoji's URL or id: "" is kept as it is, and
// anything else must be an absolute http(s) URL of at most maxEmojiURL
// bytes; it comes back re-encoded (quotes, spaces and other characters
// that could end an HTML attribute escaped).
func emojiURL(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if len(s) > maxEmojiURL {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", false
	}
	out := u.String()
	if len(out) > maxEmojiURL || strings.ContainsAny(out, "\"<>'` \t\r\n") {
		return "", false
	}
	return out, true
}

// StatusToNote renders a local status as the Note Mastodon publishes: id,
// attributedTo, content (and contentMap when the language is known),
// summary (the content warning), sensitive, to/cc from the visibility (see
// ap.Addressing), inReplyTo, published, updated (when edited), url, and
// Mention, Hashtag and Emoji tags. Media attachments, polls and the
// conversation IRI are not rendered yet. urls gives hashtag pages (may be
// nil: tags then point nowhere).
func StatusToNote(s *storage.Status, author *storage.Account, urls URLs) *ap.Object {
	mentions := make([]string, 0, len(s.Mentions))
	for _, m := range s.Mentions {
		if m.URI != "" {
			mentions = append(mentions, m.URI)
		}
	}
	to, cc := ap.Addressing(ap.Visibility(s.Visibility), author.FollowersURI, mentions)
	o := &ap.Object{
		ID:           s.URI,
		Type:         ap.TypeNote,
		AttributedTo: ap.Refs{ap.IRIRef(author.URI)},
		Content:      s.Content,
		Summary:      s.SpoilerText,
		Sensitive:    s.Sensitive || s.SpoilerText != "",
		Published:    s.CreatedAt.UTC().Truncate(time.Second),
		To:           to,
		Cc:           cc,
	}
	if s.Language != "" && s.Content != "" {
		o.ContentMap = map[string]string{s.Language: s.Content}
	}
	if s.InReplyToURI != "" {
		o.InReplyTo = ap.IRIRef(s.InReplyToURI)
	}
	if s.EditedAt != nil {
		o.Updated = s.EditedAt.UTC().Truncate(time.Second)
	}
	if s.URL != "" {
		o.URL = ap.Refs{ap.IRIRef(s.URL)}
	}
	for _, m := range s.Mentions {
		if m.URI == "" {
			continue
		}
		o.Tag = append(o.Tag, ap.Embed(&ap.Object{Type: ap.TypeMention, Href: m.URI, Name: "@" + m.Acct}))
	}
	for _, t := range s.Tags {
		h := &ap.Object{Type: ap.TypeHashtag, Name: "#" + t}
		if urls != nil {
			h.Href = urls.Tag(t)
		}
		o.Tag = append(o.Tag, ap.Embed(h))
	}
	o.Tag = append(o.Tag, emojiTags(s.Emojis)...)
	if o.Tag == nil {
		o.Tag = ap.Refs{}
	}
	o.Attachment = ap.Refs{}
	return o
}

// NoteToStatus converts an inbound post (Note, Question, Article, Page …) by
// author into a status record (without ID, counters or local references):
// URI, URL, InReplyToURI, content, spoiler, sensitive, visibility from the
// addressing, language (from a single-language contentMap), mentions (by
// URI and name; AccountID left zero for the caller to resolve), hashtags
// (lower-case, without '#'), emojis, timestamps, and a quote IRI in
// Extra[ExtraQuote]. Content is copied as received: the caller must sanitise
// the HTML before showing it to anyone.
func NoteToStatus(o *ap.Object, author *storage.Account) (*storage.Status, error) {
	if o == nil || !ap.IsPostType(o.Type) {
		t := ""
		if o != nil {
			t = o.Type
		}
		return nil, fmt.Errorf("federation: note to status: type %q is not a post", t)
	}
	if o.ID == "" {
		return nil, fmt.Errorf("federation: note to status: missing id")
	}
	s := &storage.Status{
		URI:          o.ID,
		URL:          o.URLString(),
		AccountID:    author.ID,
		InReplyToURI: o.InReplyTo.ID(),
		Content:      o.Content,
		SpoilerText:  o.Summary,
		Sensitive:    o.Sensitive,
		Visibility:   storage.Visibility(o.Visibility(author.FollowersURI)),
		Mentions:     storage.Mentions{},
		Tags:         storage.Strings{},
		Emojis:       emojisOf(o.Tag),
		MediaIDs:     storage.IDs{},
		Extra:        storage.Extra{},
		CreatedAt:    o.Published.UTC(),
	}
	if s.URL == "" {
		s.URL = o.ID
	}
	if s.Content == "" && len(o.ContentMap) > 0 {
		for _, k := range sortedKeys(o.ContentMap) {
			s.Content = o.ContentMap[k]
			break
		}
	}
	if s.Content == "" && o.Type != ap.TypeNote && o.Name != "" {
		// Articles, Pages, Videos: show the title (and the link, by URL).
		s.Content = "<p>" + htmlEscape(o.Name) + "</p>"
	}
	if len(o.ContentMap) == 1 {
		for k := range o.ContentMap {
			s.Language = k
		}
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	if !o.Updated.IsZero() && o.Updated.After(s.CreatedAt) {
		t := o.Updated.UTC()
		s.EditedAt = &t
	}
	for _, t := range o.Tag.Objects() {
		switch t.Type {
		case ap.TypeMention:
			if t.Href == "" {
				continue
			}
			acct := strings.TrimPrefix(t.Name, "@")
			user, _, _ := strings.Cut(acct, "@")
			s.Mentions = append(s.Mentions, storage.Mention{Username: user, Acct: acct, URI: t.Href, URL: t.Href})
		case ap.TypeHashtag:
			name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t.Name), "#"))
			if name != "" && !slices.Contains(s.Tags, name) {
				s.Tags = append(s.Tags, name)
			}
		}
	}
	if q := o.QuoteIRI(); q != "" {
		s.Extra[ExtraQuote] = jsonString(q)
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}
