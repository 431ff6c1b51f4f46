package storagetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunUserData checks a backend's storage.UserData: scheduled statuses
// (media reservation, atomic claims by concurrent publishers), direct
// conversations, conversation mutes, markers (atomic version increments),
// account notes, endorsements, featured and followed tags. Each subtest
// runs on a store of its own.
func RunUserData(t *testing.T, open func(t *testing.T) storage.Store) {
	t.Run("ScheduledStatuses", func(t *testing.T) { t.Parallel(); testScheduled(t, open) })
	t.Run("ScheduledClaims", func(t *testing.T) { t.Parallel(); testScheduledClaims(t, open) })
	t.Run("Conversations", func(t *testing.T) { t.Parallel(); testConversations(t, open) })
	t.Run("ConversationMutes", func(t *testing.T) { t.Parallel(); testConversationMutes(t, open) })
	t.Run("Markers", func(t *testing.T) { t.Parallel(); testMarkers(t, open) })
	t.Run("AccountNotes", func(t *testing.T) { t.Parallel(); testAccountNotes(t, open) })
	t.Run("Endorsements", func(t *testing.T) { t.Parallel(); testEndorsements(t, open) })
	t.Run("FeaturedTags", func(t *testing.T) { t.Parallel(); testFeaturedTags(t, open) })
	t.Run("FollowedTags", func(t *testing.T) { t.Parallel(); testFollowedTags(t, open) })
}

func testScheduled(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, other := h.local(t, "sched"), h.local(t, "other")
	media := func(a *storage.Account) *storage.MediaAttachment {
		m := &storage.MediaAttachment{AccountID: a.ID, State: storage.MediaReady, Type: storage.MediaImage}
		require.NoError(t, h.s.MediaAttachments().Create(ctx, m))
		return m
	}
	m1, m2, theirs := media(me), media(me), media(other)
	at := ts(2031, 1, 2, 3, 4, 5, 6)
	yes := true
	s1 := &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: at, MediaIDs: storage.IDs{m1.ID, m2.ID, m1.ID},
		Params: storage.ScheduledParams{Text: "later 🕰", SpoilerText: "cw", Sensitive: &yes, Visibility: storage.VisibilityUnlisted,
			Language: "en", InReplyToID: 42, ApplicationID: 7, Idempotency: "key"}}
	require.NoError(t, h.s.ScheduledStatuses().Create(ctx, s1))
	require.NotZero(t, s1.ID)
	assert.Equal(t, storage.IDs{m1.ID, m2.ID}, s1.MediaIDs, "duplicates dropped")
	got := try(h.s.ScheduledStatuses().Get(ctx, me.ID, s1.ID)).must(t)
	assert.Equal(t, s1, got)
	_, err := h.s.ScheduledStatuses().Get(ctx, other.ID, s1.ID)
	requireNotFound(t, err, "another account's scheduled status")

	// Reserved media are not listed as unattached, nor reservable twice.
	unattached := try(h.s.MediaAttachments().ListUnattached(ctx, time.Now().Add(time.Hour), 100)).must(t)
	for _, m := range unattached {
		assert.NotContains(t, []storage.ID{m1.ID, m2.ID}, m.ID)
	}
	err = h.s.ScheduledStatuses().Create(ctx, &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: at, MediaIDs: storage.IDs{m1.ID}})
	requireInvalid(t, err, "reserving reserved media")
	err = h.s.ScheduledStatuses().Create(ctx, &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: at, MediaIDs: storage.IDs{theirs.ID}})
	requireInvalid(t, err, "reserving another account's media")
	requireEmpty(t, try(h.s.ScheduledStatuses().List(ctx, other.ID, storage.Page{})).must(t), "other's list")

	s2 := &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: at.Add(time.Hour), Params: storage.ScheduledParams{Text: "two"}}
	require.NoError(t, h.s.ScheduledStatuses().Create(ctx, s2))
	list := try(h.s.ScheduledStatuses().List(ctx, me.ID, storage.Page{})).must(t)
	require.Len(t, list, 2)
	assert.Equal(t, s2.ID, list[0].ID, "newest first")
	assert.Len(t, try(h.s.ScheduledStatuses().List(ctx, me.ID, storage.Page{Limit: 1, MaxID: s2.ID})).must(t), 1)
	assert.EqualValues(t, 2, try(h.s.ScheduledStatuses().Count(ctx, me.ID, at, at.Add(2*time.Hour))).must(t))
	assert.EqualValues(t, 1, try(h.s.ScheduledStatuses().Count(ctx, me.ID, at.Add(time.Minute), at.Add(2*time.Hour))).must(t))

	later := at.Add(48 * time.Hour)
	moved := try(h.s.ScheduledStatuses().Reschedule(ctx, me.ID, s1.ID, later)).must(t)
	assert.Equal(t, later, moved.ScheduledAt)
	_, err = h.s.ScheduledStatuses().Reschedule(ctx, other.ID, s1.ID, later)
	requireNotFound(t, err, "rescheduling another account's status")

	// Deleting releases the media.
	requireNotFound(t, h.s.ScheduledStatuses().Delete(ctx, other.ID, s1.ID), "deleting another account's status")
	require.NoError(t, h.s.ScheduledStatuses().Delete(ctx, me.ID, s1.ID))
	requireNotFound(t, h.s.ScheduledStatuses().Delete(ctx, me.ID, s1.ID), "deleting twice")
	require.NoError(t, h.s.ScheduledStatuses().Create(ctx, &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: at, MediaIDs: storage.IDs{m1.ID}}))
}

