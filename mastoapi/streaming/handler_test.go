package streaming_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	mastodon "github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

func TestSSEUserStreamWithGoMastodon(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceTok := e.user("alice")
	bob, _ := e.user("bob")
	carol, _ := e.user("carol")
	e.follow(alice, bob)

	ch, err := e.client(aliceTok).StreamingUser(cancelled(t))
	require.NoError(t, err)
	e.waitConns(1)

	// Carol is not followed: her post stays out of alice's home stream.
	e.post(carol, "not for alice", storage.VisibilityPublic)
	st := e.post(bob, "hello followers", storage.VisibilityPublic)
	ev := next(t, ch)
	up, ok := ev.(*mastodon.UpdateEvent)
	require.True(t, ok, "%T", ev)
	assert.Equal(t, st.ID.String(), string(up.Status.ID))
	assert.Contains(t, up.Status.Content, "hello followers")
	assert.Equal(t, "bob", up.Status.Account.Username)

	// A mention notifies alice on her user stream (and puts the status in
	// her home feed).
	m := e.post(bob, "@alice look", storage.VisibilityPublic)
	var sawNote, sawUpdate bool
	for !sawNote || !sawUpdate {
		switch ev := next(t, ch).(type) {
		case *mastodon.NotificationEvent:
			assert.Equal(t, "mention", ev.Notification.Type)
			assert.Equal(t, m.ID.String(), string(ev.Notification.Status.ID))
			sawNote = true
		case *mastodon.UpdateEvent:
			assert.Equal(t, m.ID.String(), string(ev.Status.ID))
			sawUpdate = true
		default:
			t.Fatalf("unexpected %T", ev)
		}
	}

	// Edits arrive as status.update, deletions as a bare ID.
	_, err = e.svc().EditStatus(e.ctx, bob, st.ID, social.EditInput{Text: "hello, edited"})
	require.NoError(t, err)
	ed, ok := next(t, ch).(*mastodon.UpdateEditEvent)
	require.True(t, ok)
	assert.Contains(t, ed.Status.Content, "edited")

	_, err = e.svc().DeleteStatus(e.ctx, bob, st.ID)
	require.NoError(t, err)
	del, ok := next(t, ch).(*mastodon.DeleteEvent)
	require.True(t, ok)
	assert.Equal(t, st.ID.String(), string(del.ID))
}

func TestSSEPublicAndHashtagWithGoMastodon(t *testing.T) {
	e := newEnv(t, nil)
	_, tok := e.user("alice")
	bob, _ := e.user("bob")
	ctx := cancelled(t)
	c := e.client(tok)
	pub, err := c.StreamingPublic(ctx, false)
	require.NoError(t, err)
	local, err := c.StreamingPublic(ctx, true)
	require.NoError(t, err)
	tag, err := c.StreamingHashtag(ctx, "GoLang", false)
	require.NoError(t, err)
	e.waitConns(3)

	// Unlisted and private statuses never reach public streams; a status
	// without the tag never reaches the hashtag stream.
	e.post(bob, "unlisted #golang", storage.VisibilityUnlisted)
	e.post(bob, "private #golang", storage.VisibilityPrivate)
	plain := e.post(bob, "public, untagged", storage.VisibilityPublic)
	tagged := e.post(bob, "public #golang", storage.VisibilityPublic)

	for _, ch := range []chan mastodon.Event{pub, local} {
		assert.Equal(t, plain.ID.String(), string(next(t, ch).(*mastodon.UpdateEvent).Status.ID))
		assert.Equal(t, tagged.ID.String(), string(next(t, ch).(*mastodon.UpdateEvent).Status.ID))
	}
	got := next(t, tag).(*mastodon.UpdateEvent)
	assert.Equal(t, tagged.ID.String(), string(got.Status.ID))
	require.Len(t, got.Status.Tags, 1)
	assert.Equal(t, "golang", got.Status.Tags[0].Name)
}

