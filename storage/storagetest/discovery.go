package storagetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunDiscovery checks a backend's storage.Discovery and
// storage.DirectStatuses: hashtag uses per day (public statuses of
// unsanctioned authors only), the trending statuses' ranking and
// exclusions, recorded activity and weekly counts, follow suggestions and
// their exclusions, and paging through an account's direct statuses.
func RunDiscovery(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Run("TagUses", func(t *testing.T) { testTagUses(t, open) })
	t.Run("TrendingStatuses", func(t *testing.T) { testTrendingStatuses(t, open) })
	t.Run("Activity", func(t *testing.T) { testActivity(t, open) })
	t.Run("Suggestions", func(t *testing.T) { testSuggestions(t, open) })
	t.Run("DirectStatuses", func(t *testing.T) { testDirectStatuses(t, open) })
	t.Run("Directory", func(t *testing.T) { testDirectory(t, open) })
}

// at gives a status the ID of a status created at tm.
func at(tm time.Time) func(*storage.Status) {
	return func(st *storage.Status) { st.ID = storage.IDAt(tm) }
}

func dayOf(tm time.Time) int64 { return tm.Unix() / 86400 }

func testTagUses(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	d := h.s.Discovery()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	noon := today.Add(12 * time.Hour)
	if noon.After(time.Now()) {
		noon = today.Add(time.Minute)
	}
	yesterday := noon.Add(-24 * time.Hour)
	old := noon.Add(-10 * 24 * time.Hour)

	alice, bob, carol := h.local(t, "alice"), h.local(t, "bob"), h.remote(t, "carol", "far.example", "")
	dave := h.remote(t, "dave", "other.example", "")
	silenced := h.local(t, "sil", func(a *storage.Account) { a.SilencedAt = ptr(time.Now().UTC()) })
	suspended := h.remote(t, "sus", "far.example", "", func(a *storage.Account) { a.SuspendedAt = ptr(time.Now().UTC()) })

	h.post(t, alice, at(noon), withTags("go", "herd"))
	h.post(t, alice, at(noon.Add(time.Second)), withTags("go"))
	h.post(t, bob, at(noon.Add(2*time.Second)), withTags("go"))
	h.post(t, carol, at(yesterday), withTags("go"))
	h.post(t, carol, at(old), withTags("go")) // out of the window
	h.post(t, dave, at(noon.Add(8*time.Second)), withTags("go"))
	// Not counted: non-public statuses, boosts, sanctioned authors.
	h.post(t, bob, at(noon.Add(3*time.Second)), withTags("go"), withVisibility(storage.VisibilityUnlisted))
	h.post(t, bob, at(noon.Add(4*time.Second)), withTags("go"), withVisibility(storage.VisibilityPrivate))
	h.post(t, bob, at(noon.Add(5*time.Second)), withTags("go"), withVisibility(storage.VisibilityDirect))
	h.post(t, silenced, at(noon.Add(6*time.Second)), withTags("go"))
	h.post(t, suspended, at(noon.Add(7*time.Second)), withTags("go"))

	since := today.Add(-6 * 24 * time.Hour)
	rows, err := d.TagUses(ctx, storage.TagUsesQuery{Since: since})
	require.NoError(t, err)
	got := map[string]map[int64]map[string][2]int64{}
	for _, r := range rows {
		if got[r.Tag] == nil {
			got[r.Tag] = map[int64]map[string][2]int64{}
		}
		if got[r.Tag][r.Day] == nil {
			got[r.Tag][r.Day] = map[string][2]int64{}
		}
		got[r.Tag][r.Day][r.Domain] = [2]int64{r.Uses, r.Accounts}
	}
	assert.Equal(t, map[string]map[int64]map[string][2]int64{
		"go":   {dayOf(noon): {"": {3, 2}, "other.example": {1, 1}}, dayOf(yesterday): {"far.example": {1, 1}}},
		"herd": {dayOf(noon): {"": {1, 1}}},
	}, got, "by tag, day and the authors' domain")

	rows, err = d.TagUses(ctx, storage.TagUsesQuery{Since: since, Until: today, Tags: []string{"GO"}})
	require.NoError(t, err)
	require.Len(t, rows, 1, "only yesterday is before until, only #go asked")
	assert.Equal(t, storage.TagDayUses{Tag: "go", Day: dayOf(yesterday), Domain: "far.example", Uses: 1, Accounts: 1}, rows[0])

	rows, err = d.TagUses(ctx, storage.TagUsesQuery{Since: since, Tags: []string{"nothing"}})
	require.NoError(t, err)
	requireEmpty(t, rows, "unused tag")
}

