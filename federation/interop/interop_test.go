package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
)

const wait = 5 * time.Second

// startPair starts two peers, one after the other (each takes about a
// second).
func startPair(t *testing.T) (a, b *interop.Peer) {
	t.Helper()
	return interop.StartPeer(t), interop.StartPeer(t)
}

func rawField(t *testing.T, a interop.Activity, path ...string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(a.Raw, &v))
	for _, p := range path {
		m, ok := v.(map[string]any)
		require.Truef(t, ok, "%s: %v is not an object", p, v)
		v = m[p]
	}
	return v
}

func requireSignedBy(t *testing.T, a interop.Activity, signer *interop.Peer) {
	t.Helper()
	require.NotNil(t, a.HTTPSignature, "no HTTP signature info on %s %s", a.Type, a.ID)
	assert.True(t, a.HTTPSignature.Verified, "signature not verified")
	assert.Equal(t, "draft-cavage", a.HTTPSignature.Scheme)
	assert.Equal(t, signer.KeyID, a.HTTPSignature.KeyID)
	assert.Equal(t, signer.ActorID, a.HTTPSignature.KeyOwner)
	assert.True(t, a.HTTPSignature.SignerIsActor)
	assert.Equal(t, signer.ActorID, a.Actor)
}

// TestPeers runs scenarios between two peers; the peers are shared by the
// subtests (each resets them first) to keep the start-up cost down.
func TestPeers(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	reset := func(t *testing.T) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, a.Reset(ctx))
		require.NoError(t, b.Reset(ctx))
	}
	t.Run("Federate", func(t *testing.T) { reset(t); testFederate(t, a, b) })
	t.Run("RejectFollowAndBlock", func(t *testing.T) { reset(t); testRejectFollowAndBlock(t, a, b) })
	t.Run("UnsignedDeliveryIsRejected", func(t *testing.T) { reset(t); testUnsignedDeliveryIsRejected(t, a) })
}

