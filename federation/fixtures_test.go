package federation_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// Test keys are costly to generate: a small pool shared by all tests.
var (
	keyPoolOnce sync.Once
	keyPool     []*rsa.PrivateKey
)

func testKey(t testing.TB, i int) *rsa.PrivateKey {
	keyPoolOnce.Do(func() {
		for range 4 {
			k, err := signature.GenerateRSAKey(2048)
			if err != nil {
				panic(err)
			}
			keyPool = append(keyPool, k)
		}
	})
	return keyPool[i%len(keyPool)]
}

// peer is a fake remote server on loopback serving ActivityPub documents.
type peer struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	docs     map[string][]byte
	status   map[string]int
	handlers map[string]http.HandlerFunc
	hits     map[string]int
}

func newPeer(t testing.TB) *peer {
	p := &peer{t: t, docs: map[string][]byte{}, status: map[string]int{}, handlers: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	doc, ok := p.docs[r.URL.Path]
	code := p.status[r.URL.Path]
	h := p.handlers[r.URL.Path]
	if h == nil {
		for prefix, hh := range p.handlers {
			if strings.HasSuffix(prefix, "/") && strings.HasPrefix(r.URL.Path, prefix) {
				h = hh
			}
		}
	}
	p.mu.Unlock()
	switch {
	case code != 0:
		w.WriteHeader(code)
	case h != nil:
		h(w, r)
	case ok:
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(doc)
	default:
		http.NotFound(w, r)
	}
}

func (p *peer) url(path string) string { return p.srv.URL + path }

// host is host:port of the peer.
func (p *peer) host() string { return strings.TrimPrefix(p.srv.URL, "http://") }

func (p *peer) put(path string, o *ap.Object) {
	b, err := ap.Encode(o)
	require.NoError(p.t, err)
	p.putRaw(path, b)
}

func (p *peer) putRaw(path string, b []byte) {
	p.mu.Lock()
	p.docs[path] = b
	p.mu.Unlock()
}

func (p *peer) setStatus(path string, code int) {
	p.mu.Lock()
	p.status[path] = code
	p.mu.Unlock()
}

func (p *peer) handle(path string, h http.HandlerFunc) {
	p.mu.Lock()
	p.handlers[path] = h
	p.mu.Unlock()
}

func (p *peer) hitCount(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// remoteActor is an actor on a peer, able to sign requests.
type remoteActor struct {
	p      *peer
	name   string
	id     string
	keyID  string
	key    *rsa.PrivateKey
	signer *signature.Signer
}

func (p *peer) actor(name string, keyIndex int) *remoteActor {
	a := &remoteActor{p: p, name: name, id: p.url("/users/" + name)}
	a.keyID = a.id + "#main-key"
	a.setKey(keyIndex)
	return a
}

// setKey (re)publishes the actor with key number i of the pool.
func (a *remoteActor) setKey(i int) {
	a.key = testKey(a.p.t, i)
	s, err := signature.NewSigner(a.keyID, a.key, nil)
	require.NoError(a.p.t, err)
	a.signer = s
	a.p.put("/users/"+a.name, a.doc())
}

func (a *remoteActor) doc() *ap.Object {
	pem, err := signature.EncodePublicKeyPEM(&a.key.PublicKey)
	require.NoError(a.p.t, err)
	return &ap.Object{
		ID: a.id, Type: ap.TypePerson, PreferredUsername: a.name, Name: strings.ToUpper(a.name),
		Inbox: a.id + "/inbox", Outbox: a.id + "/outbox", Followers: a.id + "/followers", Following: a.id + "/following",
		Endpoints: &ap.Endpoints{SharedInbox: a.p.url("/inbox")},
		PublicKey: &ap.PublicKey{ID: a.keyID, Owner: a.id, PublicKeyPem: string(pem)},
		URL:       ap.Refs{ap.IRIRef(a.p.url("/@" + a.name))},
	}
}

// activity builds an activity by a with a fresh id on a's peer.
var actSeq struct {
	sync.Mutex
	n int
}

func (a *remoteActor) activity(typ string, object ap.Ref) *ap.Object {
	actSeq.Lock()
	actSeq.n++
	n := actSeq.n
	actSeq.Unlock()
	return &ap.Object{ID: fmt.Sprintf("%s/activities/%d", a.id, n), Type: typ, Actor: ap.IRIRef(a.id),
		Object: ap.Refs{object}, To: []string{ap.Public}}
}

// request builds a POST of body to target, signed by a.
func (a *remoteActor) request(t testing.TB, target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	require.NoError(t, a.signer.Sign(r, body))
	return r
}

func encode(t testing.TB, o *ap.Object) []byte {
	b, err := ap.Encode(o)
	require.NoError(t, err)
	return b
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// env is the local server under test: a SQLite store, a loopback-enabled
// transport, a resolver and an inbox.
type env struct {
	t        testing.TB
	store    *sqlite.Store
	client   *transport.Client
	resolver *federation.Resolver
	handlers *federation.Handlers
	now      time.Time
	clockMu  sync.Mutex
}

const localInbox = "https://local.example/inbox"

func newEnv(t testing.TB, ropts *federation.ResolverOptions) *env {
	e := &env{t: t, store: openStore(t), client: loopbackClient(), handlers: &federation.Handlers{}, now: time.Now()}
	var o federation.ResolverOptions
	if ropts != nil {
		o = *ropts
	}
	o.AllowHTTP = true
	if o.Now == nil {
		o.Now = e.clock
	}
	e.resolver = federation.NewResolver(e.store.Accounts(), e.client, nil, &o)
	return e
}

func (e *env) clock() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.clockMu.Lock()
	e.now = e.now.Add(d)
	e.clockMu.Unlock()
}

func (e *env) inbox(opts *federation.InboxOptions) *federation.Inbox {
	var o federation.InboxOptions
	if opts != nil {
		o = *opts
	}
	if o.Log == nil {
		o.Log = e.store.InboxLog()
	}
	return federation.NewInbox(e.resolver, e.handlers, &o)
}

// recorder collects what a handler saw.
type recorder[T federation.Kind] struct {
	mu  sync.Mutex
	got []*federation.Incoming[T]
	err func(in *federation.Incoming[T]) error
}

func record[T federation.Kind](h *federation.Handlers) *recorder[T] {
	rec := &recorder[T]{}
	federation.On(h, func(ctx context.Context, in *federation.Incoming[T]) error {
		rec.mu.Lock()
		rec.got = append(rec.got, in)
		f := rec.err
		rec.mu.Unlock()
		if f != nil {
			return f(in)
		}
		return nil
	})
	return rec
}

func (r *recorder[T]) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recorder[T]) last() *federation.Incoming[T] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return nil
	}
	return r.got[len(r.got)-1]
}

func errorBody(w *httptest.ResponseRecorder) string {
	var m map[string]string
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return m["error"]
}

var _ storage.InboxLog = (*federation.MemoryInboxLog)(nil)
