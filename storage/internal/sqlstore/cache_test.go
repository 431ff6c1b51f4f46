package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/internal/sqlstore"
	"github.com/herd-social/herd/storage/sqlite"
)

// openStore opens a store on the SQLite file at path (migrating it) with
// the given record cache TTL; two stores on one file stand for two
// processes sharing a database.
func openStore(t *testing.T, path string, ttl time.Duration) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	w, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	require.NoError(t, err)
	w.SetMaxOpenConns(1)
	r, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	require.NoError(t, err)
	ms, err := sqlite.Migrations()
	require.NoError(t, err)
	_, err = sqlstore.Migrate(ctx, w, sqlstore.SQLite, ms)
	require.NoError(t, err)
	s := sqlstore.New(sqlstore.Config{Dialect: sqlstore.SQLite, Reader: r, Writer: w, RecordCacheTTL: ttl,
		Close: func() error { return errors.Join(r.Close(), w.Close()) }})
	t.Cleanup(func() { s.Close() })
	return s
}

func newAccount(t *testing.T, s storage.Store, name string) *storage.Account {
	t.Helper()
	a := &storage.Account{Username: name, URI: "https://example.com/users/" + name}
	require.NoError(t, s.Accounts().Create(context.Background(), a))
	return a
}

// TestRecordCacheAcrossStores: a store sees its own writes at once, and
// another store's writes after at most its TTL.
func TestRecordCacheAcrossStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herd.db")
	const ttl = 200 * time.Millisecond
	a := openStore(t, path, ttl)
	b := openStore(t, path, -1)

	acct := newAccount(t, a, "alice")
	got, err := a.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "", got.DisplayName)

	// Own writes: seen at once, through Get and GetMany.
	got.DisplayName = "Alice"
	require.NoError(t, a.Accounts().Update(ctx, got))
	got, err = a.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "Alice", got.DisplayName)
	require.NoError(t, a.Accounts().AdjustCounts(ctx, acct.ID, 1, 2, 3, nil))
	many, err := a.Accounts().GetMany(ctx, []storage.ID{acct.ID, acct.ID})
	require.NoError(t, err)
	require.Len(t, many, 1)
	assert.Equal(t, int64(2), many[0].FollowersCount)

	// Another process's write: stale for at most the TTL.
	other, err := b.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	other.DisplayName = "Alice B."
	start := time.Now()
	require.NoError(t, b.Accounts().Update(ctx, other))
	require.Eventually(t, func() bool {
		got, err := a.Accounts().Get(ctx, acct.ID)
		return err == nil && got.DisplayName == "Alice B."
	}, 5*ttl, ttl/10)
	assert.Less(t, time.Since(start), 3*ttl)

	// Statuses: counts and edits are seen at once; a deletion too.
	st := &storage.Status{AccountID: acct.ID, URI: "https://example.com/s/1", Content: "<p>one</p>"}
	require.NoError(t, a.Statuses().Create(ctx, st))
	_, err = a.Statuses().GetMany(ctx, []storage.ID{st.ID})
	require.NoError(t, err)
	require.NoError(t, a.Statuses().AdjustCounts(ctx, st.ID, 0, 0, 1))
	gs, err := a.Statuses().Get(ctx, st.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), gs.FavouritesCount)
	gs.Content = "<p>edited</p>"
	require.NoError(t, a.Statuses().Update(ctx, gs))
	gs, err = a.Statuses().Get(ctx, st.ID)
	require.NoError(t, err)
	assert.Equal(t, "<p>edited</p>", gs.Content)
	require.NoError(t, a.Statuses().Delete(ctx, st.ID))
	_, err = a.Statuses().Get(ctx, st.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)

	// Deleting an account drops its statuses with it.
	st2 := &storage.Status{AccountID: acct.ID, URI: "https://example.com/s/2"}
	require.NoError(t, a.Statuses().Create(ctx, st2))
	_, err = a.Statuses().Get(ctx, st2.ID)
	require.NoError(t, err)
	require.NoError(t, a.Accounts().Delete(ctx, acct.ID))
	_, err = a.Statuses().Get(ctx, st2.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = a.Accounts().Get(ctx, acct.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// TestRecordCacheTransactions: a transaction reads its own writes; a
// rolled-back write never reaches the cache, a committed one does.
func TestRecordCacheTransactions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "herd.db"), time.Hour)
	acct := newAccount(t, s, "bob")
	_, err := s.Accounts().Get(ctx, acct.ID) // cached
	require.NoError(t, err)

	boom := errors.New("boom")
	err = s.Tx(ctx, func(tx storage.Store) error {
		a, err := tx.Accounts().Get(ctx, acct.ID)
		require.NoError(t, err)
		a.DisplayName = "Rolled back"
		require.NoError(t, tx.Accounts().Update(ctx, a))
		a, err = tx.Accounts().Get(ctx, acct.ID)
		require.NoError(t, err)
		assert.Equal(t, "Rolled back", a.DisplayName, "the transaction sees its write")
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, err := s.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "", got.DisplayName)

	require.NoError(t, s.Tx(ctx, func(tx storage.Store) error {
		return tx.Accounts().AdjustCounts(ctx, acct.ID, 5, 0, 0, nil)
	}))
	got, err = s.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(5), got.StatusesCount)

	// The records handed out are copies.
	got.Fields = storage.Fields{{Name: "mine"}}
	again, err := s.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Empty(t, again.Fields)
}

