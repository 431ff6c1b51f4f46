package mastoapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// Announcements made in the database reach every user stream (once, even
// with two processes polling), as do reactions and deletions.
func TestAnnouncementEventsAreStreamed(t *testing.T) {
	hub := timeline.NewMemoryHub()
	t.Cleanup(func() { hub.Close() })
	e := newEnv(t, func(o *mastoapi.Options) { o.Hub = hub })
	ctx := context.Background()
	tok, _ := e.userToken("alice", "read write")
	h := streaming.New(hub, e.api.StreamAuthenticator(), e.api.StreamRenderer(), &streaming.Options{Heartbeat: time.Hour})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	dial := func(stream string) *websocket.Conn {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+streaming.DefaultPrefix+"?stream="+stream+"&access_token="+url.QueryEscape(tok), nil)
		require.NoError(t, err)
		t.Cleanup(func() { c.CloseNow() })
		return c
	}
	user, public := dial("user"), dial("public")
	require.Eventually(t, func() bool { return h.Connections() == 2 }, 5*time.Second, time.Millisecond)

	type frame struct {
		Stream  []string `json:"stream"`
		Event   string   `json:"event"`
		Payload string   `json:"payload"`
	}
	read := func(c *websocket.Conn) frame {
		t.Helper()
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, b, err := c.Read(rctx)
		require.NoError(t, err)
		var f frame
		require.NoError(t, json.Unmarshal(b, &f), string(b))
		return f
	}

	a := &storage.Announcement{Text: "Hello, everyone", Published: true}
	require.NoError(t, e.store.Announcements().Create(ctx, a))
	// Two processes poll at once: the announcement is streamed once.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- streaming.PublishAnnouncements(ctx, e.store, hub) }()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	f := read(user)
	assert.Equal(t, []string{"user"}, f.Stream)
	assert.Equal(t, "announcement", f.Event)
	var ann map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.Payload), &ann))
	assert.Equal(t, a.ID.String(), ann["id"])
	assert.Equal(t, "<p>Hello, everyone</p>", ann["content"])
	assert.NotContains(t, ann, "read", "the streamed announcement has no viewer fields")

	resp := e.do(request{method: http.MethodPut, path: "/api/v1/announcements/" + a.ID.String() + "/reactions/" + url.PathEscape("🎉"), token: tok})
	requireStatus(t, resp, http.StatusOK)
	f = read(user)
	assert.Equal(t, "announcement.reaction", f.Event, "not a second announcement event: %s", f.Payload)
	assert.JSONEq(t, `{"name":"🎉","count":1,"announcement_id":"`+a.ID.String()+`"}`, f.Payload)

	require.NoError(t, e.store.Announcements().Delete(ctx, a.ID))
	require.NoError(t, streaming.PublishAnnouncements(ctx, e.store, hub))
	f = read(user)
	assert.Equal(t, "announcement.delete", f.Event)
	assert.Equal(t, a.ID.String(), f.Payload)

	// Public streams carry none of them: the next frame there is a post.
	require.NoError(t, hub.Publish(ctx, timeline.Message{Channel: streaming.StreamPublic, Event: streaming.EventDelete, Data: "42"}))
	f = read(public)
	assert.Equal(t, "delete", f.Event)
	assert.Equal(t, "42", f.Payload)
}
