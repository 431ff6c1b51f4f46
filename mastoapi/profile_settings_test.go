package mastoapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUpdateCredentialsSettings: hide_collections is stored and honoured
// (others see empty follower and following listings, the owner sees them),
// and avatar_description / header_description show on the account.
func TestUpdateCredentialsSettings(t *testing.T) {
	e := newEnv(t, nil)
	alice, acct := e.userToken("alice", "read write follow")
	bob, bobAcct := e.userToken("bob", "read write follow")
	e.call(http.MethodPost, "/api/v1/accounts/"+acct.ID.String()+"/follow", bob, nil, http.StatusOK)
	e.call(http.MethodPost, "/api/v1/accounts/"+bobAcct.ID.String()+"/follow", alice, nil, http.StatusOK)
	followers := "/api/v1/accounts/" + acct.ID.String() + "/followers"
	following := "/api/v1/accounts/" + acct.ID.String() + "/following"
	require.Len(t, e.getList(followers, bob), 1)

	me := e.call(http.MethodPatch, "/api/v1/accounts/update_credentials", alice, url.Values{
		"hide_collections": {"true"}, "avatar_description": {"a cat in a hat"}, "header_description": {"a field"},
	}, http.StatusOK).(obj)
	assert.Equal(t, true, me["hide_collections"])
	assert.Equal(t, true, me["source"].(obj)["hide_collections"])
	assert.Equal(t, "a cat in a hat", me["avatar_description"])
	assert.Equal(t, "a field", me["header_description"])

	seen := e.getObj("/api/v1/accounts/"+acct.ID.String(), bob, http.StatusOK)
	assert.Equal(t, true, seen["hide_collections"])
	assert.Equal(t, "a cat in a hat", seen["avatar_description"])
	assert.Empty(t, e.getList(followers, bob), "hidden from others")
	assert.Empty(t, e.getList(following, bob))
	assert.Empty(t, e.getList(followers, ""), "and from anonymous readers")
	assert.Len(t, e.getList(followers, alice), 1, "the owner sees them")
	assert.Len(t, e.getList(following, alice), 1)

	// Turned off again, and descriptions cleared.
	me = e.call(http.MethodPatch, "/api/v1/accounts/update_credentials", alice, url.Values{
		"hide_collections": {"false"}, "avatar_description": {""},
	}, http.StatusOK).(obj)
	assert.Equal(t, false, me["hide_collections"])
	assert.Equal(t, "", me["avatar_description"])
	assert.Equal(t, "a field", me["header_description"])
	assert.Len(t, e.getList(followers, bob), 1)

	msg := e.errorOf(http.MethodPatch, "/api/v1/accounts/update_credentials", alice,
		url.Values{"header_description": {strings.Repeat("x", 1501)}}, http.StatusUnprocessableEntity)
	assert.Contains(t, msg, "Header description")
}
