package federate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

func pollCounts(t testing.TB, s *federatetest.Server, st *storage.Status) []int64 {
	t.Helper()
	require.NotZero(t, st.PollID, "%s has a poll", st.URI)
	p, err := s.Store.Polls().Get(t.Context(), st.PollID)
	require.NoError(t, err)
	out := make([]int64, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.VotesCount
	}
	return out
}

// TestPollsBothDirections: a poll posted on one server reaches the other
// as a poll; a vote there reaches the author's server as a vote (not a
// status); the tallies go back in an Update(Question); its end notifies
// the voters on both sides; an edit of its options resets the votes.
func TestPollsBothDirections(t *testing.T) {
	t.Parallel()
	opts := &federatetest.Options{Federate: &federate.Options{PollUpdateDelay: 20 * time.Millisecond}}
	a, b := federatetest.NewServer(t, opts), federatetest.NewServer(t, opts)
	ctx := t.Context()
	for _, dir := range [][2]*federatetest.Server{{a, b}, {b, a}} {
		src, dst := dir[0], dir[1]
		author, local := src.CreateUser(t, "pollster", false), src.CreateUser(t, "neighbour", false)
		reader := dst.CreateUser(t, "reader", false)
		follow(t, dst, src, reader, author)

		st, err := src.Social.PostStatus(ctx, author, social.PostInput{Text: "which one?", Poll: &social.PollInput{
			Options: []string{"red", "green", "blue"}, ExpiresIn: time.Hour}})
		require.NoError(t, err)
		federatetest.FlushAll(t, src, dst)
		there := dst.StatusByURI(st.URI)
		require.NotNil(t, there, "the Question arrived")
		require.NotZero(t, there.PollID, "as a status with a poll")
		p, err := dst.Store.Polls().Get(ctx, there.PollID)
		require.NoError(t, err)
		assert.Equal(t, []string{"red", "green", "blue"}, p.Options.Titles())
		assert.False(t, p.Multiple)
		require.NotNil(t, p.ExpiresAt)
		assert.WithinDuration(t, time.Now().Add(time.Hour), *p.ExpiresAt, time.Minute)

		// The reader votes on dst: counted there at once, and on src.
		_, err = dst.Social.Vote(ctx, reader, there.PollID, []int{1})
		require.NoError(t, err)
		assert.Equal(t, []int64{0, 1, 0}, pollCounts(t, dst, there))
		federatetest.FlushAll(t, src, dst)
		assert.Equal(t, []int64{0, 1, 0}, pollCounts(t, src, st), "the vote reached the author's server")
		readerAtSrc := src.AccountByURI(reader.URI)
		require.NotNil(t, readerAtSrc)
		sts, err := src.Store.Statuses().ByAccount(ctx, readerAtSrc.ID, storage.StatusFilter{}, storage.Page{Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, sts, "a vote is not a status")

		// A local vote on src: the new tallies reach dst.
		_, err = src.Social.Vote(ctx, local, st.PollID, []int{0})
		require.NoError(t, err)
		federatetest.Eventually(t, 10*time.Second, func() bool {
			there = dst.StatusByURI(st.URI)
			c := pollCounts(t, dst, there)
			return len(c) == 3 && c[0] == 1 && c[1] == 1
		}, "the tallies did not reach %s", dst.URL)
		there = dst.StatusByURI(st.URI)
		assert.Nil(t, there.EditedAt, "new tallies are no edit")
		own, err := dst.Store.Polls().OwnVotes(ctx, reader.ID, []storage.ID{there.PollID})
		require.NoError(t, err)
		assert.Equal(t, []int{1}, own[there.PollID])

		// The poll ends: everyone concerned is told.
		past := time.Now().Add(-time.Second)
		for _, s := range []*federatetest.Server{src, dst} {
			x := s.StatusByURI(st.URI)
			pp, err := s.Store.Polls().Get(ctx, x.PollID)
			require.NoError(t, err)
			pp.ExpiresAt = &past
			require.NoError(t, s.Store.Polls().Update(ctx, pp))
		}
		n, err := src.Social.ClosePolls(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, 1, notified(t, src, author, storage.NotifyPoll))
		assert.Equal(t, 1, notified(t, src, local, storage.NotifyPoll))
		n, err = dst.Social.ClosePolls(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, 1, notified(t, dst, reader, storage.NotifyPoll))
		federatetest.FlushAll(t, src, dst)

		// The author changes the options: a new poll for everyone.
		_, err = src.Social.EditStatus(ctx, author, st.ID, social.EditInput{Text: "which one, really?", Poll: &social.PollInput{
			Options: []string{"cyan", "magenta"}, ExpiresIn: time.Hour, Multiple: true}})
		require.NoError(t, err)
		federatetest.FlushAll(t, src, dst)
		there = dst.StatusByURI(st.URI)
		assert.Contains(t, there.Content, "really")
		p, err = dst.Store.Polls().Get(ctx, there.PollID)
		require.NoError(t, err)
		assert.Equal(t, []string{"cyan", "magenta"}, p.Options.Titles())
		assert.True(t, p.Multiple)
		assert.Nil(t, p.ClosedAt)
		own, err = dst.Store.Polls().OwnVotes(ctx, reader.ID, []storage.ID{there.PollID})
		require.NoError(t, err)
		assert.Empty(t, own, "the old votes are gone")
		hist, err := dst.Social.History(ctx, reader, there.ID)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		assert.Equal(t, storage.Strings{"red", "green", "blue"}, hist[0].PollOptions)
		assert.Equal(t, storage.Strings{"cyan", "magenta"}, hist[1].PollOptions)

		// A multiple-choice vote: one Note per choice, one voter.
		_, err = dst.Social.Vote(ctx, reader, there.PollID, []int{0, 1})
		require.NoError(t, err)
		federatetest.FlushAll(t, src, dst)
		sp, err := src.Store.Polls().Get(ctx, st.PollID)
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 1}, []int64{sp.Options[0].VotesCount, sp.Options[1].VotesCount})
		assert.Equal(t, int64(1), sp.VotersCount)
	}
}
