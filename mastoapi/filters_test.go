package mastoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

// sendJSON sends a JSON request, checks its status and validates the
// response against the schema.
func (e *env) sendJSON(method, path, token string, body any, status int) any {
	e.t.Helper()
	b, err := json.Marshal(body)
	require.NoError(e.t, err)
	resp := e.do(request{method: method, path: path, body: strings.NewReader(string(b)), ctype: "application/json", token: token})
	requireStatus(e.t, resp, status)
	e.validate(resp)
	return decode[any](e.t, resp)
}

func TestFiltersV2API(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	readOnly, _ := e.userToken("carol", "read")

	assert.Empty(t, e.getList("/api/v2/filters", alice))
	f := e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{
		"title": "Pets", "context": []string{"home", "public"}, "filter_action": "hide", "expires_in": 3600,
		"keywords_attributes": []obj{{"keyword": "cat", "whole_word": true}, {"keyword": "dog", "whole_word": false}, {"keyword": "skip", "_destroy": true}},
	}, http.StatusOK).(obj)
	id := f["id"].(string)
	assert.Equal(t, "Pets", f["title"])
	assert.Equal(t, "hide", f["filter_action"])
	assert.Equal(t, []any{"home", "public"}, f["context"])
	assert.NotNil(t, f["expires_at"])
	kws := f["keywords"].([]any)
	require.Len(t, kws, 2)
	assert.Equal(t, "cat", kws[0].(obj)["keyword"])
	assert.Equal(t, true, kws[0].(obj)["whole_word"])
	assert.Equal(t, []any{}, f["statuses"])
	catID, dogID := kws[0].(obj)["id"].(string), kws[1].(obj)["id"].(string)

	// Form parameters work too, with Rails-style nested keys.
	g := e.postObj("/api/v2/filters", alice, url.Values{"title": {"Birds"}, "context[]": {"thread"},
		"keywords_attributes[0][keyword]": {"parrot"}, "keywords_attributes[0][whole_word]": {"false"}}, http.StatusOK)
	assert.Equal(t, "warn", g["filter_action"], "warn by default")
	assert.Nil(t, g["expires_at"])
	require.Len(t, g["keywords"], 1)

	list := e.getList("/api/v2/filters", alice)
	require.Len(t, list, 2)
	assert.Equal(t, id, list[0].(obj)["id"])
	assert.Equal(t, "Pets", e.getObj("/api/v2/filters/"+id, alice, http.StatusOK)["title"])

	// Update: rename, drop the expiry, change a keyword, remove one, add one.
	u := e.sendJSON(http.MethodPut, "/api/v2/filters/"+id, alice, obj{
		"title": "Animals", "expires_in": "", "context": []string{"home", "notifications"},
		"keywords_attributes": []obj{{"id": catID, "keyword": "cats"}, {"id": dogID, "_destroy": true}, {"keyword": "horse"}},
	}, http.StatusOK).(obj)
	assert.Equal(t, "Animals", u["title"])
	assert.Nil(t, u["expires_at"])
	assert.Equal(t, "hide", u["filter_action"], "unchanged")
	assert.Equal(t, []any{"home", "notifications"}, u["context"])
	var words []string
	for _, k := range u["keywords"].([]any) {
		words = append(words, k.(obj)["keyword"].(string))
	}
	assert.Equal(t, []string{"cats", "horse"}, words)

	// Keywords one by one.
	kw := e.postObj("/api/v2/filters/"+id+"/keywords", alice, url.Values{"keyword": {"mouse"}}, http.StatusOK)
	assert.Equal(t, true, kw["whole_word"])
	kwID := kw["id"].(string)
	assert.Len(t, e.getList("/api/v2/filters/"+id+"/keywords", alice), 3)
	assert.Equal(t, "mouse", e.getObj("/api/v2/filters/keywords/"+kwID, alice, http.StatusOK)["keyword"])
	kw = e.sendJSON(http.MethodPut, "/api/v2/filters/keywords/"+kwID, alice, obj{"keyword": "mice", "whole_word": false}, http.StatusOK).(obj)
	assert.Equal(t, "mice", kw["keyword"])
	assert.Equal(t, false, kw["whole_word"])
	assert.Equal(t, obj{}, e.call(http.MethodDelete, "/api/v2/filters/keywords/"+kwID, alice, nil, http.StatusOK))
	e.errorOf(http.MethodGet, "/api/v2/filters/keywords/"+kwID, alice, nil, http.StatusNotFound)

	// Statuses.
	st := e.post(bob, "a status to filter")
	fs := e.postObj("/api/v2/filters/"+id+"/statuses", alice, url.Values{"status_id": {st["id"].(string)}}, http.StatusOK)
	assert.Equal(t, st["id"], fs["status_id"])
	fsID := fs["id"].(string)
	e.errorOf(http.MethodPost, "/api/v2/filters/"+id+"/statuses", alice, url.Values{"status_id": {st["id"].(string)}}, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodPost, "/api/v2/filters/"+id+"/statuses", alice, url.Values{"status_id": {"12345"}}, http.StatusNotFound)
	assert.Len(t, e.getList("/api/v2/filters/"+id+"/statuses", alice), 1)
	assert.Equal(t, fsID, e.getObj("/api/v2/filters/statuses/"+fsID, alice, http.StatusOK)["id"])
	assert.Len(t, e.getObj("/api/v2/filters/"+id, alice, http.StatusOK)["statuses"], 1)

	// Someone else's filters, keywords and statuses do not exist.
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/api/v2/filters/" + id}, {http.MethodPut, "/api/v2/filters/" + id}, {http.MethodDelete, "/api/v2/filters/" + id},
		{http.MethodGet, "/api/v2/filters/" + id + "/keywords"}, {http.MethodPost, "/api/v2/filters/" + id + "/keywords"},
		{http.MethodGet, "/api/v2/filters/keywords/" + catID}, {http.MethodPut, "/api/v2/filters/keywords/" + catID},
		{http.MethodDelete, "/api/v2/filters/keywords/" + catID},
		{http.MethodGet, "/api/v2/filters/" + id + "/statuses"}, {http.MethodPost, "/api/v2/filters/" + id + "/statuses"},
		{http.MethodGet, "/api/v2/filters/statuses/" + fsID}, {http.MethodDelete, "/api/v2/filters/statuses/" + fsID},
		{http.MethodGet, "/api/v1/filters/" + catID}, {http.MethodPut, "/api/v1/filters/" + catID}, {http.MethodDelete, "/api/v1/filters/" + catID},
	} {
		vs := url.Values{"keyword": {"x"}, "status_id": {st["id"].(string)}, "title": {"x"}}
		if r.method == http.MethodGet {
			vs = nil
		}
		assert.Equal(t, "Record not found", e.errorOf(r.method, r.path, bob, vs, http.StatusNotFound), "%s %s", r.method, r.path)
	}
	assert.Empty(t, e.getList("/api/v2/filters", bob))

	// Scopes and validation.
	e.errorOf(http.MethodPost, "/api/v2/filters", readOnly, url.Values{"title": {"x"}, "context[]": {"home"}}, http.StatusForbidden)
	e.errorOf(http.MethodGet, "/api/v2/filters", "", nil, http.StatusUnauthorized)
	assert.Contains(t, e.errorOf(http.MethodPost, "/api/v2/filters", alice, url.Values{"context[]": {"home"}}, http.StatusUnprocessableEntity), "Title can't be blank")
	assert.Contains(t, e.errorOf(http.MethodPost, "/api/v2/filters", alice, url.Values{"title": {"x"}, "context[]": {"moon"}}, http.StatusUnprocessableEntity), "Context")
	e.errorOf(http.MethodPost, "/api/v2/filters", alice, url.Values{"title": {"x"}, "context[]": {"home"}, "filter_action": {"nuke"}}, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodPost, "/api/v2/filters", alice, url.Values{"title": {"x"}, "context[]": {"home"}, "expires_in": {"soon"}}, http.StatusUnprocessableEntity)

	fs = e.call(http.MethodDelete, "/api/v2/filters/statuses/"+fsID, alice, nil, http.StatusOK).(obj)
	assert.Equal(t, st["id"], fs["status_id"])
	assert.Equal(t, obj{}, e.call(http.MethodDelete, "/api/v2/filters/"+id, alice, nil, http.StatusOK))
	e.errorOf(http.MethodGet, "/api/v2/filters/"+id, alice, nil, http.StatusNotFound)
	assert.Len(t, e.getList("/api/v2/filters", alice), 1)
}

