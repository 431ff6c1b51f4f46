package federation_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
)

// localAccount creates a local account laid out by urls, with a key.
func localAccount(t testing.TB, st storage.Store, urls federation.URLs, name string) *storage.Account {
	key := testKey(t, 3)
	pub, err := signature.EncodePublicKeyPEM(&key.PublicKey)
	require.NoError(t, err)
	a := &storage.Account{
		Username: name, DisplayName: "Alice", Note: "<p>bio</p>",
		URI: urls.Actor(name), URL: urls.Profile(name), InboxURI: urls.Inbox(name), OutboxURI: urls.Outbox(name),
		SharedInboxURI: urls.SharedInbox(), FollowersURI: urls.Followers(name), FollowingURI: urls.Following(name),
		FeaturedURI: urls.Featured(name), ActorType: storage.ActorPerson,
		PublicKeyID: urls.PublicKey(name), PublicKeyPEM: string(pub), PrivateKeyPEM: string(signature.EncodePKCS1PrivateKeyPEM(key)),
		AvatarURL: "https://local.example/media/avatar.png", HeaderURL: "https://local.example/media/header.jpg",
		Fields:       storage.Fields{{Name: "Website", Value: `<a href="https://alice.example">alice.example</a>`}},
		Emojis:       storage.Emojis{{Shortcode: "gopher", URL: "https://local.example/emoji/gopher.png", URI: "https://local.example/emojis/1"}},
		AlsoKnownAs:  storage.Strings{"https://old.example/users/alice"},
		Discoverable: true, Indexable: true,
		CreatedAt: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
	}
	require.NoError(t, st.Accounts().Create(t.Context(), a))
	return a
}

func get(h http.Handler, url, accept string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	return serve(h, r)
}

func decodeMap(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	var m map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &m), w.Body.String())
	return m
}

func TestServeActorDocument(t *testing.T) {
	st := openStore(t)
	urls, err := federation.NewURLs("https://local.example")
	require.NoError(t, err)
	alice := localAccount(t, st, urls, "alice")
	mux := http.NewServeMux()
	federation.NewActorHandler(st.Accounts(), urls, &federation.ActorHandlerOptions{Accounts: st.Accounts()}).Mount(mux)

	w := get(mux, "https://local.example/users/alice", "application/activity+json")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/activity+json; charset=utf-8", w.Header().Get("Content-Type"))
	m := decodeMap(t, w)
	// The fields and shapes Mastodon emits (see ap/testdata/mastodon_person.json).
	ctx := m["@context"].([]any)
	assert.Equal(t, "https://www.w3.org/ns/activitystreams", ctx[0])
	assert.Equal(t, "https://w3id.org/security/v1", ctx[1])
	for k, v := range map[string]any{
		"id": alice.URI, "type": "Person", "preferredUsername": "alice", "name": "Alice", "summary": "<p>bio</p>",
		"url": "https://local.example/@alice", "inbox": alice.InboxURI, "outbox": alice.OutboxURI,
		"followers": alice.FollowersURI, "following": alice.FollowingURI,
		"featured":                  "https://local.example/users/alice/collections/featured",
		"featuredTags":              "https://local.example/users/alice/collections/tags",
		"manuallyApprovesFollowers": false, "discoverable": true, "indexable": true, "memorial": false,
		"published": "2024-05-06T00:00:00Z",
	} {
		assert.Equal(t, v, m[k], k)
	}
	assert.Equal(t, map[string]any{"sharedInbox": "https://local.example/inbox"}, m["endpoints"])
	pk := m["publicKey"].(map[string]any)
	assert.Equal(t, alice.PublicKeyID, pk["id"])
	assert.Equal(t, alice.URI, pk["owner"])
	assert.Equal(t, alice.PublicKeyPEM, pk["publicKeyPem"])
	icon := m["icon"].(map[string]any)
	// (ap currently also writes to/cc/sensitive on an actor's icon, which
	// Mastodon does not: reported to the ap package.)
	for k, v := range map[string]any{"type": "Image", "mediaType": "image/png", "url": "https://local.example/media/avatar.png"} {
		assert.Equal(t, v, icon[k], k)
	}
	assert.Equal(t, "image/jpeg", m["image"].(map[string]any)["mediaType"])
	assert.Equal(t, []any{map[string]any{"type": "PropertyValue", "name": "Website", "value": `<a href="https://alice.example">alice.example</a>`}}, m["attachment"])
	assert.Equal(t, []any{"https://old.example/users/alice"}, m["alsoKnownAs"])
	tag := m["tag"].([]any)[0].(map[string]any)
	assert.Equal(t, "Emoji", tag["type"])
	assert.Equal(t, ":gopher:", tag["name"])

	// The document round-trips through the resolver's converter.
	o, err := ap.Decode(w.Body.Bytes())
	require.NoError(t, err)
	back, err := federation.ActorToAccount(o)
	require.NoError(t, err)
	assert.Equal(t, alice.InboxURI, back.InboxURI)
	assert.Equal(t, alice.PublicKeyPEM, back.PublicKeyPEM)
	assert.Equal(t, alice.Fields[0].Value, back.Fields[0].Value)
}

