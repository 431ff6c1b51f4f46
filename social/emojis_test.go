package social_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// addEmoji adds a local custom emoji as the command line does.
func (e *env) addEmoji(shortcode string) *storage.CustomEmoji {
	e.t.Helper()
	ce := &storage.CustomEmoji{Shortcode: shortcode, ImageURL: "https://herd.example/media/emoji/" + shortcode + ".gif",
		StaticURL: "https://herd.example/media/emoji/" + shortcode + ".png", VisibleInPicker: true, Category: "cats"}
	require.NoError(e.t, e.svc.AddCustomEmoji(e.ctx, nil, ce))
	return ce
}

func shortcodes(es storage.Emojis) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Shortcode)
	}
	return out
}

func TestCustomEmojisInStatuses(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		blob := e.addEmoji("blobcat")
		e.addEmoji("Party_Parrot")
		e.addEmoji("spoiler_emoji")
		e.addEmoji("poll_emoji")
		off := e.addEmoji("retired")
		_, err := e.svc.SetCustomEmojiDisabled(e.ctx, nil, off.Shortcode, true)
		require.NoError(t, err)
		assert.Equal(t, "https://herd.example/emojis/"+blob.ID.String(), blob.URI)

		alice := e.local("alice")
		st, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{
			Text:        "hello :blobcat: :blobcat: :party_parrot: :Party_Parrot: :retired: :unknown: a:blobcat:b https://x.example/:blobcat:",
			SpoilerText: "cw :spoiler_emoji:",
			Poll:        &social.PollInput{Options: []string{"yes :poll_emoji:", "no"}, ExpiresIn: time.Hour},
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"blobcat", "Party_Parrot", "spoiler_emoji", "poll_emoji"}, shortcodes(st.Emojis),
			"distinct, case-sensitive, enabled only, from the text, spoiler and poll")
		assert.Equal(t, blob.ImageURL, st.Emojis[0].URL)
		assert.Equal(t, blob.StaticURL, st.Emojis[0].StaticURL)
		assert.Equal(t, blob.URI, st.Emojis[0].URI)
		assert.False(t, st.Emojis[0].UpdatedAt.IsZero())
		assert.Contains(t, st.Content, ":blobcat:", "the shortcode stays in the HTML, clients replace it")

		got := e.status(st.ID)
		assert.Equal(t, shortcodes(st.Emojis), shortcodes(got.Emojis))

		edited, err := e.svc.EditStatus(e.ctx, alice, st.ID, social.EditInput{Text: "now :Party_Parrot: only"})
		require.NoError(t, err)
		assert.Equal(t, []string{"Party_Parrot"}, shortcodes(edited.Emojis))

		plain, err := e.svc.PostStatus(e.ctx, alice, social.PostInput{Text: "no emoji here: none"})
		require.NoError(t, err)
		assert.NotNil(t, plain.Emojis)
		assert.Empty(t, plain.Emojis)
	})
}

func TestCustomEmojisInProfile(t *testing.T) {
	e := newEnv(t)
	e.addEmoji("blobcat")
	e.addEmoji("verified")
	e.addEmoji("fox")
	alice := e.local("alice")
	a, err := e.svc.UpdateProfile(e.ctx, alice, social.ProfileInput{
		DisplayName: ptr("Alice :blobcat:"),
		Note:        ptr("I like :fox: and :nothing:"),
		Fields:      &[]social.FieldInput{{Name: "site :verified:", Value: "https://alice.example"}},
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"blobcat", "fox", "verified"}, shortcodes(a.Emojis))
	assert.ElementsMatch(t, []string{"blobcat", "fox", "verified"}, shortcodes(e.account(alice.ID).Emojis))

	a, err = e.svc.UpdateProfile(e.ctx, a, social.ProfileInput{DisplayName: ptr("Alice")})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"fox", "verified"}, shortcodes(a.Emojis), "the note and fields keep theirs")
}

func TestCustomEmojiAdmin(t *testing.T) {
	e := newEnv(t)
	ce := e.addEmoji("blobcat")
	for _, sc := range []string{"BLOBCAT", "x", "has space", "a:b"} {
		err := e.svc.AddCustomEmoji(e.ctx, nil, &storage.CustomEmoji{Shortcode: sc, ImageURL: "https://herd.example/x.png"})
		var ve *social.ValidationError
		require.ErrorAs(t, err, &ve, sc)
	}
	list, err := e.svc.CustomEmojis(e.ctx, false)
	require.NoError(t, err)
	require.Len(t, list, 1)

	_, err = e.svc.SetCustomEmojiDisabled(e.ctx, nil, "blobcat", true)
	require.NoError(t, err)
	list, err = e.svc.CustomEmojis(e.ctx, false)
	require.NoError(t, err)
	assert.Empty(t, list)
	list, err = e.svc.CustomEmojis(e.ctx, true)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	_, err = e.svc.SetCustomEmojiDisabled(e.ctx, nil, "blobcat", false)
	require.NoError(t, err)

	// A user who is not staff may not manage emojis.
	carol, _, err := social.CreateUser(e.ctx, e.store, e.urls, social.NewUser{Username: "carol", Email: "c@example.com", Password: "password123", Approved: true})
	require.NoError(t, err)
	_, err = e.svc.RemoveCustomEmoji(e.ctx, carol, "blobcat")
	require.ErrorIs(t, err, social.ErrForbidden)
	err = e.svc.AddCustomEmoji(e.ctx, carol, &storage.CustomEmoji{Shortcode: "mine", ImageURL: "https://herd.example/x.png"})
	require.ErrorIs(t, err, social.ErrForbidden)

	removed, err := e.svc.RemoveCustomEmoji(e.ctx, nil, "blobcat")
	require.NoError(t, err)
	assert.Equal(t, ce.ID, removed.ID)
	_, err = e.svc.RemoveCustomEmoji(e.ctx, nil, "blobcat")
	require.ErrorIs(t, err, social.ErrNotFound)

	entries, err := e.store.AuditLog().List(e.ctx, storage.AuditFilter{TargetType: "custom_emoji"}, storage.Page{Limit: 10})
	require.NoError(t, err)
	var actions []string
	for _, x := range entries {
		actions = append(actions, x.Action)
	}
	assert.ElementsMatch(t, []string{social.AuditEmojiCreate, social.AuditEmojiDisable, social.AuditEmojiEnable, social.AuditEmojiDelete}, actions)
}

