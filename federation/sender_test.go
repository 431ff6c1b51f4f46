package federation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

func TestSender(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	urls, _ := federation.NewURLs("https://local.example")
	me := localAccount(t, e.store, urls, "alice")
	bob := localAccount(t, e.store, urls, "bob")

	// Two followers behind one shared inbox, one with a personal inbox only.
	p1, p2 := newPeer(t), newPeer(t)
	for _, name := range []string{"f1", "f2"} {
		a := &storage.Account{Username: name, Domain: p1.host(), URI: p1.url("/users/" + name), InboxURI: p1.url("/users/" + name + "/inbox"), SharedInboxURI: p1.url("/inbox")}
		require.NoError(t, e.store.Accounts().Create(ctx, a))
		require.NoError(t, e.store.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: me.ID, URI: a.URI + "#follow"}))
	}
	carol := p2.actor("carol", 1)
	doc := carol.doc()
	doc.Endpoints = nil
	p2.put("/users/carol", doc)

	d := federation.NewDeliverer(e.store.Deliveries(), e.client, fixedSigners{newSigner(t)}, nil)
	s := federation.NewSender(d, e.resolver, e.store.Follows(), nil)

	inboxes, err := s.Inboxes(ctx, me, []string{ap.Public, me.FollowersURI, carol.id, bob.URI, "https://local.example/users/zed"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{p1.url("/inbox"), carol.id + "/inbox"}, inboxes)

	note := &ap.Object{ID: me.URI + "/statuses/1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(me.URI)}, Content: "hi", To: []string{ap.Public}, Cc: []string{me.FollowersURI, carol.id}}
	act := federation.CreateOf(note)
	act.Bcc = []string{"https://secret.example/users/x"}
	require.NoError(t, s.SendToFollowers(ctx, me, act, carol.id))
	ds, err := e.store.Deliveries().Claim(ctx, 10, time.Now().Add(time.Second), time.Minute, nil)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	got := []string{ds[0].Inbox, ds[1].Inbox}
	assert.ElementsMatch(t, inboxes, got)
	assert.Equal(t, me.ID, ds[0].SignerID)
	assert.Equal(t, ds[0].Body, ds[1].Body, "encoded once")
	o, err := ap.Decode(ds[0].Body)
	require.NoError(t, err)
	assert.Equal(t, act.ID, o.ID)
	assert.Empty(t, o.Bcc, "bcc is not sent")

	// Addressing is used when no recipients are given.
	follow := &ap.Object{ID: me.URI + "#follows/1", Type: ap.TypeFollow, Actor: ap.IRIRef(me.URI), Object: ap.Refs{ap.IRIRef(carol.id)}, To: []string{carol.id}}
	require.NoError(t, s.Send(ctx, me, follow))
	ds, err = e.store.Deliveries().Claim(ctx, 10, time.Now().Add(time.Second), time.Minute, nil)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, carol.id+"/inbox", ds[0].Inbox)
}