func TestServeContentNegotiation(t *testing.T) {
	st := openStore(t)
	urls, _ := federation.NewURLs("https://local.example")
	localAccount(t, st, urls, "alice")
	html := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>profile</html>")) })
	withHTML, withoutHTML := http.NewServeMux(), http.NewServeMux()
	federation.NewActorHandler(st.Accounts(), urls, &federation.ActorHandlerOptions{HTML: html}).Mount(withHTML)
	federation.NewActorHandler(st.Accounts(), urls, nil).Mount(withoutHTML)
	const u = "https://local.example/users/alice"
	for _, accept := range []string{"application/activity+json", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, "application/json", "text/html, application/activity+json;q=0.9"} {
		w := get(withHTML, u, accept)
		assert.Equal(t, http.StatusOK, w.Code, accept)
		assert.Contains(t, w.Header().Get("Content-Type"), "application/activity+json", accept)
	}
	for _, accept := range []string{"text/html", "*/*", "", "application/ld+json", "application/activity+json;q=0"} {
		w := get(withHTML, u, accept)
		assert.Equal(t, "<html>profile</html>", w.Body.String(), accept)
		assert.Equal(t, http.StatusNotAcceptable, get(withoutHTML, u, accept).Code, accept)
	}
	assert.Contains(t, get(withHTML, u, "text/html").Header().Values("Vary"), "Accept")
	assert.Equal(t, http.StatusNotFound, get(withHTML, "https://local.example/users/nobody", "application/activity+json").Code)
}

func TestServeCollections(t *testing.T) {
	st := openStore(t)
	ctx := t.Context()
	urls, _ := federation.NewURLs("https://local.example")
	alice := localAccount(t, st, urls, "alice")
	var followers []string
	for i := range 25 {
		r := &storage.Account{Username: fmt.Sprintf("f%d", i), Domain: "remote.example", URI: fmt.Sprintf("https://remote.example/users/f%d", i), InboxURI: "https://remote.example/inbox"}
		require.NoError(t, st.Accounts().Create(ctx, r))
		require.NoError(t, st.Follows().Create(ctx, &storage.Follow{AccountID: r.ID, TargetAccountID: alice.ID, URI: fmt.Sprintf("https://remote.example/follows/%d", i)}))
		followers = append(followers, r.URI)
	}
	require.NoError(t, st.Accounts().AdjustCounts(ctx, alice.ID, 0, 25, 0, nil))
	for i, vis := range []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted, storage.VisibilityPrivate, storage.VisibilityDirect} {
		id := st.NewID()
		s := &storage.Status{ID: id, URI: urls.Status("alice", id), URL: urls.StatusPage("alice", id), AccountID: alice.ID, Local: true,
			Content: fmt.Sprintf("<p>%d</p>", i), Visibility: vis, Tags: storage.Strings{"go"}}
		require.NoError(t, st.Statuses().Create(ctx, s))
		if vis == storage.VisibilityPublic {
			require.NoError(t, st.Pins().Create(ctx, &storage.Pin{AccountID: alice.ID, StatusID: s.ID}))
		}
	}
	h := federation.NewActorHandler(st.Accounts(), urls, &federation.ActorHandlerOptions{
		Accounts: st.Accounts(), Follows: st.Follows(), Statuses: st.Statuses(), Pins: st.Pins(),
	})
	mux := http.NewServeMux()
	h.Mount(mux)
	const accept = "application/activity+json"

	m := decodeMap(t, get(mux, alice.FollowersURI, accept))
	assert.Equal(t, "OrderedCollection", m["type"])
	assert.EqualValues(t, 25, m["totalItems"])
	first := m["first"].(string)
	var got []string
	for page := first; page != ""; {
		pm := decodeMap(t, get(mux, page, accept))
		assert.Equal(t, "OrderedCollectionPage", pm["type"])
		assert.Equal(t, alice.FollowersURI, pm["partOf"])
		for _, it := range pm["orderedItems"].([]any) {
			got = append(got, it.(string))
		}
		page, _ = pm["next"].(string)
	}
	assert.ElementsMatch(t, followers, got)
	assert.Len(t, got, 25, "two pages of 20 and 5, no duplicates")

	hidden := federation.NewActorHandler(st.Accounts(), urls, &federation.ActorHandlerOptions{
		Accounts: st.Accounts(), Follows: st.Follows(), HideCollections: func(*storage.Account) bool { return true }})
	hm := http.NewServeMux()
	hidden.Mount(hm)
	m = decodeMap(t, get(hm, alice.FollowersURI+"?page=true", accept))
	assert.EqualValues(t, 25, m["totalItems"])
	assert.Nil(t, m["first"])
	assert.Nil(t, m["orderedItems"])

	m = decodeMap(t, get(mux, alice.OutboxURI+"?page=true", accept))
	items := m["orderedItems"].([]any)
	require.Len(t, items, 2, "public and unlisted only")
	create := items[0].(map[string]any)
	assert.Equal(t, "Create", create["type"])
	note := create["object"].(map[string]any)
	assert.Equal(t, "Note", note["type"])
	assert.Equal(t, alice.URI, note["attributedTo"])
	assert.Equal(t, []any{alice.FollowersURI}, note["to"], "newest first: the unlisted one")
	assert.Equal(t, []any{ap.Public}, note["cc"])
	hashtag := note["tag"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"type": "Hashtag", "name": "#go", "href": "https://local.example/tags/go"}, hashtag)

	m = decodeMap(t, get(mux, alice.FeaturedURI, accept))
	assert.EqualValues(t, 1, m["totalItems"])
	assert.Equal(t, "<p>0</p>", m["orderedItems"].([]any)[0].(map[string]any)["content"])

	// Statuses: public served, private hidden.
	pub := items[1].(map[string]any)["object"].(map[string]any)["id"].(string)
	assert.Equal(t, http.StatusOK, get(mux, pub, accept).Code)
	ss, err := st.Statuses().ByAccount(ctx, alice.ID, storage.StatusFilter{Visibilities: []storage.Visibility{storage.VisibilityPrivate}}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, get(mux, ss[0].URI, accept).Code)
}

