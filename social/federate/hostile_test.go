package federate_test

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

var (
	peerKeyOnce sync.Once
	peerKey     *rsa.PrivateKey
)

// peer is a hand-made remote server: one actor, documents served from a
// map or a handler, and activities signed with the actor's key.
type peer struct {
	t      testing.TB
	srv    *httptest.Server
	actor  string
	signer *signature.Signer
	mu     sync.Mutex
	docs   map[string]*ap.Object
	notes  func(path string) *ap.Object
	hits   atomic.Int64
	seq    atomic.Int64
}

func newPeer(t *testing.T, name string) *peer { return newPeerTB(t, name) }

func newPeerTB(t testing.TB, name string) *peer {
	peerKeyOnce.Do(func() {
		k, err := signature.GenerateRSAKey(2048)
		if err != nil {
			panic(err)
		}
		peerKey = k
	})
	p := &peer{t: t, docs: map[string]*ap.Object{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	p.actor = p.srv.URL + "/users/" + name
	s, err := signature.NewSigner(p.actor+"#main-key", peerKey, nil)
	require.NoError(t, err)
	p.signer = s
	pem, err := signature.EncodePublicKeyPEM(&peerKey.PublicKey)
	require.NoError(t, err)
	p.put(&ap.Object{ID: p.actor, Type: ap.TypePerson, PreferredUsername: name, Inbox: p.actor + "/inbox",
		Followers: p.actor + "/followers", Endpoints: &ap.Endpoints{SharedInbox: p.srv.URL + "/inbox"},
		PublicKey: &ap.PublicKey{ID: p.actor + "#main-key", Owner: p.actor, PublicKeyPem: string(pem)}})
	return p
}

func (p *peer) put(o *ap.Object) {
	p.mu.Lock()
	p.docs[strings.TrimPrefix(o.ID, p.srv.URL)] = o
	p.mu.Unlock()
}

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	p.hits.Add(1)
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	p.mu.Lock()
	o := p.docs[r.URL.Path]
	p.mu.Unlock()
	if o == nil && p.notes != nil {
		o = p.notes(r.URL.Path)
	}
	if o == nil {
		http.NotFound(w, r)
		return
	}
	b, err := ap.Encode(o)
	require.NoError(p.t, err)
	w.Header().Set("Content-Type", ap.MediaTypeActivityJSON)
	_, _ = w.Write(b)
}

// send posts act, signed, to the inbox at url and returns the status code.
func (p *peer) send(url string, act *ap.Object) int {
	body, err := ap.Encode(act)
	require.NoError(p.t, err)
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(p.t, err)
	r.Header.Set("Content-Type", ap.MediaTypeActivityJSON)
	require.NoError(p.t, p.signer.Sign(r, body))
	resp, err := http.DefaultClient.Do(r)
	require.NoError(p.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func (p *peer) create(note *ap.Object) *ap.Object {
	return &ap.Object{ID: fmt.Sprintf("%s/activities/%d", p.actor, p.seq.Add(1)), Type: ap.TypeCreate, Actor: ap.IRIRef(p.actor),
		To: note.To, Cc: note.Cc, Object: ap.Refs{ap.Embed(note)}}
}

func (p *peer) note(path, content string, mention *storage.Account) *ap.Object {
	n := &ap.Object{ID: p.srv.URL + path, Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(p.actor)},
		Content: content, To: []string{ap.Public}, Cc: []string{p.actor + "/followers"}}
	if mention != nil {
		n.Cc = append(n.Cc, mention.URI)
		n.Tag = ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeMention, Href: mention.URI, Name: "@" + mention.Username})}
	}
	return n
}

func TestHostileHTMLSanitised(t *testing.T) {
	t.Parallel()
	s := federatetest.NewServer(t, nil)
	alice := s.CreateUser(t, "alice", false)
	m := newPeer(t, "mallory")
	n := m.note("/notes/1", `<p>hi <script>alert(1)</script><a href="javascript:alert(1)" onclick="steal()">click</a>`+
		`<img src="https://evil.example/x.png" onerror="alert(1)"><iframe src="https://evil.example/"></iframe>`+
		`<style>body{display:none}</style><span class="mention evil" style="color:red">@alice</span> `+
		`<a href="https://ok.example/page" rel="me" class="u-url">ok</a><b>bold</b><form action="/x"><input name="p"></form></p>`, alice)
	n.Summary = `<b>CW</b> &amp; <script>x</script>`
	require.Equal(t, http.StatusAccepted, m.send(s.URL+"/inbox", m.create(n)))
	st := s.StatusByURI(n.ID)
	require.NotNil(t, st, "stored: it mentions a local account")
	for _, bad := range []string{"<script", "alert(1)", "javascript:", "onclick", "onerror", "<img", "<iframe", "<style", "style=", "evil", "<form", "<input"} {
		assert.NotContains(t, st.Content, bad)
	}
	assert.Contains(t, st.Content, `<b>bold</b>`)
	assert.Contains(t, st.Content, `href="https://ok.example/page"`)
	assert.Contains(t, st.Content, `nofollow`)
	assert.Contains(t, st.Content, `noopener`)
	assert.Contains(t, st.Content, `target="_blank"`)
	assert.NotContains(t, st.Content, `rel="me"`)
	assert.Equal(t, "CW &", st.SpoilerText, "plain text; script text dropped")
	assert.True(t, st.Sensitive)
	assert.Equal(t, 1, notified(t, s, alice, storage.NotifyMention))
}

