// Package ap is Herd's ActivityPub vocabulary and wire codec: the Go types
// for Activity Streams documents with the Mastodon, Misskey, Pleroma and FEP
// extensions, a decoder that accepts what real peers send, an encoder that
// writes what Mastodon expects, and the small helpers that federation code
// needs around them (addressing and visibility, origins, media types).
//
// # Reading documents
//
// Decode parses any ActivityStreams JSON(-LD) document into an *Object:
//
//	act, err := ap.Decode(body)          // bounded: depth, size, array length
//	if err != nil { … }                  // errors.Is(err, ap.ErrSyntax) …
//	if err := act.ValidateActivity(); err != nil { … } // id, type, actor (, object)
//	switch act.Type {
//	case ap.TypeCreate:
//		note := act.Object.Obj()         // embedded object, or nil for a bare IRI
//		iri := act.Object.ID()           // IRI either way
//		vis := note.Visibility(followersOf(act.Actor.ID()))
//		…
//	}
//
// One flat Object type serves objects, actors, activities, links, tags and
// collections; fields that do not apply to a Type stay empty. Values that
// may be "an embedded object or an IRI" are Ref (one value: Actor,
// InReplyTo, Target, Replies, First…) or Refs (possibly several: Object,
// AttributedTo, URL, Tag, Attachment, Icon, Image, OneOf…). Read them with
// Ref.ID / IRIOf (the IRI), Ref.Obj (the embedded object), Refs.Obj (first
// embedded), Refs.IRIs, Refs.Objects. Addressing (To, Cc, Bto, Bcc,
// Audience) and actor collections (Inbox, Followers, Featured…) are plain
// IRI strings. Convenience accessors: QuoteIRI (all quote variants),
// URLString (the HTML url), SharedInbox, PollOptions, IsClosed,
// CollectionItems, Visibility.
//
// What Decode accepts: any "@context" (kept raw in LDContext); a single
// value or an array for every property; embedded objects or bare IRIs; type
// names with "as:"/"toot:"/"schema:" prefixes (stripped); any unknown type
// (Type keeps the string) and any unknown property (kept as compact raw JSON
// in Unknown and written back by Encode). JSON null means absent. What it
// rejects, with an error naming the property path: input that is not strict
// RFC 8259 JSON in UTF-8 (ErrSyntax), a top level that is not an object
// (ErrNotObject), nesting deeper than DecodeOptions.MaxDepth (default 32,
// ErrTooDeep), documents over MaxBytes (default 1 MiB) or arrays over
// MaxArrayLen (default 10000) (ErrTooLarge), and known properties of the
// wrong JSON type, such as a number for "content" or a malformed datetime
// (ErrInvalidValue). Decode never panics; it is fuzzed (FuzzDecode).
//
// Decode does no semantic or security checks beyond that. Callers check
// (*Object).Validate / ValidateActivity and origins: SameOrigin(a, b) compares
// scheme, host and port (Origin normalises case, default ports and a
// trailing dot), for "the fetched object's id is on the origin it was
// fetched from" and "the activity's actor is on the signer's origin".
//
// # Writing documents
//
// Build an Object with a struct literal and Encode it:
//
//	to, cc := ap.Addressing(ap.VisibilityPublic, followersIRI, mentionIRIs)
//	note := &ap.Object{ID: …, Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(actorIRI)},
//		Content: html, Published: now, To: to, Cc: cc,
//		Tag: ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeMention, Href: …, Name: "@bob@example"})}}
//	create := &ap.Object{ID: …, Type: ap.TypeCreate, Actor: ap.IRIRef(actorIRI),
//		Object: ap.Refs{ap.Embed(note)}, To: to, Cc: cc}
//	body, err := ap.Encode(create)
//
// Encode writes a single "@context" array like Mastodon's:
// "https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1" and
// an object defining exactly the extension terms used in the document
// (toot:Emoji, toot:blurhash, toot:focalPoint, toot:featured,
// toot:discoverable, toot:indexable, toot:memorial, toot:suspended,
// toot:votersCount, toot:attributionDomains, as:sensitive, as:Hashtag,
// as:manuallyApprovesFollowers, as:alsoKnownAs, as:movedTo, schema:PropertyValue,
// schema:value, FEP-044f quote and quoteAuthorization, quoteUri,
// _misskey_quote, quoteUrl). Datetimes are written in UTC RFC 3339; to, cc,
// tag and attachment as arrays; one-element Refs elsewhere as a single value.
// The output is deterministic and stable: Encode(Decode(Encode(o))) ==
// Encode(o). *Object implements json.Marshaler and json.Unmarshaler with
// Encode and Decode.
//
// # Addressing, visibility and media types
//
// Public is the Activity Streams Public collection; IsPublic also accepts
// "as:Public" and "Public". Visibility uses Mastodon's names (public,
// unlisted, private = followers-only, direct). Addressing(v, followers,
// mentions) returns the to/cc Mastodon produces for a status of that
// visibility; VisibilityOf(to, cc, followers) derives the visibility of an
// inbound post (Public in to → public; in cc → unlisted; followers
// collection → private; otherwise direct).
//
// MediaTypeActivityJSON and MediaTypeLDJSON are the two ActivityPub media
// types; IsActivityPubMediaType checks a Content-Type (or one Accept range),
// accepting application/activity+json and application/ld+json with the
// Activity Streams profile, with parameters in any order and quoting.
// AcceptsActivityPub checks a whole Accept header for content negotiation;
// AcceptHeader is what Herd sends when fetching.
//
// # Relation to go-ap, and why the codec is Herd's own
//
// The vocabulary mirrors github.com/go-ap/activitypub (the Type… constants
// are go-ap's type names) and converts to and from it: (*Object).ToGoAP
// returns the equivalent go-ap Item, FromGoAP converts back, so code built on
// go-ap's packages can share documents with Herd.
//
// The design first called for decoding into go-ap's types plus an
// extensions struct plus the unknown properties. Measured, that does not fit
// the budget for the path every inbound activity takes: go-ap's decoder
// alone needs 19–30 µs and 207 allocations (the range is the load on the
// shared 2-core reference machine) for a typical 2.9 KB Mastodon
// Create(Note) (BenchmarkDecodeCreateNoteGoAP), before a second pass for the
// extensions and a third for the unknown properties it drops; its types also
// hold interfaces (Item, ItemCollection, NaturalLanguageValues) that every
// converter would have to type-switch through, and only one Type and one
// PublicKey. So ap decodes with its own strict single-pass parser straight
// into Object — no intermediate tree; strings without escapes share one copy
// of the input — in 7–13 µs and 48 allocations for the same document
// (BenchmarkDecodeCreateNote), enforcing the depth and size limits as it
// goes. The go-ap types remain available through ToGoAP and FromGoAP, which
// go through the JSON wire form (extensions and unknown properties are not
// representable in go-ap and are lost there).
//
// Objects are plain values without internal synchronisation: share them
// between goroutines read-only, or copy.
package ap
