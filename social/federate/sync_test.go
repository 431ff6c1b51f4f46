package federate_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

func TestFollowersSynchronisation(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	bob := p.b.CreateUser(t, "bob", false)
	alice := p.a.CreateUser(t, "alice", false)
	dave := p.a.CreateUser(t, "dave", false)
	bobAtA := follow(t, p.a, p.b, alice, bob)

	// Outbound: b's digest of bob's followers on a's host, and the partial
	// collection it serves to a (signed by a's instance actor).
	d, n, err := p.b.Sync.Digest(ctx, bob, p.a.URLs.Host())
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Len(t, d, 64)
	doc, err := p.a.Resolver.Fetch(ctx, p.b.Sync.URL("bob"))
	require.NoError(t, err)
	assert.Equal(t, []string{alice.URI}, doc.CollectionItems().IRIs())
	resp, err := http.Get(p.b.Sync.URL("bob"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unsigned requests refused")

	// Drift: a believes dave follows bob; b does not.
	require.NoError(t, p.a.Store.Follows().Create(ctx, &storage.Follow{AccountID: dave.ID, TargetAccountID: bobAtA.ID,
		URI: dave.URI + "#follows/drift", ShowReblogs: true, CreatedAt: time.Now()}))
	_, err = p.b.Social.PostStatus(ctx, bob, social.PostInput{Text: "hello followers"})
	require.NoError(t, err)
	p.flush(t)
	federatetest.Eventually(t, 10*time.Second, func() bool { return !isFollowing(t, p.a, dave.ID, bobAtA.ID) },
		"the follow b does not know of was not removed")
	assert.True(t, isFollowing(t, p.a, alice.ID, bobAtA.ID), "the real follow stays")
}

func TestMove(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	old := p.b.CreateUser(t, "old", false)
	nu := p.b.CreateUser(t, "new", false)
	alice := p.a.CreateUser(t, "alice", false)
	oldAtA := follow(t, p.a, p.b, alice, old)
	require.True(t, isFollowing(t, p.a, alice.ID, oldAtA.ID))

	// new lists old as an alias; old moves.
	nu.AlsoKnownAs = storage.Strings{old.URI}
	require.NoError(t, p.b.Store.Accounts().Update(ctx, nu))
	move := map[string]any{}
	_ = move
	require.NoError(t, p.b.Federator.SendMove(ctx, old, nu))
	p.flush(t)
	newAtA := p.a.AccountByURI(nu.URI)
	require.NotNil(t, newAtA)
	assert.True(t, isFollowing(t, p.a, alice.ID, newAtA.ID), "follow moved to the new account")
	assert.False(t, isFollowing(t, p.a, alice.ID, oldAtA.ID))
}
