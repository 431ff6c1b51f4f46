package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/interop"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

// TestInteropFedify runs the bot (Herd's engine: ap, federation, storage)
// against a real Fedify 1.5 peer (federation/interop), in both directions:
// WebFinger, Follow/Accept, Create(Note), Like, Announce, Undo, Update (note
// and profile), Delete. Herd sends through its Sender and Deliverer and
// verifies what arrives in its Inbox; the peer verifies Herd's HTTP
// signatures with Fedify and records them. The bot starts every host on RFC
// 9421, which Fedify 1.5 refuses, so the Deliverer's double-knock must fall
// back to draft-cavage and remember it.
func TestInteropFedify(t *testing.T) {
	peer := interop.StartPeer(t) // skips without Node (fails in CI)
	ctx := t.Context()
	bot := startBot(t, &Options{Deliverer: &federation.DelivererOptions{
		PollInterval: 20 * time.Millisecond, Scheme: signature.SchemeRFC9421}})
	me := bot.Account()
	wait := 10 * time.Second
	fromBot := func(a interop.Activity) bool { return a.Actor == me.URI }

	// --- WebFinger, both ways.
	found, err := peer.Lookup(ctx, bot.handle())
	require.NoError(t, err)
	assert.Equal(t, me.URI, found.ID)
	assert.Equal(t, "Service", found.Type)
	assert.Equal(t, me.InboxURI, found.Inbox)
	assert.Equal(t, me.SharedInboxURI, found.SharedInbox)
	assert.Equal(t, me.PublicKeyID, found.PublicKeyID)
	assert.Equal(t, me.URI, found.PublicKeyOwner)
	assert.Contains(t, string(found.WebFinger), `"acct:`+bot.handle()+`"`)
	peerAcct, err := bot.Resolver().ResolveHandle(ctx, peer.Handle)
	require.NoError(t, err)
	assert.Equal(t, peer.ActorID, peerAcct.URI)
	assert.Equal(t, strings.TrimPrefix(peer.Origin, "http://"), peerAcct.Domain)
	assert.Equal(t, peer.SharedInboxURL, peerAcct.SharedInboxURI)

	// --- Follow/Accept, both ways: the peer follows the bot, the bot
	// accepts and follows back, the peer accepts.
	followID, err := peer.Follow(ctx, me.URI)
	require.NoError(t, err)
	ev := bot.waitEvent(ap.TypeFollow, func(ev Event) bool { return ev.Activity.ID == followID })
	assert.Equal(t, peer.ActorID, ev.From.URI)
	accept := peer.WaitFor(t, "Accept", interop.ObjectIs(followID), wait)
	assertSignedByBot(t, accept, me)
	backFollow := peer.WaitFor(t, "Follow", fromBot, wait)
	assert.Equal(t, peer.ActorID, backFollow.Object)
	assertSignedByBot(t, backFollow, me)
	bot.waitEvent(ap.TypeAccept, func(ev Event) bool { return ev.Activity.Object.ID() == backFollow.ID })
	_, err = bot.store.Follows().Get(ctx, peerAcct.ID, me.ID)
	require.NoError(t, err, "the peer follows the bot")
	_, err = bot.store.Follows().Get(ctx, me.ID, peerAcct.ID)
	require.NoError(t, err, "the bot follows the peer")
	eventually(t, "the peer to record the bot as follower and followee", func() bool {
		fs, err := peer.Followers(ctx)
		require.NoError(t, err)
		fg, err := peer.Following(ctx)
		require.NoError(t, err)
		return len(fs) == 1 && fs[0].ID == me.URI && len(fg) == 1 && fg[0].Actor == me.URI && fg[0].State == "accepted"
	})

	// Double-knock: the first POSTs were signed with RFC 9421 and refused
	// (401), retried with draft-cavage, and the host is now remembered.
	peerHost := strings.TrimPrefix(peer.Origin, "http://")
	assert.Equal(t, signature.SchemeCavage, bot.Deliverer().HostScheme(peerHost))
	rejected, err := peer.Rejected(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, rejected, "Fedify 1.5 refuses RFC 9421 signatures")
	for _, r := range rejected {
		require.NotNil(t, r.HTTPSignature)
		assert.Equal(t, "rfc9421", r.HTTPSignature.Scheme, "only the first knocks are refused: %+v", r)
		assert.Equal(t, http.StatusUnauthorized, r.Status)
	}
	knocks := len(rejected)
	assert.LessOrEqual(t, knocks, 2, "the Accept and the Follow may race; nothing after them knocks twice")

	// --- Create(Note), both ways. A public mention of the bot is answered
	// publicly, mentioning the author and replying to the note.
	note, err := peer.Note(ctx, interop.NoteRequest{Content: `<p><a href="` + me.URI + `" class="mention">@bot</a> how are you?</p>`,
		Visibility: interop.Public, Mention: []string{me.URI}})
	require.NoError(t, err)
	ev = bot.waitEvent(ap.TypeCreate, func(ev Event) bool { return ev.Object.ID == note.ID })
	assert.Equal(t, peer.ActorID, ev.From.URI)
	assert.Equal(t, ap.VisibilityPublic, ev.Object.Visibility(peer.FollowersURL))
	reply := peer.WaitFor(t, "Create", func(a interop.Activity) bool { return fromBot(a) && rawString(a.RawObject(), "inReplyTo") == note.ID }, wait)
	assertSignedByBot(t, reply, me)
	obj := reply.RawObject()
	assert.Contains(t, obj["content"], "You said: how are you?")
	assert.Equal(t, []any{ap.Public}, obj["to"])
	assert.Contains(t, obj["cc"], peer.ActorID)
	assert.Contains(t, string(reply.Raw), `"href":"`+peer.ActorID+`"`, "the reply mentions the author")

	// A direct mention is answered directly.
	dm, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>psst</p>", Visibility: interop.Direct, Mention: []string{me.URI}})
	require.NoError(t, err)
	dmReply := peer.WaitFor(t, "Create", func(a interop.Activity) bool { return rawString(a.RawObject(), "inReplyTo") == dm.ID }, wait)
	assert.Equal(t, []any{peer.ActorID}, dmReply.RawObject()["to"])
	assert.Empty(t, dmReply.RawObject()["cc"])

	// The bot posts to its followers: the peer gets it.
	post, err := bot.Post(ctx, "Hello, Fedify!", ap.VisibilityPublic)
	require.NoError(t, err)
	created := peer.WaitFor(t, "Create", interop.ObjectIs(post.URI), wait)
	assertSignedByBot(t, created, me)
	assert.Equal(t, "<p>Hello, Fedify!</p>", created.RawObject()["content"])
	// The peer can fetch the note from its id.
	raw, err := peer.Object(ctx, post.URI)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "Hello, Fedify!")

	// --- Like, Announce and their Undo: peer → bot (counted on the bot's
	// status), then bot → peer.
	likeID, err := peer.Like(ctx, post.URI, me.URI)
	require.NoError(t, err)
	boostID, err := peer.Announce(ctx, post.URI, me.URI)
	require.NoError(t, err)
	bot.waitEvent(ap.TypeLike, func(ev Event) bool { return ev.Activity.ID == likeID })
	bot.waitEvent(ap.TypeAnnounce, func(ev Event) bool { return ev.Activity.ID == boostID })
	st := statusByURI(t, bot.store, post.URI)
	assert.EqualValues(t, 1, st.FavouritesCount)
	assert.EqualValues(t, 1, st.ReblogsCount)
	_, err = peer.Undo(ctx, likeID)
	require.NoError(t, err)
	_, err = peer.Undo(ctx, boostID)
	require.NoError(t, err)
	bot.waitEvent(ap.TypeUndo, func(ev Event) bool { return ev.Activity.Object.ID() == likeID })
	bot.waitEvent(ap.TypeUndo, func(ev Event) bool { return ev.Activity.Object.ID() == boostID })
	st = statusByURI(t, bot.store, post.URI)
	assert.EqualValues(t, 0, st.FavouritesCount)
	assert.EqualValues(t, 0, st.ReblogsCount)

	like, err := bot.Like(ctx, note.ID)
	require.NoError(t, err)
	assertSignedByBot(t, peer.WaitFor(t, "Like", interop.IDIs(like.ID), wait), me)
	boost, err := bot.Announce(ctx, note.ID)
	require.NoError(t, err)
	got := peer.WaitFor(t, "Announce", interop.IDIs(boost.ID), wait)
	assertSignedByBot(t, got, me)
	assert.Equal(t, note.ID, got.Object)
	require.NoError(t, bot.Undo(ctx, like))
	undo := peer.WaitFor(t, "Undo", interop.ObjectIs(like.ID), wait)
	assertSignedByBot(t, undo, me)
	assert.Equal(t, "Like", undo.ObjectType)
	require.NoError(t, bot.Undo(ctx, boost))
	assert.Equal(t, "Announce", peer.WaitFor(t, "Undo", interop.ObjectIs(boost.ID), wait).ObjectType)

	// --- Update, both ways: a note edit and a profile change.
	_, err = peer.UpdateNote(ctx, note.ID, "<p>edited by the peer</p>")
	require.NoError(t, err)
	ev = bot.waitEvent(ap.TypeUpdate, func(ev Event) bool { return ev.Object.ID == note.ID })
	assert.Equal(t, "<p>edited by the peer</p>", ev.Object.Content)
	peerUpdateProfile(t, peer, "Renamed Peer")
	bot.waitEvent(ap.TypeUpdate, func(ev Event) bool { return ev.Object.ID == peer.ActorID })
	assert.Equal(t, "Renamed Peer", accountByURI(t, bot.store, peer.ActorID).DisplayName)

	require.NoError(t, bot.Edit(ctx, post.ID, "Hello again, Fedify!"))
	edit := peer.WaitFor(t, "Update", interop.ObjectIs(post.URI), wait)
	assertSignedByBot(t, edit, me)
	assert.Equal(t, "<p>Hello again, Fedify!</p>", edit.RawObject()["content"])
	assert.NotEmpty(t, edit.RawObject()["updated"])
	require.NoError(t, bot.UpdateProfile(ctx, "Renamed Bot", "still a bot"))
	prof := peer.WaitFor(t, "Update", interop.ObjectIs(me.URI), wait)
	assertSignedByBot(t, prof, me)
	assert.Equal(t, "Renamed Bot", prof.RawObject()["name"])

	// --- Delete, both ways.
	_, err = peer.Delete(ctx, note.ID)
	require.NoError(t, err)
	bot.waitEvent(ap.TypeDelete, func(ev Event) bool { return ev.Activity.Object.ID() == note.ID })
	require.NoError(t, bot.Delete(ctx, post.ID))
	del := peer.WaitFor(t, "Delete", interop.ObjectIs(post.URI), wait)
	assertSignedByBot(t, del, me)
	assert.Equal(t, "Tombstone", del.ObjectType)

	// --- Undo(Follow), both ways.
	_, err = peer.Unfollow(ctx, me.URI)
	require.NoError(t, err)
	bot.waitEvent(ap.TypeUndo, func(ev Event) bool { return ev.Activity.Object.ID() == followID })
	_, err = bot.store.Follows().Get(ctx, peerAcct.ID, me.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, bot.Unfollow(ctx, peer.ActorID))
	assert.Equal(t, "Follow", peer.WaitFor(t, "Undo", interop.ObjectIs(backFollow.ID), wait).ObjectType)
	eventually(t, "the peer to drop the bot as follower", func() bool {
		fs, err := peer.Followers(ctx)
		require.NoError(t, err)
		return len(fs) == 0
	})

	// Nothing else was refused, nothing failed on the peer's side, and
	// every activity of the bot was verified by Fedify as draft-cavage.
	rejected, err = peer.Rejected(ctx)
	require.NoError(t, err)
	assert.Len(t, rejected, knocks, "the scheme was remembered: no more RFC 9421 knocks")
	errs, err := peer.Errors(ctx)
	require.NoError(t, err)
	assert.Empty(t, errs)
	inbox, err := peer.Inbox(ctx, "")
	require.NoError(t, err)
	n := 0
	for _, a := range inbox {
		if fromBot(a) {
			assertSignedByBot(t, a, me)
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 12)
	t.Logf("Fedify verified %d activities of the bot (draft-cavage) after %d refused RFC 9421 knock(s)", n, knocks)
	assert.EqualValues(t, 0, bot.Deliverer().Stats().Dropped)
}

// assertSignedByBot checks that Fedify verified the bot's draft-cavage
// signature on a, signed by the bot's key and matching the actor.
func assertSignedByBot(t *testing.T, a interop.Activity, me *storage.Account) {
	t.Helper()
	sig := a.HTTPSignature
	require.NotNil(t, sig, "%s %s unsigned", a.Type, a.ID)
	assert.True(t, sig.Verified, "%s %s", a.Type, a.ID)
	assert.Equal(t, "draft-cavage", sig.Scheme)
	assert.Equal(t, me.PublicKeyID, sig.KeyID)
	assert.Equal(t, me.URI, sig.KeyOwner)
	assert.True(t, sig.SignerIsActor)
	for _, h := range []string{"(request-target)", "host", "date", "digest"} {
		assert.Contains(t, sig.Headers, h)
	}
}

func rawString(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// peerUpdateProfile renames the peer, which sends Update(Person) to its
// followers (a control call the Go client does not wrap).
func peerUpdateProfile(t *testing.T, peer *interop.Peer, name string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, peer.Origin+"/control/update-profile", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode, fmt.Sprintf("%s", out))
}