func testFederate(t *testing.T, a, b *interop.Peer) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NotEqual(t, a.Origin, b.Origin)
	assert.True(t, strings.HasPrefix(a.Origin, "http://127.0.0.1:"), a.Origin)
	assert.Equal(t, a.Origin+"/users/peer", a.ActorID)
	assert.Equal(t, a.ActorID+"#main-key", a.KeyID)

	// WebFinger, both ways.
	actorB, err := a.Lookup(ctx, b.Handle)
	require.NoError(t, err)
	assert.Equal(t, b.ActorID, actorB.ID)
	assert.Equal(t, "Person", actorB.Type)
	assert.Equal(t, b.InboxURL, actorB.Inbox)
	assert.Equal(t, b.SharedInboxURL, actorB.SharedInbox)
	assert.Equal(t, "peer", actorB.PreferredUsername)
	assert.Equal(t, b.KeyID, actorB.PublicKeyID)
	assert.Equal(t, b.ActorID, actorB.PublicKeyOwner)
	var jrd struct {
		Subject string `json:"subject"`
		Links   []struct {
			Rel, Type, Href string
		} `json:"links"`
	}
	require.NoError(t, json.Unmarshal(actorB.WebFinger, &jrd))
	assert.Equal(t, "acct:"+b.Handle, jrd.Subject)
	require.NotEmpty(t, jrd.Links)
	assert.Equal(t, "self", jrd.Links[0].Rel)
	assert.Equal(t, b.ActorID, jrd.Links[0].Href)

	actorA, err := b.Lookup(ctx, "@"+a.Handle)
	require.NoError(t, err)
	assert.Equal(t, a.ActorID, actorA.ID)
	byURL, err := b.Lookup(ctx, a.ActorID)
	require.NoError(t, err)
	assert.Equal(t, a.ActorID, byURL.ID)
	assert.Equal(t, "null", string(byURL.WebFinger))

	// Follow / Accept, both ways.
	followAB, err := a.Follow(ctx, b.Handle)
	require.NoError(t, err)
	follow := b.WaitFor(t, "Follow", interop.IDIs(followAB), wait)
	requireSignedBy(t, follow, a)
	assert.Equal(t, b.ActorID, follow.Object)
	accept := a.WaitFor(t, "Accept", interop.ObjectIs(followAB), wait)
	requireSignedBy(t, accept, b)
	assert.Equal(t, "Follow", accept.ObjectType)

	followBA, err := b.Follow(ctx, a.ActorID)
	require.NoError(t, err)
	a.WaitFor(t, "Follow", interop.IDIs(followBA), wait)
	b.WaitFor(t, "Accept", interop.ObjectIs(followBA), wait)

	followersOfB, err := b.Followers(ctx)
	require.NoError(t, err)
	require.Len(t, followersOfB, 1)
	assert.Equal(t, a.ActorID, followersOfB[0].ID)
	assert.Equal(t, a.InboxURL, followersOfB[0].Inbox)
	assert.Equal(t, followAB, followersOfB[0].FollowID)
	followingOfA, err := a.Following(ctx)
	require.NoError(t, err)
	require.Len(t, followingOfA, 1)
	assert.Equal(t, "accepted", followingOfA[0].State)

	// Create(Note) to followers, B -> A.
	note, err := b.Note(ctx, interop.NoteRequest{Content: "<p>Hello from B</p>"})
	require.NoError(t, err)
	assert.Equal(t, []string{a.InboxURL}, note.Inboxes)
	create := a.WaitFor(t, "Create", interop.ObjectIs(note.ID), wait)
	requireSignedBy(t, create, b)
	assert.Equal(t, note.Activity, create.ID)
	assert.Equal(t, "Note", create.ObjectType)
	obj := create.RawObject()
	require.NotNil(t, obj)
	assert.Equal(t, "<p>Hello from B</p>", obj["content"])
	assert.Equal(t, b.ActorID, obj["attributedTo"])
	assert.True(t, create.LDSignature, "Fedify signs activities with an RSA Linked Data signature")
	assert.True(t, create.Proof, "Fedify adds a FEP-8b32 proof with the Ed25519 key")

	// The note is dereferenceable by A (signed GET through Fedify).
	fetched, err := a.Object(ctx, note.ID)
	require.NoError(t, err)
	assert.Contains(t, string(fetched), "Hello from B")

	// Like, Announce and Undo(Like), A -> B.
	like, err := a.Like(ctx, note.ID, b.ActorID)
	require.NoError(t, err)
	gotLike := b.WaitFor(t, "Like", interop.IDIs(like), wait)
	requireSignedBy(t, gotLike, a)
	assert.Equal(t, note.ID, gotLike.Object)

	boost, err := a.Announce(ctx, note.ID, b.ActorID)
	require.NoError(t, err)
	gotBoost := b.WaitFor(t, "Announce", interop.IDIs(boost), wait)
	requireSignedBy(t, gotBoost, a)
	assert.Equal(t, note.ID, gotBoost.Object)

	undoLike, err := a.Undo(ctx, like)
	require.NoError(t, err)
	gotUndo := b.WaitFor(t, "Undo", interop.IDIs(undoLike), wait)
	requireSignedBy(t, gotUndo, a)
	assert.Equal(t, like, gotUndo.Object)
	assert.Equal(t, "Like", gotUndo.ObjectType)

	undoBoost, err := a.Undo(ctx, boost)
	require.NoError(t, err)
	b.WaitFor(t, "Undo", interop.IDIs(undoBoost), wait)

	// Update and Delete, B -> A.
	update, err := b.UpdateNote(ctx, note.ID, "<p>Edited</p>")
	require.NoError(t, err)
	gotUpdate := a.WaitFor(t, "Update", interop.IDIs(update), wait)
	requireSignedBy(t, gotUpdate, b)
	assert.Equal(t, note.ID, gotUpdate.Object)
	assert.Equal(t, "<p>Edited</p>", rawField(t, gotUpdate, "object", "content"))
	assert.NotNil(t, rawField(t, gotUpdate, "object", "updated"))

	del, err := b.Delete(ctx, note.ID)
	require.NoError(t, err)
	gotDelete := a.WaitFor(t, "Delete", interop.IDIs(del), wait)
	requireSignedBy(t, gotDelete, b)
	assert.Equal(t, note.ID, gotDelete.Object)
	assert.Equal(t, "Tombstone", gotDelete.ObjectType)
	_, err = a.Object(ctx, note.ID)
	var ce *interop.ControlError
	require.ErrorAs(t, err, &ce, "a deleted note is no longer served")
	assert.Equal(t, http.StatusNotFound, ce.Status)

	// A direct note with a mention, A -> B, and a reply.
	dm, err := a.Note(ctx, interop.NoteRequest{Content: "<p>@peer hi</p>", Mention: []string{b.ActorID}})
	require.NoError(t, err)
	gotDM := b.WaitFor(t, "Create", interop.ObjectIs(dm.ID), wait)
	assert.Equal(t, []any{b.ActorID}, toList(rawField(t, gotDM, "object", "to")))
	tag := toList(rawField(t, gotDM, "object", "tag"))
	require.Len(t, tag, 1)
	assert.Equal(t, "Mention", tag[0].(map[string]any)["type"])

	reply, err := b.Note(ctx, interop.NoteRequest{Content: "<p>reply</p>", InReplyTo: dm.ID, Visibility: interop.Followers})
	require.NoError(t, err)
	gotReply := a.WaitFor(t, "Create", interop.ObjectIs(reply.ID), wait)
	assert.Equal(t, dm.ID, rawField(t, gotReply, "object", "inReplyTo"))

	// Unfollow, A -> B.
	unfollow, err := a.Unfollow(ctx, b.ActorID)
	require.NoError(t, err)
	gotUnfollow := b.WaitFor(t, "Undo", interop.IDIs(unfollow), wait)
	assert.Equal(t, followAB, gotUnfollow.Object)
	followersOfB, err = b.Followers(ctx)
	require.NoError(t, err)
	assert.Empty(t, followersOfB)

	// Nothing was refused or failed on either side.
	for _, p := range []*interop.Peer{a, b} {
		rej, err := p.Rejected(ctx)
		require.NoError(t, err)
		assert.Empty(t, rej)
		errs, err := p.Errors(ctx)
		require.NoError(t, err)
		assert.Empty(t, errs)
	}
	sent, err := a.Sent(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, sent)
	for _, s := range sent {
		assert.Empty(t, s.Error, "%s %s", s.Type, s.ID)
	}
}

