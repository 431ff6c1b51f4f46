package social_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// withClock replaces the env's service by one on a settable clock.
func (e *env) withClock() *clock {
	c := &clock{t: time.Now().UTC()}
	e.svc = social.New(e.store, e.urls, &social.Options{Events: e.events, Now: c.now})
	return c
}

func pollInput(options ...string) *social.PollInput {
	return &social.PollInput{Options: options, ExpiresIn: time.Hour}
}

func (e *env) poll(st *storage.Status) *storage.Poll {
	e.t.Helper()
	require.NotZero(e.t, st.PollID, "the status has a poll")
	p, err := e.store.Polls().Get(e.ctx, st.PollID)
	require.NoError(e.t, err)
	return p
}

func votes(p *storage.Poll) []int64 {
	out := make([]int64, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.VotesCount
	}
	return out
}

func TestPostPoll(t *testing.T) {
	e := newEnv(t)
	c := e.withClock()
	alice := e.local("alice")
	in := social.PostInput{Text: "tabs or spaces?", Poll: &social.PollInput{Options: []string{"tabs", "spaces"},
		ExpiresIn: 10 * time.Minute, Multiple: true, HideTotals: true}}
	st, err := e.svc.PostStatus(e.ctx, alice, in)
	require.NoError(t, err)
	p := e.poll(st)
	assert.Equal(t, st.ID, p.StatusID)
	assert.Equal(t, alice.ID, p.AccountID)
	assert.Equal(t, []string{"tabs", "spaces"}, p.Options.Titles())
	assert.True(t, p.Multiple)
	assert.True(t, p.HideTotals)
	require.NotNil(t, p.ExpiresAt)
	assert.WithinDuration(t, c.now().Add(10*time.Minute), *p.ExpiresAt, time.Millisecond)
	assert.Equal(t, st.PollID, e.status(st.ID).PollID)

	var ve *social.ValidationError
	for _, tc := range []struct {
		name  string
		poll  *social.PollInput
		media []storage.ID
		field string
	}{
		{"one option", pollInput("a"), nil, "poll_options"},
		{"too many", pollInput("a", "b", "c", "d", "e"), nil, "poll_options"},
		{"duplicates", pollInput("a", "a"), nil, "poll_options"},
		{"blank", pollInput("a", " "), nil, "poll_options"},
		{"too long", pollInput("a", "123456789012345678901234567890123456789012345678901"), nil, "poll_options"},
		{"too soon", &social.PollInput{Options: []string{"a", "b"}, ExpiresIn: 299 * time.Second}, nil, "poll_expires_at"},
		{"too late", &social.PollInput{Options: []string{"a", "b"}, ExpiresIn: 2629747 * time.Second}, nil, "poll_expires_at"},
		{"with media", pollInput("a", "b"), []storage.ID{1}, "media_ids"},
	} {
		_, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "x", Poll: tc.poll, MediaIDs: tc.media})
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
	}
	// The limits are configurable.
	svc := social.New(e.store, e.urls, &social.Options{MaxPollOptions: 5, MaxPollOptionChars: 60})
	assert.Equal(t, 5, svc.PollLimits().MaxOptions)
	_, err = svc.PostStatus(e.ctx, alice, social.PostInput{Text: "five", Poll: pollInput("a", "b", "c", "d", "e")})
	require.NoError(t, err)
	assert.Equal(t, social.PollLimits{MaxOptions: 4, MaxOptionChars: 50, MinExpiration: 5 * time.Minute,
		MaxExpiration: 2629746 * time.Second}, e.svc.PollLimits())
}

