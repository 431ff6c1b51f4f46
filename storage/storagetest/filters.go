package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunFilters checks a backend's storage.Filters: round trips of filters,
// keywords and statuses, validation, ownership listings, and the cascades
// when a filter, a status or an account is deleted. Each subtest runs on a
// store of its own.
func RunFilters(t *testing.T, open func(t *testing.T) storage.Store) {
	t0 := time.Now().UTC().Truncate(time.Second)

	t.Run("RoundTrip", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "filt")
		b := h.local(t, "filt")
		exp := t0.Add(time.Hour)
		f := &storage.Filter{AccountID: a.ID, Title: "Spoilers — ネタバレ 🙈", Context: storage.Strings{"home", "thread"},
			Action: storage.FilterHide, ExpiresAt: &exp}
		require.NoError(t, h.s.Filters().Create(ctx, f))
		require.NotZero(t, f.ID)
		require.False(t, f.CreatedAt.IsZero())
		got, err := h.s.Filters().Get(ctx, f.ID)
		require.NoError(t, err)
		assert.Equal(t, f, got)

		d := &storage.Filter{AccountID: a.ID, Title: "default", Context: storage.Strings{"public"}}
		require.NoError(t, h.s.Filters().Create(ctx, d))
		assert.Equal(t, storage.FilterWarn, d.Action, "action defaults to warn")
		got, err = h.s.Filters().Get(ctx, d.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ExpiresAt)
		other := &storage.Filter{AccountID: b.ID, Title: "b", Context: storage.Strings{"account"}, Action: storage.FilterBlur}
		require.NoError(t, h.s.Filters().Create(ctx, other))

		list, err := h.s.Filters().ByAccount(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []storage.ID{f.ID, d.ID}, []storage.ID{list[0].ID, list[1].ID}, "ID order")
		list, err = h.s.Filters().ByAccount(ctx, 424242)
		require.NoError(t, err)
		assert.NotNil(t, list)
		assert.Empty(t, list)

		// Update writes title, context, action and expiry.
		d.Title, d.Context, d.Action, d.ExpiresAt = "renamed", storage.Strings{"notifications", "public"}, storage.FilterHide, &exp
		require.NoError(t, h.s.Filters().Update(ctx, d))
		got, err = h.s.Filters().Get(ctx, d.ID)
		require.NoError(t, err)
		assert.Equal(t, "renamed", got.Title)
		assert.Equal(t, storage.Strings{"notifications", "public"}, got.Context)
		assert.Equal(t, storage.FilterHide, got.Action)
		require.NotNil(t, got.ExpiresAt)
		assert.True(t, exp.Equal(*got.ExpiresAt))
		d.ExpiresAt = nil
		require.NoError(t, h.s.Filters().Update(ctx, d))
		got, err = h.s.Filters().Get(ctx, d.ID)
		require.NoError(t, err)
		assert.Nil(t, got.ExpiresAt, "expiry cleared")

		_, err = h.s.Filters().Get(ctx, 424242)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		assert.ErrorIs(t, h.s.Filters().Update(ctx, &storage.Filter{ID: 424242, AccountID: a.ID, Context: storage.Strings{"home"}, Action: storage.FilterWarn}), storage.ErrNotFound)
		assert.ErrorIs(t, h.s.Filters().Delete(ctx, 424242), storage.ErrNotFound)
	})

	t.Run("Validation", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "filt")
		for name, f := range map[string]*storage.Filter{
			"no account":  {Title: "x", Context: storage.Strings{"home"}},
			"no context":  {AccountID: a.ID, Title: "x"},
			"bad context": {AccountID: a.ID, Title: "x", Context: storage.Strings{"home", "everywhere"}},
			"bad action":  {AccountID: a.ID, Title: "x", Context: storage.Strings{"home"}, Action: "delete"},
		} {
			assert.ErrorIs(t, h.s.Filters().Create(ctx, f), storage.ErrInvalid, name)
		}
		f := &storage.Filter{AccountID: a.ID, Context: storage.Strings{"home"}}
		require.NoError(t, h.s.Filters().Create(ctx, f))
		f.Context = nil
		assert.ErrorIs(t, h.s.Filters().Update(ctx, f), storage.ErrInvalid)
		assert.ErrorIs(t, h.s.Filters().CreateKeyword(ctx, &storage.FilterKeyword{FilterID: f.ID}), storage.ErrInvalid, "empty keyword")
		assert.ErrorIs(t, h.s.Filters().CreateKeyword(ctx, &storage.FilterKeyword{Keyword: "x"}), storage.ErrInvalid, "no filter")
		assert.ErrorIs(t, h.s.Filters().CreateStatus(ctx, &storage.FilterStatus{FilterID: f.ID}), storage.ErrInvalid, "no status")
	})

	t.Run("KeywordsAndStatuses", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "filt")
		f1 := &storage.Filter{AccountID: a.ID, Title: "one", Context: storage.Strings{"home"}}
		f2 := &storage.Filter{AccountID: a.ID, Title: "two", Context: storage.Strings{"home"}}
		require.NoError(t, h.s.Filters().Create(ctx, f1))
		require.NoError(t, h.s.Filters().Create(ctx, f2))
		k1 := &storage.FilterKeyword{FilterID: f1.ID, Keyword: "Café au lait", WholeWord: true}
		k2 := &storage.FilterKeyword{FilterID: f2.ID, Keyword: "#golang"}
		k3 := &storage.FilterKeyword{FilterID: f1.ID, Keyword: "猫"}
		for _, k := range []*storage.FilterKeyword{k1, k2, k3} {
			require.NoError(t, h.s.Filters().CreateKeyword(ctx, k))
		}
		got, err := h.s.Filters().GetKeyword(ctx, k1.ID)
		require.NoError(t, err)
		assert.Equal(t, k1, got)
		kws, err := h.s.Filters().Keywords(ctx, []storage.ID{f1.ID})
		require.NoError(t, err)
		require.Len(t, kws, 2)
		assert.Equal(t, k1.ID, kws[0].ID)
		assert.Equal(t, k3.ID, kws[1].ID)
		kws, err = h.s.Filters().Keywords(ctx, []storage.ID{f1.ID, f2.ID})
		require.NoError(t, err)
		assert.Len(t, kws, 3)
		kws, err = h.s.Filters().Keywords(ctx, nil)
		require.NoError(t, err)
		assert.NotNil(t, kws)
		assert.Empty(t, kws)

		k1.Keyword, k1.WholeWord = "tea", false
		require.NoError(t, h.s.Filters().UpdateKeyword(ctx, k1))
		got, err = h.s.Filters().GetKeyword(ctx, k1.ID)
		require.NoError(t, err)
		assert.Equal(t, "tea", got.Keyword)
		assert.False(t, got.WholeWord)
		require.NoError(t, h.s.Filters().DeleteKeyword(ctx, k3.ID))
		assert.ErrorIs(t, h.s.Filters().DeleteKeyword(ctx, k3.ID), storage.ErrNotFound)
		_, err = h.s.Filters().GetKeyword(ctx, k3.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		st1, st2 := h.post(t, a), h.post(t, a)
		s1 := &storage.FilterStatus{FilterID: f1.ID, StatusID: st1.ID}
		s2 := &storage.FilterStatus{FilterID: f1.ID, StatusID: st2.ID}
		s3 := &storage.FilterStatus{FilterID: f2.ID, StatusID: st1.ID}
		for _, s := range []*storage.FilterStatus{s1, s2, s3} {
			require.NoError(t, h.s.Filters().CreateStatus(ctx, s))
		}
		assert.ErrorIs(t, h.s.Filters().CreateStatus(ctx, &storage.FilterStatus{FilterID: f1.ID, StatusID: st1.ID}), storage.ErrConflict)
		gs, err := h.s.Filters().GetStatus(ctx, s2.ID)
		require.NoError(t, err)
		assert.Equal(t, s2, gs)
		sts, err := h.s.Filters().Statuses(ctx, []storage.ID{f1.ID, f2.ID})
		require.NoError(t, err)
		require.Len(t, sts, 3)
		assert.Equal(t, []storage.ID{s1.ID, s2.ID, s3.ID}, []storage.ID{sts[0].ID, sts[1].ID, sts[2].ID})

		// Deleting a status takes it out of every filter.
		require.NoError(t, h.s.Statuses().Delete(ctx, st1.ID))
		sts, err = h.s.Filters().Statuses(ctx, []storage.ID{f1.ID, f2.ID})
		require.NoError(t, err)
		require.Len(t, sts, 1)
		assert.Equal(t, s2.ID, sts[0].ID)
		require.NoError(t, h.s.Filters().DeleteStatus(ctx, s2.ID))
		assert.ErrorIs(t, h.s.Filters().DeleteStatus(ctx, s2.ID), storage.ErrNotFound)

		// Deleting a filter deletes its keywords and statuses.
		require.NoError(t, h.s.Filters().CreateStatus(ctx, &storage.FilterStatus{FilterID: f2.ID, StatusID: st2.ID}))
		require.NoError(t, h.s.Filters().Delete(ctx, f2.ID))
		kws, err = h.s.Filters().Keywords(ctx, []storage.ID{f2.ID})
		require.NoError(t, err)
		assert.Empty(t, kws)
		sts, err = h.s.Filters().Statuses(ctx, []storage.ID{f2.ID})
		require.NoError(t, err)
		assert.Empty(t, sts)
		_, err = h.s.Filters().GetKeyword(ctx, k2.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("AccountDelete", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "filt")
		f := &storage.Filter{AccountID: a.ID, Title: "x", Context: storage.Strings{"home"}}
		require.NoError(t, h.s.Filters().Create(ctx, f))
		k := &storage.FilterKeyword{FilterID: f.ID, Keyword: "x"}
		require.NoError(t, h.s.Filters().CreateKeyword(ctx, k))
		require.NoError(t, h.s.Accounts().Delete(ctx, a.ID))
		_, err := h.s.Filters().Get(ctx, f.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = h.s.Filters().GetKeyword(ctx, k.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})
}
