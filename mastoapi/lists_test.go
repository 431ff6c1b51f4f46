package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	_, carolAcct := e.userToken("carol", "read write follow")
	mallory, _ := e.userToken("mallory", "read write follow")
	readOnly := e.passwordToken(e.registerApp("read write follow"), "alice@example.com", "correct horse battery", "read:lists").AccessToken
	_ = bob
	e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)

	assert.Empty(t, e.getList("/api/v1/lists", alice))
	l := e.postObj("/api/v1/lists", alice, url.Values{"title": {"Friends"}}, http.StatusOK)
	assert.Equal(t, obj{"id": l["id"], "title": "Friends", "replies_policy": "list", "exclusive": false}, l)
	id := l["id"].(string)
	lp := "/api/v1/lists/" + id

	// JSON bodies work as well as forms.
	resp := e.postJSON("/api/v1/lists", map[string]any{"title": "Work", "replies_policy": "none", "exclusive": true}, alice)
	requireStatus(t, resp, http.StatusOK)
	work := decode[obj](t, e.validate(resp))
	assert.Equal(t, "none", work["replies_policy"])
	assert.Equal(t, true, work["exclusive"])

	assert.Equal(t, []string{id, work["id"].(string)}, ids(e.getList("/api/v1/lists", alice)))
	assert.Equal(t, l, e.getObj(lp, alice, http.StatusOK))
	up := e.call(http.MethodPut, lp, alice, url.Values{"title": {"Close friends"}, "replies_policy": {"followed"}}, http.StatusOK).(obj)
	assert.Equal(t, obj{"id": id, "title": "Close friends", "replies_policy": "followed", "exclusive": false}, up)

	// Validation, scopes, someone else's list.
	assert.Equal(t, "Validation failed: Title can't be blank", e.errorOf(http.MethodPost, "/api/v1/lists", alice, url.Values{"title": {""}}, http.StatusUnprocessableEntity))
	e.errorOf(http.MethodPost, "/api/v1/lists", alice, url.Values{"title": {"x"}, "replies_policy": {"all"}}, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodPost, "/api/v1/lists", readOnly, url.Values{"title": {"x"}}, http.StatusForbidden)
	e.errorOf(http.MethodGet, "/api/v1/lists", "", nil, http.StatusUnauthorized)
	assert.Equal(t, "Record not found", e.errorOf(http.MethodGet, lp, mallory, nil, http.StatusNotFound))
	e.errorOf(http.MethodPut, lp, mallory, url.Values{"title": {"mine"}}, http.StatusNotFound)
	e.errorOf(http.MethodDelete, lp, mallory, nil, http.StatusNotFound)
	e.errorOf(http.MethodGet, "/api/v1/timelines/list/"+id, mallory, nil, http.StatusNotFound)
	e.errorOf(http.MethodGet, lp+"/accounts", mallory, nil, http.StatusNotFound)
	e.errorOf(http.MethodPost, lp+"/accounts", mallory, url.Values{"account_ids[]": {bobAcct.ID.String()}}, http.StatusNotFound)
	e.errorOf(http.MethodGet, "/api/v1/lists/99999", alice, nil, http.StatusNotFound)

	// Members.
	assert.Equal(t, obj{}, e.postObj(lp+"/accounts", alice, url.Values{"account_ids[]": {bobAcct.ID.String()}}, http.StatusOK))
	assert.Equal(t, "Validation failed: Account has already been taken",
		e.errorOf(http.MethodPost, lp+"/accounts", alice, url.Values{"account_ids[]": {bobAcct.ID.String()}}, http.StatusUnprocessableEntity))
	e.errorOf(http.MethodPost, lp+"/accounts", alice, url.Values{"account_ids[]": {carolAcct.ID.String()}}, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodPost, lp+"/accounts", alice, url.Values{"account_ids[]": {"99999"}}, http.StatusNotFound)
	e.errorOf(http.MethodPost, lp+"/accounts", alice, url.Values{"account_ids[]": {"abc"}}, http.StatusNotFound)
	members := e.getList(lp+"/accounts", alice)
	assert.Equal(t, []string{bobAcct.ID.String()}, ids(members))
	assert.Equal(t, []string{id}, ids(e.getList("/api/v1/accounts/"+bobAcct.ID.String()+"/lists", alice)))
	assert.Empty(t, e.getList("/api/v1/accounts/"+carolAcct.ID.String()+"/lists", alice))
	e.errorOf(http.MethodGet, "/api/v1/accounts/99999/lists", alice, nil, http.StatusNotFound)

	// The list timeline, with Link pagination.
	var posted []string
	for i := 0; i < 3; i++ {
		posted = append([]string{e.post(bob, "list post "+string(rune('a'+i)))["id"].(string)}, posted...)
	}
	got, links := e.page("/api/v1/timelines/list/"+id+"?limit=2", alice)
	assert.Equal(t, posted[:2], got)
	require.Contains(t, links, "next")
	assert.Contains(t, links["next"], "max_id="+posted[1])
	assert.Contains(t, links["prev"], "min_id="+posted[0])
	got, _ = e.page(links["next"], alice)
	assert.Equal(t, posted[2:], got)
	got, _ = e.page("/api/v1/timelines/list/"+id, readOnly)
	assert.Equal(t, posted, got, "read:lists reads the list timeline")

	// Removing a member, via the query string as some clients send it.
	assert.Equal(t, obj{}, e.call(http.MethodDelete, lp+"/accounts?account_ids[]="+bobAcct.ID.String(), alice, nil, http.StatusOK))
	assert.Empty(t, e.getList(lp+"/accounts", alice))
	got, _ = e.page("/api/v1/timelines/list/"+id, alice)
	assert.Empty(t, got)

	assert.Equal(t, obj{}, e.call(http.MethodDelete, lp, alice, nil, http.StatusOK))
	e.errorOf(http.MethodGet, lp, alice, nil, http.StatusNotFound)
	assert.Equal(t, []string{work["id"].(string)}, ids(e.getList("/api/v1/lists", alice)))
}

