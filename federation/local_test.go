package federation_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// node is a complete local-federation server on a loopback port: plain
// http, private addresses allowed, handles like alice@127.0.0.1:PORT.
type node struct {
	srv      *httptest.Server
	store    *sqlite.Store
	urls     *federation.Layout
	resolver *federation.Resolver
	sender   *federation.Sender
	handlers *federation.Handlers
	user     *storage.Account
}

func newNode(t *testing.T, username string) *node {
	n := &node{store: openStore(t), handlers: &federation.Handlers{}}
	mux := http.NewServeMux()
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.srv.Close)
	var err error
	n.urls, err = federation.NewURLs(n.srv.URL)
	require.NoError(t, err)
	ctx := t.Context()
	inst, instSigner, err := federation.EnsureInstanceActor(ctx, n.store.Accounts(), n.urls)
	require.NoError(t, err)
	n.user = localAccount(t, n.store, n.urls, username)
	client := loopbackClient()
	n.resolver = federation.NewResolver(n.store.Accounts(), client, instSigner, &federation.ResolverOptions{AllowHTTP: true, LocalHost: n.urls.Host()})
	d := federation.NewDeliverer(n.store.Deliveries(), client, federation.NewAccountSigners(n.store.Accounts(), instSigner), &federation.DelivererOptions{PollInterval: 20 * time.Millisecond})
	run(t, d)
	n.sender = federation.NewSender(d, n.resolver, n.store.Follows(), nil)
	federation.NewActorHandler(n.store.Accounts(), n.urls, &federation.ActorHandlerOptions{InstanceActor: inst, Accounts: n.store.Accounts(), Follows: n.store.Follows()}).Mount(mux)
	mux.Handle("POST /inbox", federation.NewInbox(n.resolver, n.handlers, &federation.InboxOptions{Log: n.store.InboxLog()}))
	mux.Handle("POST /users/{name}/inbox", federation.NewInbox(n.resolver, n.handlers, &federation.InboxOptions{
		Log: n.store.InboxLog(), Recipient: federation.RecipientByPathValue(n.store.Accounts(), "name")}))
	mux.Handle("/.well-known/", webfinger.NewHandler(federation.NewWebFingerResolver(n.store.Accounts(), n.urls), nil))
	return n
}

func TestLocalFederationFollowAccept(t *testing.T) {
	a, b := newNode(t, "alice"), newNode(t, "bob")
	ctx := t.Context()

	// b accepts follows.
	federation.On(b.handlers, func(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
		me, err := b.store.Accounts().GetByURI(ctx, in.Activity.Followee())
		if err != nil {
			return federation.ErrReject("no such actor")
		}
		if err := b.store.Follows().Create(ctx, &storage.Follow{AccountID: in.Signer.ID, TargetAccountID: me.ID, URI: in.Activity.ID()}); err != nil {
			return err
		}
		accept := &ap.Object{ID: me.URI + "#accepts/1", Type: ap.TypeAccept, Actor: ap.IRIRef(me.URI),
			Object: ap.Refs{ap.Embed(in.Activity.AP)}, To: []string{in.Signer.URI}}
		return b.sender.Send(ctx, me, accept)
	})
	accepted := make(chan *federation.Incoming[federation.Accept], 1)
	federation.On(a.handlers, func(ctx context.Context, in *federation.Incoming[federation.Accept]) error {
		accepted <- in
		return nil
	})

	handle := "bob@" + b.urls.Host()
	require.True(t, strings.HasPrefix(handle, "bob@127.0.0.1:"))
	bob, err := a.resolver.ResolveHandle(ctx, handle)
	require.NoError(t, err)
	assert.Equal(t, b.user.URI, bob.URI)
	assert.Equal(t, b.urls.Host(), bob.Domain)

	follow := &ap.Object{ID: a.user.URI + "#follows/1", Type: ap.TypeFollow, Actor: ap.IRIRef(a.user.URI), Object: ap.Refs{ap.IRIRef(bob.URI)}, To: []string{bob.URI}}
	require.NoError(t, a.sender.Send(ctx, a.user, follow))

	select {
	case in := <-accepted:
		assert.Equal(t, follow.ID, in.Activity.FollowID())
		assert.Equal(t, b.user.URI, in.Signer.URI)
	case <-time.After(10 * time.Second):
		t.Fatal("no Accept arrived")
	}
	f, err := b.store.Follows().Get(ctx, mustURI(t, b.store, a.user.URI), b.user.ID)
	require.NoError(t, err)
	assert.Equal(t, follow.ID, f.URI)
}

func mustURI(t *testing.T, st storage.Store, uri string) storage.ID {
	a, err := st.Accounts().GetByURI(t.Context(), uri)
	require.NoError(t, err)
	return a.ID
}
