package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFederatedScenarios drives every user-facing scenario of issue 5
// through the Mastodon API of two real herd processes, in both directions:
// open and locked follows, each visibility (and who must not see it),
// replies and mentions, boosts, favourites, edits, deletes, profile
// updates and blocks.
func TestFederatedScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd")
	}
	a, b := startNode(t), startNode(t)
	t.Run("AtoB", func(t *testing.T) { runScenarios(t, a.with(t), b.with(t), "ab") })
	t.Run("BtoA", func(t *testing.T) { runScenarios(t, b.with(t), a.with(t), "ba") })
}

// with returns a copy of n reporting failures to t.
func (n *node) with(t *testing.T) *node {
	c := *n
	c.t = t
	return &c
}

const e2eWait = 30 * time.Second

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, e2eWait, 100*time.Millisecond, what)
}

// findIn returns the first status of a timeline whose content contains s.
func (n *node) findIn(token, path, s string) map[string]any {
	for _, st := range n.list(token, path) {
		if strings.Contains(fmt.Sprint(st["content"]), s) {
			return st
		}
	}
	return nil
}

// notification returns the newest notification of a type whose status (if
// any) contains s.
func (n *node) notification(token, typ, s string) map[string]any {
	for _, nt := range n.list(token, "/api/v1/notifications?types[]="+typ) {
		st, _ := nt["status"].(map[string]any)
		if s == "" || (st != nil && strings.Contains(fmt.Sprint(st["content"]), s)) {
			return nt
		}
	}
	return nil
}

func (n *node) relationship(token, id string) map[string]any {
	var rels []map[string]any
	n.do(token, "GET", "/api/v1/accounts/relationships?id[]="+id, nil, 200, &rels)
	require.Len(n.t, rels, 1)
	return rels[0]
}

// searchStatus resolves a status URL through search; nil when not found.
func (n *node) searchStatus(token, uri string) map[string]any {
	res := n.call(token, "GET", "/api/v2/search?type=statuses&resolve=true&q="+url.QueryEscape(uri), nil, 200)
	list, _ := res["statuses"].([]any)
	if len(list) == 0 {
		return nil
	}
	return list[0].(map[string]any)
}