func TestListAccountsPagination(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write follow")
	var members []string
	for _, name := range []string{"m1", "m2", "m3", "m4", "m5"} {
		_, a := e.userToken(name, "read")
		e.postObj("/api/v1/accounts/"+a.ID.String()+"/follow", alice, nil, http.StatusOK)
		members = append([]string{a.ID.String()}, members...) // newest first
	}
	l := e.postObj("/api/v1/lists", alice, url.Values{"title": {"many"}}, http.StatusOK)
	lp := "/api/v1/lists/" + l["id"].(string) + "/accounts"
	e.postObj(lp, alice, url.Values{"account_ids[]": members}, http.StatusOK)

	got, links := e.page(lp+"?limit=2", alice)
	assert.Equal(t, members[:2], got)
	require.Contains(t, links, "next")
	assert.Contains(t, links["next"], "max_id="+members[1])
	got, links = e.page(links["next"], alice)
	assert.Equal(t, members[2:4], got)
	got, last := e.page(links["next"], alice)
	assert.Equal(t, members[4:], got)
	assert.NotContains(t, last, "next")

	resp := e.get(lp+"?limit=0", alice)
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	assert.Empty(t, resp.Header.Get("Link"), "limit=0 lists everyone, unpaged")
	assert.Equal(t, members, ids(decode[[]any](t, resp)))
}

// TestGoMastodonLists drives lists through the go-mastodon client.
func TestGoMastodonLists(t *testing.T) {
	e := newEnv(t, nil)
	aliceTok, _ := e.userToken("alice", "read write follow")
	bobTok, bob := e.userToken("bob", "read write follow")
	ctx := context.Background()
	c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, AccessToken: aliceTok})
	bc := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, AccessToken: bobTok})
	bobID := mastodon.ID(bob.ID.String())

	_, err := c.AccountFollow(ctx, bobID)
	require.NoError(t, err)
	l, err := c.CreateList(ctx, "Friends")
	require.NoError(t, err)
	assert.Equal(t, "Friends", l.Title)
	require.NoError(t, c.AddToList(ctx, l.ID, bobID))

	lists, err := c.GetLists(ctx)
	require.NoError(t, err)
	require.Len(t, lists, 1)
	assert.Equal(t, l.ID, lists[0].ID)
	got, err := c.GetList(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, "Friends", got.Title)
	renamed, err := c.RenameList(ctx, l.ID, "Close friends")
	require.NoError(t, err)
	assert.Equal(t, "Close friends", renamed.Title)

	accts, err := c.GetListAccounts(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, accts, 1)
	assert.Equal(t, bobID, accts[0].ID)
	inLists, err := c.GetAccountLists(ctx, bobID)
	require.NoError(t, err)
	require.Len(t, inLists, 1)

	st, err := bc.PostStatus(ctx, &mastodon.Toot{Status: "for my list readers"})
	require.NoError(t, err)
	tl, err := c.GetTimelineList(ctx, l.ID, nil)
	require.NoError(t, err)
	require.Len(t, tl, 1)
	assert.Equal(t, st.ID, tl[0].ID)

	require.NoError(t, c.RemoveFromList(ctx, l.ID, bobID))
	accts, err = c.GetListAccounts(ctx, l.ID)
	require.NoError(t, err)
	assert.Empty(t, accts)
	require.NoError(t, c.DeleteList(ctx, l.ID))
	_, err = c.GetList(ctx, l.ID)
	require.Error(t, err)
}