// TestFiltersV1API drives the v1 filters with go-mastodon: each v1 filter
// is one keyword of a v2 filter.
func TestFiltersV1API(t *testing.T) {
	e := newEnv(t, nil)
	token, _ := e.userToken("alice", "read write follow")
	ctx := context.Background()
	c := mastodon.NewClient(&mastodon.Config{Server: e.srv.URL, AccessToken: token})

	created, err := c.CreateFilter(ctx, &mastodon.Filter{Phrase: "spoiler", Context: []string{"home", "thread"}, WholeWord: true, Irreversible: true})
	require.NoError(t, err)
	assert.Equal(t, "spoiler", created.Phrase)
	assert.True(t, created.WholeWord)
	assert.True(t, created.Irreversible)
	assert.Equal(t, []string{"home", "thread"}, created.Context)
	assert.True(t, created.ExpiresAt.IsZero())

	// The v2 view: a hide filter titled with the phrase, with one keyword.
	v2 := e.getList("/api/v2/filters", token)
	require.Len(t, v2, 1)
	assert.Equal(t, "spoiler", v2[0].(obj)["title"])
	assert.Equal(t, "hide", v2[0].(obj)["filter_action"])
	kws := v2[0].(obj)["keywords"].([]any)
	require.Len(t, kws, 1)
	assert.Equal(t, string(created.ID), kws[0].(obj)["id"], "a v1 filter's ID is its keyword's")

	got, err := c.GetFilter(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "spoiler", got.Phrase)
	upd, err := c.UpdateFilter(ctx, created.ID, &mastodon.Filter{Phrase: "spoilers", Context: []string{"public"}, ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, "spoilers", upd.Phrase)
	assert.False(t, upd.Irreversible)
	assert.False(t, upd.WholeWord)
	assert.Equal(t, []string{"public"}, upd.Context)
	assert.False(t, upd.ExpiresAt.IsZero())

	list, err := c.GetFilters(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	// The schema describes GET /api/v1/filters as one V1Filter where the
	// documentation (and Mastodon) answer a list: each entry is checked
	// through GET /api/v1/filters/:id instead.
	resp := e.get("/api/v1/filters", token)
	requireStatus(t, resp, http.StatusOK)
	assert.Len(t, decode[[]any](t, resp), 1)
	assert.Equal(t, "spoilers", e.getObj("/api/v1/filters/"+string(created.ID), token, http.StatusOK)["phrase"])

	// A v2 filter with several keywords shows as several v1 filters, and
	// its shared settings cannot change through v1.
	fid := v2[0].(obj)["id"].(string)
	e.postObj("/api/v2/filters/"+fid+"/keywords", token, url.Values{"keyword": {"ending"}}, http.StatusOK)
	list, err = c.GetFilters(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 2)
	e.errorOf(http.MethodPut, "/api/v1/filters/"+string(created.ID), token, url.Values{"phrase": {"x"}, "context[]": {"home"}}, http.StatusUnprocessableEntity)

	require.NoError(t, c.DeleteFilter(ctx, created.ID))
	_, err = c.GetFilter(ctx, created.ID)
	require.Error(t, err)
	list, err = c.GetFilters(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1, "deleting a v1 filter deletes its keyword only")
	e.errorOf(http.MethodPost, "/api/v1/filters", token, url.Values{"context[]": {"home"}}, http.StatusUnprocessableEntity)
}

// filterOf returns the titles and actions of a rendered status's
// "filtered" field.
func filterOf(t *testing.T, st obj) []string {
	t.Helper()
	fl, ok := st["filtered"].([]any)
	require.True(t, ok, "filtered is a list: %v", st["filtered"])
	var out []string
	for _, r := range fl {
		f := r.(obj)["filter"].(obj)
		out = append(out, f["title"].(string)+":"+f["filter_action"].(string))
	}
	return out
}

func byID(list []any) map[string]obj {
	out := map[string]obj{}
	for _, x := range list {
		out[x.(obj)["id"].(string)] = x.(obj)
	}
	return out
}

func TestFiltersApplied(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)

	e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Cats", "context": []string{"home", "thread", "notifications", "account"},
		"filter_action": "hide", "keywords_attributes": []obj{{"keyword": "cats"}}}, http.StatusOK)
	warn := e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Dogs", "context": []string{"home", "public"},
		"filter_action": "warn", "keywords_attributes": []obj{{"keyword": "dogs"}}}, http.StatusOK).(obj)
	e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Fish", "context": []string{"home", "public"},
		"filter_action": "blur", "expires_in": 60, "keywords_attributes": []obj{{"keyword": "fish"}}}, http.StatusOK)

	plain := e.post(bob, "nothing to see")["id"].(string)
	dogs := e.post(bob, "Dogs are great")["id"].(string)
	fish := e.post(bob, "gone fishing? no, fish")["id"].(string)
	cats := e.post(bob, "I love <b>cats</b>")["id"].(string)
	own := e.post(alice, "my own cats")["id"].(string)

	// Home: the hidden status is left out, the others carry "filtered".
	home := e.getList("/api/v1/timelines/home", alice)
	assert.Equal(t, []string{own, fish, dogs, plain}, ids(home), "cats hidden; own statuses never filtered")
	m := byID(home)
	assert.Empty(t, filterOf(t, m[plain]))
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, m[dogs]))
	assert.Equal(t, []string{"Fish:blur"}, filterOf(t, m[fish]))
	assert.Empty(t, filterOf(t, m[own]))
	fr := m[dogs]["filtered"].([]any)[0].(obj)
	assert.Equal(t, []any{"Dogs"}, fr["keyword_matches"], "the text as written")
	assert.Nil(t, fr["status_matches"])
	_, hasKeywords := fr["filter"].(obj)["keywords"]
	assert.False(t, hasKeywords, "a FilterResult's filter has no keywords")

	// Pagination follows the raw page: a page whose only status is hidden
	// is empty but still links on.
	resp := e.get("/api/v1/timelines/home?limit=2", alice)
	requireStatus(t, resp, http.StatusOK)
	links := e.links(resp)
	assert.Equal(t, []string{own}, ids(decode[[]any](t, e.validate(resp))))
	assert.Contains(t, links["next"], "max_id="+cats)
	assert.Contains(t, links["prev"], "min_id="+own)

	// Public: the cats filter does not apply there, but is listed.
	pub := byID(e.getList("/api/v1/timelines/public", alice))
	require.Contains(t, pub, cats)
	assert.Equal(t, []string{"Cats:hide"}, filterOf(t, pub[cats]), "every matching filter is listed; clients pick by context")
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, pub[dogs]))
	// Anonymous viewers have no filters.
	anon := byID(e.getList("/api/v1/timelines/public", ""))
	assert.Contains(t, anon, cats)
	_, has := anon[cats]["filtered"]
	assert.False(t, has)

	// Account statuses (account context) and the status itself.
	acct := ids(e.getList("/api/v1/accounts/"+bobAcct.ID.String()+"/statuses", alice))
	assert.NotContains(t, acct, cats)
	assert.Contains(t, acct, dogs)
	one := e.getObj("/api/v1/statuses/"+cats, alice, http.StatusOK)
	assert.Equal(t, []string{"Cats:hide"}, filterOf(t, one), "a status asked for is never hidden")

	// Thread: a hidden reply is left out of the context.
	reply := e.post(bob, "more cats below", "in_reply_to_id", plain)["id"].(string)
	reply2 := e.post(bob, "a fine reply", "in_reply_to_id", plain)["id"].(string)
	c := e.getObj("/api/v1/statuses/"+plain+"/context", alice, http.StatusOK)
	assert.Equal(t, []string{reply2}, ids(c["descendants"].([]any)))
	_ = reply

	// Notifications: a mention matching a hide filter is left out.
	e.post(bob, "@alice look at these cats")
	hello := e.post(bob, "@alice hello")["id"].(string)
	var notified []string
	for _, n := range e.getList("/api/v1/notifications", alice) {
		notified = append(notified, n.(obj)["status"].(obj)["id"].(string))
	}
	assert.Equal(t, []string{hello}, notified)
	grouped := e.getObj("/api/v2/notifications", alice, http.StatusOK)
	assert.Len(t, grouped["notification_groups"], 1)

	// A filtered status matches whatever its text.
	e.postObj("/api/v2/filters/"+warn["id"].(string)+"/statuses", alice, url.Values{"status_id": {plain}}, http.StatusOK)
	m = byID(e.getList("/api/v1/timelines/home", alice))
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, m[plain]))
	sm := m[plain]["filtered"].([]any)[0].(obj)
	assert.Equal(t, []any{plain}, sm["status_matches"])
	assert.Nil(t, sm["keyword_matches"])

	// Boosts are filtered by the boosted status's text.
	boost := e.postObj("/api/v1/statuses/"+dogs+"/reblog", bob, nil, http.StatusOK)["id"].(string)
	m = byID(e.getList("/api/v1/timelines/home", alice))
	require.Contains(t, m, boost)
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, m[boost]))
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, m[boost]["reblog"].(obj)))

	// An expired filter no longer applies.
	e.clock.Advance(2 * time.Minute)
	m = byID(e.getList("/api/v1/timelines/home", alice))
	assert.Empty(t, filterOf(t, m[fish]))
	_ = aliceAcct
}

