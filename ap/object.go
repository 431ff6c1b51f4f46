package ap

import (
	"encoding/json"
	"time"
)

// Object is one ActivityStreams document or embedded value: an object (Note,
// Question, Article…), an actor (Person, Group…), an activity (Create,
// Follow…), a link (Link, Mention, Hashtag), a tag (Emoji), an attachment
// (Document, Image, PropertyValue) or a collection (OrderedCollection…).
//
// One flat struct serves every kind, because peers mix them freely (an
// attachment may be a Link or a Document, a Question is an object with poll
// fields, an unknown type must still decode). Fields that do not apply to a
// Type are simply left empty. Absent values are zero values: "" for strings,
// nil for slices, maps and pointers, the zero time.Time, false, 0.
//
// Unknown holds every property the codec does not model, as compact raw JSON
// keyed by the property name exactly as received; Encode writes them back, so
// a decode/encode round trip loses nothing the codec did not understand.
type Object struct {
	// LDContext is the raw "@context" value as received (nil when absent).
	// Encode ignores it on the top-level object (it writes Herd's own
	// context, see Encode) and writes it back verbatim on embedded objects.
	LDContext json.RawMessage

	// ID is the object's IRI ("id"); empty for anonymous values such as
	// Mastodon's tags and attachments.
	ID string
	// Type is the first (usually the only) value of "type", with the
	// prefixes "as:", "toot:", "schema:" and the Activity Streams namespace
	// IRI stripped ("as:Hashtag" → "Hashtag"). See the Type… constants.
	Type string
	// AltTypes holds any further values when "type" was an array.
	AltTypes []string

	// Natural-language properties. XMap holds the language-tagged variants
	// ("contentMap": {"en": "…"}); X holds the plain value.
	Name       string
	NameMap    map[string]string
	Summary    string // content warning for Mastodon statuses; bio (HTML) for actors
	SummaryMap map[string]string
	Content    string // HTML unless MediaType says otherwise
	ContentMap map[string]string
	// MediaType of Content, or of the resource for Documents and Links.
	MediaType string
	// Source is the markup the content was rendered from ({content, mediaType}).
	Source *Source

	// Relations and timestamps.
	AttributedTo Refs // author(s); PeerTube sends [Person, Group]
	InReplyTo    Ref
	Context      Ref // AS "context" (conversation), not "@context"
	Published    time.Time
	Updated      time.Time
	StartTime    time.Time
	EndTime      time.Time // also the closing time of a poll
	// URL is "url": one or more IRIs or Link objects (PeerTube sends an array
	// of Links with mediaType). See (*Object).URLString.
	URL Refs

	// Addressing, always as IRIs (embedded objects contribute their id).
	To       []string
	Cc       []string
	Bto      []string
	Bcc      []string
	Audience []string // Lemmy: the community a post belongs to

	// Attachment and Tag: Documents/Images/PropertyValues and
	// Mention/Hashtag/Emoji values, usually embedded.
	Attachment Refs
	Tag        Refs
	// Icon and Image: an actor's avatar and header, an Emoji's image, a
	// link preview (usually one embedded Image; PeerTube sends several
	// thumbnails). Icon.Obj() is the first embedded one.
	Icon  Refs
	Image Refs

	Replies Ref
	Likes   Ref
	Shares  Ref

	// Mastodon/as: extensions on objects.
	Sensitive  bool      // as:sensitive
	Blurhash   string    // toot:blurhash (attachments)
	FocalPoint []float64 // toot:focalPoint [x, y] in [-1, 1]
	Width      int
	Height     int

	// Link properties (Link, Mention, Hashtag; url entries).
	Href string
	Rel  []string

	// PropertyValue (profile field): Name is the label, Value the HTML value.
	Value string

	// Quotes: FEP-044f "quote" plus the older variants. See (*Object).QuoteIRI.
	Quote              string // FEP-044f / Mastodon 4.4+
	QuoteAuthorization string // FEP-044f approval stamp
	QuoteURI           string // "quoteUri" (Fedibird, Mastodon forks)
	MisskeyQuote       string // "_misskey_quote" (Misskey, Sharkey, Firefish)
	QuoteURL           string // "quoteUrl" (Pleroma, Akkoma)

	// Question (poll) properties. Each option is an embedded Note whose Name
	// is the option text and whose *Replies.Obj.TotalItems is its vote count;
	// see (*Object).PollOptions.
	OneOf       Refs
	AnyOf       Refs
	Closed      time.Time // "closed" given as a datetime
	ClosedFlag  bool      // "closed": true without a datetime
	VotersCount *int      // toot:votersCount; nil when absent

	// Activity properties.
	Actor  Ref
	Object Refs // one value for almost every activity; Flag lists several
	Target Ref  // Add/Remove: the collection; Move: the new account
	Origin Ref

	// Actor properties.
	PreferredUsername         string
	Inbox                     string
	Outbox                    string
	Followers                 string
	Following                 string
	Featured                  string // toot:featured (pinned posts collection)
	FeaturedTags              string // toot:featuredTags
	Endpoints                 *Endpoints
	PublicKey                 *PublicKey
	ManuallyApprovesFollowers bool
	Discoverable              bool     // toot:discoverable
	Indexable                 bool     // toot:indexable
	Memorial                  bool     // toot:memorial
	Suspended                 bool     // toot:suspended
	AlsoKnownAs               []string // as:alsoKnownAs
	MovedTo                   string   // as:movedTo
	AttributionDomains        []string // toot:attributionDomains

	// Collection properties (Collection, OrderedCollection and their pages).
	TotalItems   *int // nil when absent; build with new(n)
	First        Ref
	Last         Ref
	Next         Ref
	Prev         Ref
	PartOf       Ref
	Items        Refs
	OrderedItems Refs

	// Tombstone properties.
	FormerType string
	Deleted    time.Time

	// Unknown maps each property the codec does not model to its raw,
	// compacted JSON value.
	Unknown map[string]json.RawMessage
}

