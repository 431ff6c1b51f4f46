package federation_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

func emojiTag(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	tags, _ := doc["tag"].([]any)
	for _, x := range tags {
		if m, ok := x.(map[string]any); ok && m["type"] == "Emoji" {
			return m
		}
	}
	t.Fatalf("no Emoji tag in %v", doc["tag"])
	return nil
}

func TestEmojiTagsOut(t *testing.T) {
	urls, err := federation.NewURLs("https://local.example")
	require.NoError(t, err)
	updated := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	em := storage.Emoji{Shortcode: "blobcat", URL: "https://local.example/media/emoji/blobcat/x/original.gif",
		StaticURL: "https://local.example/media/emoji/blobcat/x/small.png", URI: "https://local.example/emojis/42", UpdatedAt: updated}
	alice := &storage.Account{ID: 1, Username: "alice", URI: urls.Actor("alice"), DisplayName: "Alice :blobcat:", Emojis: storage.Emojis{em}}
	st := &storage.Status{ID: 7, URI: urls.Status("alice", 7), AccountID: 1, Local: true, Content: "<p>hi :blobcat:</p>",
		Visibility: storage.VisibilityPublic, Emojis: storage.Emojis{em}, CreatedAt: updated}

	for name, o := range map[string]*ap.Object{"note": federation.StatusToNote(st, alice, urls), "actor": federation.AccountToActor(alice, urls, "")} {
		t.Run(name, func(t *testing.T) {
			b, err := ap.Encode(o)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(b, &doc))
			assert.Contains(t, string(b), `"Emoji":"toot:Emoji"`, "the context defines toot:Emoji")
			tag := emojiTag(t, doc)
			assert.Equal(t, "https://local.example/emojis/42", tag["id"])
			assert.Equal(t, ":blobcat:", tag["name"])
			assert.Equal(t, "2026-11-01T12:00:00Z", tag["updated"])
			icon := tag["icon"].(map[string]any)
			assert.Equal(t, "Image", icon["type"])
			assert.Equal(t, "image/gif", icon["mediaType"])
			assert.Equal(t, em.URL, icon["url"])
		})
	}
}

