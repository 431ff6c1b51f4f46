package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// checkPaging checks the Mastodon pagination semantics of a listing whose
// complete contents, newest first, are want. list returns one page of IDs.
func checkPaging(t *testing.T, want []storage.ID, list func(p storage.Page) []storage.ID) {
	t.Helper()
	n := len(want)
	require.GreaterOrEqual(t, n, 12, "checkPaging needs at least 12 records")
	page := func(p storage.Page) []storage.ID {
		t.Helper()
		got := list(p)
		require.NotNil(t, got, "a page is never nil")
		return got
	}
	window := func(from, to int) []storage.ID { // want[from:to], clamped
		from, to = max(0, min(from, n)), max(0, min(to, n))
		return append([]storage.ID{}, want[from:to]...)
	}
	newest, oldest := want[0], want[n-1]

	// Limits: default 20, at most 40, at least 1.
	require.Equal(t, window(0, storage.DefaultLimit), page(storage.Page{}), "default limit")
	require.Equal(t, window(0, storage.DefaultLimit), page(storage.Page{Limit: -5}), "negative limit means default")
	require.Equal(t, window(0, storage.MaxLimit), page(storage.Page{Limit: 1000}), "limit clamped to the maximum")
	require.Equal(t, window(0, 1), page(storage.Page{Limit: 1}))

	// max_id: strictly older.
	require.Equal(t, window(5, 10), page(storage.Page{MaxID: want[4], Limit: 5}), "max_id")
	require.Equal(t, window(n-3, n), page(storage.Page{MaxID: want[n-4], Limit: 10}), "max_id near the oldest end")
	require.Equal(t, []storage.ID{}, page(storage.Page{MaxID: oldest}), "max_id at the oldest record")
	require.Equal(t, window(0, 5), page(storage.Page{MaxID: newest + 1, Limit: 5}), "max_id above the newest")

	// since_id: strictly newer, the newest ones.
	require.Equal(t, window(0, 4), page(storage.Page{SinceID: want[10], Limit: 4}), "since_id keeps the newest")
	require.Equal(t, window(0, 10), page(storage.Page{SinceID: want[10], Limit: 40}), "since_id with room")
	require.Equal(t, []storage.ID{}, page(storage.Page{SinceID: newest}), "since_id at the newest record")

	// min_id: strictly newer, those immediately newer, returned newest first.
	require.Equal(t, window(6, 10), page(storage.Page{MinID: want[10], Limit: 4}), "min_id keeps the oldest, newest first")
	require.Equal(t, window(0, 3), page(storage.Page{MinID: want[3], Limit: 10}), "min_id near the newest end")
	require.Equal(t, []storage.ID{}, page(storage.Page{MinID: newest}), "min_id at the newest record")
	require.Equal(t, window(n-5, n), page(storage.Page{MinID: oldest - 1, Limit: 5}), "min_id below the oldest")
	require.Equal(t, window(6, 10), page(storage.Page{MinID: want[10], SinceID: want[2], Limit: 4}), "min_id wins over since_id")

	// Windows.
	require.Equal(t, window(3, 9), page(storage.Page{MaxID: want[2], MinID: want[9], Limit: 40}), "max_id + min_id window")
	require.Equal(t, window(4, 9), page(storage.Page{MaxID: want[2], MinID: want[9], Limit: 5}), "narrow max_id + min_id window")
	require.Equal(t, window(3, 5), page(storage.Page{MaxID: want[2], SinceID: want[9], Limit: 2}), "max_id + since_id window")
	require.Equal(t, []storage.ID{}, page(storage.Page{MaxID: want[5], MinID: want[6]}), "empty window")
	require.Equal(t, []storage.ID{}, page(storage.Page{MaxID: want[5], MinID: want[2]}), "inverted window")

	// Walking the whole listing both ways visits every record once.
	var walked []storage.ID
	for cursor := storage.ID(0); ; {
		p := page(storage.Page{MaxID: cursor, Limit: 7})
		if len(p) == 0 {
			break
		}
		walked = append(walked, p...)
		cursor = p[len(p)-1]
	}
	require.Equal(t, want, walked, "walking older with max_id")
	walked = nil
	for cursor := oldest - 1; ; {
		p := page(storage.Page{MinID: cursor, Limit: 7})
		if len(p) == 0 {
			break
		}
		walked = append(p, walked...)
		cursor = p[0]
	}
	require.Equal(t, want, walked, "walking newer with min_id")
}