func TestWebSocketWithGoMastodon(t *testing.T) {
	e := newEnv(t, nil)
	alice, tok := e.user("alice")
	bob, _ := e.user("bob")
	e.follow(alice, bob)
	ctx := cancelled(t)
	ws := e.client(tok).NewWSClient()
	user, err := ws.StreamingWSUser(ctx)
	require.NoError(t, err)
	pub, err := ws.StreamingWSPublic(ctx, true)
	require.NoError(t, err)
	tag, err := ws.StreamingWSHashtag(ctx, "herd", true)
	require.NoError(t, err)
	e.waitConns(3)

	st := e.post(bob, "websocket #herd", storage.VisibilityPublic)
	for _, ch := range []chan mastodon.Event{user, pub, tag} {
		up, ok := next(t, ch).(*mastodon.UpdateEvent)
		require.True(t, ok)
		assert.Equal(t, st.ID.String(), string(up.Status.ID))
	}
	_, err = e.svc().DeleteStatus(e.ctx, bob, st.ID)
	require.NoError(t, err)
	for _, ch := range []chan mastodon.Event{user, pub, tag} {
		del, ok := next(t, ch).(*mastodon.DeleteEvent)
		require.True(t, ok)
		assert.Equal(t, st.ID.String(), string(del.ID))
	}
}

func TestWebSocketMultiplexing(t *testing.T) {
	e := newEnv(t, nil)
	_, tok := e.user("alice")
	bob, _ := e.user("bob")

	// The token as the subprotocol, echoed back, as browsers send it.
	c := e.wsDial("", tok)
	assert.Equal(t, tok, c.Subprotocol())
	e.waitConns(1)

	send(t, c, `{"type":"subscribe","stream":"hashtag","tag":"#GoLang"}`)
	send(t, c, `{"type":"subscribe","stream":"public:local"}`)
	send(t, c, `{"type":"subscribe","stream":"public:local"}`) // again: no duplicate frames
	// Error frames leave the connection open.
	send(t, c, `{"type":"subscribe","stream":"bogus"}`)
	f := readFrame(t, c)
	assert.Equal(t, "Unknown stream type", f.Error)
	assert.Equal(t, 400, f.Status)
	send(t, c, `not json`)
	assert.Equal(t, 400, readFrame(t, c).Status)
	send(t, c, `{"type":"subscribe","stream":"hashtag"}`)
	assert.Equal(t, "Missing tag name parameter", readFrame(t, c).Error)
	send(t, c, `{"type":"dance","stream":"public"}`)
	assert.Equal(t, 400, readFrame(t, c).Status)
	send(t, c, `{"type":"subscribe","stream":"list","list":"1"}`)
	assert.Equal(t, 401, readFrame(t, c).Status) // not a list of the user's

	st := e.post(bob, "hello #golang", storage.VisibilityPublic)
	got := map[string]string{}
	for range 2 {
		f := readFrame(t, c)
		assert.Equal(t, "update", f.Event)
		got[strings.Join(f.Stream, ",")] = statusID(t, f)
	}
	assert.Equal(t, map[string]string{"hashtag,golang": st.ID.String(), "public:local": st.ID.String()}, got)

	send(t, c, `{"type":"unsubscribe","stream":"hashtag","tag":"golang"}`)
	// The unsubscribe is handled before the next client message, and the
	// error frame for this one proves it was read.
	send(t, c, `{}`)
	assert.Equal(t, 400, readFrame(t, c).Status)
	st2 := e.post(bob, "again #golang", storage.VisibilityPublic)
	f = readFrame(t, c)
	assert.Equal(t, []string{"public:local"}, f.Stream)
	assert.Equal(t, st2.ID.String(), statusID(t, f))

	_, err := e.svc().DeleteStatus(e.ctx, bob, st2.ID)
	require.NoError(t, err)
	f = readFrame(t, c)
	assert.Equal(t, "delete", f.Event)
	require.NotNil(t, f.Payload)
	assert.Equal(t, st2.ID.String(), *f.Payload)
}

