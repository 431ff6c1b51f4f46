package mastoapi_test

import (
	"context"
	"testing"

	"github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoMastodonClient drives the API with a real client library.
func TestGoMastodonClient(t *testing.T) {
	e := newEnv(t, nil)
	acct, _ := e.createUser("alice", "correct horse battery")
	ctx := context.Background()
	app, err := mastodon.RegisterApp(ctx, &mastodon.AppConfig{
		Server: e.srv.URL, ClientName: "go-mastodon test", Scopes: "read write follow",
		Website: "https://github.com/mattn/go-mastodon", RedirectURIs: "urn:ietf:wg:oauth:2.0:oob",
	})
	require.NoError(t, err)
	assert.NotEmpty(t, app.ClientID)
	assert.NotEmpty(t, app.ClientSecret)

	c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	require.Error(t, c.Authenticate(ctx, "alice@example.com", "wrong password"))
	require.NoError(t, c.Authenticate(ctx, "alice@example.com", "correct horse battery"))
	assert.NotEmpty(t, c.Config.AccessToken)

	me, err := c.GetAccountCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, acct.ID.String(), string(me.ID))
	assert.Equal(t, "alice", me.Username)
	assert.Equal(t, "alice", me.Acct)
	assert.Equal(t, e.srv.URL+"/static/avatar.png", me.Avatar)
	assert.False(t, me.CreatedAt.IsZero())

	other, err := c.GetAccount(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, me.ID, other.ID)

	in, err := c.GetInstance(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Herd Test", in.Title)
	assert.Equal(t, "4.5.0 (compatible; Herd 0.1.0)", in.Version)
	assert.Equal(t, e.urls.Host(), in.URI)
	require.NotNil(t, in.Stats)
	assert.EqualValues(t, 1, in.Stats.UserCount)
}
