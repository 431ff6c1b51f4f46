package storagetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// testAccountDelete checks that deleting an account removes what hangs off it.
func testAccountDelete(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	x, y, z := h.local(t, "victim"), h.local(t, "friend"), h.remote(t, "peer", "remote.example", "https://remote.example/inbox")
	app := &storage.Application{Name: "app", ClientID: "client-" + h.name(""), ClientSecretHash: "h", OwnerAccountID: y.ID}
	require.NoError(t, h.s.OAuth().CreateApplication(ctx, app))
	require.NoError(t, h.s.Users().Create(ctx, &storage.User{AccountID: x.ID, Email: "victim@herd.example"}))
	require.NoError(t, h.s.OAuth().CreateToken(ctx, &storage.Token{TokenHash: "victim-token", ApplicationID: app.ID, AccountID: x.ID}))
	require.NoError(t, h.s.OAuth().CreateCode(ctx, &storage.AuthorizationCode{CodeHash: "victim-code", ApplicationID: app.ID, AccountID: x.ID}))

	xs1, xs2, ys1 := h.post(t, x, withTags("victimtag")), h.post(t, x), h.post(t, y)
	yBoost := h.boost(t, y, xs1)
	xBoost := h.boost(t, x, ys1)
	zReply := h.post(t, z, replyTo(xs1))
	yQuote := h.post(t, y, func(st *storage.Status) { st.QuoteOfID = xs2.ID })
	for _, f := range []*storage.Follow{{AccountID: x.ID, TargetAccountID: y.ID}, {AccountID: y.ID, TargetAccountID: x.ID}, {AccountID: z.ID, TargetAccountID: x.ID}} {
		require.NoError(t, h.s.Follows().Create(ctx, f))
	}
	require.NoError(t, h.s.Follows().CreateRequest(ctx, &storage.FollowRequest{AccountID: x.ID, TargetAccountID: z.ID}))
	require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: x.ID, StatusID: ys1.ID}))
	require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: y.ID, StatusID: xs1.ID}))
	require.NoError(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: y.ID, StatusID: xs1.ID}))
	require.NoError(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: x.ID, StatusID: ys1.ID}))
	require.NoError(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: x.ID, StatusID: xs1.ID}))
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: y.ID, FromAccountID: x.ID, Type: storage.NotifyFavourite, StatusID: ys1.ID}))
	require.NoError(t, h.s.Notifications().Create(ctx, &storage.Notification{AccountID: x.ID, FromAccountID: y.ID, Type: storage.NotifyFollow}))
	require.NoError(t, h.s.Feeds().Insert(ctx, storage.HomeFeed(y.ID),
		storage.FeedEntry{StatusID: xs1.ID, AuthorID: x.ID},
		storage.FeedEntry{StatusID: ys1.ID, AuthorID: y.ID},
		storage.FeedEntry{StatusID: yBoost.ID, AuthorID: y.ID, ReblogOfID: xs1.ID},
		storage.FeedEntry{StatusID: xBoost.ID, AuthorID: x.ID, ReblogOfID: ys1.ID}))
	require.NoError(t, h.s.Feeds().Insert(ctx, storage.HomeFeed(x.ID), storage.FeedEntry{StatusID: ys1.ID, AuthorID: y.ID}))

	require.NoError(t, h.s.Accounts().Delete(ctx, x.ID))

	_, err := h.s.Accounts().Get(ctx, x.ID)
	requireNotFound(t, err, "deleted account")
	_, err = h.s.Accounts().GetByUsername(ctx, x.Username, "")
	requireNotFound(t, err, "deleted account by username")
	_, err = h.s.Users().GetByAccountID(ctx, x.ID)
	requireNotFound(t, err, "user of a deleted account")
	_, err = h.s.OAuth().GetToken(ctx, "victim-token")
	requireNotFound(t, err, "token of a deleted account")
	_, err = h.s.OAuth().ConsumeCode(ctx, "victim-code")
	requireNotFound(t, err, "code of a deleted account")
	for _, st := range []*storage.Status{xs1, xs2, xBoost, yBoost} {
		_, err = h.s.Statuses().Get(ctx, st.ID)
		requireNotFound(t, err, "status or boost of the deleted account's statuses")
	}
	for _, st := range []*storage.Status{ys1, zReply, yQuote} {
		try(h.s.Statuses().Get(ctx, st.ID)).must(t)
	}
	requireEmpty(t, try(h.s.Follows().Followers(ctx, y.ID, storage.Page{})).must(t), "followers")
	requireEmpty(t, try(h.s.Follows().Following(ctx, y.ID, storage.Page{})).must(t), "following")
	requireEmpty(t, try(h.s.Follows().Following(ctx, z.ID, storage.Page{})).must(t), "following of a remote follower")
	requireEmpty(t, try(h.s.Follows().Requests(ctx, z.ID, storage.Page{})).must(t), "follow requests")
	requireEmpty(t, try(h.s.Follows().FollowerIDs(ctx, y.ID, false)).must(t), "follower IDs")
	requireEmpty(t, try(h.s.Favourites().ByStatus(ctx, ys1.ID, storage.Page{})).must(t), "favourites by the account")
	requireEmpty(t, try(h.s.Favourites().ByAccount(ctx, y.ID, storage.Page{})).must(t), "favourites of its statuses")
	requireEmpty(t, try(h.s.Bookmarks().ByAccount(ctx, y.ID, storage.Page{})).must(t), "bookmarks of its statuses")
	requireEmpty(t, try(h.s.Notifications().List(ctx, y.ID, storage.NotificationFilter{}, storage.Page{})).must(t), "notifications from the account")
	require.Equal(t, []storage.ID{ys1.ID}, entryIDs(try(h.s.Feeds().Page(ctx, storage.HomeFeed(y.ID), storage.Page{})).must(t)),
		"feed entries of its statuses and boosts, and of boosts of its statuses")
	requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.HomeFeed(x.ID), storage.Page{})).must(t), "its home feed")
	requireEmpty(t, try(h.s.Statuses().Tagged(ctx, storage.TagFilter{Any: []string{"victimtag"}}, storage.Page{})).must(t), "tag timeline")
	vs := try(h.s.Statuses().ViewerStates(ctx, y.ID, []storage.ID{ys1.ID})).must(t)
	require.Equal(t, storage.ViewerState{}, vs[ys1.ID])

	// The username can be taken again.
	again := &storage.Account{Username: x.Username, URI: x.URI}
	require.NoError(t, h.s.Accounts().Create(ctx, again))
	requireNotFound(t, h.s.Accounts().Delete(ctx, x.ID), "deleting twice")
}

