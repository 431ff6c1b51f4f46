package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunMediaProfile checks profile images among media attachments (Purpose
// MediaAvatar/MediaHeader): the purpose round-trips, an invalid one is
// refused, they are never attached to a status nor listed by the
// unattached sweep, and cached remote ones are listed by the prune sweep.
func RunMediaProfile(t *testing.T, open func(t *testing.T) storage.Store) {
	h := newHarness(t, open)
	ctx := t.Context()
	ma := h.s.MediaAttachments()
	t0 := time.Now().UTC().Truncate(time.Second)
	a := h.local(t, "avatar")
	r := h.remote(t, "ravatar", "remote.example", "")
	st := h.post(t, a)

	old := t0.Add(-48 * time.Hour)
	avatar := &storage.MediaAttachment{AccountID: a.ID, Type: storage.MediaImage, State: storage.MediaReady,
		Purpose: storage.MediaAvatar, FileKey: "p/1/avatar.png", CreatedAt: old}
	require.NoError(t, ma.Create(ctx, avatar))
	got, err := ma.Get(ctx, avatar.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.MediaAvatar, got.Purpose)
	got.Description = "me"
	require.NoError(t, ma.Update(ctx, got))
	got, err = ma.Get(ctx, avatar.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.MediaAvatar, got.Purpose, "Update keeps the purpose")

	assert.ErrorIs(t, ma.Create(ctx, &storage.MediaAttachment{AccountID: a.ID, Purpose: "banner"}), storage.ErrInvalid)

	status := &storage.MediaAttachment{AccountID: a.ID, Type: storage.MediaImage, State: storage.MediaReady, CreatedAt: old}
	require.NoError(t, ma.Create(ctx, status))
	assert.Equal(t, storage.MediaForStatus, status.Purpose)
	assert.ErrorIs(t, ma.Attach(ctx, []storage.ID{avatar.ID}, st.ID, a.ID), storage.ErrNotFound, "profile images are not status media")

	un, err := ma.ListUnattached(ctx, t0.Add(-time.Hour), 10)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{status.ID}, ids(un), "the unattached sweep skips profile images")

	header := &storage.MediaAttachment{AccountID: r.ID, Type: storage.MediaImage, State: storage.MediaReady,
		Purpose: storage.MediaHeader, RemoteURL: "https://remote.example/h.png", FileKey: "p/2/header.png", CreatedAt: old}
	require.NoError(t, ma.Create(ctx, header))
	rc, err := ma.ListRemoteCached(ctx, t0.Add(-time.Hour), 10)
	require.NoError(t, err)
	assert.Equal(t, []storage.ID{header.ID}, ids(rc), "cached remote profile images are pruned like other remote media")
}
