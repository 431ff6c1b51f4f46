package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

type emojiJSON struct {
	Shortcode       string  `json:"shortcode"`
	URL             string  `json:"url"`
	StaticURL       string  `json:"static_url"`
	VisibleInPicker bool    `json:"visible_in_picker"`
	Category        *string `json:"category"`
}

func (e *env) addEmoji(shortcode, category string, hidden, disabled bool) *storage.CustomEmoji {
	e.t.Helper()
	ce := &storage.CustomEmoji{Shortcode: shortcode, URI: e.url("/emojis/" + shortcode),
		ImageURL: e.url("/media/emoji/" + shortcode + "/original.gif"), StaticURL: e.url("/media/emoji/" + shortcode + "/static.png"),
		Category: category, VisibleInPicker: !hidden, Disabled: disabled}
	require.NoError(e.t, e.store.CustomEmojis().Create(context.Background(), ce))
	return ce
}

func TestCustomEmojisEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.validate(e.get("/api/v1/custom_emojis", ""))
	requireStatus(t, resp, http.StatusOK)
	assert.Empty(t, decode[[]emojiJSON](t, resp))

	blob := e.addEmoji("blobcat", "Blobs", false, false)
	e.addEmoji("Zebra", "", true, false)
	e.addEmoji("retired", "Blobs", false, true)
	require.NoError(t, e.store.CustomEmojis().Create(context.Background(), &storage.CustomEmoji{Shortcode: "remote_one",
		Domain: "remote.example", ImageURL: "https://remote.example/e.png"}))

	resp = e.validate(e.get("/api/v1/custom_emojis", ""))
	requireStatus(t, resp, http.StatusOK)
	list := decode[[]emojiJSON](t, resp)
	require.Len(t, list, 2, "enabled local emojis only")
	assert.Equal(t, "Zebra", list[0].Shortcode)
	assert.False(t, list[0].VisibleInPicker)
	assert.Nil(t, list[0].Category)
	assert.Equal(t, emojiJSON{Shortcode: "blobcat", URL: blob.ImageURL, StaticURL: blob.StaticURL, VisibleInPicker: true,
		Category: &blob.Category}, list[1])
}

func TestCustomEmojisInEntities(t *testing.T) {
	e := newEnv(t, nil)
	blob := e.addEmoji("blobcat", "Blobs", false, false)
	e.addEmoji("retired", "", false, true)
	tok, _ := e.userToken("alice", "read write")

	resp := e.validate(e.postForm("/api/v1/statuses", url.Values{"status": {"hi :blobcat: :retired: :nope:"}, "spoiler_text": {"cw :blobcat:"}}, tok))
	requireStatus(t, resp, http.StatusOK)
	st := decode[struct {
		ID     string      `json:"id"`
		Emojis []emojiJSON `json:"emojis"`
	}](t, resp)
	require.Len(t, st.Emojis, 1)
	assert.Equal(t, "blobcat", st.Emojis[0].Shortcode)
	assert.Equal(t, blob.ImageURL, st.Emojis[0].URL)
	assert.Equal(t, blob.StaticURL, st.Emojis[0].StaticURL)

	resp = e.validate(e.get("/api/v1/statuses/"+st.ID, tok))
	requireStatus(t, resp, http.StatusOK)
	assert.Len(t, decode[struct {
		Emojis []emojiJSON `json:"emojis"`
	}](t, resp).Emojis, 1)

	resp = e.validate(e.do(request{method: http.MethodPatch, path: "/api/v1/accounts/update_credentials", token: tok,
		ctype: "application/x-www-form-urlencoded", body: strings.NewReader(url.Values{
			"display_name": {"Alice :blobcat:"}, "fields_attributes[0][name]": {"x"}, "fields_attributes[0][value]": {"y"}}.Encode())}))
	requireStatus(t, resp, http.StatusOK)
	me := decode[struct {
		Emojis []emojiJSON `json:"emojis"`
	}](t, resp)
	require.Len(t, me.Emojis, 1)
	assert.Equal(t, "blobcat", me.Emojis[0].Shortcode)
}

func TestAnnouncementCustomEmojiReaction(t *testing.T) {
	e := newEnv(t, nil)
	blob := e.addEmoji("blobcat", "", false, false)
	e.addEmoji("retired", "", false, true)
	tok, _ := e.userToken("alice", "read write")
	an := &storage.Announcement{Text: "hello", Published: true}
	require.NoError(t, e.store.Announcements().Create(context.Background(), an))
	base := "/api/v1/announcements/" + an.ID.String() + "/reactions/"

	requireStatus(t, e.do(request{method: http.MethodPut, path: base + "blobcat", token: tok}), http.StatusOK)
	requireStatus(t, e.do(request{method: http.MethodPut, path: base + url.PathEscape("👍"), token: tok}), http.StatusOK)
	requireStatus(t, e.do(request{method: http.MethodPut, path: base + "retired", token: tok}), http.StatusUnprocessableEntity)
	requireStatus(t, e.do(request{method: http.MethodPut, path: base + "BLOBCAT", token: tok}), http.StatusUnprocessableEntity)

	resp := e.validate(e.get("/api/v1/announcements", tok))
	requireStatus(t, resp, http.StatusOK)
	list := decode[[]struct {
		Reactions []struct {
			Name      string  `json:"name"`
			URL       *string `json:"url"`
			StaticURL *string `json:"static_url"`
		} `json:"reactions"`
	}](t, resp)
	require.Len(t, list, 1)
	require.Len(t, list[0].Reactions, 2)
	for _, r := range list[0].Reactions {
		if r.Name == "blobcat" {
			require.NotNil(t, r.URL)
			assert.Equal(t, blob.ImageURL, *r.URL)
			assert.Equal(t, blob.StaticURL, *r.StaticURL)
		} else {
			assert.Nil(t, r.URL, r.Name)
		}
	}
	requireStatus(t, e.do(request{method: http.MethodDelete, path: base + "blobcat", token: tok}), http.StatusOK)
}
