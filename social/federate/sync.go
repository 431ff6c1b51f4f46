package federate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// HeaderCollectionSync is the FEP-8fcf header.
const HeaderCollectionSync = "Collection-Synchronization"

// SyncOptions tunes a FollowersSync.
type SyncOptions struct {
	// TTL bounds how long the followers digests of an account are cached
	// (default 5 minutes); follow changes seen by the Federator invalidate
	// them at once.
	TTL time.Duration
	// CheckInterval is the shortest time between two checks of one remote
	// actor's followers collection (default 1 hour).
	CheckInterval time.Duration
	// Verifier checks the signatures of requests for partial collections
	// (default signature.NewVerifier(nil)).
	Verifier *signature.Verifier
	Logger   *slog.Logger
}

// FollowersSync implements followers collection synchronisation
// (FEP-8fcf) in both directions.
//
// Outbound, Poster wraps the Deliverer's poster so that deliveries from a
// local account to a host where it has followers carry
//
//	Collection-Synchronization: collectionId="<followers>", url="<partial collection>", digest="<hex>"
//
// where digest is the XOR of the SHA-256 of the ids of its followers on
// that host, and Handler serves the partial collection (the followers on
// the requesting server's host, the request being signed by that server).
//
// Inbound, Middleware (around the inbox) keeps the header of a request in
// its context; the Federator's handlers then compare it with the local
// accounts following the remote actor and, on a mismatch, fetch the
// partial collection and fix our view: local follows the remote server no
// longer lists are removed, and local accounts it lists without a follow
// here are unfollowed there (Undo Follow).
type FollowersSync struct {
	store    storage.Store
	urls     *social.URLs
	resolver *federation.Resolver
	verifier *signature.Verifier
	o        SyncOptions
	log      *slog.Logger

	mu      sync.Mutex
	cache   map[storage.ID]*syncEntry
	byURI   map[string]*storage.Account
	checked map[string]time.Time
	running map[string]bool
}

type syncEntry struct {
	mu      sync.Mutex
	at      time.Time
	digests map[string]*hostDigest
	valid   bool
}

type hostDigest struct {
	sum   [sha256.Size]byte
	count int
}

// NewFollowersSync returns a FollowersSync over store, laid out by urls,
// fetching and verifying with resolver. It sends Undo(Follow) through the
// Federator it is given to (Options.Sync).
func NewFollowersSync(store storage.Store, urls *social.URLs, resolver *federation.Resolver, opts *SyncOptions) *FollowersSync {
	var o SyncOptions
	if opts != nil {
		o = *opts
	}
	if o.TTL <= 0 {
		o.TTL = 5 * time.Minute
	}
	if o.CheckInterval <= 0 {
		o.CheckInterval = time.Hour
	}
	v := o.Verifier
	if v == nil {
		v = signature.NewVerifier(nil)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FollowersSync{store: store, urls: urls, resolver: resolver, verifier: v, o: o, log: log,
		cache: map[storage.ID]*syncEntry{}, byURI: map[string]*storage.Account{}, checked: map[string]time.Time{}, running: map[string]bool{}}
}

// URL is the partial followers collection of a local account.
func (s *FollowersSync) URL(username string) string {
	return s.urls.Actor(username) + "/followers_synchronization"
}

// Invalidate drops the cached digests of a local account.
func (s *FollowersSync) Invalidate(id storage.ID) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// Digest returns the FEP-8fcf digest of the followers of the local account
// a on host (host[:port]) and how many they are.
func (s *FollowersSync) Digest(ctx context.Context, a *storage.Account, host string) (string, int, error) {
	d, err := s.digests(ctx, a)
	if err != nil {
		return "", 0, err
	}
	hd := d[strings.ToLower(host)]
	if hd == nil {
		return hex.EncodeToString(make([]byte, sha256.Size)), 0, nil
	}
	return hex.EncodeToString(hd.sum[:]), hd.count, nil
}

func (s *FollowersSync) digests(ctx context.Context, a *storage.Account) (map[string]*hostDigest, error) {
	s.mu.Lock()
	e := s.cache[a.ID]
	if e == nil {
		e = &syncEntry{}
		s.cache[a.ID] = e
	}
	s.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.valid && time.Since(e.at) < s.o.TTL {
		return e.digests, nil
	}
	out := map[string]*hostDigest{}
	err := s.forEachFollower(ctx, a.ID, func(f *storage.Account) {
		if f.Local() {
			return
		}
		h := hostOf(f.URI)
		hd := out[h]
		if hd == nil {
			hd = &hostDigest{}
			out[h] = hd
		}
		xorInto(&hd.sum, f.URI)
		hd.count++
	})
	if err != nil {
		return nil, err
	}
	e.digests, e.at, e.valid = out, time.Now(), true
	return out, nil
}

func (s *FollowersSync) forEachFollower(ctx context.Context, id storage.ID, fn func(*storage.Account)) error {
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := s.store.Follows().Followers(ctx, id, p)
		if err != nil {
			return fmt.Errorf("followers sync: list followers: %w", err)
		}
		ids := make([]storage.ID, len(fs))
		for i, f := range fs {
			ids[i] = f.AccountID
		}
		accts, err := s.store.Accounts().GetMany(ctx, ids)
		if err != nil {
			return fmt.Errorf("followers sync: load followers: %w", err)
		}
		for _, a := range accts {
			fn(a)
		}
		if len(fs) < p.Limit {
			return nil
		}
		p.MaxID = fs[len(fs)-1].ID
	}
}

