package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
)

// Defaults of ResolverOptions.
const (
	DefaultActorMaxAge        = 24 * time.Hour
	DefaultObjectTTL          = 5 * time.Minute
	DefaultObjectCacheSize    = 4096
	DefaultKeyCacheSize       = 10000
	DefaultKeyRefetchInterval = 30 * time.Second
	DefaultThreadDepth        = 20
)

// Errors of the Resolver, wrapped with detail.
var (
	// ErrKeyNotListed: the key's owner does not list the key id.
	ErrKeyNotListed = errors.New("federation: key not listed by its owner")
	// ErrThreadTooDeep: FetchThread reached its depth limit before the root.
	ErrThreadTooDeep = errors.New("federation: reply chain too deep")
)

// ResolverOptions tunes a Resolver. The zero value gives the defaults.
type ResolverOptions struct {
	// MaxAge is how long a stored remote actor is used before it is fetched
	// again (default DefaultActorMaxAge, one day).
	MaxAge time.Duration
	// ObjectTTL and ObjectCacheSize bound the in-memory cache of objects
	// fetched by ResolveObject (defaults DefaultObjectTTL and
	// DefaultObjectCacheSize).
	ObjectTTL       time.Duration
	ObjectCacheSize int
	// KeyCacheSize bounds the cache of parsed public keys (default
	// DefaultKeyCacheSize).
	KeyCacheSize int
	// KeyRefetchInterval is the shortest time between two refetches of one
	// key asked for with refresh=true (default DefaultKeyRefetchInterval), so
	// that a flood of forged signatures cannot turn into a flood of fetches.
	// Negative: no limit.
	KeyRefetchInterval time.Duration
	// LocalHost is this server's host[:port]: handles on it resolve to local
	// accounts without WebFinger.
	LocalHost string
	// WebFinger looks up handles; nil builds one on the transport client's
	// HTTP client (plain http when AllowHTTP is set).
	WebFinger *webfinger.Client
	// AllowHTTP makes the default WebFinger client use plain http (local
	// federation mode; the transport client needs AllowHTTP as well).
	AllowHTTP bool
	// Blocked, when set, refuses (ErrHostBlocked) to fetch from, resolve
	// actors of, or look up handles on blocked hosts.
	Blocked HostBlocker
	Logger  *slog.Logger
	Now     func() time.Time
}

// Resolver finds remote actors, keys and objects: it fetches them with
// signed GETs as the instance actor through an SSRF-safe transport.Client,
// checks that what it got is what it asked for, and caches the results
// (actors in storage, keys and objects in memory). It implements
// signature.KeyResolver. It is safe for concurrent use.
type Resolver struct {
	accounts storage.Accounts
	client   *transport.Client
	signer   transport.RequestSigner
	wf       *webfinger.Client
	o        ResolverOptions
	log      *slog.Logger

	keys    *lru[string, *keyEntry]
	objects *lru[string, *ap.Object]
}

type keyEntry struct {
	key       *signature.PublicKey
	account   *storage.Account
	fetchedAt time.Time
}

var _ signature.KeyResolver = (*Resolver)(nil)

// NewResolver returns a Resolver that stores actors in accounts and fetches
// with client, signing GETs with instance (the instance actor's signer; nil
// sends unsigned GETs, which servers in authorized-fetch mode refuse).
func NewResolver(accounts storage.Accounts, client *transport.Client, instance *signature.Signer, opts *ResolverOptions) *Resolver {
	var o ResolverOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultActorMaxAge
	}
	if o.ObjectTTL <= 0 {
		o.ObjectTTL = DefaultObjectTTL
	}
	if o.ObjectCacheSize <= 0 {
		o.ObjectCacheSize = DefaultObjectCacheSize
	}
	if o.KeyCacheSize <= 0 {
		o.KeyCacheSize = DefaultKeyCacheSize
	}
	if o.KeyRefetchInterval == 0 {
		o.KeyRefetchInterval = DefaultKeyRefetchInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.LocalHost = strings.ToLower(o.LocalHost)
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Resolver{accounts: accounts, client: client, o: o, log: log,
		keys: newLRU[string, *keyEntry](o.KeyCacheSize), objects: newLRU[string, *ap.Object](o.ObjectCacheSize)}
	if instance != nil {
		r.signer = schemeSigner{instance, signature.SchemeCavage}
	}
	r.wf = o.WebFinger
	if r.wf == nil {
		r.wf = webfinger.NewClient(client.HTTPClient(), &webfinger.ClientOptions{AllowHTTP: o.AllowHTTP})
	}
	return r
}

