package mastoapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/internal/openapitest"
	"github.com/herd-social/herd/storage"
)

// policy PATCHes alice's v2 policy and returns it.
func (e *env) patchPolicy(token string, vs url.Values) obj {
	e.t.Helper()
	v, _ := e.call(http.MethodPatch, "/api/v2/notifications/policy", token, vs, http.StatusOK).(obj)
	return v
}

// notifiedBy lists the usernames of the senders of token's notifications.
func (e *env) notifiedBy(token, query string) []string {
	e.t.Helper()
	var out []string
	for _, n := range e.getList("/api/v1/notifications"+query, token) {
		out = append(out, n.(obj)["account"].(obj)["username"].(string))
	}
	return out
}

// requestsFrom maps the usernames of token's notification requests to
// the requests.
func (e *env) requestsFrom(token string) map[string]obj {
	e.t.Helper()
	out := map[string]obj{}
	for _, r := range e.getList("/api/v1/notifications/requests", token) {
		out[r.(obj)["account"].(obj)["username"].(string)] = r.(obj)
	}
	return out
}

// v1Policy calls the v1 policy endpoint (not in the OpenAPI paths: its
// body is checked against the V1NotificationPolicy component).
func (e *env) v1Policy(method, token string, vs url.Values) obj {
	e.t.Helper()
	r := request{method: method, path: "/api/v1/notifications/policy", token: token}
	if vs != nil {
		r.body, r.ctype = strings.NewReader(vs.Encode()), "application/x-www-form-urlencoded"
	}
	resp := e.do(r)
	requireStatus(e.t, resp, http.StatusOK)
	v := decode[obj](e.t, resp)
	openapitest.ValidateComponent(e.t, "V1NotificationPolicy", mustJSON(e.t.(*testing.T), v))
	return v
}

func TestNotificationPolicyDefaultsAndUpdates(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write follow")
	reader := e.passwordToken(e.registerApp("read write"), "alice@example.com", "correct horse battery", "read").AccessToken

	p := e.getObj("/api/v2/notifications/policy", alice, http.StatusOK)
	assert.Equal(t, obj{"for_not_following": "accept", "for_not_followers": "accept", "for_new_accounts": "accept",
		"for_private_mentions": "filter", "for_limited_accounts": "filter",
		"summary": obj{"pending_requests_count": 0.0, "pending_notifications_count": 0.0}}, p)
	v1 := e.v1Policy(http.MethodGet, alice, nil)
	assert.Equal(t, obj{"filter_not_following": false, "filter_not_followers": false, "filter_new_accounts": false,
		"filter_private_mentions": true, "summary": obj{"pending_requests_count": 0.0, "pending_notifications_count": 0.0}}, v1)

	e.call(http.MethodPatch, "/api/v2/notifications/policy", alice, url.Values{"for_not_following": {"maybe"}}, http.StatusUnprocessableEntity)
	e.call(http.MethodPatch, "/api/v2/notifications/policy", reader, url.Values{"for_not_following": {"drop"}}, http.StatusForbidden)
	p = e.patchPolicy(alice, url.Values{"for_not_following": {"drop"}, "for_new_accounts": {"filter"}})
	assert.Equal(t, "drop", p["for_not_following"])
	assert.Equal(t, "filter", p["for_new_accounts"])
	assert.Equal(t, "filter", p["for_private_mentions"], "untouched")

	// v1: booleans, true is filter, false accept; drop reads as filtering.
	v1 = e.v1Policy(http.MethodPatch, alice, url.Values{"filter_not_followers": {"true"}, "filter_private_mentions": {"false"}})
	assert.Equal(t, true, v1["filter_not_following"])
	assert.Equal(t, true, v1["filter_not_followers"])
	assert.Equal(t, false, v1["filter_private_mentions"])
	p = e.getObj("/api/v2/notifications/policy", alice, http.StatusOK)
	assert.Equal(t, "drop", p["for_not_following"])
	assert.Equal(t, "filter", p["for_not_followers"])
	assert.Equal(t, "accept", p["for_private_mentions"])
	assert.Equal(t, "filter", p["for_limited_accounts"])
}

func TestNotificationRequestsAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	bob, _ := e.userToken("bob", "read write follow")
	carol, carolAcct := e.userToken("carol", "read write follow")
	dave, _ := e.userToken("dave", "read write follow")
	aliceID := aliceAcct.ID.String()

	e.postObj("/api/v1/accounts/"+carolAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
	e.patchPolicy(alice, url.Values{"for_not_following": {"filter"}})

	// bob (not followed) is filtered; carol (followed) is not.
	st := e.post(alice, "hello")["id"].(string)
	e.post(bob, "@alice hi")
	e.postObj("/api/v1/statuses/"+st+"/favourite", bob, nil, http.StatusOK)
	e.post(carol, "@alice hi from a friend")
	assert.Equal(t, []string{"carol"}, e.notifiedBy(alice, ""))
	assert.Equal(t, []string{"carol", "bob", "bob"}, e.notifiedBy(alice, "?include_filtered=true"))
	assert.EqualValues(t, 1, e.getObj("/api/v1/notifications/unread_count", alice, http.StatusOK)["count"])
	assert.Len(t, e.getObj("/api/v2/notifications", alice, http.StatusOK)["notification_groups"], 1)
	assert.EqualValues(t, 1, e.getObj("/api/v2/notifications/unread_count", alice, http.StatusOK)["count"])

	reqs := e.requestsFrom(alice)
	require.Len(t, reqs, 1)
	req := reqs["bob"]
	assert.Equal(t, "2", req["notifications_count"])
	assert.Equal(t, st, req["last_status"].(obj)["id"], "the status of the latest filtered notification (the favourite)")
	reqID := req["id"].(string)
	one := e.getObj("/api/v1/notifications/requests/"+reqID, alice, http.StatusOK)
	assert.Equal(t, reqID, one["id"])
	e.getObj("/api/v1/notifications/requests/"+reqID, carol, http.StatusNotFound)
	e.postObj("/api/v1/notifications/requests/"+reqID+"/accept", carol, nil, http.StatusNotFound)
	sum := e.getObj("/api/v2/notifications/policy", alice, http.StatusOK)["summary"].(obj)
	assert.Equal(t, obj{"pending_requests_count": 1.0, "pending_notifications_count": 2.0}, sum)

	// Dismiss dave's request: its notifications go; a later one files a new request.
	e.post(dave, "@alice first")
	daveReq := e.requestsFrom(alice)["dave"]["id"].(string)
	e.postObj("/api/v1/notifications/requests/"+daveReq+"/dismiss", alice, nil, http.StatusOK)
	assert.NotContains(t, e.requestsFrom(alice), "dave")
	assert.NotContains(t, e.notifiedBy(alice, "?include_filtered=true"), "dave")
	e.post(dave, "@alice again")
	assert.Equal(t, "1", e.requestsFrom(alice)["dave"]["notifications_count"])

	// Accept bob's: the filtered notifications join the list, later ones are not filtered.
	e.postObj("/api/v1/notifications/requests/"+reqID+"/accept", alice, nil, http.StatusOK)
	assert.Equal(t, []string{"carol", "bob", "bob"}, e.notifiedBy(alice, ""))
	e.getObj("/api/v1/notifications/requests/"+reqID, alice, http.StatusNotFound)
	e.post(bob, "@alice accepted now")
	assert.Equal(t, "bob", e.notifiedBy(alice, "")[0])
	assert.NotContains(t, e.requestsFrom(alice), "bob")

	// Bulk: accept (and dismiss) id[]; unknown IDs are ignored.
	daveReq = e.requestsFrom(alice)["dave"]["id"].(string)
	e.postObj("/api/v1/notifications/requests/dismiss", alice, url.Values{"id[]": {"12345"}}, http.StatusOK)
	e.postObj("/api/v1/notifications/requests/accept", alice, url.Values{"id[]": {daveReq, "12345", "x"}}, http.StatusOK)
	assert.Empty(t, e.requestsFrom(alice))
	assert.Contains(t, e.notifiedBy(alice, ""), "dave")
	assert.Equal(t, obj{"merged": true}, e.getObj("/api/v1/notifications/requests/merged", alice, http.StatusOK))
	assert.Equal(t, obj{"pending_requests_count": 0.0, "pending_notifications_count": 0.0},
		e.getObj("/api/v2/notifications/policy", alice, http.StatusOK)["summary"])

	// Paging with Link.
	for i := range 3 {
		tok, _ := e.userToken("s"+string(rune('a'+i)), "read write")
		e.postObj("/api/v1/accounts/"+aliceID+"/follow", tok, nil, http.StatusOK)
	}
	page, links := e.page("/api/v1/notifications/requests?limit=2", alice)
	assert.Len(t, page, 2)
	require.NotEmpty(t, links["next"])
	rest, _ := e.page(links["next"], alice)
	assert.Len(t, rest, 1)
}

