package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation/interop"
)

const asPublic = "https://www.w3.org/ns/activitystreams#Public"

// TestFedifyScenarios drives the scenarios of issue 5 between a real herd
// process (through its Mastodon API) and a Fedify 1.5 peer (through its
// control API), in both directions.
func TestFedifyScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds and runs herd and a Node.js peer")
	}
	peer := interop.StartPeer(t)
	h := startNode(t)
	t.Run("HerdToFedify", func(t *testing.T) { herdToFedify(t, h.with(t), peer) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, peer.Reset(ctx))
	t.Run("FedifyToHerd", func(t *testing.T) { fedifyToHerd(t, h.with(t), peer) })
}

func addressed(t *testing.T, a interop.Activity) (to, cc []string) {
	t.Helper()
	var raw struct {
		To, Cc any
	}
	require.NoError(t, json.Unmarshal(a.Raw, &raw))
	return strList(raw.To), strList(raw.Cc)
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func contentIs(s string) func(interop.Activity) bool {
	return func(a interop.Activity) bool {
		return strings.Contains(fmt.Sprint(a.RawObject()["content"]), s)
	}
}

func herdToFedify(t *testing.T, h *node, peer *interop.Peer) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ht := h.user("hana")
	handle := "hana@" + h.host
	me := h.call(ht, "GET", "/api/v1/accounts/verify_credentials", nil, 200)

	// Open follow: the peer follows hana and is accepted.
	follow, err := peer.Follow(ctx, handle)
	require.NoError(t, err)
	peer.WaitFor(t, "Accept", interop.ObjectIs(follow), e2eWait)
	waitUntil(t, "hana's followers list the peer", func() bool {
		return len(h.list(ht, "/api/v1/accounts/"+me["id"].(string)+"/followers")) == 1
	})

	// Locked follow: lena approves the peer's request through the API.
	lt := h.user("lena")
	h.call(lt, "PATCH", "/api/v1/accounts/update_credentials", url.Values{"locked": {"true"}}, 200)
	lfollow, err := peer.Follow(ctx, "lena@"+h.host)
	require.NoError(t, err)
	var reqID string
	waitUntil(t, "the peer's request reaches lena", func() bool {
		for _, a := range h.list(lt, "/api/v1/follow_requests") {
			if strings.HasPrefix(fmt.Sprint(a["acct"]), "peer@") {
				reqID = a["id"].(string)
				return true
			}
		}
		return false
	})
	h.call(lt, "POST", "/api/v1/follow_requests/"+reqID+"/authorize", url.Values{}, 200)
	peer.WaitFor(t, "Accept", interop.ObjectIs(follow), e2eWait)
	peer.WaitFor(t, "Accept", interop.ObjectIs(lfollow), e2eWait)

	// Each visibility, addressed as Mastodon does.
	peerAcct := "@" + peer.Handle
	posts := map[string]map[string]any{}
	for _, vis := range []string{"public", "unlisted", "private"} {
		posts[vis] = h.call(ht, "POST", "/api/v1/statuses", url.Values{"status": {"hana " + vis}, "visibility": {vis}}, 200)
	}
	posts["direct"] = h.call(ht, "POST", "/api/v1/statuses", url.Values{"status": {peerAcct + " hana direct"}, "visibility": {"direct"}}, 200)
	followers := actorFollowers(h, "hana")
	for vis, st := range posts {
		create := peer.WaitFor(t, "Create", interop.ObjectIs(st["uri"].(string)), e2eWait)
		to, cc := addressed(t, create)
		switch vis {
		case "public":
			assert.Contains(t, to, asPublic)
			assert.Contains(t, cc, followers)
		case "unlisted":
			assert.Contains(t, to, followers)
			assert.Contains(t, cc, asPublic)
		case "private":
			assert.Contains(t, to, followers)
			assert.NotContains(t, append(to, cc...), asPublic)
		case "direct":
			assert.Equal(t, []string{peer.ActorID}, append(to, cc...), "a direct post is addressed to the mentioned only")
		}
	}

	// Hana follows the peer, which posts; hana replies, boosts and likes.
	peerID := h.resolve(ht, peer.Handle)
	h.call(ht, "POST", "/api/v1/accounts/"+peerID+"/follow", url.Values{}, 200)
	waitUntil(t, "hana follows the peer", func() bool { return h.relationship(ht, peerID)["following"] == true })
	note, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>peer says hi</p>"})
	require.NoError(t, err)
	var local map[string]any
	waitUntil(t, "the peer's note reaches hana", func() bool {
		local = h.findIn(ht, "/api/v1/timelines/home", "peer says hi")
		return local != nil
	})
	reply := h.call(ht, "POST", "/api/v1/statuses", url.Values{"status": {peerAcct + " hana replies"}, "in_reply_to_id": {local["id"].(string)}}, 200)
	cr := peer.WaitFor(t, "Create", interop.ObjectIs(reply["uri"].(string)), e2eWait)
	assert.Equal(t, note.ID, cr.RawObject()["inReplyTo"])
	h.call(ht, "POST", "/api/v1/statuses/"+local["id"].(string)+"/reblog", url.Values{}, 200)
	h.call(ht, "POST", "/api/v1/statuses/"+local["id"].(string)+"/favourite", url.Values{}, 200)
	peer.WaitFor(t, "Announce", interop.ObjectIs(note.ID), e2eWait)
	peer.WaitFor(t, "Like", interop.ObjectIs(note.ID), e2eWait)

	// Edit, delete, profile update.
	h.call(ht, "PUT", "/api/v1/statuses/"+posts["public"]["id"].(string), url.Values{"status": {"hana public, edited"}}, 200)
	peer.WaitFor(t, "Update", func(a interop.Activity) bool {
		return a.Object == posts["public"]["uri"] && strings.Contains(fmt.Sprint(a.RawObject()["content"]), "edited")
	}, e2eWait)
	h.call(ht, "DELETE", "/api/v1/statuses/"+posts["unlisted"]["id"].(string), nil, 200)
	peer.WaitFor(t, "Delete", interop.ObjectIs(posts["unlisted"]["uri"].(string)), e2eWait)
	h.call(ht, "PATCH", "/api/v1/accounts/update_credentials", url.Values{"display_name": {"Hana H."}}, 200)
	peer.WaitFor(t, "Update", func(a interop.Activity) bool {
		return a.ObjectType == "Person" && a.RawObject()["name"] == "Hana H."
	}, e2eWait)

	// Block.
	h.call(ht, "POST", "/api/v1/accounts/"+peerID+"/block", url.Values{}, 200)
	peer.WaitFor(t, "Block", interop.ObjectIs(peer.ActorID), e2eWait)

	// Account deletion: an admin suspends lena (followed by the peer);
	// the peer receives Delete(actor).
	admin := h.adminToken("hadmin")
	lena := h.call(lt, "GET", "/api/v1/accounts/verify_credentials", nil, 200)
	h.call(admin, "POST", "/api/v1/admin/accounts/"+lena["id"].(string)+"/action", url.Values{"type": {"suspend"}}, 200)
	peer.WaitFor(t, "Delete", interop.ObjectIs(actorURI(h, "lena")), e2eWait)
}

