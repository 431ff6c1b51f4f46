package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func optionCounts(p obj) []any {
	out := []any{}
	for _, o := range p["options"].([]any) {
		out = append(out, o.(obj)["votes_count"])
	}
	return out
}

func TestPolls(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	bob, _ := e.userToken("bob", "read write")
	carol, _ := e.userToken("carol", "read write")

	// Form parameters.
	st := e.post(alice, "tabs or spaces?", "poll[options][]", "tabs", "poll[options][]", "spaces", "poll[expires_in]", "600")
	p, ok := st["poll"].(obj)
	require.True(t, ok, "the status carries its poll: %v", st["poll"])
	pollID := p["id"].(string)
	assert.Regexp(t, `^\d+$`, pollID)
	assert.Equal(t, false, p["multiple"])
	assert.Equal(t, false, p["expired"])
	assert.EqualValues(t, 0, p["votes_count"])
	assert.EqualValues(t, 0, p["voters_count"])
	assert.Equal(t, true, p["voted"], "the author counts as having voted, as on Mastodon")
	assert.Equal(t, []any{}, p["own_votes"])
	assert.Equal(t, []any{}, p["emojis"])
	assert.Equal(t, []any{obj{"title": "tabs", "votes_count": 0.0}, obj{"title": "spaces", "votes_count": 0.0}}, p["options"])
	exp, err := time.Parse(time.RFC3339, p["expires_at"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(10*time.Minute), exp, time.Minute)
	assert.Regexp(t, `\.\d{3}Z$`, p["expires_at"])

	// JSON, multiple choice, hidden totals.
	resp := e.validate(e.postJSON("/api/v1/statuses", obj{"status": "pick some", "poll": obj{"options": []string{"a", "b", "c"},
		"expires_in": 3600, "multiple": true, "hide_totals": true}}, alice))
	requireStatus(t, resp, http.StatusOK)
	multi := decode[obj](t, resp)["poll"].(obj)
	assert.Equal(t, true, multi["multiple"])

	// Anonymous viewers see no viewer state.
	anon := e.getObj("/api/v1/polls/"+pollID, "", http.StatusOK)
	assert.NotContains(t, anon, "voted")
	assert.NotContains(t, anon, "own_votes")
	got := e.getObj("/api/v1/polls/"+pollID, bob, http.StatusOK)
	assert.Equal(t, false, got["voted"])
	assert.Equal(t, []any{}, got["own_votes"])

	// Voting.
	voted := e.postObj("/api/v1/polls/"+pollID+"/votes", bob, url.Values{"choices[]": {"1"}}, http.StatusOK)
	assert.Equal(t, true, voted["voted"])
	assert.Equal(t, []any{1.0}, voted["own_votes"])
	assert.Equal(t, []any{0.0, 1.0}, optionCounts(voted))
	assert.EqualValues(t, 1, voted["votes_count"])
	resp = e.validate(e.postJSON("/api/v1/polls/"+pollID+"/votes", obj{"choices": []int{0}}, carol))
	requireStatus(t, resp, http.StatusOK)
	assert.Equal(t, []any{1.0, 1.0}, optionCounts(decode[obj](t, resp)))
	for _, tc := range []struct {
		name   string
		token  string
		vs     url.Values
		status int
		msg    string
	}{
		{"again", bob, url.Values{"choices[]": {"0"}}, 422, "Validation failed: You have already voted on this poll"},
		{"own poll", alice, url.Values{"choices[]": {"0"}}, 422, "Validation failed: You cannot vote in your own polls"},
		{"no such option", carol, url.Values{"choices[]": {"7"}}, 422, "Validation failed: The chosen vote option does not exist"},
		{"not a number", carol, url.Values{"choices[]": {"x"}}, 422, "Validation failed: The chosen vote option does not exist"},
		{"no choice", carol, url.Values{}, 400, "param is missing or the value is empty: choices"},
		{"anonymous", "", url.Values{"choices[]": {"0"}}, 401, "The access token is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.msg, e.errorOf(http.MethodPost, "/api/v1/polls/"+pollID+"/votes", tc.token, tc.vs, tc.status))
		})
	}
	e.errorOf(http.MethodGet, "/api/v1/polls/424242", bob, nil, http.StatusNotFound)

	// Hidden totals: others see no counts until the end, the author does.
	mid := multi["id"].(string)
	v := e.postObj("/api/v1/polls/"+mid+"/votes", bob, url.Values{"choices[]": {"0", "2"}}, http.StatusOK)
	assert.Equal(t, []any{nil, nil, nil}, optionCounts(v))
	assert.Equal(t, []any{0.0, 2.0}, v["own_votes"])
	assert.EqualValues(t, 2, v["votes_count"])
	assert.EqualValues(t, 1, v["voters_count"])
	assert.Equal(t, []any{1.0, 0.0, 1.0}, optionCounts(e.getObj("/api/v1/polls/"+mid, alice, http.StatusOK)))

	// Timelines render polls with the viewer's votes.
	home := e.getList("/api/v1/accounts/"+st["account"].(obj)["id"].(string)+"/statuses", bob)
	require.Len(t, home, 2)
	assert.Equal(t, []any{0.0, 2.0}, home[0].(obj)["poll"].(obj)["own_votes"])
	assert.Equal(t, []any{1.0}, home[1].(obj)["poll"].(obj)["own_votes"])
	plain := e.post(alice, "no poll here")
	assert.Nil(t, plain["poll"])

	// The poll ends.
	ctx := context.Background()
	id, err := storage.ParseID(mid)
	require.NoError(t, err)
	sp, err := e.store.Polls().Get(ctx, id)
	require.NoError(t, err)
	past := time.Now().Add(-time.Minute)
	sp.ExpiresAt = &past
	require.NoError(t, e.store.Polls().Update(ctx, sp))
	ended := e.getObj("/api/v1/polls/"+mid, carol, http.StatusOK)
	assert.Equal(t, true, ended["expired"])
	assert.Equal(t, []any{1.0, 0.0, 1.0}, optionCounts(ended), "the counts show once the poll has ended")
	assert.Equal(t, "Validation failed: The poll has already ended",
		e.errorOf(http.MethodPost, "/api/v1/polls/"+mid+"/votes", carol, url.Values{"choices[]": {"1"}}, 422))

	// Limits, as advertised.
	for _, tc := range []struct {
		name, msg string
		vs        url.Values
	}{
		{"too many", "Validation failed: Poll options can't contain more than 4 items",
			url.Values{"poll[options][]": {"a", "b", "c", "d", "e"}, "poll[expires_in]": {"600"}}},
		{"too soon", "Validation failed: Poll expires at is too soon",
			url.Values{"poll[options][]": {"a", "b"}, "poll[expires_in]": {"60"}}},
		{"no expiry", "Validation failed: Poll expires at is too soon",
			url.Values{"poll[options][]": {"a", "b"}}},
		{"duplicates", "Validation failed: Poll options contain duplicate items",
			url.Values{"poll[options][]": {"a", "a"}, "poll[expires_in]": {"600"}}},
		{"bad expiry", "Validation failed: Poll expires in must be a number of seconds",
			url.Values{"poll[options][]": {"a", "b"}, "poll[expires_in]": {"soon"}}},
	} {
		tc.vs.Set("status", "x")
		assert.Equal(t, tc.msg, e.errorOf(http.MethodPost, "/api/v1/statuses", alice, tc.vs, 422), tc.name)
	}
	polls := e.getObj("/api/v2/instance", "", http.StatusOK)["configuration"].(obj)["polls"].(obj)
	assert.Equal(t, obj{"max_options": 4.0, "max_characters_per_option": 50.0, "min_expiration": 300.0, "max_expiration": 2629746.0}, polls)
}

