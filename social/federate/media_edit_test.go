package federate_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

var _ federate.MediaRemover = (*media.Fetcher)(nil)

// remoteMedia returns the attachments of the copy on s of the status uri,
// in the status's order.
func remoteMedia(t *testing.T, s *federatetest.Server, uri string) (*storage.Status, []*storage.MediaAttachment) {
	t.Helper()
	st := s.StatusByURI(uri)
	require.NotNil(t, st, "the status reached the other server")
	out := make([]*storage.MediaAttachment, 0, len(st.MediaIDs))
	for _, id := range st.MediaIDs {
		m, err := s.Store.MediaAttachments().Get(t.Context(), id)
		require.NoError(t, err)
		out = append(out, m)
	}
	return st, out
}

func mediaStatus(t *testing.T, s *federatetest.Server, key string) int {
	t.Helper()
	resp, err := http.Get(s.URLs.Media(key))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestRemoteEditMedia: an edit that adds an image, changes the alt text of
// another and then removes it reaches the other server, in both
// directions: new attachments are stored and cached, a changed one keeps
// its record with the new description, and a removed one is deleted with
// its cached files.
func TestRemoteEditMedia(t *testing.T) {
	t.Parallel()
	a := federatetest.NewServer(t, &federatetest.Options{Media: true})
	b := federatetest.NewServer(t, &federatetest.Options{Media: true})
	for _, dir := range [][2]*federatetest.Server{{a, b}, {b, a}} {
		from, to := dir[0], dir[1]
		ctx := t.Context()
		author, reader := from.CreateUser(t, "painter", false), to.CreateUser(t, "viewer", false)
		follow(t, to, from, reader, author)

		upload := func(w int, alt string) *storage.MediaAttachment {
			m, err := from.Media.Upload(ctx, author.ID, bytes.NewReader(testJPEG(t, w, 300)), "x.jpg", alt, storage.MediaFocus{})
			require.NoError(t, err)
			require.Equal(t, storage.MediaReady, m.State)
			return m
		}
		sync := func() {
			t.Helper()
			federatetest.FlushAll(t, from, to)
			to.WaitMedia(t)
		}
		one := upload(400, "first picture")
		st, err := from.Social.PostStatus(ctx, author, social.PostInput{Text: "gallery", MediaIDs: []storage.ID{one.ID}})
		require.NoError(t, err)
		sync()
		_, ms := remoteMedia(t, to, st.URI)
		require.Len(t, ms, 1)
		first := ms[0]
		require.NotEmpty(t, first.FileKey, "cached")

		// Add an image.
		two := upload(500, "second picture")
		_, err = from.Social.EditStatus(ctx, author, st.ID, social.EditInput{Text: "gallery", MediaIDs: []storage.ID{one.ID, two.ID}})
		require.NoError(t, err)
		sync()
		got, ms := remoteMedia(t, to, st.URI)
		require.Len(t, ms, 2)
		assert.Equal(t, first.ID, ms[0].ID, "the unchanged attachment keeps its record")
		assert.Equal(t, "second picture", ms[1].Description)
		assert.Equal(t, from.Media.URL(two.FileKey), ms[1].RemoteURL)
		require.NotEmpty(t, ms[1].FileKey, "the new attachment is cached")
		assert.Equal(t, 500, ms[1].Meta.Original.Width)
		assert.Equal(t, got.ID, ms[1].StatusID)
		assert.NotNil(t, got.EditedAt)

		// Change the alt text of the first.
		desc := "first picture, better described"
		_, err = from.Social.EditStatus(ctx, author, st.ID, social.EditInput{Text: "gallery", MediaIDs: []storage.ID{one.ID, two.ID},
			MediaAttributes: []social.MediaAttribute{{ID: one.ID, Description: &desc}}})
		require.NoError(t, err)
		sync()
		_, ms = remoteMedia(t, to, st.URI)
		require.Len(t, ms, 2)
		assert.Equal(t, first.ID, ms[0].ID)
		assert.Equal(t, desc, ms[0].Description)
		assert.Equal(t, first.FileKey, ms[0].FileKey, "not fetched again")
		edits, err := to.Store.Statuses().Edits(ctx, got.ID)
		require.NoError(t, err)
		assert.Len(t, edits, 3, "original, added image, new alt text")

		// Remove the first.
		_, err = from.Social.EditStatus(ctx, author, st.ID, social.EditInput{Text: "gallery", MediaIDs: []storage.ID{two.ID}})
		require.NoError(t, err)
		sync()
		got, ms = remoteMedia(t, to, st.URI)
		require.Len(t, ms, 1)
		assert.Equal(t, "second picture", ms[0].Description)
		assert.True(t, got.HasMedia)
		_, err = to.Store.MediaAttachments().Get(ctx, first.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the removed attachment's record is deleted")
		assert.Equal(t, http.StatusNotFound, mediaStatus(t, to, first.FileKey), "its cached file is deleted")
		assert.Equal(t, http.StatusNotFound, mediaStatus(t, to, first.PreviewKey), "and its preview")
		assert.Equal(t, http.StatusOK, mediaStatus(t, to, ms[0].FileKey))

		// Removing every image.
		_, err = from.Social.EditStatus(ctx, author, st.ID, social.EditInput{Text: "gallery, gone"})
		require.NoError(t, err)
		sync()
		got, ms = remoteMedia(t, to, st.URI)
		assert.Empty(t, ms)
		assert.False(t, got.HasMedia)
		left, err := to.Store.MediaAttachments().ByStatus(context.WithoutCancel(ctx), got.ID)
		require.NoError(t, err)
		assert.Empty(t, left)
	}
}