var errRollback = errors.New("storagetest: roll back")

func testTx(t *testing.T, open Opener) {
	h := newHarness(t, open)

	// write creates an account, a status, a favourite and a feed entry
	// through s and returns the account and status.
	write := func(s storage.Store, prefix string) (*storage.Account, *storage.Status, error) {
		ctx := t.Context()
		u := h.name(prefix)
		a := &storage.Account{Username: u, URI: "https://herd.example/users/" + u}
		if err := s.Accounts().Create(ctx, a); err != nil {
			return nil, nil, err
		}
		st := &storage.Status{AccountID: a.ID, URI: a.URI + "/1", Local: true}
		if err := s.Statuses().Create(ctx, st); err != nil {
			return nil, nil, err
		}
		if err := s.Favourites().Create(ctx, &storage.Favourite{AccountID: a.ID, StatusID: st.ID}); err != nil {
			return nil, nil, err
		}
		if err := s.Feeds().Insert(ctx, storage.HomeFeed(a.ID), storage.FeedEntry{StatusID: st.ID, AuthorID: a.ID}); err != nil {
			return nil, nil, err
		}
		return a, st, nil
	}
	present := func(t *testing.T, a *storage.Account, st *storage.Status) {
		t.Helper()
		ctx := t.Context()
		try(h.s.Accounts().Get(ctx, a.ID)).must(t)
		try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		try(h.s.Favourites().Get(ctx, a.ID, st.ID)).must(t)
		require.Len(t, try(h.s.Feeds().Page(ctx, storage.HomeFeed(a.ID), storage.Page{})).must(t), 1)
	}
	gone := func(t *testing.T, a *storage.Account, st *storage.Status) {
		t.Helper()
		ctx := t.Context()
		require.NotNil(t, a, "the transaction wrote nothing")
		_, err := h.s.Accounts().Get(ctx, a.ID)
		requireNotFound(t, err, "account written in a rolled-back transaction")
		_, err = h.s.Accounts().GetByUsername(ctx, a.Username, "")
		requireNotFound(t, err, "account written in a rolled-back transaction, by username")
		_, err = h.s.Statuses().Get(ctx, st.ID)
		requireNotFound(t, err, "status written in a rolled-back transaction")
		_, err = h.s.Favourites().Get(ctx, a.ID, st.ID)
		requireNotFound(t, err, "favourite written in a rolled-back transaction")
		requireEmpty(t, try(h.s.Feeds().Page(ctx, storage.HomeFeed(a.ID), storage.Page{})).must(t), "feed written in a rolled-back transaction")
	}
	usable := func(t *testing.T) {
		t.Helper()
		a, st, err := write(h.s, "after")
		require.NoError(t, err, "the store works after the transaction")
		present(t, a, st)
	}

	t.Run("Commit", func(t *testing.T) {
		var a *storage.Account
		var st *storage.Status
		var outside, inside error
		err := h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a, st, err = write(tx, "commit"); err != nil {
				return err
			}
			_, inside = tx.Accounts().GetByUsername(t.Context(), a.Username, "")
			_, outside = h.s.Accounts().Get(t.Context(), a.ID)
			return nil
		})
		require.NoError(t, err)
		require.NoError(t, inside, "a transaction reads its own writes")
		requireNotFound(t, outside, "uncommitted writes are invisible outside the transaction")
		present(t, a, st)
	})

	t.Run("RollbackOnError", func(t *testing.T) {
		var a *storage.Account
		var st *storage.Status
		err := h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a, st, err = write(tx, "rberr"); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", errRollback)
		})
		require.ErrorIs(t, err, errRollback, "Tx returns fn's error")
		gone(t, a, st)
		usable(t)
	})

	t.Run("RollbackOnStoreError", func(t *testing.T) {
		var a *storage.Account
		var st *storage.Status
		err := h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a, st, err = write(tx, "rbconflict"); err != nil {
				return err
			}
			return tx.Favourites().Create(t.Context(), &storage.Favourite{AccountID: a.ID, StatusID: st.ID})
		})
		require.ErrorIs(t, err, storage.ErrConflict)
		gone(t, a, st)
		usable(t)
	})

	t.Run("RollbackOnPanic", func(t *testing.T) {
		var a *storage.Account
		var st *storage.Status
		require.PanicsWithValue(t, "boom", func() {
			_ = h.s.Tx(t.Context(), func(tx storage.Store) error {
				var err error
				if a, st, err = write(tx, "rbpanic"); err != nil {
					return err
				}
				panic("boom")
			})
		}, "Tx lets a panic through")
		gone(t, a, st)
		usable(t)
	})

	t.Run("RollbackOnGoexit", func(t *testing.T) {
		// t.FailNow inside a transaction ends the goroutine with
		// runtime.Goexit: the transaction must still be rolled back.
		var a *storage.Account
		var st *storage.Status
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = h.s.Tx(t.Context(), func(tx storage.Store) error {
				if a, st, err = write(tx, "rbgoexit"); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			})
		}()
		<-done
		require.NoError(t, err)
		// A transaction left open holds its connection (SQLite's only
		// writer): fail rather than hang.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		u := h.name("probe")
		require.NoError(t, h.s.Accounts().Create(ctx, &storage.Account{Username: u, URI: "https://herd.example/users/" + u}),
			"the store must work after a transaction ended by runtime.Goexit: was it rolled back?")
		gone(t, a, st)
		usable(t)
	})

	t.Run("Nested", func(t *testing.T) {
		var a1, a2 *storage.Account
		var s1, s2 *storage.Status
		var seen error
		err := h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a1, s1, err = write(tx, "outer"); err != nil {
				return err
			}
			return tx.Tx(t.Context(), func(inner storage.Store) error {
				_, seen = inner.Accounts().Get(t.Context(), a1.ID)
				a2, s2, err = write(inner, "inner")
				return err
			})
		})
		require.NoError(t, err)
		require.NoError(t, seen, "a nested transaction sees the outer one's writes")
		present(t, a1, s1)
		present(t, a2, s2)

		// The inner transaction joins the outer one: when the outer one
		// rolls back, the inner one's writes go too.
		err = h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a1, s1, err = write(tx, "outer"); err != nil {
				return err
			}
			if err := tx.Tx(t.Context(), func(inner storage.Store) error {
				a2, s2, err = write(inner, "inner")
				return err
			}); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		gone(t, a1, s1)
		gone(t, a2, s2)

		// An inner error passed up rolls back everything.
		err = h.s.Tx(t.Context(), func(tx storage.Store) error {
			var err error
			if a1, s1, err = write(tx, "outer"); err != nil {
				return err
			}
			return tx.Tx(t.Context(), func(inner storage.Store) error {
				if a2, s2, err = write(inner, "inner"); err != nil {
					return err
				}
				return errRollback
			})
		})
		require.ErrorIs(t, err, errRollback)
		gone(t, a1, s1)
		gone(t, a2, s2)
		usable(t)
	})
}

