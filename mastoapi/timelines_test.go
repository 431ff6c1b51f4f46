package mastoapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var linkRE = regexp.MustCompile(`<([^>]+)>; rel="(next|prev)"`)

// links parses a Link header into rel → path?query (relative to the server).
func (e *env) links(resp *http.Response) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(resp.Header.Get("Link"), -1) {
		require.Regexp(e.t, "^"+regexp.QuoteMeta(e.srv.URL), m[1], "links are absolute")
		out[m[2]] = m[1][len(e.srv.URL):]
	}
	return out
}

// page fetches a listing and returns its IDs and links.
func (e *env) page(path, token string) ([]string, map[string]string) {
	e.t.Helper()
	resp := e.get(path, token)
	requireStatus(e.t, resp, http.StatusOK)
	e.validate(resp)
	return ids(decode[[]any](e.t, resp)), e.links(resp)
}

func TestHomeTimelinePagination(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	e.postObj("/api/v1/accounts/"+aliceAcct.ID.String()+"/follow", bob, nil, http.StatusOK)
	var posted []string
	for i := 0; i < 5; i++ {
		posted = append([]string{e.post(alice, "post "+string(rune('a'+i)))["id"].(string)}, posted...)
	}
	// posted is newest first: p4 p3 p2 p1 p0.
	got, links := e.page("/api/v1/timelines/home?limit=2", bob)
	assert.Equal(t, posted[:2], got)
	require.Contains(t, links, "next")
	require.Contains(t, links, "prev")
	assert.Contains(t, links["next"], "max_id="+posted[1])
	assert.Contains(t, links["next"], "limit=2")
	assert.Contains(t, links["prev"], "min_id="+posted[0])

	got, links = e.page(links["next"], bob)
	assert.Equal(t, posted[2:4], got)
	got, last := e.page(links["next"], bob)
	assert.Equal(t, posted[4:], got)
	assert.NotContains(t, last, "next", "a short page is the last")

	// Backwards from the oldest with min_id: the statuses just above it.
	got, links = e.page("/api/v1/timelines/home?limit=2&min_id="+posted[4], bob)
	assert.Equal(t, posted[2:4], got)
	got, _ = e.page(links["prev"], bob)
	assert.Equal(t, posted[0:2], got)
	// since_id gives the newest.
	got, _ = e.page("/api/v1/timelines/home?limit=2&since_id="+posted[4], bob)
	assert.Equal(t, posted[0:2], got)
	got, links = e.page("/api/v1/timelines/home?since_id="+posted[0], bob)
	assert.Empty(t, got)
	assert.Empty(t, links)

	e.errorOf(http.MethodGet, "/api/v1/timelines/home", "", nil, http.StatusUnauthorized)
	e.errorOf(http.MethodGet, "/api/v1/timelines/home?max_id=abc", bob, nil, http.StatusUnprocessableEntity)
	e.errorOf(http.MethodGet, "/api/v1/timelines/home?limit=x", bob, nil, http.StatusUnprocessableEntity)
	// Limits beyond the maximum are clamped.
	got, _ = e.page("/api/v1/timelines/home?limit=1000", bob)
	assert.Len(t, got, 5)
}

func TestPublicTagAndAccountTimelines(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	a1 := e.post(alice, "#cats and #dogs")["id"].(string)
	a2 := e.post(alice, "#cats only")["id"].(string)
	unlisted := e.post(alice, "#cats quietly", "visibility", "unlisted")["id"].(string)
	reply := e.post(alice, "self reply", "in_reply_to_id", a1)["id"].(string)
	boost := e.postObj("/api/v1/statuses/"+a2+"/reblog", alice, nil, http.StatusOK)["id"].(string)
	b1 := e.post(bob, "bob's #Dogs")["id"].(string)

	got, _ := e.page("/api/v1/timelines/public", "")
	assert.Equal(t, []string{b1, reply, a2, a1}, got)
	got, _ = e.page("/api/v1/timelines/public?local=true&limit=2", "")
	assert.Equal(t, []string{b1, reply}, got)
	got, _ = e.page("/api/v1/timelines/public?remote=true", "")
	assert.Empty(t, got)

	got, _ = e.page("/api/v1/timelines/tag/cats", "")
	assert.Equal(t, []string{a2, a1}, got)
	got, _ = e.page("/api/v1/timelines/tag/cats?any[]=dogs", "")
	assert.Equal(t, []string{b1, a2, a1}, got)
	got, _ = e.page("/api/v1/timelines/tag/cats?all[]=dogs", "")
	assert.Equal(t, []string{a1}, got)
	got, _ = e.page("/api/v1/timelines/tag/cats?none[]=dogs", "")
	assert.Equal(t, []string{a2}, got)
	got, _ = e.page("/api/v1/timelines/tag/DOGS?local=1", bob)
	assert.Equal(t, []string{b1, a1}, got)

	acct := "/api/v1/accounts/" + aliceAcct.ID.String() + "/statuses"
	got, _ = e.page(acct, "")
	assert.Equal(t, []string{boost, reply, unlisted, a2, a1}, got)
	got, _ = e.page(acct+"?exclude_reblogs=true", "")
	assert.Equal(t, []string{reply, unlisted, a2, a1}, got)
	// Self-replies (threads) stay, as on Mastodon.
	got, _ = e.page(acct+"?exclude_replies=true&exclude_reblogs=1", "")
	assert.Equal(t, []string{reply, unlisted, a2, a1}, got)
	other := e.post(alice, "@bob hi", "in_reply_to_id", b1)["id"].(string)
	got, _ = e.page(acct+"?exclude_replies=true&exclude_reblogs=1&limit=1", "")
	assert.Equal(t, []string{reply}, got)
	got, _ = e.page(acct+"?limit=1", "")
	assert.Equal(t, []string{other}, got)
	got, _ = e.page(acct+"?tagged=cats", "")
	assert.Equal(t, []string{unlisted, a2, a1}, got)
	got, _ = e.page(acct+"?only_media=true", "")
	assert.Empty(t, got)
	got, links := e.page(acct+"?limit=2&max_id="+other, "")
	assert.Equal(t, []string{boost, reply}, got)
	got, _ = e.page(links["next"], "")
	assert.Equal(t, []string{unlisted, a2}, got)
	e.errorOf(http.MethodGet, "/api/v1/accounts/999/statuses", "", nil, http.StatusNotFound)

	// The boost renders the boosted status inside.
	st := e.getObj("/api/v1/statuses/"+boost, "", http.StatusOK)
	assert.Equal(t, a2, st["reblog"].(obj)["id"])
	assert.Equal(t, "", st["content"])

	// Lists do not exist yet; conversations are empty.
	e.errorOf(http.MethodGet, "/api/v1/timelines/list/1", bob, nil, http.StatusNotFound)
	assert.Empty(t, e.getList("/api/v1/conversations", bob))
	_ = url.Values{}
}
