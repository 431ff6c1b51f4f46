package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunDeliveries checks a backend's durable delivery queue.
func RunDeliveries(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)

	t.Run("EnqueueClaimDone", func(t *testing.T) {
		s := open(t)
		q := s.Deliveries()
		_, err := q.NextDue(ctx)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		body := []byte(`{"type":"Create"}`)
		require.NoError(t, q.Enqueue(ctx, &storage.OutgoingActivity{
			URI: "https://local.example/a/1", SignerID: 42, Body: body,
			Inboxes: []string{"https://a.example/inbox", "https://B.example/users/x/inbox", "https://a.example/inbox", ""},
		}))
		depth, err := q.Depth(ctx)
		require.NoError(t, err)
		assert.ElementsMatch(t, []storage.HostDepth{{Host: "a.example", Pending: 1}, {Host: "b.example", Pending: 1}}, depth)

		got, err := q.Claim(ctx, 10, time.Now().Add(time.Second), time.Minute, nil)
		require.NoError(t, err)
		require.Len(t, got, 2)
		for _, d := range got {
			assert.Equal(t, body, d.Body)
			assert.Equal(t, storage.ID(42), d.SignerID)
			assert.Equal(t, "https://local.example/a/1", d.ActivityURI)
			assert.Equal(t, 1, d.Attempts)
		}
		// Leased: a second claim gets nothing.
		again, err := q.Claim(ctx, 10, time.Now().Add(time.Second), time.Minute, nil)
		require.NoError(t, err)
		assert.Empty(t, again)

		require.NoError(t, q.Done(ctx, got[0].ID))
		require.NoError(t, q.Done(ctx, got[1].ID))
		depth, err = q.Depth(ctx)
		require.NoError(t, err)
		assert.Empty(t, depth)
		assert.ErrorIs(t, q.Done(ctx, got[0].ID), storage.ErrNotFound)
	})

	t.Run("RetryLeaseAndSkip", func(t *testing.T) {
		s := open(t)
		q := s.Deliveries()
		require.NoError(t, q.Enqueue(ctx, &storage.OutgoingActivity{URI: "u", Body: []byte("{}"),
			Inboxes: []string{"https://a.example/inbox", "https://b.example/inbox"}}))
		now := time.Now().Add(time.Second)
		got, err := q.Claim(ctx, 10, now, time.Minute, []string{"a.example"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "b.example", got[0].Host)

		// Retry later: not due now, due after.
		require.NoError(t, q.Retry(ctx, got[0].ID, now.Add(time.Hour), "HTTP 503"))
		none, err := q.Claim(ctx, 10, now, time.Minute, []string{"a.example"})
		require.NoError(t, err)
		assert.Empty(t, none)
		later, err := q.Claim(ctx, 10, now.Add(2*time.Hour), time.Minute, []string{"a.example"})
		require.NoError(t, err)
		require.Len(t, later, 1)
		assert.Equal(t, 2, later[0].Attempts)
		assert.Equal(t, "HTTP 503", later[0].LastError)

		// A lease that runs out (a crashed worker) makes the delivery claimable again.
		expired, err := q.Claim(ctx, 10, now.Add(2*time.Hour+2*time.Minute), time.Minute, []string{"a.example"})
		require.NoError(t, err)
		require.Len(t, expired, 1)
		assert.Equal(t, later[0].ID, expired[0].ID)
		assert.Equal(t, 3, expired[0].Attempts)

		due, err := q.NextDue(ctx)
		require.NoError(t, err)
		assert.False(t, due.After(now))
	})

	t.Run("DeferAndDropHost", func(t *testing.T) {
		s := open(t)
		q := s.Deliveries()
		for i := 0; i < 3; i++ {
			require.NoError(t, q.Enqueue(ctx, &storage.OutgoingActivity{URI: fmt.Sprint(i), Body: []byte("{}"),
				Inboxes: []string{"https://down.example/inbox", "https://up.example/inbox"}}))
		}
		until := t0.Add(24 * time.Hour)
		require.NoError(t, q.DeferHost(ctx, "down.example", until))
		got, err := q.Claim(ctx, 10, t0.Add(time.Hour), time.Minute, nil)
		require.NoError(t, err)
		require.Len(t, got, 3)
		for _, d := range got {
			assert.Equal(t, "up.example", d.Host)
		}
		n, err := q.DropHost(ctx, "DOWN.example")
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		depth, err := q.Depth(ctx)
		require.NoError(t, err)
		assert.Equal(t, []storage.HostDepth{{Host: "up.example", Pending: 3}}, depth)
	})

	t.Run("BadInbox", func(t *testing.T) {
		s := open(t)
		err := s.Deliveries().Enqueue(ctx, &storage.OutgoingActivity{URI: "x", Body: []byte("{}"), Inboxes: []string{"ftp://x/inbox"}})
		assert.ErrorIs(t, err, storage.ErrInvalid)
		err = s.Deliveries().Enqueue(ctx, &storage.OutgoingActivity{URI: "x", Inboxes: []string{"https://x/inbox"}})
		assert.ErrorIs(t, err, storage.ErrInvalid)
	})

	t.Run("ConcurrentClaimersNeverShare", func(t *testing.T) {
		s := open(t)
		q := s.Deliveries()
		inboxes := make([]string, 600)
		for i := range inboxes {
			inboxes[i] = fmt.Sprintf("https://h%d.example/inbox", i%50) + fmt.Sprint("?u=", i)
		}
		require.NoError(t, q.Enqueue(ctx, &storage.OutgoingActivity{URI: "fan", Body: []byte("{}"), Inboxes: inboxes}))
		var mu sync.Mutex
		seen := map[storage.ID]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := q.Claim(ctx, 25, time.Now().Add(time.Second), time.Minute, nil)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					for _, d := range got {
						mu.Lock()
						dup := seen[d.ID]
						seen[d.ID] = true
						mu.Unlock()
						if dup {
							errs <- errors.New("delivery claimed twice")
							return
						}
						if err := q.Done(ctx, d.ID); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Len(t, seen, 600)
	})
}
