package mastoapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/internal/openapitest"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// modAccount changes an account in the store.
func (e *env) modAccount(id storage.ID, mod func(*storage.Account)) {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.store.Accounts().Get(ctx, id)
	require.NoError(e.t, err)
	mod(a)
	require.NoError(e.t, e.store.Accounts().Update(ctx, a))
}

// storedPost stores a public status of a with tags, as of at.
func (e *env) storedPost(a *storage.Account, at time.Time, tags ...string) *storage.Status {
	e.t.Helper()
	id := storage.IDAt(at)
	st := &storage.Status{ID: id, AccountID: a.ID, URI: a.URI + "/statuses/" + id.String(), Local: true,
		Content: "<p>stored</p>", Visibility: storage.VisibilityPublic, Tags: tags}
	require.NoError(e.t, e.store.Statuses().Create(context.Background(), st))
	return st
}

func tagNamesOf(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, x.(obj)["name"].(string))
	}
	return out
}

func TestTrendingTags(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	carol, _ := e.userToken("carol", "read write follow")
	dave, daveAcct := e.userToken("dave", "read write follow")
	e.modAccount(daveAcct.ID, func(a *storage.Account) { a.SilencedAt = ptrTime(time.Now().UTC()) })

	e.post(alice, "#golang is fun")
	e.post(bob, "#GoLang again")
	e.post(carol, "#golang and #herd")
	e.post(alice, "#herd")
	e.post(bob, "#herd #herd")
	e.post(alice, "#solo: one account only")
	e.post(alice, "#quiet unlisted", "visibility", "unlisted")
	e.post(bob, "#quiet private", "visibility", "private")
	e.post(dave, "#muffled by a silenced account")
	e.post(alice, "#muffled")
	// Three accounts (and silenced dave) used #older the day before
	// yesterday: it ranks below today's #herd (3/4 < 3).
	past := time.Now().UTC().Add(-48 * time.Hour)
	for _, a := range []*storage.Account{aliceAcct, daveAcct} {
		e.storedPost(a, past, "older")
	}
	_, erin := e.userToken("erin", "read")
	_, frank := e.userToken("frank", "read")
	e.storedPost(erin, past, "older")
	e.storedPost(frank, past, "older")
	e.postObj("/api/v1/tags/herd/follow", carol, nil, http.StatusOK)

	list := e.getList("/api/v1/trends/tags", "")
	require.Equal(t, []string{"golang", "herd", "older"}, tagNamesOf(list), "ranked by accounts, halved per day of age; #solo, #quiet and #muffled do not trend")
	g := list[0].(obj)
	assert.NotContains(t, g, "following", "anonymous")
	h := g["history"].([]any)
	require.Len(t, h, 7)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	assert.Equal(t, obj{"day": strconv.FormatInt(today.Unix(), 10), "uses": "3", "accounts": "3"}, h[0])
	assert.Equal(t, obj{"day": strconv.FormatInt(today.AddDate(0, 0, -6).Unix(), 10), "uses": "0", "accounts": "0"}, h[6])
	herd := list[1].(obj)["history"].([]any)[0].(obj)
	assert.Equal(t, "3", herd["uses"])
	assert.Equal(t, "3", herd["accounts"])
	older := list[2].(obj)["history"].([]any)
	assert.Equal(t, "3", older[2].(obj)["accounts"], "dave is silenced")

	// The viewer's following; offset paging with Link headers.
	resp := e.get("/api/v1/trends/tags?limit=1&offset=1", carol)
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	links := e.links(resp)
	page := decode[[]any](t, resp)
	require.Equal(t, []string{"herd"}, tagNamesOf(page))
	assert.Equal(t, true, page[0].(obj)["following"])
	assert.Contains(t, links["next"], "offset=2")
	assert.Contains(t, links["prev"], "offset=0")
	page = e.getList("/api/v1/trends/tags?offset=2", carol)
	assert.Equal(t, []string{"older"}, tagNamesOf(page))
	assert.Equal(t, false, page[0].(obj)["following"])
	assert.Empty(t, e.getList("/api/v1/trends/tags?offset=3", ""))
	assert.Len(t, e.getList("/api/v1/trends/tags?limit=100", ""), 3, "limit clamped to 20")

	// The alias (not in the OpenAPI paths).
	resp = e.get("/api/v1/trends", "")
	requireStatus(t, resp, http.StatusOK)
	assert.Len(t, decode[[]any](t, resp), 3)

	// Cached: a new trend shows once the cache expires.
	e.post(alice, "#fresh")
	e.post(bob, "#fresh")
	assert.NotContains(t, tagNamesOf(e.getList("/api/v1/trends/tags", "")), "fresh")
	e.clock.Advance(6 * time.Minute)
	assert.Contains(t, tagNamesOf(e.getList("/api/v1/trends/tags", "")), "fresh")

	// GET /api/v1/tags/{name} carries the same history.
	resp = e.get("/api/v1/tags/GoLang", "")
	requireStatus(t, resp, http.StatusOK)
	b := readBody(t, resp)
	openapitest.ValidateComponent(t, "Tag", []byte(b))
	var tag obj
	require.NoError(t, json.Unmarshal([]byte(b), &tag))
	require.Len(t, tag["history"], 7)
	assert.Equal(t, "3", tag["history"].([]any)[0].(obj)["accounts"])
	resp = e.get("/api/v1/tags/older", "")
	requireStatus(t, resp, http.StatusOK)
	require.NoError(t, json.Unmarshal([]byte(readBody(t, resp)), &tag))
	assert.Equal(t, obj{"day": strconv.FormatInt(today.AddDate(0, 0, -2).Unix(), 10), "uses": "3", "accounts": "3"}, tag["history"].([]any)[2])
	resp = e.get("/api/v1/tags/unused", "")
	requireStatus(t, resp, http.StatusOK)
	require.NoError(t, json.Unmarshal([]byte(readBody(t, resp)), &tag))
	require.Len(t, tag["history"], 7)
	assert.Equal(t, "0", tag["history"].([]any)[0].(obj)["uses"])
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestTrendingStatuses(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	viewer, _ := e.userToken("viewer", "read write follow")
	e.modAccount(carolAcct.ID, func(a *storage.Account) { a.Discoverable = false })
	for _, id := range []storage.ID{aliceAcct.ID, bobAcct.ID} {
		e.modAccount(id, func(a *storage.Account) { a.Discoverable = true })
	}
	top := e.post(alice, "top post")["id"].(string)
	second := e.post(bob, "second post about cats")["id"].(string)
	third := e.post(alice, "third post")["id"].(string)
	hidden := e.post(carol, "carol is not discoverable")["id"].(string)
	reply := e.post(alice, "a reply", "in_reply_to_id", second)["id"].(string)
	cw := e.post(alice, "behind a warning", "spoiler_text", "cw")["id"].(string)
	e.post(alice, "nobody cares")
	act := func(token, id, action string) {
		e.postObj("/api/v1/statuses/"+id+"/"+action, token, nil, http.StatusOK)
	}
	for _, tok := range []string{bob, carol, viewer} {
		act(tok, top, "favourite")
	}
	act(carol, top, "reblog")
	act(carol, second, "favourite")
	act(viewer, second, "reblog")
	act(carol, third, "favourite")
	for _, id := range []string{hidden, reply, cw} {
		for _, tok := range []string{alice, bob, viewer} {
			act(tok, id, "favourite")
		}
	}
	// second has 2 interactions and the reply: 3; top 4; third 1.

	got, links := e.page("/api/v1/trends/statuses", "")
	assert.Equal(t, []string{top, second, third}, got)
	assert.Empty(t, links, "a short first page has no links")
	got, links = e.page("/api/v1/trends/statuses?limit=1&offset=1", "")
	assert.Equal(t, []string{second}, got)
	assert.Contains(t, links["next"], "offset=2")
	assert.Contains(t, links["prev"], "offset=0")
	got, _ = e.page(links["next"], "")
	assert.Equal(t, []string{third}, got)

	// Per viewer: a muted author is left out, and filters apply.
	e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/mute", viewer, nil, http.StatusOK)
	got, _ = e.page("/api/v1/trends/statuses", viewer)
	assert.Equal(t, []string{second}, got)
	e.postObj("/api/v2/filters", viewer, url.Values{"title": {"Cats"}, "context[]": {"public"}, "filter_action": {"hide"},
		"keywords_attributes[0][keyword]": {"cats"}}, http.StatusOK)
	got, _ = e.page("/api/v1/trends/statuses", viewer)
	assert.Empty(t, got)
	got, _ = e.page("/api/v1/trends/statuses?offset=1&limit=1", carol)
	assert.Equal(t, []string{second}, got, "others are unaffected")

	// A suspended author drops out once the ranking is recomputed.
	e.modAccount(aliceAcct.ID, func(a *storage.Account) { a.SuspendedAt = ptrTime(time.Now().UTC()) })
	e.clock.Advance(6 * time.Minute)
	got, _ = e.page("/api/v1/trends/statuses", "")
	assert.Equal(t, []string{second}, got)
}

func TestTrendingLinksEmpty(t *testing.T) {
	e := newEnv(t, nil)
	assert.Empty(t, e.getList("/api/v1/trends/links", ""))
}

func TestInstanceActivity(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write")
	bob, _ := e.userToken("bob", "read write")
	e.userToken("carol", "read") // registered, never used the API
	e.post(alice, "one")
	e.post(alice, "two", "visibility", "direct")
	st := e.post(bob, "three")
	e.postObj("/api/v1/statuses/"+st["id"].(string)+"/reblog", alice, nil, http.StatusOK) // not counted
	e.storedPost(aliceAcct, time.Now().UTC().AddDate(0, 0, -14))

	list := e.getList("/api/v1/instance/activity", "")
	require.Len(t, list, 12)
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	// The week of two weeks ago holds the stored status.
	var total int
	for i, x := range list {
		w := x.(obj)
		assert.Equal(t, strconv.FormatInt(monday.AddDate(0, 0, -7*i).Unix(), 10), w["week"])
		n, _ := strconv.Atoi(w["statuses"].(string))
		total += n
	}
	assert.Equal(t, obj{"week": strconv.FormatInt(monday.Unix(), 10), "statuses": "3", "logins": "2", "registrations": "3"}, list[0])
	assert.Equal(t, 4, total)

	// The same logins make the instance's monthly active users.
	inst := e.getObj("/api/v2/instance", "", http.StatusOK)
	assert.Equal(t, float64(2), inst["usage"].(obj)["users"].(obj)["active_month"])

}

// allowList is a domain moderation in allow-list mode.
type allowList struct{}

func (allowList) Silenced(context.Context, string) bool  { return false }
func (allowList) Suspended(context.Context, string) bool { return false }
func (allowList) AllowList() bool                        { return true }
func (allowList) Reload(context.Context) error           { return nil }

func TestInstanceActivityHiddenInAllowListMode(t *testing.T) {
	e := newEnv(t, nil)
	api := mastoapi.New(e.store, social.New(e.store, e.urls, &social.Options{Domains: allowList{}}), e.urls, nil)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/instance/activity", nil)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	openapitest.Validate(t, req, rec.Result())
}

func TestSuggestions(t *testing.T) {
	e := newEnv(t, nil)
	viewer, viewerAcct := e.userToken("viewer", "read write follow")
	disc := func(a *storage.Account) { a.Discoverable = true }
	tokens := map[string]string{}
	accts := map[string]*storage.Account{}
	for _, n := range []string{"f1", "f2", "popular", "friend", "shy", "star", "fan1", "fan2"} {
		tokens[n], accts[n] = e.userToken(n, "read write follow")
		if n != "shy" {
			e.modAccount(accts[n].ID, disc)
		} else {
			e.modAccount(accts[n].ID, func(a *storage.Account) { a.Discoverable = false })
		}
	}
	follow := func(who, whom string) {
		e.postObj("/api/v1/accounts/"+accts[whom].ID.String()+"/follow", tokens[who], nil, http.StatusOK)
	}
	tokens["viewer"], accts["viewer"] = viewer, viewerAcct
	follow("viewer", "f1")
	follow("viewer", "f2")
	follow("f1", "popular")
	follow("f2", "popular")
	follow("f1", "friend")
	follow("f1", "shy")
	follow("f2", "shy")
	follow("fan1", "star")
	follow("fan2", "star")
	follow("fan1", "popular")

	resp := e.get("/api/v2/suggestions", viewer)
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	list := decode[[]any](t, resp)
	var names []string
	for _, x := range list {
		names = append(names, x.(obj)["account"].(obj)["username"].(string))
	}
	// popular: 2 friends follow it and 3 followers; friend: 1; then the most
	// followed local accounts not suggested yet (star: 2 followers).
	// shy is not discoverable; f1 and f2 are followed already.
	require.Equal(t, []string{"popular", "friend", "star"}, names)
	assert.Equal(t, []any{"friends_of_friends", "most_followed"}, list[0].(obj)["sources"])
	assert.Equal(t, "past_interactions", list[0].(obj)["source"])
	assert.Equal(t, []any{"most_followed"}, list[2].(obj)["sources"])
	assert.Equal(t, "global", list[2].(obj)["source"])

	got := ids(e.getList("/api/v1/suggestions?limit=2", viewer))
	assert.Equal(t, []string{accts["popular"].ID.String(), accts["friend"].ID.String()}, got)

	// Dismissing is stored; following removes a suggestion too.
	resp = e.do(request{method: http.MethodDelete, path: "/api/v1/suggestions/" + accts["popular"].ID.String(), token: viewer})
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	follow("viewer", "star")
	got = ids(e.getList("/api/v1/suggestions", viewer))
	assert.Equal(t, []string{accts["friend"].ID.String()}, got)

	resp = e.do(request{method: http.MethodDelete, path: "/api/v1/suggestions/12345", token: viewer})
	requireStatus(t, resp, http.StatusNotFound)
	e.errorOf(http.MethodGet, "/api/v2/suggestions", "", nil, http.StatusUnauthorized)
}

func TestDirectTimelinePaging(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, _ := e.userToken("carol", "read write follow")
	// Direct statuses stored without conversations: the timeline reads
	// the statuses themselves, however many conversations there are.
	ctx := context.Background()
	var want []string // newest first
	for i := 0; i < 3; i++ {
		id := e.store.NewID()
		st := &storage.Status{ID: id, AccountID: bobAcct.ID, URI: bobAcct.URI + "/statuses/" + id.String(), Local: true,
			Content: "<p>old dm</p>", Visibility: storage.VisibilityDirect,
			Mentions: storage.Mentions{{AccountID: aliceAcct.ID, Username: "alice", Acct: "alice", URL: aliceAcct.URL}}}
		require.NoError(t, e.store.Statuses().Create(ctx, st))
		want = append([]string{id.String()}, want...)
	}
	for i := 0; i < 3; i++ {
		want = append([]string{e.post(alice, "@bob dm "+strconv.Itoa(i), "visibility", "direct")["id"].(string)}, want...)
		want = append([]string{e.post(bob, "@alice reply "+strconv.Itoa(i), "visibility", "direct")["id"].(string)}, want...)
		e.post(bob, "@alice public mention")
		e.post(carol, "@bob not for alice", "visibility", "direct")
	}
	got, links := e.page("/api/v1/timelines/direct?limit=4", alice)
	assert.Equal(t, want[:4], got)
	assert.Contains(t, links["next"], "max_id="+want[3])
	assert.Contains(t, links["prev"], "min_id="+want[0])
	got, links = e.page(links["next"], alice)
	assert.Equal(t, want[4:8], got)
	got, links = e.page(links["next"], alice)
	assert.Equal(t, want[8:], got)
	assert.NotContains(t, links, "next")
	got, _ = e.page("/api/v1/timelines/direct?limit=2&min_id="+want[5], alice)
	assert.Equal(t, want[3:5], got)
	got, _ = e.page("/api/v1/timelines/direct?limit=2&since_id="+want[5], alice)
	assert.Equal(t, want[0:2], got)

	// Blocking bob hides his statuses.
	e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/block", alice, nil, http.StatusOK)
	got, _ = e.page("/api/v1/timelines/direct?limit=40", alice)
	assert.Len(t, got, 3, "alice's own")
}