// Source is the "source" property: the markup Content was rendered from.
type Source struct {
	Content   string
	MediaType string
}

// PublicKey is the security/v1 "publicKey" of an actor.
type PublicKey struct {
	ID           string // key IRI, used as keyId in HTTP signatures
	Owner        string // the actor IRI
	PublicKeyPem string // PEM-encoded SPKI public key
	// Unknown holds any other property of the key as raw JSON.
	Unknown map[string]json.RawMessage
}

// Endpoints is the "endpoints" object of an actor.
type Endpoints struct {
	SharedInbox string
	// Unknown holds any other endpoint (oauthAuthorizationEndpoint,
	// uploadMedia…) as raw JSON.
	Unknown map[string]json.RawMessage
}

// Ref is a value that is either a bare IRI or an embedded object, such as
// the "object" of an activity or the "inReplyTo" of a note. At most one of
// IRI and Obj is set; the zero Ref is "absent".
type Ref struct {
	IRI string
	Obj *Object
}

// IRIRef returns a Ref holding the bare IRI iri.
func IRIRef(iri string) Ref { return Ref{IRI: iri} }

// Embed returns a Ref holding the embedded object o.
func Embed(o *Object) Ref { return Ref{Obj: o} }

// IsZero reports whether r holds nothing.
func (r Ref) IsZero() bool { return r.IRI == "" && r.Obj == nil }

// ID returns the IRI r refers to: the bare IRI, or the embedded object's id,
// or, for an embedded Link without id, its href. It returns "" when r is
// absent or refers to an anonymous object.
func (r Ref) ID() string {
	if r.Obj != nil {
		if r.Obj.ID != "" {
			return r.Obj.ID
		}
		return r.Obj.Href
	}
	return r.IRI
}

// IRIOf returns the IRI that an "embedded object or IRI" value refers to;
// it is r.ID().
func IRIOf(r Ref) string { return r.ID() }

// Refs is a property that may hold several Ref values (JSON-LD allows a
// single value or an array for any property; both decode to Refs).
type Refs []Ref

// First returns the first value, or the zero Ref when rs is empty.
func (rs Refs) First() Ref {
	if len(rs) == 0 {
		return Ref{}
	}
	return rs[0]
}

// ID returns the IRI of the first value (see Ref.ID).
func (rs Refs) ID() string { return rs.First().ID() }

// Obj returns the first embedded object, or nil.
func (rs Refs) Obj() *Object {
	for _, r := range rs {
		if r.Obj != nil {
			return r.Obj
		}
	}
	return nil
}

// IRIs returns the non-empty IRIs of all values, in order.
func (rs Refs) IRIs() []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if id := r.ID(); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// Objects returns the embedded objects, in order, skipping bare IRIs.
func (rs Refs) Objects() []*Object {
	out := make([]*Object, 0, len(rs))
	for _, r := range rs {
		if r.Obj != nil {
			out = append(out, r.Obj)
		}
	}
	return out
}

