package mastoapi_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
)

func TestFollowsAndRelationships(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	aliceID, bobID, carolID := aliceAcct.ID.String(), bobAcct.ID.String(), carolAcct.ID.String()
	e.call(http.MethodPatch, "/api/v1/accounts/update_credentials", bob, url.Values{"locked": {"true"}}, http.StatusOK)

	// A locked account gets a request.
	rel := e.postObj("/api/v1/accounts/"+bobID+"/follow", alice, url.Values{"reblogs": {"false"}, "notify": {"true"}, "languages[]": {"en", "de"}}, http.StatusOK)
	assert.Equal(t, bobID, rel["id"])
	assert.Equal(t, false, rel["following"])
	assert.Equal(t, true, rel["requested"])
	assert.Equal(t, false, rel["showing_reblogs"])
	assert.Equal(t, true, rel["notifying"])
	requireHasKey(t, rel, "blocked_by", "domain_blocking", "endorsed", "muting_notifications", "note", "requested_by", "languages", "muting_expires_at")
	reqs := e.getList("/api/v1/follow_requests", bob)
	assert.Equal(t, []string{"alice"}, usernames(reqs))
	me := e.getObj("/api/v1/accounts/verify_credentials", bob, http.StatusOK)
	assert.EqualValues(t, 1, me["source"].(obj)["follow_requests_count"])
	rel = e.postObj("/api/v1/follow_requests/"+aliceID+"/authorize", bob, nil, http.StatusOK)
	assert.Equal(t, aliceID, rel["id"])
	assert.Equal(t, true, rel["followed_by"])
	e.errorOf(http.MethodPost, "/api/v1/follow_requests/"+aliceID+"/authorize", bob, nil, http.StatusNotFound)
	assert.Empty(t, e.getList("/api/v1/follow_requests", bob))

	rels := e.getList("/api/v1/accounts/relationships?id[]="+bobID+"&id[]="+carolID+"&id[]=999", alice)
	require.Len(t, rels, 2)
	assert.Equal(t, true, rels[0].(obj)["following"])
	assert.Equal(t, []any{"en", "de"}, rels[0].(obj)["languages"])
	assert.Equal(t, false, rels[1].(obj)["following"])
	assert.Nil(t, rels[1].(obj)["languages"])

	// Carol follows bob too (rejected first, then accepted), and alice.
	e.postObj("/api/v1/accounts/"+bobID+"/follow", carol, nil, http.StatusOK)
	rel = e.postObj("/api/v1/follow_requests/"+carolID+"/reject", bob, nil, http.StatusOK)
	assert.Equal(t, false, rel["followed_by"])
	assert.Equal(t, false, rel["requested_by"])
	e.postObj("/api/v1/accounts/"+bobID+"/follow", carol, nil, http.StatusOK)
	e.postObj("/api/v1/follow_requests/"+carolID+"/authorize", bob, nil, http.StatusOK)
	rel = e.postObj("/api/v1/accounts/"+aliceID+"/follow", carol, nil, http.StatusOK)
	assert.Equal(t, true, rel["following"], "alice is not locked")
	assert.Equal(t, true, rel["showing_reblogs"])

	followers, links := e.page("/api/v1/accounts/"+bobID+"/followers?limit=1", "")
	assert.Len(t, followers, 1)
	require.Contains(t, links, "next")
	more, _ := e.page(links["next"], "")
	assert.Len(t, more, 1)
	assert.Equal(t, []string{"alice", "bob"}, usernames(e.getList("/api/v1/accounts/"+carolID+"/following", "")))
	// Who alice follows among bob's followers: carol does not count (alice does not follow her).
	ff := e.getList("/api/v1/accounts/familiar_followers?id[]="+bobID, alice)
	assert.Equal(t, []any{obj{"id": bobID, "accounts": []any{}}}, ff)
	e.postObj("/api/v1/accounts/"+carolID+"/follow", alice, nil, http.StatusOK)
	ff = e.getList("/api/v1/accounts/familiar_followers?id[]="+bobID, alice)
	assert.Equal(t, []string{"carol"}, usernames(ff[0].(obj)["accounts"].([]any)))

	// Remove from followers, unfollow.
	rel = e.postObj("/api/v1/accounts/"+carolID+"/remove_from_followers", bob, nil, http.StatusOK)
	assert.Equal(t, false, rel["followed_by"])
	rel = e.postObj("/api/v1/accounts/"+bobID+"/unfollow", alice, nil, http.StatusOK)
	assert.Equal(t, false, rel["following"])

	// Blocks.
	rel = e.postObj("/api/v1/accounts/"+carolID+"/block", alice, nil, http.StatusOK)
	assert.Equal(t, true, rel["blocking"])
	assert.Equal(t, false, rel["following"], "a block ends follows")
	assert.Equal(t, []string{"carol"}, usernames(e.getList("/api/v1/blocks", alice)))
	assert.Equal(t, true, e.getList("/api/v1/accounts/relationships?id[]="+aliceID, carol)[0].(obj)["blocked_by"])
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+aliceID+"/follow", carol, nil, http.StatusForbidden)
	rel = e.postObj("/api/v1/accounts/"+carolID+"/unblock", alice, nil, http.StatusOK)
	assert.Equal(t, false, rel["blocking"])
	assert.Empty(t, e.getList("/api/v1/blocks", alice))

	// Mutes with a duration.
	rel = e.postObj("/api/v1/accounts/"+bobID+"/mute", alice, url.Values{"notifications": {"false"}, "duration": {"3600"}}, http.StatusOK)
	assert.Equal(t, true, rel["muting"])
	assert.Equal(t, false, rel["muting_notifications"])
	assert.NotNil(t, rel["muting_expires_at"])
	mutes := e.getList("/api/v1/mutes", alice)
	require.Len(t, mutes, 1)
	assert.NotNil(t, mutes[0].(obj)["mute_expires_at"])
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+bobID+"/mute", alice, url.Values{"duration": {"-1"}}, http.StatusUnprocessableEntity)
	rel = e.postObj("/api/v1/accounts/"+bobID+"/unmute", alice, nil, http.StatusOK)
	assert.Equal(t, false, rel["muting"])

	// Private notes.
	rel = e.postObj("/api/v1/accounts/"+bobID+"/note", alice, url.Values{"comment": {"met at a conference"}}, http.StatusOK)
	assert.Equal(t, "met at a conference", rel["note"])

	// Domain blocks.
	e.postObj("/api/v1/domain_blocks", alice, url.Values{"domain": {"spam.example"}}, http.StatusOK)
	e.postObj("/api/v1/domain_blocks", alice, url.Values{"domain": {"b.example"}}, http.StatusOK)
	got := e.call(http.MethodGet, "/api/v1/domain_blocks", alice, nil, http.StatusOK)
	assert.ElementsMatch(t, []any{"spam.example", "b.example"}, got)
	e.errorOf(http.MethodPost, "/api/v1/domain_blocks", alice, url.Values{"domain": {"not a domain"}}, http.StatusUnprocessableEntity)
	e.call(http.MethodDelete, "/api/v1/domain_blocks", alice, url.Values{"domain": {"spam.example"}}, http.StatusOK)
	assert.Equal(t, []any{"b.example"}, e.call(http.MethodGet, "/api/v1/domain_blocks", alice, nil, http.StatusOK))

	// Errors.
	e.errorOf(http.MethodPost, "/api/v1/accounts/999/follow", alice, nil, http.StatusNotFound)
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+aliceID+"/follow", alice, nil, http.StatusForbidden)
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+bobID+"/follow", "", nil, http.StatusUnauthorized)
	e.errorOf(http.MethodGet, "/api/v1/accounts/relationships?id[]="+bobID, "", nil, http.StatusUnauthorized)
	app := e.registerApp("read write follow push profile")
	readOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "read").AccessToken
	e.errorOf(http.MethodPost, "/api/v1/accounts/"+bobID+"/follow", readOnly, nil, http.StatusForbidden)
	followOnly := e.passwordToken(app, "alice@example.com", "correct horse battery", "follow").AccessToken
	e.postObj("/api/v1/accounts/"+bobID+"/block", followOnly, nil, http.StatusOK)

	// Startup listings that start empty.
	for _, p := range []string{"/api/v1/endorsements", "/api/v1/featured_tags", "/api/v1/followed_tags",
		"/api/v1/accounts/" + bobID + "/featured_tags", "/api/v1/accounts/" + bobID + "/lists"} {
		assert.Empty(t, e.getList(p, alice), p)
	}
	tag := e.getObj("/api/v1/tags/Herd", alice, http.StatusOK)
	assert.Equal(t, "herd", tag["name"])
	assert.Equal(t, false, tag["following"])
	assert.Equal(t, mastoapi.TagID("herd"), tag["id"])
}