func testTrendingStatuses(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	d := h.s.Discovery()
	now := time.Now().UTC()
	disc := func(a *storage.Account) { a.Discoverable = true }
	alice, bob := h.local(t, "alice", disc), h.remote(t, "bob", "far.example", "", disc)
	hidden := h.local(t, "hidden") // not discoverable
	silenced := h.local(t, "sil", disc, func(a *storage.Account) { a.SilencedAt = ptr(now) })
	sensitized := h.local(t, "sens", disc, func(a *storage.Account) { a.Sensitized = true })

	counted := func(st *storage.Status, replies, reblogs, favs int64) *storage.Status {
		require.NoError(t, h.s.Statuses().AdjustCounts(ctx, st.ID, replies, reblogs, favs))
		return st
	}
	top := counted(h.post(t, alice), 1, 2, 3)                      // 6
	second := counted(h.post(t, bob), 0, 0, 4)                     // 4
	tieOld := counted(h.post(t, alice), 0, 1, 0)                   // 1
	tieNew := counted(h.post(t, bob), 1, 0, 0)                     // 1, newer
	counted(h.post(t, alice), 0, 0, 0)                             // no interaction: below minScore 1
	counted(h.post(t, alice, at(now.Add(-72*time.Hour))), 0, 0, 9) // too old
	counted(h.post(t, hidden), 0, 0, 9)
	counted(h.post(t, silenced), 0, 0, 9)
	counted(h.post(t, sensitized), 0, 0, 9)
	counted(h.post(t, alice, withVisibility(storage.VisibilityUnlisted)), 0, 0, 9)
	counted(h.post(t, alice, func(st *storage.Status) { st.Sensitive = true }), 0, 0, 9)
	counted(h.post(t, alice, func(st *storage.Status) { st.SpoilerText = "cw" }), 0, 0, 9)
	counted(h.post(t, alice, replyTo(top)), 0, 0, 9)
	counted(h.post(t, alice, func(st *storage.Status) { st.InReplyToURI = "https://far.example/unknown" }), 0, 0, 9)
	boost := h.boost(t, bob, top)
	require.NoError(t, h.s.Statuses().AdjustCounts(ctx, boost.ID, 0, 0, 9))

	got, err := d.TrendingStatuses(ctx, now.Add(-48*time.Hour), 1, 10)
	require.NoError(t, err)
	assert.Equal(t, []storage.Ranked{{ID: top.ID, Score: 6}, {ID: second.ID, Score: 4}, {ID: tieNew.ID, Score: 1}, {ID: tieOld.ID, Score: 1}}, got)

	got, err = d.TrendingStatuses(ctx, now.Add(-48*time.Hour), 4, 1)
	require.NoError(t, err)
	assert.Equal(t, []storage.Ranked{{ID: top.ID, Score: 6}}, got, "limit")
}

func testActivity(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	d := h.s.Discovery()
	week := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -14)
	next := week.AddDate(0, 0, 7)

	alice, bob := h.local(t, "alice"), h.local(t, "bob")
	remote := h.remote(t, "rem", "far.example", "")
	for i, a := range []*storage.Account{alice, bob} {
		u := &storage.User{ID: storage.IDAt(week.Add(time.Duration(i+1) * time.Hour)), AccountID: a.ID, Email: a.Username + "@herd.example"}
		require.NoError(t, h.s.Users().Create(ctx, u))
	}
	require.NoError(t, h.s.Users().Create(ctx, &storage.User{AccountID: h.local(t, "later").ID, Email: "later@herd.example"}))

	h.post(t, alice, at(week.Add(time.Hour)))
	h.post(t, alice, at(week.Add(2*time.Hour)), withVisibility(storage.VisibilityDirect))
	st := h.post(t, bob, at(next.Add(-time.Minute)))
	h.post(t, bob, at(next)) // next week
	h.post(t, remote, at(week.Add(time.Hour)))
	b := h.boost(t, bob, st)
	_ = b

	require.NoError(t, d.RecordActivity(ctx, alice.ID, week.Add(time.Hour)))
	require.NoError(t, d.RecordActivity(ctx, alice.ID, week.Add(2*time.Hour)), "same day again")
	require.NoError(t, d.RecordActivity(ctx, alice.ID, week.Add(50*time.Hour)))
	require.NoError(t, d.RecordActivity(ctx, bob.ID, next.Add(-time.Second)))
	require.NoError(t, d.RecordActivity(ctx, bob.ID, next.Add(time.Hour)))
	requireInvalid(t, d.RecordActivity(ctx, 0, week), "no account")

	c, err := d.Activity(ctx, week, next)
	require.NoError(t, err)
	assert.Equal(t, storage.ActivityCounts{Statuses: 3, Logins: 2, Registrations: 2}, c)
	c, err = d.Activity(ctx, next, next.AddDate(0, 0, 7))
	require.NoError(t, err)
	assert.Equal(t, storage.ActivityCounts{Statuses: 1, Logins: 1, Registrations: 0}, c)
	c, err = d.Activity(ctx, week.AddDate(0, 0, -7), week)
	require.NoError(t, err)
	assert.Equal(t, storage.ActivityCounts{}, c)

	// Recorded days go with the account.
	require.NoError(t, h.s.Accounts().Delete(ctx, alice.ID))
	c, err = d.Activity(ctx, week, next)
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Logins)
}