func TestNotificationPolicyConditions(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceAcct := e.userToken("alice", "read write follow")
	aliceID := aliceAcct.ID.String()

	// drop: nothing is stored.
	e.patchPolicy(alice, url.Values{"for_not_following": {"drop"}})
	bob, _ := e.userToken("bob", "read write follow")
	e.post(bob, "@alice hi")
	assert.Empty(t, e.notifiedBy(alice, "?include_filtered=true"))
	assert.Empty(t, e.requestsFrom(alice))
	e.patchPolicy(alice, url.Values{"for_not_following": {"accept"}})

	// for_not_followers: bob does not follow alice, carol does.
	e.patchPolicy(alice, url.Values{"for_not_followers": {"filter"}})
	carol, _ := e.userToken("carol", "read write follow")
	e.postObj("/api/v1/accounts/"+aliceID+"/follow", carol, nil, http.StatusOK)
	e.post(bob, "@alice not a follower")
	e.post(carol, "@alice a follower")
	assert.Equal(t, []string{"carol", "carol"}, e.notifiedBy(alice, ""), "follow and mention")
	assert.Contains(t, e.requestsFrom(alice), "bob")
	e.patchPolicy(alice, url.Values{"for_not_followers": {"accept"}})

	// for_new_accounts: every account here is new (see the social tests
	// for an old one).
	e.patchPolicy(alice, url.Values{"for_new_accounts": {"filter"}})
	dave, _ := e.userToken("dave", "read write follow")
	e.post(dave, "@alice new here")
	assert.Equal(t, []string{"carol", "carol"}, e.notifiedBy(alice, ""))
	assert.Contains(t, e.requestsFrom(alice), "dave")
	e.patchPolicy(alice, url.Values{"for_new_accounts": {"accept"}})

	// for_private_mentions (filter by default): a direct mention is
	// filtered, unless it replies to alice's direct mention of the sender.
	frank, _ := e.userToken("frank", "read write follow")
	e.post(frank, "@alice psst", "visibility", "direct")
	assert.NotEqual(t, "frank", e.notifiedBy(alice, "")[0])
	assert.Contains(t, e.requestsFrom(alice), "frank")
	gina, _ := e.userToken("gina", "read write follow")
	dm := e.post(alice, "@gina are you there?", "visibility", "direct")["id"].(string)
	e.post(gina, "@alice yes", "visibility", "direct", "in_reply_to_id", dm)
	assert.Equal(t, "gina", e.notifiedBy(alice, "")[0], "a reply to alice's own private mention")
	// A public mention is not a private one.
	e.post(frank, "@alice in public")
	assert.Equal(t, "frank", e.notifiedBy(alice, "")[0])

	// for_limited_accounts (filter by default).
	hal, halAcct := e.userToken("hal", "read write follow")
	e.modAccount(halAcct.ID, func(a *storage.Account) { now := time.Now(); a.SilencedAt = &now })
	e.post(hal, "@alice limited")
	assert.NotEqual(t, "hal", e.notifiedBy(alice, "")[0])
	assert.Contains(t, e.requestsFrom(alice), "hal")
	e.patchPolicy(alice, url.Values{"for_limited_accounts": {"accept"}})
	e.post(hal, "@alice limited but accepted")
	assert.Equal(t, "hal", e.notifiedBy(alice, "")[0])
	e.patchPolicy(alice, url.Values{"for_limited_accounts": {"drop"}})
	before := len(e.notifiedBy(alice, "?include_filtered=true"))
	e.post(hal, "@alice limited and dropped")
	assert.Len(t, e.notifiedBy(alice, "?include_filtered=true"), before)

	// Following the sender overrides every policy.
	e.patchPolicy(alice, url.Values{"for_not_following": {"drop"}, "for_not_followers": {"drop"}, "for_new_accounts": {"drop"}})
	e.postObj("/api/v1/accounts/"+halAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
	e.post(hal, "@alice followed")
	assert.Equal(t, "hal", e.notifiedBy(alice, "")[0])
}
