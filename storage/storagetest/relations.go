package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func followIDs[F *storage.Follow | *storage.FollowRequest](fs []F) []storage.ID {
	out := make([]storage.ID, len(fs))
	for i, f := range fs {
		out[i] = (*storage.Follow)(f).ID
	}
	return out
}

func testFollows(t *testing.T, open Opener) {
	h := newHarness(t, open)

	t.Run("CRUD", func(t *testing.T) {
		ctx := t.Context()
		a, b := h.local(t, "fa"), h.remote(t, "fb", "remote.example", "")
		f := &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID, URI: "https://herd.example/follows/1", ShowReblogs: true}
		require.NoError(t, h.s.Follows().Create(ctx, f))
		require.NotZero(t, f.ID)
		require.NotNil(t, f.Languages, "Languages is never nil")
		require.Equal(t, f, try(h.s.Follows().Get(ctx, a.ID, b.ID)).must(t))
		require.Equal(t, f, try(h.s.Follows().GetByURI(ctx, f.URI)).must(t))

		f.ShowReblogs = false
		f.Notify = true
		f.Languages = storage.Strings{"de", "en"}
		require.NoError(t, h.s.Follows().Update(ctx, f))
		require.Equal(t, f, try(h.s.Follows().Get(ctx, a.ID, b.ID)).must(t))

		requireConflict(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID}), "duplicate follow")
		requireInvalid(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID}), "follow without target")
		_, err := h.s.Follows().Get(ctx, b.ID, a.ID)
		requireNotFound(t, err, "Get of the reverse follow")
		_, err = h.s.Follows().GetByURI(ctx, "")
		requireNotFound(t, err, "GetByURI(\"\")")
		_, err = h.s.Follows().GetByURI(ctx, "https://herd.example/follows/none")
		requireNotFound(t, err, "GetByURI of an unknown URI")

		require.NoError(t, h.s.Follows().Delete(ctx, a.ID, b.ID))
		_, err = h.s.Follows().Get(ctx, a.ID, b.ID)
		requireNotFound(t, err, "Get after Delete")
		requireNotFound(t, h.s.Follows().Delete(ctx, a.ID, b.ID), "Delete twice")
		requireNotFound(t, h.s.Follows().Update(ctx, f), "Update of a deleted follow")
		// Following again after unfollowing works.
		require.NoError(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: b.ID}))
	})

	t.Run("Lists", func(t *testing.T) {
		ctx := t.Context()
		target := h.local(t, "popular")
		var followers []*storage.Account
		var follows []*storage.Follow
		for i := 0; i < 4; i++ {
			var a *storage.Account
			if i%2 == 0 {
				a = h.local(t, "follower")
			} else {
				a = h.remote(t, "follower", "remote.example", "")
			}
			followers = append(followers, a)
			f := &storage.Follow{AccountID: a.ID, TargetAccountID: target.ID}
			require.NoError(t, h.s.Follows().Create(ctx, f))
			follows = append(follows, f)
		}
		got := followIDs(try(h.s.Follows().Followers(ctx, target.ID, storage.Page{})).must(t))
		require.Equal(t, []storage.ID{follows[3].ID, follows[2].ID, follows[1].ID, follows[0].ID}, got, "by follow ID, newest first")
		got = followIDs(try(h.s.Follows().Followers(ctx, target.ID, storage.Page{MaxID: follows[3].ID, Limit: 2})).must(t))
		require.Equal(t, []storage.ID{follows[2].ID, follows[1].ID}, got)
		got = followIDs(try(h.s.Follows().Following(ctx, followers[2].ID, storage.Page{})).must(t))
		require.Equal(t, []storage.ID{follows[2].ID}, got)
		requireEmpty(t, try(h.s.Follows().Following(ctx, target.ID, storage.Page{})).must(t), "Following of an account following no one")

		ids := try(h.s.Follows().FollowerIDs(ctx, target.ID, false)).must(t)
		require.ElementsMatch(t, accountIDs(followers), ids)
		ids = try(h.s.Follows().FollowerIDs(ctx, target.ID, true)).must(t)
		require.ElementsMatch(t, []storage.ID{followers[0].ID, followers[2].ID}, ids, "localOnly")
		requireEmpty(t, try(h.s.Follows().FollowerIDs(ctx, followers[0].ID, false)).must(t), "FollowerIDs of an account without followers")
	})

	t.Run("FollowerInboxes", func(t *testing.T) {
		ctx := t.Context()
		target := h.local(t, "inboxed")
		shared := "https://big.example/inbox"
		followers := []*storage.Account{
			h.remote(t, "r", "big.example", shared),
			h.remote(t, "r", "big.example", shared),
			h.remote(t, "r", "small.example", ""),
			h.remote(t, "r", "small.example", ""),
			h.remote(t, "r", "none.example", "", func(a *storage.Account) { a.InboxURI = "" }),
			h.local(t, "l"),
		}
		for _, a := range followers {
			require.NoError(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: a.ID, TargetAccountID: target.ID}))
		}
		// Someone else's follower is not delivered to.
		other := h.remote(t, "r", "elsewhere.example", "https://elsewhere.example/inbox")
		require.NoError(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: other.ID, TargetAccountID: followers[5].ID}))

		inboxes := try(h.s.Follows().FollowerInboxes(ctx, target.ID)).must(t)
		require.ElementsMatch(t, []string{shared, followers[2].InboxURI, followers[3].InboxURI}, inboxes,
			"shared inbox preferred and listed once; personal inboxes otherwise; no local or inbox-less followers")
		requireEmpty(t, try(h.s.Follows().FollowerInboxes(ctx, other.ID)).must(t), "FollowerInboxes without followers")
	})

	t.Run("Requests", func(t *testing.T) {
		ctx := t.Context()
		locked := h.local(t, "locked", func(a *storage.Account) { a.Locked = true })
		var reqs []*storage.FollowRequest
		for i := 0; i < 3; i++ {
			a := h.remote(t, "asker", "remote.example", "")
			r := &storage.FollowRequest{AccountID: a.ID, TargetAccountID: locked.ID, URI: "https://remote.example/follows/" + h.name("")}
			require.NoError(t, h.s.Follows().CreateRequest(ctx, r))
			reqs = append(reqs, r)
		}
		require.Equal(t, reqs[1], try(h.s.Follows().GetRequest(ctx, reqs[1].AccountID, locked.ID)).must(t))
		require.Equal(t, reqs[2], try(h.s.Follows().GetRequestByURI(ctx, reqs[2].URI)).must(t))
		got := followIDs(try(h.s.Follows().Requests(ctx, locked.ID, storage.Page{})).must(t))
		require.Equal(t, []storage.ID{reqs[2].ID, reqs[1].ID, reqs[0].ID}, got)
		requireConflict(t, h.s.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: reqs[0].AccountID, TargetAccountID: locked.ID}), "duplicate request")
		// A request is not a follow.
		_, err := h.s.Follows().Get(ctx, reqs[0].AccountID, locked.ID)
		requireNotFound(t, err, "Get of a requested follow")

		require.NoError(t, h.s.Follows().DeleteRequest(ctx, reqs[0].AccountID, locked.ID))
		_, err = h.s.Follows().GetRequest(ctx, reqs[0].AccountID, locked.ID)
		requireNotFound(t, err, "GetRequest after DeleteRequest")
		requireNotFound(t, h.s.Follows().DeleteRequest(ctx, reqs[0].AccountID, locked.ID), "DeleteRequest twice")
		_, err = h.s.Follows().GetRequestByURI(ctx, "https://remote.example/follows/none")
		requireNotFound(t, err, "GetRequestByURI of an unknown URI")
		requireEmpty(t, try(h.s.Follows().Requests(ctx, reqs[0].AccountID, storage.Page{})).must(t), "Requests of an account without requests")
	})

	t.Run("States", func(t *testing.T) {
		ctx := t.Context()
		v := h.local(t, "viewer")
		following, followedBy, mutual, requested, requestedBy, none := h.local(t, "t"), h.local(t, "t"), h.local(t, "t"), h.local(t, "t"), h.local(t, "t"), h.local(t, "t")
		f1 := &storage.Follow{AccountID: v.ID, TargetAccountID: following.ID, Notify: true}
		f2 := &storage.Follow{AccountID: v.ID, TargetAccountID: mutual.ID}
		for _, f := range []*storage.Follow{f1, f2,
			{AccountID: followedBy.ID, TargetAccountID: v.ID},
			{AccountID: mutual.ID, TargetAccountID: v.ID},
		} {
			require.NoError(t, h.s.Follows().Create(ctx, f))
		}
		require.NoError(t, h.s.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: v.ID, TargetAccountID: requested.ID}))
		require.NoError(t, h.s.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: requestedBy.ID, TargetAccountID: v.ID}))
		// Relations between others do not leak in.
		require.NoError(t, h.s.Follows().Create(ctx, &storage.Follow{AccountID: none.ID, TargetAccountID: following.ID}))

		got := try(h.s.Follows().States(ctx, v.ID, accountIDs([]*storage.Account{following, followedBy, mutual, requested, requestedBy, none}))).must(t)
		require.Equal(t, storage.FollowState{Following: f1}, got[following.ID])
		require.Equal(t, storage.FollowState{FollowedBy: true}, got[followedBy.ID])
		require.Equal(t, storage.FollowState{Following: f2, FollowedBy: true}, got[mutual.ID])
		require.Equal(t, storage.FollowState{Requested: true}, got[requested.ID])
		require.Equal(t, storage.FollowState{RequestedBy: true}, got[requestedBy.ID])
		require.Equal(t, storage.FollowState{}, got[none.ID])
		empty := try(h.s.Follows().States(ctx, v.ID, nil)).must(t)
		require.NotNil(t, empty)
		require.Empty(t, empty)
	})
}