func testSuggestions(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	d := h.s.Discovery()
	disc := func(a *storage.Account) { a.Discoverable = true }
	viewer := h.local(t, "viewer", disc)
	f1, f2, f3 := h.local(t, "f1", disc), h.local(t, "f2", disc), h.remote(t, "f3", "far.example", "", disc)
	popular := h.remote(t, "popular", "far.example", "", disc) // followed by f1, f2, f3
	liked := h.local(t, "liked", disc)                         // followed by f1, f2
	once := h.local(t, "once", disc)                           // followed by f1
	hidden := h.local(t, "hidden")                             // not discoverable
	requested := h.local(t, "requested", disc)
	blocked, blocker := h.local(t, "blocked", disc), h.local(t, "blocker", disc)
	muted, expired := h.local(t, "muted", disc), h.local(t, "expired", disc)
	dismissed := h.local(t, "dismissed", disc)
	badDomain := h.remote(t, "bad", "bad.example", "", disc)
	silenced := h.local(t, "sil", disc, func(a *storage.Account) { a.SilencedAt = ptr(time.Now().UTC()) })
	suspended := h.local(t, "sus", disc, func(a *storage.Account) { a.SuspendedAt = ptr(time.Now().UTC()) })
	moved := h.local(t, "moved", disc, func(a *storage.Account) { a.MovedToID = liked.ID })

	follow := func(a, b *storage.Account) {
		require.NoError(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID}))
		require.NoError(t, h.s.Accounts().AdjustCounts(ctx, b.ID, 0, 1, 0, nil))
	}
	for _, f := range []*storage.Account{f1, f2, f3} {
		follow(viewer, f)
		follow(f, popular)
	}
	follow(f1, liked)
	follow(f2, liked)
	follow(f1, once)
	follow(f1, viewer)
	for _, x := range []*storage.Account{hidden, requested, blocked, blocker, muted, expired, dismissed, badDomain, silenced, suspended, moved} {
		follow(f1, x)
		follow(f2, x)
		follow(f3, x)
	}
	require.NoError(t, h.s.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: viewer.ID, TargetAccountID: requested.ID}))
	require.NoError(t, h.s.Blocks().Create(ctx, &storage.Block{AccountID: viewer.ID, TargetAccountID: blocked.ID}))
	require.NoError(t, h.s.Blocks().Create(ctx, &storage.Block{AccountID: blocker.ID, TargetAccountID: viewer.ID}))
	require.NoError(t, h.s.Mutes().Create(ctx, &storage.Mute{AccountID: viewer.ID, TargetAccountID: muted.ID}))
	require.NoError(t, h.s.Mutes().Create(ctx, &storage.Mute{AccountID: viewer.ID, TargetAccountID: expired.ID, ExpiresAt: ptr(time.Now().UTC().Add(-time.Hour))}))
	require.NoError(t, h.s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: viewer.ID, Domain: "bad.example"}))
	require.NoError(t, d.DismissSuggestion(ctx, viewer.ID, dismissed.ID))
	require.NoError(t, d.DismissSuggestion(ctx, viewer.ID, dismissed.ID), "dismissing twice")
	requireInvalid(t, d.DismissSuggestion(ctx, viewer.ID, 0), "no target")

	fof, err := d.FriendsOfFriends(ctx, viewer.ID, 10)
	require.NoError(t, err)
	assert.Equal(t, []storage.Ranked{{ID: expired.ID, Score: 3}, {ID: popular.ID, Score: 3}, {ID: liked.ID, Score: 2}, {ID: once.ID, Score: 1}}, fof,
		"ranked by friends following, newest first among equals; an expired mute does not exclude")
	fof, err = d.FriendsOfFriends(ctx, viewer.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, []storage.Ranked{{ID: expired.ID, Score: 3}}, fof)
	fof, err = d.FriendsOfFriends(ctx, once.ID, 10)
	require.NoError(t, err)
	requireEmpty(t, fof, "follows no one")

	most, err := d.MostFollowed(ctx, viewer.ID, 10)
	require.NoError(t, err)
	// Local accounts with followers; f1, f2 are followed by viewer already.
	assert.Equal(t, []storage.Ranked{{ID: expired.ID, Score: 3}, {ID: liked.ID, Score: 2}, {ID: once.ID, Score: 1}}, most)
	most, err = d.MostFollowed(ctx, once.ID, 10)
	require.NoError(t, err)
	assert.Contains(t, most, storage.Ranked{ID: viewer.ID, Score: 1}, "others see the viewer")
	assert.NotContains(t, most, storage.Ranked{ID: once.ID, Score: 1}, "never oneself")

	// Dismissals go with either account.
	require.NoError(t, h.s.Accounts().Delete(ctx, dismissed.ID))

	// An account that hides its collections is not gone through: whom it
	// follows stays hidden.
	reader := h.local(t, "reader", disc)
	private := h.local(t, "private", disc, func(a *storage.Account) {
		a.Extra = storage.Extra{storage.ExtraHideCollections: json.RawMessage("true")}
	})
	shown := h.local(t, "open", disc)
	secret, visible := h.local(t, "secret", disc), h.local(t, "visible", disc)
	follow(reader, private)
	follow(reader, shown)
	follow(private, secret)
	follow(shown, visible)
	fof, err = d.FriendsOfFriends(ctx, reader.ID, 10)
	require.NoError(t, err)
	assert.Equal(t, []storage.Ranked{{ID: visible.ID, Score: 1}}, fof,
		"the follows of an account hiding its collections count for nothing")
}

