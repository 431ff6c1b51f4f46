package sqlstore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

func TestListBucket(t *testing.T) {
	want := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 8, 8: 8, 9: 12, 12: 12, 13: 16, 16: 16, 17: 24, 24: 24, 25: 32, 33: 48, 49: 64, 65: 96, 97: 128, 129: 192, 500: 512}
	for n, b := range want {
		assert.Equal(t, b, listBucket(n), "n=%d", n)
	}
	// Buckets never shrink a list and grow it by at most half (plus the
	// step from 4 to 8).
	for n := 1; n <= 2000; n++ {
		b := listBucket(n)
		require.GreaterOrEqual(t, b, n)
		if n > 8 {
			require.LessOrEqual(t, b, n+n/2+1, "n=%d", n)
		}
	}
}

func TestExpand(t *testing.T) {
	q, args, ok, err := expand("SELECT 1 WHERE a = ? AND b IN (?) AND c = ?", []any{1, []storage.ID{5, 6, 7, 8, 9}, "x"})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "SELECT 1 WHERE a = ? AND b IN (?, ?, ?, ?, ?, ?, ?, ?) AND c = ?", q)
	assert.Equal(t, []any{1, storage.ID(5), storage.ID(6), storage.ID(7), storage.ID(8), storage.ID(9), storage.ID(5), storage.ID(5), storage.ID(5), "x"}, args)

	q, args, ok, err = expand("SELECT ?", []any{"plain"})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "SELECT ?", q)
	assert.Equal(t, []any{"plain"}, args)

	_, _, _, err = expand("x IN (?)", []any{[]string{}})
	assert.Error(t, err, "empty list")
	_, _, _, err = expand("x IN (?) AND y = ?", []any{[]int64{1}})
	assert.Error(t, err, "too few arguments")
	_, _, _, err = expand("x IN (?)", []any{[]int64{1}, 2})
	assert.Error(t, err, "too many arguments")

	long := make([]string, maxPaddedList+1)
	q, args, ok, err = expand("x IN (?)", []any{long})
	require.NoError(t, err)
	assert.False(t, ok, "a list too long to pad is not cached")
	assert.Len(t, args, maxPaddedList+1)
	assert.Equal(t, maxPaddedList+1, strings.Count(q, "?"), "one ? per element")
}

func TestRecordCache(t *testing.T) {
	c := newRecordCache(DefaultRecordCacheTTL, copyAccount)
	t0 := time.Unix(1_000_000, 0)
	gen := c.generation()
	a := &storage.Account{ID: 1, Username: "a", Fields: storage.Fields{{Name: "n", Value: "v"}}}
	c.put(gen, t0, accountID, a)
	got := c.get(1, t0, false)
	require.NotNil(t, got)
	assert.Equal(t, a, got)
	// Copies both ways: changing what was put or got leaves the cache alone.
	a.Fields[0].Name = "changed"
	got.Username = "changed"
	again := c.get(1, t0, false)
	assert.Equal(t, "n", again.Fields[0].Name)
	assert.Equal(t, "a", again.Username)

	// Expired entries miss.
	assert.Nil(t, c.get(1, t0.Add(DefaultRecordCacheTTL), false))

	// A reader that began before an invalidation does not put.
	gen = c.generation()
	c.forget([]storage.ID{2}, false)
	c.put(gen, t0, accountID, &storage.Account{ID: 2})
	assert.Nil(t, c.get(2, t0, false))

	hits, missing := c.getMany([]storage.ID{1, 2}, t0, false)
	assert.Len(t, hits, 1)
	assert.Equal(t, []storage.ID{2}, missing)

	c.forget(nil, true)
	assert.Nil(t, c.get(1, t0, false))
}

func TestRecordCacheShared(t *testing.T) {
	c := newRecordCache(DefaultRecordCacheTTL, copyAccount)
	c.check = true
	t0 := time.Unix(1_000_000, 0)
	c.put(c.generation(), t0, accountID, &storage.Account{ID: 1, Username: "a"})
	// Shared reads hand out the cached record itself.
	first := c.get(1, t0, true)
	require.NotNil(t, first)
	assert.Same(t, first, c.get(1, t0, true))
	hits, _ := c.getMany([]storage.ID{1}, t0, true)
	assert.Same(t, first, hits[0])
	assert.NotSame(t, first, c.get(1, t0, false))
	// With check on, a changed shared record is caught at the next read.
	first.Username = "changed"
	assert.Panics(t, func() { c.get(1, t0, false) })
}