func TestWebSocketListAndDirectStreams(t *testing.T) {
	lists := listAuthorizer{allowed: map[storage.ID]bool{7: true}}
	e := newEnv(t, &streaming.Options{Lists: lists})
	alice, tok := e.user("alice")
	bob, _ := e.user("bob")
	c := e.wsDial("access_token=" + tok + "&stream=direct")
	send(t, c, `{"type":"subscribe","stream":"list","list":7}`)
	send(t, c, `{"type":"subscribe","stream":"list","list":"8"}`)
	f := readFrame(t, c)
	assert.Equal(t, "Not authorized to stream this list", f.Error)

	st := e.post(bob, "@alice psst", storage.VisibilityDirect)
	f = readFrame(t, c)
	assert.Equal(t, []string{"direct"}, f.Stream)
	assert.Equal(t, "conversation", f.Event)
	var conv struct {
		ID         string `json:"id"`
		Unread     bool   `json:"unread"`
		Accounts   []struct{ Username string }
		LastStatus struct{ ID string } `json:"last_status"`
	}
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &conv))
	assert.Equal(t, st.ID.String(), conv.LastStatus.ID)
	assert.True(t, conv.Unread)
	require.Len(t, conv.Accounts, 1)
	assert.Equal(t, "bob", conv.Accounts[0].Username)
	_ = alice
}

type listAuthorizer struct{ allowed map[storage.ID]bool }

func (l listAuthorizer) AuthorizeList(_ context.Context, _ *storage.Account, id storage.ID) error {
	if l.allowed[id] {
		return nil
	}
	return streaming.ErrNotFound
}

