package storagetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunJobs checks a backend's storage.Jobs: scheduling coalesces into one
// job per kind and key (the earlier due time wins), claims lease due jobs
// of one kind and count attempts, a lapsed lease gives a job back, Done
// removes a job unless it was scheduled again while it ran, and
// concurrent claims share the jobs out, each to one claimer.
func RunJobs(t *testing.T, open func(t *testing.T) storage.Store) {
	h := newHarness(t, open)
	ctx := t.Context()
	js := h.s.Jobs()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	const kind, other = "test.update", "test.other"

	requireInvalid(t, js.Schedule(ctx, "", 1, t0), "no kind")
	_, err := js.Get(ctx, kind, 1)
	requireNotFound(t, err, "no job yet")

	// Three requests, one job, due at the earliest.
	require.NoError(t, js.Schedule(ctx, kind, 1, t0.Add(time.Minute)))
	require.NoError(t, js.Schedule(ctx, kind, 1, t0))
	require.NoError(t, js.Schedule(ctx, kind, 1, t0.Add(2*time.Minute)))
	require.NoError(t, js.Schedule(ctx, other, 1, t0), "same key, another kind")
	j, err := js.Get(ctx, kind, 1)
	require.NoError(t, err)
	assert.True(t, j.DueAt.Equal(t0), "due at the earliest: %v", j.DueAt)
	assert.Equal(t, int64(3), j.Rev)
	assert.Zero(t, j.Attempts)
	assert.Nil(t, j.LockedUntil)

	got, err := js.Claim(ctx, kind, t0.Add(-time.Second), time.Minute, 10)
	require.NoError(t, err)
	requireEmpty(t, got, "not due yet")
	got, err = js.Claim(ctx, kind, t0, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1, "one job of that kind")
	c := got[0]
	assert.Equal(t, kind, c.Kind)
	assert.Equal(t, storage.ID(1), c.Key)
	assert.Equal(t, 1, c.Attempts)
	require.NotNil(t, c.LockedUntil)
	assert.True(t, c.LockedUntil.Equal(t0.Add(time.Minute)), "leased: %v", c.LockedUntil)
	got, err = js.Claim(ctx, kind, t0.Add(30*time.Second), time.Minute, 10)
	require.NoError(t, err)
	requireEmpty(t, got, "leased")

	// The lease lapses (the runner died): claimed again.
	got, err = js.Claim(ctx, kind, t0.Add(2*time.Minute), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, 2, got[0].Attempts)
	again, err := js.Done(ctx, c, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, again, "the lapsed claim ends nothing")
	_, err = js.Get(ctx, kind, 1)
	require.NoError(t, err, "the lapsed claim left the job to its new runner")
	again, err = js.Done(ctx, got[0], t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, again, "not asked for again")
	_, err = js.Get(ctx, kind, 1)
	requireNotFound(t, err, "done")
	_, err = js.Get(ctx, other, 1)
	require.NoError(t, err, "the other kind's job stays")

	// Asked for again while it runs: kept for one more run, due at again.
	require.NoError(t, js.Schedule(ctx, kind, 2, t0))
	got, err = js.Claim(ctx, kind, t0, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NoError(t, js.Schedule(ctx, kind, 2, t0.Add(time.Second)))
	got2, err := js.Claim(ctx, kind, t0.Add(time.Second), time.Minute, 10)
	require.NoError(t, err)
	requireEmpty(t, got2, "still leased")
	again, err = js.Done(ctx, got[0], t0.Add(5*time.Minute))
	require.NoError(t, err)
	assert.True(t, again, "scheduled again while it ran")
	j, err = js.Get(ctx, kind, 2)
	require.NoError(t, err)
	assert.True(t, j.DueAt.Equal(t0.Add(5*time.Minute)), "due again at: %v", j.DueAt)
	assert.Nil(t, j.LockedUntil, "released")
	assert.Zero(t, j.Attempts)
	got, err = js.Claim(ctx, kind, t0.Add(5*time.Minute), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	again, err = js.Done(ctx, got[0], t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, again)
	again, err = js.Done(ctx, got[0], t0.Add(time.Hour))
	require.NoError(t, err, "done twice")
	assert.False(t, again)

	// Earliest due first, n at most.
	for k := storage.ID(10); k < 15; k++ {
		require.NoError(t, js.Schedule(ctx, kind, k, t0.Add(-time.Duration(k)*time.Second)))
	}
	got, err = js.Claim(ctx, kind, t0, time.Minute, 2)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []storage.ID{14, 13}, []storage.ID{got[0].Key, got[1].Key})
	for _, g := range got {
		_, err := js.Done(ctx, g, t0)
		require.NoError(t, err)
	}
	for _, k := range []storage.ID{10, 11, 12} {
		_, err := js.Get(ctx, kind, k)
		require.NoError(t, err)
	}

	// Concurrent claimers: every job goes to one of them.
	const n = 40
	for k := storage.ID(100); k < 100+n; k++ {
		require.NoError(t, js.Schedule(ctx, "test.race", k, t0))
	}
	var mu sync.Mutex
	seen := map[storage.ID]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				got, err := js.Claim(ctx, "test.race", t0, time.Hour, 3)
				if !assert.NoError(t, err) || len(got) == 0 {
					return
				}
				mu.Lock()
				for _, g := range got {
					seen[g.Key]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, n, "every job claimed")
	for k, c := range seen {
		assert.Equal(t, 1, c, "job %s claimed once", k)
	}
}