func TestInstanceActorAndWebFinger(t *testing.T) {
	st := openStore(t)
	ctx := t.Context()
	urls, err := federation.NewURLs("http://127.0.0.1:8081")
	require.NoError(t, err)
	inst, signer, err := federation.EnsureInstanceActor(ctx, st.Accounts(), urls)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8081", inst.Username)
	assert.Equal(t, "http://127.0.0.1:8081/actor", inst.URI)
	assert.Equal(t, "http://127.0.0.1:8081/actor#main-key", signer.KeyID())
	again, _, err := federation.EnsureInstanceActor(ctx, st.Accounts(), urls)
	require.NoError(t, err)
	assert.Equal(t, inst.ID, again.ID, "created once")

	alice := localAccount(t, st, urls, "alice")
	mux := http.NewServeMux()
	federation.NewActorHandler(st.Accounts(), urls, &federation.ActorHandlerOptions{InstanceActor: inst}).Mount(mux)
	wf := webfinger.NewHandler(federation.NewWebFingerResolver(st.Accounts(), urls), nil)
	mux.Handle("/.well-known/", wf)

	m := decodeMap(t, get(mux, "http://127.0.0.1:8081/actor", "application/activity+json"))
	assert.Equal(t, "Application", m["type"])
	assert.Equal(t, "127.0.0.1:8081", m["preferredUsername"])
	assert.Equal(t, "http://127.0.0.1:8081/actor/inbox", m["inbox"])
	assert.Nil(t, m["followers"], "no made-up collections")
	assert.Equal(t, true, m["manuallyApprovesFollowers"])
	assert.Equal(t, http.StatusNotFound, get(mux, "http://127.0.0.1:8081/users/127.0.0.1:8081", "application/activity+json").Code,
		"the instance actor lives at /actor only")

	for _, res := range []string{"acct:alice@127.0.0.1:8081", alice.URI, alice.URL} {
		w := get(mux, "http://127.0.0.1:8081/.well-known/webfinger?resource="+res, "")
		require.Equal(t, http.StatusOK, w.Code, res)
		var jrd webfinger.JRD
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &jrd))
		assert.Equal(t, "acct:alice@127.0.0.1:8081", jrd.Subject)
		assert.Equal(t, alice.URI, jrd.ActorURL())
		assert.Equal(t, alice.URL, jrd.ProfileURL())
		assert.NotNil(t, jrd.Link(webfinger.RelSubscribe))
	}
	for _, res := range []string{"acct:127.0.0.1:8081@127.0.0.1:8081", "http://127.0.0.1:8081/actor"} {
		w := get(mux, "http://127.0.0.1:8081/.well-known/webfinger?resource="+res, "")
		require.Equal(t, http.StatusOK, w.Code, res)
		var jrd webfinger.JRD
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &jrd))
		assert.Equal(t, inst.URI, jrd.ActorURL())
	}
	for _, res := range []string{"acct:alice@127.0.0.1:8082", "acct:alice@other.example", "acct:nobody@127.0.0.1:8081"} {
		assert.Equal(t, http.StatusNotFound, get(mux, "http://127.0.0.1:8081/.well-known/webfinger?resource="+res, "").Code, res)
	}
}