// fetch GETs iri (signed), spending one unit of the context's fetch budget,
// and decodes it. The transport has checked that the id shares the origin
// of the final URL.
func (r *Resolver) fetch(ctx context.Context, iri string) (*ap.Object, error) {
	if hostBlocked(ctx, r.o.Blocked, iri) {
		return nil, fmt.Errorf("fetch %s: %w", iri, ErrHostBlocked)
	}
	if err := spendFetch(ctx); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	doc, err := r.client.GetActivity(ctx, iri, r.signer)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	o, err := ap.Decode(doc.Body)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	return o, nil
}

// Fetch fetches and decodes the document at iri, bypassing the caches (one
// unit of the fetch budget). The document's id shares the origin of the URL
// it was finally served from.
func (r *Resolver) Fetch(ctx context.Context, iri string) (*ap.Object, error) {
	o, err := r.fetch(ctx, iri)
	if err != nil {
		return nil, err
	}
	r.objects.put(o.ID, o, r.o.Now().Add(r.o.ObjectTTL))
	return o, nil
}

// ResolveObject returns the object at iri from the in-memory cache, or
// fetches it (one unit of the fetch budget). The returned object is shared
// with the cache: do not modify it.
func (r *Resolver) ResolveObject(ctx context.Context, iri string) (*ap.Object, error) {
	iri = stripFragment(iri)
	if o, ok := r.objects.get(iri, r.o.Now()); ok {
		return o, nil
	}
	o, err := r.fetch(ctx, iri)
	if err != nil {
		return nil, err
	}
	exp := r.o.Now().Add(r.o.ObjectTTL)
	r.objects.put(iri, o, exp)
	if o.ID != iri {
		r.objects.put(o.ID, o, exp)
	}
	return o, nil
}

// Forget drops iri from the in-memory caches (after a Delete or Update).
func (r *Resolver) Forget(iri string) {
	r.objects.remove(stripFragment(iri))
	r.objects.remove(iri)
}

// ResolveActor returns the account of the actor iri: a local account, or a
// stored remote one fetched less than MaxAge ago, or else the actor fetched
// now (and stored). When a refetch fails for a transient reason, the stale
// stored copy is returned.
func (r *Resolver) ResolveActor(ctx context.Context, iri string) (*storage.Account, error) {
	iri = stripFragment(iri)
	if hostBlocked(ctx, r.o.Blocked, iri) && hostOfIRI(iri) != r.o.LocalHost {
		return nil, fmt.Errorf("resolve actor %s: %w", iri, ErrHostBlocked)
	}
	a, err := r.accounts.GetByURI(ctx, iri)
	if err != nil {
		a = nil // some stores return an empty record with the error
	}
	switch {
	case err == nil && (a.Local() || (a.FetchedAt != nil && r.o.Now().Sub(*a.FetchedAt) < r.o.MaxAge)):
		return a, nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("resolve actor %s: %w", iri, err)
	}
	fresh, ferr := r.RefreshActor(ctx, iri)
	if ferr != nil {
		if a != nil && !errors.Is(ferr, transport.ErrGone) && !errors.Is(ferr, transport.ErrNotFound) && !errors.Is(ferr, ErrNotActor) {
			r.log.Debug("actor refresh failed, using stored copy", "actor", iri, "err", ferr)
			return a, nil
		}
		return nil, ferr
	}
	return fresh, nil
}

// RefreshActor fetches the actor iri now and stores it (one unit of the
// fetch budget). The document must be an actor whose id is iri (on the
// origin it was served from).
func (r *Resolver) RefreshActor(ctx context.Context, iri string) (*storage.Account, error) {
	iri = stripFragment(iri)
	o, err := r.fetch(ctx, iri)
	if err != nil {
		return nil, fmt.Errorf("resolve actor: %w", err)
	}
	return r.storeActor(ctx, iri, o)
}

