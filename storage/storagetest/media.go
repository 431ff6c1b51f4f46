package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunMedia checks a backend's storage.MediaAttachments: round trips of every
// field, updates that leave the attachment's status alone, atomic attachment
// with ownership checks, detachment when a status is deleted, and the
// listings used by the expiry and prune sweeps. Each subtest runs on a store
// of its own.
func RunMedia(t *testing.T, open func(t *testing.T) storage.Store) {
	t0 := time.Now().UTC().Truncate(time.Second)

	t.Run("RoundTrip", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "media")
		m := &storage.MediaAttachment{
			AccountID:   a.ID,
			Type:        storage.MediaVideo,
			State:       storage.MediaReady,
			FileKey:     "a/1/xyz/original.mp4",
			PreviewKey:  "a/1/xyz/small.jpg",
			ContentType: "video/mp4",
			Size:        123456789012,
			Description: "a cat — 猫 🐈",
			FocusX:      -0.25,
			FocusY:      0.75,
			Blurhash:    "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
			Meta: storage.MediaMeta{
				Original: &storage.MediaSize{Width: 1920, Height: 1080, Size: "1920x1080", Aspect: 1920.0 / 1080, FrameRate: "30/1", Duration: 3.5, Bitrate: 800000},
				Small:    &storage.MediaSize{Width: 640, Height: 360, Size: "640x360", Aspect: 640.0 / 360},
				Length:   "0:00:03.50", Duration: 3.5, FPS: 30, AudioEncode: "aac", AudioChannels: "stereo",
			},
		}
		require.NoError(t, h.s.MediaAttachments().Create(ctx, m))
		require.NotZero(t, m.ID)
		require.False(t, m.CreatedAt.IsZero())
		got, err := h.s.MediaAttachments().Get(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, m, got)

		d := &storage.MediaAttachment{AccountID: a.ID}
		require.NoError(t, h.s.MediaAttachments().Create(ctx, d))
		assert.Equal(t, storage.MediaUnknown, d.Type, "type defaults to unknown")
		assert.Equal(t, storage.MediaProcessing, d.State, "state defaults to processing")
		got, err = h.s.MediaAttachments().Get(ctx, d.ID)
		require.NoError(t, err)
		assert.Equal(t, storage.MediaMeta{}, got.Meta)
		assert.Zero(t, got.StatusID)

		many, err := h.s.MediaAttachments().GetMany(ctx, []storage.ID{d.ID, m.ID, 12345})
		require.NoError(t, err)
		require.Len(t, many, 2)
		assert.Equal(t, m.ID, many[0].ID, "GetMany returns ID order")
		many, err = h.s.MediaAttachments().GetMany(ctx, nil)
		require.NoError(t, err)
		assert.NotNil(t, many)
		assert.Empty(t, many)

		_, err = h.s.MediaAttachments().Get(ctx, 424242)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		assert.ErrorIs(t, h.s.MediaAttachments().Create(ctx, &storage.MediaAttachment{}), storage.ErrInvalid, "account required")
		assert.ErrorIs(t, h.s.MediaAttachments().Create(ctx, &storage.MediaAttachment{AccountID: a.ID, Type: "pdf"}), storage.ErrInvalid)
		assert.ErrorIs(t, h.s.MediaAttachments().Create(ctx, &storage.MediaAttachment{AccountID: a.ID, ID: m.ID}), storage.ErrConflict)

		require.NoError(t, h.s.MediaAttachments().Delete(ctx, d.ID))
		assert.ErrorIs(t, h.s.MediaAttachments().Delete(ctx, d.ID), storage.ErrNotFound)
	})

	t.Run("Update", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		a := h.local(t, "media")
		st := h.post(t, a)
		m := &storage.MediaAttachment{AccountID: a.ID, Type: storage.MediaImage, CreatedAt: t0.Add(-time.Hour)}
		require.NoError(t, h.s.MediaAttachments().Create(ctx, m))
		require.NoError(t, h.s.MediaAttachments().Attach(ctx, []storage.ID{m.ID}, st.ID, a.ID))

		// A stale copy (read before Attach) does not detach on Update.
		m.State = storage.MediaReady
		m.FileKey, m.PreviewKey, m.ContentType, m.Size = "f.jpg", "p.jpg", "image/jpeg", 42
		m.Description, m.FocusX, m.FocusY, m.Blurhash = "alt", 0.5, -0.5, "L00000fQfQfQfQfQfQfQfQfQfQfQ"
		m.Meta = storage.MediaMeta{Original: &storage.MediaSize{Width: 2, Height: 1, Size: "2x1", Aspect: 2}}
		m.ProcessingError = "none"
		require.NoError(t, h.s.MediaAttachments().Update(ctx, m))
		got, err := h.s.MediaAttachments().Get(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, st.ID, got.StatusID, "Update leaves StatusID alone")
		assert.True(t, got.UpdatedAt.After(got.CreatedAt), "Update sets UpdatedAt")
		got.StatusID = 0
		m.UpdatedAt = got.UpdatedAt
		assert.Equal(t, m, got)

		assert.ErrorIs(t, h.s.MediaAttachments().Update(ctx, &storage.MediaAttachment{ID: 999, AccountID: a.ID, Type: storage.MediaImage, State: storage.MediaReady}), storage.ErrNotFound)
		bad := *got
		bad.State = "done"
		assert.ErrorIs(t, h.s.MediaAttachments().Update(ctx, &bad), storage.ErrInvalid)
	})

	t.Run("Attach", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		ma := h.s.MediaAttachments()
		alice, bob := h.local(t, "alice"), h.local(t, "bob")
		s1, s2 := h.post(t, alice), h.post(t, alice)
		newMedia := func(owner *storage.Account) storage.ID {
			m := &storage.MediaAttachment{AccountID: owner.ID, Type: storage.MediaImage, State: storage.MediaReady}
			require.NoError(t, ma.Create(ctx, m))
			return m.ID
		}
		m1, m2, m3, bobs := newMedia(alice), newMedia(alice), newMedia(alice), newMedia(bob)

		require.NoError(t, ma.Attach(ctx, nil, s1.ID, alice.ID), "nothing to attach")
		require.NoError(t, ma.Attach(ctx, []storage.ID{m1, m2, m1}, s1.ID, alice.ID))
		require.NoError(t, ma.Attach(ctx, []storage.ID{m1, m2}, s1.ID, alice.ID), "attaching again to the same status is fine")
		byStatus, err := ma.ByStatus(ctx, s1.ID)
		require.NoError(t, err)
		require.Len(t, byStatus, 2)
		assert.Equal(t, []storage.ID{m1, m2}, []storage.ID{byStatus[0].ID, byStatus[1].ID})

		// Someone else's media, unknown media, media of another status:
		// nothing changes.
		err = ma.Attach(ctx, []storage.ID{m3, bobs}, s2.ID, alice.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		err = ma.Attach(ctx, []storage.ID{m3, 987654}, s2.ID, alice.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		err = ma.Attach(ctx, []storage.ID{m3, m1}, s2.ID, alice.ID)
		assert.ErrorIs(t, err, storage.ErrConflict)
		got, err := ma.Get(ctx, m3)
		require.NoError(t, err)
		assert.Zero(t, got.StatusID, "a failed Attach attaches nothing")
		got, err = ma.Get(ctx, bobs)
		require.NoError(t, err)
		assert.Zero(t, got.StatusID)

		// Attach inside a transaction that rolls back.
		errRollback := errors.New("rollback")
		err = h.s.Tx(ctx, func(tx storage.Store) error {
			require.NoError(t, tx.MediaAttachments().Attach(ctx, []storage.ID{m3}, s2.ID, alice.ID))
			return errRollback
		})
		assert.ErrorIs(t, err, errRollback)
		got, err = ma.Get(ctx, m3)
		require.NoError(t, err)
		assert.Zero(t, got.StatusID)

		// Deleting a status detaches its media.
		require.NoError(t, h.s.Statuses().Delete(ctx, s1.ID))
		got, err = ma.Get(ctx, m1)
		require.NoError(t, err)
		assert.Zero(t, got.StatusID, "media of a deleted status are detached")
		byStatus, err = ma.ByStatus(ctx, s1.ID)
		require.NoError(t, err)
		assert.Empty(t, byStatus)

		// Deleting an account deletes its media records.
		require.NoError(t, h.s.Accounts().Delete(ctx, bob.ID))
		_, err = ma.Get(ctx, bobs)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("Sweeps", func(t *testing.T) {
		h := newHarness(t, open)
		ctx := t.Context()
		ma := h.s.MediaAttachments()
		a := h.local(t, "local")
		r := h.remote(t, "remote", "remote.example", "")
		st := h.post(t, a)
		rst := h.post(t, r)
		mk := func(acct *storage.Account, age time.Duration, mod func(*storage.MediaAttachment)) storage.ID {
			m := &storage.MediaAttachment{AccountID: acct.ID, Type: storage.MediaImage, State: storage.MediaReady, CreatedAt: t0.Add(-age)}
			if mod != nil {
				mod(m)
			}
			require.NoError(t, ma.Create(ctx, m))
			return m.ID
		}
		cached := func(m *storage.MediaAttachment) {
			m.RemoteURL = "https://remote.example/files/" + h.name("f") + ".jpg"
			m.FileKey, m.PreviewKey = "r/"+h.name("k")+".jpg", "r/"+h.name("k")+".jpg"
		}
		oldUn1 := mk(a, 48*time.Hour, nil)
		oldUn2 := mk(a, 30*time.Hour, nil)
		_ = mk(a, time.Hour, nil) // too new
		oldAttached := mk(a, 48*time.Hour, nil)
		require.NoError(t, ma.Attach(ctx, []storage.ID{oldAttached}, st.ID, a.ID))
		oldRemote1 := mk(r, 72*time.Hour, cached)
		oldRemote2 := mk(r, 50*time.Hour, func(m *storage.MediaAttachment) { cached(m); m.FileKey = "" })
		pruned := mk(r, 72*time.Hour, func(m *storage.MediaAttachment) { cached(m); m.FileKey, m.PreviewKey = "", "" })
		newRemote := mk(r, time.Hour, cached)
		require.NoError(t, ma.Attach(ctx, []storage.ID{oldRemote1, oldRemote2, pruned, newRemote}, rst.ID, r.ID))

		un, err := ma.ListUnattached(ctx, t0.Add(-24*time.Hour), 10)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{oldUn1, oldUn2}, ids(un), "oldest first")
		un, err = ma.ListUnattached(ctx, t0.Add(-24*time.Hour), 1)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{oldUn1}, ids(un), "limit")

		rc, err := ma.ListRemoteCached(ctx, t0.Add(-24*time.Hour), 10)
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{oldRemote1, oldRemote2}, ids(rc))
		n, err := ma.CountRemoteCached(ctx, t0.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(2), n)

		// Pruning a record's files takes it out of the listing.
		rc[0].FileKey, rc[0].PreviewKey = "", ""
		require.NoError(t, ma.Update(ctx, rc[0]))
		n, err = ma.CountRemoteCached(ctx, t0.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)

		empty, err := ma.ListRemoteCached(ctx, t0.Add(-100*time.Hour), 10)
		require.NoError(t, err)
		assert.NotNil(t, empty)
		assert.Empty(t, empty)
	})
}

func ids(ms []*storage.MediaAttachment) []storage.ID {
	out := make([]storage.ID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
