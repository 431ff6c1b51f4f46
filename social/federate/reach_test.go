package federate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
)

// TestEditAndDeleteReachBoostersAndRepliers checks that an edit and a
// deletion reach the servers of those who boosted, favourited or replied to
// a public post without following its author, as on Mastodon.
func TestEditAndDeleteReachBoostersAndRepliers(t *testing.T) {
	p := newPair(t)
	ctx := t.Context()
	author := p.a.CreateUser(t, "author", false)
	booster := p.b.CreateUser(t, "booster", false)
	replier := p.b.CreateUser(t, "replier", false)

	orig, err := p.a.Social.PostStatus(ctx, author, social.PostInput{Text: "reach me"})
	require.NoError(t, err)
	p.flush(t)
	require.Nil(t, p.b.StatusByURI(orig.URI), "no one on b follows the author")

	// Found through search, then boosted, favourited and replied to.
	r, err := p.b.Federator.Resolve(ctx, orig.URI)
	require.NoError(t, err)
	there := r.Status
	_, err = p.b.Social.Reblog(ctx, booster, there.ID, social.ReblogInput{})
	require.NoError(t, err)
	_, err = p.b.Social.Favourite(ctx, replier, there.ID)
	require.NoError(t, err)
	_, err = p.b.Social.PostStatus(ctx, replier, social.PostInput{Text: "@" + p.a.Handle(author) + " a reply", InReplyToID: there.ID})
	require.NoError(t, err)
	p.flush(t)

	_, err = p.a.Social.EditStatus(ctx, author, orig.ID, social.EditInput{Text: "reach me, edited"})
	require.NoError(t, err)
	p.flush(t)
	got := p.b.StatusByURI(orig.URI)
	require.NotNil(t, got)
	assert.Contains(t, got.Content, "edited", "the Update reached b")

	_, err = p.a.Social.DeleteStatus(ctx, author, orig.ID)
	require.NoError(t, err)
	p.flush(t)
	assert.Nil(t, p.b.StatusByURI(orig.URI), "the Delete reached b")
}
