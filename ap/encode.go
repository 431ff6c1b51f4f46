package ap

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// ErrEncode is wrapped by every error Encode returns: a nil object, an
// unrepresentable value (NaN focal point, year outside 1–9999), an invalid
// raw JSON value in Unknown or LDContext, or nesting deeper than
// maxEncodeDepth (which also catches reference cycles).
var ErrEncode = errors.New("ap: cannot encode")

const maxEncodeDepth = 64

// SecurityContext is the security vocabulary context (publicKey, owner,
// publicKeyPem).
const SecurityContext = "https://w3id.org/security/v1"

// ActivityStreamsContext is the Activity Streams 2.0 context.
const ActivityStreamsContext = activityStreamsNS

// Encode serialises o as a top-level ActivityStreams document the way
// Mastodon writes them:
//
//	{"@context": ["https://www.w3.org/ns/activitystreams",
//	              "https://w3id.org/security/v1",
//	              {…definitions of the extension terms used…}],
//	 "id": …, "type": …, …}
//
// The context object defines only the toot:, schema:, as: and quote terms
// that actually appear in the document (at any depth), like Mastodon does.
// o.LDContext is not written at the top level; embedded objects' LDContext
// is written back verbatim. Properties in Unknown are written after the
// known ones, in key order, unless a known field of the same name was
// written. Absent (zero) fields are omitted, with a few Mastodon habits kept:
// to, cc, tag and attachment are always arrays; to, cc and sensitive are
// written even when empty/false on posts (Note, Question, Article…), and the
// actor flags (manuallyApprovesFollowers, discoverable, indexable, memorial)
// on actors, both when they are the document or an activity's object. Datetimes are written in UTC, RFC 3339.
//
// The output is deterministic, and Encode(Decode(Encode(o))) equals
// Encode(o) for any o that Encode accepts. Because single values of to, cc,
// tag, attachment… are written as arrays, the output of a decoded document
// may nest deeper than its input did.
func Encode(o *Object) ([]byte, error) {
	if o == nil {
		return nil, fmt.Errorf("%w: nil object", ErrEncode)
	}
	e := encoder{b: make([]byte, 0, 2048)}
	if err := e.object(o, 1); err != nil {
		return nil, err
	}
	body := e.b
	out := make([]byte, 0, len(body)+len(contextPrefix)+64*bitsSet(e.terms))
	out = append(out, `{"@context":`...)
	out = appendContext(out, e.terms)
	if len(body) > 2 { // body is "{…}"; splice its members after @context
		out = append(out, ',')
		out = append(out, body[1:]...)
	} else {
		out = append(out, '}')
	}
	return out, nil
}

// MarshalJSON encodes o with Encode.
func (o *Object) MarshalJSON() ([]byte, error) { return Encode(o) }

var _ json.Marshaler = (*Object)(nil)

// Context terms, in the order they are written.
const (
	termManuallyApprovesFollowers = iota
	termSensitive
	termHashtag
	termMovedTo
	termAlsoKnownAs
	termQuoteURL
	termToot // the prefix; set implicitly by every toot term below
	termEmoji
	termBlurhash
	termFocalPoint
	termFeatured
	termFeaturedTags
	termDiscoverable
	termIndexable
	termMemorial
	termSuspended
	termVotersCount
	termAttributionDomains
	termSchema // the prefix; set implicitly by the schema terms below
	termPropertyValue
	termValue
	termQuote
	termQuoteAuthorization
	termQuoteURI
	termMisskeyQuote
	numTerms
)

