package storagetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunLists checks a backend's storage.Lists: CRUD with defaults and
// validation, members (idempotent adds, paging by account ID, removal with
// the member's list feed entries), the listings used by the API and by
// fan-out, and the cascades: a deleted follow takes the followed account
// out of the follower's lists, a deleted list takes its feed, a deleted
// account its lists.
func RunLists(t *testing.T, open func(t *testing.T) storage.Store) {
	follow := func(t *testing.T, h *harness, a, b *storage.Account) {
		t.Helper()
		require.NoError(t, h.s.Follows().Create(t.Context(), &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID, ShowReblogs: true}))
	}

	t.Run("CRUD", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "lo")
		l := &storage.List{AccountID: a.ID, Title: "Friends — 友達 🐑"}
		require.NoError(t, h.s.Lists().Create(ctx, l))
		require.NotZero(t, l.ID)
		assert.Equal(t, storage.RepliesList, l.RepliesPolicy, "replies policy defaults to list")
		assert.False(t, l.CreatedAt.IsZero())
		assert.Equal(t, l.CreatedAt, l.UpdatedAt)
		got := try(h.s.Lists().Get(ctx, l.ID)).must(t)
		assert.Equal(t, l, got)

		l.Title, l.RepliesPolicy, l.Exclusive = "Work", storage.RepliesNone, true
		require.NoError(t, h.s.Lists().Update(ctx, l))
		got = try(h.s.Lists().Get(ctx, l.ID)).must(t)
		assert.Equal(t, l, got)
		assert.True(t, got.Exclusive)

		requireInvalid(t, h.s.Lists().Create(ctx, &storage.List{AccountID: a.ID}), "list without title")
		requireInvalid(t, h.s.Lists().Create(ctx, &storage.List{AccountID: a.ID, Title: "   "}), "blank title")
		requireInvalid(t, h.s.Lists().Create(ctx, &storage.List{Title: "x"}), "list without owner")
		requireInvalid(t, h.s.Lists().Create(ctx, &storage.List{AccountID: a.ID, Title: "x", RepliesPolicy: "all"}), "unknown policy")
		bad := *l
		bad.RepliesPolicy = "everyone"
		requireInvalid(t, h.s.Lists().Update(ctx, &bad), "update to an unknown policy")
		requireNotFound(t, h.s.Lists().Update(ctx, &storage.List{ID: 424242, AccountID: a.ID, Title: "x", RepliesPolicy: storage.RepliesList}), "update of an unknown list")
		requireConflict(t, h.s.Lists().Create(ctx, &storage.List{ID: l.ID, AccountID: a.ID, Title: "dup"}), "duplicate ID")

		l2 := &storage.List{AccountID: a.ID, Title: "Second", RepliesPolicy: storage.RepliesFollowed}
		require.NoError(t, h.s.Lists().Create(ctx, l2))
		other := h.local(t, "lo")
		require.NoError(t, h.s.Lists().Create(ctx, &storage.List{AccountID: other.ID, Title: "Not a's"}))
		mine := try(h.s.Lists().ByAccount(ctx, a.ID)).must(t)
		require.Len(t, mine, 2)
		assert.Equal(t, []storage.ID{l.ID, l2.ID}, []storage.ID{mine[0].ID, mine[1].ID}, "oldest first")
		requireEmpty(t, try(h.s.Lists().ByAccount(ctx, 424242)).must(t), "lists of an unknown account")

		require.NoError(t, h.s.Lists().Delete(ctx, l.ID))
		_, err := h.s.Lists().Get(ctx, l.ID)
		requireNotFound(t, err, "Get after Delete")
		requireNotFound(t, h.s.Lists().Delete(ctx, l.ID), "second Delete")
	})

	t.Run("Members", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		owner := h.local(t, "mo")
		l := &storage.List{AccountID: owner.ID, Title: "people"}
		require.NoError(t, h.s.Lists().Create(ctx, l))
		var members []*storage.Account
		for i := 0; i < 5; i++ {
			m := h.remote(t, "mm", "remote.example", "")
			follow(t, h, owner, m)
			members = append(members, m)
		}
		ids := accountIDs(members)
		require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, ids[:3]))
		require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, append(ids[1:], ids[1])), "adding members again is harmless")
		require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, nil))
		assert.Equal(t, ids, try(h.s.Lists().MemberIDs(ctx, l.ID)).must(t))

		requireNotFound(t, h.s.Lists().AddMembers(ctx, 424242, ids[:1]), "add to an unknown list")
		requireNotFound(t, h.s.Lists().AddMembers(ctx, l.ID, []storage.ID{424242}), "add an unknown account")
		assert.Equal(t, ids, try(h.s.Lists().MemberIDs(ctx, l.ID)).must(t), "a failed add changes nothing")

		// Paging, newest account first.
		page := try(h.s.Lists().Members(ctx, l.ID, storage.Page{Limit: 2})).must(t)
		assert.Equal(t, []storage.ID{ids[4], ids[3]}, page)
		page = try(h.s.Lists().Members(ctx, l.ID, storage.Page{Limit: 2, MaxID: ids[3]})).must(t)
		assert.Equal(t, []storage.ID{ids[2], ids[1]}, page)
		page = try(h.s.Lists().Members(ctx, l.ID, storage.Page{Limit: 2, MinID: ids[0]})).must(t)
		assert.Equal(t, []storage.ID{ids[2], ids[1]}, page, "min_id pages just above the cursor")
		page = try(h.s.Lists().Members(ctx, l.ID, storage.Page{Limit: 2, SinceID: ids[0]})).must(t)
		assert.Equal(t, []storage.ID{ids[4], ids[3]}, page, "since_id gives the newest")
		page = try(h.s.Lists().Members(ctx, l.ID, storage.Page{Limit: 1000})).must(t)
		assert.Len(t, page, 5)
		requireEmpty(t, try(h.s.Lists().Members(ctx, 424242, storage.Page{})).must(t), "members of an unknown list")

		// Containing and Memberships.
		l2 := &storage.List{AccountID: owner.ID, Title: "more", Exclusive: true, RepliesPolicy: storage.RepliesNone}
		require.NoError(t, h.s.Lists().Create(ctx, l2))
		require.NoError(t, h.s.Lists().AddMembers(ctx, l2.ID, ids[:1]))
		other := h.local(t, "mo")
		follow(t, h, other, members[0])
		l3 := &storage.List{AccountID: other.ID, Title: "theirs"}
		require.NoError(t, h.s.Lists().Create(ctx, l3))
		require.NoError(t, h.s.Lists().AddMembers(ctx, l3.ID, ids[:1]))

		cont := try(h.s.Lists().Containing(ctx, owner.ID, ids[0])).must(t)
		require.Len(t, cont, 2)
		assert.Equal(t, l.ID, cont[0].ID)
		assert.Equal(t, l2, cont[1])
		requireEmpty(t, try(h.s.Lists().Containing(ctx, other.ID, ids[1])).must(t), "lists of other holding a non-member")
		ms := try(h.s.Lists().Memberships(ctx, ids[0])).must(t)
		assert.Equal(t, []storage.ListMembership{
			{ListID: l.ID, OwnerID: owner.ID, RepliesPolicy: storage.RepliesList},
			{ListID: l2.ID, OwnerID: owner.ID, RepliesPolicy: storage.RepliesNone, Exclusive: true},
			{ListID: l3.ID, OwnerID: other.ID, RepliesPolicy: storage.RepliesList},
		}, ms)
		requireEmpty(t, try(h.s.Lists().Memberships(ctx, owner.ID)).must(t), "memberships of a non-member")

		// Removing members takes their entries out of the list's feed.
		st0, st1 := h.post(t, members[0]), h.post(t, members[1])
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l.ID),
			storage.FeedEntry{StatusID: st0.ID, AuthorID: members[0].ID}, storage.FeedEntry{StatusID: st1.ID, AuthorID: members[1].ID}))
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l3.ID), storage.FeedEntry{StatusID: st0.ID, AuthorID: members[0].ID}))
		require.NoError(t, h.s.Lists().RemoveMembers(ctx, l.ID, []storage.ID{ids[0], ids[0], 424242}))
		assert.Equal(t, ids[1:], try(h.s.Lists().MemberIDs(ctx, l.ID)).must(t))
		assert.Equal(t, []storage.ID{st1.ID}, entryIDs(try(h.s.Feeds().Page(ctx, storage.ListFeed(l.ID), storage.Page{})).must(t)))
		assert.Equal(t, []storage.ID{st0.ID}, entryIDs(try(h.s.Feeds().Page(ctx, storage.ListFeed(l3.ID), storage.Page{})).must(t)),
			"other lists keep their entries")
		require.NoError(t, h.s.Lists().RemoveMembers(ctx, l.ID, nil))
	})

	t.Run("UnfollowLeavesLists", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		owner, other := h.local(t, "uo"), h.local(t, "uo")
		m, keep := h.remote(t, "um", "remote.example", ""), h.remote(t, "um", "remote.example", "")
		for _, pair := range [][2]*storage.Account{{owner, m}, {owner, keep}, {other, m}} {
			follow(t, h, pair[0], pair[1])
		}
		l1 := &storage.List{AccountID: owner.ID, Title: "a"}
		l2 := &storage.List{AccountID: owner.ID, Title: "b"}
		l3 := &storage.List{AccountID: other.ID, Title: "c"}
		for _, l := range []*storage.List{l1, l2, l3} {
			require.NoError(t, h.s.Lists().Create(ctx, l))
			require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, []storage.ID{m.ID}))
		}
		require.NoError(t, h.s.Lists().AddMembers(ctx, l1.ID, []storage.ID{keep.ID}))
		st, kst := h.post(t, m), h.post(t, keep)
		for _, l := range []*storage.List{l1, l2, l3} {
			require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l.ID), storage.FeedEntry{StatusID: st.ID, AuthorID: m.ID}))
		}
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l1.ID), storage.FeedEntry{StatusID: kst.ID, AuthorID: keep.ID}))

		require.NoError(t, h.s.Follows().Delete(ctx, owner.ID, m.ID))
		assert.Equal(t, []storage.ID{keep.ID}, try(h.s.Lists().MemberIDs(ctx, l1.ID)).must(t))
		requireEmpty(t, try(h.s.Lists().MemberIDs(ctx, l2.ID)).must(t), "l2 after unfollow")
		assert.Equal(t, []storage.ID{m.ID}, try(h.s.Lists().MemberIDs(ctx, l3.ID)).must(t), "another owner's list keeps the member")
		assert.Equal(t, []storage.ID{kst.ID}, entryIDs(try(h.s.Feeds().Page(ctx, storage.ListFeed(l1.ID), storage.Page{})).must(t)))
		requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.ListFeed(l2.ID), storage.Page{})).must(t), "l2 feed after unfollow")
		assert.Equal(t, []storage.ID{st.ID}, entryIDs(try(h.s.Feeds().Page(ctx, storage.ListFeed(l3.ID), storage.Page{})).must(t)))
		requireNotFound(t, h.s.Follows().Delete(ctx, owner.ID, m.ID), "second unfollow")

		// Inside a transaction too.
		require.NoError(t, h.s.Tx(ctx, func(tx storage.Store) error { return tx.Follows().Delete(ctx, other.ID, m.ID) }))
		requireEmpty(t, try(h.s.Lists().MemberIDs(ctx, l3.ID)).must(t), "l3 after unfollow in a transaction")
	})

	t.Run("Cascades", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		owner, m := h.local(t, "co"), h.local(t, "cm")
		follow(t, h, owner, m)
		l := &storage.List{AccountID: owner.ID, Title: "x"}
		require.NoError(t, h.s.Lists().Create(ctx, l))
		require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, []storage.ID{m.ID}))
		st := h.post(t, m)
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l.ID), storage.FeedEntry{StatusID: st.ID, AuthorID: m.ID}))

		// Deleting the list deletes its feed.
		require.NoError(t, h.s.Lists().Delete(ctx, l.ID))
		requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.ListFeed(l.ID), storage.Page{})).must(t), "feed of a deleted list")
		requireEmpty(t, try(h.s.Lists().MemberIDs(ctx, l.ID)).must(t), "members of a deleted list")

		// Deleting a member's account takes it out of lists.
		l = &storage.List{AccountID: owner.ID, Title: "y"}
		require.NoError(t, h.s.Lists().Create(ctx, l))
		require.NoError(t, h.s.Lists().AddMembers(ctx, l.ID, []storage.ID{m.ID}))
		require.NoError(t, h.s.Accounts().Delete(ctx, m.ID))
		requireEmpty(t, try(h.s.Lists().MemberIDs(ctx, l.ID)).must(t), "members after the member's account is deleted")

		// Deleting the owner deletes its lists and their feeds.
		m2 := h.local(t, "cm")
		st2 := h.post(t, m2)
		require.NoError(t, h.s.Feeds().Insert(ctx, storage.ListFeed(l.ID), storage.FeedEntry{StatusID: st2.ID, AuthorID: m2.ID}))
		require.NoError(t, h.s.Accounts().Delete(ctx, owner.ID))
		_, err := h.s.Lists().Get(ctx, l.ID)
		requireNotFound(t, err, "list of a deleted account")
		requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.ListFeed(l.ID), storage.Page{})).must(t), "feed of a deleted account's list")
	})
}
