package streaming_test

import (
	"net/http"
	"testing"

	mastodon "github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func (e *env) list(owner *storage.Account, title string, members ...*storage.Account) *storage.List {
	e.t.Helper()
	l, err := e.svc().CreateList(e.ctx, owner, social.ListInput{Title: &title})
	require.NoError(e.t, err)
	ids := make([]storage.ID, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	require.NoError(e.t, e.svc().AddToList(e.ctx, owner, l.ID, ids))
	return l
}

func TestSSEListStreamWithGoMastodon(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceTok := e.user("alice")
	bob, _ := e.user("bob")
	carol, _ := e.user("carol")
	e.follow(alice, bob)
	e.follow(alice, carol)
	l := e.list(alice, "bob", bob)

	ch, err := e.client(aliceTok).StreamingList(cancelled(t), mastodon.ID(l.ID.String()))
	require.NoError(t, err)
	e.waitConns(1)

	// Carol is followed but not in the list: her post stays out.
	e.post(carol, "not in the list", storage.VisibilityPublic)
	st := e.post(bob, "hello list", storage.VisibilityPublic)
	up, ok := next(t, ch).(*mastodon.UpdateEvent)
	require.True(t, ok)
	assert.Equal(t, st.ID.String(), string(up.Status.ID))

	_, err = e.svc().EditStatus(e.ctx, bob, st.ID, social.EditInput{Text: "hello list, edited"})
	require.NoError(t, err)
	ed, ok := next(t, ch).(*mastodon.UpdateEditEvent)
	require.True(t, ok)
	assert.Contains(t, ed.Status.Content, "edited")

	priv := e.post(bob, "followers only", storage.VisibilityPrivate)
	up, ok = next(t, ch).(*mastodon.UpdateEvent)
	require.True(t, ok)
	assert.Equal(t, priv.ID.String(), string(up.Status.ID))

	// Deletions, public (through the deletes channel) and private (to the
	// lists holding the author).
	for _, s := range []*storage.Status{priv, st} {
		_, err = e.svc().DeleteStatus(e.ctx, bob, s.ID)
		require.NoError(t, err)
		del, ok := next(t, ch).(*mastodon.DeleteEvent)
		require.True(t, ok)
		assert.Equal(t, s.ID.String(), string(del.ID))
	}
}

func TestListStreamOwnerOnly(t *testing.T) {
	e := newEnv(t, nil)
	alice, aliceTok := e.user("alice")
	bob, _ := e.user("bob")
	_, daveTok := e.user("dave")
	e.follow(alice, bob)
	l := e.list(alice, "bob", bob)

	// WebSocket: the owner subscribes, someone else is refused.
	c := e.wsDial("access_token=" + aliceTok)
	send(t, c, `{"type":"subscribe","stream":"list","list":"`+l.ID.String()+`"}`)
	// The subscription is handled before the next message, whose error
	// frame proves it was read.
	send(t, c, `{}`)
	assert.Equal(t, 400, readFrame(t, c).Status)
	d := e.wsDial("access_token=" + daveTok)
	send(t, d, `{"type":"subscribe","stream":"list","list":"`+l.ID.String()+`"}`)
	f := readFrame(t, d)
	assert.Equal(t, "Not authorized to stream this list", f.Error)
	assert.Equal(t, http.StatusUnauthorized, f.Status)

	st := e.post(bob, "hi", storage.VisibilityPublic)
	f = readFrame(t, c)
	assert.Equal(t, []string{"list", l.ID.String()}, f.Stream)
	assert.Equal(t, "update", f.Event)
	assert.Equal(t, st.ID.String(), statusID(t, f))

	// SSE: someone else's list answers 401.
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/streaming/list?list="+l.ID.String(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+daveTok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