// TestRecordCacheConcurrent: readers and writers racing; once the writers
// are done, every read sees the final counts.
func TestRecordCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "herd.db"), time.Hour)
	acct := newAccount(t, s, "carol")
	st := &storage.Status{AccountID: acct.ID, URI: "https://example.com/s/c"}
	require.NoError(t, s.Statuses().Create(ctx, st))
	const writers, writes = 4, 25
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = s.Accounts().GetMany(ctx, []storage.ID{acct.ID})
				_, _ = s.Statuses().Get(ctx, st.ID)
			}
		}()
	}
	var ww sync.WaitGroup
	for i := 0; i < writers; i++ {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for j := 0; j < writes; j++ {
				assert.NoError(t, s.Accounts().AdjustCounts(ctx, acct.ID, 1, 0, 0, nil))
				assert.NoError(t, s.Statuses().AdjustCounts(ctx, st.ID, 0, 1, 0))
			}
		}()
	}
	ww.Wait()
	close(stop)
	wg.Wait()
	a, err := s.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(writers*writes), a.StatusesCount)
	got, err := s.Statuses().Get(ctx, st.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(writers*writes), got.ReblogsCount)
}

// TestStatementCache: queries are prepared once; a query first run inside
// a transaction is prepared after it; lists of many lengths map to a few
// statements and return the right rows.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "herd.db"), -1)
	var ids []storage.ID
	for i := 0; i < 40; i++ {
		ids = append(ids, newAccount(t, s, fmt.Sprintf("u%d", i)).ID)
	}
	w0, r0 := s.CachedStatements()
	for n := 1; n <= 40; n++ {
		got, err := s.Accounts().GetMany(ctx, ids[:n])
		require.NoError(t, err)
		require.Len(t, got, n)
	}
	w1, r1 := s.CachedStatements()
	assert.Equal(t, w0, w1)
	assert.LessOrEqual(t, r1-r0, 10, "40 list lengths, a handful of statements")

	// Inside a transaction the statement is noted, then prepared after.
	require.NoError(t, s.Tx(ctx, func(tx storage.Store) error {
		_, err := tx.Accounts().GetByUsername(ctx, "u1", "")
		return err
	}))
	w2, _ := s.CachedStatements()
	assert.Equal(t, w1+1, w2)
	require.NoError(t, s.Tx(ctx, func(tx storage.Store) error {
		a, err := tx.Accounts().GetByUsername(ctx, "u2", "")
		if err == nil {
			assert.Equal(t, ids[2], a.ID)
		}
		return err
	}))
	w3, _ := s.CachedStatements()
	assert.Equal(t, w2, w3, "prepared once")

	require.NoError(t, s.Close())
	w4, r4 := s.CachedStatements()
	assert.Zero(t, w4)
	assert.Zero(t, r4)
}

