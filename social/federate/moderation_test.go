package federate_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

// makeStaff gives a local user the moderator role.
func makeStaff(t *testing.T, s *federatetest.Server, a *storage.Account) {
	t.Helper()
	u, err := s.Store.Users().GetByAccountID(t.Context(), a.ID)
	require.NoError(t, err)
	u.Role = storage.RoleModerator
	require.NoError(t, s.Store.Users().Update(t.Context(), u))
}

func TestReportForwardedAsFlag(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	reporter := p.a.CreateUser(t, "reporter", false)
	bad := p.b.CreateUser(t, "bad", false)
	modB := p.b.CreateUser(t, "modb", false)
	makeStaff(t, p.b, modB)
	follow(t, p.a, p.b, reporter, bad)
	st, err := p.b.Social.PostStatus(ctx, bad, social.PostInput{Text: "spam spam"})
	require.NoError(t, err)
	p.flush(t)
	stAtA := p.a.StatusByURI(st.URI)
	require.NotNil(t, stAtA)
	badAtA := p.a.AccountByURI(bad.URI)

	rep, err := p.a.Social.Report(ctx, reporter, social.ReportInput{AccountID: badAtA.ID, StatusIDs: []storage.ID{stAtA.ID},
		Comment: "please look", Category: storage.ReportSpam, Forward: true})
	require.NoError(t, err)
	require.True(t, rep.Forwarded)
	p.flush(t)

	reps, err := p.b.Store.Reports().List(ctx, storage.ReportFilter{TargetAccountID: bad.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, reps, 1, "the Flag became a report on the reported account's server")
	got := reps[0]
	assert.Equal(t, rep.URI, got.URI)
	assert.Equal(t, storage.IDs{st.ID}, got.StatusIDs)
	assert.Equal(t, "please look", got.Comment)
	from := p.b.Account(t, got.AccountID)
	assert.Equal(t, p.a.Instance.URI, from.URI, "sent by the instance actor: the reporter stays anonymous")
	assert.Equal(t, 1, notified(t, p.b, modB, storage.NotifyReport))

	// A report not forwarded stays home.
	_, err = p.a.Social.Report(ctx, reporter, social.ReportInput{AccountID: badAtA.ID, Comment: "again"})
	require.NoError(t, err)
	p.flush(t)
	reps, err = p.b.Store.Reports().List(ctx, storage.ReportFilter{TargetAccountID: bad.ID}, storage.Page{})
	require.NoError(t, err)
	assert.Len(t, reps, 1)
}

func TestSuspensionFederates(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	author := p.a.CreateUser(t, "author", false)
	fan := p.b.CreateUser(t, "fan", false)
	follow(t, p.b, p.a, fan, author)
	st, err := p.a.Social.PostStatus(ctx, author, social.PostInput{Text: "hello"})
	require.NoError(t, err)
	p.flush(t)
	require.NotNil(t, p.b.StatusByURI(st.URI))

	// A local suspension is a Delete of the actor for other servers.
	_, err = p.a.Social.TakeAccountAction(ctx, nil, author.ID, social.AccountAction{Type: social.ActionSuspend})
	require.NoError(t, err)
	p.flush(t)
	assert.Nil(t, p.b.AccountByURI(author.URI), "the peer removed the suspended account")
	assert.Nil(t, p.b.StatusByURI(st.URI))

	// Its ActivityPub documents: a bare actor marked suspended, its
	// collections and statuses gone.
	get := func(u string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := get(author.URI)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var actor map[string]any
	require.NoError(t, decodeJSON(resp, &actor))
	assert.Equal(t, true, actor["suspended"])
	assert.Nil(t, actor["name"])
	assert.NotNil(t, actor["publicKey"], "the key stays, to verify the Delete")
	for _, u := range []string{author.OutboxURI, author.FollowersURI, author.FollowingURI, author.FeaturedURI, st.URI} {
		assert.Equal(t, http.StatusGone, get(u).StatusCode, u)
	}

	// A remote suspension rejects the remote account's follows.
	star := p.a.CreateUser(t, "star", false)
	follow(t, p.b, p.a, fan, star)
	fanAtA := p.a.AccountByURI(fan.URI)
	starAtB := p.b.AccountByURI(star.URI)
	require.True(t, isFollowing(t, p.b, fan.ID, starAtB.ID))
	_, err = p.a.Social.TakeAccountAction(ctx, nil, fanAtA.ID, social.AccountAction{Type: social.ActionSuspend})
	require.NoError(t, err)
	p.flush(t)
	assert.False(t, isFollowing(t, p.a, fanAtA.ID, star.ID))
	assert.False(t, isFollowing(t, p.b, fan.ID, starAtB.ID), "the peer received Reject(Follow)")

	// An unsuspended local account is announced again.
	require.NoError(t, p.a.Social.UnsuspendAccount(ctx, nil, author.ID))
	resp = get(author.URI)
	actor = nil
	require.NoError(t, decodeJSON(resp, &actor))
	assert.Nil(t, actor["suspended"])
	assert.Equal(t, http.StatusOK, get(author.OutboxURI).StatusCode)
}

func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