func runScenarios(t *testing.T, x, y *node, p string) {
	xName, yName, zName := p+"_xavier", p+"_yolanda", p+"_zed"
	xt, yt, zt := x.user(xName), y.user(yName), y.user(zName)

	// Yolanda's account is locked; Xavier's is open.
	locked := y.call(yt, "PATCH", "/api/v1/accounts/update_credentials", url.Values{"locked": {"true"}}, 200)
	require.Equal(t, true, locked["locked"])

	// Open follow: Yolanda follows Xavier and is accepted at once.
	xAtY := y.resolve(yt, xName+"@"+x.host)
	y.call(yt, "POST", "/api/v1/accounts/"+xAtY+"/follow", url.Values{}, 200)
	waitUntil(t, "yolanda follows xavier", func() bool { return y.relationship(yt, xAtY)["following"] == true })

	// Locked follow: Xavier's follow is a request until Yolanda authorizes it.
	yAtX := x.resolve(xt, yName+"@"+y.host)
	rel := x.call(xt, "POST", "/api/v1/accounts/"+yAtX+"/follow", url.Values{}, 200)
	require.Equal(t, true, rel["requested"], "a follow of a locked account is a request")
	require.Equal(t, false, rel["following"])
	var requester string
	waitUntil(t, "the follow request reaches yolanda", func() bool {
		for _, acct := range y.list(yt, "/api/v1/follow_requests") {
			if acct["acct"] == xName+"@"+x.host {
				requester = acct["id"].(string)
				return true
			}
		}
		return false
	})
	require.NotNil(t, y.notification(yt, "follow_request", ""), "yolanda is notified of the request")
	y.call(yt, "POST", "/api/v1/follow_requests/"+requester+"/authorize", url.Values{}, 200)
	waitUntil(t, "xavier's request is accepted", func() bool {
		r := x.relationship(xt, yAtX)
		return r["following"] == true && r["requested"] == false
	})
	waitUntil(t, "xavier is followed by yolanda", func() bool { return x.relationship(xt, yAtX)["followed_by"] == true })

	// Each visibility.
	posts := map[string]map[string]any{}
	for _, vis := range []string{"public", "unlisted", "private"} {
		posts[vis] = x.call(xt, "POST", "/api/v1/statuses", url.Values{"status": {p + " " + vis + " post"}, "visibility": {vis}}, 200)
	}
	posts["direct"] = x.call(xt, "POST", "/api/v1/statuses", url.Values{"status": {"@" + yName + "@" + y.host + " " + p + " direct post"}, "visibility": {"direct"}}, 200)
	got := map[string]map[string]any{}
	for _, vis := range []string{"public", "unlisted", "private"} {
		waitUntil(t, vis+" post reaches yolanda's home", func() bool {
			got[vis] = y.findIn(yt, "/api/v1/timelines/home", p+" "+vis+" post")
			return got[vis] != nil
		})
		assert.Equal(t, vis, got[vis]["visibility"])
	}
	waitUntil(t, "the direct post notifies yolanda", func() bool {
		n := y.notification(yt, "mention", p+" direct post")
		if n == nil {
			return false
		}
		assert.Equal(t, "direct", n["status"].(map[string]any)["visibility"])
		return true
	})
	// Zed, on Yolanda's server, follows no one: the public post is
	// reachable, the followers-only and direct ones are not.
	require.NotNil(t, y.searchStatus(zt, posts["public"]["uri"].(string)), "a public post is found by URL")
	assert.Nil(t, y.searchStatus(zt, posts["private"]["uri"].(string)), "a followers-only post is not found by a non-follower")
	assert.Nil(t, y.searchStatus(zt, posts["direct"]["uri"].(string)), "a direct post is not found by someone not mentioned")
	assert.Nil(t, y.notification(zt, "mention", ""), "zed was not mentioned")
	assert.Nil(t, y.findIn(zt, "/api/v1/timelines/home", p+" private post"))

	// Reply with a mention: Xavier is notified and sees it in the thread.
	pub := got["public"]
	y.call(yt, "POST", "/api/v1/statuses", url.Values{"status": {"@" + xName + "@" + x.host + " " + p + " a reply"}, "in_reply_to_id": {pub["id"].(string)}}, 200)
	waitUntil(t, "the reply notifies xavier", func() bool { return x.notification(xt, "mention", p+" a reply") != nil })
	ctxResp := x.call(xt, "GET", "/api/v1/statuses/"+posts["public"]["id"].(string)+"/context", nil, 200)
	desc, _ := ctxResp["descendants"].([]any)
	require.Len(t, desc, 1, "the reply is in the thread")
	assert.Equal(t, posts["public"]["id"], desc[0].(map[string]any)["in_reply_to_id"])

	// Boost and favourite.
	y.call(yt, "POST", "/api/v1/statuses/"+pub["id"].(string)+"/reblog", url.Values{}, 200)
	y.call(yt, "POST", "/api/v1/statuses/"+pub["id"].(string)+"/favourite", url.Values{}, 200)
	waitUntil(t, "xavier is notified of the boost and the favourite", func() bool {
		return x.notification(xt, "reblog", p+" public post") != nil && x.notification(xt, "favourite", p+" public post") != nil
	})
	mine := x.call(xt, "GET", "/api/v1/statuses/"+posts["public"]["id"].(string), nil, 200)
	assert.EqualValues(t, 1, mine["reblogs_count"])
	assert.EqualValues(t, 1, mine["favourites_count"])
	assert.EqualValues(t, 1, mine["replies_count"])

	// Edit: Yolanda sees the new text, and as a booster is notified.
	x.call(xt, "PUT", "/api/v1/statuses/"+posts["public"]["id"].(string), url.Values{"status": {p + " public post, edited"}}, 200)
	waitUntil(t, "the edit reaches yolanda", func() bool {
		st := y.call(yt, "GET", "/api/v1/statuses/"+pub["id"].(string), nil, 200)
		return strings.Contains(fmt.Sprint(st["content"]), "edited") && st["edited_at"] != nil
	})
	waitUntil(t, "yolanda is notified of the edit", func() bool { return y.notification(yt, "update", "edited") != nil })

	// Delete: Yolanda's copy goes away.
	x.call(xt, "DELETE", "/api/v1/statuses/"+posts["unlisted"]["id"].(string), nil, 200)
	waitUntil(t, "the delete reaches yolanda", func() bool { return y.statusGone(yt, got["unlisted"]["id"].(string)) })

	// Profile update.
	x.call(xt, "PATCH", "/api/v1/accounts/update_credentials", url.Values{"display_name": {"Xavier " + p}, "note": {"new bio " + p}}, 200)
	waitUntil(t, "the profile update reaches yolanda", func() bool {
		acct := y.call(yt, "GET", "/api/v1/accounts/"+xAtY, nil, 200)
		return acct["display_name"] == "Xavier "+p && strings.Contains(fmt.Sprint(acct["note"]), "new bio")
	})

	// Poll and vote: Yolanda votes on Xavier's poll; both see the tally.
	poll := x.call(xt, "POST", "/api/v1/statuses", url.Values{"status": {p + " which one?"}, "poll[options][]": {"tea", "coffee"},
		"poll[expires_in]": {"3600"}, "visibility": {"public"}}, 200)
	pollID := poll["poll"].(map[string]any)["id"].(string)
	var there map[string]any
	waitUntil(t, "the poll reaches yolanda", func() bool {
		there = y.findIn(yt, "/api/v1/timelines/home", p+" which one?")
		return there != nil && there["poll"] != nil
	})
	remotePoll := there["poll"].(map[string]any)
	require.Len(t, remotePoll["options"], 2)
	voted := y.call(yt, "POST", "/api/v1/polls/"+remotePoll["id"].(string)+"/votes", url.Values{"choices[]": {"1"}}, 200)
	assert.Equal(t, true, voted["voted"])
	assert.Equal(t, []any{float64(1)}, voted["own_votes"])
	waitUntil(t, "the vote reaches xavier", func() bool {
		pl := x.call(xt, "GET", "/api/v1/polls/"+pollID, nil, 200)
		opts := pl["options"].([]any)
		return pl["votes_count"] == float64(1) && opts[1].(map[string]any)["votes_count"] == float64(1)
	})
	waitUntil(t, "the new tally reaches yolanda", func() bool {
		pl := y.call(yt, "GET", "/api/v1/polls/"+remotePoll["id"].(string), nil, 200)
		return pl["votes_count"] == float64(1) && pl["voters_count"] == float64(1)
	})

	// Block: Yolanda blocks Xavier; the follows between them end on both
	// servers and Xavier's next post does not reach her.
	y.call(yt, "POST", "/api/v1/accounts/"+xAtY+"/block", url.Values{}, 200)
	waitUntil(t, "the block removes the follows at xavier's server", func() bool {
		r := x.relationship(xt, yAtX)
		return r["following"] == false && r["followed_by"] == false
	})
	x.call(xt, "POST", "/api/v1/statuses", url.Values{"status": {p + " after the block"}, "visibility": {"public"}}, 200)
	time.Sleep(time.Second)
	assert.Nil(t, y.findIn(yt, "/api/v1/timelines/home", p+" after the block"))
}