func TestVote(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		c := e.withClock()
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Poll: pollInput("a", "b", "c")})
		require.NoError(t, err)
		p, err := e.svc.Vote(e.ctx, bob, st.PollID, []int{1})
		require.NoError(t, err)
		assert.Equal(t, []int64{0, 1, 0}, votes(p))
		assert.Equal(t, int64(1), p.VotersCount)
		ev := e.events.ofType(social.EventPollVoted)
		require.Len(t, ev, 1)
		assert.Equal(t, bob.ID, ev[0].Actor.ID)
		assert.Equal(t, alice.ID, ev[0].Target.ID)
		require.Len(t, ev[0].Votes, 1)
		assert.Empty(t, ev[0].Votes[0].URI, "a vote in a local poll needs no URI")

		var ve *social.ValidationError
		check := func(voter *storage.Account, choices []int, want string) {
			t.Helper()
			_, err := e.svc.Vote(e.ctx, voter, st.PollID, choices)
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, want, ve.Message)
			assert.ErrorIs(t, err, social.ErrInvalid)
		}
		check(bob, []int{0}, "You have already voted on this poll")
		check(alice, []int{0}, "You cannot vote in your own polls")
		check(carol, []int{3}, "The chosen vote option does not exist")
		check(carol, []int{-1}, "The chosen vote option does not exist")
		check(carol, nil, "The chosen vote option does not exist")
		check(carol, []int{0, 1}, "You have already voted on this poll")
		_, err = e.svc.Vote(e.ctx, carol, 424242, []int{0})
		assert.ErrorIs(t, err, social.ErrNotFound)

		// A private poll is invisible to strangers.
		priv, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Visibility: storage.VisibilityPrivate, Poll: pollInput("a", "b")})
		require.NoError(t, err)
		_, err = e.svc.Vote(e.ctx, carol, priv.PollID, []int{0})
		assert.ErrorIs(t, err, social.ErrNotFound)
		_, _, err = e.svc.GetPoll(e.ctx, carol, priv.PollID)
		assert.ErrorIs(t, err, social.ErrNotFound)
		got, gotSt, err := e.svc.GetPoll(e.ctx, nil, st.PollID)
		require.NoError(t, err)
		assert.Equal(t, st.ID, gotSt.ID)
		assert.Equal(t, []int64{0, 1, 0}, votes(got))

		c.add(2 * time.Hour)
		check(carol, []int{0}, "The poll has already ended")
	})
}

func TestVoteMultiple(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.local("alice"), e.local("bob")
	st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Poll: &social.PollInput{Options: []string{"a", "b", "c"},
		ExpiresIn: time.Hour, Multiple: true}})
	require.NoError(t, err)
	p, err := e.svc.Vote(e.ctx, bob, st.PollID, []int{2, 0, 2})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 0, 1}, votes(p))
	assert.Equal(t, int64(2), p.VotesCount)
	assert.Equal(t, int64(1), p.VotersCount)
	own, err := e.store.Polls().OwnVotes(e.ctx, bob.ID, []storage.ID{p.ID})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 2}, own[p.ID])
}

