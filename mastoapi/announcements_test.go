package mastoapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

type announcementJSON struct {
	ID          string  `json:"id"`
	Content     string  `json:"content"`
	StartsAt    *string `json:"starts_at"`
	EndsAt      *string `json:"ends_at"`
	AllDay      bool    `json:"all_day"`
	Published   bool    `json:"published"`
	PublishedAt string  `json:"published_at"`
	Read        *bool   `json:"read"`
	Reactions   []struct {
		Name  string `json:"name"`
		Count int64  `json:"count"`
		Me    *bool  `json:"me"`
	} `json:"reactions"`
}

func TestAnnouncements(t *testing.T) {
	hub := timeline.NewMemoryHub()
	t.Cleanup(func() { hub.Close() })
	e := newEnv(t, func(o *mastoapi.Options) { o.Hub = hub })
	ctx := context.Background()
	tok, alice := e.userToken("alice", "read write")
	bobTok, _ := e.userToken("bob", "read write")
	sub, err := hub.Subscribe(ctx, 16, streaming.ChannelAnnouncements)
	require.NoError(t, err)
	defer sub.Close()

	list := func(token string) []announcementJSON {
		t.Helper()
		resp := e.validate(e.get("/api/v1/announcements", token))
		requireStatus(t, resp, http.StatusOK)
		return decode[[]announcementJSON](t, resp)
	}
	assert.Empty(t, list(tok))

	an := e.store.Announcements()
	starts := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	ends := starts.Add(48 * time.Hour)
	first := &storage.Announcement{Text: "Maintenance <soon>\n\nSecond paragraph", StartsAt: &starts, EndsAt: &ends, AllDay: true, Published: true}
	require.NoError(t, an.Create(ctx, first))
	require.NoError(t, an.Create(ctx, &storage.Announcement{Text: "a draft"}))
	past := time.Now().Add(-time.Hour)
	require.NoError(t, an.Create(ctx, &storage.Announcement{Text: "over", EndsAt: &past, Published: true}))

	got := list(tok)
	require.Len(t, got, 1, "drafts and ended announcements are not listed")
	a := got[0]
	assert.Equal(t, first.ID.String(), a.ID)
	assert.Equal(t, "<p>Maintenance &lt;soon&gt;</p><p>Second paragraph</p>", a.Content)
	assert.True(t, a.AllDay)
	assert.True(t, a.Published)
	require.NotNil(t, a.StartsAt)
	assert.Equal(t, "2030-05-01T00:00:00.000Z", *a.StartsAt)
	require.NotNil(t, a.Read)
	assert.False(t, *a.Read)

	// Reactions: unicode emoji only; the count is streamed.
	path := "/api/v1/announcements/" + a.ID + "/reactions/"
	resp := e.validate(e.do(request{method: http.MethodPut, path: path + url.PathEscape("👍"), token: tok}))
	requireStatus(t, resp, http.StatusOK)
	assert.JSONEq(t, `{}`, readBody(t, resp))
	select {
	case m := <-sub.C():
		assert.Equal(t, streaming.EventAnnouncementReaction, m.Event)
		assert.JSONEq(t, `{"name":"👍","count":1,"announcement_id":"`+a.ID+`"}`, m.Data)
	case <-time.After(5 * time.Second):
		t.Fatal("no announcement.reaction event")
	}
	requireStatus(t, e.validate(e.do(request{method: http.MethodPut, path: path + url.PathEscape("👍"), token: bobTok})), http.StatusOK)
	requireStatus(t, e.validate(e.do(request{method: http.MethodPut, path: path + url.PathEscape("🇫🇷"), token: bobTok})), http.StatusOK)
	for _, bad := range []string{"notanemoji", "a👍", "1", ":blobcat:"} {
		resp := e.validate(e.do(request{method: http.MethodPut, path: path + url.PathEscape(bad), token: tok}))
		requireStatus(t, resp, http.StatusUnprocessableEntity)
	}
	resp = e.validate(e.do(request{method: http.MethodPut, path: "/api/v1/announcements/12345/reactions/" + url.PathEscape("👍"), token: tok}))
	requireStatus(t, resp, http.StatusNotFound)

	got = list(tok)
	require.Len(t, got[0].Reactions, 2)
	assert.Equal(t, "👍", got[0].Reactions[0].Name)
	assert.EqualValues(t, 2, got[0].Reactions[0].Count)
	assert.Equal(t, true, *got[0].Reactions[0].Me)
	assert.Equal(t, "🇫🇷", got[0].Reactions[1].Name)
	assert.Equal(t, false, *got[0].Reactions[1].Me)

	resp = e.validate(e.do(request{method: http.MethodDelete, path: path + url.PathEscape("👍"), token: tok}))
	requireStatus(t, resp, http.StatusOK)
	got = list(tok)
	assert.EqualValues(t, 1, got[0].Reactions[0].Count)
	assert.Equal(t, false, *got[0].Reactions[0].Me)

	// Dismissing marks it read for alice only.
	resp = e.validate(e.do(request{method: http.MethodPost, path: "/api/v1/announcements/" + a.ID + "/dismiss", token: tok}))
	requireStatus(t, resp, http.StatusOK)
	assert.True(t, *list(tok)[0].Read)
	assert.False(t, *list(bobTok)[0].Read)
	resp = e.validate(e.do(request{method: http.MethodPost, path: "/api/v1/announcements/12345/dismiss", token: tok}))
	requireStatus(t, resp, http.StatusNotFound)

	// Without a token: 401.
	requireStatus(t, e.validate(e.get("/api/v1/announcements", "")), http.StatusUnauthorized)

	// The streamed rendering has no viewer fields.
	raw, err := e.api.RenderAnnouncementJSON(ctx, first.ID)
	require.NoError(t, err)
	var streamed map[string]any
	require.NoError(t, json.Unmarshal(raw, &streamed))
	assert.NotContains(t, streamed, "read")
	assert.Equal(t, a.ID, streamed["id"])
	_ = alice
}

func TestIsUnicodeEmoji(t *testing.T) {
	for _, ok := range []string{"👍", "👍🏽", "❤️", "🇫🇷", "👩‍👩‍👧", "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "☕", "⭐"} {
		assert.True(t, mastoapi.IsUnicodeEmoji(ok), "%q", ok)
	}
	for _, bad := range []string{"", "a", "1", "👍a", ":cat:", "\u200d", "\ufe0f", "🏽", "<script>", string([]byte{0xff})} {
		assert.False(t, mastoapi.IsUnicodeEmoji(bad), "%q", bad)
	}
}

func TestDraftAnnouncementTakesNoReaction(t *testing.T) {
	e := newEnv(t, nil)
	tok, _ := e.userToken("alice", "read write")
	draft := &storage.Announcement{Text: "upcoming maintenance", Published: false}
	require.NoError(t, e.store.Announcements().Create(context.Background(), draft))
	resp := e.do(request{method: http.MethodPut, path: "/api/v1/announcements/" + draft.ID.String() + "/reactions/%F0%9F%91%8D", token: tok})
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "an unpublished announcement takes no reaction")
	resp = e.do(request{method: http.MethodPost, path: "/api/v1/announcements/" + draft.ID.String() + "/dismiss", token: tok})
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