func TestEditPollAPI(t *testing.T) {
	e := newEnv(t, nil)
	alice, _ := e.userToken("alice", "read write")
	bob, _ := e.userToken("bob", "read write")
	st := e.post(alice, "which?", "poll[options][]", "a", "poll[options][]", "b", "poll[expires_in]", "600")
	id, pollID := st["id"].(string), st["poll"].(obj)["id"].(string)
	e.postObj("/api/v1/polls/"+pollID+"/votes", bob, url.Values{"choices[]": {"0"}}, http.StatusOK)

	// New text, the poll sent again: the votes stay.
	ed := e.call(http.MethodPut, "/api/v1/statuses/"+id, alice, url.Values{"status": {"which one?"},
		"poll[options][]": {"a", "b"}, "poll[expires_in]": {"600"}}, http.StatusOK).(obj)
	assert.Equal(t, pollID, ed["poll"].(obj)["id"])
	assert.Equal(t, []any{1.0, 0.0}, optionCounts(ed["poll"].(obj)))
	// New options: the votes go.
	ed = e.call(http.MethodPut, "/api/v1/statuses/"+id, alice, url.Values{"status": {"which one?"},
		"poll[options][]": {"a", "b", "c"}, "poll[expires_in]": {"600"}}, http.StatusOK).(obj)
	assert.Equal(t, []any{0.0, 0.0, 0.0}, optionCounts(ed["poll"].(obj)))
	got := e.getObj("/api/v1/statuses/"+id, bob, http.StatusOK)
	assert.Equal(t, false, got["poll"].(obj)["voted"])
	// No poll: removed.
	ed = e.call(http.MethodPut, "/api/v1/statuses/"+id, alice, url.Values{"status": {"never mind"}}, http.StatusOK).(obj)
	assert.Nil(t, ed["poll"])
	e.errorOf(http.MethodGet, "/api/v1/polls/"+pollID, bob, nil, http.StatusNotFound)

	hist := e.getList("/api/v1/statuses/"+id+"/history", bob)
	require.Len(t, hist, 4)
	titles := func(h any) []string {
		p, ok := h.(obj)["poll"].(obj)
		if !ok {
			return nil
		}
		var out []string
		for _, o := range p["options"].([]any) {
			out = append(out, o.(obj)["title"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"a", "b"}, titles(hist[0]))
	assert.Equal(t, []string{"a", "b"}, titles(hist[1]))
	assert.Equal(t, []string{"a", "b", "c"}, titles(hist[2]))
	assert.Nil(t, titles(hist[3]))
}
