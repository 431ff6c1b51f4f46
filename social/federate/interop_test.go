package federate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/interop"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
)

// TestPollsWithFedify: a Question from a Fedify peer is stored as a poll
// with its options, counts and end; a local vote reaches the peer as a
// Create(Note) named after the option, in reply to the Question, and is
// not shown to anyone else.
func TestPollsWithFedify(t *testing.T) {
	peer := interop.StartPeer(t) // skips without Node (fails in CI)
	t.Parallel()
	ctx := t.Context()
	srv := federatetest.NewServer(t, nil)
	bob := srv.CreateUser(t, "bob", false)
	peerAcct, err := srv.Resolver.ResolveHandle(federation.WithFetchBudget(ctx, 5), peer.Handle)
	require.NoError(t, err)
	_, err = srv.Social.Follow(ctx, bob, peerAcct.ID, social.FollowOptions{})
	require.NoError(t, err)
	srv.Flush(t)
	federatetest.Eventually(t, 10*time.Second, func() bool {
		_, err := srv.Store.Follows().Get(ctx, bob.ID, peerAcct.ID)
		return err == nil
	}, "the peer did not accept the follow")

	end := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	q, err := peer.Question(ctx, interop.QuestionRequest{Content: "<p>Which editor?</p>", Options: []string{"vim", "emacs", "nano"},
		Votes: []int{4, 2, 1}, Voters: 7, EndTime: end})
	require.NoError(t, err)
	federatetest.Eventually(t, 10*time.Second, func() bool { return srv.StatusByURI(q.ID) != nil }, "the Question was not stored")
	st := srv.StatusByURI(q.ID)
	require.NotZero(t, st.PollID, "stored with its poll")
	p, err := srv.Store.Polls().Get(ctx, st.PollID)
	require.NoError(t, err)
	assert.Equal(t, []string{"vim", "emacs", "nano"}, p.Options.Titles())
	assert.Equal(t, []int64{4, 2, 1}, pollCounts(t, srv, st))
	assert.False(t, p.Multiple)
	assert.Equal(t, int64(7), p.VotersCount)
	require.NotNil(t, p.ExpiresAt)
	assert.Equal(t, end, *p.ExpiresAt)
	assert.Contains(t, st.Content, "Which editor?")

	_, err = srv.Social.Vote(ctx, bob, p.ID, []int{1})
	require.NoError(t, err)
	srv.Flush(t)
	vote := peer.WaitFor(t, "Create", func(a interop.Activity) bool { return a.Actor == bob.URI }, 10*time.Second)
	obj := vote.RawObject()
	require.NotNil(t, obj, "the vote's Note is embedded")
	assert.Equal(t, "Note", obj["type"])
	assert.Equal(t, "emacs", obj["name"])
	assert.Equal(t, q.ID, obj["inReplyTo"])
	assert.Equal(t, bob.URI, obj["attributedTo"])
	assert.Equal(t, []any{peer.ActorID}, obj["to"], "addressed to the poll's author only")
	assert.Empty(t, obj["cc"])
	assert.Equal(t, []int64{4, 3, 1}, pollCounts(t, srv, st), "counted here at once")

	// The other way: a local poll reaches the peer as a Question.
	followID, err := peer.Follow(ctx, bob.URI)
	require.NoError(t, err)
	peer.WaitFor(t, "Accept", interop.ObjectIs(followID), 10*time.Second)
	mine, err := srv.Social.PostStatus(ctx, bob, social.PostInput{Text: "Tea or coffee?", Poll: &social.PollInput{
		Options: []string{"tea", "coffee"}, ExpiresIn: time.Hour, Multiple: true}})
	require.NoError(t, err)
	srv.Flush(t)
	create := peer.WaitFor(t, "Create", func(a interop.Activity) bool { return a.Object == mine.URI }, 10*time.Second)
	assert.Equal(t, "Question", create.ObjectType)
	qo := create.RawObject()
	opts, ok := qo["anyOf"].([]any)
	require.True(t, ok, "a multiple-choice poll lists anyOf: %v", qo)
	require.Len(t, opts, 2)
	assert.Equal(t, "tea", opts[0].(map[string]any)["name"])
	assert.NotEmpty(t, qo["endTime"])
	assert.EqualValues(t, 0, qo["votersCount"])
	// Fedify reads it back as a Question with its options.
	raw, err := peer.Object(ctx, mine.URI)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"anyOf"`)
}