func testDirectStatuses(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	ds := h.s.DirectStatuses()
	alice, bob, carol := h.local(t, "alice"), h.local(t, "bob"), h.remote(t, "carol", "far.example", "")
	mention := func(as ...*storage.Account) func(*storage.Status) {
		return func(st *storage.Status) {
			for _, a := range as {
				st.Mentions = append(st.Mentions, storage.Mention{AccountID: a.ID, Username: a.Username, Acct: a.Username, URL: a.URL})
			}
		}
	}
	direct := withVisibility(storage.VisibilityDirect)
	var want []storage.ID // alice's, oldest first
	for i := 0; i < 7; i++ {
		switch i % 3 {
		case 0:
			want = append(want, h.post(t, alice, direct, mention(bob)).ID)
		case 1:
			want = append(want, h.post(t, carol, direct, mention(alice, bob)).ID)
		case 2:
			want = append(want, h.post(t, bob, direct, mention(alice)).ID)
		}
		// Not alice's direct statuses.
		h.post(t, alice, mention(bob))
		h.post(t, bob, mention(alice), withVisibility(storage.VisibilityPrivate))
		h.post(t, bob, direct, mention(carol))
	}
	newestFirst := func(ids []storage.ID) []storage.ID {
		out := append([]storage.ID(nil), ids...)
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	}
	all := newestFirst(want)
	got, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 40})
	require.NoError(t, err)
	assert.Equal(t, all, got)

	p1, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, all[:3], p1)
	p2, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 3, MaxID: p1[2]})
	require.NoError(t, err)
	assert.Equal(t, all[3:6], p2)
	p3, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 3, MaxID: p2[2]})
	require.NoError(t, err)
	assert.Equal(t, all[6:], p3)
	prev, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 2, MinID: p2[2]})
	require.NoError(t, err)
	assert.Equal(t, all[3:5], prev, "min_id: the statuses just newer, newest first")
	since, err := ds.Page(ctx, alice.ID, storage.Page{Limit: 2, SinceID: p2[2]})
	require.NoError(t, err)
	assert.Equal(t, all[:2], since, "since_id: the newest")

	got, err = ds.Page(ctx, carol.ID, storage.Page{Limit: 40})
	require.NoError(t, err)
	assert.Len(t, got, 2+7, "carol's own and those mentioning her")
}
