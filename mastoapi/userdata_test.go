package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func TestScheduledStatusesAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write")
	bob, _ := e.userToken("bob", "read write")
	at := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	sc := e.postObj("/api/v1/statuses", alice, url.Values{"status": {"later"}, "spoiler_text": {"cw"}, "visibility": {"unlisted"},
		"scheduled_at": {at.Format(time.RFC3339)}}, http.StatusOK)
	id := sc["id"].(string)
	assert.Equal(t, at.Format("2006-01-02T15:04:05.000Z"), sc["scheduled_at"])
	params := sc["params"].(obj)
	assert.Equal(t, "later", params["text"])
	assert.Equal(t, "cw", params["spoiler_text"])
	assert.Equal(t, "unlisted", params["visibility"])
	assert.Equal(t, []any{}, sc["media_attachments"])

	list := e.getList("/api/v1/scheduled_statuses", alice)
	assert.Equal(t, []string{id}, ids(list))
	assert.Empty(t, e.getList("/api/v1/scheduled_statuses", bob))
	assert.Equal(t, id, e.getObj("/api/v1/scheduled_statuses/"+id, alice, http.StatusOK)["id"])
	e.errorOf(http.MethodGet, "/api/v1/scheduled_statuses/"+id, bob, nil, http.StatusNotFound)

	later := at.Add(24 * time.Hour)
	got := e.call(http.MethodPut, "/api/v1/scheduled_statuses/"+id, alice, url.Values{"scheduled_at": {later.Format(time.RFC3339)}}, http.StatusOK).(obj)
	assert.Equal(t, later.Format("2006-01-02T15:04:05.000Z"), got["scheduled_at"])
	assert.Equal(t, "Scheduled time must be at least 5 minutes in the future",
		e.errorOf(http.MethodPut, "/api/v1/scheduled_statuses/"+id, alice, url.Values{"scheduled_at": {time.Now().Format(time.RFC3339)}}, http.StatusUnprocessableEntity))

	// Published through the social core's scheduler.
	other := e.postObj("/api/v1/statuses", alice, url.Values{"status": {"cancel"}, "scheduled_at": {at.Format(time.RFC3339)}}, http.StatusOK)
	e.call(http.MethodDelete, "/api/v1/scheduled_statuses/"+other["id"].(string), alice, nil, http.StatusOK)
	e.errorOf(http.MethodDelete, "/api/v1/scheduled_statuses/"+other["id"].(string), alice, nil, http.StatusNotFound)
	svc := social.New(e.store, e.urls, &social.Options{Now: func() time.Time { return later.Add(time.Minute) }})
	n, err := svc.PublishDue(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, e.getList("/api/v1/scheduled_statuses", alice))
	sts := e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/statuses", alice)
	require.Len(t, sts, 1)
	assert.Equal(t, "<p>later</p>", sts[0].(obj)["content"])
	assert.Equal(t, "unlisted", sts[0].(obj)["visibility"])
}

func TestConversationsAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	bob, bobAcct := e.userToken("bob", "read write")
	dm := e.post(alice, "hi @bob", "visibility", "direct")
	e.post(alice, "public")

	convs := e.getList("/api/v1/conversations", bob)
	require.Len(t, convs, 1)
	c := convs[0].(obj)
	assert.Equal(t, true, c["unread"])
	assert.Equal(t, dm["id"], c["last_status"].(obj)["id"])
	require.Len(t, c["accounts"], 1)
	assert.Equal(t, "alice", c["accounts"].([]any)[0].(obj)["username"])
	cid := c["id"].(string)
	aliceConvs := e.getList("/api/v1/conversations", alice)
	require.Len(t, aliceConvs, 1)
	assert.Equal(t, false, aliceConvs[0].(obj)["unread"])
	assert.Equal(t, bobAcct.ID.String(), aliceConvs[0].(obj)["accounts"].([]any)[0].(obj)["id"])

	read := e.postObj("/api/v1/conversations/"+cid+"/read", bob, nil, http.StatusOK)
	assert.Equal(t, false, read["unread"])
	resp := e.do(request{method: http.MethodPost, path: "/api/v1/conversations/" + cid + "/unread", token: bob})
	requireStatus(t, resp, http.StatusOK)
	assert.Equal(t, true, decode[obj](t, resp)["unread"])
	e.errorOf(http.MethodPost, "/api/v1/conversations/"+cid+"/read", alice, nil, http.StatusNotFound)

	// The streaming API's conversation events render the same entity.
	dmID, err := storage.ParseID(dm["id"].(string))
	require.NoError(t, err)
	b, err := e.api.RenderConversationJSON(context.Background(), bobAcct, dmID)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"id":"`+cid+`"`)
	_, carolAcct := e.userToken("carol", "read")
	_, err = e.api.RenderConversationJSON(context.Background(), carolAcct, dmID)
	require.ErrorIs(t, err, storage.ErrNotFound, "not for other accounts")

	direct := e.getList("/api/v1/timelines/direct", bob)
	assert.Equal(t, []string{dm["id"].(string)}, ids(direct))

	e.call(http.MethodDelete, "/api/v1/conversations/"+cid, bob, nil, http.StatusOK)
	assert.Empty(t, e.getList("/api/v1/conversations", bob))
	e.errorOf(http.MethodDelete, "/api/v1/conversations/"+cid, bob, nil, http.StatusNotFound)
}

func TestConversationsGoMastodon(t *testing.T) {
	e := newEnv(t, nil)
	e.createUser("alice", "correct horse battery")
	e.createUser("bob", "correct horse battery")
	ctx := context.Background()
	app, err := mastodon.RegisterApp(ctx, &mastodon.AppConfig{Server: e.srv.URL, ClientName: "dm", Scopes: "read write follow", RedirectURIs: "urn:ietf:wg:oauth:2.0:oob"})
	require.NoError(t, err)
	client := func(email string) *mastodon.Client {
		c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, ClientID: app.ClientID, ClientSecret: app.ClientSecret})
		require.NoError(t, c.Authenticate(ctx, email, "correct horse battery"))
		return c
	}
	alice, bob := client("alice@example.com"), client("bob@example.com")
	st, err := alice.PostStatus(ctx, &mastodon.Toot{Status: "psst @bob", Visibility: "direct"})
	require.NoError(t, err)
	convs, err := bob.GetConversations(ctx, nil)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	assert.True(t, convs[0].Unread)
	assert.Equal(t, st.ID, convs[0].LastStatus.ID)
	require.NoError(t, bob.MarkConversationAsRead(ctx, convs[0].ID))
	direct, err := bob.GetTimelineDirect(ctx, nil)
	require.NoError(t, err)
	require.Len(t, direct, 1)
	require.NoError(t, bob.DeleteConversation(ctx, convs[0].ID))
	convs, err = bob.GetConversations(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, convs)

	// Followed tags through the same client.
	ft, err := bob.TagFollow(ctx, "GoLang")
	require.NoError(t, err)
	assert.Equal(t, "golang", ft.Name)
	assert.True(t, ft.Following)
	tags, err := bob.TagsFollowed(ctx, nil)
	require.NoError(t, err)
	require.Len(t, tags, 1)
	news, err := alice.PostStatus(ctx, &mastodon.Toot{Status: "news #golang", Visibility: "public"})
	require.NoError(t, err)
	home, err := bob.GetTimelineHome(ctx, nil)
	require.NoError(t, err)
	require.NotEmpty(t, home)
	assert.Equal(t, news.ID, home[0].ID, "a public status with a followed tag reaches the home timeline")
	_, err = bob.TagUnfollow(ctx, "golang")
	require.NoError(t, err)
}

func TestMarkersTable(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write")
	e.postObj("/api/v1/markers", alice, url.Values{"notifications[last_read_id]": {"5"}}, http.StatusOK)
	m, err := e.store.Markers().Get(context.Background(), aliceAcct.ID, []string{"notifications"})
	require.NoError(t, err)
	require.Contains(t, m, "notifications")
	assert.EqualValues(t, 5, m["notifications"].LastReadID)
	got := e.getObj("/api/v1/markers?timeline[]=notifications&timeline[]=bogus", alice, http.StatusOK)
	assert.Len(t, got, 1)
}

func TestEndorsementsAndNotesAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	_, bobAcct := e.userToken("bob", "read write follow")
	bobID := bobAcct.ID.String()
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+bobID+"/endorse", alice, nil, http.StatusUnprocessableEntity)
	e.postObj("/api/v1/accounts/"+bobID+"/follow", alice, nil, http.StatusOK)
	rel := e.postObj("/api/v1/accounts/"+bobID+"/endorse", alice, nil, http.StatusOK)
	assert.Equal(t, true, rel["endorsed"])
	assert.Equal(t, []string{bobID}, ids(e.getList("/api/v1/endorsements", alice)))
	assert.Equal(t, []string{bobID}, ids(e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/endorsements", "")))
	rels := e.call(http.MethodGet, "/api/v1/accounts/relationships", alice, url.Values{"id[]": {bobID}}, http.StatusOK).([]any)
	assert.Equal(t, true, rels[0].(obj)["endorsed"])
	rel = e.postObj("/api/v1/accounts/"+bobID+"/unendorse", alice, nil, http.StatusOK)
	assert.Equal(t, false, rel["endorsed"])
	assert.Empty(t, e.getList("/api/v1/endorsements", alice))

	rel = e.postObj("/api/v1/accounts/"+bobID+"/note", alice, url.Values{"comment": {"ok"}}, http.StatusOK)
	assert.Equal(t, "ok", rel["note"])
	rel = e.postObj("/api/v1/accounts/"+bobID+"/note", alice, nil, http.StatusOK)
	assert.Equal(t, "", rel["note"], "no comment removes the note")
}

func TestTagsAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	e.post(alice, "#go #cats")
	e.post(alice, "#go")

	tag := e.postObj("/api/v1/tags/Go/follow", alice, nil, http.StatusOK)
	assert.Equal(t, "go", tag["name"])
	assert.Equal(t, true, tag["following"])
	assert.Equal(t, false, tag["featuring"])
	assert.Equal(t, true, e.getObj("/api/v1/tags/go", alice, http.StatusOK)["following"])
	assert.Len(t, e.getList("/api/v1/followed_tags", alice), 1)
	tag = e.postObj("/api/v1/tags/go/unfollow", alice, nil, http.StatusOK)
	assert.Equal(t, false, tag["following"])
	assert.Empty(t, e.getList("/api/v1/followed_tags", alice))

	sugg := e.getList("/api/v1/featured_tags/suggestions", alice)
	assert.Len(t, sugg, 2)
	ft := e.postObj("/api/v1/featured_tags", alice, url.Values{"name": {"go"}}, http.StatusOK)
	assert.Equal(t, "go", ft["name"])
	assert.Equal(t, "2", ft["statuses_count"])
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, ft["last_status_at"])
	assert.Equal(t, e.urls.Profile("alice")+"/tagged/go", ft["url"])
	e.errorOf(http.MethodPost, "/api/v1/featured_tags", alice, url.Values{"name": {"go"}}, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodPost, "/api/v1/featured_tags", alice, url.Values{"name": {"not valid"}}, http.StatusUnprocessableEntity)
	tag = e.postObj("/api/v1/tags/cats/feature", alice, nil, http.StatusOK)
	assert.Equal(t, true, tag["featuring"])
	assert.Len(t, e.getList("/api/v1/featured_tags", alice), 2)
	assert.Len(t, e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/featured_tags", ""), 2)
	tag = e.postObj("/api/v1/tags/cats/unfeature", alice, nil, http.StatusOK)
	assert.Equal(t, false, tag["featuring"])
	e.call(http.MethodDelete, "/api/v1/featured_tags/"+ft["id"].(string), alice, nil, http.StatusOK)
	assert.Empty(t, e.getList("/api/v1/featured_tags", alice))
	e.errorOf(http.MethodPost, "/api/v1/tags/not%20valid/follow", alice, nil, http.StatusNotFound)
}