// storeActor checks that o is the actor iri and upserts it.
func (r *Resolver) storeActor(ctx context.Context, iri string, o *ap.Object) (*storage.Account, error) {
	if !o.IsActor() {
		return nil, fmt.Errorf("resolve actor %s: %w: type %q", iri, ErrNotActor, o.Type)
	}
	if o.ID != iri && !ap.SameOrigin(o.ID, iri) {
		return nil, fmt.Errorf("resolve actor %s: %w: document id %q is on another origin", iri, transport.ErrOriginMismatch, o.ID)
	}
	if o.Inbox != "" && !ap.SameOrigin(o.Inbox, o.ID) && !ap.SameOrigin(o.SharedInbox(), o.ID) {
		// An inbox elsewhere is legal but unusual; keep it, note it.
		r.log.Debug("actor inbox on another origin", "actor", o.ID, "inbox", o.Inbox)
	}
	a, err := ActorToAccount(o)
	if err != nil {
		return nil, fmt.Errorf("resolve actor %s: %w", iri, err)
	}
	now := r.o.Now().UTC()
	a.FetchedAt = &now
	if err := r.upsert(ctx, a); err != nil {
		return nil, fmt.Errorf("resolve actor %s: %w", iri, err)
	}
	r.objects.put(iri, o, now.Add(r.o.ObjectTTL))
	return a, nil
}

// upsert stores a remote account: it updates the record with the same URI
// (or, when the actor was re-created under the same handle, the same
// username and domain), else creates one.
func (r *Resolver) upsert(ctx context.Context, a *storage.Account) error {
	old, err := r.accounts.GetByURI(ctx, a.URI)
	if errors.Is(err, storage.ErrNotFound) {
		old, err = r.accounts.GetByUsername(ctx, a.Username, a.Domain)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if err := r.accounts.Create(ctx, a); err != nil {
			if !errors.Is(err, storage.ErrConflict) {
				return err
			}
			// Created concurrently: update that one.
			if old, err = r.accounts.GetByURI(ctx, a.URI); err != nil {
				return err
			}
		} else {
			return nil
		}
	case err != nil:
		return err
	}
	if old.Local() {
		return fmt.Errorf("%s is a local account", a.URI)
	}
	merged := *old
	fetched := a
	merged.Username, merged.Domain, merged.DisplayName, merged.Note = fetched.Username, fetched.Domain, fetched.DisplayName, fetched.Note
	merged.URI, merged.URL, merged.InboxURI, merged.OutboxURI = fetched.URI, fetched.URL, fetched.InboxURI, fetched.OutboxURI
	merged.SharedInboxURI, merged.FollowersURI, merged.FollowingURI, merged.FeaturedURI = fetched.SharedInboxURI, fetched.FollowersURI, fetched.FollowingURI, fetched.FeaturedURI
	merged.ActorType, merged.PublicKeyID, merged.PublicKeyPEM = fetched.ActorType, fetched.PublicKeyID, fetched.PublicKeyPEM
	if merged.AvatarRemoteURL != fetched.AvatarRemoteURL {
		merged.AvatarURL, merged.AvatarRemoteURL = fetched.AvatarURL, fetched.AvatarRemoteURL
	}
	if merged.HeaderRemoteURL != fetched.HeaderRemoteURL {
		merged.HeaderURL, merged.HeaderRemoteURL = fetched.HeaderURL, fetched.HeaderRemoteURL
	}
	merged.Fields, merged.Emojis, merged.AlsoKnownAs = fetched.Fields, fetched.Emojis, fetched.AlsoKnownAs
	merged.Locked, merged.Bot, merged.Discoverable, merged.Indexable, merged.Memorial = fetched.Locked, fetched.Bot, fetched.Discoverable, fetched.Indexable, fetched.Memorial
	merged.FetchedAt = fetched.FetchedAt
	if merged.Extra == nil {
		merged.Extra = storage.Extra{}
	}
	for _, k := range []string{ExtraMovedTo, ExtraFeaturedTags, ExtraAttributionDomains} {
		if v, ok := fetched.Extra[k]; ok {
			merged.Extra[k] = v
		} else {
			delete(merged.Extra, k)
		}
	}
	if err := r.accounts.Update(ctx, &merged); err != nil {
		return err
	}
	*a = merged
	return nil
}