func toList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func testRejectFollowAndBlock(t *testing.T, a, b *interop.Peer) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, b.SetFollowPolicy(ctx, "reject"))
	follow, err := a.Follow(ctx, b.ActorID)
	require.NoError(t, err)
	reject := a.WaitFor(t, "Reject", interop.ObjectIs(follow), wait)
	requireSignedBy(t, reject, b)
	following, err := a.Following(ctx)
	require.NoError(t, err)
	assert.Empty(t, following)
	followers, err := b.Followers(ctx)
	require.NoError(t, err)
	assert.Empty(t, followers)

	block, err := b.Block(ctx, a.ActorID)
	require.NoError(t, err)
	gotBlock := a.WaitFor(t, "Block", interop.IDIs(block), wait)
	assert.Equal(t, a.ActorID, gotBlock.Object)
	undo, err := b.Undo(ctx, block)
	require.NoError(t, err)
	gotUndo := a.WaitFor(t, "Undo", interop.IDIs(undo), wait)
	assert.Equal(t, "Block", gotUndo.ObjectType)

	require.NoError(t, b.SetFollowPolicy(ctx, "accept"))
	require.NoError(t, a.Reset(ctx))
	got, err := a.Inbox(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testUnsignedDeliveryIsRejected(t *testing.T, p *interop.Peer) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"http://127.0.0.1:1/activities/1","type":"Like",` +
		`"actor":"http://127.0.0.1:1/users/x","object":"` + p.ActorID + `"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.InboxURL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	rej, err := p.Rejected(ctx)
	require.NoError(t, err)
	require.Len(t, rej, 1)
	assert.Equal(t, 401, rej[0].Status)
	assert.Equal(t, "Like", rej[0].Type)
	assert.Contains(t, rej[0].Reason, "no HTTP signature")
	got, err := p.Inbox(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, got)

	// Control API errors come back as *ControlError.
	_, err = p.Undo(ctx, "http://127.0.0.1:1/not-ours")
	var ce *interop.ControlError
	require.True(t, errors.As(err, &ce), "%v", err)
	assert.Equal(t, http.StatusNotFound, ce.Status)
	_, err = p.Lookup(ctx, "nobody@127.0.0.1:1")
	require.Error(t, err)
}