func testFavourites(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	a, b, author := h.local(t, "fan"), h.remote(t, "fan", "remote.example", ""), h.local(t, "author")
	s1, s2 := h.post(t, author), h.post(t, author)

	f := &storage.Favourite{AccountID: a.ID, StatusID: s2.ID}
	require.NoError(t, h.s.Favourites().Create(ctx, f))
	require.NotZero(t, f.ID)
	require.Equal(t, f, try(h.s.Favourites().Get(ctx, a.ID, s2.ID)).must(t))
	f2 := &storage.Favourite{AccountID: a.ID, StatusID: s1.ID} // an older status favourited later
	require.NoError(t, h.s.Favourites().Create(ctx, f2))
	fb := &storage.Favourite{AccountID: b.ID, StatusID: s2.ID, URI: "https://remote.example/likes/1"}
	require.NoError(t, h.s.Favourites().Create(ctx, fb))
	require.Equal(t, fb, try(h.s.Favourites().GetByURI(ctx, fb.URI)).must(t))

	byAcct := try(h.s.Favourites().ByAccount(ctx, a.ID, storage.Page{})).must(t)
	require.Equal(t, []*storage.Favourite{f2, f}, byAcct, "by favourite ID, newest first")
	byStatus := try(h.s.Favourites().ByStatus(ctx, s2.ID, storage.Page{})).must(t)
	require.Equal(t, []*storage.Favourite{fb, f}, byStatus)
	byStatus = try(h.s.Favourites().ByStatus(ctx, s2.ID, storage.Page{MaxID: fb.ID})).must(t)
	require.Equal(t, []*storage.Favourite{f}, byStatus)

	requireConflict(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: a.ID, StatusID: s2.ID}), "duplicate favourite")
	requireInvalid(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: a.ID}), "favourite without status")
	_, err := h.s.Favourites().Get(ctx, b.ID, s1.ID)
	requireNotFound(t, err, "Get")
	_, err = h.s.Favourites().GetByURI(ctx, "")
	requireNotFound(t, err, "GetByURI(\"\")")

	require.NoError(t, h.s.Favourites().Delete(ctx, a.ID, s2.ID))
	requireNotFound(t, h.s.Favourites().Delete(ctx, a.ID, s2.ID), "Delete twice")
	require.Equal(t, []*storage.Favourite{f2}, try(h.s.Favourites().ByAccount(ctx, a.ID, storage.Page{})).must(t))
	requireEmpty(t, try(h.s.Favourites().ByAccount(ctx, author.ID, storage.Page{})).must(t), "ByAccount without favourites")
	requireEmpty(t, try(h.s.Favourites().ByStatus(ctx, h.s.NewID(), storage.Page{})).must(t), "ByStatus without favourites")
}

