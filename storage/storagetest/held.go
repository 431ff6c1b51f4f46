package storagetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunHeldPosts checks a backend's storage.HeldPosts: round trip, one per
// post URI, newest-first paging, deletion, and the cascade when the
// author's account is deleted.
func RunHeldPosts(t *testing.T, open func(t *testing.T) storage.Store) {
	h := newHarness(t, open)
	ctx := t.Context()
	author := h.remote(t, "newbie", "fresh.example", "")
	hp := h.s.HeldPosts()
	requireInvalid(t, hp.Create(ctx, &storage.HeldPost{AccountID: author.ID, URI: "https://fresh.example/1"}), "no raw")
	var ids []storage.ID
	for i, uri := range []string{"https://fresh.example/1", "https://fresh.example/2", "https://fresh.example/3"} {
		p := &storage.HeldPost{AccountID: author.ID, URI: uri, Raw: `{"type":"Create","n":` + string(rune('0'+i)) + `}`, Reason: "new account — ünïcode"}
		require.NoError(t, hp.Create(ctx, p))
		require.NotZero(t, p.ID)
		ids = append(ids, p.ID)
	}
	requireConflict(t, hp.Create(ctx, &storage.HeldPost{AccountID: author.ID, URI: "https://fresh.example/1", Raw: "{}"}), "held twice")
	got, err := hp.Get(ctx, ids[1])
	require.NoError(t, err)
	assert.Equal(t, "https://fresh.example/2", got.URI)
	assert.Equal(t, "new account — ünïcode", got.Reason)
	assert.Equal(t, `{"type":"Create","n":1}`, got.Raw)
	page, err := hp.List(ctx, storage.Page{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, ids[2], page[0].ID, "newest first")
	next, err := hp.List(ctx, storage.Page{Limit: 2, MaxID: page[1].ID})
	require.NoError(t, err)
	require.Len(t, next, 1)
	assert.Equal(t, ids[0], next[0].ID)
	require.NoError(t, hp.Delete(ctx, ids[0]))
	requireNotFound(t, hp.Delete(ctx, ids[0]), "deleted twice")
	_, err = hp.Get(ctx, ids[0])
	requireNotFound(t, err, "deleted")
	require.NoError(t, h.s.Accounts().Delete(ctx, author.ID))
	left, err := hp.List(ctx, storage.Page{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, left, "held posts go with their author")
}
