package storagetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunCachedImages checks Accounts.SetCachedImage: it sets the avatar or
// header URL only while the image is not cached and its remote URL is the
// one given, and of concurrent callers exactly one wins.
func RunCachedImages(t *testing.T, open func(t *testing.T) storage.Store) {
	h := newHarness(t, open)
	ctx := t.Context()
	accts := h.s.Accounts()
	const av, hd = "https://pics.example/a.png", "https://pics.example/h.png"
	r := h.remote(t, "pic", "pics.example", "", func(a *storage.Account) {
		a.AvatarURL, a.AvatarRemoteURL, a.HeaderURL, a.HeaderRemoteURL = av, av, "", hd
	})

	_, err := accts.SetCachedImage(ctx, r.ID, storage.MediaForStatus, av, "https://herd.example/x")
	requireInvalid(t, err, "not a profile image")
	_, err = accts.SetCachedImage(ctx, r.ID, storage.MediaAvatar, av, "")
	requireInvalid(t, err, "no url")

	ok, err := accts.SetCachedImage(ctx, r.ID, storage.MediaAvatar, "https://pics.example/old.png", "https://herd.example/1")
	require.NoError(t, err)
	assert.False(t, ok, "the remote URL changed")
	ok, err = accts.SetCachedImage(ctx, r.ID, storage.MediaAvatar, av, "https://herd.example/1")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = accts.SetCachedImage(ctx, r.ID, storage.MediaAvatar, av, "https://herd.example/2")
	require.NoError(t, err)
	assert.False(t, ok, "cached already")
	ok, err = accts.SetCachedImage(ctx, r.ID, storage.MediaHeader, hd, "https://herd.example/3")
	require.NoError(t, err)
	assert.True(t, ok, "an empty URL counts as not cached")
	got, err := accts.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "https://herd.example/1", got.AvatarURL)
	assert.Equal(t, av, got.AvatarRemoteURL)
	assert.Equal(t, "https://herd.example/3", got.HeaderURL)
	assert.Equal(t, hd, got.HeaderRemoteURL)
	ok, err = accts.SetCachedImage(ctx, storage.ID(1<<62), storage.MediaAvatar, av, "https://herd.example/4")
	require.NoError(t, err)
	assert.False(t, ok, "no such account")

	// Concurrent callers: one wins, and the account shows its URL.
	c := h.remote(t, "race", "pics.example", "", func(a *storage.Account) { a.AvatarURL, a.AvatarRemoteURL = av, av })
	var wins atomic.Int32
	var winner atomic.Value
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			u := fmt.Sprintf("https://herd.example/race/%d", i)
			ok, err := accts.SetCachedImage(ctx, c.ID, storage.MediaAvatar, av, u)
			if assert.NoError(t, err) && ok {
				wins.Add(1)
				winner.Store(u)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), wins.Load(), "one winner")
	got, err = accts.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, winner.Load(), got.AvatarURL)
}