var termDefs = [numTerms]string{
	termManuallyApprovesFollowers: `"manuallyApprovesFollowers":"as:manuallyApprovesFollowers"`,
	termSensitive:                 `"sensitive":"as:sensitive"`,
	termHashtag:                   `"Hashtag":"as:Hashtag"`,
	termMovedTo:                   `"movedTo":{"@id":"as:movedTo","@type":"@id"}`,
	termAlsoKnownAs:               `"alsoKnownAs":{"@id":"as:alsoKnownAs","@type":"@id"}`,
	termQuoteURL:                  `"quoteUrl":"as:quoteUrl"`,
	termToot:                      `"toot":"http://joinmastodon.org/ns#"`,
	termEmoji:                     `"Emoji":"toot:Emoji"`,
	termBlurhash:                  `"blurhash":"toot:blurhash"`,
	termFocalPoint:                `"focalPoint":{"@container":"@list","@id":"toot:focalPoint"}`,
	termFeatured:                  `"featured":{"@id":"toot:featured","@type":"@id"}`,
	termFeaturedTags:              `"featuredTags":{"@id":"toot:featuredTags","@type":"@id"}`,
	termDiscoverable:              `"discoverable":"toot:discoverable"`,
	termIndexable:                 `"indexable":"toot:indexable"`,
	termMemorial:                  `"memorial":"toot:memorial"`,
	termSuspended:                 `"suspended":"toot:suspended"`,
	termVotersCount:               `"votersCount":"toot:votersCount"`,
	termAttributionDomains:        `"attributionDomains":{"@id":"toot:attributionDomains","@type":"@id"}`,
	termSchema:                    `"schema":"http://schema.org#"`,
	termPropertyValue:             `"PropertyValue":"schema:PropertyValue"`,
	termValue:                     `"value":"schema:value"`,
	termQuote:                     `"quote":{"@id":"https://w3id.org/fep/044f#quote","@type":"@id"}`,
	termQuoteAuthorization:        `"quoteAuthorization":{"@id":"https://w3id.org/fep/044f#quoteAuthorization","@type":"@id"}`,
	termQuoteURI:                  `"quoteUri":"http://fedibird.com/ns#quoteUri"`,
	termMisskeyQuote:              `"_misskey_quote":"https://misskey-hub.net/ns#_misskey_quote"`,
}

const contextPrefix = `["` + ActivityStreamsContext + `","` + SecurityContext + `"`

func bitsSet(t uint32) int {
	n := 0
	for ; t != 0; t &= t - 1 {
		n++
	}
	return n
}

