package mastoapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")

	st := e.post(alice, "Hello #Herd world", "spoiler_text", "cw", "language", "en", "visibility", "public")
	id := st["id"].(string)
	assert.Regexp(t, `^\d+$`, id)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, st["created_at"])
	assert.Contains(t, st["content"], `#<span>Herd</span>`)
	assert.Equal(t, "cw", st["spoiler_text"])
	assert.Equal(t, true, st["sensitive"], "a content warning makes it sensitive")
	assert.Equal(t, "en", st["language"])
	assert.Equal(t, "public", st["visibility"])
	assert.Equal(t, aliceAcct.ID.String(), st["account"].(obj)["id"])
	assert.Equal(t, "Test App", st["application"].(obj)["name"])
	assert.Equal(t, []any{map[string]any{"name": "herd", "url": e.srv.URL + "/tags/herd"}}, st["tags"])
	assert.Equal(t, []any{}, st["media_attachments"])
	assert.Equal(t, []any{}, st["filtered"])
	assert.Equal(t, false, st["favourited"])
	assert.Equal(t, false, st["pinned"], "own statuses show pinned")
	requireHasKey(t, st, "card", "poll", "reblog", "in_reply_to_id", "edited_at", "quote", "url")
	assert.NotContains(t, st, "text", "text only after a delete")

	// Anonymous viewers see no viewer state.
	anon := e.getObj("/api/v1/statuses/"+id, "", http.StatusOK)
	for _, k := range []string{"favourited", "reblogged", "bookmarked", "muted", "pinned", "filtered"} {
		assert.NotContains(t, anon, k)
	}
	other := e.getObj("/api/v1/statuses/"+id, bob, http.StatusOK)
	assert.NotContains(t, other, "pinned", "pinned is shown on one's own statuses only")

	// Reply and thread.
	reply := e.post(bob, "@alice indeed", "in_reply_to_id", id)
	assert.Equal(t, id, reply["in_reply_to_id"])
	assert.Equal(t, aliceAcct.ID.String(), reply["in_reply_to_account_id"])
	assert.Len(t, reply["mentions"], 1)
	ctx := e.getObj("/api/v1/statuses/"+id+"/context", "", http.StatusOK)
	assert.Equal(t, []string{reply["id"].(string)}, ids(ctx["descendants"].([]any)))
	ctx = e.getObj("/api/v1/statuses/"+reply["id"].(string)+"/context", bob, http.StatusOK)
	assert.Equal(t, []string{id}, ids(ctx["ancestors"].([]any)))
	assert.Empty(t, ctx["descendants"])
	assert.EqualValues(t, 1, e.getObj("/api/v1/statuses/"+id, "", http.StatusOK)["replies_count"])

	// Actions.
	s := e.postObj("/api/v1/statuses/"+id+"/favourite", bob, nil, http.StatusOK)
	assert.Equal(t, true, s["favourited"])
	assert.EqualValues(t, 1, s["favourites_count"])
	s = e.postObj("/api/v1/statuses/"+id+"/reblog", bob, nil, http.StatusOK)
	require.NotNil(t, s["reblog"])
	assert.Equal(t, id, s["reblog"].(obj)["id"])
	assert.Equal(t, true, s["reblog"].(obj)["reblogged"])
	assert.Equal(t, true, s["reblogged"])
	assert.EqualValues(t, 1, s["reblog"].(obj)["reblogs_count"])
	boostID := s["id"].(string)
	s = e.postObj("/api/v1/statuses/"+id+"/bookmark", bob, nil, http.StatusOK)
	assert.Equal(t, true, s["bookmarked"])
	s = e.postObj("/api/v1/statuses/"+id+"/mute", bob, nil, http.StatusOK)
	assert.Equal(t, true, s["muted"])
	s = e.postObj("/api/v1/statuses/"+id+"/unmute", bob, nil, http.StatusOK)
	assert.Equal(t, false, s["muted"])
	s = e.postObj("/api/v1/statuses/"+id+"/pin", alice, nil, http.StatusOK)
	assert.Equal(t, true, s["pinned"])
	assert.Contains(t, e.errorOf(http.MethodPost, "/api/v1/statuses/"+id+"/pin", bob, nil, http.StatusUnprocessableEntity), "Validation failed")
	s = e.getObj("/api/v1/statuses/"+id, bob, http.StatusOK)
	assert.Equal(t, true, s["favourited"])
	assert.Equal(t, true, s["reblogged"])
	assert.Equal(t, true, s["bookmarked"])

	favBy := e.getList("/api/v1/statuses/"+id+"/favourited_by", "")
	assert.Equal(t, []string{"bob"}, usernames(favBy))
	assert.Equal(t, []string{"bob"}, usernames(e.getList("/api/v1/statuses/"+id+"/reblogged_by", "")))
	assert.Len(t, e.getList("/api/v1/bookmarks", bob), 1)
	assert.Len(t, e.getList("/api/v1/favourites", bob), 1)
	assert.Len(t, e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/statuses?pinned=true", ""), 1)

	// The boost's ID acts on the boosted status too.
	s = e.postObj("/api/v1/statuses/"+boostID+"/unfavourite", bob, nil, http.StatusOK)
	assert.Equal(t, id, s["id"])
	assert.Equal(t, false, s["favourited"])
	s = e.postObj("/api/v1/statuses/"+id+"/unreblog", bob, nil, http.StatusOK)
	assert.Equal(t, false, s["reblogged"])
	assert.EqualValues(t, 0, s["reblogs_count"])
	e.postObj("/api/v1/statuses/"+id+"/unbookmark", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+id+"/unpin", alice, nil, http.StatusOK)
	assert.Empty(t, e.getList("/api/v1/bookmarks", bob))

	// Edit, history, source.
	edited := e.call(http.MethodPut, "/api/v1/statuses/"+id, alice, url.Values{"status": {"Hello again"}}, http.StatusOK).(obj)
	assert.Equal(t, "<p>Hello again</p>", edited["content"])
	assert.NotNil(t, edited["edited_at"])
	assert.Equal(t, "cw", edited["spoiler_text"], "absent parameters keep their value")
	hist := e.getList("/api/v1/statuses/"+id+"/history", "")
	require.Len(t, hist, 2)
	assert.Contains(t, hist[0].(obj)["content"], "Hello")
	assert.Equal(t, "<p>Hello again</p>", hist[1].(obj)["content"])
	src := e.getObj("/api/v1/statuses/"+id+"/source", alice, http.StatusOK)
	assert.Equal(t, obj{"id": id, "text": "Hello again", "spoiler_text": "cw"}, src)
	assert.Equal(t, "This action is not allowed", e.errorOf(http.MethodPut, "/api/v1/statuses/"+id, bob, url.Values{"status": {"x"}}, http.StatusForbidden))
	e.errorOf(http.MethodGet, "/api/v1/statuses/"+id+"/source", bob, nil, http.StatusForbidden)

	// GET /api/v1/statuses?id[]=
	list := e.getList("/api/v1/statuses?id[]="+id+"&id[]="+reply["id"].(string)+"&id[]=999&id[]=x", "")
	assert.Equal(t, []string{id, reply["id"].(string)}, ids(list))

	// Delete answers the status with its source, for redrafting.
	assert.Equal(t, "This action is not allowed", e.errorOf(http.MethodDelete, "/api/v1/statuses/"+id, bob, nil, http.StatusForbidden))
	del := e.call(http.MethodDelete, "/api/v1/statuses/"+id, alice, nil, http.StatusOK).(obj)
	assert.Equal(t, "Hello again", del["text"])
	assert.Equal(t, id, del["id"])
	assert.Equal(t, "Record not found", e.errorOf(http.MethodGet, "/api/v1/statuses/"+id, alice, nil, http.StatusNotFound))
	e.errorOf(http.MethodDelete, "/api/v1/statuses/"+id, alice, nil, http.StatusNotFound)
}

