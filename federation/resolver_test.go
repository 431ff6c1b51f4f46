package federation_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
)

func TestResolverActorCacheAndRefresh(t *testing.T) {
	e := newEnv(t, &federation.ResolverOptions{MaxAge: time.Hour})
	p := newPeer(t)
	alice := p.actor("alice", 0)
	doc := alice.doc()
	doc.Summary = "<p>bio</p>"
	doc.ManuallyApprovesFollowers = true
	doc.AlsoKnownAs = []string{"https://old.example/users/alice"}
	doc.MovedTo = "https://new.example/users/alice"
	doc.Icon = ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeImage, URL: ap.Refs{ap.IRIRef("https://cdn.example/a.png")}})}
	doc.Attachment = ap.Refs{ap.Embed(&ap.Object{Type: ap.TypePropertyValue, Name: "Site", Value: "<a>x</a>"})}
	p.put("/users/alice", doc)

	ctx := t.Context()
	a, err := e.resolver.ResolveActor(ctx, alice.id)
	require.NoError(t, err)
	assert.Equal(t, "alice", a.Username)
	assert.Equal(t, p.host(), a.Domain, "domain keeps the port")
	assert.Equal(t, "<p>bio</p>", a.Note)
	assert.True(t, a.Locked)
	assert.Equal(t, "https://cdn.example/a.png", a.AvatarURL)
	assert.Equal(t, []string{"https://old.example/users/alice"}, []string(a.AlsoKnownAs))
	assert.JSONEq(t, `"https://new.example/users/alice"`, string(a.Extra[federation.ExtraMovedTo]))
	require.Len(t, a.Fields, 1)
	assert.Equal(t, p.url("/inbox"), a.SharedInboxURI)

	again, err := e.resolver.ResolveActor(ctx, alice.id)
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID)
	assert.Equal(t, 1, p.hitCount("/users/alice"), "served from storage")

	doc.Name = "Alice Renamed"
	p.put("/users/alice", doc)
	e.advance(2 * time.Hour)
	fresh, err := e.resolver.ResolveActor(ctx, alice.id)
	require.NoError(t, err)
	assert.Equal(t, "Alice Renamed", fresh.DisplayName)
	assert.Equal(t, a.ID, fresh.ID, "same record updated")
	assert.Equal(t, 2, p.hitCount("/users/alice"))

	// On demand.
	_, err = e.resolver.RefreshActor(ctx, alice.id)
	require.NoError(t, err)
	assert.Equal(t, 3, p.hitCount("/users/alice"))

	// A stale copy is served when the peer is down.
	p.setStatus("/users/alice", http.StatusServiceUnavailable)
	e.advance(2 * time.Hour)
	stale, err := e.resolver.ResolveActor(ctx, alice.id)
	require.NoError(t, err)
	assert.Equal(t, "Alice Renamed", stale.DisplayName)
}

func TestResolverRefusals(t *testing.T) {
	e := newEnv(t, nil)
	p := newPeer(t)
	ctx := t.Context()

	t.Run("IDOnAnotherOrigin", func(t *testing.T) {
		p.put("/users/evil", &ap.Object{ID: "https://victim.example/users/evil", Type: ap.TypePerson, Inbox: "https://victim.example/inbox"})
		_, err := e.resolver.ResolveActor(ctx, p.url("/users/evil"))
		assert.ErrorIs(t, err, transport.ErrOriginMismatch)
	})
	t.Run("NotAnActor", func(t *testing.T) {
		p.put("/notes/1", &ap.Object{ID: p.url("/notes/1"), Type: ap.TypeNote})
		_, err := e.resolver.ResolveActor(ctx, p.url("/notes/1"))
		assert.ErrorIs(t, err, federation.ErrNotActor)
	})
	t.Run("RedirectToPrivateAddress", func(t *testing.T) {
		p.handle("/users/redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
		})
		_, err := e.resolver.ResolveActor(ctx, p.url("/users/redirect"))
		assert.ErrorIs(t, err, transport.ErrForbiddenAddress)
	})
	t.Run("PrivateAddressWithoutAllowList", func(t *testing.T) {
		strict := federation.NewResolver(e.store.Accounts(), transport.New(&transport.Options{AllowHTTP: true}), nil, nil)
		_, err := strict.ResolveObject(ctx, p.url("/notes/1"))
		assert.ErrorIs(t, err, transport.ErrForbiddenAddress)
	})
	t.Run("KeyNotListedByOwner", func(t *testing.T) {
		alice := p.actor("alice", 0)
		pem, _ := signature.EncodePublicKeyPEM(&testKey(t, 1).PublicKey)
		p.putRaw("/keys/stolen", []byte(fmt.Sprintf(`{"id":%q,"type":"Key","owner":%q,"publicKeyPem":%q}`,
			p.url("/keys/stolen"), alice.id, string(pem))))
		_, err := e.resolver.ResolveKey(ctx, p.url("/keys/stolen"), false)
		assert.ErrorIs(t, err, federation.ErrKeyNotListed)
	})
}

