package federation_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

func TestInboxAcceptsSignedFollow(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	inbox := e.inbox(&federation.InboxOptions{Instances: e.store.Instances()})

	act := alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob"))
	w := serve(inbox, alice.request(t, localInbox, encode(t, act)))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	require.Equal(t, 1, follows.count())
	in := follows.last()
	assert.Equal(t, "https://local.example/users/bob", in.Activity.Followee())
	assert.Equal(t, act.ID, in.Activity.ID())
	assert.Equal(t, alice.id, in.Signer.URI)
	assert.Equal(t, "alice", in.Signer.Username)
	assert.Equal(t, p.host(), in.Signer.Domain)
	assert.Nil(t, in.Recipient)
	assert.Equal(t, alice.keyID, in.KeyID)

	stored, err := e.store.Accounts().GetByURI(t.Context(), alice.id)
	require.NoError(t, err)
	assert.Equal(t, alice.id+"/inbox", stored.InboxURI)
	assert.NotNil(t, stored.FetchedAt)

	// A second activity uses the cached key: no new fetch.
	w = serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/carol")))))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	assert.Equal(t, 1, p.hitCount("/users/alice"))
}

func TestInboxCreateNote(t *testing.T) {
	e := newEnv(t, nil)
	creates := record[federation.Create](e.handlers)
	var got *ap.Object
	creates.err = func(in *federation.Incoming[federation.Create]) error {
		o, err := in.Object(context.Background())
		got = o
		return err
	}
	p := newPeer(t)
	alice := p.actor("alice", 0)
	note := &ap.Object{ID: alice.id + "/statuses/1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(alice.id)}, Content: "<p>hi</p>", To: []string{ap.Public}}
	w := serve(e.inbox(nil), alice.request(t, localInbox, encode(t, alice.activity(ap.TypeCreate, ap.Embed(note)))))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, "<p>hi</p>", got.Content)
	assert.Equal(t, 0, p.hitCount("/users/alice/statuses/1"), "a same-origin embedded object is used as is")
}

func TestInboxRFC9421(t *testing.T) {
	e := newEnv(t, nil)
	likes := record[federation.Like](e.handlers)
	alice := newPeer(t).actor("alice", 0)
	body := encode(t, alice.activity(ap.TypeLike, ap.IRIRef("https://local.example/users/bob/statuses/1")))
	r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	require.NoError(t, alice.signer.SignRFC9421(r, body))
	w := serve(e.inbox(nil), r)
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	assert.Equal(t, "https://local.example/users/bob/statuses/1", likes.last().Activity.StatusIRI())
}

