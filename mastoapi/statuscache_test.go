package mastoapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
)

// TestStatusCacheSameBytes serves timelines through the API (whose
// timelines splice each viewer's state into statuses rendered once) and
// through a second API on the same store with the cache turned off, and
// requires byte-identical answers — before and after the statuses, their
// authors and the viewer's state change.
func TestStatusCacheSameBytes(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.RateLimit.Disabled = true })
	alice, _ := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	carol, _ := e.userToken("carol", "read write follow")
	aliceID := e.getObj("/api/v1/accounts/verify_credentials", alice, http.StatusOK)["id"].(string)
	carolID := e.getObj("/api/v1/accounts/verify_credentials", carol, http.StatusOK)["id"].(string)
	e.postObj("/api/v1/accounts/"+aliceID+"/follow", bob, nil, http.StatusOK)
	e.postObj("/api/v1/accounts/"+carolID+"/follow", bob, nil, http.StatusOK)

	var ids []string
	for i := range 12 {
		extra := []string{}
		if i%4 == 1 && len(ids) > 0 {
			extra = append(extra, "in_reply_to_id", ids[len(ids)-1])
		}
		if i%5 == 2 {
			extra = append(extra, "spoiler_text", "cw <b>&</b>", "sensitive", "true")
		}
		tok := alice
		if i%2 == 1 {
			tok = carol
		}
		ids = append(ids, e.post(tok, "post <3 & \"quotes\" #tag @bob "+string(rune('a'+i)), extra...)["id"].(string))
	}
	e.post(alice, "a poll", "poll[options][]", "yes", "poll[options][]", "no", "poll[expires_in]", "3600")
	e.post(bob, "bob's own post")
	e.postObj("/api/v1/statuses/"+ids[1]+"/reblog", alice, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+ids[2]+"/reblog", carol, nil, http.StatusOK)

	targets := []struct{ path, token string }{
		{"/api/v1/timelines/home?limit=40", bob},
		{"/api/v1/timelines/home?limit=5", bob},
		{"/api/v1/timelines/public?local=true", bob},
		{"/api/v1/timelines/public?local=true", ""},
		{"/api/v1/timelines/public", alice},
		{"/api/v1/timelines/tag/tag", bob},
		{"/api/v1/accounts/" + aliceID + "/statuses", bob},
		{"/api/v1/accounts/" + aliceID + "/statuses", alice},
	}
	same := func(step string) {
		t.Helper()
		// A new API each time: its own caches (keyword filters) are fresh.
		plain := mastoapi.New(e.store, social.New(e.store, e.urls, nil), e.urls,
			&mastoapi.Options{Now: e.clock.Now, RateLimit: mastoapi.RateLimit{Disabled: true}, StatusCacheSize: -1})
		for _, tg := range targets {
			for range 2 { // the second answer comes from the cache
				got := serve(t, e.api, tg.path, tg.token)
				want := serve(t, plain, tg.path, tg.token)
				require.Equal(t, want.Header().Get("Link"), got.Header().Get("Link"), "%s: %s", step, tg.path)
				require.Equal(t, want.Body.String(), got.Body.String(), "%s: %s as %q", step, tg.path, tg.token)
			}
		}
	}
	same("fresh")

	// The viewer's state: favourites, boosts, bookmarks, a muted thread.
	e.postObj("/api/v1/statuses/"+ids[0]+"/favourite", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+ids[1]+"/favourite", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+ids[2]+"/bookmark", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+ids[3]+"/reblog", bob, nil, http.StatusOK)
	e.postObj("/api/v1/statuses/"+ids[4]+"/mute", bob, nil, http.StatusOK)
	same("viewer state")

	// Counters, an edit, a profile change, a deleted parent.
	e.postObj("/api/v1/statuses/"+ids[5]+"/favourite", alice, nil, http.StatusOK)
	e.call(http.MethodPut, "/api/v1/statuses/"+ids[6], alice, url.Values{"status": {"edited <i>text</i>"}}, http.StatusOK)
	e.call(http.MethodPatch, "/api/v1/accounts/update_credentials", carol, url.Values{"display_name": {"Carol <New>"}}, http.StatusOK)
	e.call(http.MethodDelete, "/api/v1/statuses/"+ids[4], alice, nil, http.StatusOK)
	e.post(carol, "another one")
	same("records changed")

	// A keyword filter: every status is then rendered in full for bob.
	e.call(http.MethodPost, "/api/v2/filters", bob, url.Values{"title": {"f"}, "context[]": {"home", "public"},
		"filter_action": {"warn"}, "keywords_attributes[][keyword]": {"post"}}, http.StatusOK)
	same("filters")
}

func serve(t *testing.T, h http.Handler, path, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
	return rec
}