// ResolveHandle resolves "user@host[:port]" (also "@user@host" and
// "acct:user@host") to an account: a local one when host is
// ResolverOptions.LocalHost, a stored fresh one, or else through WebFinger
// on host and the actor it names.
func (r *Resolver) ResolveHandle(ctx context.Context, handle string) (*storage.Account, error) {
	res, err := webfinger.ParseResource(handle)
	if err != nil || !res.IsAcct() {
		return nil, fmt.Errorf("resolve handle %q: not a user@host handle", handle)
	}
	if r.o.LocalHost != "" && res.Host == r.o.LocalHost {
		a, err := r.accounts.GetByUsername(ctx, res.User, "")
		if err != nil {
			return nil, fmt.Errorf("resolve handle %q: %w", handle, err)
		}
		return a, nil
	}
	if r.o.Blocked != nil && r.o.Blocked.HostBlocked(ctx, strings.ToLower(res.Host)) {
		return nil, fmt.Errorf("resolve handle %q: %w", handle, ErrHostBlocked)
	}
	if a, err := r.accounts.GetByUsername(ctx, res.User, res.Host); err == nil &&
		a.FetchedAt != nil && r.o.Now().Sub(*a.FetchedAt) < r.o.MaxAge {
		return a, nil
	}
	if err := spendFetch(ctx); err != nil {
		return nil, fmt.Errorf("resolve handle %q: %w", handle, err)
	}
	jrd, err := r.wf.Lookup(ctx, res.String())
	if err != nil {
		return nil, fmt.Errorf("resolve handle %q: %w", handle, err)
	}
	actor := jrd.ActorURL()
	if actor == "" {
		return nil, fmt.Errorf("resolve handle %q: WebFinger names no ActivityPub actor", handle)
	}
	a, err := r.ResolveActor(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("resolve handle %q: %w", handle, err)
	}
	return a, nil
}

// ResolveKey implements signature.KeyResolver. A keyId is usually
// "<actor>#main-key": the key document (the actor, or a standalone key
// object whose owner is the actor) is fetched, and the owner actor must list
// the key id as its publicKey. Keys are cached in memory and, through the
// actor, in storage; refresh=true refetches (key rotation), at most once per
// KeyRefetchInterval per key. Local accounts' keys come from storage.
func (r *Resolver) ResolveKey(ctx context.Context, keyID string, refresh bool) (*signature.PublicKey, error) {
	now := r.o.Now()
	if e, ok := r.keys.get(keyID, now); ok {
		if !refresh {
			k := *e.key
			k.Fresh = false
			return &k, nil
		}
		if r.o.KeyRefetchInterval > 0 && now.Sub(e.fetchedAt) < r.o.KeyRefetchInterval {
			k := *e.key
			k.Fresh = true // as fresh as we allow: do not ask again
			return &k, nil
		}
	}
	if !refresh {
		if a, err := r.accounts.GetByURI(ctx, stripFragment(keyID)); err == nil && a.PublicKeyID == keyID &&
			(a.Local() || (a.FetchedAt != nil && now.Sub(*a.FetchedAt) < r.o.MaxAge)) {
			if pk, err := r.cacheKey(a, time.Time{}); err == nil {
				return pk, nil
			}
		}
	}
	a, err := r.fetchKeyOwner(ctx, keyID)
	if err != nil {
		return nil, err
	}
	pk, err := r.cacheKey(a, now)
	if err != nil {
		return nil, err
	}
	pk.Fresh = true
	return pk, nil
}