func TestInboxRejects(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	creates := record[federation.Create](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	mallory := p.actor("mallory", 1)
	inbox := e.inbox(nil)
	follow := func() []byte {
		return encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))
	}

	t.Run("ForgedSignature", func(t *testing.T) {
		forger, err := signature.NewSigner(alice.keyID, testKey(t, 2), nil)
		require.NoError(t, err)
		body := follow()
		r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/activity+json")
		require.NoError(t, forger.Sign(r, body))
		w := serve(inbox, r)
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Contains(t, errorBody(w), "verification failed")
	})
	t.Run("Unsigned", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(follow()))
		r.Header.Set("Content-Type", "application/activity+json")
		assert.Equal(t, http.StatusUnauthorized, serve(inbox, r).Code)
	})
	for _, skew := range []time.Duration{-2 * time.Hour, 2 * time.Hour} {
		t.Run("Date"+skew.String(), func(t *testing.T) {
			s, err := signature.NewSigner(alice.keyID, alice.key, &signature.SignerOptions{Clock: func() time.Time { return time.Now().Add(skew) }})
			require.NoError(t, err)
			body := follow()
			r := httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/activity+json")
			require.NoError(t, s.Sign(r, body))
			w := serve(inbox, r)
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.Contains(t, errorBody(w), "date")
		})
	}
	t.Run("WrongDigest", func(t *testing.T) {
		r := alice.request(t, localInbox, follow())
		other := follow()
		r.Body = http.NoBody
		r = httptest.NewRequest(http.MethodPost, localInbox, bytes.NewReader(other))
		signed := alice.request(t, localInbox, follow())
		r.Header = signed.Header.Clone()
		w := serve(inbox, r)
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Contains(t, errorBody(w), "digest")
	})
	t.Run("SignerIsNotActor", func(t *testing.T) {
		w := serve(inbox, mallory.request(t, localInbox, follow()))
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		assert.Contains(t, errorBody(w), "actor")
	})
	t.Run("ActivityIDOnAnotherOrigin", func(t *testing.T) {
		act := alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob"))
		act.ID = "https://elsewhere.example/activities/1"
		w := serve(inbox, alice.request(t, localInbox, encode(t, act)))
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Contains(t, errorBody(w), "origin")
	})
	t.Run("CreateOfSomeoneElsesNote", func(t *testing.T) {
		note := &ap.Object{ID: alice.id + "/statuses/9", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(mallory.id)}, Content: "x"}
		w := serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeCreate, ap.Embed(note)))))
		assert.Equal(t, http.StatusForbidden, w.Code)
	})
	t.Run("Oversized", func(t *testing.T) {
		act := alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob"))
		act.Content = strings.Repeat("a", 1<<20)
		w := serve(inbox, alice.request(t, localInbox, encode(t, act)))
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	})
	t.Run("DeeplyNested", func(t *testing.T) {
		body := []byte(`{"id":"` + alice.id + `/activities/deep","type":"Follow","actor":"` + alice.id + `","object":` +
			strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`)
		w := serve(inbox, alice.request(t, localInbox, body))
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Contains(t, errorBody(w), "nested")
	})
	t.Run("NotJSONContentType", func(t *testing.T) {
		r := alice.request(t, localInbox, follow())
		r.Header.Set("Content-Type", "text/html")
		assert.Equal(t, http.StatusUnsupportedMediaType, serve(inbox, r).Code)
	})
	t.Run("NotJSONBody", func(t *testing.T) {
		assert.Equal(t, http.StatusBadRequest, serve(inbox, alice.request(t, localInbox, []byte("hello"))).Code)
	})
	t.Run("MissingActor", func(t *testing.T) {
		body := []byte(`{"id":"` + alice.id + `/activities/x","type":"Follow","object":"https://local.example/users/bob"}`)
		assert.Equal(t, http.StatusBadRequest, serve(inbox, alice.request(t, localInbox, body)).Code)
	})
	t.Run("GET", func(t *testing.T) {
		w := serve(inbox, httptest.NewRequest(http.MethodGet, localInbox, nil))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "POST", w.Header().Get("Allow"))
	})
	assert.Zero(t, follows.count(), "no rejected Follow reached the handler")
	assert.Zero(t, creates.count())
}

func TestInboxCrossOriginEmbeddedObjectIsRefetched(t *testing.T) {
	e := newEnv(t, nil)
	announces := record[federation.Announce](e.handlers)
	creates := record[federation.Create](e.handlers)
	var seen *ap.Object
	announces.err = func(in *federation.Incoming[federation.Announce]) error {
		o, err := in.Object(context.Background())
		seen = o
		return err
	}
	creates.err = func(in *federation.Incoming[federation.Create]) error {
		_, err := in.Object(context.Background())
		return err
	}
	p1, p2 := newPeer(t), newPeer(t)
	alice := p1.actor("alice", 0)
	carol := p2.actor("carol", 1)
	real := &ap.Object{ID: p2.url("/notes/1"), Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(carol.id)}, Content: "real"}
	p2.put("/notes/1", real)
	fake := *real
	fake.Content = "forged"

	inbox := e.inbox(nil)
	w := serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeAnnounce, ap.Embed(&fake)))))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	require.NotNil(t, seen)
	assert.Equal(t, "real", seen.Content, "the object comes from its origin, not from the embedded copy")
	assert.Equal(t, 1, p2.hitCount("/notes/1"))

	// A Create of carol's note by alice: refetched, attributed to carol → 403.
	fake.AttributedTo = ap.Refs{ap.IRIRef(alice.id)}
	w = serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeCreate, ap.Embed(&fake)))))
	assert.Equal(t, http.StatusForbidden, w.Code, w.Body.String())

	// The object's origin is down: 503 with Retry-After, and a retry works.
	p2.setStatus("/notes/2", http.StatusBadGateway)
	body := encode(t, alice.activity(ap.TypeAnnounce, ap.IRIRef(p2.url("/notes/2"))))
	w = serve(inbox, alice.request(t, localInbox, body))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	p2.setStatus("/notes/2", 0)
	p2.put("/notes/2", &ap.Object{ID: p2.url("/notes/2"), Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(carol.id)}, Content: "later"})
	w = serve(inbox, alice.request(t, localInbox, body))
	assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	assert.Equal(t, "later", seen.Content)
}

func TestInboxUnknownTypeIgnored(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	act := alice.activity("Arrive", ap.IRIRef("https://local.example/places/1"))
	w := serve(e.inbox(nil), alice.request(t, localInbox, encode(t, act)))
	assert.Equal(t, http.StatusAccepted, w.Code)
	assert.Zero(t, follows.count())
	assert.Zero(t, p.hitCount("/users/alice"), "nothing is fetched for an ignored activity")
}

func TestInboxReplayDispatchedOnce(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	alice := newPeer(t).actor("alice", 0)
	body := encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))
	inbox := e.inbox(nil)
	for range 3 {
		w := serve(inbox, alice.request(t, localInbox, body))
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	}
	assert.Equal(t, 1, follows.count())
	// The log is persistent: a new inbox over the same store still knows it.
	w := serve(e.inbox(nil), alice.request(t, localInbox, body))
	require.Equal(t, http.StatusAccepted, w.Code)
	assert.Equal(t, 1, follows.count())
}

func TestInboxHandlerErrors(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	alice := newPeer(t).actor("alice", 0)
	inbox := e.inbox(nil)

	follows.err = func(*federation.Incoming[federation.Follow]) error { return federation.ErrReject("not today") }
	w := serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "not today", errorBody(w))

	// An internal error answers 500 and lets the sender retry.
	body := encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))
	follows.err = func(*federation.Incoming[federation.Follow]) error { return errors.New("database on fire") }
	w = serve(inbox, alice.request(t, localInbox, body))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.NotContains(t, w.Body.String(), "fire", "internal detail stays internal")
	follows.err = nil
	w = serve(inbox, alice.request(t, localInbox, body))
	assert.Equal(t, http.StatusAccepted, w.Code)
	assert.Equal(t, 3, follows.count())

	// A panic is an internal error too.
	follows.err = func(*federation.Incoming[federation.Follow]) error { panic("boom") }
	w = serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
}

func TestInboxRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	record[federation.Like](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	inbox := e.inbox(&federation.InboxOptions{Rate: 0.5, Burst: 2, Now: e.clock})
	like := func() *http.Request {
		return alice.request(t, localInbox, encode(t, alice.activity(ap.TypeLike, ap.IRIRef("https://local.example/users/bob/statuses/1"))))
	}
	assert.Equal(t, http.StatusAccepted, serve(inbox, like()).Code)
	assert.Equal(t, http.StatusAccepted, serve(inbox, like()).Code)
	w := serve(inbox, like())
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "2", w.Header().Get("Retry-After"))
	// Another host has its own bucket.
	bob := newPeer(t).actor("bob", 1)
	assert.Equal(t, http.StatusAccepted, serve(inbox, bob.request(t, localInbox, encode(t, bob.activity(ap.TypeLike, ap.IRIRef("https://local.example/s/1"))))).Code)
	e.advance(2 * time.Second)
	assert.Equal(t, http.StatusAccepted, serve(inbox, like()).Code)
}

func TestInboxKeyRotation(t *testing.T) {
	e := newEnv(t, &federation.ResolverOptions{KeyRefetchInterval: -1})
	follows := record[federation.Follow](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	inbox := e.inbox(nil)
	follow := func() []byte {
		return encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob")))
	}
	require.Equal(t, http.StatusAccepted, serve(inbox, alice.request(t, localInbox, follow())).Code)
	alice.setKey(1) // rotate: the cached key is now stale
	w := serve(inbox, alice.request(t, localInbox, follow()))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	assert.Equal(t, 2, p.hitCount("/users/alice"), "the key was refetched once")
	assert.Equal(t, 2, follows.count())
	stored, err := e.store.Accounts().GetByURI(t.Context(), alice.id)
	require.NoError(t, err)
	pem, _ := signature.EncodePublicKeyPEM(&alice.key.PublicKey)
	assert.Equal(t, string(pem), stored.PublicKeyPEM, "the stored key was replaced")
}

func TestInboxDeleteOfUnknownActor(t *testing.T) {
	e := newEnv(t, nil)
	deletes := record[federation.Delete](e.handlers)
	p := newPeer(t)
	ghost := p.actor("ghost", 0)
	p.setStatus("/users/ghost", http.StatusGone)
	act := ghost.activity(ap.TypeDelete, ap.IRIRef(ghost.id))
	w := serve(e.inbox(nil), ghost.request(t, localInbox, encode(t, act)))
	assert.Equal(t, http.StatusAccepted, w.Code)
	assert.Zero(t, deletes.count())
	assert.Zero(t, p.hitCount("/users/ghost"), "nothing fetched")
}

func TestInboxPolicy(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	alice := newPeer(t).actor("alice", 0)
	var verdict federation.Verdict
	pol := federation.PolicyChain(nil,
		federation.PolicyFunc(func(ctx context.Context, act *ap.Object, signer *storage.Account) federation.Decision {
			return federation.Decision{Verdict: verdict, Reason: "domain blocked"}
		}))
	inbox := e.inbox(&federation.InboxOptions{Policy: pol})
	follow := func() *http.Request {
		return alice.request(t, localInbox, encode(t, alice.activity(ap.TypeFollow, ap.IRIRef("https://local.example/users/bob"))))
	}
	verdict = federation.VerdictReject
	w := serve(inbox, follow())
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, "domain blocked", errorBody(w))
	verdict = federation.VerdictDrop
	assert.Equal(t, http.StatusAccepted, serve(inbox, follow()).Code)
	assert.Zero(t, follows.count())
	verdict = federation.VerdictAccept
	assert.Equal(t, http.StatusAccepted, serve(inbox, follow()).Code)
	assert.Equal(t, 1, follows.count())
}

func TestPersonalInbox(t *testing.T) {
	e := newEnv(t, nil)
	follows := record[federation.Follow](e.handlers)
	bob := &storage.Account{Username: "bob", URI: "https://local.example/users/bob", InboxURI: "https://local.example/users/bob/inbox"}
	require.NoError(t, e.store.Accounts().Create(t.Context(), bob))
	mux := http.NewServeMux()
	mux.Handle("POST /users/{name}/inbox", e.inbox(&federation.InboxOptions{Recipient: federation.RecipientByPathValue(e.store.Accounts(), "name")}))
	alice := newPeer(t).actor("alice", 0)
	act := encode(t, alice.activity(ap.TypeFollow, ap.IRIRef(bob.URI)))
	w := serve(mux, alice.request(t, "https://local.example/users/bob/inbox", act))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	require.NotNil(t, follows.last().Recipient)
	assert.Equal(t, bob.ID, follows.last().Recipient.ID)
	w = serve(mux, alice.request(t, "https://local.example/users/nobody/inbox", encode(t, alice.activity(ap.TypeFollow, ap.IRIRef(bob.URI)))))
	assert.Equal(t, http.StatusNotFound, w.Code)
}
