package social_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// TestTrendingTagsLeaveOutModeratedDomains checks that hashtag uses by the
// accounts of a limited or suspended domain neither make a tag trend nor
// count in its history (including subdomains, as the domain checks match).
func TestTrendingTagsLeaveOutModeratedDomains(t *testing.T) {
	e := newEnv(t)
	withDomains(e)
	silence := storage.SeveritySilence
	_, err := e.svc.CreateDomainBlock(e.ctx, nil, "loud.example", social.DomainBlockParams{Severity: &silence})
	require.NoError(t, err)

	alice, bob := e.local("alice"), e.local("bob")
	e.post(alice, "#calm day", storage.VisibilityPublic)
	e.post(bob, "#calm too", storage.VisibilityPublic)
	for _, name := range []string{"x", "y", "z"} {
		a := e.remote(name, "sub.loud.example")
		e.remotePost(a)
		st := &storage.Status{AccountID: a.ID, URI: a.URI + "/statuses/spam", Content: "<p>#spam</p>",
			Visibility: storage.VisibilityPublic, Tags: []string{"spam", "calm"}}
		require.NoError(t, e.store.Statuses().Create(e.ctx, st))
	}
	trends, err := e.svc.TrendingTags(e.ctx)
	require.NoError(t, err)
	var names []string
	for _, tr := range trends {
		names = append(names, tr.Name)
	}
	assert.Equal(t, []string{"calm"}, names, "#spam is used by a silenced domain only")
	assert.EqualValues(t, 2, trends[0].History[0].Accounts, "the silenced domain's uses of #calm do not count")
	assert.EqualValues(t, 2, trends[0].History[0].Uses)
}
