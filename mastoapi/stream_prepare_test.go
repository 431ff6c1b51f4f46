package mastoapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// PrepareStreamStatus + ForViewer render exactly what RenderStatusJSON
// renders, for every kind of viewer, and share the bytes of viewers who
// see the same thing.
func TestPrepareStreamStatusMatchesRenderStatusJSON(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	svc := social.New(e.store, e.urls, nil)
	alice, _ := e.createUser("alice", "password-alice-1")
	bob, _ := e.createUser("bob", "password-bob-123")
	carol, _ := e.createUser("carol", "password-carol-1")
	dave, _ := e.createUser("dave", "password-dave-12")
	erin, _ := e.createUser("erin", "password-erin-12")
	frank, _ := e.createUser("frank", "password-frank-1")
	_, err := svc.Follow(ctx, bob, alice.ID, social.FollowOptions{})
	require.NoError(t, err)
	_, err = svc.Follow(ctx, erin, alice.ID, social.FollowOptions{})
	require.NoError(t, err)

	pub, err := svc.PostStatus(ctx, alice, social.PostInput{Text: "hello #streams", Visibility: storage.VisibilityPublic})
	require.NoError(t, err)
	priv, err := svc.PostStatus(ctx, alice, social.PostInput{Text: "followers only", Visibility: storage.VisibilityPrivate})
	require.NoError(t, err)
	_, err = svc.Favourite(ctx, bob, pub.ID)
	require.NoError(t, err)
	_, err = svc.Bookmark(ctx, bob, pub.ID)
	require.NoError(t, err)
	_, err = svc.Pin(ctx, alice, pub.ID)
	require.NoError(t, err)
	_, err = svc.Block(ctx, carol, alice.ID)
	require.NoError(t, err)
	_, err = svc.Mute(ctx, dave, alice.ID, social.MuteOptions{})
	require.NoError(t, err)
	boost, err := svc.Reblog(ctx, frank, pub.ID, social.ReblogInput{})
	require.NoError(t, err)

	viewers := map[string]*storage.Account{"anonymous": nil, "author": alice, "favouriter": bob, "blocker": carol,
		"muter": dave, "follower": erin, "booster": frank}
	for _, id := range []storage.ID{pub.ID, priv.ID, boost.ID} {
		p, err := e.api.PrepareStreamStatus(ctx, id)
		require.NoError(t, err)
		for name, v := range viewers {
			want, wantErr := e.api.RenderStatusJSON(ctx, v, id)
			got, gotErr := p.ForViewer(ctx, v)
			if wantErr != nil {
				require.ErrorIs(t, wantErr, storage.ErrNotFound, "%s on %s", name, id)
				assert.ErrorIs(t, gotErr, storage.ErrNotFound, "%s on %s", name, id)
				continue
			}
			require.NoError(t, gotErr, "%s on %s", name, id)
			assert.JSONEq(t, string(want), string(got), "%s on %s", name, id)
		}
	}

	// Viewers in the same state get the very same bytes.
	p, err := e.api.PrepareStreamStatus(ctx, pub.ID)
	require.NoError(t, err)
	a, err := p.ForViewer(ctx, erin)
	require.NoError(t, err)
	gina, _ := e.createUser("gina", "password-gina-12")
	b, err := p.ForViewer(ctx, gina)
	require.NoError(t, err)
	c, err := p.ForViewer(ctx, bob)
	require.NoError(t, err)
	assert.Same(t, &a[0], &b[0], "two viewers without state share one rendering")
	assert.NotEqual(t, string(a), string(c), "a viewer who favourited it sees favourited: true")

	_, err = e.api.PrepareStreamStatus(ctx, storage.ID(12345))
	assert.ErrorIs(t, err, storage.ErrNotFound)
}