func testScheduledClaims(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me := h.local(t, "claim")
	now := time.Now().UTC().Truncate(time.Microsecond)
	var due []storage.ID
	for i := range 30 {
		s := &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: now.Add(-time.Duration(i) * time.Second)}
		require.NoError(t, h.s.ScheduledStatuses().Create(ctx, s))
		due = append(due, s.ID)
	}
	future := &storage.ScheduledStatus{AccountID: me.ID, ScheduledAt: now.Add(time.Hour)}
	require.NoError(t, h.s.ScheduledStatuses().Create(ctx, future))

	// Concurrent claimers share the due statuses without overlap.
	var mu sync.Mutex
	claimed := map[storage.ID]storage.ID{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				got, err := h.s.ScheduledStatuses().ClaimDue(ctx, now, time.Minute, 3)
				if !assert.NoError(t, err) || len(got) == 0 {
					return
				}
				mu.Lock()
				for _, s := range got {
					_, dup := claimed[s.ID]
					assert.False(t, dup, "status %s claimed twice", s.ID)
					assert.NotZero(t, s.StatusID)
					assert.NotNil(t, s.ClaimedAt)
					claimed[s.ID] = s.StatusID
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, claimed, len(due))
	for _, id := range due {
		assert.Contains(t, claimed, id)
	}
	// Within the lease nothing is claimable; after it, the same statuses
	// come back with the same status IDs.
	requireEmpty(t, try(h.s.ScheduledStatuses().ClaimDue(ctx, now, time.Minute, 100)).must(t), "claims within the lease")
	again := try(h.s.ScheduledStatuses().ClaimDue(ctx, now.Add(2*time.Minute), time.Minute, 100)).must(t)
	require.Len(t, again, len(due))
	for _, s := range again {
		assert.Equal(t, claimed[s.ID], s.StatusID, "a reclaimed status keeps its status ID")
	}
}