func TestRemoteEmojis(t *testing.T) {
	e := newEnv(t)
	rejected := map[string]bool{"nomedia.example": true}
	e.svc = social.New(e.store, e.urls, &social.Options{RejectMedia: func(_ context.Context, d string) bool { return rejected[d] }})
	bob := e.remote("bob", "remote.example")
	st, _, err := e.svc.ReceiveStatus(e.ctx, &storage.Status{URI: "https://remote.example/notes/1", AccountID: bob.ID,
		Content: "<p>hi :blob: :blob2:</p>", Visibility: storage.VisibilityPublic,
		Emojis: storage.Emojis{{Shortcode: "blob", URL: "https://remote.example/e/blob.png", URI: "https://remote.example/emojis/1"},
			{Shortcode: "blob2", URL: "https://cdn.remote.example/e/blob2.png"}}}, social.ReceiveOptions{})
	require.NoError(t, err)
	assert.Len(t, st.Emojis, 2, "remote emojis stay on the status")
	known, err := e.store.CustomEmojis().List(e.ctx, storage.CustomEmojiFilter{Domain: "remote.example"})
	require.NoError(t, err)
	require.Len(t, known, 2)
	assert.Equal(t, "https://remote.example/emojis/1", known[0].URI)
	assert.False(t, known[0].VisibleInPicker)

	// A new image URL updates the record.
	n, err := e.svc.RememberRemoteEmojis(e.ctx, "remote.example", storage.Emojis{{Shortcode: "blob", URL: "https://remote.example/e/blob-v2.png", URI: "https://remote.example/emojis/1"}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := e.store.CustomEmojis().GetByShortcode(e.ctx, "blob", "remote.example")
	require.NoError(t, err)
	assert.Equal(t, "https://remote.example/e/blob-v2.png", got.ImageURL)
	n, err = e.svc.RememberRemoteEmojis(e.ctx, "remote.example", storage.Emojis{{Shortcode: "blob", URL: "https://remote.example/e/blob-v2.png", URI: "https://remote.example/emojis/1"}})
	require.NoError(t, err)
	assert.Zero(t, n, "nothing changed")
	// Local emojis are never replaced by remote claims.
	local, err := e.store.CustomEmojis().List(e.ctx, storage.CustomEmojiFilter{})
	require.NoError(t, err)
	assert.Empty(t, local)

	// A server speaks for its own emojis only: one whose id names another
	// domain is not recorded (neither for that domain nor for the sender).
	n, err = e.svc.RememberRemoteEmojis(e.ctx, "remote.example", storage.Emojis{
		{Shortcode: "victim", URL: "https://remote.example/e/fake.png", URI: "https://victim.example/emojis/5"},
		{Shortcode: "hidden", URL: "https://nomedia.example/e/h.png", URI: "https://nomedia.example/emojis/6"}})
	require.NoError(t, err)
	assert.Zero(t, n)
	for _, d := range []string{"victim.example", "nomedia.example"} {
		spoofed, err := e.store.CustomEmojis().List(e.ctx, storage.CustomEmojiFilter{Domain: d})
		require.NoError(t, err)
		assert.Empty(t, spoofed, d)
	}
	_, err = e.store.CustomEmojis().GetByShortcode(e.ctx, "victim", "remote.example")
	assert.ErrorIs(t, err, storage.ErrNotFound)

	carol := e.remote("carol", "nomedia.example")
	st, _, err = e.svc.ReceiveStatus(e.ctx, &storage.Status{URI: "https://nomedia.example/notes/1", AccountID: carol.ID,
		Content: "<p>:x_x:</p>", Visibility: storage.VisibilityPublic,
		Emojis: storage.Emojis{{Shortcode: "x_x", URL: "https://nomedia.example/e/x.png"}}}, social.ReceiveOptions{})
	require.NoError(t, err)
	assert.Empty(t, st.Emojis, "emojis of reject_media domains are not shown")
	none, err := e.store.CustomEmojis().List(e.ctx, storage.CustomEmojiFilter{Domain: "nomedia.example"})
	require.NoError(t, err)
	assert.Empty(t, none)
}
