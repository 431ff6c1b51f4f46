package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/storage"
)

// TestFetchedPostPolicy checks that posts the server fetches itself meet
// the same keyword rules as delivered ones, poll options included, and
// that rewrites (mark sensitive) reach what is stored.
func TestFetchedPostPolicy(t *testing.T) {
	chain := moderation.NewChain(moderation.KeywordPolicy(moderation.KeywordRules{Reject: []string{"casino"}, Sensitive: []string{"gore"}}))
	judge := fetchedPostPolicy(chain)
	author := &storage.Account{Username: "someone", Domain: "peer.example", URI: "https://peer.example/users/someone"}
	ctx := context.Background()

	_, err := judge(ctx, &ap.Object{ID: "https://peer.example/notes/1", Type: ap.TypeNote, Content: "<p>best casino in town</p>"}, author)
	assert.Error(t, err, "a fetched post with a rejected keyword is refused")

	poll := &ap.Object{ID: "https://peer.example/notes/2", Type: "Question", Content: "<p>which?</p>",
		OneOf: ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeNote, Name: "tea"}), ap.Embed(&ap.Object{Type: ap.TypeNote, Name: "casino"})}}
	_, err = judge(ctx, poll, author)
	assert.Error(t, err, "poll options are text too")

	got, err := judge(ctx, &ap.Object{ID: "https://peer.example/notes/3", Type: ap.TypeNote, Content: "<p>some gore</p>"}, author)
	require.NoError(t, err)
	assert.True(t, got.Sensitive, "the rewrite (sensitive) is what gets stored")

	ok := &ap.Object{ID: "https://peer.example/notes/4", Type: ap.TypeNote, Content: "<p>hello</p>"}
	got, err = judge(ctx, ok, author)
	require.NoError(t, err)
	assert.Equal(t, ok.Content, got.Content)
	assert.Nil(t, fetchedPostPolicy(nil))
}