func TestResolverStandaloneKey(t *testing.T) {
	e := newEnv(t, nil)
	p := newPeer(t)
	bob := p.actor("bob", 1)
	bob.keyID = p.url("/keys/bob")
	doc := bob.doc()
	p.put("/users/bob", doc)
	p.putRaw("/keys/bob", []byte(fmt.Sprintf(`{"@context":"https://w3id.org/security/v1","id":%q,"type":"CryptographicKey","owner":%q,"publicKeyPem":%q}`,
		bob.keyID, bob.id, doc.PublicKey.PublicKeyPem)))
	k, err := e.resolver.ResolveKey(t.Context(), bob.keyID, false)
	require.NoError(t, err)
	assert.Equal(t, bob.id, k.Owner)
	assert.True(t, k.Fresh)
	k, err = e.resolver.ResolveKey(t.Context(), bob.keyID, false)
	require.NoError(t, err)
	assert.False(t, k.Fresh, "cached")
	assert.Equal(t, 1, p.hitCount("/keys/bob"))
}

func TestResolverFetchBudget(t *testing.T) {
	e := newEnv(t, nil)
	p := newPeer(t)
	for i := range 3 {
		p.put(fmt.Sprintf("/notes/%d", i), &ap.Object{ID: p.url(fmt.Sprintf("/notes/%d", i)), Type: ap.TypeNote})
	}
	ctx := federation.WithFetchBudget(t.Context(), 2)
	_, err := e.resolver.ResolveObject(ctx, p.url("/notes/0"))
	require.NoError(t, err)
	_, err = e.resolver.ResolveObject(ctx, p.url("/notes/0"))
	require.NoError(t, err, "a cache hit is free")
	_, err = e.resolver.ResolveObject(ctx, p.url("/notes/1"))
	require.NoError(t, err)
	left, ok := federation.FetchBudget(ctx)
	assert.True(t, ok)
	assert.Zero(t, left)
	_, err = e.resolver.ResolveObject(ctx, p.url("/notes/2"))
	assert.ErrorIs(t, err, federation.ErrFetchBudgetExhausted)
	assert.Zero(t, p.hitCount("/notes/2"))
}

func TestFetchThread(t *testing.T) {
	e := newEnv(t, nil)
	p := newPeer(t)
	// An endless chain: /chain/n replies to /chain/n+1.
	p.handle("/chain/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
		o := &ap.Object{ID: p.url(r.URL.Path), Type: ap.TypeNote, InReplyTo: ap.IRIRef(p.url(fmt.Sprintf("/chain/%d", n+1)))}
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(encode(t, o))
	})
	start := &ap.Object{ID: p.url("/chain/0"), Type: ap.TypeNote, InReplyTo: ap.IRIRef(p.url("/chain/1"))}
	chain, err := e.resolver.FetchThread(t.Context(), start, 0)
	assert.ErrorIs(t, err, federation.ErrThreadTooDeep)
	assert.Len(t, chain, federation.DefaultThreadDepth)
	assert.Equal(t, p.url("/chain/1"), chain[0].ID)

	// The fetch budget cuts it shorter.
	chain, err = e.resolver.FetchThread(federation.WithFetchBudget(t.Context(), 3), &ap.Object{ID: p.url("/chain/100"), InReplyTo: ap.IRIRef(p.url("/chain/101"))}, 0)
	assert.ErrorIs(t, err, federation.ErrFetchBudgetExhausted)
	assert.Len(t, chain, 3)

	// A cycle ends the walk.
	p.put("/a", &ap.Object{ID: p.url("/a"), Type: ap.TypeNote, InReplyTo: ap.IRIRef(p.url("/b"))})
	p.put("/b", &ap.Object{ID: p.url("/b"), Type: ap.TypeNote, InReplyTo: ap.IRIRef(p.url("/a"))})
	a, err := e.resolver.ResolveObject(t.Context(), p.url("/a"))
	require.NoError(t, err)
	chain, err = e.resolver.FetchThread(t.Context(), a, 0)
	require.NoError(t, err)
	require.Len(t, chain, 1)
	assert.Equal(t, p.url("/b"), chain[0].ID)
}

func TestResolveHandle(t *testing.T) {
	e := newEnv(t, nil)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	p.handle("/.well-known/webfinger", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("resource") != "acct:alice@"+p.host() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		_ = json.NewEncoder(w).Encode(webfinger.JRD{Subject: "acct:alice@" + p.host(),
			Links: []webfinger.Link{{Rel: "self", Type: "application/activity+json", Href: alice.id}}})
	})
	a, err := e.resolver.ResolveHandle(t.Context(), "@alice@"+p.host())
	require.NoError(t, err)
	assert.Equal(t, alice.id, a.URI)
	assert.Equal(t, "alice@"+p.host(), a.Acct())
	// Stored: no second lookup.
	_, err = e.resolver.ResolveHandle(t.Context(), "alice@"+p.host())
	require.NoError(t, err)
	assert.Equal(t, 1, p.hitCount("/.well-known/webfinger"))
	_, err = e.resolver.ResolveHandle(t.Context(), "nobody@"+p.host())
	assert.ErrorIs(t, err, webfinger.ErrNotFound)
}