func testConversations(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob, carol := h.local(t, "me"), h.local(t, "bob"), h.remote(t, "carol", "remote.example", "")
	cv := h.s.Conversations()
	root := h.post(t, me, withVisibility(storage.VisibilityDirect))
	reply := h.post(t, bob, withVisibility(storage.VisibilityDirect), replyTo(root))
	other := h.post(t, bob, withVisibility(storage.VisibilityDirect))
	thread := root.ConversationID
	require.NotZero(t, thread)

	c := try(cv.AddStatus(ctx, me.ID, thread, root.ID, []storage.ID{me.ID, bob.ID}, false)).must(t)
	assert.Equal(t, storage.IDs{bob.ID}, c.ParticipantIDs)
	assert.Equal(t, root.ID, c.LastStatusID)
	assert.False(t, c.Unread)
	c2 := try(cv.AddStatus(ctx, me.ID, thread, reply.ID, []storage.ID{bob.ID, carol.ID, me.ID}, true)).must(t)
	assert.Equal(t, c.ID, c2.ID, "one conversation per thread")
	assert.Equal(t, reply.ID, c2.LastStatusID)
	assert.True(t, c2.Unread)
	assert.ElementsMatch(t, storage.IDs{bob.ID, carol.ID}, c2.ParticipantIDs)
	assert.Equal(t, c2, try(cv.Get(ctx, me.ID, c.ID)).must(t))
	assert.Equal(t, c2, try(cv.GetByThread(ctx, me.ID, thread)).must(t))
	_, err := cv.Get(ctx, bob.ID, c.ID)
	requireNotFound(t, err, "another account's conversation")
	_, err = cv.AddStatus(ctx, 0, thread, root.ID, nil, true)
	requireInvalid(t, err, "no account")

	c3 := try(cv.AddStatus(ctx, me.ID, other.ConversationID, other.ID, []storage.ID{bob.ID}, true)).must(t)
	try(cv.AddStatus(ctx, bob.ID, thread, reply.ID, []storage.ID{me.ID}, false)).must(t)
	list := try(cv.List(ctx, me.ID, storage.Page{})).must(t)
	require.Len(t, list, 2)
	assert.Equal(t, []storage.ID{c3.ID, c.ID}, []storage.ID{list[0].ID, list[1].ID}, "by last status, newest first")
	page := try(cv.List(ctx, me.ID, storage.Page{MaxID: other.ID})).must(t)
	require.Len(t, page, 1)
	assert.Equal(t, c.ID, page[0].ID, "paged by last status ID")

	require.NoError(t, cv.SetUnread(ctx, me.ID, c.ID, false))
	assert.False(t, try(cv.Get(ctx, me.ID, c.ID)).must(t).Unread)
	requireNotFound(t, cv.SetUnread(ctx, bob.ID, c.ID, false), "marking another account's conversation")

	// Deleting the last status falls back to the previous one; deleting
	// every status removes the conversation.
	require.NoError(t, cv.RemoveStatus(ctx, thread, reply.ID))
	assert.Equal(t, root.ID, try(cv.Get(ctx, me.ID, c.ID)).must(t).LastStatusID)
	_, err = cv.GetByThread(ctx, bob.ID, thread)
	requireNotFound(t, err, "conversation left without statuses")
	require.NoError(t, cv.RemoveStatus(ctx, thread, 12345))

	requireNotFound(t, cv.Delete(ctx, bob.ID, c3.ID), "deleting another account's conversation")
	require.NoError(t, cv.Delete(ctx, me.ID, c3.ID))
	requireNotFound(t, cv.Delete(ctx, me.ID, c3.ID), "deleting twice")
}

func testConversationMutes(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob := h.local(t, "me"), h.local(t, "bob")
	cm := h.s.ConversationMutes()
	require.NoError(t, cm.Mute(ctx, me.ID, 100))
	require.NoError(t, cm.Mute(ctx, me.ID, 100), "muting twice")
	require.NoError(t, cm.Mute(ctx, me.ID, 200))
	assert.Equal(t, map[storage.ID]bool{100: true, 200: true}, try(cm.Muted(ctx, me.ID, []storage.ID{100, 200, 300, 0})).must(t))
	assert.Empty(t, try(cm.Muted(ctx, bob.ID, []storage.ID{100})).must(t))
	assert.Empty(t, try(cm.Muted(ctx, me.ID, nil)).must(t))
	require.NoError(t, cm.Unmute(ctx, me.ID, 100))
	require.NoError(t, cm.Unmute(ctx, me.ID, 100), "unmuting twice")
	assert.Equal(t, map[storage.ID]bool{200: true}, try(cm.Muted(ctx, me.ID, []storage.ID{100, 200})).must(t))
	requireInvalid(t, cm.Mute(ctx, me.ID, 0), "no thread")
	// Read after writes made in a transaction, committed or not (a store
	// may cache each account's muted threads).
	require.NoError(t, h.s.Tx(ctx, func(tx storage.Store) error { return tx.ConversationMutes().Mute(ctx, me.ID, 300) }))
	assert.Equal(t, map[storage.ID]bool{200: true, 300: true}, try(cm.Muted(ctx, me.ID, []storage.ID{100, 200, 300})).must(t))
	errRollback := errors.New("roll back")
	require.ErrorIs(t, h.s.Tx(ctx, func(tx storage.Store) error {
		if err := tx.ConversationMutes().Unmute(ctx, me.ID, 300); err != nil {
			return err
		}
		return errRollback
	}), errRollback)
	assert.Equal(t, map[storage.ID]bool{200: true, 300: true}, try(cm.Muted(ctx, me.ID, []storage.ID{100, 200, 300})).must(t))
	require.NoError(t, h.s.Tx(ctx, func(tx storage.Store) error { return tx.ConversationMutes().Unmute(ctx, me.ID, 300) }))
	assert.Equal(t, map[storage.ID]bool{200: true}, try(cm.Muted(ctx, me.ID, []storage.ID{100, 200, 300})).must(t))
}