func TestUnsolicitedPostDropped(t *testing.T) {
	t.Parallel()
	s := federatetest.NewServer(t, nil)
	s.CreateUser(t, "alice", false)
	m := newPeer(t, "spammer")
	n := m.note("/notes/1", "<p>buy now</p>", nil)
	require.Equal(t, http.StatusAccepted, m.send(s.URL+"/inbox", m.create(n)))
	assert.Nil(t, s.StatusByURI(n.ID))
}

func TestEndlessReplyChainCut(t *testing.T) {
	t.Parallel()
	s := federatetest.NewServer(t, nil)
	alice := s.CreateUser(t, "alice", false)
	m := newPeer(t, "looper")
	// /notes/N replies to /notes/N+1, forever.
	m.notes = func(path string) *ap.Object {
		var n int
		if _, err := fmt.Sscanf(path, "/notes/%d", &n); err != nil {
			return nil
		}
		o := m.note(path, fmt.Sprintf("<p>%d</p>", n), nil)
		o.InReplyTo = ap.IRIRef(fmt.Sprintf("%s/notes/%d", m.srv.URL, n+1))
		return o
	}
	first := m.notes("/notes/0")
	first.Tag = ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeMention, Href: alice.URI, Name: "@alice"})}
	before := m.hits.Load()
	require.Equal(t, http.StatusAccepted, m.send(s.URL+"/inbox", m.create(first)))
	hits := m.hits.Load() - before
	st := s.StatusByURI(first.ID)
	require.NotNil(t, st)
	assert.LessOrEqual(t, hits, int64(25), "fetches bounded by the thread depth and fetch budget")
	n, err := s.Store.Statuses().Count(t.Context(), false)
	require.NoError(t, err)
	assert.LessOrEqual(t, n, int64(22), "ancestors bounded")
	assert.Greater(t, n, int64(1), "some context fetched")
	anc, err := s.Social.Context(t.Context(), alice, st.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, anc.Ancestors)

	// A cycle: /c/1 → /c/2 → /c/1.
	c1 := m.note("/c/1", "<p>one</p>", alice)
	c2 := m.note("/c/2", "<p>two</p>", nil)
	c1.InReplyTo, c2.InReplyTo = ap.IRIRef(c2.ID), ap.IRIRef(c1.ID)
	m.put(c1)
	m.put(c2)
	require.Equal(t, http.StatusAccepted, m.send(s.URL+"/inbox", m.create(c1)))
	assert.NotNil(t, s.StatusByURI(c1.ID))
	assert.NotNil(t, s.StatusByURI(c2.ID))
}

func TestObjectNotOwnedRefused(t *testing.T) {
	t.Parallel()
	s := federatetest.NewServer(t, nil)
	alice := s.CreateUser(t, "alice", false)
	ctx := t.Context()
	m := newPeer(t, "mallory")
	other := newPeer(t, "victim")

	// A Create of a note attributed to someone else.
	forged := m.note("/notes/forged", "<p>I am the victim</p>", alice)
	forged.AttributedTo = ap.Refs{ap.IRIRef(other.actor)}
	assert.Equal(t, http.StatusForbidden, m.send(s.URL+"/inbox", m.create(forged)))
	assert.Nil(t, s.StatusByURI(forged.ID))

	// A Create of a note on another origin: refetched there, and refused
	// when it is not the actor's.
	vn := other.note("/notes/real", "<p>real</p>", alice)
	other.put(vn)
	code := m.send(s.URL+"/inbox", m.create(vn))
	assert.Equal(t, http.StatusForbidden, code)
	assert.Nil(t, s.StatusByURI(vn.ID))

	// The victim posts; the attacker deletes and edits it.
	require.Equal(t, http.StatusAccepted, other.send(s.URL+"/inbox", other.create(vn)))
	require.NotNil(t, s.StatusByURI(vn.ID))
	del := &ap.Object{ID: m.actor + "/activities/del", Type: ap.TypeDelete, Actor: ap.IRIRef(m.actor), To: []string{ap.Public},
		Object: ap.Refs{ap.IRIRef(vn.ID)}}
	assert.Equal(t, http.StatusForbidden, m.send(s.URL+"/inbox", del))
	upd := &ap.Object{ID: m.actor + "/activities/upd", Type: ap.TypeUpdate, Actor: ap.IRIRef(m.actor), To: []string{ap.Public},
		Object: ap.Refs{ap.Embed(&ap.Object{ID: vn.ID, Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(m.actor)}, Content: "<p>pwned</p>"})}}
	assert.NotEqual(t, http.StatusAccepted, m.send(s.URL+"/inbox", upd))
	got := s.StatusByURI(vn.ID)
	require.NotNil(t, got, "not deleted")
	assert.Contains(t, got.Content, "real")

	// Undo of someone else's Follow is refused.
	st, err := s.Store.Statuses().GetByURI(ctx, vn.ID)
	require.NoError(t, err)
	_ = st
	undo := &ap.Object{ID: m.actor + "/activities/undo", Type: ap.TypeUndo, Actor: ap.IRIRef(m.actor), To: []string{ap.Public},
		Object: ap.Refs{ap.Embed(&ap.Object{ID: other.actor + "/follows/1", Type: ap.TypeFollow, Actor: ap.IRIRef(other.actor), Object: ap.Refs{ap.IRIRef(alice.URI)}})}}
	assert.Equal(t, http.StatusForbidden, m.send(s.URL+"/inbox", undo))
}