// TestFederatedAccountDeletion suspends an account through the admin API
// (Mastodon's way of deleting one) and checks that the other server
// removes it and its posts; then the account's data is deleted. Both
// directions.
func TestFederatedAccountDeletion(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd")
	}
	a, b := startNode(t), startNode(t)
	for _, dir := range [][2]*node{{a, b}, {b, a}} {
		x, y := dir[0].with(t), dir[1].with(t)
		p := strings.ReplaceAll(strings.ReplaceAll(x.host, ".", ""), ":", "")
		xName := "leaver" + p[len(p)-4:]
		xt, yt := x.user(xName), y.user("stayer"+p[len(p)-4:])
		admin := x.adminToken("boss" + p[len(p)-4:])
		me := x.call(xt, "GET", "/api/v1/accounts/verify_credentials", nil, 200)

		xAtY := y.resolve(yt, xName+"@"+x.host)
		y.call(yt, "POST", "/api/v1/accounts/"+xAtY+"/follow", url.Values{}, 200)
		waitUntil(t, "the follow is accepted", func() bool { return y.relationship(yt, xAtY)["following"] == true })
		x.call(xt, "POST", "/api/v1/statuses", url.Values{"status": {"goodbye world " + p}}, 200)
		var copyID string
		waitUntil(t, "the post arrives", func() bool {
			st := y.findIn(yt, "/api/v1/timelines/home", "goodbye world "+p)
			if st != nil {
				copyID = st["id"].(string)
			}
			return st != nil
		})

		x.call(admin, "POST", "/api/v1/admin/accounts/"+me["id"].(string)+"/action", url.Values{"type": {"suspend"}, "text": {"bye"}}, 200)
		waitUntil(t, "the other server removes the account's posts", func() bool { return y.statusGone(yt, copyID) })
		waitUntil(t, "and the account", func() bool {
			var rels []map[string]any
			y.do(yt, "GET", "/api/v1/accounts/relationships?id[]="+xAtY, nil, 200, &rels)
			return len(rels) == 0 || rels[0]["following"] == false
		})
		var following []map[string]any
		y.do(yt, "GET", "/api/v1/accounts/"+y.call(yt, "GET", "/api/v1/accounts/verify_credentials", nil, 200)["id"].(string)+"/following", nil, 200, &following)
		assert.Empty(t, following, "the follow of the deleted account is gone")
		x.call(admin, "DELETE", "/api/v1/admin/accounts/"+me["id"].(string), nil, 200)
		assert.Nil(t, y.findIn(yt, "/api/v1/timelines/home", "goodbye world "+p))
	}
}

// adminToken signs up a user, makes it an admin with the CLI (on the
// running server's database) and returns a token with admin scopes.
func (n *node) adminToken(username string) string {
	t := n.t
	n.user(username)
	out, err := exec.Command(herdBinary(t), "account", "set-role", "--data", n.data, "--username", username, "--role", "admin").CombinedOutput()
	require.NoError(t, err, "%s", out)
	const scopes = "read write follow admin:read admin:write"
	app := n.call("", "POST", "/api/v1/apps", url.Values{"client_name": {"e2e-admin"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {scopes}}, 200)
	tok := n.call("", "POST", "/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {app["client_id"].(string)},
		"client_secret": {app["client_secret"].(string)}, "username": {username + "@example.com"},
		"password": {"correct horse battery staple"}, "scope": {scopes}}, 200)
	return tok["access_token"].(string)
}

// statusGone reports whether GET /api/v1/statuses/id answers 404.
func (n *node) statusGone(token, id string) bool {
	req, err := http.NewRequest("GET", n.base+"/api/v1/statuses/"+id, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 404
}
