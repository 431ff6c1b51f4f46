package mastoapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
)

func types(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, x.(obj)["type"].(string))
	}
	return out
}

func TestNotificationsAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, _ := e.userToken("carol", "read write follow")
	aliceID := aliceAcct.ID.String()

	st := e.post(alice, "hello")["id"].(string)
	e.postObj("/api/v1/accounts/"+aliceID+"/follow", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+st+"/favourite", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+st+"/favourite", carol, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+st+"/reblog", bob, nil, http.StatusOK)
	mention := e.post(carol, "@alice hi")["id"].(string)

	all, links := e.page("/api/v1/notifications", alice)
	require.Len(t, all, 5)
	assert.Empty(t, links["next"], "the page is not full")
	resp := e.get("/api/v1/notifications", alice)
	list := decode[[]any](t, e.validate(resp))
	assert.Equal(t, []string{"mention", "reblog", "favourite", "favourite", "follow"}, types(list))
	first := list[0].(obj)
	assert.Equal(t, mention, first["status"].(obj)["id"])
	assert.Regexp(t, `^ungrouped-\d+$`, first["group_key"])
	assert.NotContains(t, list[4].(obj), "status", "follows carry no status")
	assert.Equal(t, "bob", list[4].(obj)["account"].(obj)["username"])
	assert.Equal(t, list[2].(obj)["group_key"], list[3].(obj)["group_key"], "favourites of one status share a group")

	got := e.getList("/api/v1/notifications?types[]=favourite&types[]=follow", alice)
	assert.Equal(t, []string{"favourite", "favourite", "follow"}, types(got))
	got = e.getList("/api/v1/notifications?exclude_types[]=favourite&exclude_types[]=mention", alice)
	assert.Equal(t, []string{"reblog", "follow"}, types(got))
	got = e.getList("/api/v1/notifications?account_id="+bobAcct.ID.String(), alice)
	assert.Equal(t, []string{"reblog", "favourite", "follow"}, types(got))
	assert.Empty(t, e.getList("/api/v1/notifications?types[]=nonsense", alice))
	pageIDs, links := e.page("/api/v1/notifications?limit=2", alice)
	assert.Equal(t, all[:2], pageIDs)
	pageIDs, _ = e.page(links["next"], alice)
	assert.Equal(t, all[2:4], pageIDs)

	// Grouped (v2).
	g := e.getObj("/api/v2/notifications", alice, http.StatusOK)
	groups := g["notification_groups"].([]any)
	require.Len(t, groups, 4)
	fav := groups[2].(obj)
	assert.Equal(t, "favourite", fav["type"])
	assert.EqualValues(t, 2, fav["notifications_count"])
	assert.Len(t, fav["sample_account_ids"], 2)
	assert.Equal(t, st, fav["status_id"])
	assert.Len(t, g["accounts"], 2)
	assert.Len(t, g["statuses"], 2)
	key := fav["group_key"].(string)
	one := e.getObj("/api/v2/notifications/"+url.PathEscape(key), alice, http.StatusOK)
	assert.Len(t, one["notification_groups"], 1)
	assert.ElementsMatch(t, []string{"bob", "carol"}, usernames(e.getList("/api/v2/notifications/"+url.PathEscape(key)+"/accounts", alice)))
	assert.EqualValues(t, 4, e.getObj("/api/v2/notifications/unread_count", alice, http.StatusOK)["count"])
	e.postObj("/api/v2/notifications/"+url.PathEscape(key)+"/dismiss", alice, nil, http.StatusOK)
	assert.Len(t, e.getList("/api/v1/notifications", alice), 3)
	e.errorOf(http.MethodGet, "/api/v2/notifications/nonsense-1", alice, nil, http.StatusNotFound)

	// One, dismiss, unread count with the marker, clear.
	id := all[0]
	n := e.getObj("/api/v1/notifications/"+id, alice, http.StatusOK)
	assert.Equal(t, "mention", n["type"])
	e.errorOf(http.MethodGet, "/api/v1/notifications/"+id, bob, nil, http.StatusNotFound)
	assert.EqualValues(t, 3, e.getObj("/api/v1/notifications/unread_count", alice, http.StatusOK)["count"])
	e.postObj("/api/v1/markers", alice, url.Values{"notifications[last_read_id]": {all[1]}}, http.StatusOK)
	assert.EqualValues(t, 1, e.getObj("/api/v1/notifications/unread_count", alice, http.StatusOK)["count"])
	assert.EqualValues(t, 1, e.getObj("/api/v1/notifications/unread_count?limit=1", alice, http.StatusOK)["count"])
	e.postObj("/api/v1/notifications/"+id+"/dismiss", alice, nil, http.StatusOK)
	e.errorOf(http.MethodGet, "/api/v1/notifications/"+id, alice, nil, http.StatusNotFound)
	e.errorOf(http.MethodPost, "/api/v1/notifications/"+id+"/dismiss", alice, nil, http.StatusNotFound)
	e.postObj("/api/v1/notifications/clear", alice, nil, http.StatusOK)
	assert.Empty(t, e.getList("/api/v1/notifications", alice))

	// Scopes.
	app := e.registerApp("read write follow push profile")
	statusesOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "read:statuses").AccessToken
	e.errorOf(http.MethodGet, "/api/v1/notifications", statusesOnly, nil, http.StatusForbidden)
	e.errorOf(http.MethodGet, "/api/v1/notifications", "", nil, http.StatusUnauthorized)
	readOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken
	e.errorOf(http.MethodPost, "/api/v1/notifications/clear", readOnly, nil, http.StatusForbidden)
}

