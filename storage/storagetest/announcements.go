package storagetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunAnnouncements checks a backend's storage.Announcements: round trips,
// updates that bump the version, the active listing, reactions and
// dismissals, and ClaimEvents handing each change to one caller only.
// Each subtest runs on a store of its own.
func RunAnnouncements(t *testing.T, open func(t *testing.T) storage.Store) {
	t0 := time.Now().UTC().Truncate(time.Second)

	t.Run("RoundTripAndList", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		an := h.s.Announcements()
		starts, ends := t0.Add(time.Hour), t0.Add(48*time.Hour)
		a := &storage.Announcement{Text: "<p>Maintenance — 維持 🛠</p>", StartsAt: &starts, EndsAt: &ends, AllDay: true, Published: true}
		require.NoError(t, an.Create(ctx, a))
		require.NotZero(t, a.ID)
		require.NotNil(t, a.PublishedAt, "publishing sets published_at")
		assert.EqualValues(t, 1, a.Version)
		got, err := an.Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)

		draft := &storage.Announcement{Text: "draft"}
		require.NoError(t, an.Create(ctx, draft))
		assert.Nil(t, draft.PublishedAt)
		past := t0.Add(-time.Hour)
		ended := &storage.Announcement{Text: "over", EndsAt: &past, Published: true}
		require.NoError(t, an.Create(ctx, ended))

		active, err := an.List(ctx, true, t0)
		require.NoError(t, err)
		require.Len(t, active, 1)
		assert.Equal(t, a.ID, active[0].ID)
		all, err := an.List(ctx, false, t0)
		require.NoError(t, err)
		assert.Len(t, all, 3)

		a.Text = "<p>Maintenance moved</p>"
		require.NoError(t, an.Update(ctx, a))
		assert.EqualValues(t, 2, a.Version, "an update bumps the version")
		got, err = an.Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "<p>Maintenance moved</p>", got.Text)
		assert.EqualValues(t, 2, got.Version)

		assert.ErrorIs(t, an.Create(ctx, &storage.Announcement{Text: "  "}), storage.ErrInvalid)
		assert.ErrorIs(t, an.Create(ctx, &storage.Announcement{Text: "x", StartsAt: &ends, EndsAt: &starts}), storage.ErrInvalid)
		_, err = an.Get(ctx, 12345)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		assert.ErrorIs(t, an.Update(ctx, &storage.Announcement{ID: 12345, Text: "x"}), storage.ErrNotFound)

		require.NoError(t, an.Delete(ctx, a.ID))
		_, err = an.Get(ctx, a.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a deleted announcement is hidden")
		assert.ErrorIs(t, an.Delete(ctx, a.ID), storage.ErrNotFound)
		all, err = an.List(ctx, false, t0)
		require.NoError(t, err)
		assert.Len(t, all, 2)
	})

	t.Run("ReactionsAndDismissals", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		an := h.s.Announcements()
		alice, bob := h.local(t, "alice"), h.local(t, "bob")
		a := &storage.Announcement{Text: "hello", Published: true}
		b := &storage.Announcement{Text: "world", Published: true}
		require.NoError(t, an.Create(ctx, a))
		require.NoError(t, an.Create(ctx, b))

		n, err := an.React(ctx, a.ID, alice.ID, "👍")
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		n, err = an.React(ctx, a.ID, alice.ID, "👍")
		require.NoError(t, err)
		assert.EqualValues(t, 1, n, "reacting twice counts once")
		n, err = an.React(ctx, a.ID, bob.ID, "👍")
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		_, err = an.React(ctx, a.ID, bob.ID, "🎉")
		require.NoError(t, err)

		rs, err := an.Reactions(ctx, []storage.ID{a.ID, b.ID}, alice.ID)
		require.NoError(t, err)
		assert.Equal(t, []storage.AnnouncementReaction{{Name: "👍", Count: 2, Me: true}, {Name: "🎉", Count: 1}}, rs[a.ID])
		assert.Empty(t, rs[b.ID])
		rs, err = an.Reactions(ctx, []storage.ID{a.ID}, 0)
		require.NoError(t, err)
		assert.False(t, rs[a.ID][0].Me, "no viewer: me is false")

		n, err = an.Unreact(ctx, a.ID, alice.ID, "👍")
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		n, err = an.Unreact(ctx, a.ID, alice.ID, "👍")
		require.NoError(t, err)
		assert.EqualValues(t, 1, n, "removing an absent reaction is no error")
		_, err = an.React(ctx, 12345, alice.ID, "👍")
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = an.React(ctx, a.ID, alice.ID, "")
		assert.ErrorIs(t, err, storage.ErrInvalid)

		require.NoError(t, an.Dismiss(ctx, a.ID, alice.ID))
		require.NoError(t, an.Dismiss(ctx, a.ID, alice.ID), "dismissing twice is fine")
		d, err := an.Dismissed(ctx, alice.ID, []storage.ID{a.ID, b.ID})
		require.NoError(t, err)
		assert.Equal(t, map[storage.ID]bool{a.ID: true}, d)
		d, err = an.Dismissed(ctx, bob.ID, []storage.ID{a.ID, b.ID})
		require.NoError(t, err)
		assert.Empty(t, d)
		assert.ErrorIs(t, an.Dismiss(ctx, 12345, alice.ID), storage.ErrNotFound)

		require.NoError(t, an.Delete(ctx, b.ID))
		_, err = an.React(ctx, b.ID, alice.ID, "👍")
		assert.ErrorIs(t, err, storage.ErrNotFound, "no reactions to a deleted announcement")
	})

	t.Run("ClaimEvents", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		an := h.s.Announcements()
		a := &storage.Announcement{Text: "one", Published: true}
		draft := &storage.Announcement{Text: "draft"}
		require.NoError(t, an.Create(ctx, a))
		require.NoError(t, an.Create(ctx, draft))

		// Several claimers at once: each change goes to exactly one.
		claim := func() (pub []storage.ID, del []storage.ID) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p, d, err := an.ClaimEvents(ctx)
					assert.NoError(t, err)
					mu.Lock()
					defer mu.Unlock()
					for _, x := range p {
						pub = append(pub, x.ID)
					}
					del = append(del, d...)
				}()
			}
			wg.Wait()
			return pub, del
		}
		pub, del := claim()
		assert.Equal(t, []storage.ID{a.ID}, pub, "a published announcement is claimed once; drafts never")
		assert.Empty(t, del)
		pub, del = claim()
		assert.Empty(t, pub, "nothing changed since")
		assert.Empty(t, del)

		a.Text = "one, edited"
		require.NoError(t, an.Update(ctx, a))
		draft.Published = true
		require.NoError(t, an.Update(ctx, draft))
		pub, _ = claim()
		assert.ElementsMatch(t, []storage.ID{a.ID, draft.ID}, pub, "updates and newly published drafts are claimed")

		require.NoError(t, an.Delete(ctx, a.ID))
		pub, del = claim()
		assert.Empty(t, pub)
		assert.Equal(t, []storage.ID{a.ID}, del, "a deletion is claimed once")
		_, del = claim()
		assert.Empty(t, del)
		all, err := an.List(ctx, false, t0)
		require.NoError(t, err)
		assert.Len(t, all, 1)
	})
}
