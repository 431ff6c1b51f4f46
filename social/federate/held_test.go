package federate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/social/federate"
)

// TestReleaseHeld stores a held Create as if it had just arrived: in the
// author's local followers' home timelines.
func TestReleaseHeld(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	author := p.b.CreateUser(t, "newcomer", false)
	reader := p.a.CreateUser(t, "reader", false)
	follow(t, p.a, p.b, reader, author)

	note := &ap.Object{ID: author.URI + "/statuses/held-1", Type: ap.TypeNote, AttributedTo: ap.Refs{ap.IRIRef(author.URI)},
		Content: "<p>a held post</p>", To: []string{ap.Public}, Cc: []string{author.FollowersURI}}
	create := &ap.Object{ID: note.ID + "/activity", Type: ap.TypeCreate, Actor: ap.IRIRef(author.URI),
		To: note.To, Cc: note.Cc, Object: ap.Refs{ap.Embed(note)}}
	raw, err := ap.Encode(create)
	require.NoError(t, err)

	st, err := p.a.Federator.ReleaseHeld(ctx, raw)
	require.NoError(t, err)
	require.NotNil(t, st)
	assert.Contains(t, st.Content, "a held post")
	assert.True(t, homeHas(t, p.a, reader, note.ID), "in the follower's home")
	again, err := p.a.Federator.ReleaseHeld(ctx, raw)
	require.NoError(t, err)
	assert.Equal(t, st.ID, again.ID, "released twice: stored once")

	// Not a post, or someone else's post: refused.
	like := &ap.Object{ID: author.URI + "#likes/1", Type: ap.TypeLike, Actor: ap.IRIRef(author.URI), Object: ap.Refs{ap.IRIRef(note.ID)}}
	raw, _ = ap.Encode(like)
	_, err = p.a.Federator.ReleaseHeld(ctx, raw)
	assert.ErrorIs(t, err, federate.ErrNotAPost)
	forged := &ap.Object{ID: "https://elsewhere.example/x/activity", Type: ap.TypeCreate, Actor: ap.IRIRef(author.URI),
		Object: ap.Refs{ap.Embed(&ap.Object{ID: "https://elsewhere.example/x", Type: ap.TypeNote, Content: "<p>x</p>"})}}
	raw, _ = ap.Encode(forged)
	_, err = p.a.Federator.ReleaseHeld(ctx, raw)
	assert.Error(t, err)
}
