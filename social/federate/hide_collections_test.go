package federate_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
)

// TestHideCollections: the followers and following collections of an
// account that hides them show their totals only, with no pages.
func TestHideCollections(t *testing.T) {
	t.Parallel()
	a := federatetest.NewServer(t, nil)
	b := federatetest.NewServer(t, nil)
	alice, bob := a.CreateUser(t, "alice", false), b.CreateUser(t, "bob", false)
	follow(t, b, a, bob, alice)

	get := func(path string) map[string]any {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, a.URLs.Followers(alice.Username)+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	c := get("")
	assert.EqualValues(t, 1, c["totalItems"])
	assert.NotNil(t, c["first"], "visible: pages")
	page := get("?page=true")
	assert.Len(t, page["orderedItems"], 1)

	hide := true
	_, err := a.Social.UpdateProfile(t.Context(), alice, social.ProfileInput{Settings: social.ProfileSettings{HideCollections: &hide}})
	require.NoError(t, err)
	c = get("")
	assert.EqualValues(t, 1, c["totalItems"], "the total stays")
	assert.Nil(t, c["first"], "hidden: no pages")
	page = get("?page=true")
	assert.Nil(t, page["orderedItems"], "a page shows nothing either")
	assert.EqualValues(t, 1, page["totalItems"])
}
