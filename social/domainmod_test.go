package social_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// withDomains gives e's service the instance's domain moderation.
func withDomains(e *env) *moderation.Domains {
	d := moderation.NewDomains(e.store, &moderation.DomainsOptions{LocalDomain: "herd.example"})
	e.svc = social.New(e.store, e.urls, &social.Options{Events: e.events, Domains: d})
	return d
}

// rawFollow stores a follow directly (remote follows need no handshake here).
func (e *env) rawFollow(a, b *storage.Account) {
	e.t.Helper()
	require.NoError(e.t, e.store.Follows().Create(e.ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID, ShowReblogs: true}))
	require.NoError(e.t, e.store.Accounts().AdjustCounts(e.ctx, a.ID, 0, 0, 1, nil))
	require.NoError(e.t, e.store.Accounts().AdjustCounts(e.ctx, b.ID, 0, 1, 0, nil))
}

// remotePost stores a public status by a remote account, in the home
// feeds of the given local accounts.
func (e *env) remotePost(a *storage.Account, homes ...*storage.Account) *storage.Status {
	e.t.Helper()
	e.seq++
	st := &storage.Status{AccountID: a.ID, URI: a.URI + "/statuses/" + time.Now().Format("150405.000000000"), Content: "<p>remote</p>",
		Visibility: storage.VisibilityPublic}
	require.NoError(e.t, e.store.Statuses().Create(e.ctx, st))
	for _, h := range homes {
		require.NoError(e.t, e.store.Feeds().Insert(e.ctx, storage.HomeFeed(h.ID), storage.FeedEntry{StatusID: st.ID, AuthorID: a.ID}))
	}
	return st
}

func TestSuspendDomainSeversFollows(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		d := withDomains(e)
		alice, bob := e.local("alice"), e.local("bob")
		r1, r2, r3 := e.remote("r1", "evil.example"), e.remote("r2", "sub.evil.example"), e.remote("r3", "fine.example")
		e.rawFollow(alice, r1)
		e.rawFollow(r1, alice)
		e.rawFollow(r2, alice)
		e.rawFollow(r1, bob)
		e.rawFollow(alice, r3)
		st := e.remotePost(r1, alice)
		require.Contains(t, e.homeIDs(alice), st.ID)

		sev := storage.SeveritySuspend
		b, err := e.svc.CreateDomainBlock(e.ctx, nil, "https://Evil.Example/", social.DomainBlockParams{Severity: &sev})
		require.NoError(t, err)
		assert.Equal(t, "evil.example", b.Domain)
		assert.True(t, d.Suspended(e.ctx, "sub.evil.example"), "the cache was reloaded")

		for _, pair := range [][2]*storage.Account{{alice, r1}, {r1, alice}, {r2, alice}, {r1, bob}} {
			_, err := e.store.Follows().Get(e.ctx, pair[0].ID, pair[1].ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%s → %s severed", pair[0].Username, pair[1].Username)
		}
		_, err = e.store.Follows().Get(e.ctx, alice.ID, r3.ID)
		require.NoError(t, err, "other domains are untouched")
		assert.NotContains(t, e.homeIDs(alice), st.ID, "the domain's statuses left the home feed")
		assert.Equal(t, int64(0), e.account(alice.ID).FollowersCount)
		assert.Equal(t, int64(1), e.account(alice.ID).FollowingCount)

		lost, err := e.svc.SeveredRelationships(e.ctx, alice, storage.Page{})
		require.NoError(t, err)
		require.Len(t, lost, 1)
		assert.Equal(t, storage.SeveranceDomainBlock, lost[0].Type)
		assert.Equal(t, "evil.example", lost[0].TargetName)
		assert.Equal(t, int64(2), lost[0].FollowersCount)
		assert.Equal(t, int64(1), lost[0].FollowingCount)
		bl, err := e.svc.SeveredRelationships(e.ctx, bob, storage.Page{})
		require.NoError(t, err)
		require.Len(t, bl, 1)
		assert.Equal(t, int64(1), bl[0].FollowersCount)
		assert.Zero(t, bl[0].FollowingCount)

		assert.Equal(t, []string{"severed_relationships:alice"}, e.notifications(alice))
		ns, err := e.svc.Notifications(e.ctx, alice, storage.NotificationFilter{}, storage.Page{})
		require.NoError(t, err)
		assert.JSONEq(t, `"`+lost[0].EventID.String()+`"`, string(ns[0].Extra["event_id"]))
		row, err := e.svc.SeveranceOf(e.ctx, alice, lost[0].EventID)
		require.NoError(t, err)
		assert.Equal(t, lost[0].ID, row.ID)
		assert.NotEmpty(t, e.events.ofType(social.EventNotificationCreated))

		// Blocking twice is refused with the existing block.
		_, err = e.svc.CreateDomainBlock(e.ctx, nil, "evil.example", social.DomainBlockParams{})
		var exists *social.ErrDomainBlockExists
		require.ErrorAs(t, err, &exists)
		assert.Equal(t, b.ID, exists.Existing.ID)
		assert.ErrorIs(t, err, social.ErrInvalid)
		_, err = e.svc.CreateDomainBlock(e.ctx, nil, "herd.example", social.DomainBlockParams{})
		assert.ErrorIs(t, err, social.ErrInvalid, "not our own domain")
		_, err = e.svc.CreateDomainBlock(e.ctx, nil, "a b", social.DomainBlockParams{})
		assert.ErrorIs(t, err, social.ErrInvalid)

		// Lifting the block restores federation (not the follows).
		_, err = e.svc.DeleteDomainBlock(e.ctx, nil, b.ID)
		require.NoError(t, err)
		assert.False(t, d.Suspended(e.ctx, "evil.example"))
	})
}