func TestUpdateCredentials(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	me := e.call(http.MethodPatch, "/api/v1/accounts/update_credentials", alice, url.Values{
		"display_name": {"Alice A."}, "note": {"Hi, I'm #alice"}, "bot": {"1"}, "discoverable": {"false"},
		"fields_attributes[0][name]": {"Site"}, "fields_attributes[0][value]": {"https://alice.example"},
		"fields_attributes[1][name]": {"Pronouns"}, "fields_attributes[1][value]": {"she/her"},
		"source[privacy]": {"unlisted"}, "source[sensitive]": {"true"}, "source[language]": {"fr"},
	}, http.StatusOK).(obj)
	assert.Equal(t, "Alice A.", me["display_name"])
	assert.Contains(t, me["note"], "<p>Hi, I&#39;m")
	assert.Equal(t, true, me["bot"])
	assert.Equal(t, false, me["discoverable"])
	fields := me["fields"].([]any)
	require.Len(t, fields, 2)
	assert.Contains(t, fields[0].(obj)["value"], `href="https://alice.example"`)
	src := me["source"].(obj)
	assert.Equal(t, "unlisted", src["privacy"])
	assert.Equal(t, true, src["sensitive"])
	assert.Equal(t, "fr", src["language"])
	assert.Equal(t, "Hi, I'm #alice", src["note"])
	assert.Equal(t, "https://alice.example", src["fields"].([]any)[0].(obj)["value"])
	// The default visibility applies to new statuses.
	assert.Equal(t, "unlisted", e.post(alice, "x")["visibility"])

	// JSON works too.
	b := []byte(`{"display_name":"JSON Alice","locked":true,"fields_attributes":[{"name":"a","value":"b"}]}`)
	resp := e.do(request{method: http.MethodPatch, path: "/api/v1/accounts/update_credentials", body: bytes.NewReader(b), ctype: "application/json", token: alice})
	requireStatus(t, resp, http.StatusOK)
	me = decode[obj](t, e.validate(resp))
	assert.Equal(t, "JSON Alice", me["display_name"])
	assert.Equal(t, true, me["locked"])
	assert.Len(t, me["fields"], 1)

	// Multipart; image uploads wait for media.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("display_name", "Multi"))
	fw, err := mw.CreateFormFile("avatar", "a.png")
	require.NoError(t, err)
	_, _ = fw.Write([]byte("\x89PNG"))
	require.NoError(t, mw.Close())
	resp = e.do(request{method: http.MethodPatch, path: "/api/v1/accounts/update_credentials", body: &buf, ctype: mw.FormDataContentType(), token: alice})
	requireStatus(t, resp, http.StatusUnprocessableEntity)

	for _, vs := range []url.Values{
		{"display_name": {"0123456789012345678901234567890"}},
		{"source[privacy]": {"everyone"}},
		{"fields_attributes[0][name]": {"1"}, "fields_attributes[1][name]": {"2"}, "fields_attributes[2][name]": {"3"}, "fields_attributes[3][name]": {"4"}, "fields_attributes[4][name]": {"5"}},
	} {
		e.errorOf(http.MethodPatch, "/api/v1/accounts/update_credentials", alice, vs, http.StatusUnprocessableEntity)
	}
	e.errorOf(http.MethodPatch, "/api/v1/accounts/update_credentials", "", url.Values{"display_name": {"x"}}, http.StatusUnauthorized)
}