// TestRelationCache: a viewer's blocks, mutes and domain blocks are kept
// whole, and every write through the store is seen at once; another
// store's writes within the TTL.
func TestRelationCache(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herd.db")
	const ttl = 200 * time.Millisecond
	s := openStore(t, path, ttl)
	other := openStore(t, path, -1)
	v, x, y := newAccount(t, s, "viewer"), newAccount(t, s, "x"), newAccount(t, s, "y")
	ids := []storage.ID{x.ID, y.ID}

	bs, err := s.Blocks().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.Empty(t, bs)
	require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: v.ID, TargetAccountID: x.ID}))
	bs, err = s.Blocks().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.Equal(t, map[storage.ID]storage.BlockState{x.ID: {Blocking: true}}, bs)
	bs, err = s.Blocks().States(ctx, x.ID, []storage.ID{v.ID})
	require.NoError(t, err)
	assert.Equal(t, map[storage.ID]storage.BlockState{v.ID: {BlockedBy: true}}, bs)
	require.NoError(t, s.Blocks().Delete(ctx, v.ID, x.ID))
	bs, err = s.Blocks().States(ctx, x.ID, []storage.ID{v.ID})
	require.NoError(t, err)
	assert.Empty(t, bs)

	// Another store's block: seen within the TTL.
	require.NoError(t, other.Blocks().Create(ctx, &storage.Block{AccountID: y.ID, TargetAccountID: v.ID}))
	require.Eventually(t, func() bool {
		bs, err := s.Blocks().States(ctx, v.ID, ids)
		return err == nil && bs[y.ID].BlockedBy
	}, 5*ttl, ttl/10)

	ms, err := s.Mutes().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.Empty(t, ms)
	later := time.Now().Add(time.Hour)
	require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: v.ID, TargetAccountID: x.ID, HideNotifications: true, ExpiresAt: &later}))
	earlier := time.Now().Add(-time.Minute)
	require.NoError(t, s.Mutes().Create(ctx, &storage.Mute{AccountID: v.ID, TargetAccountID: y.ID, ExpiresAt: &earlier}))
	ms, err = s.Mutes().States(ctx, v.ID, ids)
	require.NoError(t, err)
	require.Len(t, ms, 1, "the expired mute does not count")
	require.NotNil(t, ms[x.ID])
	assert.True(t, ms[x.ID].HideNotifications)
	ms[x.ID].HideNotifications = false // a copy
	ms, err = s.Mutes().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.True(t, ms[x.ID].HideNotifications)
	require.NoError(t, s.Mutes().Delete(ctx, v.ID, x.ID))
	ms, err = s.Mutes().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.Empty(t, ms)

	ds, err := s.DomainBlocks().Domains(ctx, v.ID)
	require.NoError(t, err)
	assert.Empty(t, ds)
	require.NoError(t, s.DomainBlocks().Create(ctx, &storage.DomainBlock{AccountID: v.ID, Domain: "Bad.Example"}))
	ds, err = s.DomainBlocks().Domains(ctx, v.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"bad.example"}, ds)
	ds[0] = "changed"
	ds, err = s.DomainBlocks().Domains(ctx, v.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"bad.example"}, ds)
	require.NoError(t, s.DomainBlocks().Delete(ctx, v.ID, "bad.example"))
	ds, err = s.DomainBlocks().Domains(ctx, v.ID)
	require.NoError(t, err)
	assert.Empty(t, ds)

	// Deleting an account drops its relations everywhere.
	require.NoError(t, s.Blocks().Create(ctx, &storage.Block{AccountID: v.ID, TargetAccountID: x.ID}))
	_, err = s.Blocks().States(ctx, v.ID, ids)
	require.NoError(t, err)
	require.NoError(t, s.Accounts().Delete(ctx, x.ID))
	bs, err = s.Blocks().States(ctx, v.ID, ids)
	require.NoError(t, err)
	assert.False(t, bs[x.ID].Blocking)
}
