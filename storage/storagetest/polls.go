package storagetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunPolls checks a backend's storage.Polls: round trips, votes with their
// atomic counts and conflicts, the viewer's own votes for many polls at
// once, the expiry listing and closing, and removal with the status. Each
// subtest runs on a store of its own.
func RunPolls(t *testing.T, open func(t *testing.T) storage.Store) {
	t0 := time.Now().UTC().Truncate(time.Second)
	newPoll := func(t *testing.T, h *harness, multiple bool, mods ...func(*storage.Poll)) (*storage.Poll, *storage.Status) {
		t.Helper()
		a := h.local(t, "pollster")
		pid := h.s.NewID()
		st := h.post(t, a, func(s *storage.Status) { s.PollID = pid })
		exp := t0.Add(time.Hour)
		p := &storage.Poll{ID: pid, StatusID: st.ID, AccountID: a.ID, Multiple: multiple, ExpiresAt: &exp,
			Options: storage.PollOptions{{Title: "yes"}, {Title: "no"}, {Title: "perhaps — 多分 🤷"}}}
		for _, m := range mods {
			m(p)
		}
		require.NoError(t, h.s.Polls().Create(t.Context(), p))
		return p, st
	}

	t.Run("RoundTrip", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		fetched := t0.Add(-time.Minute)
		p, st := newPoll(t, h, true, func(p *storage.Poll) {
			p.HideTotals = true
			p.VotesCount, p.VotersCount = 7, 5
			p.Options[0].VotesCount, p.Options[1].VotesCount = 4, 3
			p.LastFetchedAt = &fetched
		})
		require.NotZero(t, p.ID)
		require.False(t, p.CreatedAt.IsZero())
		got, err := h.s.Polls().Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.Equal(t, st.ID, got.StatusID)

		many, err := h.s.Polls().GetMany(ctx, []storage.ID{p.ID, 424242})
		require.NoError(t, err)
		require.Len(t, many, 1)
		assert.Equal(t, p, many[0])
		none, err := h.s.Polls().GetMany(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, none)

		_, err = h.s.Polls().Get(ctx, 424242)
		requireNotFound(t, err, "get unknown poll")
		err = h.s.Polls().Create(ctx, &storage.Poll{AccountID: p.AccountID})
		assert.True(t, errors.Is(err, storage.ErrInvalid), "a poll needs a status: %v", err)

		// Update writes the editable fields.
		closed := t0.Add(2 * time.Hour)
		got.Options = storage.PollOptions{{Title: "a", VotesCount: 1}, {Title: "b", VotesCount: 2}}
		got.Multiple, got.HideTotals, got.ClosedAt, got.ExpiresAt = false, false, &closed, nil
		got.VotesCount, got.VotersCount, got.LastFetchedAt = 3, 3, nil
		require.NoError(t, h.s.Polls().Update(ctx, got))
		back, err := h.s.Polls().Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, got, back)
		assert.True(t, back.Expired(t0), "a closed poll has ended")
		assert.True(t, got.UpdatedAt.After(p.UpdatedAt) || got.UpdatedAt.Equal(p.UpdatedAt))
		requireNotFound(t, h.s.Polls().Update(ctx, &storage.Poll{ID: 424242}), "update unknown poll")
	})

	t.Run("Vote", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		p, _ := newPoll(t, h, false)
		v1, v2 := h.local(t, "voter"), h.remote(t, "voter", "remote.example", "")
		got, err := h.s.Polls().Vote(ctx, p.ID, v1.ID, []*storage.PollVote{{Choice: 1}})
		require.NoError(t, err)
		assert.Equal(t, []int64{0, 1, 0}, counts(got))
		assert.Equal(t, int64(1), got.VotesCount)
		assert.Equal(t, int64(1), got.VotersCount)

		_, err = h.s.Polls().Vote(ctx, p.ID, v1.ID, []*storage.PollVote{{Choice: 0}})
		assert.True(t, errors.Is(err, storage.ErrConflict), "a second vote on a single-choice poll: %v", err)
		_, err = h.s.Polls().Vote(ctx, p.ID, v2.ID, []*storage.PollVote{{Choice: 3}})
		assert.True(t, errors.Is(err, storage.ErrInvalid), "a choice out of range: %v", err)
		_, err = h.s.Polls().Vote(ctx, p.ID, v2.ID, nil)
		assert.True(t, errors.Is(err, storage.ErrInvalid), "no choice: %v", err)
		_, err = h.s.Polls().Vote(ctx, 424242, v2.ID, []*storage.PollVote{{Choice: 0}})
		requireNotFound(t, err, "vote in an unknown poll")

		vote := &storage.PollVote{Choice: 0, URI: "https://remote.example/users/v#votes/1"}
		got, err = h.s.Polls().Vote(ctx, p.ID, v2.ID, []*storage.PollVote{vote})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 1, 0}, counts(got))
		assert.Equal(t, int64(2), got.VotersCount)
		assert.NotZero(t, vote.ID)
		assert.Equal(t, p.ID, vote.PollID)

		votes, err := h.s.Polls().Votes(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, votes, 2)
		assert.Equal(t, v1.ID, votes[0].AccountID)
		assert.Equal(t, vote.URI, votes[1].URI)
		assert.Equal(t, vote.CreatedAt, votes[1].CreatedAt)

		reread, err := h.s.Polls().Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, counts(got), counts(reread), "the counts are stored")

		require.NoError(t, h.s.Polls().DeleteVotes(ctx, p.ID))
		votes, err = h.s.Polls().Votes(ctx, p.ID)
		require.NoError(t, err)
		assert.Empty(t, votes)
	})

	t.Run("MultipleChoice", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		p, _ := newPoll(t, h, true)
		v := h.local(t, "voter")
		got, err := h.s.Polls().Vote(ctx, p.ID, v.ID, []*storage.PollVote{{Choice: 0}, {Choice: 2}})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 0, 1}, counts(got))
		assert.Equal(t, int64(2), got.VotesCount)
		assert.Equal(t, int64(1), got.VotersCount)
		// A remote voter's choices arrive one by one: one voter.
		got, err = h.s.Polls().Vote(ctx, p.ID, v.ID, []*storage.PollVote{{Choice: 1}})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 1, 1}, counts(got))
		assert.Equal(t, int64(1), got.VotersCount)
		// The same choice twice is a conflict, and nothing is recorded.
		_, err = h.s.Polls().Vote(ctx, p.ID, v.ID, []*storage.PollVote{{Choice: 1}})
		assert.True(t, errors.Is(err, storage.ErrConflict), "%v", err)
		w := h.local(t, "voter")
		_, err = h.s.Polls().Vote(ctx, p.ID, w.ID, []*storage.PollVote{{Choice: 0}, {Choice: 0}})
		assert.True(t, errors.Is(err, storage.ErrConflict), "%v", err)
		reread, err := h.s.Polls().Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 1, 1}, counts(reread), "a refused vote counts nothing")
		assert.Equal(t, int64(1), reread.VotersCount)
	})

	t.Run("ConcurrentVotes", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		p, _ := newPoll(t, h, false)
		const n = 12
		voters := make([]*storage.Account, n)
		for i := range voters {
			voters[i] = h.local(t, "voter")
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, v := range voters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = h.s.Polls().Vote(ctx, p.ID, v.ID, []*storage.PollVote{{Choice: i % 3}})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		got, err := h.s.Polls().Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, []int64{4, 4, 4}, counts(got), "no vote is lost")
		assert.Equal(t, int64(n), got.VotesCount)
		assert.Equal(t, int64(n), got.VotersCount)
	})

	t.Run("OwnVotes", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		p1, _ := newPoll(t, h, true)
		p2, _ := newPoll(t, h, false)
		p3, _ := newPoll(t, h, false)
		v := h.local(t, "voter")
		_, err := h.s.Polls().Vote(ctx, p1.ID, v.ID, []*storage.PollVote{{Choice: 2}, {Choice: 0}})
		require.NoError(t, err)
		_, err = h.s.Polls().Vote(ctx, p2.ID, v.ID, []*storage.PollVote{{Choice: 1}})
		require.NoError(t, err)
		own, err := h.s.Polls().OwnVotes(ctx, v.ID, []storage.ID{p1.ID, p2.ID, p3.ID})
		require.NoError(t, err)
		assert.Equal(t, map[storage.ID][]int{p1.ID: {0, 2}, p2.ID: {1}}, own)
		own, err = h.s.Polls().OwnVotes(ctx, v.ID, nil)
		require.NoError(t, err)
		assert.Empty(t, own)
	})

	t.Run("DueAndClose", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		past1, past2, future := t0.Add(-2*time.Hour), t0.Add(-time.Hour), t0.Add(time.Hour)
		p1, _ := newPoll(t, h, false, func(p *storage.Poll) { p.ExpiresAt = &past2 })
		p2, _ := newPoll(t, h, false, func(p *storage.Poll) { p.ExpiresAt = &past1 })
		newPoll(t, h, false, func(p *storage.Poll) { p.ExpiresAt = &future })
		newPoll(t, h, false, func(p *storage.Poll) { p.ExpiresAt = nil })
		newPoll(t, h, false, func(p *storage.Poll) { p.ExpiresAt, p.ClosedAt = &past1, &past1 })
		due, err := h.s.Polls().ListDue(ctx, t0, 10)
		require.NoError(t, err)
		require.Len(t, due, 2)
		assert.Equal(t, []storage.ID{p2.ID, p1.ID}, []storage.ID{due[0].ID, due[1].ID}, "soonest first")
		due, err = h.s.Polls().ListDue(ctx, t0, 1)
		require.NoError(t, err)
		assert.Len(t, due, 1)

		ok, err := h.s.Polls().Close(ctx, p2.ID, t0)
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = h.s.Polls().Close(ctx, p2.ID, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.False(t, ok, "closing twice: the second does nothing")
		got, err := h.s.Polls().Get(ctx, p2.ID)
		require.NoError(t, err)
		require.NotNil(t, got.ClosedAt)
		assert.Equal(t, t0, *got.ClosedAt)
		_, err = h.s.Polls().Close(ctx, 424242, t0)
		requireNotFound(t, err, "close unknown poll")

		due, err = h.s.Polls().ListDue(ctx, t0, 10)
		require.NoError(t, err)
		require.Len(t, due, 1)
		assert.Equal(t, p1.ID, due[0].ID)
	})

	t.Run("GoesWithStatus", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		p, st := newPoll(t, h, false)
		v := h.local(t, "voter")
		_, err := h.s.Polls().Vote(ctx, p.ID, v.ID, []*storage.PollVote{{Choice: 0}})
		require.NoError(t, err)
		require.NoError(t, h.s.Statuses().Delete(ctx, st.ID))
		_, err = h.s.Polls().Get(ctx, p.ID)
		requireNotFound(t, err, "poll of a deleted status")
		own, err := h.s.Polls().OwnVotes(ctx, v.ID, []storage.ID{p.ID})
		require.NoError(t, err)
		assert.Empty(t, own, "votes go with the poll")

		q, _ := newPoll(t, h, false)
		_, err = h.s.Polls().Vote(ctx, q.ID, v.ID, []*storage.PollVote{{Choice: 0}})
		require.NoError(t, err)
		require.NoError(t, h.s.Polls().Delete(ctx, q.ID))
		_, err = h.s.Polls().Get(ctx, q.ID)
		requireNotFound(t, err, "deleted poll")
		requireNotFound(t, h.s.Polls().Delete(ctx, q.ID), "delete twice")
	})

	t.Run("EditHistory", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		_, st := newPoll(t, h, false)
		e := &storage.StatusEdit{StatusID: st.ID, AccountID: st.AccountID, Content: "<p>v1</p>", PollOptions: storage.Strings{"yes", "no"}}
		require.NoError(t, h.s.Statuses().AddEdit(ctx, e))
		require.NoError(t, h.s.Statuses().AddEdit(ctx, &storage.StatusEdit{StatusID: st.ID, AccountID: st.AccountID, Content: "<p>v2</p>"}))
		edits, err := h.s.Statuses().Edits(ctx, st.ID)
		require.NoError(t, err)
		require.Len(t, edits, 2)
		assert.Equal(t, storage.Strings{"yes", "no"}, edits[0].PollOptions)
		assert.Empty(t, edits[1].PollOptions)
	})
}

func counts(p *storage.Poll) []int64 {
	out := make([]int64, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.VotesCount
	}
	return out
}