func TestEmojiTagsIn(t *testing.T) {
	note := []byte(`{"@context":["https://www.w3.org/ns/activitystreams",{"toot":"http://joinmastodon.org/ns#","Emoji":"toot:Emoji"}],
	"id":"https://remote.example/notes/1","type":"Note","attributedTo":"https://remote.example/users/bob",
	"to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>:blob_wave: hi</p>","published":"2026-11-01T10:00:00Z",
	"tag":[{"id":"https://remote.example/emojis/9","type":"Emoji","name":":blob_wave:","updated":"2026-10-01T00:00:00Z",
	"icon":{"type":"Image","mediaType":"image/png","url":"https://remote.example/files/blob_wave.png"}}]}`)
	o, err := ap.Decode(note)
	require.NoError(t, err)
	bob := &storage.Account{ID: 2, Username: "bob", Domain: "remote.example", URI: "https://remote.example/users/bob"}
	st, err := federation.NoteToStatus(o, bob)
	require.NoError(t, err)
	require.Len(t, st.Emojis, 1)
	assert.Equal(t, storage.Emoji{Shortcode: "blob_wave", URL: "https://remote.example/files/blob_wave.png",
		StaticURL: "https://remote.example/files/blob_wave.png", URI: "https://remote.example/emojis/9",
		UpdatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}, st.Emojis[0])

	actor := []byte(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://remote.example/users/bob","type":"Person",
	"preferredUsername":"bob","name":"Bob :verified:","summary":"<p>:blob_wave:</p>","inbox":"https://remote.example/users/bob/inbox",
	"tag":[{"type":"Emoji","name":":verified:","icon":{"type":"Image","url":"https://remote.example/files/v.png"}},
	{"type":"Emoji","name":"::","icon":{"type":"Image","url":"https://remote.example/files/bad.png"}},
	{"type":"Emoji","name":":noicon:"}]}`)
	o, err = ap.Decode(actor)
	require.NoError(t, err)
	a, err := federation.ActorToAccount(o)
	require.NoError(t, err)
	require.Len(t, a.Emojis, 1, "emojis without a name or an image are dropped")
	assert.Equal(t, "verified", a.Emojis[0].Shortcode)
}

func TestEmojiHandler(t *testing.T) {
	st := openStore(t)
	ctx := t.Context()
	e := &storage.CustomEmoji{Shortcode: "blobcat", ImageURL: "https://local.example/media/emoji/blobcat/x/original.png",
		StaticURL: "https://local.example/media/emoji/blobcat/x/small.png", ContentType: "image/png", VisibleInPicker: true}
	e.ID = st.NewID()
	e.URI = "https://local.example/emojis/" + e.ID.String()
	require.NoError(t, st.CustomEmojis().Create(ctx, e))
	off := &storage.CustomEmoji{Shortcode: "off", ImageURL: "https://local.example/x.png", Disabled: true}
	require.NoError(t, st.CustomEmojis().Create(ctx, off))
	remote := &storage.CustomEmoji{Shortcode: "far", Domain: "remote.example", ImageURL: "https://remote.example/x.png"}
	require.NoError(t, st.CustomEmojis().Create(ctx, remote))

	mux := http.NewServeMux()
	mux.Handle("GET /emojis/{id}", federation.EmojiHandler(st.CustomEmojis(), nil))
	w := get(mux, e.URI, "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, federation.ContentTypeActivityJSON, w.Header().Get("Content-Type"))
	m := decodeMap(t, w)
	assert.Equal(t, e.URI, m["id"])
	assert.Equal(t, "Emoji", m["type"])
	assert.Equal(t, ":blobcat:", m["name"])
	assert.Equal(t, "image/png", m["icon"].(map[string]any)["mediaType"])
	assert.Contains(t, w.Body.String(), "toot:Emoji")

	for _, id := range []string{off.ID.String(), remote.ID.String(), "12345", "nope"} {
		assert.Equal(t, http.StatusNotFound, get(mux, "https://local.example/emojis/"+id, "").Code, id)
	}
}

func TestEmojiTagsInHostile(t *testing.T) {
	actor := []byte(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://remote.example/users/eve","type":"Person",
	"preferredUsername":"eve","inbox":"https://remote.example/users/eve/inbox",
	"tag":[{"type":"Emoji","name":":ok_1:","icon":{"type":"Image","url":"https://remote.example/e/ok 1.png?a=\"b\""}},
	{"type":"Emoji","name":":<img src=x onerror=alert(1)>:","icon":{"type":"Image","url":"https://remote.example/e/x.png"}},
	{"type":"Emoji","name":":js:","icon":{"type":"Image","url":"javascript:alert(1)"}},
	{"type":"Emoji","name":":data:","icon":{"type":"Image","url":"data:image/svg+xml,<svg onload=alert(1)>"}},
	{"type":"Emoji","name":":rel:","icon":{"type":"Image","url":"/e/rel.png"}},
	{"type":"Emoji","name":":quote:","icon":{"type":"Image","url":"https://remote.example/e/q.png?x=\"><script>"}},
	{"type":"Emoji","name":":badid:","id":"javascript:alert(1)","icon":{"type":"Image","url":"https://remote.example/e/b.png"}},
	{"type":"Emoji","name":"::x::","icon":{"type":"Image","url":"https://remote.example/e/c.png"}},
	{"type":"Emoji","name":":fine:","id":"https://remote.example/emojis/1","icon":{"type":"Image","url":"https://remote.example/e/fine.png"}}]}`)
	o, err := ap.Decode(actor)
	require.NoError(t, err)
	a, err := federation.ActorToAccount(o)
	require.NoError(t, err)
	var codes []string
	for _, e := range a.Emojis {
		codes = append(codes, e.Shortcode)
		assert.NotContains(t, e.URL, `"`)
		assert.NotContains(t, e.URL, " ")
	}
	assert.Equal(t, []string{"fine"}, codes, "only valid shortcodes with http(s) images are kept")
}

func TestEmojiTagsInBounded(t *testing.T) {
	var tags []string
	for i := range 1000 {
		tags = append(tags, fmt.Sprintf(`{"type":"Emoji","name":":e%d:","icon":{"type":"Image","url":"https://remote.example/e/%d.png"}}`, i, i))
	}
	tags = append([]string{`{"type":"Emoji","name":":e1:","icon":{"type":"Image","url":"https://remote.example/e/dup.png"}}`}, tags...)
	actor := []byte(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://remote.example/users/eve","type":"Person",
	"preferredUsername":"eve","inbox":"https://remote.example/users/eve/inbox","tag":[` + strings.Join(tags, ",") + `]}`)
	o, err := ap.Decode(actor)
	require.NoError(t, err)
	a, err := federation.ActorToAccount(o)
	require.NoError(t, err)
	assert.Len(t, a.Emojis, 200, "at most 200 emojis are read")
	assert.Equal(t, "https://remote.example/e/dup.png", a.Emojis[0].URL, "the first tag of a shortcode wins")
	assert.Equal(t, "e0", a.Emojis[1].Shortcode)
}