// TestFiltersStreaming: hide filters keep statuses off a stream, warn
// filters put "filtered" in the payload, and every change of a user's
// filters sends filters_changed to their user stream.
func TestFiltersStreaming(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herd.db"), &sqlite.Options{CheckSharedRecords: true})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	hub := timeline.NewMemoryHub()
	e := &env{t: t, store: st, clock: &clock{t: time.Now().UTC()}}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	e.urls, err = social.NewURLs(e.srv.URL)
	require.NoError(t, err)
	svc := social.New(st, e.urls, &social.Options{Events: streaming.NewPublisher(hub, st, nil)})
	e.api = mastoapi.New(st, svc, e.urls, &mastoapi.Options{Now: e.clock.Now, RateLimit: mastoapi.RateLimit{Disabled: true}})
	auth := streaming.AuthenticatorFunc(func(ctx context.Context, token string) (*storage.Account, []string, error) {
		acct, scopes, err := e.api.StreamAuthenticate(ctx, token)
		if errors.Is(err, mastoapi.ErrInvalidToken) {
			return nil, nil, fmt.Errorf("%w: %v", streaming.ErrInvalidToken, err)
		}
		return acct, scopes, err
	})
	mux.Handle("/api/v1/streaming", streaming.New(hub, auth, apiRenderer{e.api}, &streaming.Options{RenderCacheTTL: -1}))
	mux.Handle("/", e.api)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() { hub.Close() })

	alice, _ := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	e.postObj("/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)

	dial := func(stream string) *websocket.Conn {
		u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/streaming?access_token=" + alice + "&stream=" + stream
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(dctx, u, nil)
		require.NoError(t, err)
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		t.Cleanup(func() { c.CloseNow() })
		return c
	}
	type frame struct {
		Stream  []string `json:"stream"`
		Event   string   `json:"event"`
		Payload *string  `json:"payload"`
	}
	read := func(c *websocket.Conn) frame {
		t.Helper()
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, b, err := c.Read(rctx)
		require.NoError(t, err)
		var f frame
		require.NoError(t, json.Unmarshal(b, &f), "%s", b)
		return f
	}
	user, public := dial("user"), dial("public")
	// Subscriptions are live once a first event arrives: wait for the
	// filters_changed of the first filter.
	e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Cats", "context": []string{"home"},
		"filter_action": "hide", "keywords_attributes": []obj{{"keyword": "cats"}}}, http.StatusOK)
	f := read(user)
	assert.Equal(t, "filters_changed", f.Event)
	assert.Nil(t, f.Payload, "filters_changed has no payload")
	e.sendJSON(http.MethodPost, "/api/v2/filters", alice, obj{"title": "Dogs", "context": []string{"home", "public"},
		"filter_action": "warn", "keywords_attributes": []obj{{"keyword": "dogs"}}}, http.StatusOK)
	assert.Equal(t, "filters_changed", read(user).Event)

	cats := e.post(bob, "cats everywhere")["id"].(string)
	dogs := e.post(bob, "dogs everywhere")["id"].(string)

	// The user stream skips the hidden status; the warned one carries
	// "filtered".
	f = read(user)
	require.Equal(t, "update", f.Event)
	var got obj
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &got))
	assert.Equal(t, dogs, got["id"])
	assert.Equal(t, []string{"Dogs:warn"}, filterOf(t, got))

	// The public stream has both: the cats filter is for home only.
	f = read(public)
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &got))
	assert.Equal(t, cats, got["id"])
	assert.Equal(t, []string{"Cats:hide"}, filterOf(t, got))
	f = read(public)
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &got))
	assert.Equal(t, dogs, got["id"])

	// Deleting a filter changes the filters too.
	list := e.getList("/api/v2/filters", alice)
	e.call(http.MethodDelete, "/api/v2/filters/"+list[0].(obj)["id"].(string), alice, nil, http.StatusOK)
	assert.Equal(t, "filters_changed", read(user).Event)
	more := e.post(bob, "cats again")["id"].(string)
	f = read(user)
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &got))
	assert.Equal(t, more, got["id"], "no longer hidden")
}

// apiRenderer renders streamed references with the API, as herd serve does.
type apiRenderer struct{ api *mastoapi.API }

func (r apiRenderer) RenderStatus(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.api.RenderStatusJSON(ctx, viewer, id)
}

func (r apiRenderer) RenderStatusIn(ctx context.Context, viewer *storage.Account, id storage.ID, c storage.FilterContext) ([]byte, error) {
	return r.api.RenderStatusJSONIn(ctx, viewer, id, c)
}

func (r apiRenderer) RenderNotification(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.api.RenderNotificationJSON(ctx, viewer, id)
}