// testConcurrency runs writers in parallel: no errors, no lost updates.
func testConcurrency(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	const workers, perWorker = 8, 50
	author := h.local(t, "target")
	targets := make([]*storage.Status, perWorker)
	for i := range targets {
		targets[i] = h.post(t, author)
	}
	accounts := make([]*storage.Account, workers)
	for g := range accounts {
		accounts[g] = h.local(t, "worker")
	}

	ids := make([][]storage.ID, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := accounts[g]
			for i := 0; i < perWorker; i++ {
				work := func(s storage.Store) error {
					st := &storage.Status{AccountID: a.ID, URI: fmt.Sprintf("%s/statuses/%d", a.URI, i), Local: true}
					if err := s.Statuses().Create(ctx, st); err != nil {
						return err
					}
					ids[g] = append(ids[g], st.ID)
					if err := s.Favourites().Create(ctx, &storage.Favourite{AccountID: a.ID, StatusID: targets[i].ID}); err != nil {
						return err
					}
					return s.Statuses().AdjustCounts(ctx, targets[i].ID, 0, 0, 1)
				}
				var err error
				if g%2 == 1 { // half the workers write in transactions
					err = h.s.Tx(ctx, func(tx storage.Store) error { return work(tx) })
				} else {
					err = work(h.s)
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d, step %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	seen := map[storage.ID]bool{}
	for g, list := range ids {
		require.Len(t, list, perWorker)
		for i, id := range list {
			require.False(t, seen[id], "ID %s handed out twice", id)
			seen[id] = true
			if i > 0 {
				require.Greater(t, id, list[i-1], "IDs increase within worker %d", g)
			}
		}
		page1 := statusIDs(try(h.s.Statuses().ByAccount(ctx, accounts[g].ID, storage.StatusFilter{}, storage.Page{Limit: 40})).must(t))
		page2 := statusIDs(try(h.s.Statuses().ByAccount(ctx, accounts[g].ID, storage.StatusFilter{}, storage.Page{Limit: 40, MaxID: page1[len(page1)-1]})).must(t))
		require.Equal(t, list, reversed(append(page1, page2...)), "statuses of worker %d", g)
	}
	for i, st := range targets {
		got := try(h.s.Statuses().Get(ctx, st.ID)).must(t)
		require.Equal(t, int64(workers), got.FavouritesCount, "favourites_count of target %d", i)
		require.Len(t, try(h.s.Favourites().ByStatus(ctx, st.ID, storage.Page{})).must(t), workers)
	}
	require.Equal(t, int64(workers*perWorker+perWorker), try(h.s.Statuses().Count(ctx, true)).must(t))
}

func reversed(ids []storage.ID) []storage.ID {
	out := make([]storage.ID, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}