func usernames(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, x.(obj)["username"].(string))
	}
	return out
}

func TestStatusErrors(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	app := e.registerApp("read write follow push profile")
	readOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken
	favOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "write:favourites").AccessToken

	for _, tc := range []struct {
		name   string
		token  string
		vs     url.Values
		status int
		msg    string
	}{
		{"no token", "", url.Values{"status": {"x"}}, 401, "The access token is invalid"},
		{"read-only token", readOnly, url.Values{"status": {"x"}}, 403, "This action is outside the authorized scopes"},
		{"other scope", favOnly, url.Values{"status": {"x"}}, 403, "This action is outside the authorized scopes"},
		{"blank", alice, url.Values{"status": {"  "}}, 422, "Validation failed: Text can't be blank"},
		{"too long", alice, url.Values{"status": {strings.Repeat("a", 501)}}, 422, "Validation failed: Text character limit of 500 exceeded"},
		{"bad visibility", alice, url.Values{"status": {"x"}, "visibility": {"everyone"}}, 422, "Validation failed: Visibility must be public, unlisted, private or direct"},
		{"bad language", alice, url.Values{"status": {"x"}, "language": {"english!"}}, 422, "Validation failed: Language is not a valid language code"},
		{"scheduled too soon", alice, url.Values{"status": {"x"}, "scheduled_at": {time.Now().Add(time.Minute).Format(time.RFC3339)}}, 422, "Scheduled time must be at least 5 minutes in the future"},
		{"scheduled bad date", alice, url.Values{"status": {"x"}, "scheduled_at": {"tomorrow"}}, 422, "Validation failed: Scheduled at is not a valid date"},
		{"poll with one option", alice, url.Values{"status": {"x"}, "poll[options][]": {"a"}, "poll[expires_in]": {"600"}}, 422, "Validation failed: Poll options must have more than one item"},
		{"media", alice, url.Values{"status": {"x"}, "media_ids[]": {"123"}}, 422, "Validation failed: Media attachments are invalid"},
		{"bad reply id", alice, url.Values{"status": {"x"}, "in_reply_to_id": {"abc"}}, 422, "Validation failed: in_reply_to_id is not a valid id"},
		{"unknown reply", alice, url.Values{"status": {"x"}, "in_reply_to_id": {"12345"}}, 404, "The post you are trying to reply to does not appear to exist."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.msg, e.errorOf(http.MethodPost, "/api/v1/statuses", tc.token, tc.vs, tc.status))
		})
	}
	// 500 characters are fine, and URLs count 23.
	e.post(alice, strings.Repeat("a", 500))
	e.post(alice, strings.Repeat("a", 470)+" https://example.com/"+strings.Repeat("x", 100))

	e.errorOf(http.MethodGet, "/api/v1/statuses/123", "", nil, http.StatusNotFound)
	e.errorOf(http.MethodGet, "/api/v1/statuses/123/context", "", nil, http.StatusNotFound)
	e.errorOf(http.MethodPost, "/api/v1/statuses/123/favourite", alice, nil, http.StatusNotFound)
	e.errorOf(http.MethodPost, "/api/v1/statuses/123/favourite", "", nil, http.StatusUnauthorized)
	e.errorOf(http.MethodPost, "/api/v1/statuses/123/favourite", readOnly, nil, http.StatusForbidden)
	assert.Empty(t, e.getList("/api/v1/statuses?id[]="+strings.Repeat("1&id[]=", 41)+"1", ""))
}