func testBookmarks(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	a, author := h.local(t, "reader"), h.remote(t, "author", "remote.example", "")
	s1, s2, s3 := h.post(t, author), h.post(t, author), h.post(t, author)
	var bms []*storage.Bookmark
	for _, st := range []*storage.Status{s2, s3, s1} {
		b := &storage.Bookmark{AccountID: a.ID, StatusID: st.ID}
		require.NoError(t, h.s.Bookmarks().Create(ctx, b))
		require.NotZero(t, b.ID)
		bms = append(bms, b)
	}
	require.Equal(t, []*storage.Bookmark{bms[2], bms[1], bms[0]}, try(h.s.Bookmarks().ByAccount(ctx, a.ID, storage.Page{})).must(t))
	require.Equal(t, []*storage.Bookmark{bms[1]}, try(h.s.Bookmarks().ByAccount(ctx, a.ID, storage.Page{MaxID: bms[2].ID, MinID: bms[0].ID})).must(t))
	requireConflict(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: a.ID, StatusID: s1.ID}), "duplicate bookmark")
	requireInvalid(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{StatusID: s1.ID}), "bookmark without account")
	require.NoError(t, h.s.Bookmarks().Delete(ctx, a.ID, s3.ID))
	requireNotFound(t, h.s.Bookmarks().Delete(ctx, a.ID, s3.ID), "Delete twice")
	require.Equal(t, []*storage.Bookmark{bms[2], bms[0]}, try(h.s.Bookmarks().ByAccount(ctx, a.ID, storage.Page{})).must(t))
	requireEmpty(t, try(h.s.Bookmarks().ByAccount(ctx, author.ID, storage.Page{})).must(t), "ByAccount without bookmarks")
}

