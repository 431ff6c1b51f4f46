package mastoapi_test

import (
	"context"
	"fmt"
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

// TestGoMastodonFlow is the everyday flow through the go-mastodon client:
// an app, tokens, posting and replying, favourites, boosts and bookmarks,
// following a locked account, the home timeline paged both ways,
// notifications, search and relationships.
func TestGoMastodonFlow(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("alice", "correct horse battery")
	_, bobUser := e.createUser("bob", "correct horse battery")
	ctx := context.Background()
	app, err := mastodon.RegisterApp(ctx, &mastodon.AppConfig{
		Server: e.srv.URL, ClientName: "flow", Scopes: "read write follow", RedirectURIs: "urn:ietf:wg:oauth:2.0:oob",
	})
	require.NoError(t, err)
	client := func(email string) *mastodon.Client {
		c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
		require.NoError(t, c.Authenticate(ctx, email, "correct horse battery"))
		return c
	}
	alice, bob := client("alice@example.com"), client(bobUser.Email)
	aliceMe, err := alice.GetAccountCurrentUser(ctx)
	require.NoError(t, err)
	bobMe, err := bob.GetAccountCurrentUser(ctx)
	require.NoError(t, err)

	// Bob locks his account; alice asks to follow and bob authorizes.
	locked := true
	bobMe, err = bob.AccountUpdate(ctx, &mastodon.Profile{Locked: &locked})
	require.NoError(t, err)
	assert.True(t, bobMe.Locked)
	rel, err := alice.AccountFollow(ctx, bobMe.ID)
	require.NoError(t, err)
	assert.True(t, rel.Requested)
	assert.False(t, rel.Following)
	reqs, err := bob.GetFollowRequests(ctx, nil)
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, aliceMe.ID, reqs[0].ID)
	require.NoError(t, bob.FollowRequestAuthorize(ctx, aliceMe.ID))
	rels, err := alice.GetAccountRelationships(ctx, []string{string(bobMe.ID)})
	require.NoError(t, err)
	require.Len(t, rels, 1)
	assert.True(t, rels[0].Following)
	assert.False(t, rels[0].Requested)
	_, err = bob.AccountFollow(ctx, aliceMe.ID)
	require.NoError(t, err)

	// Posts, a reply, and interactions.
	var posted []mastodon.ID
	for i := 0; i < 5; i++ {
		st, err := bob.PostStatus(ctx, &mastodon.Toot{Status: fmt.Sprintf("bob's post %d #herd", i), Visibility: "private"})
		require.NoError(t, err)
		posted = append([]mastodon.ID{st.ID}, posted...)
	}
	reply, err := alice.PostStatus(ctx, &mastodon.Toot{Status: "@bob nice one", InReplyToID: posted[0], Language: "en"})
	require.NoError(t, err)
	assert.EqualValues(t, posted[0], reply.InReplyToID)
	require.Len(t, reply.Mentions, 1)
	assert.EqualValues(t, bobMe.ID, reply.Mentions[0].ID)
	fav, err := alice.Favourite(ctx, posted[0])
	require.NoError(t, err)
	assert.True(t, fav.Favourited.(bool))
	assert.EqualValues(t, 1, fav.FavouritesCount)
	bm, err := alice.Bookmark(ctx, posted[1])
	require.NoError(t, err)
	assert.True(t, bm.Bookmarked.(bool))
	pub, err := bob.PostStatus(ctx, &mastodon.Toot{Status: "public one"})
	require.NoError(t, err)
	boost, err := alice.Reblog(ctx, pub.ID)
	require.NoError(t, err)
	require.NotNil(t, boost.Reblog)
	assert.Equal(t, pub.ID, boost.Reblog.ID)
	_, err = alice.Reblog(ctx, posted[0])
	require.Error(t, err, "private statuses cannot be boosted by others")
	ctxt, err := bob.GetStatusContext(ctx, posted[0])
	require.NoError(t, err)
	require.Len(t, ctxt.Descendants, 1)
	assert.Equal(t, reply.ID, ctxt.Descendants[0].ID)

	// Alice's home timeline, paged forward then back.
	pg := &mastodon.Pagination{Limit: 2}
	home, err := alice.GetTimelineHome(ctx, pg)
	require.NoError(t, err)
	require.Len(t, home, 2)
	assert.Equal(t, boost.ID, home[0].ID)
	assert.Equal(t, pub.ID, home[1].ID)
	require.NotEmpty(t, pg.MaxID, "the Link header pages on")
	var seen []mastodon.ID
	for pg.MaxID != "" {
		page, err := alice.GetTimelineHome(ctx, pg)
		require.NoError(t, err)
		for _, st := range page {
			seen = append(seen, st.ID)
		}
	}
	assert.Equal(t, append([]mastodon.ID{reply.ID}, posted...), seen)
	back := &mastodon.Pagination{MinID: posted[4], Limit: 2}
	page, err := alice.GetTimelineHome(ctx, back)
	require.NoError(t, err)
	assert.Equal(t, []mastodon.ID{posted[2], posted[3]}, []mastodon.ID{page[0].ID, page[1].ID})
	page, err = alice.GetTimelineHome(ctx, &mastodon.Pagination{MinID: posted[2], Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []mastodon.ID{posted[0], posted[1]}, []mastodon.ID{page[0].ID, page[1].ID})

	// Bob's notifications.
	ns, err := bob.GetNotifications(ctx, nil)
	require.NoError(t, err)
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Type)
		assert.Equal(t, aliceMe.ID, n.Account.ID)
	}
	// The follow request was authorized: its notification is gone.
	assert.Equal(t, []string{"reblog", "favourite", "mention"}, kinds)
	require.NotNil(t, ns[1].Status)
	assert.Equal(t, posted[0], ns[1].Status.ID)
	require.NoError(t, bob.DismissNotification(ctx, ns[0].ID))
	ns, err = bob.GetNotifications(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, ns, 2)

	// Search and bookmarks.
	res, err := alice.Search(ctx, "bob", false)
	require.NoError(t, err)
	require.Len(t, res.Accounts, 1)
	assert.Equal(t, bobMe.ID, res.Accounts[0].ID)
	res, err = alice.Search(ctx, "#herd", false)
	require.NoError(t, err)
	require.Len(t, res.Hashtags, 1)
	assert.Equal(t, "herd", res.Hashtags[0].Name)
	bms, err := alice.GetBookmarks(ctx, nil)
	require.NoError(t, err)
	require.Len(t, bms, 1)
	assert.Equal(t, posted[1], bms[0].ID)

	// Unfollowing removes bob's private posts from alice's view.
	_, err = alice.AccountUnfollow(ctx, bobMe.ID)
	require.NoError(t, err)
	_, err = alice.GetStatus(ctx, posted[2])
	require.Error(t, err)
	rels, err = alice.GetAccountRelationships(ctx, []string{string(bobMe.ID)})
	require.NoError(t, err)
	assert.False(t, rels[0].Following)
	assert.True(t, rels[0].FollowedBy)
}