func TestSilencedDomainStaysOffPublicTimelines(t *testing.T) {
	e := newEnv(t)
	d := withDomains(e)
	alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
	loud := e.remote("loud", "loud.example")
	e.rawFollow(alice, loud)
	e.follow(bob, carol)
	st := e.remotePost(loud, alice)
	boost, err := e.svc.Reblog(e.ctx, carol, st.ID, social.ReblogInput{})
	require.NoError(t, err)
	require.Contains(t, e.home(bob), boost.ID)

	public := func(viewer *storage.Account) []storage.ID {
		sts, err := e.svc.Public(e.ctx, viewer, storage.PublicFilter{}, storage.Page{Limit: 40})
		require.NoError(t, err)
		return ids(sts)
	}
	require.Contains(t, public(nil), st.ID)

	sev := storage.SeveritySilence
	b, err := e.svc.CreateDomainBlock(e.ctx, nil, "loud.example", social.DomainBlockParams{Severity: &sev})
	require.NoError(t, err)
	assert.True(t, d.Silenced(e.ctx, "loud.example"))
	assert.True(t, e.svc.Limited(e.ctx, loud))
	assert.NotContains(t, public(nil), st.ID, "off the public timeline for anonymous viewers")
	assert.NotContains(t, public(alice), st.ID, "and for followers too")
	assert.Contains(t, e.home(alice), st.ID, "a follower still sees it at home")
	assert.NotContains(t, e.home(bob), boost.ID, "a non-follower does not get it boosted into home")
	_, err = e.store.Follows().Get(e.ctx, alice.ID, loud.ID)
	require.NoError(t, err, "silencing severs nothing")

	// Account-level limiting uses the same helper.
	now := time.Now()
	assert.True(t, e.svc.Limited(e.ctx, &storage.Account{SilencedAt: &now}))
	assert.False(t, e.svc.Limited(e.ctx, carol))

	// Back to noop: visible again.
	noop := storage.SeverityNoop
	_, err = e.svc.UpdateDomainBlock(e.ctx, nil, b.ID, social.DomainBlockParams{Severity: &noop})
	require.NoError(t, err)
	assert.Contains(t, public(nil), st.ID)
}

func TestDomainAllows(t *testing.T) {
	e := newEnv(t)
	d := moderation.NewDomains(e.store, &moderation.DomainsOptions{AllowList: true, LocalDomain: "herd.example"})
	e.svc = social.New(e.store, e.urls, &social.Options{Events: e.events, Domains: d})
	alice := e.local("alice")
	friend := e.remote("f", "friends.example")
	e.rawFollow(alice, friend)
	a, err := e.svc.CreateDomainAllow(e.ctx, nil, "friends.example")
	require.NoError(t, err)
	again, err := e.svc.CreateDomainAllow(e.ctx, nil, "FRIENDS.example")
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID)
	assert.False(t, d.Suspended(e.ctx, "friends.example"))
	list, err := e.svc.DomainAllows(e.ctx, storage.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	_, err = e.svc.DeleteDomainAllow(e.ctx, nil, a.ID)
	require.NoError(t, err)
	assert.True(t, d.Suspended(e.ctx, "friends.example"))
	_, err = e.store.Follows().Get(e.ctx, alice.ID, friend.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "in allow-list mode, disallowing severs")
	_, err = e.svc.DeleteDomainAllow(e.ctx, nil, a.ID)
	assert.ErrorIs(t, err, social.ErrNotFound)
}