func xorInto(sum *[sha256.Size]byte, id string) {
	h := sha256.Sum256([]byte(id))
	for i := range sum {
		sum[i] ^= h[i]
	}
}

func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// header returns the Collection-Synchronization value for a delivery by a
// to host, or "" when a has no followers there.
func (s *FollowersSync) header(ctx context.Context, a *storage.Account, host string) string {
	d, n, err := s.Digest(ctx, a, host)
	if err != nil || n == 0 {
		return ""
	}
	return fmt.Sprintf(`collectionId="%s", url="%s", digest="%s"`, a.FollowersURI, s.URL(a.Username), d)
}

// localActor returns the local account whose actor IRI is iri (cached).
func (s *FollowersSync) localActor(ctx context.Context, iri string) *storage.Account {
	if !strings.HasPrefix(iri, s.urls.Base()+"/users/") {
		return nil
	}
	s.mu.Lock()
	a, ok := s.byURI[iri]
	s.mu.Unlock()
	if ok {
		return a
	}
	a, err := s.store.Accounts().GetByURI(ctx, iri)
	if err != nil || !a.Local() {
		a = nil
	}
	s.mu.Lock()
	if len(s.byURI) > 10000 {
		clear(s.byURI)
	}
	s.byURI[iri] = a
	s.mu.Unlock()
	return a
}

// Poster wraps the poster of a Deliverer (a *transport.Client) so that
// deliveries carry the Collection-Synchronization header:
//
//	d := federation.NewDeliverer(store.Deliveries(), sync.Poster(client), signers, opts)
func (s *FollowersSync) Poster(inner federation.Poster) federation.Poster {
	return syncPoster{s: s, inner: inner}
}

type syncPoster struct {
	s     *FollowersSync
	inner federation.Poster
}

func (p syncPoster) Post(ctx context.Context, inbox string, body []byte, contentType string, signer transport.RequestSigner) (*transport.PostResult, error) {
	var head struct {
		Actor json.RawMessage `json:"actor"`
	}
	if json.Unmarshal(body, &head) == nil && len(head.Actor) > 0 && head.Actor[0] == '"' {
		var actor string
		_ = json.Unmarshal(head.Actor, &actor)
		if a := p.s.localActor(ctx, actor); a != nil {
			if h := p.s.header(ctx, a, hostOf(inbox)); h != "" {
				signer = headerSigner{inner: signer, value: h}
			}
		}
	}
	return p.inner.Post(ctx, inbox, body, contentType, signer)
}

// headerSigner sets the header before the request is signed.
type headerSigner struct {
	inner transport.RequestSigner
	value string
}

func (h headerSigner) SignRequest(r *http.Request, body []byte) error {
	r.Header.Set(HeaderCollectionSync, h.value)
	if h.inner == nil {
		return nil
	}
	return h.inner.SignRequest(r, body)
}

// Handler serves the partial followers collection of a local account
// (path wildcard "name"): the ids of its followers on the host of the
// server that signed the request (its instance actor, as Mastodon does).
// Unsigned requests are answered 401. Mount it at
// GET /users/{name}/followers_synchronization.
func (s *FollowersSync) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		res, err := s.verifier.Verify(ctx, r, nil, s.resolver)
		if err != nil {
			http.Error(w, "a signed request is required", signature.HTTPStatus(err))
			return
		}
		host := hostOf(res.Owner)
		a, err := s.store.Accounts().GetByUsername(ctx, r.PathValue("name"), "")
		if errors.Is(err, storage.ErrNotFound) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		items := ap.Refs{}
		if err := s.forEachFollower(ctx, a.ID, func(f *storage.Account) {
			if !f.Local() && hostOf(f.URI) == host {
				items = append(items, ap.IRIRef(f.URI))
			}
		}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		n := len(items)
		doc := &ap.Object{ID: s.URL(a.Username), Type: ap.TypeOrderedCollection, TotalItems: &n, OrderedItems: items}
		b, err := ap.Encode(doc)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", federation.ContentTypeActivityJSON)
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write(b)
	})
}

type syncHeaderKey struct{}

// Middleware keeps the Collection-Synchronization header of inbound
// requests for the Federator's handlers. Wrap the inbox handlers with it.
func (s *FollowersSync) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(HeaderCollectionSync); v != "" && len(v) < 4096 {
			r = r.WithContext(context.WithValue(r.Context(), syncHeaderKey{}, v))
		}
		next.ServeHTTP(w, r)
	})
}