func TestStatusJSONAndIdempotency(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	resp := e.postJSON("/api/v1/statuses", map[string]any{"status": "json post", "sensitive": true, "visibility": "unlisted", "media_ids": []string{}}, alice)
	requireStatus(t, resp, http.StatusOK)
	st := decode[obj](t, e.validate(resp))
	assert.Equal(t, true, st["sensitive"])
	assert.Equal(t, "unlisted", st["visibility"])

	post := func() string {
		resp := e.do(request{method: http.MethodPost, path: "/api/v1/statuses", body: strings.NewReader("status=once"),
			ctype: "application/x-www-form-urlencoded", token: alice, header: map[string]string{"Idempotency-Key": "abc"}})
		requireStatus(t, resp, http.StatusOK)
		return decode[obj](t, resp)["id"].(string)
	}
	first := post()
	assert.Equal(t, first, post(), "a retried post is not posted twice")
	me := e.getObj("/api/v1/accounts/verify_credentials", alice, http.StatusOK)
	assert.EqualValues(t, 2, me["statuses_count"])
}

func TestVisibilityThroughAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	carol, _ := e.userToken("carol", "read write follow")
	e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/follow", bob, nil, http.StatusOK)

	private := e.post(alice, "followers only", "visibility", "private")["id"].(string)
	direct := e.post(alice, "@carol psst", "visibility", "direct")["id"].(string)
	public := e.post(alice, "for all")["id"].(string)

	for _, tok := range []string{"", carol} {
		e.errorOf(http.MethodGet, "/api/v1/statuses/"+private, tok, nil, http.StatusNotFound)
		e.errorOf(http.MethodGet, "/api/v1/statuses/"+private+"/context", tok, nil, http.StatusNotFound)
		e.errorOf(http.MethodGet, "/api/v1/statuses/"+private+"/favourited_by", tok, nil, http.StatusNotFound)
	}
	e.errorOf(http.MethodPost, "/api/v1/statuses/"+private+"/favourite", carol, nil, http.StatusNotFound)
	e.getObj("/api/v1/statuses/"+private, bob, http.StatusOK)
	e.errorOf(http.MethodGet, "/api/v1/statuses/"+direct, bob, nil, http.StatusNotFound)
	e.getObj("/api/v1/statuses/"+direct, carol, http.StatusOK)
	// Reblogging a private status of someone else is forbidden.
	e.errorOf(http.MethodPost, "/api/v1/statuses/"+private+"/reblog", bob, nil, http.StatusForbidden)

	assert.Equal(t, []string{public}, ids(e.getList("/api/v1/timelines/public", carol)))
	assert.Equal(t, []string{public}, ids(e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/statuses", carol)))
	assert.Equal(t, []string{public, private}, ids(e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/statuses", bob)))
	assert.Equal(t, []string{public, direct, private}, ids(e.getList("/api/v1/accounts/"+aliceAcct.ID.String()+"/statuses", alice)))
	assert.Equal(t, []string{public, private}, ids(e.getList("/api/v1/timelines/home", bob)))
	list := e.getList("/api/v1/statuses?id[]="+private+"&id[]="+public, carol)
	assert.Equal(t, []string{public}, ids(list))
}
