package streaming_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	mastodon "github.com/mattn/go-mastodon"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/mastoapi/streaming/streamtest"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/timeline"
)

// env is an in-process streaming server on SQLite and a memory hub.
type env struct {
	t   *testing.T
	ctx context.Context
	srv *streamtest.Server
	ts  *httptest.Server
}

func openSQLite(t testing.TB) storage.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func newEnv(t *testing.T, o *streaming.Options) *env {
	t.Helper()
	hub := timeline.NewMemoryHub()
	t.Cleanup(func() { hub.Close() })
	return newEnvOn(t, openSQLite(t), hub, o)
}

func newEnvOn(t *testing.T, store storage.Store, hub timeline.Hub, o *streaming.Options) *env {
	t.Helper()
	srv, err := streamtest.New(store, hub, &streamtest.Options{Streaming: o})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	// Streams outlive requests: close them before the server waits for
	// its connections.
	t.Cleanup(ts.Close)
	t.Cleanup(func() { hub.Close() })
	return &env{t: t, ctx: context.Background(), srv: srv, ts: ts}
}

func (e *env) user(name string, scopes ...string) (*storage.Account, string) {
	e.t.Helper()
	a, err := e.srv.CreateAccount(e.ctx, name)
	require.NoError(e.t, err)
	tok, err := e.srv.CreateToken(e.ctx, a, scopes...)
	require.NoError(e.t, err)
	return a, tok
}

func (e *env) svc() *social.Service { return e.srv.Service }

func (e *env) post(a *storage.Account, text string, vis storage.Visibility) *storage.Status {
	e.t.Helper()
	st, err := e.svc().PostStatus(e.ctx, a, social.PostInput{Text: text, Visibility: vis})
	require.NoError(e.t, err)
	return st
}

func (e *env) follow(a, b *storage.Account) {
	e.t.Helper()
	_, err := e.svc().Follow(e.ctx, a, b.ID, social.FollowOptions{})
	require.NoError(e.t, err)
}

func (e *env) client(token string) *mastodon.Client {
	return mastodon.NewClient(&mastodon.Config{Server: e.ts.URL, AccessToken: token})
}

// waitConns waits until the handler counts n connections.
func (e *env) waitConns(n int) {
	e.t.Helper()
	require.Eventually(e.t, func() bool { return e.srv.Handler.Connections() == n }, 5*time.Second, 5*time.Millisecond,
		"want %d connections, have %d", n, e.srv.Handler.Connections())
}

// next reads the next go-mastodon event that is not an error event.
func next(t *testing.T, ch chan mastodon.Event) mastodon.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			require.True(t, ok, "stream closed")
			if _, isErr := ev.(*mastodon.ErrorEvent); isErr {
				continue
			}
			return ev
		case <-timeout:
			t.Fatal("no event within 5s")
		}
	}
}

// frame is a WebSocket frame as the server sends it.
type frame struct {
	Stream  []string `json:"stream"`
	Event   string   `json:"event"`
	Payload *string  `json:"payload"`
	Error   string   `json:"error"`
	Status  int      `json:"status"`
}

// wsDial opens a raw WebSocket to the streaming endpoint.
func (e *env) wsDial(query string, subprotocols ...string) *websocket.Conn {
	e.t.Helper()
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + streaming.DefaultPrefix
	if query != "" {
		u += "?" + query
	}
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: subprotocols})
	require.NoError(e.t, err)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	e.t.Cleanup(func() { c.CloseNow() })
	return c
}

func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(msg)))
}

func readFrame(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	require.NoError(t, err)
	var f frame
	require.NoError(t, json.Unmarshal(b, &f), string(b))
	return f
}

// statusID decodes the id of a status payload.
func statusID(t *testing.T, f frame) string {
	t.Helper()
	require.NotNil(t, f.Payload)
	var st struct {
		ID      string `json:"id"`
		Content string `json:"content"`
	}
	require.NoError(t, json.Unmarshal([]byte(*f.Payload), &st))
	return st.ID
}
