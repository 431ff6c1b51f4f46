package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunCustomEmojis checks a backend's storage.CustomEmojis: round trips,
// case-sensitive lookups with case-insensitive uniqueness per domain,
// local and remote emojis side by side, listings, updates and deletion.
// Each subtest runs on a store of its own.
func RunCustomEmojis(t *testing.T, open func(t *testing.T) storage.Store) {
	t0 := time.Now().UTC().Truncate(time.Second)

	t.Run("RoundTripAndLookups", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		ce := h.s.CustomEmojis()
		e := &storage.CustomEmoji{Shortcode: "BlobCat", ImageURL: "https://herd.example/media/emoji/1/a/original.gif",
			StaticURL: "https://herd.example/media/emoji/1/a/static.png", ImageKey: "emoji/1/a/original.gif",
			StaticKey: "emoji/1/a/static.png", ContentType: "image/gif", Size: 1234, Category: "Blobs — 猫",
			VisibleInPicker: true, URI: "https://herd.example/emojis/1", CreatedAt: t0}
		require.NoError(t, ce.Create(ctx, e))
		require.NotZero(t, e.ID)
		got, err := ce.Get(ctx, e.ID)
		require.NoError(t, err)
		assert.Equal(t, e, got)

		got, err = ce.GetByShortcode(ctx, "BlobCat", "")
		require.NoError(t, err)
		assert.Equal(t, e.ID, got.ID)
		_, err = ce.GetByShortcode(ctx, "blobcat", "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "lookups are case-sensitive")
		_, err = ce.GetByShortcode(ctx, "BlobCat", "remote.example")
		assert.ErrorIs(t, err, storage.ErrNotFound)

		err = ce.Create(ctx, &storage.CustomEmoji{Shortcode: "blobcat", ImageURL: "https://herd.example/x.png"})
		assert.ErrorIs(t, err, storage.ErrConflict, "shortcodes are unique case-insensitively per domain")

		remote := &storage.CustomEmoji{Shortcode: "BlobCat", Domain: "Remote.Example", URI: "https://remote.example/emojis/9",
			ImageURL: "https://remote.example/files/blobcat.png", StaticURL: "https://remote.example/files/blobcat.png"}
		require.NoError(t, ce.Create(ctx, remote), "the same shortcode on another domain")
		assert.Equal(t, "remote.example", remote.Domain)
		got, err = ce.GetByShortcode(ctx, "BlobCat", "REMOTE.example")
		require.NoError(t, err)
		assert.Equal(t, remote.ID, got.ID)

		for _, bad := range []string{"", "a", "has space", "colon:", "émoji", "x-y"} {
			assert.ErrorIs(t, ce.Create(ctx, &storage.CustomEmoji{Shortcode: bad, ImageURL: "https://herd.example/x.png"}), storage.ErrInvalid, bad)
		}
		assert.ErrorIs(t, ce.Create(ctx, &storage.CustomEmoji{Shortcode: "noimage"}), storage.ErrInvalid)
		_, err = ce.Get(ctx, 424242)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("ListUpdateDelete", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		ce := h.s.CustomEmojis()
		mk := func(sc, domain string, disabled bool) *storage.CustomEmoji {
			e := &storage.CustomEmoji{Shortcode: sc, Domain: domain, ImageURL: "https://img.example/" + sc + ".png",
				VisibleInPicker: true, Disabled: disabled}
			require.NoError(t, ce.Create(ctx, e))
			return e
		}
		zeta, alpha, off := mk("zeta", "", false), mk("alpha", "", false), mk("off", "", true)
		mk("alpha", "remote.example", false)

		local, err := ce.List(ctx, storage.CustomEmojiFilter{})
		require.NoError(t, err)
		require.Len(t, local, 3)
		assert.Equal(t, []string{"alpha", "off", "zeta"}, []string{local[0].Shortcode, local[1].Shortcode, local[2].Shortcode})
		enabled, err := ce.List(ctx, storage.CustomEmojiFilter{EnabledOnly: true})
		require.NoError(t, err)
		assert.Len(t, enabled, 2)
		rem, err := ce.List(ctx, storage.CustomEmojiFilter{Domain: "remote.example"})
		require.NoError(t, err)
		assert.Len(t, rem, 1)
		none, err := ce.List(ctx, storage.CustomEmojiFilter{Domain: "nowhere.example"})
		require.NoError(t, err)
		assert.NotNil(t, none)
		assert.Empty(t, none)

		many, err := ce.GetByShortcodes(ctx, "", []string{"zeta", "ALPHA", "off", "missing"})
		require.NoError(t, err)
		ids := map[storage.ID]bool{}
		for _, e := range many {
			ids[e.ID] = true
		}
		assert.Equal(t, map[storage.ID]bool{zeta.ID: true, off.ID: true}, ids, "exact case only")
		empty, err := ce.GetByShortcodes(ctx, "", nil)
		require.NoError(t, err)
		assert.Empty(t, empty)

		alpha.Disabled, alpha.Category, alpha.VisibleInPicker = true, "Greek", false
		alpha.ImageURL = "https://img.example/alpha2.png"
		require.NoError(t, ce.Update(ctx, alpha))
		got, err := ce.Get(ctx, alpha.ID)
		require.NoError(t, err)
		assert.True(t, got.Disabled)
		assert.False(t, got.VisibleInPicker)
		assert.Equal(t, "Greek", got.Category)
		assert.Equal(t, "https://img.example/alpha2.png", got.ImageURL)
		assert.False(t, got.UpdatedAt.Before(got.CreatedAt))

		require.NoError(t, ce.Delete(ctx, off.ID))
		_, err = ce.Get(ctx, off.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		assert.ErrorIs(t, ce.Delete(ctx, off.ID), storage.ErrNotFound)
		assert.ErrorIs(t, ce.Update(ctx, off), storage.ErrNotFound)
		// The shortcode is free again.
		mk("OFF", "", false)
	})
}