func TestVisibilityAppliedPerViewer(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceTok := e.user("alice")
	bob, _ := e.user("bob")
	carol, carolTok := e.user("carol")
	e.follow(alice, bob)
	e.follow(carol, bob)
	// Carol mutes bob: she still follows him but sees nothing of his.
	_, err := e.svc().Mute(e.ctx, carol, bob.ID, social.MuteOptions{})
	require.NoError(t, err)

	a := e.wsDial("access_token=" + aliceTok + "&stream=user")
	c := e.wsDial("access_token=" + carolTok + "&stream=public")
	e.waitConns(2)
	e.post(bob, "bob speaks", storage.VisibilityPublic)
	last := e.post(carol, "carol speaks", storage.VisibilityPublic)
	// Carol's first frame is her own post: bob's was muted.
	assert.Equal(t, last.ID.String(), statusID(t, readFrame(t, c)))
	f := readFrame(t, a)
	assert.Equal(t, []string{"user"}, f.Stream)

	// A block hides statuses both ways on public streams.
	_, err = e.svc().Block(e.ctx, bob, alice.ID)
	require.NoError(t, err)
	send(t, a, `{"type":"subscribe","stream":"public"}`)
	send(t, a, `{}`) // its error frame tells the subscription was handled
	assert.Equal(t, 400, readFrame(t, a).Status)
	e.post(bob, "bob again", storage.VisibilityPublic)
	mine := e.post(alice, "alice here", storage.VisibilityPublic)
	for {
		f := readFrame(t, a)
		if strings.Join(f.Stream, ",") == "public" {
			assert.Equal(t, mine.ID.String(), statusID(t, f))
			break
		}
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	alice, tok := e.user("alice")
	notesOnly, err := e.srv.CreateToken(e.ctx, alice, "read:notifications")
	require.NoError(t, err)
	app, err := e.srv.CreateToken(e.ctx, nil, "read")
	require.NoError(t, err)

	get := func(path, token string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		require.NoError(t, err)
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			line, _ := bufio.NewReader(resp.Body).ReadString('\n')
			return resp.StatusCode, line
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/api/v1/streaming/health", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "OK", body)

	for _, tc := range []struct {
		path, token string
		code        int
		body        string
	}{
		{"/api/v1/streaming/public", "", 401, `{"error":"Missing access token"}`},
		{"/api/v1/streaming/user", "nope", 401, `{"error":"Invalid access token"}`},
		{"/api/v1/streaming/user", app, 401, `{"error":"This stream requires a user token"}`},
		{"/api/v1/streaming/public", app, 401, `{"error":"This stream requires a user token"}`},
		{"/api/v1/streaming/user", notesOnly, 401, `{"error":"Access token does not have the required scopes"}`},
		{"/api/v1/streaming/user/notification", notesOnly, 200, ":)\n"},
		{"/api/v1/streaming/nope", tok, 400, `{"error":"Unknown stream type"}`},
		{"/api/v1/streaming?stream=bogus", tok, 400, `{"error":"Unknown stream type"}`},
		{"/api/v1/streaming/hashtag", tok, 400, `{"error":"Missing tag name parameter"}`},
		{"/api/v1/streaming/list?list=x", tok, 400, `{"error":"Invalid list name parameter"}`},
		{"/api/v1/streaming?stream=public:remote:media", tok, 200, ":)\n"},
		{"/api/v1/streaming/public/local?only_media=true&access_token=" + tok, "", 200, ":)\n"},
	} {
		code, body := get(tc.path, tc.token)
		assert.Equal(t, tc.code, code, tc.path)
		assert.Equal(t, tc.body, body, tc.path)
	}

	// A WebSocket with a bad token is refused at the handshake.
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/api/v1/streaming?access_token=nope"
	_, resp, err := websocket.Dial(context.Background(), u, nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, 401, resp.StatusCode)
}

func TestAnonymousPublicStreamsWhenAllowed(t *testing.T) {
	e := newEnv(t, &streaming.Options{AllowAnonymousPublic: true})
	bob, _ := e.user("bob")
	c := e.wsDial("stream=public")
	send(t, c, `{"type":"subscribe","stream":"user"}`)
	assert.Equal(t, "Missing access token", readFrame(t, c).Error)
	st := e.post(bob, "for everyone", storage.VisibilityPublic)
	assert.Equal(t, st.ID.String(), statusID(t, readFrame(t, c)))
}

func TestRevokedTokenClosesStreams(t *testing.T) {
	e := newEnv(t, &streaming.Options{RecheckInterval: 50 * time.Millisecond})
	_, tok := e.user("alice")

	// go-mastodon's WebSocket client: its channel closes once reconnecting
	// is refused.
	ws, err := e.client(tok).NewWSClient().StreamingWSUser(cancelled(t))
	require.NoError(t, err)
	// SSE, read raw.
	req, err := http.NewRequestWithContext(cancelled(t), http.MethodGet, e.ts.URL+"/api/v1/streaming/user", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	e.waitConns(2)

	require.NoError(t, e.srv.RevokeToken(e.ctx, tok))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range ws {
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WebSocket stream still open after revocation")
	}
	readDone := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); readDone <- err }()
	select {
	case err := <-readDone:
		assert.NoError(t, err) // a clean end of the stream
	case <-time.After(5 * time.Second):
		t.Fatal("SSE stream still open after revocation")
	}
	e.waitConns(0)
}

func TestHeartbeats(t *testing.T) {
	e := newEnv(t, &streaming.Options{Heartbeat: 30 * time.Millisecond})
	_, tok := e.user("alice")
	req, err := http.NewRequestWithContext(cancelled(t), http.MethodGet, e.ts.URL+"/api/v1/streaming/public?access_token="+tok, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for _, want := range []string{":)\n", ":thump\n", ":thump\n"} {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, want, line)
	}

	// A WebSocket client answering pings stays connected through many.
	c := e.wsDial("access_token=" + tok)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _, err = c.Read(ctx) // reads (and answers pings) until the timeout
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