func testMarkers(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob := h.local(t, "me"), h.local(t, "bob")
	mk := h.s.Markers()
	assert.Empty(t, try(mk.Get(ctx, me.ID, []string{storage.MarkerHome})).must(t))
	m := try(mk.Save(ctx, me.ID, storage.MarkerHome, 123)).must(t)
	assert.Equal(t, storage.ID(123), m.LastReadID)
	assert.EqualValues(t, 1, m.Version)
	assert.False(t, m.UpdatedAt.IsZero())
	m = try(mk.Save(ctx, me.ID, storage.MarkerHome, 456)).must(t)
	assert.EqualValues(t, 2, m.Version)
	try(mk.Save(ctx, me.ID, storage.MarkerNotifications, 7)).must(t)
	got := try(mk.Get(ctx, me.ID, []string{storage.MarkerHome, storage.MarkerNotifications, "other"})).must(t)
	require.Len(t, got, 2)
	assert.Equal(t, m, got[storage.MarkerHome])
	assert.Equal(t, storage.ID(7), got[storage.MarkerNotifications].LastReadID)
	assert.Empty(t, try(mk.Get(ctx, bob.ID, []string{storage.MarkerHome})).must(t))
	_, err := mk.Save(ctx, me.ID, "", 1)
	requireInvalid(t, err, "no timeline")

	// Concurrent saves each increment the version.
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			_, err := mk.Save(ctx, bob.ID, storage.MarkerNotifications, storage.ID(i+1))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 10, try(mk.Get(ctx, bob.ID, []string{storage.MarkerNotifications})).must(t)[storage.MarkerNotifications].Version)
}

func testAccountNotes(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob, carol := h.local(t, "me"), h.local(t, "bob"), h.local(t, "carol")
	n := h.s.AccountNotes()
	require.NoError(t, n.Set(ctx, me.ID, bob.ID, "met at the café ☕"))
	require.NoError(t, n.Set(ctx, me.ID, carol.ID, "first"))
	require.NoError(t, n.Set(ctx, me.ID, carol.ID, "second"))
	assert.Equal(t, map[storage.ID]string{bob.ID: "met at the café ☕", carol.ID: "second"},
		try(n.Get(ctx, me.ID, []storage.ID{bob.ID, carol.ID, me.ID})).must(t))
	assert.Empty(t, try(n.Get(ctx, bob.ID, []storage.ID{me.ID, carol.ID})).must(t))
	require.NoError(t, n.Set(ctx, me.ID, bob.ID, ""))
	assert.Equal(t, map[storage.ID]string{carol.ID: "second"}, try(n.Get(ctx, me.ID, []storage.ID{bob.ID, carol.ID})).must(t))
	requireInvalid(t, n.Set(ctx, me.ID, 0, "x"), "no target")
}

func testEndorsements(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob, carol := h.local(t, "me"), h.local(t, "bob"), h.remote(t, "carol", "remote.example", "")
	e := h.s.Endorsements()
	e1 := &storage.Endorsement{AccountID: me.ID, TargetAccountID: bob.ID}
	require.NoError(t, e.Create(ctx, e1))
	again := &storage.Endorsement{AccountID: me.ID, TargetAccountID: bob.ID}
	require.NoError(t, e.Create(ctx, again), "endorsing twice")
	assert.Equal(t, e1.ID, again.ID)
	e2 := &storage.Endorsement{AccountID: me.ID, TargetAccountID: carol.ID}
	require.NoError(t, e.Create(ctx, e2))
	list := try(e.List(ctx, me.ID, storage.Page{})).must(t)
	require.Len(t, list, 2)
	assert.Equal(t, carol.ID, list[0].TargetAccountID, "newest first")
	assert.Equal(t, map[storage.ID]bool{bob.ID: true, carol.ID: true}, try(e.Endorsed(ctx, me.ID, []storage.ID{bob.ID, carol.ID, me.ID})).must(t))
	require.NoError(t, e.Delete(ctx, me.ID, bob.ID))
	requireNotFound(t, e.Delete(ctx, me.ID, bob.ID), "unendorsing twice")
	assert.Equal(t, map[storage.ID]bool{carol.ID: true}, try(e.Endorsed(ctx, me.ID, []storage.ID{bob.ID, carol.ID})).must(t))
	requireEmpty(t, try(e.List(ctx, bob.ID, storage.Page{})).must(t), "bob's endorsements")
	requireInvalid(t, e.Create(ctx, &storage.Endorsement{AccountID: me.ID}), "no target")
}

