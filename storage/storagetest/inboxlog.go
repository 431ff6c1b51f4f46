package storagetest

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunInboxLog checks a backend's storage.InboxLog: first marks win, repeats
// do not, concurrent marks of one id have a single winner, Forget allows a
// retry and Prune removes old records only.
func RunInboxLog(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)

	t.Run("MarkOnce", func(t *testing.T) {
		l := open(t).InboxLog()
		id := "https://remote.example/activities/1"
		first, err := l.MarkProcessed(ctx, id, t0)
		require.NoError(t, err)
		assert.True(t, first)
		first, err = l.MarkProcessed(ctx, id, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.False(t, first, "a replay is not first")
		first, err = l.MarkProcessed(ctx, id+"#other", t0)
		require.NoError(t, err)
		assert.True(t, first, "ids are compared exactly")
	})

	t.Run("Forget", func(t *testing.T) {
		l := open(t).InboxLog()
		id := "https://remote.example/activities/2"
		_, err := l.MarkProcessed(ctx, id, t0)
		require.NoError(t, err)
		require.NoError(t, l.Forget(ctx, id))
		require.NoError(t, l.Forget(ctx, "https://remote.example/unknown"))
		first, err := l.MarkProcessed(ctx, id, t0)
		require.NoError(t, err)
		assert.True(t, first, "a forgotten id can be processed again")
	})

	t.Run("Prune", func(t *testing.T) {
		l := open(t).InboxLog()
		for i, at := range []time.Time{t0.Add(-3 * time.Hour), t0.Add(-2 * time.Hour), t0} {
			_, err := l.MarkProcessed(ctx, "https://remote.example/p/"+string(rune('a'+i)), at)
			require.NoError(t, err)
		}
		n, err := l.Prune(ctx, t0.Add(-time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(2), n)
		first, err := l.MarkProcessed(ctx, "https://remote.example/p/a", t0)
		require.NoError(t, err)
		assert.True(t, first, "pruned ids are forgotten")
		first, err = l.MarkProcessed(ctx, "https://remote.example/p/c", t0)
		require.NoError(t, err)
		assert.False(t, first, "recent ids are kept")
	})

	t.Run("Invalid", func(t *testing.T) {
		l := open(t).InboxLog()
		_, err := l.MarkProcessed(ctx, "", t0)
		assert.ErrorIs(t, err, storage.ErrInvalid)
		_, err = l.MarkProcessed(ctx, "https://x.example/"+strings.Repeat("a", 5000), t0)
		assert.ErrorIs(t, err, storage.ErrInvalid)
	})

	t.Run("ConcurrentSingleWinner", func(t *testing.T) {
		l := open(t).InboxLog()
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				first, err := l.MarkProcessed(ctx, "https://remote.example/race", t0)
				assert.NoError(t, err)
				if first {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load())
	})
}