func testPagination(t *testing.T, open Opener) {
	h := newHarness(t, open)

	t.Run("StatusesByAccount", func(t *testing.T) {
		a := h.local(t, "paged")
		other := h.local(t, "other")
		var want []storage.ID
		for i := 0; i < 50; i++ {
			st := h.post(t, a)
			want = append([]storage.ID{st.ID}, want...)
			if i%10 == 0 {
				h.post(t, other) // interleaved statuses of someone else
			}
		}
		checkPaging(t, want, func(p storage.Page) []storage.ID {
			return statusIDs(try(h.s.Statuses().ByAccount(t.Context(), a.ID, storage.StatusFilter{}, p)).must(t))
		})
	})

	t.Run("Feed", func(t *testing.T) {
		f := storage.HomeFeed(h.s.NewID())
		var es []storage.FeedEntry
		var want []storage.ID
		for i := 0; i < 45; i++ {
			e := storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: 1}
			es = append(es, e)
			want = append([]storage.ID{e.StatusID}, want...)
		}
		require.NoError(t, h.s.Feeds().Insert(t.Context(), f, es...))
		checkPaging(t, want, func(p storage.Page) []storage.ID {
			return entryIDs(try(h.s.Feeds().Page(t.Context(), f, p)).must(t))
		})
	})

	t.Run("Notifications", func(t *testing.T) {
		me, from := h.local(t, "notified"), h.local(t, "notifier")
		var want []storage.ID
		for i := 0; i < 42; i++ {
			n := &storage.Notification{AccountID: me.ID, FromAccountID: from.ID, Type: storage.NotifyFollow}
			require.NoError(t, h.s.Notifications().Create(t.Context(), n))
			want = append([]storage.ID{n.ID}, want...)
		}
		checkPaging(t, want, func(p storage.Page) []storage.ID {
			return notificationIDs(try(h.s.Notifications().List(t.Context(), me.ID, storage.NotificationFilter{}, p)).must(t))
		})
	})

	t.Run("Followers", func(t *testing.T) {
		target := h.local(t, "followed")
		var want []storage.ID
		for i := 0; i < 12; i++ {
			f := &storage.Follow{AccountID: h.local(t, "follower").ID, TargetAccountID: target.ID}
			require.NoError(t, h.s.Follows().Create(t.Context(), f))
			want = append([]storage.ID{f.ID}, want...)
		}
		checkPaging(t, want, func(p storage.Page) []storage.ID {
			return followIDs(try(h.s.Follows().Followers(t.Context(), target.ID, p)).must(t))
		})
	})

	t.Run("Favourites", func(t *testing.T) {
		fan, author := h.local(t, "fan"), h.local(t, "author")
		var want []storage.ID
		for i := 0; i < 12; i++ {
			f := &storage.Favourite{AccountID: fan.ID, StatusID: h.post(t, author).ID}
			require.NoError(t, h.s.Favourites().Create(t.Context(), f))
			want = append([]storage.ID{f.ID}, want...)
		}
		checkPaging(t, want, func(p storage.Page) []storage.ID {
			var out []storage.ID
			for _, f := range try(h.s.Favourites().ByAccount(t.Context(), fan.ID, p)).must(t) {
				out = append(out, f.ID)
			}
			if out == nil {
				out = []storage.ID{}
			}
			return out
		})
	})
}