func TestMarkers(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	assert.Empty(t, e.getObj("/api/v1/markers?timeline[]=home&timeline[]=notifications", alice, http.StatusOK))
	m := e.postObj("/api/v1/markers", alice, url.Values{"home[last_read_id]": {"123"}}, http.StatusOK)
	home := m["home"].(obj)
	assert.Equal(t, "123", home["last_read_id"])
	assert.EqualValues(t, 1, home["version"])
	resp := e.postJSON("/api/v1/markers", obj{"home": obj{"last_read_id": "456"}, "notifications": obj{"last_read_id": "7"}}, alice)
	requireStatus(t, resp, http.StatusOK)
	m = decode[obj](t, e.validate(resp))
	assert.EqualValues(t, 2, m["home"].(obj)["version"])
	assert.EqualValues(t, 1, m["notifications"].(obj)["version"])
	got := e.getObj("/api/v1/markers?timeline[]=home", alice, http.StatusOK)
	assert.Equal(t, "456", got["home"].(obj)["last_read_id"])
	assert.NotContains(t, got, "notifications")
	e.errorOf(http.MethodPost, "/api/v1/markers", alice, url.Values{"home[last_read_id]": {"x"}}, http.StatusUnprocessableEntity)
}

func TestSearchAPI(t *testing.T) {
	var resolved []string
	var remote *storage.Account
	e := newEnv(t, func(o *mastoapi.Options) {
		o.Resolve = func(ctx context.Context, q string) (*storage.Account, *storage.Status, error) {
			resolved = append(resolved, q)
			if remote == nil {
				return nil, nil, errors.New("not found")
			}
			return remote, nil, nil
		}
	})
	alice, _ := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bobby", "read write follow")
	e.post(bob, "I like #gophers and #golang")
	e.post(alice, "gophers are great")

	res := e.getObj("/api/v2/search?q=bob", alice, http.StatusOK)
	assert.Equal(t, []string{"bobby"}, usernames(res["accounts"].([]any)))
	requireHasKey(t, res, "statuses", "hashtags")
	res = e.getObj("/api/v2/search?q=gophers&type=statuses", alice, http.StatusOK)
	assert.Len(t, res["statuses"], 2)
	assert.Empty(t, res["accounts"])
	res = e.getObj("/api/v2/search?q=gophers&type=statuses&account_id="+bobAcct.ID.String(), alice, http.StatusOK)
	assert.Len(t, res["statuses"], 1)
	res = e.getObj("/api/v2/search?q=%23go&type=hashtags", alice, http.StatusOK)
	tags := res["hashtags"].([]any)
	require.NotEmpty(t, tags)
	assert.Equal(t, "golang", tags[0].(obj)["name"])
	res = e.getObj("/api/v2/search?q=gophers", "", http.StatusOK)
	assert.Empty(t, res["statuses"], "anonymous searches find no statuses")
	res = e.getObj("/api/v2/search?q=bob&following=true", alice, http.StatusOK)
	assert.Empty(t, res["accounts"])
	e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
	res = e.getObj("/api/v2/search?q=bob&following=true", alice, http.StatusOK)
	assert.Len(t, res["accounts"], 1)
	assert.Equal(t, []string{"bobby"}, usernames(e.getList("/api/v1/accounts/search?q=bob", alice)))

	// Remote resolution goes through the hook, for signed-in users only.
	assert.Equal(t, "Search queries that resolve remote resources are not supported without authentication",
		e.errorOf(http.MethodGet, "/api/v2/search?q=bob@remote.example&resolve=true", "", nil, http.StatusUnauthorized))
	e.errorOf(http.MethodGet, "/api/v2/search?q=bob&offset=5", "", nil, http.StatusUnauthorized)
	res = e.getObj("/api/v2/search?q=someone@remote.example&resolve=true", alice, http.StatusOK)
	assert.Empty(t, res["accounts"])
	remote = &storage.Account{Username: "someone", Domain: "remote.example", URI: "https://remote.example/users/someone",
		InboxURI: "https://remote.example/users/someone/inbox", ActorType: storage.ActorPerson}
	require.NoError(t, e.store.Accounts().Create(context.Background(), remote))
	res = e.getObj("/api/v2/search?q=someone@remote.example&resolve=true&type=accounts", alice, http.StatusOK)
	accts := res["accounts"].([]any)
	require.Len(t, accts, 1)
	assert.Equal(t, "someone@remote.example", accts[0].(obj)["acct"])
	e.getObj("/api/v2/search?q=someone@remote.example", alice, http.StatusOK) // no resolve: hook not called
	assert.Equal(t, []string{"someone@remote.example", "someone@remote.example"}, resolved)

	assert.Contains(t, e.errorOf(http.MethodGet, "/api/v2/search", alice, nil, http.StatusBadRequest), "q")
	e.errorOf(http.MethodGet, "/api/v1/accounts/search?q=bob", "", nil, http.StatusUnauthorized)
}

func TestDestroyMultipleNotificationsAndPinAliases(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/follow", bob, nil, http.StatusOK)
	st := e.post(alice, "hi")["id"].(string)
	e.postObj("/api/v1/statuses/"+st+"/favourite", bob, nil, http.StatusOK)
	ids, _ := e.page("/api/v1/notifications", alice)
	require.Len(t, ids, 2)
	// Not in the OpenAPI schema (deprecated): checked without it.
	resp := e.do(request{method: http.MethodDelete, path: "/api/v1/notifications/destroy_multiple?" + url.Values{"ids[]": {ids[0], "999", "x"}}.Encode(), token: alice})
	requireStatus(t, resp, http.StatusOK)
	resp.Body.Close()
	left, _ := e.page("/api/v1/notifications", alice)
	assert.Equal(t, ids[1:], left)

	// pin / unpin endorse a followed account.
	rel := e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/pin", bob, nil, http.StatusOK)
	assert.Equal(t, true, rel["endorsed"])
	rel = e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/unpin", bob, nil, http.StatusOK)
	assert.Equal(t, false, rel["endorsed"])
}