func testFeaturedTags(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	me, bob := h.local(t, "me"), h.local(t, "bob")
	h.post(t, me, withTags("go", "cats"))
	last := h.post(t, me, withTags("go"), withVisibility(storage.VisibilityUnlisted))
	h.post(t, me, withTags("go"), withVisibility(storage.VisibilityDirect))
	h.post(t, bob, withTags("go"))
	ft := h.s.FeaturedTags()
	f := &storage.FeaturedTag{AccountID: me.ID, Name: "#Go"}
	require.NoError(t, ft.Create(ctx, f))
	assert.Equal(t, "go", f.Name)
	requireConflict(t, ft.Create(ctx, &storage.FeaturedTag{AccountID: me.ID, Name: "GO"}), "featuring twice")
	require.NoError(t, ft.Create(ctx, &storage.FeaturedTag{AccountID: me.ID, Name: "unused"}))
	list := try(ft.List(ctx, me.ID)).must(t)
	require.Len(t, list, 2)
	assert.Equal(t, "go", list[0].Name)
	assert.EqualValues(t, 2, list[0].StatusesCount, "public and unlisted statuses count")
	require.NotNil(t, list[0].LastStatusAt)
	assert.Equal(t, last.ID.Time(), *list[0].LastStatusAt)
	assert.EqualValues(t, 0, list[1].StatusesCount)
	assert.Nil(t, list[1].LastStatusAt)
	requireEmpty(t, try(ft.List(ctx, bob.ID)).must(t), "bob's featured tags")

	used := try(ft.MostUsed(ctx, me.ID, 10)).must(t)
	require.Len(t, used, 2)
	assert.Equal(t, storage.TagUse{Name: "go", Uses: 3}, used[0])

	requireNotFound(t, ft.Delete(ctx, bob.ID, f.ID), "deleting another account's featured tag")
	require.NoError(t, ft.Delete(ctx, me.ID, f.ID))
	require.NoError(t, ft.DeleteByName(ctx, me.ID, "Unused"))
	requireNotFound(t, ft.DeleteByName(ctx, me.ID, "unused"), "unfeaturing twice")
	requireEmpty(t, try(ft.List(ctx, me.ID)).must(t), "after deletes")
}

func testFollowedTags(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	author := h.remote(t, "author", "remote.example", "")
	me, bob, carol, dave, eve := h.local(t, "me"), h.local(t, "bob"), h.local(t, "carol"), h.local(t, "dave"), h.local(t, "eve")
	remote := h.remote(t, "far", "far.example", "")
	ft := h.s.FollowedTags()
	require.NoError(t, ft.Follow(ctx, me.ID, "#Go"))
	require.NoError(t, ft.Follow(ctx, me.ID, "go"), "following twice")
	require.NoError(t, ft.Follow(ctx, me.ID, "cats"))
	for _, a := range []*storage.Account{bob, carol, dave, eve, remote} {
		require.NoError(t, ft.Follow(ctx, a.ID, "go"))
	}
	list := try(ft.List(ctx, me.ID, storage.Page{})).must(t)
	require.Len(t, list, 2)
	assert.Equal(t, "cats", list[0].Name, "newest first")
	assert.Equal(t, map[string]bool{"go": true, "cats": true}, try(ft.Following(ctx, me.ID, []string{"GO", "cats", "dogs"})).must(t))

	require.NoError(t, h.s.Blocks().Create(ctx, &storage.Block{AccountID: bob.ID, TargetAccountID: author.ID}))
	require.NoError(t, h.s.Mutes().Create(ctx, &storage.Mute{AccountID: carol.ID, TargetAccountID: author.ID}))
	require.NoError(t, h.s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: dave.ID, Domain: "remote.example"}))
	got := try(ft.Audience(ctx, []string{"Go", "cats"}, storage.AudienceQuery{AuthorID: author.ID, AuthorDomain: author.Domain})).must(t)
	assert.Equal(t, []storage.ID{me.ID, eve.ID}, got, "local followers of the tags that do not block or mute the author")
	assert.Equal(t, []storage.ID{me.ID}, try(ft.Audience(ctx, []string{"cats"}, storage.AudienceQuery{AuthorID: author.ID})).must(t))
	assert.Equal(t, []storage.ID{bob.ID, carol.ID, dave.ID, eve.ID}, try(ft.Audience(ctx, []string{"go"}, storage.AudienceQuery{AuthorID: me.ID})).must(t))
	requireEmpty(t, try(ft.Audience(ctx, nil, storage.AudienceQuery{AuthorID: me.ID})).must(t), "no tags")

	require.NoError(t, ft.Unfollow(ctx, me.ID, "GO"))
	require.NoError(t, ft.Unfollow(ctx, me.ID, "go"), "unfollowing twice")
	assert.Equal(t, map[string]bool{"cats": true}, try(ft.Following(ctx, me.ID, []string{"go", "cats"})).must(t))
	requireInvalid(t, ft.Follow(ctx, me.ID, " # "), "empty name")
}