// parseSyncHeader parses collectionId="…", url="…", digest="…".
func parseSyncHeader(v string) (params map[string]string, ok bool) {
	params = map[string]string{}
	for _, part := range strings.Split(v, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return nil, false
		}
		val = strings.TrimSpace(val)
		if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
			return nil, false
		}
		params[strings.TrimSpace(k)] = val[1 : len(val)-1]
	}
	return params, params["collectionId"] != "" && params["url"] != "" && params["digest"] != ""
}

// check compares an inbound header from the remote actor with the local
// accounts following it, and fixes our view on a mismatch (see
// FollowersSync). It runs in the background and at most once per
// CheckInterval per actor.
func (s *FollowersSync) check(ctx context.Context, actor *storage.Account, value string, sender *federation.Sender) {
	p, ok := parseSyncHeader(value)
	if !ok || actor.FollowersURI == "" || p["collectionId"] != actor.FollowersURI || !ap.SameOrigin(p["url"], actor.URI) {
		return
	}
	// Our digest: the local accounts following actor.
	var sum [sha256.Size]byte
	var locals []*storage.Account
	p2 := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := s.store.Follows().Followers(ctx, actor.ID, p2)
		if err != nil {
			return
		}
		ids := make([]storage.ID, len(fs))
		for i, f := range fs {
			ids[i] = f.AccountID
		}
		accts, err := s.store.Accounts().GetMany(ctx, ids)
		if err != nil {
			return
		}
		for _, a := range accts {
			if a.Local() {
				xorInto(&sum, a.URI)
				locals = append(locals, a)
			}
		}
		if len(fs) < p2.Limit {
			break
		}
		p2.MaxID = fs[len(fs)-1].ID
	}
	if strings.EqualFold(hex.EncodeToString(sum[:]), p["digest"]) {
		return
	}
	s.mu.Lock()
	if last, ok := s.checked[actor.URI]; (ok && time.Since(last) < s.o.CheckInterval) || s.running[actor.URI] {
		s.mu.Unlock()
		return
	}
	if len(s.checked) > 10000 {
		clear(s.checked)
	}
	s.checked[actor.URI] = time.Now()
	s.running[actor.URI] = true
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.running, actor.URI)
			s.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.reconcile(federation.WithFetchBudget(ctx, 3), actor, p["url"], locals, sender); err != nil {
			s.log.Info("followers sync failed", "actor", actor.URI, "err", err)
		}
	}()
}

// reconcile fetches the remote partial collection and fixes our view.
func (s *FollowersSync) reconcile(ctx context.Context, actor *storage.Account, collURL string, locals []*storage.Account, sender *federation.Sender) error {
	doc, err := s.resolver.Fetch(ctx, collURL)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, iri := range doc.CollectionItems().IRIs() {
		listed[iri] = true
	}
	base := s.urls.Base() + "/"
	for _, a := range locals {
		if !listed[a.URI] {
			// They do not count a as a follower: the follow is gone there.
			if err := s.store.Tx(ctx, func(tx storage.Store) error {
				if err := tx.Follows().Delete(ctx, a.ID, actor.ID); err != nil {
					return err
				}
				if err := tx.Accounts().AdjustCounts(ctx, a.ID, 0, 0, -1, nil); err != nil {
					return err
				}
				if err := tx.Accounts().AdjustCounts(ctx, actor.ID, 0, -1, 0, nil); err != nil {
					return err
				}
				return tx.Feeds().RemoveAuthor(ctx, storage.HomeFeed(a.ID), actor.ID)
			}); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		delete(listed, a.URI)
	}
	if sender == nil {
		return nil
	}
	for iri := range listed {
		if !strings.HasPrefix(iri, base) {
			continue
		}
		a := s.localActor(ctx, iri)
		if a == nil {
			continue
		}
		// Look again: the digest was compared a while ago. A follow that
		// exists now, or a request still waiting for its Accept (the peer
		// recorded the Follow before we saw the Accept), is not stale.
		if _, err := s.store.Follows().Get(ctx, a.ID, actor.ID); err == nil {
			continue
		}
		if _, err := s.store.Follows().GetRequest(ctx, a.ID, actor.ID); err == nil {
			continue
		}
		// They count a as a follower, we do not: undo it there.
		follow := &ap.Object{ID: a.URI + "#follows/sync/" + s.store.NewID().String(), Type: ap.TypeFollow,
			Actor: ap.IRIRef(a.URI), Object: ap.Refs{ap.IRIRef(actor.URI)}}
		if err := sender.Send(ctx, a, undo(follow), actor.URI); err != nil {
			return err
		}
	}
	return nil
}

// checkSync runs the inbound check when the request carried the header.
func (f *Federator) checkSync(ctx context.Context, signer *storage.Account) {
	if f.o.Sync == nil || signer == nil {
		return
	}
	if v, ok := ctx.Value(syncHeaderKey{}).(string); ok {
		f.o.Sync.check(ctx, signer, v, f.sender)
	}
}