// cacheKey parses a's key and caches it.
func (r *Resolver) cacheKey(a *storage.Account, fetchedAt time.Time) (*signature.PublicKey, error) {
	key, err := signature.DecodePublicKeyPEM([]byte(a.PublicKeyPEM))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", a.PublicKeyID, err)
	}
	pk := &signature.PublicKey{ID: a.PublicKeyID, Owner: a.URI, Key: key}
	exp := time.Time{}
	if !a.Local() {
		base := fetchedAt
		if base.IsZero() && a.FetchedAt != nil {
			base = *a.FetchedAt
		}
		exp = base.Add(r.o.MaxAge)
	}
	acct := *a
	r.keys.put(a.PublicKeyID, &keyEntry{key: pk, account: &acct, fetchedAt: fetchedAt}, exp)
	cp := *pk
	return &cp, nil
}

// fetchKeyOwner fetches the key document and its owner, checks that the
// owner lists the key, and stores the owner.
func (r *Resolver) fetchKeyOwner(ctx context.Context, keyID string) (*storage.Account, error) {
	doc, err := r.fetch(ctx, stripFragment(keyID))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyID, err)
	}
	var actor *ap.Object
	if doc.IsActor() {
		actor = doc
	} else {
		// A standalone key: {"id", "type": "Key", "owner", "publicKeyPem"}.
		var owner string
		if raw, ok := doc.Unknown["owner"]; ok {
			_ = json.Unmarshal(raw, &owner)
		}
		if owner == "" {
			owner = doc.AttributedTo.ID()
		}
		if owner == "" {
			return nil, fmt.Errorf("key %s: %w: a %q with no owner", keyID, ErrNotActor, doc.Type)
		}
		owner = stripFragment(owner)
		if actor, err = r.fetch(ctx, owner); err != nil {
			return nil, fmt.Errorf("key %s: owner: %w", keyID, err)
		}
		if actor.ID != owner {
			return nil, fmt.Errorf("key %s: owner %s: %w: document id is %q", keyID, owner, ErrNotActor, actor.ID)
		}
	}
	if actor.PublicKey == nil || actor.PublicKey.ID != keyID {
		return nil, fmt.Errorf("key %s: %w (actor %s)", keyID, ErrKeyNotListed, actor.ID)
	}
	a, err := r.storeActor(ctx, actor.ID, actor)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyID, err)
	}
	return a, nil
}

// signerAccount returns the cached account that owns keyID, if any.
func (r *Resolver) signerAccount(keyID string) *storage.Account {
	if e, ok := r.keys.get(keyID, time.Time{}); ok {
		a := *e.account
		return &a
	}
	return nil
}

// FetchThread walks the reply chain above o, following inReplyTo through
// ResolveObject (each fetch spends the fetch budget), and returns the
// ancestors nearest first. It stops at the root, at a cycle, or after
// maxDepth ancestors (DefaultThreadDepth when maxDepth ≤ 0), in which case
// it returns what it found and an error wrapping ErrThreadTooDeep. Other
// errors (a missing parent, an exhausted budget) end the walk too and are
// returned with the ancestors found so far.
func (r *Resolver) FetchThread(ctx context.Context, o *ap.Object, maxDepth int) ([]*ap.Object, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultThreadDepth
	}
	seen := map[string]bool{o.ID: true}
	var out []*ap.Object
	cur := o
	for {
		parent := stripFragment(cur.InReplyTo.ID())
		if parent == "" || seen[parent] {
			return out, nil
		}
		if len(out) >= maxDepth {
			return out, fmt.Errorf("thread of %s: %w (limit %d)", o.ID, ErrThreadTooDeep, maxDepth)
		}
		seen[parent] = true
		p, err := r.ResolveObject(ctx, parent)
		if err != nil {
			return out, fmt.Errorf("thread of %s: %w", o.ID, err)
		}
		if seen[p.ID] && p.ID != parent {
			return out, nil
		}
		seen[p.ID] = true
		out = append(out, p)
		cur = p
	}
}

func stripFragment(iri string) string {
	if i := strings.IndexByte(iri, '#'); i >= 0 {
		return iri[:i]
	}
	return iri
}

// hostOfIRI returns the lower-cased host[:port] of an IRI, or "".
func hostOfIRI(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