func TestVoteInRemotePoll(t *testing.T) {
	e := newEnv(t)
	bob := e.local("bob")
	zed := e.remote("zed", "remote.example")
	e.follow(bob, zed)
	exp := time.Now().Add(time.Hour).UTC()
	st, created, err := e.svc.ReceiveStatus(e.ctx, &storage.Status{URI: "https://remote.example/q/1", AccountID: zed.ID,
		Content: "<p>?</p>", Visibility: storage.VisibilityPublic}, social.ReceiveOptions{Poll: &storage.Poll{
		Options: storage.PollOptions{{Title: "x", VotesCount: 3}, {Title: "y", VotesCount: 1}}, ExpiresAt: &exp, VotesCount: 4, VotersCount: 4}})
	require.NoError(t, err)
	require.True(t, created)
	p := e.poll(st)
	assert.Equal(t, []int64{3, 1}, votes(p))
	assert.NotNil(t, p.LastFetchedAt)
	assert.Nil(t, p.ClosedAt)

	p, err = e.svc.Vote(e.ctx, bob, p.ID, []int{1})
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 2}, votes(p), "counted at once")
	ev := e.events.ofType(social.EventPollVoted)
	require.Len(t, ev, 1)
	require.Len(t, ev[0].Votes, 1)
	assert.Equal(t, bob.URI+"#votes/"+ev[0].Votes[0].ID.String(), ev[0].Votes[0].URI, "the id of the vote's Note")

	// The author's server publishes new tallies.
	upd := &storage.Poll{Options: storage.PollOptions{{Title: "x", VotesCount: 5}, {Title: "y", VotesCount: 2}}, ExpiresAt: &exp,
		VotesCount: 7, VotersCount: 7}
	_, err = e.svc.ReceiveEdit(e.ctx, zed, st.ID, social.RemoteEdit{Content: "<p>?</p>", Poll: upd})
	require.NoError(t, err)
	p = e.poll(e.status(st.ID))
	assert.Equal(t, []int64{5, 2}, votes(p))
	assert.Equal(t, int64(7), p.VotersCount)
	assert.Nil(t, e.status(st.ID).EditedAt, "new tallies are not an edit")
	own, err := e.store.Polls().OwnVotes(e.ctx, bob.ID, []storage.ID{p.ID})
	require.NoError(t, err)
	assert.Equal(t, []int{1}, own[p.ID], "the local vote stays")

	// New options are an edit: the votes go.
	upd = &storage.Poll{Options: storage.PollOptions{{Title: "x"}, {Title: "z"}}, ExpiresAt: &exp}
	_, err = e.svc.ReceiveEdit(e.ctx, zed, st.ID, social.RemoteEdit{Content: "<p>?</p>", Poll: upd})
	require.NoError(t, err)
	edited := e.status(st.ID)
	assert.NotNil(t, edited.EditedAt)
	assert.Equal(t, p.ID, edited.PollID, "the same poll")
	own, err = e.store.Polls().OwnVotes(e.ctx, bob.ID, []storage.ID{p.ID})
	require.NoError(t, err)
	assert.Empty(t, own)
	hist, err := e.svc.History(e.ctx, bob, st.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, storage.Strings{"x", "y"}, hist[0].PollOptions)
	assert.Equal(t, storage.Strings{"x", "z"}, hist[1].PollOptions)

	// A post without its poll loses it.
	_, err = e.svc.ReceiveEdit(e.ctx, zed, st.ID, social.RemoteEdit{Content: "<p>?</p>"})
	require.NoError(t, err)
	assert.Zero(t, e.status(st.ID).PollID)
	_, err = e.store.Polls().Get(e.ctx, p.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func TestReceiveVote(t *testing.T) {
	e := newEnv(t)
	alice := e.local("alice")
	zed, yan := e.remote("zed", "remote.example"), e.remote("yan", "other.example")
	st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Poll: &social.PollInput{Options: []string{"a", "b"},
		ExpiresIn: time.Hour, Multiple: true}})
	require.NoError(t, err)
	p, err := e.svc.ReceiveVote(e.ctx, zed, st.ID, "b", "https://remote.example/users/zed#votes/1")
	require.NoError(t, err)
	require.NotNil(t, p)
	assert.Equal(t, []int64{0, 1}, votes(p))
	// Its second choice arrives in a second Note: one voter.
	p, err = e.svc.ReceiveVote(e.ctx, zed, st.ID, "a", "https://remote.example/users/zed#votes/2")
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 1}, votes(p))
	assert.Equal(t, int64(1), p.VotersCount)
	// Repeated, unknown option: ignored.
	p, err = e.svc.ReceiveVote(e.ctx, zed, st.ID, "a", "https://remote.example/users/zed#votes/2")
	require.NoError(t, err)
	assert.Nil(t, p)
	p, err = e.svc.ReceiveVote(e.ctx, yan, st.ID, "nope", "https://other.example/users/yan#votes/1")
	require.NoError(t, err)
	assert.Nil(t, p)
	assert.Equal(t, []int64{1, 1}, votes(e.poll(st)))
	_, err = e.svc.ReceiveVote(e.ctx, alice, st.ID, "a", "")
	assert.ErrorIs(t, err, social.ErrForbidden)
	assert.Len(t, e.events.ofType(social.EventPollVoted), 2)
}