func appendContext(b []byte, terms uint32) []byte {
	b = append(b, contextPrefix...)
	if terms != 0 {
		b = append(b, ",{"...)
		first := true
		for t := range numTerms {
			if terms&(1<<t) == 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, termDefs[t]...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

type encoder struct {
	b     []byte
	terms uint32
	// emitted records the known keys written for the current object, so
	// that Unknown entries of the same name are skipped.
	emitted [2]uint64
	// activityObject marks the object about to be written as the object of
	// the top-level document (an activity's object), which gets Mastodon's
	// always-written fields like the document itself.
	activityObject bool
}

func (e *encoder) use(term int) {
	e.terms |= 1 << term
	switch {
	case term > termToot && term < termSchema:
		e.terms |= 1 << termToot
	case term == termPropertyValue || term == termValue:
		e.terms |= 1 << termSchema
	}
}

func (e *encoder) key(k keyID) {
	if c := e.b[len(e.b)-1]; c != '{' {
		e.b = append(e.b, ',')
	}
	e.emitted[k/64] |= 1 << (k % 64)
	e.b = append(e.b, '"')
	e.b = append(e.b, keyNames[k]...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) str(k keyID, s string) {
	if s != "" {
		e.key(k)
		e.b = appendString(e.b, s)
	}
}

func (e *encoder) boolean(k keyID, v, always bool) {
	if v || always {
		e.key(k)
		e.b = strconv.AppendBool(e.b, v)
	}
}

func (e *encoder) integer(k keyID, v int, always bool) {
	if v != 0 || always {
		e.key(k)
		e.b = strconv.AppendInt(e.b, int64(v), 10)
	}
}

func (e *encoder) time(k keyID, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%w: %s: year %d out of range", ErrEncode, keyNames[k], y)
	}
	e.key(k)
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
	return nil
}

func (e *encoder) langMap(k keyID, m map[string]string) {
	if len(m) == 0 {
		return
	}
	e.key(k)
	e.b = append(e.b, '{')
	for i, lang := range sortedKeys(m) {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = appendString(e.b, lang)
		e.b = append(e.b, ':')
		e.b = appendString(e.b, m[lang])
	}
	e.b = append(e.b, '}')
}

func (e *encoder) strings(k keyID, ss []string, always, arrayIfOne bool) {
	if len(ss) == 0 && !always {
		return
	}
	e.key(k)
	if len(ss) == 1 && !arrayIfOne {
		e.b = appendString(e.b, ss[0])
		return
	}
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = appendString(e.b, s)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) refValue(r Ref, depth int) error {
	if r.Obj != nil {
		return e.object(r.Obj, depth)
	}
	e.b = appendString(e.b, r.IRI)
	return nil
}

func (e *encoder) ref(k keyID, r Ref, depth int) error {
	if r.IsZero() {
		return nil
	}
	e.key(k)
	if err := e.refValue(r, depth); err != nil {
		return fmt.Errorf("%s: %w", keyNames[k], err)
	}
	return nil
}

func (e *encoder) refs(k keyID, rs Refs, arrayIfOne bool, depth int) error {
	n := 0
	for _, r := range rs {
		if !r.IsZero() {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	e.key(k)
	// depth is the depth of the values: 2 for the properties of the
	// top-level document.
	mark := k == kObject && depth == 2
	if n == 1 && !arrayIfOne {
		for _, r := range rs {
			if !r.IsZero() {
				e.activityObject = mark && r.Obj != nil
				if err := e.refValue(r, depth); err != nil {
					return fmt.Errorf("%s: %w", keyNames[k], err)
				}
			}
		}
		return nil
	}
	e.b = append(e.b, '[')
	first := true
	for i, r := range rs {
		if r.IsZero() {
			continue
		}
		if !first {
			e.b = append(e.b, ',')
		}
		first = false
		e.activityObject = mark && r.Obj != nil
		if err := e.refValue(r, depth+1); err != nil {
			return fmt.Errorf("%s[%d]: %w", keyNames[k], i, err)
		}
	}
	e.b = append(e.b, ']')
	return nil
}

func (e *encoder) raw(k string, v json.RawMessage) error {
	if err := validRaw(v); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrEncode, k, err)
	}
	e.b = append(e.b, v...)
	return nil
}

// validRaw checks that v is exactly one well-formed JSON value.
func validRaw(v json.RawMessage) error {
	d := decoder{s: string(v), maxDepth: 2 * maxEncodeDepth, maxArray: math.MaxInt}
	d.ws()
	if err := d.skip(1); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.s) {
		return d.syntax("end of value")
	}
	return nil
}

// object writes o as a JSON object at depth (the top-level object is 1).
func (e *encoder) object(o *Object, depth int) error {
	if depth > maxEncodeDepth {
		return fmt.Errorf("%w: nesting deeper than %d (reference cycle?)", ErrEncode, maxEncodeDepth)
	}
	saved := e.open()
	if err := e.members(o, depth); err != nil {
		return err
	}
	e.close(saved)
	return nil
}

// open starts a JSON object with a fresh set of emitted keys and returns
// the enclosing object's set, for close.
func (e *encoder) open() [2]uint64 {
	saved := e.emitted
	e.emitted = [2]uint64{}
	e.b = append(e.b, '{')
	return saved
}

func (e *encoder) close(saved [2]uint64) {
	e.b = append(e.b, '}')
	e.emitted = saved
}

func (e *encoder) members(o *Object, depth int) error {
	in := depth + 1
	if depth > 1 && len(o.LDContext) > 0 {
		e.key(kLDContext)
		if err := e.raw("@context", o.LDContext); err != nil {
			return err
		}
	}
	e.str(kID, o.ID)
	switch o.Type {
	case TypeHashtag:
		e.use(termHashtag)
	case TypeEmoji:
		e.use(termEmoji)
	case TypePropertyValue:
		e.use(termPropertyValue)
	}
	if len(o.AltTypes) > 0 {
		e.strings(kType, append([]string{o.Type}, o.AltTypes...), false, true)
	} else {
		e.str(kType, o.Type)
	}
	// Mastodon's always-written fields only on the document itself and an
	// activity's object, not on attachments, tags, icons or images of the
	// same types, nor on objects nested deeper.
	defaults := depth == 1 || e.activityObject
	e.activityObject = false
	actor, post := IsActorType(o.Type) && defaults, IsPostType(o.Type) && defaults

	if err := e.ref(kActor, o.Actor, in); err != nil {
		return err
	}
	if err := e.refs(kObject, o.Object, false, in); err != nil {
		return err
	}
	if err := e.ref(kTarget, o.Target, in); err != nil {
		return err
	}
	if err := e.ref(kOrigin, o.Origin, in); err != nil {
		return err
	}
	if err := e.refs(kAttributedTo, o.AttributedTo, false, in); err != nil {
		return err
	}
	if err := e.ref(kInReplyTo, o.InReplyTo, in); err != nil {
		return err
	}
	if err := e.ref(kContext, o.Context, in); err != nil {
		return err
	}
	e.str(kPreferredUsername, o.PreferredUsername)
	e.str(kName, o.Name)
	e.langMap(kNameMap, o.NameMap)
	e.str(kSummary, o.Summary)
	e.langMap(kSummaryMap, o.SummaryMap)
	e.str(kContent, o.Content)
	e.langMap(kContentMap, o.ContentMap)
	e.str(kMediaType, o.MediaType)
	if s := o.Source; s != nil {
		e.key(kSource)
		saved := e.open()
		e.str(kContent, s.Content)
		e.str(kMediaType, s.MediaType)
		e.close(saved)
	}
	for _, t := range [...]struct {
		k keyID
		v time.Time
	}{{kPublished, o.Published}, {kUpdated, o.Updated}, {kStartTime, o.StartTime}, {kEndTime, o.EndTime}, {kDeleted, o.Deleted}} {
		if err := e.time(t.k, t.v); err != nil {
			return err
		}
	}
	e.str(kFormerType, o.FormerType)
	if err := e.refs(kURL, o.URL, false, in); err != nil {
		return err
	}
	e.strings(kTo, o.To, post, true)
	e.strings(kBto, o.Bto, false, true)
	e.strings(kCc, o.Cc, post, true)
	e.strings(kBcc, o.Bcc, false, true)
	e.strings(kAudience, o.Audience, false, false)
	if o.Sensitive || post {
		e.use(termSensitive)
		e.boolean(kSensitive, o.Sensitive, true)
	}
	if o.Quote != "" {
		e.use(termQuote)
		e.str(kQuote, o.Quote)
	}
	if o.QuoteAuthorization != "" {
		e.use(termQuoteAuthorization)
		e.str(kQuoteAuthorization, o.QuoteAuthorization)
	}
	if o.QuoteURI != "" {
		e.use(termQuoteURI)
		e.str(kQuoteURI, o.QuoteURI)
	}
	if o.MisskeyQuote != "" {
		e.use(termMisskeyQuote)
		e.str(kMisskeyQuote, o.MisskeyQuote)
	}
	if o.QuoteURL != "" {
		e.use(termQuoteURL)
		e.str(kQuoteURL, o.QuoteURL)
	}

	// Actor properties.
	e.str(kInbox, o.Inbox)
	e.str(kOutbox, o.Outbox)
	e.str(kFollowers, o.Followers)
	e.str(kFollowing, o.Following)
	if o.Featured != "" {
		e.use(termFeatured)
		e.str(kFeatured, o.Featured)
	}
	if o.FeaturedTags != "" {
		e.use(termFeaturedTags)
		e.str(kFeaturedTags, o.FeaturedTags)
	}
	if ep := o.Endpoints; ep != nil {
		e.key(kEndpoints)
		saved := e.open()
		e.str(kSharedInbox, ep.SharedInbox)
		if err := e.unknown(ep.Unknown, func(k string) bool { return k == "sharedInbox" && ep.SharedInbox != "" }); err != nil {
			return fmt.Errorf("endpoints: %w", err)
		}
		e.close(saved)
	}
	if pk := o.PublicKey; pk != nil {
		e.key(kPublicKey)
		saved := e.open()
		e.str(kID, pk.ID)
		e.str(kOwner, pk.Owner)
		e.str(kPublicKeyPem, pk.PublicKeyPem)
		if err := e.unknown(pk.Unknown, func(k string) bool {
			return (k == "id" && pk.ID != "") || (k == "owner" && pk.Owner != "") || (k == "publicKeyPem" && pk.PublicKeyPem != "")
		}); err != nil {
			return fmt.Errorf("publicKey: %w", err)
		}
		e.close(saved)
	}
	for _, f := range [...]struct {
		k    keyID
		term int
		v    bool
	}{
		{kManuallyApprovesFollowers, termManuallyApprovesFollowers, o.ManuallyApprovesFollowers},
		{kDiscoverable, termDiscoverable, o.Discoverable},
		{kIndexable, termIndexable, o.Indexable},
		{kMemorial, termMemorial, o.Memorial},
	} {
		if f.v || actor {
			e.use(f.term)
			e.boolean(f.k, f.v, true)
		}
	}
	if o.Suspended {
		e.use(termSuspended)
		e.boolean(kSuspended, true, true)
	}
	if len(o.AlsoKnownAs) > 0 {
		e.use(termAlsoKnownAs)
		e.strings(kAlsoKnownAs, o.AlsoKnownAs, false, true)
	}
	if o.MovedTo != "" {
		e.use(termMovedTo)
		e.str(kMovedTo, o.MovedTo)
	}
	if len(o.AttributionDomains) > 0 {
		e.use(termAttributionDomains)
		e.strings(kAttributionDomains, o.AttributionDomains, false, true)
	}
	if err := e.refs(kIcon, o.Icon, false, in); err != nil {
		return err
	}
	if err := e.refs(kImage, o.Image, false, in); err != nil {
		return err
	}
	if err := e.refs(kAttachment, o.Attachment, true, in); err != nil {
		return err
	}
	if err := e.refs(kTag, o.Tag, true, in); err != nil {
		return err
	}

	// Links, attachments, property values.
	e.str(kHref, o.Href)
	e.strings(kRel, o.Rel, false, false)
	if o.Value != "" {
		e.use(termValue)
		e.str(kValue, o.Value)
	}
	if o.Blurhash != "" {
		e.use(termBlurhash)
		e.str(kBlurhash, o.Blurhash)
	}
	if len(o.FocalPoint) > 0 {
		e.use(termFocalPoint)
		e.key(kFocalPoint)
		e.b = append(e.b, '[')
		for i, f := range o.FocalPoint {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			var err error
			if e.b, err = appendFloat(e.b, f); err != nil {
				return fmt.Errorf("focalPoint: %w", err)
			}
		}
		e.b = append(e.b, ']')
	}
	e.integer(kWidth, o.Width, false)
	e.integer(kHeight, o.Height, false)

	// Questions.
	if err := e.refs(kOneOf, o.OneOf, true, in); err != nil {
		return err
	}
	if err := e.refs(kAnyOf, o.AnyOf, true, in); err != nil {
		return err
	}
	if !o.Closed.IsZero() {
		if err := e.time(kClosed, o.Closed); err != nil {
			return err
		}
	} else if o.ClosedFlag {
		e.boolean(kClosed, true, true)
	}
	if o.VotersCount != nil {
		e.use(termVotersCount)
		e.integer(kVotersCount, *o.VotersCount, true)
	}

	// Collections.
	for _, r := range [...]struct {
		k keyID
		v Ref
	}{{kReplies, o.Replies}, {kLikes, o.Likes}, {kShares, o.Shares}} {
		if err := e.ref(r.k, r.v, in); err != nil {
			return err
		}
	}
	if o.TotalItems != nil {
		e.integer(kTotalItems, *o.TotalItems, true)
	}
	for _, r := range [...]struct {
		k keyID
		v Ref
	}{{kFirst, o.First}, {kLast, o.Last}, {kNext, o.Next}, {kPrev, o.Prev}, {kPartOf, o.PartOf}} {
		if err := e.ref(r.k, r.v, in); err != nil {
			return err
		}
	}
	if err := e.refs(kItems, o.Items, true, in); err != nil {
		return err
	}
	if err := e.refs(kOrderedItems, o.OrderedItems, true, in); err != nil {
		return err
	}

	return e.unknown(o.Unknown, func(k string) bool {
		id, ok := keyIndex[k]
		return ok && e.emitted[id/64]&(1<<(id%64)) != 0
	})
}

// unknown writes the raw properties of m in key order, skipping keys for
// which skip reports true and "@context".
func (e *encoder) unknown(m map[string]json.RawMessage, skip func(string) bool) error {
	if len(m) == 0 {
		return nil
	}
	for _, k := range sortedKeys(m) {
		if k == "@context" || skip(k) {
			continue
		}
		if c := e.b[len(e.b)-1]; c != '{' {
			e.b = append(e.b, ',')
		}
		e.b = appendString(e.b, k)
		e.b = append(e.b, ':')
		if err := e.raw(k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%w: %v is not a JSON number", ErrEncode, f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 is replaced by
// U+FFFD; HTML characters are not escaped (ActivityPub content is HTML).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
