package interop_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
	"github.com/herd-social/herd/federation/signature"
)

// goActor is a minimal ActivityPub actor written in Go with Herd's own
// signature package: WebFinger, an actor document, an inbox that verifies
// HTTP signatures, and dereferenceable notes. It stands in for Herd's
// federation engine until that is ready, and checks Herd's signer and
// verifier against Fedify in both directions.
type goActor struct {
	t        *testing.T
	srv      *httptest.Server
	host     string // 127.0.0.1:PORT
	id       string
	inbox    string
	keyID    string
	key      *rsa.PrivateKey
	signer   *signature.Signer
	verifier *signature.Verifier

	mu         sync.Mutex
	deliveries []goDelivery
	notes      map[string][]byte
}

type goDelivery struct {
	activity map[string]any
	result   *signature.Result
	err      error
}

func newGoActor(t *testing.T) *goActor {
	t.Helper()
	key, err := signature.GenerateRSAKey(2048)
	require.NoError(t, err)
	g := &goActor{t: t, key: key, notes: map[string][]byte{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	g.host = strings.TrimPrefix(g.srv.URL, "http://")
	g.id = g.srv.URL + "/users/alice"
	g.inbox = g.id + "/inbox"
	g.keyID = g.id + "#main-key"
	g.signer, err = signature.NewSigner(g.keyID, key, nil)
	require.NoError(t, err)
	g.verifier = signature.NewVerifier(&signature.Options{Scheme: "http", Authority: g.host})
	return g
}

var asContext = []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *goActor) serve(w http.ResponseWriter, r *http.Request) {
	const ap = "application/activity+json"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/.well-known/webfinger":
		if r.URL.Query().Get("resource") != "acct:alice@"+g.host {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, "application/jrd+json", map[string]any{
			"subject": "acct:alice@" + g.host,
			"aliases": []string{g.id},
			"links": []map[string]string{
				{"rel": "self", "type": ap, "href": g.id},
			},
		})
	case r.Method == http.MethodGet && r.URL.Path == "/users/alice":
		pem, err := signature.EncodePublicKeyPEM(&g.key.PublicKey)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, ap, map[string]any{
			"@context":          asContext,
			"id":                g.id,
			"type":              "Person",
			"preferredUsername": "alice",
			"name":              "Alice (Go)",
			"inbox":             g.inbox,
			"outbox":            g.id + "/outbox",
			"followers":         g.id + "/followers",
			"following":         g.id + "/following",
			"endpoints":         map[string]string{"sharedInbox": g.srv.URL + "/inbox"},
			"publicKey": map[string]string{
				"id": g.keyID, "owner": g.id, "publicKeyPem": string(pem),
			},
		})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/notes/"):
		g.mu.Lock()
		note, ok := g.notes[g.srv.URL+r.URL.Path]
		g.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ap)
		_, _ = w.Write(note)
	case r.Method == http.MethodPost && (r.URL.Path == "/users/alice/inbox" || r.URL.Path == "/inbox"):
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, verr := g.verifier.Verify(r.Context(), r, body, signature.KeyResolverFunc(g.resolveKey))
		var activity map[string]any
		_ = json.Unmarshal(body, &activity)
		g.mu.Lock()
		g.deliveries = append(g.deliveries, goDelivery{activity: activity, result: res, err: verr})
		g.mu.Unlock()
		if verr != nil {
			http.Error(w, verr.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// resolveKey fetches a keyId (an actor document with a publicKey, as Fedify
// serves it) and checks that the key lives where its id says.
func (g *goActor) resolveKey(ctx context.Context, keyID string, _ bool) (*signature.PublicKey, error) {
	u, err := url.Parse(keyID)
	if err != nil {
		return nil, err
	}
	u.Fragment = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key %s: %s", keyID, resp.Status)
	}
	var doc struct {
		ID        string `json:"id"`
		PublicKey struct {
			ID           string `json:"id"`
			Owner        string `json:"owner"`
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return nil, err
	}
	if doc.PublicKey.ID != keyID || doc.ID != u.String() || doc.PublicKey.Owner != doc.ID {
		return nil, fmt.Errorf("key %s: document has key %q owned by %q", keyID, doc.PublicKey.ID, doc.PublicKey.Owner)
	}
	pub, err := signature.DecodePublicKeyPEM([]byte(doc.PublicKey.PublicKeyPem))
	if err != nil {
		return nil, err
	}
	return &signature.PublicKey{ID: keyID, Owner: doc.PublicKey.Owner, Key: pub, Fresh: true}, nil
}

// waitDelivery waits for an inbox delivery of the given type.
func (g *goActor) waitDelivery(typ string, timeout time.Duration) goDelivery {
	g.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		g.mu.Lock()
		for _, d := range g.deliveries {
			if d.activity["type"] == typ {
				g.mu.Unlock()
				return d
			}
		}
		n := len(g.deliveries)
		g.mu.Unlock()
		if time.Now().After(deadline) {
			g.t.Fatalf("go actor: no %s delivery within %s (%d other deliveries)", typ, timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post delivers activity to inbox signed with scheme and returns the status.
func (g *goActor) post(ctx context.Context, inbox string, activity map[string]any, scheme signature.Scheme) (int, string) {
	g.t.Helper()
	body, err := json.Marshal(activity)
	require.NoError(g.t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	require.NoError(g.t, err)
	req.Header.Set("Content-Type", "application/activity+json")
	require.NoError(g.t, g.signer.SignScheme(scheme, req, body))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(text)
}

// deliver posts with double-knock: RFC 9421 first, draft-cavage on 401/400.
// It returns the scheme that was accepted.
func (g *goActor) deliver(ctx context.Context, inbox string, activity map[string]any) signature.Scheme {
	g.t.Helper()
	scheme := signature.SchemeRFC9421
	status, text := g.post(ctx, inbox, activity, scheme)
	if status == http.StatusUnauthorized || status == http.StatusBadRequest {
		scheme = scheme.Other()
		status, text = g.post(ctx, inbox, activity, scheme)
	}
	require.Lessf(g.t, status, 300, "delivery of %v to %s: %d %s", activity["type"], inbox, status, text)
	return scheme
}

func TestHerdSignaturesAgainstFedify(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	peer := interop.StartPeer(t)
	alice := newGoActor(t)

	// Fedify resolves the Go actor by WebFinger and parses its document.
	got, err := peer.Lookup(ctx, "alice@"+alice.host)
	require.NoError(t, err)
	assert.Equal(t, alice.id, got.ID)
	assert.Equal(t, alice.inbox, got.Inbox)
	assert.Equal(t, alice.keyID, got.PublicKeyID)
	assert.Equal(t, alice.id, got.PublicKeyOwner)

	// Fedify -> Go: Herd's verifier accepts Fedify's signature.
	followID, err := peer.Follow(ctx, alice.id)
	require.NoError(t, err)
	d := alice.waitDelivery("Follow", wait)
	require.NoError(t, d.err)
	assert.Equal(t, signature.SchemeCavage, d.result.Scheme)
	assert.Equal(t, peer.KeyID, d.result.KeyID)
	assert.Equal(t, peer.ActorID, d.result.Owner)
	assert.Equal(t, "rsa-sha256", d.result.Algorithm)
	assert.Subset(t, d.result.Covered, []string{"(request-target)", "host", "date", "digest"})
	assert.Equal(t, followID, d.activity["id"])
	assert.Equal(t, peer.ActorID, d.activity["actor"])

	// Go -> Fedify: Accept, double-knocking. Fedify 1.5 verifies
	// draft-cavage only, so the RFC 9421 attempt is refused with 401.
	scheme := alice.deliver(ctx, peer.InboxURL, map[string]any{
		"@context": asContext,
		"id":       alice.srv.URL + "/activities/accept/1",
		"type":     "Accept",
		"actor":    alice.id,
		"object":   followID,
	})
	assert.Equal(t, signature.SchemeCavage, scheme)
	accept := peer.WaitFor(t, "Accept", interop.ObjectIs(followID), wait)
	require.NotNil(t, accept.HTTPSignature)
	assert.True(t, accept.HTTPSignature.Verified)
	assert.Equal(t, alice.keyID, accept.HTTPSignature.KeyID)
	assert.True(t, accept.HTTPSignature.SignerIsActor)
	following, err := peer.Following(ctx)
	require.NoError(t, err)
	require.Len(t, following, 1)
	assert.Equal(t, "accepted", following[0].State)

	rejected, err := peer.Rejected(ctx)
	require.NoError(t, err)
	require.Len(t, rejected, 1, "the RFC 9421 knock")
	assert.Equal(t, 401, rejected[0].Status)
	assert.Equal(t, "rfc9421", rejected[0].HTTPSignature.Scheme)

	// Go -> Fedify: a public Create(Note), then Fedify likes it back.
	noteID := alice.srv.URL + "/notes/1"
	note := map[string]any{
		"@context":     asContext,
		"id":           noteID,
		"type":         "Note",
		"attributedTo": alice.id,
		"content":      "<p>Hello from Go</p>",
		"published":    time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"to":           []string{"https://www.w3.org/ns/activitystreams#Public"},
		"cc":           []string{alice.id + "/followers", peer.ActorID},
	}
	noteJSON, err := json.Marshal(note)
	require.NoError(t, err)
	alice.mu.Lock()
	alice.notes[noteID] = noteJSON
	alice.mu.Unlock()
	create := map[string]any{
		"@context": asContext,
		"id":       noteID + "/activity",
		"type":     "Create",
		"actor":    alice.id,
		"object":   note,
		"to":       note["to"],
		"cc":       note["cc"],
	}
	require.Equal(t, signature.SchemeCavage, alice.deliver(ctx, peer.InboxURL, create))
	gotCreate := peer.WaitFor(t, "Create", interop.ObjectIs(noteID), wait)
	assert.True(t, gotCreate.HTTPSignature.Verified)
	assert.Equal(t, "<p>Hello from Go</p>", gotCreate.RawObject()["content"])

	likeID, err := peer.Like(ctx, noteID, alice.id)
	require.NoError(t, err)
	like := alice.waitDelivery("Like", wait)
	require.NoError(t, like.err)
	assert.Equal(t, likeID, like.activity["id"])
	assert.Equal(t, noteID, like.activity["object"])

	// A delivery signed by a key that is not the actor's is refused.
	mallory, err := signature.GenerateRSAKey(2048)
	require.NoError(t, err)
	badSigner, err := signature.NewSigner(alice.keyID, mallory, nil)
	require.NoError(t, err)
	body, err := json.Marshal(map[string]any{
		"@context": asContext, "id": alice.srv.URL + "/activities/like/evil",
		"type": "Like", "actor": alice.id, "object": peer.ActorID,
	})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, peer.InboxURL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/activity+json")
	require.NoError(t, badSigner.Sign(req, body))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	likes, err := peer.Inbox(ctx, "Like")
	require.NoError(t, err)
	assert.Empty(t, likes)
}