func TestPollExpiry(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		c := e.withClock()
		alice, bob, carol := e.local("alice"), e.local("bob"), e.local("carol")
		zed := e.remote("zed", "remote.example")
		st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Poll: &social.PollInput{Options: []string{"a", "b"},
			ExpiresIn: 10 * time.Minute}})
		require.NoError(t, err)
		_, err = e.svc.Vote(e.ctx, bob, st.PollID, []int{0})
		require.NoError(t, err)
		_, err = e.svc.ReceiveVote(e.ctx, zed, st.ID, "b", "https://remote.example/v/1")
		require.NoError(t, err)
		// A remote poll carol voted in.
		e.follow(carol, zed)
		exp := c.now().Add(20 * time.Minute)
		rst, _, err := e.svc.ReceiveStatus(e.ctx, &storage.Status{URI: "https://remote.example/q/1", AccountID: zed.ID,
			Content: "<p>?</p>", Visibility: storage.VisibilityPublic}, social.ReceiveOptions{Poll: &storage.Poll{
			Options: storage.PollOptions{{Title: "x"}, {Title: "y"}}, ExpiresAt: &exp}})
		require.NoError(t, err)
		_, err = e.svc.Vote(e.ctx, carol, rst.PollID, []int{0})
		require.NoError(t, err)

		n, err := e.svc.ClosePolls(e.ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing has ended yet")

		c.add(11 * time.Minute)
		n, err = e.svc.ClosePolls(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"poll:alice"}, e.notifications(alice), "the author is told")
		assert.Equal(t, []string{"poll:alice"}, e.notifications(bob), "and the voters")
		assert.NotContains(t, e.notifications(carol), "poll:alice")
		ended := e.events.ofType(social.EventPollEnded)
		require.Len(t, ended, 1)
		assert.Equal(t, alice.ID, ended[0].Actor.ID)
		assert.NotNil(t, e.poll(st).ClosedAt)
		n, err = e.svc.ClosePolls(e.ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "a poll ends once")

		c.add(10 * time.Minute)
		n, err = e.svc.ClosePolls(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"poll:zed"}, e.notifications(carol), "local voters of a remote poll are told")
		assert.Len(t, e.notifications(alice), 1)
	})
}

func TestEditPoll(t *testing.T) {
	e := newEnv(t)
	c := e.withClock()
	alice, bob := e.local("alice"), e.local("bob")
	st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "?", Poll: pollInput("a", "b")})
	require.NoError(t, err)
	pid := st.PollID
	_, err = e.svc.Vote(e.ctx, bob, pid, []int{0})
	require.NoError(t, err)

	// The same poll again (as clients send it): nothing changes.
	same, err := e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "?", Poll: pollInput("a", "b")})
	require.NoError(t, err)
	assert.Nil(t, same.EditedAt)
	assert.Equal(t, []int64{1, 0}, votes(e.poll(st)))

	// New text, same options: the votes stay, the end moves.
	c.add(time.Minute)
	ed, err := e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "new?", Poll: pollInput("a", "b")})
	require.NoError(t, err)
	assert.Equal(t, pid, ed.PollID)
	p := e.poll(ed)
	assert.Equal(t, []int64{1, 0}, votes(p))
	assert.WithinDuration(t, c.now().Add(time.Hour), *p.ExpiresAt, time.Millisecond)

	// New options: the votes go.
	ed, err = e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "new?", Poll: pollInput("a", "b", "c")})
	require.NoError(t, err)
	p = e.poll(ed)
	assert.Equal(t, pid, p.ID)
	assert.Equal(t, []int64{0, 0, 0}, votes(p))
	assert.Zero(t, p.VotersCount)
	_, err = e.svc.Vote(e.ctx, bob, pid, []int{2})
	require.NoError(t, err, "bob may vote again")

	// No poll: it is removed.
	ed, err = e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "no poll"})
	require.NoError(t, err)
	assert.Zero(t, ed.PollID)
	_, err = e.store.Polls().Get(e.ctx, pid)
	assert.ErrorIs(t, err, storage.ErrNotFound)

	// A poll added by an edit.
	ed, err = e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "again", Poll: pollInput("x", "y")})
	require.NoError(t, err)
	assert.NotZero(t, ed.PollID)

	hist, err := e.svc.History(e.ctx, nil, st.ID)
	require.NoError(t, err)
	var opts [][]string
	for _, h := range hist {
		opts = append(opts, h.PollOptions)
	}
	assert.Equal(t, [][]string{{"a", "b"}, {"a", "b"}, {"a", "b", "c"}, {}, {"x", "y"}}, opts)
	assert.Len(t, e.events.ofType(social.EventStatusUpdated), 4)
}