// actorFollowers reads a local actor's followers collection URL.
func actorFollowers(n *node, username string) string {
	req, err := http.NewRequest("GET", n.base+"/users/"+username, nil)
	require.NoError(n.t, err)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(n.t, err)
	defer resp.Body.Close()
	var a struct {
		Followers string `json:"followers"`
	}
	require.NoError(n.t, json.NewDecoder(resp.Body).Decode(&a))
	require.NotEmpty(n.t, a.Followers)
	return a.Followers
}

func fedifyToHerd(t *testing.T, h *node, peer *interop.Peer) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ft, zt := h.user("fumiko"), h.user("zora")
	meURI := actorURI(h, "fumiko")

	// Follow the peer (accepted), then a second user is rejected.
	peerID := h.resolve(ft, peer.Handle)
	h.call(ft, "POST", "/api/v1/accounts/"+peerID+"/follow", url.Values{}, 200)
	peer.WaitFor(t, "Follow", func(a interop.Activity) bool { return a.Actor == meURI }, e2eWait)
	waitUntil(t, "fumiko follows the peer", func() bool { return h.relationship(ft, peerID)["following"] == true })
	require.NoError(t, peer.SetFollowPolicy(ctx, "reject"))
	zPeer := h.resolve(zt, peer.Handle)
	rel := h.call(zt, "POST", "/api/v1/accounts/"+zPeer+"/follow", url.Values{}, 200)
	require.Equal(t, true, rel["requested"], "a remote follow is pending until answered")
	waitUntil(t, "the peer's Reject ends zora's request", func() bool {
		r := h.relationship(zt, zPeer)
		return r["requested"] == false && r["following"] == false
	})
	require.NoError(t, peer.SetFollowPolicy(ctx, "accept"))

	// Each visibility: fumiko (a follower) sees the first three, and the
	// direct note as a mention; zora sees none of the private ones.
	for _, vis := range []interop.Visibility{interop.Public, interop.Unlisted, interop.Followers} {
		_, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>peer " + string(vis) + " note</p>", Visibility: vis})
		require.NoError(t, err)
	}
	_, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>peer direct note</p>", Mention: []string{meURI}})
	require.NoError(t, err)
	want := map[string]string{"public": "public", "unlisted": "unlisted", "followers": "private"}
	for vis, mv := range want {
		var st map[string]any
		waitUntil(t, "the peer's "+vis+" note reaches fumiko", func() bool {
			st = h.findIn(ft, "/api/v1/timelines/home", "peer "+vis+" note")
			return st != nil
		})
		assert.Equal(t, mv, st["visibility"], vis)
	}
	waitUntil(t, "the direct note notifies fumiko", func() bool {
		n := h.notification(ft, "mention", "peer direct note")
		return n != nil && n["status"].(map[string]any)["visibility"] == "direct"
	})
	assert.Nil(t, h.findIn(zt, "/api/v1/timelines/home", "peer followers note"))
	assert.Nil(t, h.notification(zt, "mention", ""))

	// Replies with mentions, likes and boosts of fumiko's post.
	post := h.call(ft, "POST", "/api/v1/statuses", url.Values{"status": {"fumiko posts"}, "visibility": {"public"}}, 200)
	uri := post["uri"].(string)
	_, err = peer.Note(ctx, interop.NoteRequest{Content: "<p>peer replies</p>", Visibility: interop.Public, Mention: []string{meURI}, InReplyTo: uri})
	require.NoError(t, err)
	_, err = peer.Like(ctx, uri, meURI)
	require.NoError(t, err)
	_, err = peer.Announce(ctx, uri, meURI)
	require.NoError(t, err)
	waitUntil(t, "fumiko is notified of the reply, like and boost", func() bool {
		return h.notification(ft, "mention", "peer replies") != nil &&
			h.notification(ft, "favourite", "fumiko posts") != nil && h.notification(ft, "reblog", "fumiko posts") != nil
	})
	thread := h.call(ft, "GET", "/api/v1/statuses/"+post["id"].(string)+"/context", nil, 200)
	assert.Len(t, thread["descendants"], 1)

	// Edit and delete of a peer note, and a profile update.
	edited, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>peer will edit</p>", Visibility: interop.Public})
	require.NoError(t, err)
	var local map[string]any
	waitUntil(t, "the note to edit arrives", func() bool {
		local = h.findIn(ft, "/api/v1/timelines/home", "peer will edit")
		return local != nil
	})
	_, err = peer.UpdateNote(ctx, edited.ID, "<p>peer has edited</p>")
	require.NoError(t, err)
	waitUntil(t, "the edit is applied", func() bool {
		st := h.call(ft, "GET", "/api/v1/statuses/"+local["id"].(string), nil, 200)
		return strings.Contains(fmt.Sprint(st["content"]), "peer has edited") && st["edited_at"] != nil
	})
	_, err = peer.Delete(ctx, edited.ID)
	require.NoError(t, err)
	waitUntil(t, "the delete is applied", func() bool { return h.statusGone(ft, local["id"].(string)) })
	peerControl(t, peer, "/control/update-profile", map[string]any{"name": "Peer Renamed", "summary": "new summary"})
	waitUntil(t, "the profile update is applied", func() bool {
		a := h.call(ft, "GET", "/api/v1/accounts/"+peerID, nil, 200)
		return a["display_name"] == "Peer Renamed"
	})

	// Block: the peer blocks fumiko; her follow of the peer ends.
	_, err = peer.Block(ctx, meURI)
	require.NoError(t, err)
	waitUntil(t, "the block ends fumiko's follow", func() bool { return h.relationship(ft, peerID)["following"] == false })

	// Account deletion: the peer deletes its actor; zora (who follows it
	// after the policy went back to accept) loses it and its posts.
	h.call(zt, "POST", "/api/v1/accounts/"+zPeer+"/follow", url.Values{}, 200)
	waitUntil(t, "zora follows the peer", func() bool { return h.relationship(zt, zPeer)["following"] == true })
	last, err := peer.Note(ctx, interop.NoteRequest{Content: "<p>peer last words</p>", Visibility: interop.Public})
	require.NoError(t, err)
	var lastID string
	waitUntil(t, "the last note arrives", func() bool {
		st := h.findIn(zt, "/api/v1/timelines/home", "peer last words")
		if st != nil {
			lastID = st["id"].(string)
		}
		return st != nil
	})
	_ = last
	peerControl(t, peer, "/control/delete-actor", map[string]any{})
	waitUntil(t, "the deleted actor's posts go", func() bool { return h.statusGone(zt, lastID) })
	waitUntil(t, "and the follow", func() bool {
		var rels []map[string]any
		h.do(zt, "GET", "/api/v1/accounts/relationships?id[]="+zPeer, nil, 200, &rels)
		return len(rels) == 0 || rels[0]["following"] == false
	})
}

// actorURI is a local actor's id.
func actorURI(n *node, username string) string { return n.base + "/users/" + username }

// peerControl posts to the peer's control API.
func peerControl(t *testing.T, p *interop.Peer, path string, body map[string]any) {
	b, _ := json.Marshal(body)
	resp, err := http.Post(p.Origin+path, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, path)
}
