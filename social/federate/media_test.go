package federate_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate/federatetest"
	"github.com/herd-social/herd/storage"
)

func testJPEG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}

// TestMediaBothWays: A posts an image; B stores the attachment with its
// alt text, blurhash and focal point, caches it and serves it from B's
// /media/; A's avatar reaches B in the actor's icon and is cached too.
func TestMediaBothWays(t *testing.T) {
	t.Parallel()
	a := federatetest.NewServer(t, &federatetest.Options{Media: true})
	b := federatetest.NewServer(t, &federatetest.Options{Media: true})
	ctx := t.Context()
	alice, bob := a.CreateUser(t, "alice", false), b.CreateUser(t, "bob", false)

	// Alice's avatar, as update_credentials sets it.
	av, err := a.Media.SetProfileImage(ctx, alice.ID, storage.MediaAvatar, bytes.NewReader(testJPEG(t, 600, 500)))
	require.NoError(t, err)
	url := a.Media.URL(av.FileKey)
	alice, err = a.Social.UpdateProfile(ctx, alice, social.ProfileInput{AvatarURL: &url,
		Extra: storage.Extra{media.ExtraAvatarMedia: json.RawMessage(`"` + av.ID.String() + `"`)}})
	require.NoError(t, err)

	aliceAtB := follow(t, b, a, bob, alice)
	m, err := a.Media.Upload(ctx, alice.ID, bytes.NewReader(testJPEG(t, 800, 600)), "cat.jpg", "a gradient, described", storage.MediaFocus{X: 0.25, Y: -0.5})
	require.NoError(t, err)
	require.Equal(t, storage.MediaReady, m.State)
	st, err := a.Social.PostStatus(ctx, alice, social.PostInput{Text: "look", MediaIDs: []storage.ID{m.ID}})
	require.NoError(t, err)
	a.Flush(t)
	b.WaitMedia(t)

	got := b.StatusByURI(st.URI)
	require.NotNil(t, got, "B has the post")
	require.Len(t, got.MediaIDs, 1)
	rm, err := b.Store.MediaAttachments().Get(ctx, got.MediaIDs[0])
	require.NoError(t, err)
	assert.Equal(t, a.Media.URL(m.FileKey), rm.RemoteURL, "remote_url is A's file")
	assert.Equal(t, "a gradient, described", rm.Description)
	assert.Equal(t, m.Blurhash, rm.Blurhash)
	assert.Equal(t, 0.25, rm.FocusX)
	assert.Equal(t, -0.5, rm.FocusY)
	assert.Equal(t, storage.MediaImage, rm.Type)
	require.NotEmpty(t, rm.FileKey, "cached on B")
	require.NotEmpty(t, rm.PreviewKey)
	require.NotNil(t, rm.Meta.Original)
	assert.Equal(t, 800, rm.Meta.Original.Width)

	resp, err := http.Get(b.URLs.Media(rm.FileKey))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	_, _, err = image.Decode(bytes.NewReader(body))
	assert.NoError(t, err, "B serves the image")

	// Alice's avatar came in the actor's icon and is served by B.
	aliceAtB = b.Account(t, aliceAtB.ID)
	assert.Equal(t, url, aliceAtB.AvatarRemoteURL)
	assert.True(t, strings.HasPrefix(aliceAtB.AvatarURL, b.URLs.Media("p/")), aliceAtB.AvatarURL)
}
