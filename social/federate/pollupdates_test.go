package federate_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

// TestPollUpdateSurvivesRestart: the Update(Question) that a vote in a
// local poll schedules is kept in the store, so a process started after
// the one that counted the votes sends it; the votes of one delay go out
// in one Update, sent by one of several processes sharing the store.
func TestPollUpdateSurvivesRestart(t *testing.T) {
	t.Parallel()
	const delay = 50 * time.Millisecond
	var updates atomic.Int32
	count := federation.PolicyFunc(func(_ context.Context, act *ap.Object, _ *storage.Account) federation.Decision {
		if act.Type == ap.TypeUpdate && strings.Contains(act.ID, "#updates/") {
			updates.Add(1)
		}
		return federation.Decision{}
	})
	a := federatetest.NewServer(t, &federatetest.Options{ManualPollUpdates: true,
		Federate: &federate.Options{PollUpdateDelay: delay}})
	b := federatetest.NewServer(t, &federatetest.Options{Inbox: &federation.InboxOptions{Policy: count}})
	ctx := t.Context()
	author := a.CreateUser(t, "pollster", false)
	reader := b.CreateUser(t, "reader", false)
	follow(t, b, a, reader, author)
	st, err := a.Social.PostStatus(ctx, author, social.PostInput{Text: "which one?", Poll: &social.PollInput{
		Options: []string{"red", "green", "blue"}, ExpiresIn: time.Hour}})
	require.NoError(t, err)
	federatetest.FlushAll(t, a, b)
	there := b.StatusByURI(st.URI)
	require.NotNil(t, there)

	// A remote vote and three local ones, within the delay: one pending
	// update.
	_, err = b.Social.Vote(ctx, reader, there.PollID, []int{2})
	require.NoError(t, err)
	federatetest.FlushAll(t, a, b)
	for i, name := range []string{"ann", "bob", "cy"} {
		voter := a.CreateUser(t, name, false)
		_, err := a.Social.Vote(ctx, voter, st.PollID, []int{i % 2})
		require.NoError(t, err)
	}
	j, err := a.Store.Jobs().Get(ctx, federate.PollUpdateJob, st.ID)
	require.NoError(t, err, "the update is pending in the store")
	assert.Equal(t, int64(4), j.Rev, "four votes, one job")

	// The process that counted the votes stops before the delay ends (its
	// Federator never sends); two new ones start over the same store.
	restart := func() *federate.Federator {
		svc := social.New(a.Store, a.URLs, nil)
		return federate.New(svc, a.Resolver, a.Sender, &federate.Options{PollUpdateDelay: delay})
	}
	p1, p2 := restart(), restart()
	time.Sleep(delay + 10*time.Millisecond)
	var sent atomic.Int32
	var wg sync.WaitGroup
	for _, p := range []*federate.Federator{p1, p2} {
		wg.Go(func() {
			n, err := p.SendDuePollUpdates(ctx)
			assert.NoError(t, err)
			sent.Add(int32(n))
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), sent.Load(), "one Update, by one process")
	federatetest.FlushAll(t, a, b)
	assert.Equal(t, []int64{2, 1, 1}, pollCounts(t, b, b.StatusByURI(st.URI)), "the tallies reached %s", b.URL)
	assert.Equal(t, int32(1), updates.Load(), "one Update(Question) received")
	_, err = a.Store.Jobs().Get(ctx, federate.PollUpdateJob, st.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing pending")
	n, err := p1.SendDuePollUpdates(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)

	// Run sends a later vote's update by itself, and stops with its context.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p2.RunPollUpdates(runCtx) }()
	_, err = a.Social.Vote(ctx, a.CreateUser(t, "dee", false), st.PollID, []int{2})
	require.NoError(t, err)
	federatetest.Eventually(t, 10*time.Second, func() bool {
		c := pollCounts(t, b, b.StatusByURI(st.URI))
		return len(c) == 3 && c[2] == 2
	}, "the second update did not arrive")
	stop()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("RunPollUpdates did not stop")
	}
	assert.Equal(t, int32(2), updates.Load())
}

// TestPollUpdatesClaimWithinLease: with a long SendTimeout the updates are
// claimed a few at a time (a claim's sends fit in its lease), and one call
// still sends every due update.
func TestPollUpdatesClaimWithinLease(t *testing.T) {
	t.Parallel()
	a := federatetest.NewServer(t, &federatetest.Options{ManualPollUpdates: true})
	ctx := t.Context()
	svc := social.New(a.Store, a.URLs, nil)
	f := federate.New(svc, a.Resolver, a.Sender, &federate.Options{SendTimeout: time.Minute})
	past := time.Now().Add(-time.Second)
	for i := range 3 {
		// Statuses that are gone: their updates are done at once.
		require.NoError(t, a.Store.Jobs().Schedule(ctx, federate.PollUpdateJob, storage.ID(1000+i), past))
	}
	n, err := f.SendDuePollUpdates(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	left, err := a.Store.Jobs().Claim(ctx, federate.PollUpdateJob, time.Now(), time.Minute, 10)
	require.NoError(t, err)
	assert.Empty(t, left, "nothing pending")
}
