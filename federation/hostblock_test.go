package federation_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// blockSet is a HostBlocker over a mutable set of hosts.
type blockSet struct {
	mu    sync.Mutex
	hosts map[string]bool
}

func (b *blockSet) set(host string, blocked bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hosts == nil {
		b.hosts = map[string]bool{}
	}
	b.hosts[host] = blocked
}

func (b *blockSet) HostBlocked(_ context.Context, host string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hosts[host]
}

func TestInboxRefusesBlockedHost(t *testing.T) {
	blocked := &blockSet{}
	e := newEnv(t, &federation.ResolverOptions{Blocked: blocked})
	creates := record[federation.Create](e.handlers)
	p := newPeer(t)
	alice := p.actor("alice", 0)
	blocked.set(p.host(), true)
	inbox := e.inbox(&federation.InboxOptions{Blocked: blocked})

	note := &ap.Object{ID: alice.id + "/statuses/1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(alice.id)}, Content: "<p>spam</p>", To: []string{ap.Public}}
	act := alice.activity(ap.TypeCreate, ap.Embed(note))
	w := serve(inbox, alice.request(t, localInbox, encode(t, act)))
	require.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
	assert.Contains(t, errorBody(w), p.host())
	assert.Zero(t, creates.count(), "nothing dispatched")
	assert.Zero(t, p.hitCount("/users/alice"), "the key of a blocked host is not even fetched")
	_, err := e.store.Accounts().GetByURI(t.Context(), alice.id)
	assert.ErrorIs(t, err, storage.ErrNotFound, "the actor is not stored")
	first, err := e.store.InboxLog().MarkProcessed(t.Context(), act.ID, time.Now())
	require.NoError(t, err)
	assert.True(t, first, "the activity was not recorded as processed")

	// Unblocked, the same kind of activity goes through.
	blocked.set(p.host(), false)
	w = serve(inbox, alice.request(t, localInbox, encode(t, alice.activity(ap.TypeCreate, ap.Embed(note)))))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	assert.Equal(t, 1, creates.count())
}

func TestResolverRefusesBlockedHost(t *testing.T) {
	blocked := &blockSet{}
	e := newEnv(t, &federation.ResolverOptions{Blocked: blocked})
	p := newPeer(t)
	alice := p.actor("alice", 0)
	blocked.set(p.host(), true)
	_, err := e.resolver.ResolveActor(t.Context(), alice.id)
	assert.ErrorIs(t, err, federation.ErrHostBlocked)
	_, err = e.resolver.ResolveObject(t.Context(), alice.id+"/statuses/1")
	assert.ErrorIs(t, err, federation.ErrHostBlocked)
	_, err = e.resolver.ResolveHandle(t.Context(), "alice@"+p.host())
	assert.ErrorIs(t, err, federation.ErrHostBlocked)
	assert.Zero(t, p.hitCount("/users/alice"))
	assert.Zero(t, p.hitCount("/.well-known/webfinger"))

	blocked.set(p.host(), false)
	a, err := e.resolver.ResolveActor(t.Context(), alice.id)
	require.NoError(t, err)
	// Blocked again: even the stored copy is refused.
	blocked.set(p.host(), true)
	_, err = e.resolver.ResolveActor(t.Context(), a.URI)
	assert.True(t, errors.Is(err, federation.ErrHostBlocked), err)
}

func TestDelivererSkipsBlockedHosts(t *testing.T) {
	st := openStore(t)
	good, bad := newInbox(t), newInbox(t)
	blocked := &blockSet{}
	blocked.set(strings.TrimPrefix(bad.srv.URL, "http://"), true)
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)}, &federation.DelivererOptions{Blocked: blocked, Backoff: fastBackoff})
	require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: "https://local.example/a/1", Body: []byte("{}"),
		Inboxes: []string{good.srv.URL + "/inbox", bad.srv.URL + "/inbox"}}))
	depth, err := st.Deliveries().Depth(context.Background())
	require.NoError(t, err)
	assert.Len(t, depth, 1, "the blocked host's inbox is not queued")

	// Queued before the block: dropped at attempt time.
	good2 := strings.TrimPrefix(good.srv.URL, "http://")
	blocked.set(good2, true)
	run(t, d)
	require.Eventually(t, func() bool {
		depth, err := st.Deliveries().Depth(context.Background())
		return err == nil && len(depth) == 0 && d.Stats().Dropped == 1
	}, 5*time.Second, 10*time.Millisecond)
	assert.Zero(t, good.count())
	assert.Zero(t, bad.count())
}

func TestInboxPolicyRewrite(t *testing.T) {
	e := newEnv(t, nil)
	creates := record[federation.Create](e.handlers)
	var got *ap.Object
	creates.err = func(in *federation.Incoming[federation.Create]) error {
		o, err := in.Object(context.Background())
		got = o
		return err
	}
	alice := newPeer(t).actor("alice", 0)
	var seenBySecond *ap.Object
	markSensitive := federation.PolicyFunc(func(ctx context.Context, act *ap.Object, _ *storage.Account) federation.Decision {
		cp := *act
		obj := *act.Object.Obj()
		obj.Sensitive = true
		cp.Object = ap.Refs{ap.Embed(&obj)}
		return federation.Decision{Activity: &cp}
	})
	observe := federation.PolicyFunc(func(ctx context.Context, act *ap.Object, _ *storage.Account) federation.Decision {
		seenBySecond = act
		return federation.Decision{}
	})
	hijack := federation.PolicyFunc(func(ctx context.Context, act *ap.Object, _ *storage.Account) federation.Decision {
		cp := *act
		cp.ID = "https://elsewhere.example/x"
		return federation.Decision{Activity: &cp}
	})
	inbox := e.inbox(&federation.InboxOptions{Policy: federation.PolicyChain(markSensitive, observe, hijack)})
	note := &ap.Object{ID: alice.id + "/statuses/1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(alice.id)}, Content: "<p>hi</p>", To: []string{ap.Public}}
	act := alice.activity(ap.TypeCreate, ap.Embed(note))
	w := serve(inbox, alice.request(t, localInbox, encode(t, act)))
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	require.NotNil(t, got)
	assert.True(t, got.Sensitive, "the handler sees the rewrite")
	assert.True(t, seenBySecond.Object.Obj().Sensitive, "later policies see the rewrite")
	assert.Equal(t, act.ID, creates.last().Activity.ID(), "a rewrite changing the id is ignored")
	assert.False(t, note.Sensitive, "the original is untouched")
}