// Contains reports whether one of the values refers to iri.
func (rs Refs) Contains(iri string) bool {
	for _, r := range rs {
		if r.ID() == iri {
			return true
		}
	}
	return false
}

// QuoteIRI returns the IRI of the quoted post, checking in order the
// FEP-044f "quote", "quoteUri", "_misskey_quote", "quoteUrl", and finally a
// FEP-e232 object link in tag whose rel marks a quote. It returns "" for a
// nil object or when none is set.
func (o *Object) QuoteIRI() string {
	if o == nil {
		return ""
	}
	for _, q := range [...]string{o.Quote, o.QuoteURI, o.MisskeyQuote, o.QuoteURL} {
		if q != "" {
			return q
		}
	}
	// FEP-e232 object link tagged as a quote.
	for _, r := range o.Tag {
		if l := r.Obj; l != nil && l.Href != "" && IsActivityPubMediaType(l.MediaType) {
			for _, rel := range l.Rel {
				if rel == "https://misskey-hub.net/ns#_misskey_quote" || rel == "https://w3id.org/fep/044f#quote" {
					return l.Href
				}
			}
		}
	}
	return ""
}

// URLString returns the best human-facing URL of o: the first bare IRI or
// the href of the first Link whose mediaType is text/html (or unset), else
// the first URL at all. It returns "" when o is nil or has no url.
func (o *Object) URLString() string {
	if o == nil {
		return ""
	}
	for _, r := range o.URL {
		if r.Obj == nil || r.Obj.MediaType == "" || r.Obj.MediaType == "text/html" {
			if id := r.ID(); id != "" {
				return id
			}
		}
	}
	return o.URL.ID()
}

// SharedInbox returns endpoints.sharedInbox, or "".
func (o *Object) SharedInbox() string {
	if o == nil || o.Endpoints == nil {
		return ""
	}
	return o.Endpoints.SharedInbox
}

// PollOption is one choice of a Question.
type PollOption struct {
	Name  string
	Votes int
}

// PollOptions returns the choices of a Question (from oneOf, else anyOf)
// with their vote counts (replies.totalItems), and whether several choices
// may be selected (anyOf). Options given as bare IRIs are skipped.
func (o *Object) PollOptions() (options []PollOption, multiple bool) {
	if o == nil {
		return nil, false
	}
	src := o.OneOf
	if len(src) == 0 && len(o.AnyOf) > 0 {
		src, multiple = o.AnyOf, true
	}
	for _, r := range src {
		if r.Obj == nil {
			continue
		}
		opt := PollOption{Name: r.Obj.Name}
		if rep := r.Obj.Replies.Obj; rep != nil && rep.TotalItems != nil {
			opt.Votes = *rep.TotalItems
		}
		options = append(options, opt)
	}
	return options, multiple
}

// PollChoice builds an embedded poll option (a Note named name with a
// replies collection of votes items) for Question.OneOf or Question.AnyOf.
func PollChoice(name string, votes int) Ref {
	return Embed(&Object{
		Type:    TypeNote,
		Name:    name,
		Replies: Embed(&Object{Type: TypeCollection, TotalItems: &votes}),
	})
}

// IsClosed reports whether a poll is closed: "closed" is set, or endTime is
// before now.
func (o *Object) IsClosed(now time.Time) bool {
	if o == nil {
		return false
	}
	if o.ClosedFlag || !o.Closed.IsZero() {
		return true
	}
	return !o.EndTime.IsZero() && o.EndTime.Before(now)
}

// IsActivity reports whether o's Type is an activity type (see IsActivityType).
func (o *Object) IsActivity() bool { return o != nil && IsActivityType(o.Type) }

// IsActor reports whether o's Type is an actor type (see IsActorType).
func (o *Object) IsActor() bool { return o != nil && IsActorType(o.Type) }

// IsCollection reports whether o's Type is a collection or collection page.
func (o *Object) IsCollection() bool { return o != nil && IsCollectionType(o.Type) }

// CollectionItems returns OrderedItems, or Items when OrderedItems is empty.
func (o *Object) CollectionItems() Refs {
	if o == nil {
		return nil
	}
	if len(o.OrderedItems) > 0 {
		return o.OrderedItems
	}
	return o.Items
}