func testPins(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	a, other := h.local(t, "pinner"), h.local(t, "other")
	s1, s2, s3 := h.post(t, a), h.post(t, a), h.post(t, a)
	var pins []*storage.Pin
	for _, st := range []*storage.Status{s3, s1, s2} {
		p := &storage.Pin{AccountID: a.ID, StatusID: st.ID}
		require.NoError(t, h.s.Pins().Create(ctx, p))
		require.NotZero(t, p.ID)
		pins = append(pins, p)
	}
	require.NoError(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: other.ID, StatusID: h.post(t, other).ID}))
	require.Equal(t, []*storage.Pin{pins[2], pins[1], pins[0]}, try(h.s.Pins().ByAccount(ctx, a.ID)).must(t), "newest pin first")
	require.Equal(t, int64(3), try(h.s.Pins().Count(ctx, a.ID)).must(t))
	requireConflict(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: a.ID, StatusID: s1.ID}), "duplicate pin")
	requireInvalid(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: a.ID}), "pin without status")
	require.NoError(t, h.s.Pins().Delete(ctx, a.ID, s1.ID))
	requireNotFound(t, h.s.Pins().Delete(ctx, a.ID, s1.ID), "Delete twice")
	require.Equal(t, []*storage.Pin{pins[2], pins[0]}, try(h.s.Pins().ByAccount(ctx, a.ID)).must(t))
	require.Equal(t, int64(2), try(h.s.Pins().Count(ctx, a.ID)).must(t))
	requireEmpty(t, try(h.s.Pins().ByAccount(ctx, h.local(t, "nopins").ID)).must(t), "ByAccount without pins")
}
